"""The trusted verifier: right both ways on every lesson, and out of the student's reach.

- Every lesson's solution earns full marks through the verifier and the blank student version zero;
  every known-wrong variant loses marks and every correct-but-different one scores full (the same
  proofs as tests/test_mutants.py, but with the verdict computed outside the student's process).
- Attacks that fool a kernel (hooks, patched checks, fake modules, NumPy rebound, numbers that read the
  expected value) earn nothing, because nothing of the verifier is in the student's process.
- The student's process: torch is not importable, the grader's files, environment and network are out
  of reach, and its processes and memory are bounded for the whole tree (tests/test_sandbox.py has the
  probes; here the protocol).
"""

from __future__ import annotations

import copy

import numpy as np
import pytest

from autograder import sandbox, verify, wire
from proofs import classroom as C
from proofs.harness import function_of, grade_cells, grade_id, lesson_path, read, solution_path, solution_sources
from proofs.mutants import lesson_modules

LESSONS = lesson_modules(editions=True)


def submissions(module):
    """The mutants to submit, a list per submission: one mutant each, except where a lesson's exercises are
    independent (the quiz: tests/test_quiz.py proves each wrong answer costs only its own question), where
    the k-th wrong answer of every question goes in one submission. Lesson 08's student process imports torch
    (about 8 s a run here): five submissions instead of 86."""
    if not getattr(module, "EXERCISES_INDEPENDENT", False):
        return [[m] for m in module.MUTANTS]
    by_exercise: dict[str, list] = {}
    for m in module.MUTANTS:
        by_exercise.setdefault(m.exercise, []).append(m)
    rounds = max(len(ms) for ms in by_exercise.values())
    return [[ms[k] for ms in by_exercise.values() if k < len(ms)] for k in range(rounds)]


def spec_for(tmp_path):
    if not sandbox.available():  # CI has bubblewrap (tests/test_environment.py); elsewhere: limits only
        return sandbox.Spec(workdir=tmp_path, isolate=False)
    return sandbox.Spec(workdir=tmp_path)


def verdict(lesson, submitted, tmp_path, **kw):
    return verify.verify_notebook(
        read(solution_path(lesson)),
        submitted,
        assignment=lesson,
        sandbox_spec=spec_for(tmp_path),
        cell_timeout=60,
        **kw,
    )


def filled(lesson, sources: dict[str, str]):
    """The student version of ``lesson`` with solution cells replaced, as a student would submit it."""
    nb = read(lesson_path(lesson))
    for cell in nb.cells:
        if grade_id(cell) in sources and cell.metadata.nbgrader.get("solution"):
            cell.source = sources[grade_id(cell)]
    return nb


@pytest.mark.slow
@pytest.mark.parametrize("module", LESSONS, ids=lambda m: m.LESSON)
def test_solution_scores_full_and_blank_scores_zero(module, tmp_path):
    lesson = module.LESSON
    solved = verdict(lesson, filled(lesson, solution_sources(read(solution_path(lesson)))), tmp_path)
    assert solved.failures == {}
    assert solved.scores == solved.max_scores and sum(solved.max_scores.values()) > 0
    blank = verdict(lesson, read(lesson_path(lesson)), tmp_path)
    assert sum(blank.scores.values()) == 0, {k: v for k, v in blank.scores.items() if v}


@pytest.mark.slow
@pytest.mark.parametrize("module", LESSONS, ids=lambda m: m.LESSON)
def test_mutants_lose_marks_and_alternatives_score_full(module, tmp_path):
    lesson = module.LESSON
    refs = solution_sources(read(solution_path(lesson)))
    tests = [grade_id(c) for c in grade_cells(read(solution_path(lesson)))]
    survivors = []
    for batch in submissions(module):
        assert len({m.exercise for m in batch}) == len(batch), "one mutant per exercise in a submission"
        mine = {m.exercise: {t for t in tests if function_of(t) == m.exercise} for m in batch}
        sources = {**refs, **{m.exercise: m.source(refs[m.exercise]) for m in batch}}
        v = verdict(lesson, filled(lesson, sources), tmp_path, only=set().union(*mine.values()))
        survivors += [
            f"{m.exercise}: {m.mistake}" for m in batch if all(v.scores[t] == v.max_scores[t] for t in mine[m.exercise])
        ]
    assert not survivors, f"mutants the verifier gave full marks: {survivors}"
    for alt in module.ALTERNATIVES:
        v = verdict(lesson, filled(lesson, {**refs, **alt.cells}), tmp_path)
        assert v.failures == {}, f"correct-but-different '{alt.name}' lost marks: {v.failures}"


