"""The workbook as an nbgrader course: configuration, and generating student versions safely.

Everything here works on a *course root*: the repository itself, or a temporary folder with the
same layout (``solutions/``, ``lessons/``, ``autograder/grading/``) so that tests and the release
command never let nbgrader touch the real ``lessons/`` directly.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
from pathlib import Path

from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

REPO = Path(__file__).resolve().parent.parent
SOLUTIONS = REPO / "solutions"
LESSONS = REPO / "lessons"


def lesson_names() -> list[str]:
    """Every lesson (nbgrader assignment) in solutions/, in order."""
    return sorted(p.name for p in SOLUTIONS.iterdir() if p.is_dir() and not p.name.startswith("."))


def load_config(root: Path | str = REPO) -> Config:
    """autograder/nbgrader_config.py, pointed at ``root`` (course root and gradebook)."""
    cfg = PyFileConfigLoader("nbgrader_config.py", path=str(REPO / "autograder")).load_config()
    root = Path(root).resolve()
    cfg.CourseDirectory.root = str(root)
    cfg.CourseDirectory.db_url = "sqlite:///" + str(root / "autograder" / "grading" / "gradebook.db")
    (root / "autograder" / "grading").mkdir(parents=True, exist_ok=True)
    return cfg


def use_environment_scripts() -> None:
    """Put this Python's scripts folder on PATH (once).

    nbgrader runs the `alembic` and `jupyter` executables from PATH; when this Python was started as
    .venv/bin/python without activating the environment, its scripts are not on PATH yet."""
    scripts = os.path.dirname(sys.executable)
    if scripts not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = scripts + os.pathsep + os.environ.get("PATH", "")


def nbgrader_api(root: Path | str = REPO):
    """An ``nbgrader.apps.NbGraderAPI`` for the course at ``root``."""
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    use_environment_scripts()

    cfg = load_config(root)
    return NbGraderAPI(coursedir=CourseDirectory(config=cfg), config=cfg)


def alembic_head() -> str:
    """The gradebook schema version nbgrader stamps into a new gradebook, read with alembic's Python API."""
    from alembic.config import Config as AlembicConfig
    from alembic.script import ScriptDirectory
    from nbgrader.dbutil import _temp_alembic_ini

    with _temp_alembic_ini("sqlite:////tmp/gradebook.db") as ini:  # the throwaway URL nbgrader's own call uses
        return ScriptDirectory.from_config(AlembicConfig(ini)).get_current_head()


@contextlib.contextmanager
def schema_version_in_process():
    """While inside, a new gradebook gets its schema version from ``alembic_head`` (4 ms).

    nbgrader 0.9 runs the ``alembic heads`` command for that, once per new gradebook: a Python start of
    2.5 s on a 2-core VM, on the critical path of ``make grade`` (its template gradebook) and of every
    generated student version. The answer is the same (tests/test_grading.py compares the two)."""
    import nbgrader.api

    original = nbgrader.api.get_alembic_version
    nbgrader.api.get_alembic_version = alembic_head
    try:
        yield
    finally:
        nbgrader.api.get_alembic_version = original


def generate_assignment(api, lesson: str) -> None:
    """nbgrader's ``generate_assignment`` through ``api`` (its course and gradebook), with new gradebooks
    stamped in-process; raises if nbgrader reports a failure."""
    with schema_version_in_process():
        result = api.generate_assignment(lesson, force=True, create=True)
    if not result["success"]:
        raise RuntimeError(f"nbgrader generate_assignment {lesson} failed:\n{result.get('error') or result.get('log')}")


def generate_student_version(lesson: str, workdir: Path | str) -> Path:
    """Run nbgrader's generate_assignment for ``lesson`` in a scratch course under ``workdir``.

    Returns the folder holding the generated student version. The real lessons/ is not touched.
    """
    workdir = Path(workdir)
    source = workdir / "solutions" / lesson
    if source.exists():
        shutil.rmtree(source)
    shutil.copytree(SOLUTIONS / lesson, source,
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    generate_assignment(nbgrader_api(workdir), lesson)
    return workdir / "lessons" / lesson
