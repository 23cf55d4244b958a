"""The stand-ins for borrowed layers (``source_helpers.stand_ins``): a right paste is kept, a wrong or half
paste is replaced, and the references that stand in at grading agree with the torch stand-ins."""

import nbformat
import numpy as np
import pytest

from autograder import verify
from autograder.course import notebook_path
from source_helpers import stand_ins

BORROWED = [b for lesson in stand_ins.BORROWED.values() for b in lesson]


def reference_layers(borrowed) -> dict:
    """The namespace the verifier builds in a student's process: the teaching lesson's reference, adapted."""
    namespace = {"np": np}
    teacher = nbformat.read(notebook_path(borrowed.taught_in), as_version=4)
    for cell in teacher.cells:
        if verify._cell_kind(cell) == "solution":
            exec(cell.source, namespace)
    exec(borrowed.adapter, namespace)
    return namespace


@pytest.mark.parametrize("borrowed", BORROWED, ids=lambda b: b.layer)
def test_the_teaching_lessons_reference_is_kept_as_a_right_paste(borrowed, capsys):
    namespace = reference_layers(borrowed)
    forward, backward = (namespace[name] for name in borrowed.names)
    assert stand_ins.yours_or_stand_in(borrowed.layer, forward, backward) == (forward, backward)
    assert "yours is in use" in capsys.readouterr().out


@pytest.mark.parametrize("borrowed", BORROWED, ids=lambda b: b.layer)
def test_a_wrong_paste_is_replaced_by_the_stand_in_and_says_why(borrowed, capsys):
    namespace = reference_layers(borrowed)
    forward, backward = (namespace[name] for name in borrowed.names)

    def off_by_one(*args, **kwargs):
        out, cache = forward(*args, **kwargs)
        return out + 1.0, cache

    assert stand_ins.yours_or_stand_in(borrowed.layer, off_by_one, backward) == (borrowed.forward, borrowed.backward)
    said = capsys.readouterr().out
    assert "stand-in is back in use" in said and "values differ" in said


def test_a_half_paste_is_not_mixed_with_a_stand_in(capsys):
    namespace = reference_layers(stand_ins.CONV2D)
    got = stand_ins.yours_or_stand_in("conv2d", namespace["conv2d_forward"], stand_ins.conv2d_backward)
    assert got == (stand_ins.conv2d_forward, stand_ins.conv2d_backward)
    assert "paste both conv2d_forward and conv2d_backward" in capsys.readouterr().out


def test_a_paste_that_raises_is_replaced(capsys):
    def unfinished(*args, **kwargs):
        raise NotImplementedError

    got = stand_ins.yours_or_stand_in("max_pool2d", unfinished, unfinished)
    assert got == (stand_ins.max_pool2d_forward, stand_ins.max_pool2d_backward)
    assert "stand-in is back in use" in capsys.readouterr().out


def test_the_stand_ins_keep_float32_and_take_a_float64_gradient():
    x = np.random.default_rng(0).standard_normal((2, 3, 4, 4)).astype(np.float32)
    out, cache = stand_ins.batchnorm2d_train_forward(x, np.ones(3, np.float32), np.zeros(3, np.float32))
    dx, dgamma, dbeta = stand_ins.batchnorm2d_train_backward(np.ones(out.shape), cache)
    assert out.dtype == dx.dtype == np.float32 and dgamma.shape == dbeta.shape == (3,)
    np.testing.assert_allclose(dbeta, np.full(3, 2 * 4 * 4))


def test_the_verifier_binds_the_same_names_the_setup_imports():
    for lesson, layers in stand_ins.BORROWED.items():
        define, bind = verify._borrowed_layers(lesson)
        for borrowed in layers:
            assert all(name in bind for name in borrowed.names)
            assert borrowed.taught_in in define
    assert verify._borrowed_layers("01_convolution") is None


