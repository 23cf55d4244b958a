"""Lesson 08 (the quiz) is graded question by question.

In one kernel running the solution notebook: all correct = full marks; each single wrong answer loses exactly
that question's points and nothing else; answers in equivalent forms (a list for a tuple, an integer-valued
float, NumPy/torch types, a capital letter) get full marks; a blank notebook scores 0 on every question.
Plus unit tests of ``source_helpers.quiz``, the checks the quiz uses.
"""

import numpy as np
import pytest
import torch

from proofs.harness import grade_cells, grade_id, lesson_path, read, running, solution_path, solution_sources
from proofs.mutants import lesson08
from source_helpers import quiz

LESSON = "08_self_check"


@pytest.mark.slow
def test_each_question_is_graded_on_its_own():
    nb = read(solution_path(LESSON))
    refs = solution_sources(nb)
    blank = solution_sources(read(lesson_path(LESSON)))
    tests = grade_cells(nb)
    points = {grade_id(c): c.metadata.nbgrader["points"] for c in tests}
    assert len(refs) == 22 and all(f"test_{q}__answer" in points for q in refs)
    with running(nb, env={"NBGRADER_EXECUTION": "autograde"}) as kernel:

        def grades():
            return {grade_id(c): kernel.grade(c) for c in tests}

        assert grades() == points, "all correct must score full marks"
        for mutant in lesson08.MUTANTS:
            kernel.run(mutant.source(refs[mutant.exercise]))
            expected = {**points, f"test_{mutant.exercise}__answer": 0}
            assert grades() == expected, f"{mutant.exercise} = wrong ({mutant.mistake}) must lose only its own points"
            kernel.run(refs[mutant.exercise])
        for alt in lesson08.ALTERNATIVES:
            for source in alt.cells.values():
                kernel.run(source)
            assert grades() == points, "answers in equivalent forms must score full marks"
        kernel.run("\n".join(f"globals().pop({q!r}, None)" for q in refs))
        for q in refs:
            kernel.run(blank[q])  # the student version: raise NotImplementedError()
        assert grades() == {gid: 0 for gid in points}, "a blank quiz must score 0"
    assert sum(points.values()) == 24  # 22 questions; q02 and q03 (the largest counts) are worth 2


def test_solution_cells_compute_their_answers():
    # Every answer is computed or justified in its cell (a comment and an assert), not only stated.
    for q, source in solution_sources(read(solution_path(LESSON))).items():
        body = source.split("### BEGIN SOLUTION")[1].split("### END SOLUTION")[0]
        assert "#" in body and "assert" in body, f"{q}: derive and check the answer in the solution"


@pytest.mark.parametrize("value", [7600, 7600.0, np.int64(7600), np.float32(7600), np.int16(7600)])
def test_whole_numbers_in_any_numeric_form(value):
    quiz.check_whole_number_form(value, "q")
    quiz.check_whole_number(value, 7600, "q")


@pytest.mark.parametrize("value", [True, "7600", None, [7600], 7600.5, float("nan"), np.array(7600)])
def test_not_whole_numbers_are_refused(value):
    with pytest.raises(AssertionError):
        quiz.check_whole_number_form(value, "q")


@pytest.mark.parametrize(
    "value", [(32, 29, 29), [32, 29, 29], torch.Size([32, 29, 29]), np.array([32, 29, 29]), (32.0, np.int64(29), 29)]
)
def test_shapes_in_any_sequence_form(value):
    quiz.check_shape_form(value, 3, "q")
    quiz.check_shape_answer(value, (32, 29, 29), "q")


def test_shape_mistakes_are_named_and_forms_refused():
    with pytest.raises(AssertionError, match="H x W x C"):
        quiz.check_shape_answer((29, 29, 32), (32, 29, 29), "q", mistakes={(29, 29, 32): "that is H x W x C"})
    with pytest.raises(AssertionError, match="expected 3 numbers"):
        quiz.check_shape_form((29, 29), 3, "q")
    with pytest.raises(AssertionError, match="tuple"):
        quiz.check_shape_form("32, 29, 29", 3, "q")
    with pytest.raises(AssertionError, match="at least 1"):
        quiz.check_shape_form((32, 0, 29), 3, "q")


def test_axes_in_any_order_but_distinct_and_in_range():
    quiz.check_axes_answer([3, 0, 2], (0, 2, 3), "q")
    with pytest.raises(AssertionError, match="layer norm"):
        quiz.check_axes_answer((3, 2, 1), (0, 2, 3), "q", mistakes={(1, 2, 3): "layer norm"})
    for bad in [(0, 0, 2), (0, 4), ()]:
        with pytest.raises(AssertionError):
            quiz.check_axes_form(bad, 4, "q")