# ---------------------------------------------------------------- attacks on lesson 01 that fool a kernel

LESSON = "01_convolution"
WRONG = "\ndef conv_output_size(H, K, P=0, S=1):\n    return 0\n"
# The class-grading corpus's attacks on the kernel (proofs/classroom.py), each with a wrong answer where it
# has none of its own, and a few aimed at the verifier's own channel.
KERNEL_ATTACKS = {
    name: C.CHEATS[name] + ("" if "def conv_output_size" in C.CHEATS[name] else WRONG)
    for name in (
        "cheat-pre-run-hook",
        "cheat-code-objects",
        "cheat-sys-modules",
        "cheat-import-hook",
        "cheat-rebind-numpy",
        "cheat-float-frame",
        "cheat-always-equal",
    )
} | {
    "NumPy rebound before the checks are imported": """
import numpy as np
np.abs = lambda x: x * 0
np.isfinite = lambda x: np.ones(np.shape(x), bool)
""",
    "exits at the first call": """
import os
def conv_output_size(H, K, P=0, S=1):
    os._exit(0)
""",
    "writes garbage into the verifier's socket": """
import os
def conv_output_size(H, K, P=0, S=1):
    for fd in range(3, 12):
        try:
            os.write(fd, b"\\xff" * 64 + b'{"ok": true, "result": {"i": "32"}}')
        except OSError:
            pass
    return 0
""",
    "hangs": """
def conv_output_size(H, K, P=0, S=1):
    while True:
        pass
""",
    "sends an array shape no array can have": """
import sys
_wire = sys.modules["wire"]
def _encode(self, value):
    self.buffers.append(b"")
    return {"A": len(self.buffers) - 1, "d": "<f8", "s": [0, 10**30]}
_wire.Encoder.encode = _encode
conv_param_count = 0  # a graded name bound to a value: the cell's reply carries it
""",
}


@pytest.mark.slow
@pytest.mark.parametrize("attack", sorted(KERNEL_ATTACKS))
def test_attacks_that_fool_a_kernel_earn_nothing(attack, tmp_path):
    student = filled(LESSON, {"conv_output_size": KERNEL_ATTACKS[attack] + WRONG})
    if attack == "hangs":
        student = filled(LESSON, {"conv_output_size": KERNEL_ATTACKS[attack]})
    only = {"test_conv_output_size__visible", "test_conv_output_size__hidden", "test_conv_counts__visible"}
    v = verify.verify_notebook(
        read(solution_path(LESSON)),
        student,
        assignment=LESSON,
        sandbox_spec=spec_for(tmp_path),
        cell_timeout=5,
        only=only,
    )
    assert v.scores["test_conv_output_size__visible"] == 0
    assert v.scores["test_conv_output_size__hidden"] == 0
    # conv_counts is blank too: nothing earned there either, and the run went on to it
    assert v.scores["test_conv_counts__visible"] == 0 and "test_conv_counts__visible" in v.failures


# An int that equals everything, passed off as a plain int by patching the builtin type() that the student
# process's wire encoder calls: what reaches the verifier is a plain 0, compared there.
LIAR = """
import builtins
class Liar(int):
    def __eq__(self, other):
        return True
    __hash__ = int.__hash__
def conv_output_size(H, K, P=0, S=1):
    return Liar(0)
_real_type = builtins.type
builtins.type = lambda *a: int if len(a) == 1 and _real_type.__instancecheck__(Liar, a[0]) else _real_type(*a)
"""


@pytest.mark.slow
def test_an_int_equal_to_everything_behind_a_patched_type_earns_nothing(tmp_path):
    only = {"test_conv_output_size__visible", "test_conv_output_size__hidden"}
    v = verify.verify_notebook(
        read(solution_path(LESSON)),
        filled(LESSON, {"conv_output_size": LIAR}),
        assignment=LESSON,
        sandbox_spec=spec_for(tmp_path),
        cell_timeout=5,
        only=only,
    )
    assert v.scores == {name: 0.0 for name in only}, v.failures