# ----------------------------------------------------------------------------- a wrong paste costs nothing
# A student who failed lesson 01 and lesson 03 pastes their wrong layers into lesson 04 anyway, and did
# everything lesson 04 teaches right: lesson 04 must still give full marks, in the kernel (the check cell
# put the stand-ins back) and through the verifier (it binds correct layers before every test).
WRONG_PASTE = """
def conv2d_forward(x, weight, bias, stride=1, padding=0):
    raise ValueError("my lesson 01 conv is not finished")


def conv2d_backward(dout, cache):
    raise ValueError("my lesson 01 conv is not finished")


def max_pool2d_forward(x, kernel_size, stride=None):
    return x[:, :, ::kernel_size, ::kernel_size], x


def max_pool2d_backward(dout, cache):
    return np.zeros_like(cache)
"""


def solved_with_a_wrong_paste(lesson: str):
    from proofs.harness import fill, lesson_path, read, solution_path, solution_sources

    nb = fill(read(lesson_path(lesson)), solution_sources(read(solution_path(lesson))))
    starts = ("# Optional: paste", "# 선택: ")  # the paste cell, in either edition
    (paste,) = [c for c in nb.cells if c.cell_type == "code" and c.source.startswith(starts)]
    paste.source += "\n" + WRONG_PASTE
    return nb


@pytest.mark.slow
@pytest.mark.parametrize("lesson", ["04_lenet5", "04_lenet5_ko"])
def test_a_wrong_paste_of_earlier_layers_costs_nothing_through_the_verifier(lesson, tmp_path, monkeypatch):
    from tests.test_verify import verdict

    nb = solved_with_a_wrong_paste(lesson)
    v = verdict(lesson, nb, tmp_path)
    assert v.scores and v.scores == v.max_scores, v.failures
    # the proof can fail: without binding the correct layers before each test, the paste costs points
    define, _ = verify._borrowed_layers("04_lenet5")
    monkeypatch.setattr(verify, "_borrowed_layers", lambda name: (define, "pass"))
    v = verdict(lesson, nb, tmp_path)
    lost = {cell for cell, points in v.scores.items() if points < v.max_scores[cell]}
    assert {"test_lenet_forward__hidden", "test_lenet_backward__hidden"} <= lost, v.failures


@pytest.mark.slow
def test_a_wrong_paste_of_earlier_layers_costs_nothing_in_the_kernel():
    from proofs.harness import executed_grades, grade_cells, running

    nb = solved_with_a_wrong_paste("04_lenet5")
    with running(nb, timeout=300) as kernel:
        grades = executed_grades(kernel.nb)
        said = "".join(
            out.get("text", "") for c in kernel.nb.cells if c.cell_type == "code" for out in c.get("outputs", [])
        )
    full = {c.metadata.nbgrader.grade_id: float(c.metadata.nbgrader.points) for c in grade_cells(nb)}
    assert grades == full
    assert "conv2d: yours does not agree with PyTorch, so the stand-in is back in use" in said
    assert "max_pool2d: yours does not agree with PyTorch" in said


@pytest.mark.slow
def test_a_stand_in_handed_in_as_lesson_01s_answer_earns_nothing(tmp_path):
    # The stand-ins carry the graded names, so a student of lesson 01 could import one: the kernel would
    # pass it, but where grading runs torch cannot be imported, and the exercise scores 0.
    from proofs.harness import read, solution_path, solution_sources
    from tests.test_verify import filled, verdict

    refs = solution_sources(read(solution_path("01_convolution")))
    cheat = "from source_helpers.stand_ins import conv2d_backward, conv2d_forward  # noqa: F401\n"
    cells = {"test_conv2d_forward__visible", "test_conv2d_forward__hidden"}
    v = verdict("01_convolution", filled("01_convolution", {**refs, "conv2d_forward": cheat}), tmp_path, only=cells)
    assert set(v.scores) == cells and not any(v.scores.values()), v.scores
