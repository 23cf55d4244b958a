"""source_helpers.checks: useful messages, and no way around them."""

import numpy as np
import pytest

from source_helpers import checks
from source_helpers.checks import Mistake, check_array, check_choice, check_int, check_raises, check_shape


def test_equal_arrays_pass_and_return_none():
    a = np.arange(6.0).reshape(2, 3)
    assert check_array(a.copy(), a) is None


def test_message_names_count_first_index_and_max_error():
    expected = np.zeros((2, 3, 4))
    actual = expected.copy()
    actual[0, 1, 2] = 0.5
    actual[1, 2, 3] = -2.0
    with pytest.raises(AssertionError) as info:
        check_array(actual, expected, "conv out")
    msg = str(info.value)
    assert "conv out: 2 of 24 values differ" in msg
    assert "first differing index (0, 1, 2): expected 0.0, got 0.5" in msg
    assert "max abs error 2 at index (1, 2, 3)" in msg


def test_shape_mismatch_hints_at_axis_order():
    with pytest.raises(AssertionError, match=r"expected shape \(2, 3, 4\), got \(2, 4, 3\).*axis order"):
        check_array(np.zeros((2, 4, 3)), np.zeros((2, 3, 4)))


def test_dtype_must_match_float_expectation():
    with pytest.raises(AssertionError, match="expected dtype float64, got float32"):
        check_array(np.zeros(3, dtype=np.float32), np.zeros(3))


def test_nan_is_reported():
    with pytest.raises(AssertionError, match="NaN or inf \\(1 of 2 values\\), first at index \\(1,\\)"):
        check_array(np.array([0.0, np.nan]), np.zeros(2))


def test_known_mistake_is_named():
    expected = np.array([19.0, 25.0])
    flipped = np.array([5.0, 11.0])
    with pytest.raises(AssertionError, match="known mistake: flipped kernel"):
        check_array(flipped.copy(), expected, mistakes=[Mistake("flipped kernel", flipped)])


class AlwaysEqual(np.ndarray):
    def __eq__(self, other):
        return True


class FakeArray:
    shape = (2,)
    dtype = np.dtype("float64")

    def __eq__(self, other):
        return True

    def __array__(self, dtype=None, copy=None):
        return np.zeros(2)


@pytest.mark.parametrize("impostor", [[0.0, 0.0], (0.0, 0.0), FakeArray(), np.zeros(2).view(AlwaysEqual)])
def test_only_a_real_ndarray_is_accepted(impostor):
    with pytest.raises(AssertionError, match="expected a numpy.ndarray"):
        check_array(impostor, np.zeros(2))


def test_rebinding_numpy_functions_does_not_fool_the_checks(monkeypatch):
    for name in ("allclose", "abs", "isfinite", "argmax", "count_nonzero", "array_equal"):
        monkeypatch.setattr(np, name, lambda *a, **k: True)
    monkeypatch.setattr(np.testing, "assert_allclose", lambda *a, **k: None)
    with pytest.raises(AssertionError, match="1 of 2 values differ"):
        check_array(np.array([0.0, 1.0]), np.zeros(2))


def test_check_shape():
    check_shape(np.zeros((1, 2)), (1, 2))
    with pytest.raises(AssertionError, match=r"expected shape \(1, 3\)"):
        check_shape(np.zeros((1, 2)), (1, 3))


@pytest.mark.parametrize("value", [7, np.int64(7), 7.0, np.float32(7.0)])
def test_check_int_accepts_integer_valued_numbers(value):
    check_int(value, 7)


@pytest.mark.parametrize(
    "value, message",
    [
        (8, "expected 7, got 8"),
        (7.5, "non-integer 7.5"),
        (True, "expected a number"),
        ("7", "expected a number"),
        (float("nan"), "non-integer"),
    ],
)
def test_check_int_rejects(value, message):
    with pytest.raises(AssertionError, match=message):
        check_int(value, 7)


def test_check_int_refuses_objects_that_claim_equality():
    class Liar(int):
        def __eq__(self, other):
            return True

        __hash__ = int.__hash__

    with pytest.raises(AssertionError, match="Python or NumPy number"):
        check_int(Liar(3), 7)


