"""The nbgrader round trip, through the real autograder and gradebook.

A scratch course is generated from solutions/; submissions are made from the generated student
version (as a student would hand it in) and graded by ``nbgrader autograde``:

- solved: the reference solutions (and the example written answers) pasted into the student version ->
  full automatic marks, every written answer waiting for a grader
- blank: the untouched student version -> 0 on every autograded cell, and its untouched written answers
  0 with no grader needed (nbgrader's own rule)

then feedback is generated and grades exported, as an instructor would; a manual score given through
nbgrader's API (what Formgrader does) reaches the export.

Known-wrong and correct-but-different code is not sent through here: nbgrader treats a solution cell's
content alike whatever it is, so those proofs live where they say something new. test_mutants.py runs every
variant with nbgrader's own scoring rule in one kernel, test_verify.py through the verifier that decides a
grade, and test_grade_class.py sends a wrong variant of every lesson 01 exercise through nbgrader autograde
inside `make grade`.
"""

import csv
import shutil
import subprocess
import sys

import nbformat
import pytest
from nbgrader.api import Gradebook

from autograder.course import generate_student_version, load_config, nbgrader_api
from autograder.grade_class import export_grades
from proofs.harness import answer_sources, fill, grade_cells, grade_id, read, solution_path, solution_sources
from proofs.mutants import lesson_modules

pytestmark = pytest.mark.slow

LESSON_MODULES = lesson_modules(editions=True)


# Each lesson's class is graded once, by one worker (--dist loadgroup keeps a group on one worker).
@pytest.fixture(
    scope="module",
    params=[pytest.param(m, marks=pytest.mark.xdist_group(f"grading-{m.LESSON}")) for m in LESSON_MODULES],
    ids=lambda m: m.LESSON,
)
def graded(request, tmp_path_factory):
    module = request.param
    lesson = module.LESSON
    root = tmp_path_factory.mktemp(lesson)
    student = read(generate_student_version(lesson, root) / f"{lesson}.ipynb")
    refs = solution_sources(read(solution_path(lesson)))
    answers = answer_sources(read(solution_path(lesson)))  # the written questions' example answers
    submissions = {"solved": fill(student, {**refs, **answers}), "blank": student}
    api = nbgrader_api(root)
    for name, nb in submissions.items():
        folder = root / "autograder" / "grading" / "submitted" / name / lesson
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / f"{lesson}.ipynb")
        result = api.autograde(lesson, name)
        assert result["success"], result.get("error") or result.get("log")
    db_url = load_config(root).CourseDirectory.db_url
    scores, written = {}, {}
    with Gradebook(db_url) as gb:
        for name in submissions:
            nb = gb.find_submission_notebook(lesson, lesson, name)
            # automatic points: the test cells; the written answers are a grader's (state kept apart)
            scores[name] = {g.name: (g.score, g.max_score) for g in nb.grades if g.name not in answers}
            written[name] = {g.name: (g.auto_score, g.needs_manual_grade) for g in nb.grades if g.name in answers}
    return dict(
        lesson=lesson,
        root=root,
        api=api,
        scores=scores,
        written=written,
        db_url=db_url,
        names=list(submissions),
        answers=answers,
    )


def total(cells):
    return sum(s for s, _ in cells.values()), sum(m for _, m in cells.values())


def test_solved_scores_full_marks(graded):
    got, out_of = total(graded["scores"]["solved"])
    assert out_of > 0 and got == out_of, graded["scores"]["solved"]
    # its written answers are not lost points: no automatic score, each waits for a grader
    assert graded["written"]["solved"] == {gid: (None, True) for gid in graded["answers"]}


def test_blank_scores_zero_on_every_autograded_cell(graded):
    cells = graded["scores"]["blank"]
    assert cells and all(score == 0 for score, _ in cells.values()), cells
    # untouched written answers: 0, and nothing for a grader to read
    assert graded["written"]["blank"] == {gid: (0, False) for gid in graded["answers"]}


