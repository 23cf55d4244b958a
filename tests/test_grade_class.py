"""`make grade`: a whole class in parallel, bad submissions reported, cheating earns nothing.

One synthetic class is graded once (module fixture), as `make grade` runs: a separate process, in the
default sandbox, its terminal output captured. The class holds honest submissions, malformed ones, a
cheating attempt of every kind we know (each in an otherwise blank submission: patched checks, kernel
hooks, fake modules, numbers that read the expected value, fork bombs, daemons, links planted in the
kernel's folder, a notebook that is a link to another student's, odd timestamps, a student id that is
a glob pattern, escape codes for the instructor's terminal). The tests then read the gradebook, the
summary, the grades CSV, the feedback and the report.
"""

import csv
import re
import shutil
import sqlite3
import subprocess
import sys
import time

import nbformat
import pytest
from nbgrader.api import Gradebook

from autograder import grade_class, safe_files
from autograder.course import REPO, generate_student_version, nbgrader_api
from proofs import classroom as C
from proofs.classroom import cell_scores
from proofs.harness import answer_sources, read

# Written answers are a grader's: the automatic points are the test cells' (the manual cells' state is
# checked apart, by written_state)
WRITTEN = set(answer_sources(read(REPO / "solutions" / C.LESSON / f"{C.LESSON}.ipynb")))

pytestmark = [
    pytest.mark.slow,
    pytest.mark.xdist_group("class-grading"),
    pytest.mark.skipif(shutil.which("bwrap") is None, reason="needs bubblewrap (make test installs it)"),
]

