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
from dataclasses import dataclass
from pathlib import Path

from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

REPO = Path(__file__).resolve().parent.parent  # the repository, which is also nbgrader's course root
SOLUTIONS = REPO / "solutions"
LESSONS = REPO / "lessons"
GRADING = Path("autograder") / "grading"  # in a course root, git-ignored: gradebook, submissions, feedback
# Seconds one cell may run while grading, in the student's kernel and in the verifier; then it scores 0.
# Every solution notebook runs whole in under a minute here (tests/test_notebooks.py asserts it).
CELL_TIMEOUT = 60


def gradebook_url(grading: Path | str) -> str:
    """The SQLite gradebook of a grading folder (``<course root>/autograder/grading``)."""
    return "sqlite:///" + str(Path(grading) / "gradebook.db")


def notebook_path(assignment: str, root: Path | str = REPO, folder: str = "solutions") -> Path:
    """``<root>/<folder>/<assignment>/<assignment>.ipynb``: a lesson's notebook (folder ``lessons``: the
    student version)."""
    return Path(root) / folder / assignment / f"{assignment}.ipynb"


def lesson_names(solutions: Path | None = None) -> list[str]:
    """Every lesson (nbgrader assignment, of every edition) in ``solutions`` (the repository's by default),
    in order: the one place lessons are discovered. A lesson is a folder holding its namesake notebook."""
    solutions = SOLUTIONS if solutions is None else Path(solutions)
    return sorted(p.name for p in solutions.iterdir() if (p / f"{p.name}.ipynb").is_file())


@dataclass(frozen=True)
class Lesson:
    """One English lesson and the files that make it, named by one scheme from its folder ``NN_topic`` and
    the stem of its widget module (paths relative to the repository)."""

    name: str
    widgets: str | None  # source_helpers/widgets/<widgets>.py; None: the lesson has no widget

    @property
    def number(self) -> str:
        return self.name[:2]

    @property
    def files(self) -> dict[str, str | None]:
        """What the lesson is made of, by role."""
        w = self.widgets
        return {
            "solution": f"solutions/{self.name}/{self.name}.ipynb",
            "student version": f"lessons/{self.name}/{self.name}.ipynb",
            "widgets": f"source_helpers/widgets/{w}.py" if w else None,
            "widget test": f"tests/test_widgets_{w}.py" if w else None,
            "mutants": f"proofs/mutants/lesson{self.number}.py",
            "Korean": f"editions/ko/{self.name}.po",
        }


# The lesson map (README, "For contributors", shows it: tests/test_lesson_map.py keeps both true).
LESSON_MAP: tuple[Lesson, ...] = (
    Lesson("00_start_here", "start_here"),
    Lesson("01_convolution", "conv"),
    Lesson("02_one_by_one_conv", "one_by_one"),
    Lesson("03_pooling", "pooling"),
    Lesson("04_lenet5", "lenet"),
    Lesson("05_batch_norm", "batch_norm"),
    Lesson("06_layer_instance_group_norm", "norms"),
    Lesson("07_efficient_blocks", "blocks"),
    Lesson("08_self_check", None),
    Lesson("09_train_your_cnn", "training"),
)


def lesson_map_markdown() -> str:
    """The lesson map as a Markdown table, as README shows it."""
    rows = [
        "| lesson | notebooks | widgets | widget test | mutants | Korean |",
        "|---|---|---|---|---|---|",
    ]
    for lesson in LESSON_MAP:
        f = lesson.files
        links = [
            f"[`{Path(f[r]).name}`]({f[r]})" if f[r] else "—" for r in ("widgets", "widget test", "mutants", "Korean")
        ]
        notebooks = f"[solution]({f['solution']}), [student]({f['student version']})"
        rows.append("| " + " | ".join([f"`{lesson.name}`", notebooks, *links]) + " |")
    return "\n".join(rows)


def load_config(root: Path | str = REPO) -> Config:
    """autograder/nbgrader_config.py, pointed at ``root`` (course root and gradebook)."""
    cfg = PyFileConfigLoader("nbgrader_config.py", path=str(REPO / "autograder")).load_config()
    root = Path(root).resolve()
    cfg.CourseDirectory.root = str(root)
    cfg.CourseDirectory.db_url = gradebook_url(root / GRADING)
    (root / GRADING).mkdir(parents=True, exist_ok=True)
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
    shutil.copytree(SOLUTIONS / lesson, source, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    generate_assignment(nbgrader_api(workdir), lesson)
    return workdir / "lessons" / lesson
