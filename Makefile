# One entry point for every task. Each target creates .venv on first use (and refreshes it when
# pyproject.toml changes), so a fresh clone needs only python3 (>= 3.11) and make.
VENV ?= .venv
PY := $(VENV)/bin/python
# In a class on JupyterHub (make hub) everyone's environment is root's: the instructor's server sets VENV to it
# and WORKBOOK_SHARED_ENV, so make uses that environment as it is instead of installing into it.
STAMP := $(if $(WORKBOOK_SHARED_ENV),,$(VENV)/.installed-stamp)
# Tools that nbgrader and the tests start (jupyter, alembic) come from the environment too.
export PATH := $(abspath $(VENV))/bin:$(PATH)
# The edition: Korean with `make lab LANG=ko` (or whenever the locale is Korean, LANG=ko_KR.UTF-8): the Korean
# lessons (lessons/*_ko) and JupyterLab's interface in Korean (its language pack, jupyter-config/ko). EDITION=en
# or EDITION=ko overrides the locale.
EDITION ?= $(if $(filter ko%,$(LANG)),ko,en)
# The lesson JupyterLab opens first.
START ?= $(if $(filter ko,$(EDITION)),lessons/00_start_here_ko/00_start_here_ko.ipynb,lessons/00_start_here/00_start_here.ipynb)
LAB_LOCALE := $(if $(filter ko,$(EDITION)),--LabApp.app_settings_dir="$(CURDIR)/jupyter-config/ko/lab-settings")
# Who the JupyterLab is for: students see nbgrader's Validate button only (jupyter-config/student);
# ROLE=instructor also shows Formgrader, Create Assignment and the course and assignment lists.
ROLE ?= student
LAB_CONFIG := $(if $(filter instructor,$(ROLE)),,$(CURDIR)/jupyter-config/student)

# `make help` lists the targets below that have a `## ` comment.
.PHONY: help check setup sandbox-tool browser postgres db lab screenshots test test-fast lessons bench bench-grading bench-diagnosis grade export lint clean-notebooks

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -c 'import sys; sys.exit(sys.version_info < (3, 11) and "make: needs python3 >= 3.11, found " + sys.version.split()[0])'
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip>=24"
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

## lab: set up, then open the workbook in JupyterLab (served from the repository root, which is also
## nbgrader's course root, so the nbgrader extensions work; the first lesson opens)
lab: $(STAMP)
	JUPYTER_CONFIG_PATH="$(LAB_CONFIG)" $(VENV)/bin/jupyter lab --ServerApp.root_dir="$(CURDIR)" --LabApp.default_url="/lab/tree/$(START)" $(LAB_LOCALE) \
	  $$([ "$$(id -u)" = 0 ] && echo --allow-root)  # root in containers (Binder, Docker, CI machines)

## test: set up, then run the whole test suite (in parallel across cores)
test: $(STAMP) sandbox-tool browser postgres
	$(PY) -m pytest -n auto --dist loadgroup

# bubblewrap runs students' code in a sandbox while make grade grades it (the default); the suite tests it.
# Installed with apt when we are root on Debian/Ubuntu (as in CI); elsewhere those tests are skipped.
sandbox-tool:
	@command -v bwrap >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	  (apt-get update -qq && apt-get install -y -qq bubblewrap) >/dev/null 2>&1; } || \
	  echo "bubblewrap is not installed: the sandbox tests will be skipped"

# Chromium runs the browser tests (tests/test_browser.py) through Playwright; Playwright's own browser
# download does not work everywhere, so it drives Debian's. Installed with apt when we are root.
browser:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	  (apt-get update -qq && apt-get install -y -qq chromium chromium-driver) >/dev/null 2>&1; } || \
	  echo "Chromium is not installed: the browser tests will be skipped"

# configurable-http-proxy is JupyterHub's proxy (from npm): make hub and the hub test (tests/test_hub.py) need it.
# Installed with npm when we are root (Node.js and npm with apt first, if missing); elsewhere that test is skipped.
.PHONY: hub-tools hub
test: hub-tools
hub-tools:
	@command -v configurable-http-proxy >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && \
	  { command -v npm >/dev/null 2>&1 || { command -v apt-get >/dev/null 2>&1 && (apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm) >/dev/null 2>&1; }; } && \
	  npm install -g --no-fund --no-audit --loglevel=error configurable-http-proxy >/dev/null 2>&1; } || \
	  echo "configurable-http-proxy is not installed: the JupyterHub test will be skipped"