def test_check_raises():
    def bad(n):
        raise ValueError("no")

    def not_done(n):
        raise NotImplementedError()

    assert check_raises(ValueError, bad, 1) is None
    with pytest.raises(AssertionError, match=r"should raise ValueError, but returned 1"):
        check_raises(ValueError, lambda n: n, 1)
    with pytest.raises(AssertionError, match=r"should raise ValueError, but raised KeyError"):
        check_raises(ValueError, lambda n: {}[n], 1)
    with pytest.raises(AssertionError, match="not done yet"):
        check_raises(ValueError, not_done, 1)


def test_check_choice():
    check_choice("b", ["a", "b"])
    with pytest.raises(AssertionError, match="expected one of"):
        check_choice("c", ["a", "b"])
    with pytest.raises(AssertionError):
        check_choice(1, [True])  # 1 == True in Python, but not an allowed answer here


def test_source_helpers_holds_no_graded_function():
    # WORKBOOK rule: students import source_helpers, so it must never contain a graded solution.
    import ast
    import pkgutil

    import source_helpers
    from autograder.course import lesson_names, notebook_path
    from proofs.harness import read, solution_sources

    graded = set()
    for path in map(notebook_path, lesson_names()):
        for source in solution_sources(read(path)).values():
            graded |= {n.name for n in ast.walk(ast.parse(source)) if isinstance(n, ast.FunctionDef)}
    assert "conv2d_backward" in graded
    # The one exception: torch-backed stand-ins (source_helpers.stand_ins), named as the lessons that
    # borrow them call them. They are PyTorch's layers, not solutions, and where grading runs torch is not
    # importable, so a graded function that is one earns nothing (tests/test_verify.py).
    from source_helpers.stand_ins import is_stand_in

    for mod in pkgutil.walk_packages(source_helpers.__path__, "source_helpers."):
        module = __import__(mod.name, fromlist=["_"])
        defined = {name for name, value in vars(module).items() if not is_stand_in(value)}
        assert not graded & defined, f"{mod.name} defines a graded function"
    assert {"conv2d_forward", "max_pool2d_backward"} <= set(vars(__import__("source_helpers.stand_ins").stand_ins))
    assert checks.__all__


def test_the_checks_cannot_be_rebound_from_a_notebook():
    import source_helpers.gradcheck as gradcheck

    fake = lambda *a, **k: None  # noqa: E731
    with pytest.raises(AttributeError, match="read-only"):
        checks.check_array = fake
    with pytest.raises(AttributeError, match="read-only"):
        del checks.check_int
    saved = checks.__dict__["check_array"], gradcheck.__dict__["check_gradient"]
    checks.__dict__["check_array"] = fake
    gradcheck.__dict__["check_gradient"] = fake
    try:
        from source_helpers.checks import check_array as fresh
        from source_helpers.gradcheck import check_gradient as fresh_gradient

        with pytest.raises(AssertionError):
            fresh(np.ones(2), np.zeros(2))
        with pytest.raises(AssertionError):
            fresh_gradient(np.zeros(2), lambda v: v**2, np.ones(2), np.ones(2))
    finally:
        checks.__dict__["check_array"], gradcheck.__dict__["check_gradient"] = saved


# --- diagnosis: the pattern of a wrong answer, for mistakes nobody listed


def _message(actual, expected, **kwargs) -> str:
    with pytest.raises(AssertionError) as info:
        check_array(actual, expected, "out", **kwargs)
    return str(info.value)


EXPECTED = np.random.default_rng(0).standard_normal((2, 3, 5, 5))


def _border_wrong():
    a = EXPECTED.copy()
    a[..., 0, :] += 1
    return a


def _sample_wrong():
    a = EXPECTED.copy()
    a[1] *= 2
    return a


def _channel_wrong():
    a = EXPECTED.copy()
    a[:, 2] *= 1.5
    return a


def _shifted():
    a = EXPECTED.copy()
    a[..., 1:, :] = EXPECTED[..., :-1, :]
    return a


