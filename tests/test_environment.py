"""One declaration of dependencies; the README's two commands exist and CI runs the test one."""

import re

import tomllib
import yaml

from tests.conftest import REPO


def pyproject():
    return tomllib.loads((REPO / "pyproject.toml").read_text())


def test_environment_yml_installs_the_package_and_nothing_else():
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    deps = env["dependencies"]
    conda = sorted(d.split("=")[0] for d in deps if isinstance(d, str))
    pip = [d for d in deps if isinstance(d, dict)]
    assert conda == ["pip", "python"], "declare dependencies in pyproject.toml, not in environment.yml"
    assert pip == [{"pip": ["-e ."]}]
    python = next(d for d in deps if isinstance(d, str) and d.startswith("python="))
    major, minor = map(int, python.split("=")[1].split(".")[:2])
    required = re.match(r">=(\d+)\.(\d+)", pyproject()["project"]["requires-python"])
    assert (major, minor) >= (int(required[1]), int(required[2]))


def test_pyproject_declares_what_the_workbook_imports():
    deps = " ".join(pyproject()["project"]["dependencies"])
    for name in ("numpy", "matplotlib", "ipywidgets", "jupyterlab", "nbgrader", "torch==2.13.0"):
        assert name in deps
    test_extra = pyproject()["project"]["optional-dependencies"]["test"]
    assert {"pytest", "pytest-xdist"} <= {re.split(r"[<>=]", d)[0] for d in test_extra}


def test_readme_leads_with_the_two_commands_and_ci_runs_the_test_one():
    readme = (REPO / "README.md").read_text()
    blocks = re.findall(r"```(?:bash|sh)?\n(.*?)```", readme, re.S)
    first_commands = [line.split("#")[0].strip() for line in blocks[0].splitlines()
                      if line.strip() and not line.startswith("#")]
    assert first_commands == ["make lab", "make test"]
    makefile = (REPO / "Makefile").read_text()
    assert re.search(r"^lab: \$\(STAMP\)", makefile, re.M) and re.search(r"^test: \$\(STAMP\)", makefile, re.M)
    assert "make test" in (REPO / ".ci" / "run").read_text()
