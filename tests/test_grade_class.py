"""`make grade`: a whole class in parallel, bad submissions reported, cheating earns nothing.

One synthetic class is graded once (module fixture) in the bubblewrap sandbox: honest submissions,
malformed ones, and a cheating attempt of every kind the issue lists, each in an otherwise blank
submission. The tests then read the gradebook, the summary, the grades CSV and the report.
"""

import csv
import json
import shutil
import sqlite3

import nbformat
import pytest
from nbgrader.api import Gradebook

from autograder import grade_class
from autograder.course import REPO, generate_student_version, nbgrader_api
from tests import classroom as C

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("class-grading"),
              pytest.mark.skipif(shutil.which("bwrap") is None, reason="needs bubblewrap (make test installs it)")]

ARGS = ["--jobs", "2", "--cell-timeout", "10", "--notebook-cpu", "120", "--memory-mb", "2048", "--no-progress",
        "--sandbox"]


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("class")
    submitted, grading = root / "submitted", root / "grading"
    student = C.student_version(root / "release")
    honest = C.honest_submissions(student)
    for name in ("solved", "blank", "wrong-conv2d_backward", "wrong-conv_counts"):
        C.write_submission(submitted, name, honest[name])
    reasons = C.bad_submissions(submitted, student, honest["solved"])
    cheats = C.cheating_submissions(student)
    for name, nb in cheats.items():
        C.write_submission(submitted, name, nb)
    targets = {"gradebook": str(grading / "gradebook.db"),
               "other_student": str(submitted / "solved" / C.LESSON / f"{C.LESSON}.ipynb"),
               "solutions": str(REPO / "solutions" / C.LESSON / f"{C.LESSON}.ipynb")}
    C.write_submission(submitted, "cheat-escape", C.fill(student, {C.FIRST: C.escape_cheat(targets)}))
    other_before = (submitted / "solved" / C.LESSON / f"{C.LESSON}.ipynb").read_bytes()
    argv = [C.LESSON, "--submitted", str(submitted), "--grading-dir", str(grading), *ARGS]
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert grade_class.main(argv) == 0
    db_url = "sqlite:///" + str(grading / "gradebook.db")
    return dict(root=root, submitted=submitted, grading=grading, argv=argv, summary=out.getvalue(), db_url=db_url,
                reasons=reasons, cheats=sorted(cheats) + ["cheat-escape"], other_before=other_before,
                scores=cell_scores(db_url))


def cell_scores(db_url):
    scores = {}
    with Gradebook(db_url) as gb:
        for sub in gb.find_assignment(C.LESSON).submissions:
            nb = sub.notebooks[0]
            scores[sub.student.id] = {g.name: g.score for g in nb.grades}
    return scores


def total(scores):
    return sum(scores.values())


def test_honest_students_get_what_they_earned(graded):
    s = graded["scores"]
    with Gradebook(graded["db_url"]) as gb:
        max_score = gb.find_assignment(C.LESSON).max_score
    assert total(s["solved"]) == max_score > 0
    assert total(s["blank"]) == 0
    assert 0 < total(s["wrong-conv2d_backward"]) < max_score
    assert 0 < total(s["wrong-conv_counts"]) < max_score


def test_bad_submissions_are_reported_and_never_fatal(graded):
    for student, reason in graded["reasons"].items():
        lines = [line for line in graded["summary"].splitlines() if f"/{student}:" in line]
        assert any(reason in line for line in lines), (student, lines)
        assert student in graded["scores"], f"{student} missing from the gradebook"
    s = graded["scores"]
    full = total(s["solved"])
    assert total(s["bad-renamed"]) == full and total(s["bad-kernel"]) == full  # graded anyway, and right
    for student in ("bad-json", "bad-empty", "bad-missing", "bad-other-assignment", "bad-extra-files"):
        assert total(s[student]) == 0, student


def test_every_cheat_earns_nothing_the_blank_would_not(graded):
    blank = graded["scores"]["blank"]
    for cheat in graded["cheats"]:
        got = graded["scores"][cheat]
        assert all(got[cell] <= blank[cell] for cell in got), (cheat, {c: v for c, v in got.items() if v})


