"""source_helpers.gradcheck: centred differences in float64."""

import numpy as np
import pytest

from source_helpers.gradcheck import check_gradient, numerical_gradient


def test_numerical_gradient_of_a_known_function():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 4))
    dout = rng.standard_normal((3, 4))
    x_before = x.copy()
    grad = numerical_gradient(lambda v: np.sin(v) * v, x, dout)
    np.testing.assert_allclose(grad, (np.cos(x) * x + np.sin(x)) * dout, rtol=1e-8, atol=1e-9)
    np.testing.assert_array_equal(x, x_before)  # restored after perturbing


def test_check_gradient_passes_a_correct_and_fails_a_wrong_backward():
    rng = np.random.default_rng(1)
    x, dout = rng.standard_normal(5), rng.standard_normal(5)
    check_gradient(3 * x**2 * dout, lambda v: v**3, x, dout, "dx")
    with pytest.raises(AssertionError, match=r"dx \(compared with the centred-difference estimate, h=1e-05\)"):
        check_gradient(2 * x * dout, lambda v: v**3, x, dout, "dx")


def test_refuses_float32():
    with pytest.raises(TypeError, match="float64"):
        numerical_gradient(lambda v: v, np.zeros(3, dtype=np.float32), np.zeros(3))
