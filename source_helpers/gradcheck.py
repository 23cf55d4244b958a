"""Numerical gradients by centred differences, in float64.

For a layer ``out = f(x)`` and an upstream gradient ``dout``, the gradient of the scalar
``L = sum(f(x) * dout)`` with respect to ``x`` is what a backward pass must return. We estimate it
one coordinate at a time:

    dL/dx[i] ~= (L(x + h e_i) - L(x - h e_i)) / (2h)

With float64 and h = 1e-5 the truncation error is O(h^2) ~ 1e-10 and the rounding error about
1e-16 * |L| / h ~ 1e-11 * |L|, so a correct backward pass agrees to about 1e-7 relative error;
every known mistake is off by far more.
"""

from __future__ import annotations

from typing import Callable

import numpy as _np

from .checks import check_array
from .i18n import shown, tr

_NDARRAY = _np.ndarray
_zeros_like = _np.zeros_like
_ndindex = _np.ndindex
_float64 = _np.float64

__all__ = ["numerical_gradient", "check_gradient"]


def numerical_gradient(
    f: Callable[[_np.ndarray], _np.ndarray], x: _np.ndarray, dout: _np.ndarray, h: float = 1e-5
) -> _np.ndarray:
    """Centred-difference estimate of ``d sum(f(x) * dout) / dx``.

    ``x`` must be a float64 ndarray; it is perturbed in place and restored before returning. ``f``
    must read ``x`` afresh on each call (close over it, or take it as the argument).
    """
    if type(x) is not _NDARRAY or x.dtype != _float64:
        raise TypeError("numerical_gradient needs a float64 numpy.ndarray (float32 is far too coarse for h=1e-5)")
    if type(dout) is not _NDARRAY:
        raise TypeError("dout must be a numpy.ndarray")
    grad = _zeros_like(x)
    for idx in _ndindex(x.shape):
        old = x[idx]
        x[idx] = old + h
        plus = (f(x) * dout).sum()
        x[idx] = old - h
        minus = (f(x) * dout).sum()
        x[idx] = old
        grad[idx] = (plus - minus) / (2 * h)
    return grad


def check_gradient(
    analytic,
    f: Callable[[_np.ndarray], _np.ndarray],
    x: _np.ndarray,
    dout: _np.ndarray,
    name: str = "gradient",
    *,
    h: float = 1e-5,
    rtol: float = 1e-5,
    atol: float = 1e-7,
    mistakes=(),
) -> None:
    """Assert that a backward pass's ``analytic`` gradient matches the numerical one.

    The tolerance (``atol + rtol*|numerical|``, 1e-7 and 1e-5 by default) is stated in the failure
    message; the numerical estimate itself is accurate to about 1e-9 on the small float64 inputs used.
    """
    numeric = numerical_gradient(f, x, dout, h=h)
    check_array(
        analytic,
        numeric,
        tr("{name} (compared with the centred-difference estimate, h={h})", name=shown(name), h=f"{h:g}"),
        rtol=rtol,
        atol=atol,
        mistakes=mistakes,
    )


from ._seal import seal as _seal  # noqa: E402  (last: seals the names defined above)

_seal(__name__, __all__)
