"""A class that mixes editions: some students hand in lesson 00 in English, some in Korean, one in both.

One `make grade 00_start_here` run grades every edition of the lesson; the same answers score the same in either
edition, through make grade and through plain `nbgrader autograde`; each student sees messages in the language
of their edition; the LMS export folds the editions into one column, the later of two submissions counting.
"""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
import sys

import nbformat
import pytest
from nbgrader.api import Gradebook

from autograder import lms_export
from autograder.course import REPO, generate_student_version, nbgrader_api
from proofs import classroom as C
from proofs.harness import answer_sources, read, solution_path

EN, KO = "00_start_here", "00_start_here_ko"
WRITTEN = set(answer_sources(read(solution_path(EN))))
HANGUL = re.compile("[가-힣]")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.xdist_group("class-grading"),
    pytest.mark.skipif(shutil.which("bwrap") is None, reason="needs bubblewrap (make test installs it)"),
    pytest.mark.skipif(not (REPO / "solutions" / KO).exists(), reason="no Korean edition built"),
]

ARGS = ["--jobs", "2", "--cell-timeout", "30", "--notebook-cpu", "120", "--memory-mb", "2048", "--no-progress"]


def submissions(root):
    """student -> (assignment, notebook, timestamp) for a class of both editions."""
    en = C.honest_submissions(C.student_version(root / "release-en", EN), EN)
    ko = C.honest_submissions(C.student_version(root / "release-ko", KO), KO)
    wrong = next(name for name in en if name.startswith("wrong-"))
    return {
        "ann": [(EN, en["solved"], "2026-12-01 09:00:00 UTC")],
        "bora": [(KO, ko["solved"], "2026-12-01 09:00:00 UTC")],
        "cy": [(EN, en[wrong], "2026-12-01 09:00:00 UTC")],
        "dahye": [(KO, ko[wrong], "2026-12-01 09:00:00 UTC")],
        "eunji": [(KO, ko["blank"], "2026-12-01 09:00:00 UTC")],
        # both editions: a blank English one first, then the solved Korean one
        "fay": [(EN, en["blank"], "2026-12-01 08:00:00 UTC"), (KO, ko["solved"], "2026-12-01 10:00:00 UTC")],
    }


def scores_of(db_url):
    """(student, assignment) -> automatic points per test cell."""
    out = {}
    with Gradebook(db_url) as gb:
        for assignment in (EN, KO):
            for sub in gb.find_assignment(assignment).submissions:
                nb = sub.notebooks[0]
                out[sub.student.id, assignment] = {g.name: g.score for g in nb.grades if g.name not in WRITTEN}
    return out


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("mixed")
    submitted, grading = root / "submitted", root / "grading"
    for student, handed_in in submissions(root).items():
        for assignment, nb, when in handed_in:
            path = C.write_submission(submitted, student, nb, lesson=assignment)
            (path.parent / "timestamp.txt").write_text(when)
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "autograder.grade_class",
            EN,
            "--submitted",
            str(submitted),
            "--grading-dir",
            str(grading),
            *ARGS,
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=1500,
        stdin=subprocess.DEVNULL,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    db_url = "sqlite:///" + str(grading / "gradebook.db")
    return dict(root=root, grading=grading, db_url=db_url, scores=scores_of(db_url), summary=run.stdout)


def test_one_run_grades_both_editions_and_the_same_answers_score_the_same(graded):
    s = graded["scores"]
    assert s["ann", EN] == s["bora", KO] and all(v > 0 for v in s["ann", EN].values()), s["ann", EN]
    assert s["cy", EN] == s["dahye", KO] and sum(s["cy", EN].values()) < sum(s["ann", EN].values())
    assert all(v == 0 for v in s["eunji", KO].values())
    assert s["fay", KO] == s["ann", EN] and all(v == 0 for v in s["fay", EN].values())


def test_each_student_reads_the_messages_of_their_edition(graded):
    def failure_text(student, assignment):
        nb = nbformat.read(
            graded["grading"] / "autograded" / student / assignment / f"{assignment}.ipynb", as_version=4
        )
        errors = [
            o
            for c in nb.cells
            if c.cell_type == "code"
            for o in c.get("outputs", [])
            if o.get("output_type") == "error" and "Assertion" in o.get("ename", "")
        ]
        return "\n".join(o.get("evalue", "") + "".join(o.get("traceback", [])) for o in errors)

    english, korean = failure_text("cy", EN), failure_text("dahye", KO)
    assert english and korean
    assert not HANGUL.search(english), english[:500]
    assert HANGUL.search(korean), korean[:500]


def test_the_export_folds_the_editions_into_one_column(graded):
    done = lms_export.export(graded["db_url"], graded["root"] / "export")
    assert done["assignments"] == [EN]
    rows = list(csv.reader((graded["root"] / "export" / "canvas.csv").open(encoding="utf-8")))
    assert rows[0][5:] == [EN]
    score = {row[3]: float(row[5]) for row in rows[2:]}
    full = sum(graded["scores"]["ann", EN].values())
    assert score["ann"] == score["bora"] == score["fay"] == full
    assert score["cy"] == score["dahye"] < full and score["eunji"] == 0
    assert any("fay" in w and "two editions" in w for w in done["warnings"]), done["warnings"]
    # per question, each row says the edition it was graded in
    questions = list(csv.DictReader((graded["root"] / "export" / "questions.csv").open(encoding="utf-8")))
    assert {(q["student"], q["assignment"]) for q in questions} >= {("ann", EN), ("bora", KO), ("fay", EN), ("fay", KO)}


def test_plain_nbgrader_autograde_scores_both_editions_the_same(tmp_path):
    for assignment in (EN, KO):
        generate_student_version(assignment, tmp_path)
    api = nbgrader_api(tmp_path)
    subs = submissions(tmp_path / "scratch")
    for student in ("ann", "bora", "cy", "dahye"):
        assignment, nb, _ = subs[student][0]
        folder = tmp_path / "autograder" / "grading" / "submitted" / student / assignment
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / f"{assignment}.ipynb")
        result = api.autograde(assignment, student)
        assert result["success"], result.get("error") or result.get("log")
    s = {k: v for k, v in scores_of("sqlite:///" + str(tmp_path / "autograder" / "grading" / "gradebook.db")).items()}
    assert s["ann", EN] == s["bora", KO] and all(v > 0 for v in s["ann", EN].values())
    assert s["cy", EN] == s["dahye", KO] and s["cy", EN] != s["ann", EN]