ARGS = ["--jobs", "2", "--cell-timeout", "10", "--notebook-cpu", "120", "--memory-mb", "2048", "--no-progress"]


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
    targets = {
        "gradebook": str(grading / "gradebook.db"),
        "grades_csv": str(grading / "grades.csv"),
        "other_student": str(submitted / "solved" / C.LESSON / f"{C.LESSON}.ipynb"),
        "solutions": str(REPO / "solutions" / C.LESSON / f"{C.LESSON}.ipynb"),
    }
    C.write_submission(submitted, "cheat-escape", C.fill(student, {C.FIRST: C.escape_cheat(targets)}))
    files = C.file_cheats(targets)
    for name, code in files.items():
        C.write_submission(submitted, name, C.fill(student, {C.FIRST: code}))
    reasons.update(C.hostile_submissions(submitted, student, honest["solved"]))
    other_before = (submitted / "solved" / C.LESSON / f"{C.LESSON}.ipynb").read_bytes()
    argv = [C.LESSON, "--submitted", str(submitted), "--grading-dir", str(grading), *ARGS]
    run = subprocess.run(
        [sys.executable, "-m", "autograder.grade_class", *argv],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=1500,
        stdin=subprocess.DEVNULL,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    after = {p: p.read_bytes() for p in (grading / "gradebook.db", grading / "grades.csv")}
    time.sleep(2)  # a daemon left behind would rewrite them now
    db_url = "sqlite:///" + str(grading / "gradebook.db")
    cheat_names = sorted(cheats) + ["cheat-escape", *files, "cheat-link-notebook", "cheat-link-loop"]
    return dict(
        root=root,
        submitted=submitted,
        grading=grading,
        argv=argv,
        summary=run.stdout,
        stderr=run.stderr,
        db_url=db_url,
        reasons=reasons,
        cheats=cheat_names,
        other_before=other_before,
        after=after,
        scores=cell_scores(db_url),
    )


def written_state(db_url):
    """Each student's written answers: (automatic score, needs a manual grade)."""
    with Gradebook(db_url) as gb:
        return {
            sub.student.id: {
                g.name: (g.auto_score, g.needs_manual_grade) for g in sub.notebooks[0].grades if g.name in WRITTEN
            }
            for sub in gb.find_assignment(C.LESSON).submissions
        }


def automatic_max(db_url):
    with Gradebook(db_url) as gb:
        return sum(
            c.max_score
            for nb in gb.find_assignment(C.LESSON).notebooks
            for c in nb.grade_cells
            if c.name not in WRITTEN
        )


def total(scores):
    return sum(scores.values())


def test_honest_students_get_what_they_earned(graded):
    s = graded["scores"]
    max_score = automatic_max(graded["db_url"])
    assert total(s["solved"]) == max_score > 0
    assert total(s["blank"]) == 0
    assert 0 < total(s["wrong-conv2d_backward"]) < max_score
    assert 0 < total(s["wrong-conv_counts"]) < max_score
    # written answers wait for a grader; untouched ones score 0 with nothing to grade (nbgrader's rule)
    written = written_state(graded["db_url"])
    assert written["solved"] == dict.fromkeys(WRITTEN, (None, True))
    assert written["blank"] == dict.fromkeys(WRITTEN, (0.0, False))


def test_bad_submissions_are_reported_and_never_fatal(graded):
    for student, reason in graded["reasons"].items():
        lines = [line for line in graded["summary"].splitlines() if f"/{student.removeprefix('*/')}:" in line]
        assert any(reason in line for line in lines), (student, lines)
        if not student.startswith("*/"):
            assert student in graded["scores"], f"{student} missing from the gradebook"
    s = graded["scores"]
    full = total(s["solved"])
    assert total(s["bad-renamed"]) == full and total(s["bad-kernel"]) == full  # graded anyway, and right
    for student in ("bad-json", "bad-empty", "bad-missing", "bad-other-assignment", "bad-extra-files"):
        assert total(s[student]) == 0, student
    # odd timestamps are reported and ignored; the work itself is graded
    for student in ("odd-timestamp-garbage", "odd-timestamp-folder", "odd-timestamp-link"):
        assert total(s[student]) == full, student
    assert "cheat-link-folder" not in s  # a link in the submissions folder is not a student


def test_a_student_id_that_is_a_glob_pattern_is_graded_as_itself(graded):
    assert total(graded["scores"]["[ab]"]) == total(graded["scores"]["solved"]) > 0
    assert total(graded["scores"]["a"]) == 0


def test_every_cheat_earns_nothing_the_blank_would_not(graded):
    blank = graded["scores"]["blank"]
    for cheat in graded["cheats"]:
        got = graded["scores"][cheat]
        assert all(got[cell] <= blank[cell] for cell in got), (cheat, {c: v for c, v in got.items() if v})


def test_cheating_disturbs_no_one(graded):
    assert graded["scores"]["solved"] == cell_scores(graded["db_url"])["solved"]
    db = graded["grading"] / "gradebook.db"
    assert sqlite3.connect(db).execute("select count(*) from submitted_assignment").fetchone()[0] == len(
        graded["scores"]
    )
    other = graded["submitted"] / "solved" / C.LESSON / f"{C.LESSON}.ipynb"
    assert other.read_bytes() == graded["other_before"]
    assert not (REPO / "solutions" / C.LESSON / "planted.py").exists()
    escaped = nbformat.read(graded["grading"] / "autograded" / "cheat-escape" / C.LESSON / f"{C.LESSON}.ipynb", 4)
    printed = "".join(o.get("text", "") for c in escaped.cells if c.cell_type == "code" for o in c.get("outputs", []))
    assert "gradebook" in printed and "READ" not in printed, printed  # the sandbox hid every target


def test_no_daemon_outlives_the_run(graded):
    for path, data in graded["after"].items():
        assert path.read_bytes() == data, f"{path.name} was changed after make grade ended"


def test_links_a_kernel_planted_are_never_followed(graded):
    """The kernel's folder is its own: nbgrader's autograded and feedback folders hold only files the
    grader wrote, none of them a link, and nothing of the gradebook, the solutions or another student."""
    # a line of the reference solution: in the solutions and in the solved student's notebook, never in a
    # blank one
    secret = b"dcols = (weight.reshape(C_out, -1).T @ dout_mat)"
    assert secret in graded["other_before"]
    for folder in ("autograded", "feedback"):
        mine = graded["grading"] / folder / "cheat-symlinks" / C.LESSON
        files, refused = safe_files.walk(mine)
        assert files and not refused, (folder, refused)
        names = {p.name for p in files}
        assert not names & {"gradebook.ipynb", "hidden_tests.html", "loop_a", "fifo.html"}, names
        for path in files:
            data = path.read_bytes()
            assert b"SQLite format" not in data and secret not in data, path


def test_the_instructors_terminal_sees_only_the_grader(graded):
    for stream in (graded["summary"], graded["stderr"]):
        assert "\x1b" not in stream and "all students: full marks" not in stream


def test_cheats_that_fooled_the_kernel_are_flagged(graded):
    """Where the kernel reported points the verifier did not find, the submission is flagged."""
    flagged = graded["summary"].split("flags, not verdicts")[1]
    for cheat in (
        "cheat-pre-run-hook",
        "cheat-do-execute",
        "cheat-ast-transformer",
        "cheat-code-objects",
        "cheat-sys-modules",
        "cheat-import-hook",
    ):
        assert any(cheat in line and "the verifier computed 0" in line for line in flagged.splitlines()), cheat
        # the feedback the student gets shows the recorded score, not the kernel's (the displayhook makes
        # nbgrader's own autograde fail before it writes the notebook, so that one has no feedback)
        feedback = graded["grading"] / "feedback" / cheat / C.LESSON / f"{C.LESSON}.html"
        assert feedback.exists() or cheat == "cheat-pre-run-hook", cheat
        if feedback.exists():
            scores = re.findall(r"Score: ([\d.]+) / [\d.]+", feedback.read_text())
            assert scores[0] == "0.0", (cheat, scores[0])


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
    # solved, wrong-conv2d_backward, wrong-conv_counts, bad-renamed, bad-kernel, three odd timestamps and [ab]
    assert int(by_test["test_conv_output_size__visible"]["passed"]) == 9


def test_rerun_grades_only_what_changed_and_resumes_without_duplicates(graded, capsys):
    argv = graded["argv"]
    assert grade_class.main(argv) == 0
    assert f"graded 0, unchanged and skipped {len(graded['scores'])}" in capsys.readouterr().out
    # An interrupted run: the manifest (in the gradebook) never recorded two students. They, and only they,
    # are graded again.
    with sqlite3.connect(graded["grading"] / "gradebook.db") as db:
        for student in ("blank", "wrong-conv_counts"):
            db.execute(f"delete from {grade_class.MANIFEST_TABLE} where key = ?", (f"{C.LESSON}/{student}",))
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
    sequential_db = "sqlite:///" + str(tmp_path / "autograder" / "grading" / "gradebook.db")
    sequential = cell_scores(sequential_db)
    assert {n: sequential[n] for n in names} == {n: graded["scores"][n] for n in names}
    ours, theirs = written_state(graded["db_url"]), written_state(sequential_db)
    assert {n: ours[n] for n in names} == {n: theirs[n] for n in names}  # written answers as nbgrader leaves them


def test_without_the_sandbox_a_student_who_kills_the_grader_costs_only_their_own_grade(tmp_path):
    """Plain mode (--no-sandbox) trusts students' code; still, a kernel that kills its grading process
    is that student's loss: the others are graded, and the run says whom it could not grade."""
    student = C.student_version(tmp_path / "release")
    submitted = tmp_path / "submitted"
    C.write_submission(submitted, "solved", C.honest_submissions(student)["solved"])
    C.write_submission(
        submitted,
        "cheat-kill-grader",
        C.fill(
            student,
            {
                C.FIRST: """
import os, signal
os.kill(os.getppid(), signal.SIGKILL)
"""
            },
        ),
    )
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "autograder.grade_class",
            C.LESSON,
            "--submitted",
            str(submitted),
            "--grading-dir",
            str(tmp_path / "grading"),
            "--no-sandbox",
            *ARGS,
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=900,
        stdin=subprocess.DEVNULL,
    )
    assert run.returncode == 1, run.stdout[-2000:]
    assert "NOT GRADED (1" in run.stdout and "cheat-kill-grader" in run.stdout.split("NOT GRADED")[1]
    assert "--no-sandbox" in run.stderr and "WARNING" in run.stderr
    db_url = "sqlite:///" + str(tmp_path / "grading" / "gradebook.db")
    assert total(cell_scores(db_url)["solved"]) == automatic_max(db_url) > 0


def test_a_cell_graded_with_reference_helpers_is_not_flagged_as_tampering():
    kernel = {"nb": {"test_conv__visible": 0.0, "test_size__visible": 0.0, "test_pool__visible": 2.0}}
    verifier = {"nb": {"test_conv__visible": 3.0, "test_size__visible": 0.0, "test_pool__visible": 0.0}}
    swapped = {"nb": {"test_conv__visible": ["conv_output_size"]}}
    flagged = grade_class.disagreements(kernel, verifier, swapped)
    # the conv cell used the reference conv_output_size: kernel 0 < verifier 3 is expected, not suspicious;
    # a kernel that claims more than the verifier computed still is
    assert flagged == [
        "nb/test_pool__visible: the notebook's kernel reported 2, the verifier computed 0 "
        "(the verifier's score is recorded)"
    ]
    assert len(grade_class.disagreements(kernel, verifier)) == 2