## hub: as root, a class on JupyterHub with nbgrader's exchange (README: "A class on JupyterHub"):
## make hub INSTRUCTOR=ann STUDENTS="bob carol" [COURSE_ID=cnn-workbook EXCHANGE=/srv/nbgrader/exchange
## COURSE_DIR=~ann/cnn-workbook HUB_ARGS="--ip 0.0.0.0 --port 8000"]
COURSE_ID ?= cnn-workbook
EXCHANGE ?= /srv/nbgrader/exchange
hub: $(STAMP) hub-tools
	$(PY) -m autograder.hub --instructor "$(INSTRUCTOR)" --students $(STUDENTS) --course-id "$(COURSE_ID)" \
	  --exchange "$(EXCHANGE)" $(if $(COURSE_DIR),--course-dir "$(COURSE_DIR)") -- $(HUB_ARGS)

# PostgreSQL's server runs the shared-gradebook tests (tests/test_postgres_shards.py) and make db; Debian puts
# it in /usr/lib/postgresql/<version>/bin. Installed with apt when we are root; elsewhere those tests are skipped.
postgres:
	@{ command -v pg_ctl || ls /usr/lib/postgresql/*/bin/pg_ctl; } >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && \
	  command -v apt-get >/dev/null 2>&1 && (apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql) >/dev/null 2>&1; } || \
	  echo "PostgreSQL is not installed: the shared-gradebook tests will be skipped"

## db: start a PostgreSQL gradebook that graders on several machines share, and print its URL for
## make grade's --db (make db ARGS="stop" stops it; ARGS="--listen '*'" the first time lets other machines in)
db: $(STAMP) postgres
	$(PY) -m autograder.postgres $(ARGS)

## screenshots: run the browser tests and copy a few widget screenshots into docs/screenshots/ for README
screenshots: $(STAMP) browser
	$(PY) -m pytest -q tests/test_browser.py -k "solutions"
	$(PY) -m tests.lab --readme-screenshots docs/screenshots

## test-fast: everything but the tests that execute notebooks or run nbgrader
test-fast: $(STAMP)
	$(PY) -m pytest -m "not slow"

## lessons: regenerate lessons/ from solutions/ with nbgrader (refuses over modified lessons)
lessons: $(STAMP)
	$(PY) -m autograder.release $(ARGS)

## bench: conv speed, naive vs vectorized vs torch (medians, one thread)
bench: $(STAMP)
	$(PY) -m bench.conv_bench $(ARGS)

## bench-diagnosis: share of wrong functions (our mutants and generated ones) whose message names the mistake
bench-diagnosis: $(STAMP)
	$(PY) -m bench.diagnosis_bench $(ARGS)

## bench-grading: class-grading throughput, sequential nbgrader vs make grade (a few minutes)
bench-grading: $(STAMP)
	$(PY) -m bench.grading_bench $(ARGS)

## bench-scale: what a big class costs: one grader vs two shards at once into PostgreSQL (200 students: long;
## ARGS="--students 40" or "--quick"); seconds per student, peak memory per kernel, shard overhead, projection
.PHONY: bench-scale
bench-scale: $(STAMP) sandbox-tool postgres
	$(PY) -m bench.scale_bench $(ARGS)

## grade: grade a class in parallel, sandboxed: make grade ARGS="01_convolution [--submitted DIR] [--no-sandbox]"
## (several machines, one gradebook: ARGS="01_convolution --db postgresql://... --shard 1/2", and 2/2 on another)
grade: $(STAMP)
	$(PY) -m autograder.grade_class $(ARGS)

## export: grades for Canvas and Moodle, per question, and feedback zips, from the gradebook make grade wrote:
## make export ARGS="[assignments] [--roster roster.csv] [--moodle-worksheet ASSIGNMENT=FILE] [--canvas-column A=H]"
export: $(STAMP)
	$(PY) -m autograder.lms_export $(ARGS)

## help: list these targets and what each does
help:
	@awk '/^## /{ sub(/^## /, ""); print (/^[a-z-]+: / ? "" : "    ") $$0 }' $(MAKEFILE_LIST)

## check: what every commit must pass (in about a minute; .pre-commit-config.yaml runs the same): notebooks
## without outputs, lessons/ and the Korean edition in step with solutions/, ruff check and ruff format --check
check: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m pytest -q -p no:randomly tests/test_lint.py tests/test_editions.py \
	  "tests/test_notebooks.py::test_notebooks_are_committed_without_outputs"
	$(PY) -m autograder.release --check

## lint: ruff over code and notebooks
lint: $(STAMP)
	$(VENV)/bin/ruff check .

## clean-notebooks: strip outputs and execution counts from solutions/ and lessons/
clean-notebooks: $(STAMP)
	$(VENV)/bin/jupyter nbconvert --clear-output --inplace solutions/*/*.ipynb lessons/*/*.ipynb