def test_correct_answers_still_count_after_a_hang_in_another_cell(tmp_path):
    """A timed-out call is that cell's loss only: the student's process is restarted for the next one."""
    refs = solution_sources(read(solution_path(LESSON)))
    hang = refs["same_padding_receptive_field"].replace('"""Padding per side', 'while True:\n        pass\n    """')
    student = filled(LESSON, {**refs, "same_padding_receptive_field": hang})
    only = {"test_same_padding_receptive_field__visible", "test_conv2d_forward_naive__visible"}
    v = verify.verify_notebook(
        read(solution_path(LESSON)),
        student,
        assignment=LESSON,
        sandbox_spec=spec_for(tmp_path),
        cell_timeout=3,
        only=only,
    )
    assert v.scores["test_same_padding_receptive_field__visible"] == 0
    assert v.scores["test_conv2d_forward_naive__visible"] == 2
    assert any("restarted" in n for n in v.notes)


def test_graded_functions_cannot_use_torch(tmp_path):
    refs = solution_sources(read(solution_path(LESSON)))
    uses_torch = """
import torch
def conv_output_size(H, K, P=0, S=1):
    return torch.nn.functional.conv1d(torch.zeros(1, 1, H), torch.zeros(1, 1, K), stride=S, padding=P).shape[-1]
"""
    v = verify.verify_notebook(
        read(solution_path(LESSON)),
        filled(LESSON, {**refs, "conv_output_size": uses_torch}),
        assignment=LESSON,
        sandbox_spec=spec_for(tmp_path),
        only={"test_conv_output_size__visible"},
    )
    assert v.scores["test_conv_output_size__visible"] == 0
    assert "torch" in v.failures["test_conv_output_size__visible"] or any("torch" in n for n in v.notes)


def test_in_place_changes_reach_the_test_as_in_one_process(tmp_path):
    """Batch norm updates running statistics in place; ReLU must not change its input. Both are seen."""
    lesson = "05_batch_norm"
    refs = solution_sources(read(solution_path(lesson)))
    v = verdict(lesson, filled(lesson, refs), tmp_path, only={"test_batchnorm_forward__visible"})
    assert v.scores["test_batchnorm_forward__visible"] == v.max_scores["test_batchnorm_forward__visible"]
    not_in_place = refs["batchnorm_forward"].replace("running_mean[:] =", "running_mean =")
    assert not_in_place != refs["batchnorm_forward"]
    v = verdict(
        lesson,
        filled(lesson, {**refs, "batchnorm_forward": not_in_place}),
        tmp_path,
        only={"test_batchnorm_forward__visible"},
    )
    assert v.scores["test_batchnorm_forward__visible"] == 0


# ---------------------------------------------------------------- the wire: plain data or nothing


def roundtrip(value, handle=None):
    enc = wire.Encoder(other=handle)
    tree = enc.encode(value)
    return wire.Decoder(enc.buffers, handle=(lambda n: ("handle", n)) if handle else None).decode(tree)


def test_plain_values_cross_unchanged():
    rng = np.random.default_rng(3)
    value = {
        "x": rng.standard_normal((2, 3)).astype(np.float32),
        "n": 10**30,
        "f": float("nan"),
        "t": (1, "a", None, True, np.int64(7), np.float64(2.5)),
        "l": [np.arange(4), 1j],
        3: b"".hex(),
    }
    back = roundtrip(value)
    assert back["x"].dtype == np.float32 and np.array_equal(back["x"], value["x"])
    assert back["n"] == 10**30 and back["f"] != back["f"]
    assert back["t"] == value["t"] and type(back["t"][4]) is np.int64
    assert back["l"][1] == 1j and back[3] == ""
    g = roundtrip(np.random.default_rng(5))
    assert g.standard_normal() == np.random.default_rng(5).standard_normal()


@pytest.mark.parametrize(
    "tree, buffers",
    [
        ({"A": 0, "d": "|O", "s": [1]}, [b"\0" * 8]),  # object arrays
        ({"A": 0, "d": "<f8", "s": [3]}, [b"\0" * 8]),  # buffer too short for the shape
        ({"A": 0, "d": "<f8", "s": [0, 10**30]}, [b""]),  # empty, with a dimension no array can have
        ({"A": 0, "d": "<f8", "s": [0, 2**62, 2**62]}, [b""]),  # empty, and too big to exist
        ({"A": 1, "d": "<f8", "s": [1]}, [b"\0" * 8]),  # no such buffer
        ({"A": 0, "d": "V8", "s": [1]}, [b"\0" * 8]),  # raw void
        ({"H": 3}, []),  # a handle where none is allowed
        ({"i": "1" * 5000}, []),  # an enormous integer
        ({"f": "nan(0x1)"}, []),
        ({"Z": 1}, []),  # unknown tag
        ({"R": 4}, []),  # reference to nothing
        ({"D": [[{"L": []}, 1]]}, []),  # unhashable key
    ],
)
def test_anything_else_is_refused(tree, buffers):
    with pytest.raises(wire.WireError):
        wire.Decoder(buffers).decode(tree)