@pytest.mark.parametrize(
    "actual, sizes, expected_words",
    [
        (EXPECTED * 9, {"N": 2, "K·K": 9}, "9 times the expected one (= K·K)"),
        (EXPECTED / 2, {"N": 2}, "0.5 times the expected one (= 1/N)"),
        (-EXPECTED, None, "the sign is flipped"),
        (EXPECTED + 0.25, None, "off by the same constant +0.25"),
        (EXPECTED + np.arange(3.0)[None, :, None, None], None, "constant per channel"),
        (np.zeros_like(EXPECTED), None, "every value is 0"),
        (EXPECTED.swapaxes(-1, -2).copy(), None, "transposed"),
        (np.flip(EXPECTED, 1).copy(), None, "reverse order along axis 1"),
        (_border_wrong(), None, "only values on the border"),
        (_sample_wrong(), None, "the first sample is right"),
        (_channel_wrong(), None, "only channel(s) 2 of the 3"),
        (_shifted(), None, "shifted by one position along axis 2"),
    ],
)
def test_a_wrong_array_gets_the_pattern_named(actual, sizes, expected_words):
    msg = _message(actual, EXPECTED, sizes=sizes)
    assert "values differ" in msg and "Pattern:" in msg and expected_words in msg, msg


def test_unrelated_values_get_no_invented_pattern():
    other = np.random.default_rng(1).standard_normal(EXPECTED.shape)
    assert "Pattern:" not in _message(other, EXPECTED)


def test_a_known_mistake_is_named_before_any_pattern():
    msg = _message(EXPECTED * 2, EXPECTED, mistakes=[Mistake("doubled on purpose", EXPECTED * 2)])
    assert "known mistake: doubled on purpose" in msg and "Pattern:" not in msg


def test_a_nan_result_still_reaches_the_known_mistake():
    # The hint for a mistake that produces NaN (layer norm over the batch axis of one sample) must show.
    wrong = np.array([np.nan, 1.0])
    msg = _message(wrong, np.zeros(2), mistakes=[Mistake("statistics over the batch axis", wrong.copy())])
    assert "NaN or inf (1 of 2 values)" in msg and "statistics over the batch axis" in msg


def test_check_cases_names_the_parameter_that_separates_failures():
    def run(stride, padding):
        if stride > 1:
            raise IndexError("index 9 is out of bounds")

    with pytest.raises(AssertionError) as info:
        checks.check_cases("conv", [dict(stride=s, padding=p) for s in (1, 2) for p in (0, 1)], run)
    msg = str(info.value)
    assert "2 of 4 cases fail; the first is stride=2, padding=0" in msg
    assert "IndexError: index 9 is out of bounds" in msg
    assert "right when stride = 1, wrong when stride ≠ 1" in msg


def test_check_cases_names_unequal_sizes():
    def run(H, W):
        assert H == W, "wrong values"

    with pytest.raises(AssertionError, match="right when H = W, wrong when H ≠ W"):
        checks.check_cases("pool", [dict(H=4, W=4), dict(H=5, W=4), dict(H=6, W=6), dict(H=3, W=6)], run)


def test_check_cases_passes_quietly_and_stops_at_an_unfinished_exercise():
    assert checks.check_cases("ok", [dict(a=1), dict(a=2)], lambda a: None) is None
    calls = []

    def not_done(a):
        calls.append(a)
        raise NotImplementedError

    with pytest.raises(NotImplementedError):
        checks.check_cases("blank", [dict(a=1), dict(a=2)], not_done)
    assert calls == [1]


def test_check_cases_does_not_swallow_the_graders_own_errors():
    class GraderError(Exception):  # defined outside builtins, as the verifier's errors are
        pass

    def broken(a):
        raise GraderError("the student's process died")

    with pytest.raises(GraderError):
        checks.check_cases("x", [dict(a=1)], broken)


def test_one_at_a_time_changes_a_single_parameter_per_case():
    cases = checks.one_at_a_time(dict(stride=1, padding=0, K=3), stride=[2], K=[1, 2])
    assert cases == [
        dict(stride=1, padding=0, K=3),
        dict(stride=2, padding=0, K=3),
        dict(stride=1, padding=0, K=1),
        dict(stride=1, padding=0, K=2),
    ]
    with pytest.raises(KeyError):
        checks.one_at_a_time(dict(stride=1), dilation=[2])


def test_check_together_says_which_part_is_wrong_and_which_are_right():
    def wrong():
        check_array(np.ones(2), np.zeros(2), "dx")

    with pytest.raises(AssertionError) as info:
        checks.check_together("conv2d_backward", dbias=lambda: None, dx=wrong, dweight=lambda: None)
    msg = str(info.value)
    assert msg.startswith("conv2d_backward: dx wrong; dbias, dweight right.") and "dx: 2 of 2 values differ" in msg


