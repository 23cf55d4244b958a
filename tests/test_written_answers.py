"""Written answers through `make grade`'s gradebook path: left for a grader, never lost points.

The class gradebook is made as `make grade` makes it (``grade_class.register``, nbgrader's own
generate_assignment); each submission is merged as the parent merges a worker's result, with the
verifier's test-cell scores and the written answers read from the submitted notebook. Then a grader's
score is set through nbgrader's API (what Formgrader's Manual Grading does), and the CSV export and the
class report show it. The full grading path (workers, sandbox, verifier) is tests/test_grade_class.py.
"""

import csv

import nbformat
import pytest
from nbgrader.api import Gradebook

from autograder import grade_class
from autograder.course import generate_student_version
from autograder.report import write_report
from proofs.harness import answer_sources, fill, grade_cells, grade_id, read, solution_path, solution_sources

pytestmark = pytest.mark.slow  # runs nbgrader's generate_assignment (a few seconds)

LESSON = "02_one_by_one_conv"


def raw(nb) -> dict[str, bytes]:
    return {LESSON: nbformat.writes(nb).encode()}


@pytest.fixture(scope="module")
def gradebook(tmp_path_factory):
    root = tmp_path_factory.mktemp("written")
    db_url = f"sqlite:///{root / 'gradebook.db'}"
    grade_class.register(LESSON, root, db_url)
    source = read(solution_path(LESSON))
    student = read(generate_student_version(LESSON, root / "release") / f"{LESSON}.ipynb")
    answers = answer_sources(source)
    tests = {grade_id(c): float(c.metadata.nbgrader["points"]) for c in grade_cells(source)}
    written = {gid: float(c.metadata.nbgrader["points"]) for c in source.cells if (gid := grade_id(c)) in answers}
    submissions = {
        "solved": fill(student, {**solution_sources(source), **answers}),
        "blank": student,
        "partly": fill(student, {next(iter(answers)): "1x1 conv shares its weights across pixels."}),
    }
    verifier = {"solved": tests, "blank": dict.fromkeys(tests, 0.0), "partly": dict.fromkeys(tests, 0.0)}
    with Gradebook(db_url) as gb:
        for name, nb in submissions.items():
            grade_class.merge(
                gb, LESSON, name, {LESSON: verifier[name]}, None, grade_class.written_answers(gb, LESSON, raw(nb))
            )
        grade_class.merge(gb, LESSON, "missing", {}, None)  # an ungradable submission: nothing handed in
    return dict(root=root, db_url=db_url, tests=tests, written=written, submissions=submissions)


def state(db_url, student):
    with Gradebook(db_url) as gb:
        nb = gb.find_submission_notebook(LESSON, LESSON, student)
        return {g.name: (g.auto_score, g.needs_manual_grade, g.manual_score) for g in nb.grades}


def test_the_lesson_has_written_questions():
    assert len(answer_sources(read(solution_path(LESSON)))) >= 2


def test_answers_wait_for_a_grader_and_blank_ones_score_zero(gradebook):
    tests, written = gradebook["tests"], gradebook["written"]
    solved = state(gradebook["db_url"], "solved")
    assert {g: solved[g] for g in tests} == {g: (p, False, None) for g, p in tests.items()}
    assert {g: solved[g] for g in written} == dict.fromkeys(written, (None, True, None))
    for student in ("blank", "missing"):
        got = state(gradebook["db_url"], student)
        assert {g: got[g] for g in written} == dict.fromkeys(written, (0.0, False, None)), student
    partly = state(gradebook["db_url"], "partly")
    first = next(iter(written))
    assert partly[first] == (None, True, None)
    assert all(partly[g] == (0.0, False, None) for g in written if g != first)


def test_a_manual_score_reaches_the_export_and_the_report(gradebook, tmp_path):
    tests, written = gradebook["tests"], gradebook["written"]
    report = write_report(gradebook["db_url"], [LESSON], tmp_path / "before")
    rows = {r["student"]: r for r in csv.DictReader((report.parent / "scores.csv").open())}
    assert float(rows["solved"]["auto_score"]) == float(rows["solved"]["auto_max"]) == sum(tests.values())
    assert float(rows["solved"]["manual_max"]) == sum(written.values())
    assert rows["solved"]["manual"].startswith("awaiting manual grading")
    assert rows["blank"]["manual"] == f"0 / {sum(written.values()):g}"  # nothing written: nothing to grade
    assert "awaiting manual grading" in report.read_text()
    tested = {t["test"] for t in csv.DictReader((report.parent / "tests.csv").open())}
    assert tested == set(tests), "written answers are not tests: no pass rate for them"

    given = {gid: points - 0.5 * i for i, (gid, points) in enumerate(written.items())}
    with Gradebook(gradebook["db_url"]) as gb:
        for gid, points in given.items():
            grade = gb.find_grade(gid, LESSON, LESSON, "solved")
            grade.manual_score = points
            grade.needs_manual_grade = False  # as Formgrader does when a grader saves a score
        gb.db.commit()
        grade_class.export_grades(gb, tmp_path / "grades.csv")
    exported = {r["student_id"]: r for r in csv.DictReader((tmp_path / "grades.csv").open())}
    assert float(exported["solved"]["score"]) == pytest.approx(sum(tests.values()) + sum(given.values()))
    assert float(exported["solved"]["max_score"]) == pytest.approx(sum(tests.values()) + sum(written.values()))
    assert float(exported["blank"]["score"]) == 0

    report = write_report(gradebook["db_url"], [LESSON], tmp_path / "after")
    rows = {r["student"]: r for r in csv.DictReader((report.parent / "scores.csv").open())}
    assert rows["solved"]["manual"] == f"{sum(given.values()):g} / {sum(written.values()):g}"
    assert float(rows["solved"]["auto_score"]) == sum(tests.values())


def test_regrading_keeps_a_graders_score_and_asks_for_a_second_look(gradebook):
    """A resubmission merged again (make grade --force, or a changed notebook): the grader's score stays,
    and the answer is marked for review, as nbgrader's autograde does."""
    written = gradebook["written"]
    first = next(iter(written))
    with Gradebook(gradebook["db_url"]) as gb:
        grade = gb.find_grade(first, LESSON, LESSON, "partly")
        grade.manual_score, grade.needs_manual_grade = 1.0, False
        gb.db.commit()
        nb = gradebook["submissions"]["partly"]
        grade_class.merge(
            gb,
            LESSON,
            "partly",
            {LESSON: dict.fromkeys(gradebook["tests"], 0.0)},
            None,
            grade_class.written_answers(gb, LESSON, raw(nb)),
        )
    assert state(gradebook["db_url"], "partly")[first] == (None, True, 1.0)
