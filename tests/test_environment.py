"""One declaration of dependencies; the README's two commands exist and CI runs the test one."""

import re
import tomllib

import pytest
import yaml

from autograder.course import REPO


def pyproject():
    return tomllib.loads((REPO / "pyproject.toml").read_text())


def test_environment_yml_installs_the_package_and_nothing_else():
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    deps = env["dependencies"]
    conda = sorted(d.split("=")[0] for d in deps if isinstance(d, str))
    pip = [d for d in deps if isinstance(d, dict)]
    assert conda == ["pip", "python"], "declare dependencies in pyproject.toml, not in environment.yml"
    assert len(pip) == 1
    requirements = [r for r in pip[0]["pip"] if not r.startswith("--")]  # index options are not dependencies
    assert requirements == ["-e ."]
    for option in (r for r in pip[0]["pip"] if r.startswith("--")):
        assert option.split()[0] in ("--extra-index-url", "--index-url", "--find-links"), option
    python = next(d for d in deps if isinstance(d, str) and d.startswith("python="))
    major, minor = map(int, python.split("=")[1].split(".")[:2])
    required = re.match(r">=(\d+)\.(\d+)", pyproject()["project"]["requires-python"])
    assert (major, minor) >= (int(required[1]), int(required[2]))


def test_both_files_give_the_same_dependencies():
    """conda/Binder and make lab install the same list: environment.yml's only requirement is this
    package, whose dependencies pyproject.toml declares (with the test tools as an extra)."""
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    pip = next(d for d in env["dependencies"] if isinstance(d, dict))["pip"]
    installed_by_conda = {"-e ."} & set(pip)
    makefile = (REPO / "Makefile").read_text()
    assert installed_by_conda == {"-e ."} and '-e ".[test]"' in makefile
    names = [re.split(r"[<>=!~\[ ;]", d)[0].lower() for d in pyproject()["project"]["dependencies"]]
    assert len(names) == len(set(names)), "a dependency is declared twice"


def test_pyproject_declares_what_the_workbook_imports():
    deps = " ".join(pyproject()["project"]["dependencies"])
    for name in ("numpy", "matplotlib", "ipywidgets", "jupyterlab", "nbgrader", "torch==2.13.0"):
        assert name in deps
    test_extra = pyproject()["project"]["optional-dependencies"]["test"]
    assert {"pytest", "pytest-xdist"} <= {re.split(r"[<>=]", d)[0] for d in test_extra}


def test_readme_leads_with_the_two_commands_and_ci_runs_the_test_one():
    readme = (REPO / "README.md").read_text()
    blocks = re.findall(r"```(?:bash|sh)?\n(.*?)```", readme, re.S)
    first_commands = [
        line.split("#")[0].strip() for line in blocks[0].splitlines() if line.strip() and not line.startswith("#")
    ]
    assert first_commands == ["make lab", "make test"]
    makefile = (REPO / "Makefile").read_text()
    assert re.search(r"^lab: \$\(STAMP\)", makefile, re.M) and re.search(r"^test: \$\(STAMP\)", makefile, re.M)
    assert "make test" in (REPO / ".ci" / "run").read_text()


def test_ci_machine_has_the_system_tools():
    """`make test` installs bubblewrap, Chromium and PostgreSQL with apt when run as root; elsewhere the
    sandbox, browser and shared-gradebook tests skip. On CI (.ci/run sets WORKBOOK_CI) a skip would hide
    them, so their tools must be there."""
    import os
    import shutil

    if not os.environ.get("WORKBOOK_CI"):
        pytest.skip("not on CI: the sandbox and browser tests skip themselves without their tools")
    missing = [tool for tool in ("bwrap", "chromium") if shutil.which(tool) is None]
    from autograder import postgres  # the shared-gradebook tests' server (Debian keeps it off PATH)

    try:
        postgres.binaries()
    except postgres.Unavailable:
        missing.append("postgresql")
    assert not missing, f"make test did not install {missing}"


def test_python_floor_is_what_works_and_everyone_says_it():
    """requires-python is no lower than what the installed nbgrader needs (0.9.6: 3.11) and than this file
    needs (tomllib); the README, the Makefile's comment and its check of python3 name the same floor."""
    from importlib.metadata import metadata

    floor = re.fullmatch(r">=(\d+)\.(\d+)", pyproject()["project"]["requires-python"])
    assert floor, "requires-python should be a plain floor, >=X.Y"
    major, minor = int(floor[1]), int(floor[2])
    nbgrader_needs = re.search(r">=\s*(\d+)\.(\d+)", metadata("nbgrader")["Requires-Python"] or ">=3.0")
    assert (major, minor) >= (int(nbgrader_needs[1]), int(nbgrader_needs[2])), "nbgrader needs a newer Python"
    assert (major, minor) >= (3, 11), "tomllib (this file) is new in 3.11"
    readme = (REPO / "README.md").read_text()
    assert f"`python3` ({major}.{minor} or newer)" in readme
    assert not re.search(r"python3?`? \(?(>= ?)?3\.(?!%d\b)\d+" % minor, readme), "the README names another floor"
    makefile = (REPO / "Makefile").read_text()
    assert f"python3 (>= {major}.{minor})" in makefile
    assert f"sys.version_info < ({major}, {minor})" in makefile and f"python3 >= {major}.{minor}" in makefile