def test_feedback_and_grade_export(graded, tmp_path):
    lesson, root = graded["lesson"], graded["root"]
    result = graded["api"].generate_feedback(lesson, "solved")
    assert result["success"], result.get("error")
    html = root / "autograder" / "grading" / "feedback" / "solved" / lesson / f"{lesson}.html"
    test_ids = [grade_id(c) for c in grade_cells(read(solution_path(lesson)))]
    assert html.exists() and all(gid in html.read_text() for gid in test_ids)
    out = tmp_path / "grades.csv"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "nbgrader",
            "export",
            f"--CourseDirectory.root={root}",
            f"--CourseDirectory.db_url={graded['db_url']}",
            f"--to={out}",
        ],
        check=True,
        capture_output=True,
        cwd=root,
    )
    rows = {r["student_id"]: r for r in csv.DictReader(out.open())}
    auto_max = total(graded["scores"]["solved"])[1]
    assert float(rows["solved"]["max_score"]) == auto_max + written_points(graded)
    assert float(rows["solved"]["score"]) == auto_max > 0  # the written answers are not graded yet
    assert float(rows["blank"]["score"]) == 0


def written_points(graded) -> float:
    nb = read(solution_path(graded["lesson"]))
    return sum(c.metadata.nbgrader["points"] for c in nb.cells if grade_id(c) in graded["answers"])


def test_manual_scores_given_through_nbgraders_api_reach_the_export(graded, tmp_path):
    """What Formgrader's Manual Grading does: a score on each written answer of the solved submission,
    then nbgrader's CSV export (what `make grade` runs) includes them. On a copy of the gradebook."""
    if not graded["answers"]:
        pytest.skip(f"{graded['lesson']} has no written questions")
    lesson = graded["lesson"]
    db = tmp_path / "gradebook.db"
    shutil.copy(graded["db_url"].removeprefix("sqlite:///"), db)
    given = {gid: 1.5 + i % 2 * 0.5 for i, gid in enumerate(sorted(graded["answers"]))}
    with Gradebook(f"sqlite:///{db}") as gb:
        for gid, points in given.items():
            grade = gb.find_grade(gid, lesson, lesson, "solved")
            grade.manual_score = points
            grade.needs_manual_grade = False  # as Formgrader does when a grader saves a score
        gb.db.commit()
        assert not gb.find_submission(lesson, "solved").needs_manual_grade
        export_grades(gb, tmp_path / "grades.csv")
    rows = {r["student_id"]: r for r in csv.DictReader((tmp_path / "grades.csv").open())}
    auto_max = total(graded["scores"]["solved"])[1]
    assert float(rows["solved"]["score"]) == pytest.approx(auto_max + sum(given.values()))
    assert float(rows["solved"]["max_score"]) == pytest.approx(auto_max + written_points(graded))
    assert float(rows["blank"]["score"]) == 0


def test_gradebooks_get_the_schema_version_alembic_reports(tmp_path):
    """The workbook stamps new gradebooks with the schema version read in-process (``alembic_head``)
    instead of nbgrader's ``alembic heads`` subprocess. Both must name the same revision, a gradebook
    made inside ``schema_version_in_process`` must carry it, and nbgrader's own function is back after."""
    import sqlite3

    import nbgrader.api

    from autograder.course import alembic_head, schema_version_in_process, use_environment_scripts

    use_environment_scripts()  # nbgrader's call runs the `alembic` script of this environment
    original = nbgrader.api.get_alembic_version
    assert alembic_head() == original()
    with schema_version_in_process():
        Gradebook(f"sqlite:///{tmp_path / 'gradebook.db'}").close()
    with sqlite3.connect(tmp_path / "gradebook.db") as db:
        assert db.execute("SELECT version_num FROM alembic_version").fetchall() == [(original(),)]
    assert nbgrader.api.get_alembic_version is original