def test_nesting_and_size_are_bounded():
    deep = None
    for _ in range(100):
        deep = {"L": [deep]}
    with pytest.raises(wire.WireError):
        wire.Decoder([]).decode(deep)


def test_objects_that_are_not_plain_data_stay_behind():
    class Anything(np.ndarray):
        pass

    sub = np.zeros(3).view(Anything)
    assert roundtrip(sub, handle=lambda obj: 1) == ("handle", 1)
    assert roundtrip(copy.copy, handle=lambda obj: 2) == ("handle", 2)
    with pytest.raises(TypeError):
        wire.Encoder().encode(sub)


def test_zeroing_the_inputs_in_place_to_match_the_expected_value_earns_nothing(tmp_path):
    """A test that computes its expected value after the call would compare with torch on zeroed inputs:
    only the state a reference solution updates in place (running statistics) may change."""
    zeroing = """
import numpy as np
def conv2d_forward_naive(x, weight, bias, stride=1, padding=0):
    x[...] = 0
    weight[...] = 0
    bias[...] = 0
    H_out = (x.shape[2] + 2 * padding - weight.shape[2]) // stride + 1
    W_out = (x.shape[3] + 2 * padding - weight.shape[3]) // stride + 1
    return np.zeros((x.shape[0], weight.shape[0], H_out, W_out)), None
"""
    refs = solution_sources(read(solution_path(LESSON)))
    only = {"test_conv2d_forward_naive__visible", "test_conv2d_forward_naive__hidden"}
    v = verify.verify_notebook(
        read(solution_path(LESSON)),
        filled(LESSON, {**refs, "conv2d_forward_naive": zeroing}),
        assignment=LESSON,
        sandbox_spec=spec_for(tmp_path),
        only=only,
    )
    assert all(v.scores[t] == 0 for t in only), v.scores
    assert "in place" in v.failures["test_conv2d_forward_naive__hidden"]


def test_the_in_place_rule_comes_from_the_reference():
    sources = list(solution_sources(read(solution_path("05_batch_norm"))).values())
    _, changed = verify.reference_signatures(sources)
    assert changed["batchnorm_forward"] == {"running_mean", "running_var"}
    assert changed["spatial_batchnorm_forward"] == {"running_mean", "running_var"}  # through batchnorm_forward
    assert not changed["batchnorm_backward"]


def test_a_wrong_helper_costs_its_own_points_not_those_of_the_exercises_that_call_it(tmp_path):
    # conv_output_size with total instead of per-side padding: every conv uses it to size its output.
    refs = solution_sources(read(solution_path(LESSON)))
    total_padding = refs["conv_output_size"].replace("span = H - K + 2 * P", "span = H - K + P")
    assert total_padding != refs["conv_output_size"]
    v = verdict(LESSON, filled(LESSON, {**refs, "conv_output_size": total_padding}), tmp_path)
    lost = {cell for cell, points in v.scores.items() if points < v.max_scores[cell]}
    assert lost and all(function_of(cell) == "conv_output_size" for cell in lost), lost
    assert {"test_conv2d_forward__hidden", "test_conv2d_backward__hidden"} <= set(v.swapped)
    assert v.swapped["test_conv2d_forward__hidden"] == ["conv_output_size"]


def test_a_helper_that_passes_its_own_tests_is_never_replaced(tmp_path):
    # A correct conv_output_size with an extra keyword the student's conv relies on: replacing it by the
    # reference would break correct code, so only a helper that failed its tests is ever replaced.
    refs = solution_sources(read(solution_path(LESSON)))
    extended = refs["conv_output_size"].replace(
        "def conv_output_size(H, K, P=0, S=1):", "def conv_output_size(H, K, P=0, S=1, dilation=1):"
    )
    uses_it = refs["conv2d_forward"].replace(
        "H_out = conv_output_size(H, K_H, padding, stride)",
        "H_out = conv_output_size(H, K_H, padding, stride, dilation=1)",
    )
    assert extended != refs["conv_output_size"] and uses_it != refs["conv2d_forward"]
    v = verdict(LESSON, filled(LESSON, {**refs, "conv_output_size": extended, "conv2d_forward": uses_it}), tmp_path)
    assert v.failures == {}
