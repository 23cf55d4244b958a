"""ruff over code and notebooks (it reads .ipynb), and the entry points that run it: make check, the
pre-commit hook, make help."""

import re
import subprocess
import sys

import yaml

from autograder.course import REPO


def _ruff(*args):
    return subprocess.run([sys.executable, "-m", "ruff", *args], cwd=REPO, capture_output=True, text=True)


def test_ruff_is_clean():
    result = _ruff("check", "--no-cache", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_code_is_formatted():
    result = _ruff("format", "--check", "--no-cache", ".")
    assert result.returncode == 0, result.stdout + result.stderr + "\nrun `ruff format .`"


def test_pre_commit_runs_make_check_and_make_check_runs_every_check():
    hooks = [
        h for repo in yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text())["repos"] for h in repo["hooks"]
    ]
    assert [h["entry"] for h in hooks] == ["make check"]
    # -n prints the commands without running them (the setup stamp aside, which is up to date here)
    planned = subprocess.run(["make", "-n", "check"], cwd=REPO, capture_output=True, text=True, check=True).stdout
    for step in (
        "ruff check .",
        "ruff format --check .",
        "tests/test_editions.py",
        "test_notebooks_are_committed_without_outputs",
        "autograder.release --check",
    ):
        assert step in planned, f"make check does not run {step!r}:\n{planned}"


def test_make_help_lists_every_documented_target():
    documented = re.findall(r"^## ([a-z-]+): ", (REPO / "Makefile").read_text(), re.MULTILINE)
    shown = subprocess.run(["make", "-s", "help"], cwd=REPO, capture_output=True, text=True, check=True).stdout
    listed = re.findall(r"^([a-z-]+): ", shown, re.MULTILINE)
    assert listed == documented and {"lab", "test", "check", "help"} <= set(listed), shown


def test_only_the_suite_imports_the_suite():
    """tests/ is the suite: what the benchmarks, the graders or the lessons share with it lives in proofs/
    (or source_helpers/, autograder/), so running a benchmark never depends on a test module."""
    import ast

    offenders = []
    for folder in ("bench", "proofs", "autograder", "source_helpers"):
        for path in (REPO / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = (
                    [a.name for a in node.names]
                    if isinstance(node, ast.Import)
                    else [node.module or ""]
                    if isinstance(node, ast.ImportFrom) and node.level == 0
                    else []
                )
                offenders += [f"{path.relative_to(REPO)}: {n}" for n in names if n == "tests" or n.startswith("tests.")]
    assert not offenders, offenders