def test_letters_bools_and_numbers():
    quiz.check_letter_form(" B ", "abcd", "q")
    quiz.check_letter("B", "b", "q")
    with pytest.raises(AssertionError):
        quiz.check_letter_form("e", "abcd", "q")
    with pytest.raises(AssertionError):
        quiz.check_letter_form(2, "abcd", "q")
    quiz.check_bool(np.False_, False, "q")
    for bad in ["False", 0, None]:
        with pytest.raises(AssertionError):
            quiz.check_bool_form(bad, "q")
    with pytest.raises(AssertionError):
        quiz.check_bool(True, False, "q")
    quiz.check_number(0.1189, 1 / 128 + 1 / 9, "q")
    with pytest.raises(AssertionError, match="1/K"):
        quiz.check_number(1 / 128 + 1 / 3, 1 / 128 + 1 / 9, "q", mistakes={1 / 128 + 1 / 3: "1/K"})


def test_objects_that_imitate_numbers_are_refused():
    class Always:
        def __eq__(self, other):
            return True

        def __float__(self):
            return 7600.0

    for check in (
        lambda v: quiz.check_whole_number(v, 7600, "q"),
        lambda v: quiz.check_shape_answer(v, (1,), "q"),
        lambda v: quiz.check_letter(v, "b", "q"),
        lambda v: quiz.check_bool(v, False, "q"),
    ):
        with pytest.raises(AssertionError):
            check(Always())


def _hidden_answers(nb) -> dict[str, tuple[str, object]]:
    """question -> (kind, expected value), read from the hidden value checks of the solution notebook."""
    import ast

    kinds = {
        "check_whole_number": "whole",
        "check_shape_answer": "shape",
        "check_axes_answer": "axes",
        "check_letter": "letter",
        "check_bool": "bool",
        "check_number": "number",
    }
    answers = {}
    for cell in grade_cells(nb):
        hidden = cell.source.split("### BEGIN HIDDEN TESTS")[1].replace("### END HIDDEN TESTS", "")
        for node in ast.walk(ast.parse(hidden)):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in kinds:
                # the expected value as the test writes it (a literal or arithmetic on literals)
                value = eval(ast.unparse(node.args[1]), {"__builtins__": {}})  # noqa: S307 (our own source)
                answers[node.args[0].id] = (kinds[node.func.id], value)
    return answers


def test_every_visible_fingerprint_is_the_hidden_answers():
    """The visible right-or-wrong check and the graded value check cannot drift apart."""
    import re

    nb = read(solution_path(LESSON))
    answers = _hidden_answers(nb)
    found = {}
    for cell in grade_cells(nb):
        visible = cell.source.split("### BEGIN HIDDEN TESTS")[0]
        for q, kind, fp in re.findall(r'check_fingerprint\((q\d\d), "(\w+)", "([0-9a-f]+)", "q\d\d"[,)]', visible):
            found[q] = (kind, fp)
    assert set(found) == {q for q, (kind, _) in answers.items() if kind != "number"}
    for q, (kind, fp) in found.items():
        assert answers[q][0] == kind and quiz.answer_fingerprint(answers[q][1], kind, q) == fp, q


def test_the_student_copy_does_not_give_answers_away():
    nb = read(lesson_path(LESSON))
    text = "\n".join(c.source for c in nb.cells)
    for q, (kind, value) in _hidden_answers(read(solution_path(LESSON))).items():
        if kind == "whole" and value >= 100:
            for form in (str(value), f"{value:,}", f"{value:_}"):
                assert form not in text, (q, form)
        if kind == "shape":
            assert str(tuple(value)) not in text, q


def test_a_fingerprint_accepts_equivalent_forms_and_rejects_wrong_answers():
    fp = quiz.answer_fingerprint(7600, "whole", "q03")
    for same in (7600, 7600.0, np.int64(7600), np.float32(7600)):
        quiz.check_fingerprint(same, "whole", fp, "q03")
    with pytest.raises(AssertionError, match="not the right answer") as err:
        quiz.check_fingerprint(7500, "whole", fp, "q03")
    assert "7600" not in str(err.value)
    shape = quiz.answer_fingerprint((32, 29, 29), "shape", "q04")
    quiz.check_fingerprint([32, 29, 29], "shape", shape, "q04")
    quiz.check_fingerprint(torch.Size([32, 29, 29]), "shape", shape, "q04")
    with pytest.raises(AssertionError):
        quiz.check_fingerprint((29, 29, 32), "shape", shape, "q04")
    assert quiz.answer_fingerprint(" B", "letter", "q01") == quiz.answer_fingerprint("b", "letter", "q01")
    assert quiz.answer_fingerprint(3, "whole", "q06") != quiz.answer_fingerprint(3, "whole", "q13")  # salted


def test_a_known_wrong_answer_is_named_by_its_fingerprint_alone():
    from source_helpers.quiz import answer_fingerprint, check_fingerprint

    right = answer_fingerprint(27_000_100, "whole", "q02")
    known = {answer_fingerprint(27_000_000, "whole", "q02"): "the 100 biases are missing"}
    with pytest.raises(AssertionError, match="27000000 is not right. It matches a known mistake: the 100 biases"):
        check_fingerprint(27_000_000, "whole", right, "q02", mistakes=known)
    with pytest.raises(AssertionError, match="not the right answer yet"):
        check_fingerprint(5, "whole", right, "q02", mistakes=known)
    assert check_fingerprint(27_000_100.0, "whole", right, "q02", mistakes=known) is None
    assert "27000000" not in repr(known) and "27000100" not in repr(known)  # neither answer is spelled out
