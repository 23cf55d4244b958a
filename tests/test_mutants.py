"""Every known-wrong variant loses marks; every correct-but-different implementation gets full marks.

All variants of a lesson run in one kernel: the solution notebook is executed once, then for each
variant its code replaces the reference in the kernel, the exercise's test cells are re-run and
graded with nbgrader's own rule, and the reference is restored. (test_grading.py sends a sample of
the same variants through the real autograder.)
"""

import pytest

from proofs.harness import function_of, grade_cells, grade_id, read, running, solution_path, solution_sources
from proofs.mutants import Mutant, copied_lines, lesson_modules

pytestmark = pytest.mark.slow

LESSON_MODULES = lesson_modules(editions=True)


@pytest.mark.parametrize("module", LESSON_MODULES, ids=lambda m: m.LESSON)
def test_every_exercise_has_at_least_three_mutants(module):
    refs = solution_sources(read(solution_path(module.LESSON)))
    counts = {exercise: sum(m.exercise == exercise for m in module.MUTANTS) for exercise in refs}
    assert all(n >= 3 for n in counts.values()), counts


@pytest.mark.parametrize("module", LESSON_MODULES, ids=lambda m: m.LESSON)
def test_mutants_lose_marks_and_alternatives_score_full(module):
    nb = read(solution_path(module.LESSON))
    refs = solution_sources(nb)
    tests = grade_cells(nb)
    points = {grade_id(c): c.metadata.nbgrader["points"] for c in tests}
    survivors, report = [], []
    with running(nb, env={"NBGRADER_EXECUTION": "autograde"}) as kernel:
        baseline = {grade_id(c): kernel.grade(c) for c in tests}
        assert baseline == points, "the reference solution must score full marks"
        for mutant in module.MUTANTS:
            kernel.run(mutant.source(refs[mutant.exercise]))
            lost = [
                grade_id(c)
                for c in tests
                if function_of(grade_id(c)) == mutant.exercise and kernel.grade(c) < points[grade_id(c)]
            ]
            kernel.run(refs[mutant.exercise])
            report.append(f"{mutant.exercise}: {mutant.mistake} -> fails {', '.join(lost) or 'NOTHING'}")
            if not lost:
                survivors.append(mutant.mistake)
        for alt in module.ALTERNATIVES:
            for source in alt.cells.values():
                kernel.run(source)
            failed = [grade_id(c) for c in tests if kernel.grade(c) < points[grade_id(c)]]
            for gid in alt.cells:
                kernel.run(refs[gid])
            assert not failed, f"correct-but-different '{alt.name}' lost marks on {failed}"
    print("\n".join(report))
    assert not survivors, f"mutants that got full marks: {survivors}"


@pytest.mark.parametrize("module", lesson_modules(), ids=lambda m: m.LESSON)
def test_mutants_are_edits_of_the_reference_not_copies(module):
    refs = solution_sources(read(solution_path(module.LESSON)))
    first = next(iter(refs))
    hand_copy = Mutant(first, "the reference copied by hand", refs[first])
    assert len(copied_lines(hand_copy, refs[first])) > 1, "the check must catch a copy of the reference"
    copies = {m.mistake: found for m in module.MUTANTS if len(found := copied_lines(m, refs[m.exercise])) > 1}
    assert not copies, f"rewrite these as edit(...) of the reference or wrap(...) around it: {copies}"


def test_generated_mutants_are_one_edit_of_the_current_reference():
    import ast

    from proofs.mutants.generate import generate

    refs = solution_sources(read(solution_path("01_convolution")))
    for exercise, reference in refs.items():
        mutants = generate(exercise, reference, count=6)
        assert mutants, f"no edit applies to {exercise}"
        for m in mutants:
            compile(m.code, m.exercise, "exec")
            assert ast.dump(ast.parse(m.code)) != ast.dump(ast.parse(reference)), m.mistake
        assert len({m.code for m in mutants}) == len(mutants)
        assert generate(exercise, reference, count=6) == mutants  # the same seed gives the same mutants


@pytest.mark.parametrize("module", lesson_modules(editions=True), ids=lambda m: m.LESSON)
def test_every_mutant_applies_to_the_current_reference(module):
    # in every edition: the Korean references differ from the English in their comments, so an edit must not
    # depend on a comment
    refs = solution_sources(read(solution_path(module.LESSON)))
    for m in module.MUTANTS:
        assert m.exercise in refs, f"{m.mistake!r}: no solution cell {m.exercise!r}"
        mutated = m.source(refs[m.exercise])  # an edit that no longer matches exactly once raises MutantDrift
        compile(mutated, m.mistake, "exec")
        assert mutated != refs[m.exercise], m.mistake


def test_an_edit_that_no_longer_matches_fails_loudly():
    from proofs.mutants import MutantDrift, edit

    reference = "def f(x):\n    y = x + 1\n    return y + 1\n"
    assert edit("f", "off by one", "x + 1", "x").source(reference) == "def f(x):\n    y = x\n    return y + 1\n"
    for old in ("x + 2", "+ 1"):  # gone from the reference; in it twice
        with pytest.raises(MutantDrift, match="once in the reference"):
            edit("f", "stale", old, "x").source(reference)