def test_calling_names_the_call_and_the_students_line():
    def students_conv(x):
        return x[:, :2] + x[:, :3]  # broadcasting error in "their" code

    with pytest.raises(AssertionError) as info:
        with checks.calling("conv(3x3 input)"):
            students_conv(np.zeros((3, 3)))
    msg = str(info.value)
    assert (
        msg.startswith("conv(3x3 input) raised ValueError: operands could not be broadcast")
        and "of your `students_conv`: return x[:, :2] + x[:, :3]" in msg
    )
    with pytest.raises(NotImplementedError):
        with checks.calling("blank"):
            raise NotImplementedError


def test_check_cases_names_a_wrong_helper_first():
    def conv_output_size(H, K, P=0, S=1):  # the student's: padding counted once
        return (H - K + P) // S + 1

    def run(padding):
        assert padding == 0, "output vs torch: expected shape (1, 1, 5, 5), got (1, 1, 4, 4)."

    def correct(H, K, P=0, S=1):
        return (H - K + 2 * P) // S + 1

    namespace = {
        "check_cases": checks.check_cases,
        "run": run,
        "conv_output_size": conv_output_size,
        "correct": correct,
    }
    with pytest.raises(AssertionError) as info:
        exec(
            "check_cases('conv', [dict(padding=0), dict(padding=1)], run, "
            "uses={'conv_output_size': (correct, [(5, 3, 0, 1), (5, 3, 1, 1)])})",
            namespace,
        )
    msg = str(info.value)
    assert msg.startswith(
        "conv: this test uses your conv_output_size, which is wrong (conv_output_size(5, 3, 1, 1) gave 4, expected 5)"
    ), msg
    assert "right when padding = 0, wrong when padding ≠ 0" in msg
    namespace["conv_output_size"] = correct
    with pytest.raises(AssertionError) as info:
        exec(
            "check_cases('conv', [dict(padding=0), dict(padding=1)], run, "
            "uses={'conv_output_size': (correct, [(5, 3, 1, 1)])})",
            namespace,
        )
    assert "this test uses your" not in str(info.value)


@pytest.mark.slow
def test_a_passing_test_cell_says_hidden_tests_still_run():
    import nbformat

    from proofs.harness import running
    from source_helpers.feedback import MESSAGE

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("from source_helpers.checks import check_int")])
    with running(nb, timeout=60) as kernel:

        def printed(source):
            return "".join(o.get("text", "") for o in kernel.run(source).outputs if o.get("output_type") == "stream")

        assert MESSAGE in printed('"""a visible test"""\ncheck_int(1, 1, "x")')
        assert MESSAGE not in printed('check_int(1, 2, "x")')  # a failing test says why, nothing more
        assert MESSAGE not in printed("y = 1")  # not a test cell
        kernel.run("import os; os.environ['NBGRADER_EXECUTION'] = 'autograde'")
        assert MESSAGE not in printed('check_int(1, 1, "x")')  # while nbgrader grades, nothing extra


def test_check_cases_counts_numpys_own_errors_as_the_students():
    def run(axis):
        np.zeros((2, 2)).sum(axis=axis)  # numpy.exceptions.AxisError for axis 5

    with pytest.raises(AssertionError, match="AxisError: axis 5 is out of bounds"):
        checks.check_cases("sum", [dict(axis=1), dict(axis=5)], run)


def test_check_cases_keeps_a_tests_own_data_out_of_the_message():
    def run(H, _expected):
        assert H < 5, "wrong"

    with pytest.raises(AssertionError) as info:
        checks.check_cases("size", [dict(H=3, _expected=1), dict(H=7, _expected=1)], run)
    assert "the first is H=7:" in str(info.value) and "_expected" not in str(info.value)


def test_a_visible_check_can_fail_without_giving_the_answer_away():
    with pytest.raises(AssertionError) as info:
        checks.check_int(27_000_099, 27_000_100, "q02", reveal=False)
    assert "too low" in str(info.value) and "27000100" not in str(info.value).replace(",", "")
    with pytest.raises(AssertionError, match="too high") as info:
        checks.check_close_scalar(0.5, 1 / 256 + 1 / 9, "ratio", reveal=False)
    assert repr(1 / 256 + 1 / 9) not in str(info.value)
    with pytest.raises(AssertionError, match="not a number"):
        checks.check_close_scalar(float("nan"), 0.1, "ratio", reveal=False)
    checks.check_int(7, 7, "n", reveal=False)  # a right value passes as before