def test_cheating_disturbs_no_one(graded):
    assert graded["scores"]["solved"] == cell_scores(graded["db_url"])["solved"]
    db = graded["grading"] / "gradebook.db"
    assert sqlite3.connect(db).execute("select count(*) from submitted_assignment").fetchone()[0] == len(
        graded["scores"])
    other = graded["submitted"] / "solved" / C.LESSON / f"{C.LESSON}.ipynb"
    assert other.read_bytes() == graded["other_before"]
    assert not (REPO / "solutions" / C.LESSON / "planted.py").exists()
    escaped = nbformat.read(graded["grading"] / "autograded" / "cheat-escape" / C.LESSON / f"{C.LESSON}.ipynb", 4)
    printed = "".join(o.get("text", "") for c in escaped.cells if c.cell_type == "code" for o in c.get("outputs", []))
    assert "gradebook" in printed and "READ" not in printed, printed  # the sandbox hid every target


def test_summary_flags_suspicious_code_and_names_the_dead_kernel(graded):
    summary = graded["summary"]
    assert any("cheat-os-exit:" in line and "the kernel died" in line for line in summary.splitlines())
    for cheat in ("cheat-rebind-numpy", "cheat-patch-checks", "cheat-os-exit", "cheat-escape"):
        assert any(cheat in line for line in summary.split("flags, not verdicts")[1].splitlines()), cheat


def test_grades_csv_feedback_and_report(graded):
    grading = graded["grading"]
    rows = {r["student_id"]: r for r in csv.DictReader((grading / "grades.csv").open())}
    assert set(rows) == set(graded["scores"])
    assert float(rows["solved"]["score"]) == total(graded["scores"]["solved"])
    assert (grading / "feedback" / "solved" / C.LESSON / f"{C.LESSON}.html").exists()
    report = grading / "report"
    assert (report / "index.html").read_text().count("data:image/png;base64,") == 1
    tests = list(csv.DictReader((report / "tests.csv").open()))
    assert tests and all(0 <= float(t["pass_rate"]) <= 1 for t in tests)
    by_test = {t["test"]: t for t in tests}
    n = len(graded["scores"])
    assert int(by_test["test_conv_output_size__visible"]["submissions"]) == n
    # solved, wrong-conv2d_backward, wrong-conv_counts, bad-renamed and bad-kernel pass the first test
    assert int(by_test["test_conv_output_size__visible"]["passed"]) == 5


def test_rerun_grades_only_what_changed_and_resumes_without_duplicates(graded, capsys):
    argv = [a for a in graded["argv"] if a != "--sandbox"] + ["--sandbox"]
    assert grade_class.main(argv) == 0
    assert f"graded 0, unchanged and skipped {len(graded['scores'])}" in capsys.readouterr().out
    # An interrupted run: the manifest never recorded two students. They, and only they, are graded again.
    manifest = graded["grading"] / "manifest.json"
    data = json.loads(manifest.read_text())
    for student in ("blank", "wrong-conv_counts"):
        data.pop(f"{C.LESSON}/{student}")
    manifest.write_text(json.dumps(data))
    assert grade_class.main(argv) == 0
    assert f"graded 2, unchanged and skipped {len(graded['scores']) - 2}" in capsys.readouterr().out
    db = graded["grading"] / "gradebook.db"
    count = sqlite3.connect(db).execute("select count(*) from submitted_assignment").fetchone()[0]
    assert count == len(graded["scores"])
    assert cell_scores(graded["db_url"]) == graded["scores"]


def test_parallel_grades_equal_plain_sequential_nbgrader(graded, tmp_path):
    """The same honest submissions through plain `nbgrader autograde`, one at a time."""
    generate_student_version(C.LESSON, tmp_path)
    api = nbgrader_api(tmp_path)
    names = ["solved", "blank", "wrong-conv2d_backward", "wrong-conv_counts", "bad-kernel"]
    for name in names:
        dst = tmp_path / "autograder" / "grading" / "submitted" / name / C.LESSON
        shutil.copytree(graded["submitted"] / name / C.LESSON, dst)
        assert api.autograde(C.LESSON, name)["success"]
    sequential = cell_scores("sqlite:///" + str(tmp_path / "autograder" / "grading" / "gradebook.db"))
    assert {n: sequential[n] for n in names} == {n: graded["scores"][n] for n in names}
