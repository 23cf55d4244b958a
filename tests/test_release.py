"""`make lessons` regenerates student versions, and never over a student's work."""

import shutil
import subprocess

import pytest

from autograder import release
from autograder.course import REPO

pytestmark = pytest.mark.slow
LESSON = "01_convolution"


def git(cwd, *args):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture
def clone(tmp_path, monkeypatch):
    """A git repository holding a copy of lessons/, with release pointed at it."""
    shutil.copytree(REPO / "lessons", tmp_path / "lessons")
    git(tmp_path, "init", "-q")
    git(tmp_path, "-c", "user.email=t@t", "-c", "user.name=t", "add", ".")
    git(tmp_path, "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "lessons")
    monkeypatch.setattr(release, "REPO", tmp_path)
    monkeypatch.setattr(release, "LESSONS", tmp_path / "lessons")
    return tmp_path


def notebook(root):
    return root / "lessons" / LESSON / f"{LESSON}.ipynb"


def test_up_to_date_lessons_are_left_alone(clone, capsys):
    assert release.main([LESSON]) == 0
    assert f"{LESSON}: up to date" in capsys.readouterr().out


def test_a_students_edits_are_never_overwritten(clone, capsys):
    path = notebook(clone)
    work = path.read_text().replace("# YOUR CODE HERE", "# my answer, keep me", 1)
    path.write_text(work)
    assert release.main([LESSON]) == 1
    assert path.read_text() == work
    assert "NOT regenerated" in capsys.readouterr().err


def test_untracked_work_in_a_lesson_folder_blocks_regeneration(clone, capsys):
    path = notebook(clone)
    path.write_text(path.read_text().replace("raise NotImplementedError()", "pass", 1))
    git(clone, "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qam", "old lesson")
    scratch = path.parent / "my_notes.ipynb"
    scratch.write_text("{}")
    assert release.main([LESSON]) == 1
    assert scratch.read_text() == "{}"


def test_a_committed_stale_lesson_is_regenerated(clone, capsys):
    path = notebook(clone)
    fresh = path.read_bytes()
    path.write_text(path.read_text().replace("raise NotImplementedError()", "pass", 1))
    git(clone, "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qam", "stale lesson")
    assert release.main([LESSON]) == 0
    assert path.read_bytes() == fresh
    assert "regenerated" in capsys.readouterr().out


def test_check_mode_reports_and_writes_nothing(clone, capsys):
    path = notebook(clone)
    path.write_text(path.read_text().replace("raise NotImplementedError()", "pass", 1))
    stale = path.read_text()
    assert release.main(["--check", LESSON]) == 1
    assert path.read_text() == stale and "OUT OF DATE" in capsys.readouterr().out


def test_unknown_lesson_is_an_error():
    with pytest.raises(SystemExit):
        release.main(["99_nope"])
