"""The nbgrader round trip, through the real autograder and gradebook.

A scratch course is generated from solutions/; submissions are made from the generated student
version (as a student would hand it in) and graded by ``nbgrader autograde``:

- solved: the reference solutions pasted into the student version -> full marks
- blank: the untouched student version -> 0 on every autograded cell
- different: correct code written differently from the reference -> full marks
- a known-wrong variant of the first and of the last exercise -> loses marks (every variant of every
  exercise is checked, much faster, in one kernel by test_mutants.py)

then feedback is generated and grades exported, as an instructor would.
"""

import csv
import subprocess
import sys

import nbformat
import pytest
from nbgrader.api import Gradebook

from autograder.course import generate_student_version, load_config, nbgrader_api
from tests.harness import fill, grade_cells, grade_id, read, solution_path, solution_sources
from tests.mutants import lesson_modules

pytestmark = pytest.mark.slow

LESSON_MODULES = lesson_modules()


def sample_mutants(module):
    """The first mutant of the first and of the last exercise: enough to prove the grading path."""
    chosen = {}
    for m in module.MUTANTS:
        chosen.setdefault(m.exercise, m)
    exercises = list(chosen)
    return {e: chosen[e] for e in {exercises[0], exercises[-1]}}


# Each lesson's class is graded once, by one worker (--dist loadgroup keeps a group on one worker).
@pytest.fixture(scope="module", params=[pytest.param(m, marks=pytest.mark.xdist_group(f"grading-{m.LESSON}"))
                                        for m in LESSON_MODULES], ids=lambda m: m.LESSON)
def graded(request, tmp_path_factory):
    module = request.param
    lesson = module.LESSON
    root = tmp_path_factory.mktemp(lesson)
    student = read(generate_student_version(lesson, root) / f"{lesson}.ipynb")
    refs = solution_sources(read(solution_path(lesson)))
    submissions = {"solved": fill(student, refs), "blank": student}
    for i, alt in enumerate(module.ALTERNATIVES):
        submissions[f"different{i}"] = fill(student, {**refs, **alt.cells})
    for exercise, mutant in sample_mutants(module).items():
        submissions[f"wrong-{exercise}"] = fill(student, {**refs, exercise: mutant.source(refs[exercise])})
    api = nbgrader_api(root)
    for name, nb in submissions.items():
        folder = root / "autograder" / "grading" / "submitted" / name / lesson
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / f"{lesson}.ipynb")
        result = api.autograde(lesson, name)
        assert result["success"], result.get("error") or result.get("log")
    db_url = load_config(root).CourseDirectory.db_url
    scores = {}
    with Gradebook(db_url) as gb:
        for name in submissions:
            nb = gb.find_submission_notebook(lesson, lesson, name)
            scores[name] = {g.name: (g.score, g.max_score) for g in nb.grades if g.auto_score is not None}
    return dict(lesson=lesson, root=root, api=api, scores=scores, db_url=db_url, names=list(submissions))


def total(cells):
    return sum(s for s, _ in cells.values()), sum(m for _, m in cells.values())


def test_solved_scores_full_marks(graded):
    got, out_of = total(graded["scores"]["solved"])
    assert out_of > 0 and got == out_of, graded["scores"]["solved"]


def test_blank_scores_zero_on_every_autograded_cell(graded):
    cells = graded["scores"]["blank"]
    assert cells and all(score == 0 for score, _ in cells.values()), cells


def test_correct_but_different_scores_full_marks(graded):
    for name in graded["names"]:
        if name.startswith("different"):
            got, out_of = total(graded["scores"][name])
            assert got == out_of, {k: v for k, v in graded["scores"][name].items() if v[0] < v[1]}


def test_each_known_wrong_variant_loses_marks(graded):
    for name in graded["names"]:
        if name.startswith("wrong-"):
            exercise = name.removeprefix("wrong-")
            lost = {k for k, (s, m) in graded["scores"][name].items() if s < m}
            assert lost, f"{name} got full marks"
            assert any(k.startswith(f"test_{exercise}__") for k in lost), lost


def test_feedback_and_grade_export(graded, tmp_path):
    lesson, root = graded["lesson"], graded["root"]
    result = graded["api"].generate_feedback(lesson, "solved")
    assert result["success"], result.get("error")
    html = root / "autograder" / "grading" / "feedback" / "solved" / lesson / f"{lesson}.html"
    test_ids = [grade_id(c) for c in grade_cells(read(solution_path(lesson)))]
    assert html.exists() and all(gid in html.read_text() for gid in test_ids)
    out = tmp_path / "grades.csv"
    subprocess.run([sys.executable, "-m", "nbgrader", "export", f"--CourseDirectory.root={root}",
                    f"--CourseDirectory.db_url={graded['db_url']}", f"--to={out}"],
                   check=True, capture_output=True, cwd=root)
    rows = {r["student_id"]: r for r in csv.DictReader(out.open())}
    assert float(rows["solved"]["score"]) == float(rows["solved"]["max_score"]) > 0
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
