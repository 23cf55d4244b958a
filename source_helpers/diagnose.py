"""Name the pattern of a wrong answer, for mistakes nobody listed.

``check_array`` knows the expected array and the student's; when they differ, ``relation`` looks for a
simple relation between the two (a constant factor, a constant offset, errors only on the border or in
some channels, the right values in the wrong places, ...) and says it in words. ``separating_condition``
does the same across test cases: given the parameters of the cases that passed and of those that failed,
it finds the condition that tells them apart ("right when stride = 1, wrong when stride > 1").

Only messages depend on this module: whether a check passes never does.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as _np

from .i18n import tr

# Captured at import, like source_helpers.checks: a later rebinding of np.<name> changes nothing here.
_abs = _np.abs
_median = _np.median
_sort = _np.sort
_flip = _np.flip
_zeros_like = _np.zeros_like

__all__ = ["relation", "separating_condition", "describe_case"]


def _close(a, e, rtol, atol) -> bool:
    return a.shape == e.shape and bool((_abs(a - e) <= atol + rtol * _abs(e)).all())


def _factor_name(c: float, sizes: dict[str, float]) -> str:
    """' (= 1/N)' when the factor is a size of the test case, its inverse, a product of two, or (n-1)/n."""
    candidates: dict[str, float] = {}
    for name, value in sizes.items():
        if value and value != 1:
            candidates[name] = value
            candidates[f"1/{name}"] = 1 / value
            candidates[f"√{name}"] = math.sqrt(abs(value))
            candidates[f"1/√{name}"] = 1 / math.sqrt(abs(value))
            if value > 1:
                candidates[f"({name}-1)/{name}"] = (value - 1) / value
                candidates[f"{name}/({name}-1)"] = value / (value - 1)
    for (n1, v1), (n2, v2) in itertools.combinations(sizes.items(), 2):
        if v1 and v2 and v1 != 1 and v2 != 1:
            candidates[f"{n1}·{n2}"] = v1 * v2
            candidates[f"1/({n1}·{n2})"] = 1 / (v1 * v2)
    named = [name for name, value in candidates.items() if abs(c - value) <= 1e-6 * abs(value)]
    if named:
        return f" (= {named[0]})"
    if c < 0 and abs(c + 1) < 1e-9:
        return tr(" (the sign is flipped)")
    frac = Fraction(c).limit_denominator(64)
    if frac.denominator > 1 and abs(float(frac) - c) <= 1e-9 * abs(c):
        return f" (= {frac})"
    return ""


def _axis_subset(bad, axis: int) -> list[int] | None:
    """The indices along ``axis`` that hold every wrong value, when that is a strict subset."""
    other = tuple(i for i in range(bad.ndim) if i != axis)
    rows = bad.any(axis=other) if other else bad
    hit = [int(i) for i in _np.flatnonzero(rows)]
    return hit if 0 < len(hit) < bad.shape[axis] else None


def _placement(a, e, rtol, atol) -> str | None:
    """Where the right values went, when ``a`` holds the expected values in other places."""
    if a.size < 2 or not _close(_sort(a, axis=None), _sort(e, axis=None), rtol, atol):
        return None
    if a.ndim >= 2 and a.shape[-1] == a.shape[-2] and _close(a, e.swapaxes(-1, -2), rtol, atol):
        return tr("the expected values, transposed (the last two axes swapped: rows and columns)")
    for i, j in itertools.combinations(range(a.ndim), 2):
        if a.shape[i] == a.shape[j] and _close(a, e.swapaxes(i, j), rtol, atol):
            return tr("the expected values with axes {i} and {j} swapped", i=i, j=j)
    for axis in range(a.ndim):
        if _close(a, _flip(e, axis=axis), rtol, atol):
            return tr("the expected values in reverse order along axis {axis}", axis=axis)
    if _close(a.ravel(), e.transpose(tuple(reversed(range(e.ndim)))).ravel(), rtol, atol):
        return tr("the expected values laid out in the reverse axis order (a reshape without the transpose it needs?)")
    return tr(
        "the expected values, all of them, in other positions (a reshape or transpose in the wrong "
        "order, or the wrong axis?)"
    )


def _shift(a, e, rtol, atol) -> str | None:
    """The expected values moved by one position along one axis (an off-by-one slice or index)."""
    for axis in range(a.ndim):
        n = a.shape[axis]
        if n < 3:
            continue
        for step in (1, -1):
            lo, hi = (slice(1, None), slice(None, -1)) if step == 1 else (slice(None, -1), slice(1, None))
            got = a[(slice(None),) * axis + (lo,)]
            want = e[(slice(None),) * axis + (hi,)]
            if _close(got, want, rtol, atol):
                return tr(
                    "the expected values shifted by one position along axis {axis} "
                    "(index i holds the value of {other}: an off-by-one slice or index?)",
                    axis=axis,
                    other="i-1" if step == 1 else "i+1",
                )
    return None


def relation(actual, expected, bad, *, rtol: float, atol: float, sizes: dict[str, float] | None = None) -> list[str]:
    """Sentences that describe how ``actual`` (wrong where ``bad``) relates to ``expected``; float64, finite."""
    a, e, sizes = actual, expected, dict(sizes or {})
    found: list[str] = []
    ee = float((e * e).sum())
    if ee > 0:
        c = float((a * e).sum()) / ee
        if abs(c - 1) > 1e-9 and c != 0 and _close(a, c * e, rtol, atol):
            return [tr("every value is {factor} times the expected one", factor=f"{c:.6g}") + _factor_name(c, sizes)]
    d = a - e
    offset = float(_median(d))
    if offset != 0 and _close(a, e + offset, rtol, atol):
        return [
            tr(
                "every value is off by the same constant {offset} (an extra or missing term added to every value)",
                offset=f"{offset:+.6g}",
            )
        ]
    if a.ndim >= 2 and a.shape[1] > 1:
        per_channel = _median(d, axis=tuple(i for i in range(a.ndim) if i != 1), keepdims=True)
        if _close(a, e + per_channel, rtol, atol):
            return [
                tr(
                    "the error is a constant per channel (axis 1), different for each channel (a per-channel "
                    "term such as a bias, mean or β added or subtracted wrongly?)"
                )
            ]
    if not a.any() and e.any():
        return [tr("every value is 0: the output is never written, or it is multiplied by something that is 0")]
    place = _placement(a, e, rtol, atol) or _shift(a, e, rtol, atol)
    if place:
        return [tr("you return {place}", place=place)]
    zeros = bad & (a == 0) & (e != 0)
    if zeros.any() and (zeros == bad).all():
        found.append(
            tr(
                "every wrong value is 0 where the expected one is not ({count} of them): "
                "part of the output is never written or is masked out",
                count=int(zeros.sum()),
            )
        )
    if a.ndim >= 3 and min(a.shape[-2:]) >= 3:
        inner = bad[..., 1:-1, 1:-1]
        if not inner.any():
            found.append(
                tr(
                    "only values on the border (the first or last row or column of the last two axes) "
                    "are wrong: look at the padding or at the edges of your loops"
                )
            )
        elif not bad[..., :-1, :-1].any() or not bad[..., 1:, 1:].any():
            found.append(
                tr(
                    "the wrong values sit at one edge of the last two axes: a loop or slice that stops "
                    "one short or starts one late?"
                )
            )
    if a.ndim >= 2:
        samples = _axis_subset(bad, 0)
        if samples is not None:
            found.append(
                tr(
                    "only sample(s) {samples} of the {total} (axis 0) are wrong: the first sample is right "
                    "(something that uses sample 0, or a batch statistic, where each sample needs its own?)",
                    samples=_fmt_list(samples),
                    total=a.shape[0],
                )
                if 0 not in samples
                else tr(
                    "only sample(s) {samples} of the {total} (axis 0) are wrong",
                    samples=_fmt_list(samples),
                    total=a.shape[0],
                )
            )
        if a.ndim >= 3:
            channels = _axis_subset(bad, 1)
            if channels is not None:
                found.append(
                    tr(
                        "only channel(s) {channels} of the {total} (axis 1) are wrong",
                        channels=_fmt_list(channels),
                        total=a.shape[1],
                    )
                )
    elif a.ndim == 1:
        hit = _axis_subset(bad, 0)
        if hit is not None and len(hit) <= 3:
            found.append(tr("only entries {entries} are wrong", entries=_fmt_list(hit)))
    return found


def _fmt_list(values: list[int]) -> str:
    return ", ".join(str(v) for v in values[:6]) + (", …" if len(values) > 6 else "")


def _shown(case: dict) -> dict:
    """A case's parameters as the student sees them: keys starting with ``_`` (a test's own data, such as
    the expected value of a worked example) are passed to the test but neither shown nor reasoned about."""
    return {k: v for k, v in case.items() if not str(k).startswith("_")}


def describe_case(case: dict) -> str:
    return ", ".join(f"{k}={_fmt_value(v)}" for k, v in _shown(case).items())


def _fmt_value(v) -> str:
    if v is None or isinstance(v, (bool, int, float, str, tuple, list)):
        return repr(v)
    return getattr(v, "__name__", None) or repr(v)  # a dtype such as np.float32, a function


def _conditions(case: dict) -> dict[tuple[int, str, str], bool]:
    """Simple yes/no facts about one test case's parameters, as (priority, fact, its negation) -> holds."""
    facts: dict[tuple[int, str, str], bool] = {}
    case = _shown(case)
    numbers = {k: v for k, v in case.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
    for k, v in numbers.items():
        facts[(0, f"{k} = 1", f"{k} ≠ 1")] = v == 1
        facts[(0, f"{k} = 0", f"{k} ≠ 0")] = v == 0
        facts[(1, f"{k} > 1", f"{k} ≤ 1")] = v > 1
        facts[(3, f"{k} is odd", f"{k} is even", tr("{k} is odd", k=k), tr("{k} is even", k=k))] = (
            isinstance(v, int) and v % 2 == 1
        )
    for (k1, v1), (k2, v2) in itertools.combinations(numbers.items(), 2):
        facts[(2, f"{k1} = {k2}", f"{k1} ≠ {k2}")] = v1 == v2
    for k, v in case.items():
        if k not in numbers:
            facts[(4, f"{k} = {_fmt_value(v)}", f"{k} ≠ {_fmt_value(v)}")] = True
    return facts


def separating_condition(passed: list[dict], failed: list[dict]) -> tuple[str, str] | None:
    """(right when ..., wrong when ...) for the simplest fact that holds in every failing case and in no
    passing one, or the other way round; None when no single fact separates them. (A fact's key may carry its
    translation after the English, which alone orders the facts: the choice does not depend on the language.)"""
    if not passed or not failed:
        return None
    facts_passed = [_conditions(c) for c in passed]
    facts_failed = [_conditions(c) for c in failed]
    for key in sorted(set().union(*facts_passed, *facts_failed)):
        fact, negation = key[-2:]
        in_failed = [f.get(key, False) for f in facts_failed]
        in_passed = [f.get(key, False) for f in facts_passed]
        if all(in_failed) and not any(in_passed):
            return negation, fact
        if not any(in_failed) and all(in_passed):
            return fact, negation
    return None
