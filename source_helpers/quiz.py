"""Checks for the self-check quiz (lesson 08): the form of an answer, and its value.

A question's test cell checks the **form** visibly (a whole number, a shape of three whole numbers, one of
the letters a-d, a bool) so that a student gets immediate feedback without the answer being printed, and
the **value** in a hidden block. Equivalent forms are accepted everywhere:

- a whole number may be an ``int``, an integer-valued ``float`` or a NumPy integer/float (not a ``bool``);
- a shape or a set of axes may be a ``tuple`` (``torch.Size`` included), a ``list`` or a 1-D NumPy array;
- a letter may be upper or lower case, with surrounding spaces;
- a truth value may be a ``bool`` or a NumPy ``bool_``.

Like ``checks``, these refuse objects that only imitate numbers (no custom ``__eq__`` is ever called), and
where a wrong answer is a known mistake (``mistakes={wrong_answer: "what went wrong"}``) they name it.
"""

from __future__ import annotations

import hashlib
import math
import numbers

import numpy as _np

from .checks import _NUMBER_TYPES  # the numeric types a quiz answer may have, as the checks accept them
from .i18n import shown as _shown
from .i18n import tr

_NDARRAY = _np.ndarray
_np_bool = _np.bool_
_isfinite = math.isfinite

__all__ = [
    "check_whole_number_form",
    "check_number_form",
    "check_shape_form",
    "check_axes_form",
    "check_letter_form",
    "check_bool_form",
    "answer_fingerprint",
    "check_fingerprint",
    "check_whole_number",
    "check_number",
    "check_shape_answer",
    "check_axes_answer",
    "check_letter",
    "check_bool",
]


def _number(value, name: str) -> float:
    if type(value) is bool or type(value) is _np_bool:
        raise AssertionError(
            tr("{name}: expected a number, got the truth value {value}.", name=_shown(name), value=repr(value))
        )
    if type(value) not in _NUMBER_TYPES:  # exact types: a subclass could override float(), ==, ...
        raise AssertionError(
            tr(
                "{name}: expected a number, got {type} {value}.",
                name=_shown(name),
                type=type(value).__qualname__,
                value=repr(value),
            )
        )
    if not isinstance(value, numbers.Real):
        raise AssertionError(
            tr("{name}: expected a real number, got {type}.", name=_shown(name), type=type(value).__qualname__)
        )
    f = float(value)
    if not _isfinite(f):
        raise AssertionError(tr("{name}: expected a finite number, got {value}.", name=_shown(name), value=repr(value)))
    return f


def _whole(value, name: str) -> int:
    f = _number(value, name)
    if f != int(f):
        raise AssertionError(tr("{name}: expected a whole number, got {value}.", name=_shown(name), value=repr(value)))
    return int(f)


def _sequence(value, name: str) -> list:
    if isinstance(value, tuple) or type(value) is list:
        items = list(tuple.__iter__(value)) if isinstance(value, tuple) else list(value)
    elif type(value) is _NDARRAY and value.ndim == 1:
        items = [value[i].item() for i in range(value.shape[0])]
    else:
        raise AssertionError(
            tr(
                "{name}: expected a tuple such as (3, 4, 5), got {type} {value}.",
                name=_shown(name),
                type=type(value).__qualname__,
                value=repr(value),
            )
        )
    return items


def _whole_tuple(value, name: str) -> tuple[int, ...]:
    return tuple(_whole(v, f"{name}[{i}]") for i, v in enumerate(_sequence(value, name)))


def _mistake(key, mistakes, name: str, got) -> str:
    for wrong, description in (mistakes or {}).items():
        if wrong == key:
            return tr(
                "{name}: {got} is not right. It matches a known mistake: {description}",
                name=_shown(name),
                got=repr(got),
                description=_shown(description),
            )
    return ""


# ----------------------------------------------------------------------------- form (visible)
def check_whole_number_form(value, name: str = "answer") -> None:
    """``value`` is a whole number (int, integer-valued float, NumPy number)."""
    _whole(value, name)


def check_number_form(value, name: str = "answer") -> None:
    """``value`` is a finite real number."""
    _number(value, name)


def check_shape_form(value, length: int, name: str = "answer") -> None:
    """``value`` is a tuple (or list) of ``length`` positive whole numbers."""
    dims = _whole_tuple(value, name)
    if len(dims) != length:
        raise AssertionError(
            tr(
                "{name}: expected {length} numbers, got {count}: {value}.",
                name=_shown(name),
                length=length,
                count=len(dims),
                value=repr(value),
            )
        )
    if any(d < 1 for d in dims):
        raise AssertionError(
            tr("{name}: every size must be at least 1, got {value}.", name=_shown(name), value=repr(value))
        )


def check_axes_form(value, ndim: int, name: str = "answer") -> None:
    """``value`` is a tuple (or list) of distinct axis numbers in ``0 .. ndim-1``."""
    axes = _whole_tuple(value, name)
    if not axes or len(set(axes)) != len(axes) or not all(0 <= a < ndim for a in axes):
        raise AssertionError(
            tr(
                "{name}: expected distinct axes from 0 to {last} such as (0, 1), got {value}.",
                name=_shown(name),
                last=ndim - 1,
                value=repr(value),
            )
        )


def _letter(value, name: str) -> str:
    if type(value) is not str:
        raise AssertionError(
            tr(
                "{name}: expected a letter as a string such as 'a', got {type}.",
                name=_shown(name),
                type=type(value).__qualname__,
            )
        )
    return str.lower(str.strip(value))


def check_letter_form(value, letters: str = "abcd", name: str = "answer") -> None:
    """``value`` is one of ``letters`` (a string; case and surrounding spaces do not matter)."""
    if _letter(value, name) not in list(letters):
        raise AssertionError(
            tr(
                "{name}: expected one of {allowed}, got {value}.",
                name=_shown(name),
                allowed=repr(list(letters)),
                value=repr(value),
            )
        )


def check_bool_form(value, name: str = "answer") -> None:
    """``value`` is ``True`` or ``False`` (a bool, not the string 'False' or the number 0)."""
    if type(value) is not bool and type(value) is not _np_bool:
        raise AssertionError(
            tr(
                "{name}: expected True or False (a bool), got {type} {value}.",
                name=_shown(name),
                type=type(value).__qualname__,
                value=repr(value),
            )
        )


# ----------------------------------------------------------------------------- right or wrong, now (visible)
_KINDS = ("whole", "shape", "axes", "letter", "bool")
_pbkdf2 = hashlib.pbkdf2_hmac


def _canonical(value, kind: str, name: str) -> str:
    if kind == "whole":
        return str(_whole(value, name))
    if kind == "shape":
        return ",".join(str(d) for d in _whole_tuple(value, name))
    if kind == "axes":
        return ",".join(str(d) for d in sorted(_whole_tuple(value, name)))
    if kind == "letter":
        return _letter(value, name)
    if kind == "bool":
        check_bool_form(value, name)
        return "True" if bool(value) else "False"
    raise ValueError(f"kind must be one of {_KINDS}, not {kind!r}")


def answer_fingerprint(value, kind: str, name: str) -> str:
    """A slow, salted hash of an answer's canonical form (so ``7600.0`` and ``7600`` agree).

    A visible test can tell right from wrong with it without holding the answer; guessing a number from
    its fingerprint takes about 10 ms a try."""
    canonical = _canonical(value, kind, name)
    return _pbkdf2("sha256", canonical.encode(), f"cnn-workbook/{name}".encode(), 20_000).hex()[:20]


def check_fingerprint(
    value, kind: str, fingerprint: str, name: str = "answer", mistakes: dict[str, str] | None = None
) -> None:
    """``value`` is the right answer, judged by its fingerprint: immediate feedback for self-learners that
    does not print or contain the answer. ``mistakes`` maps the fingerprints of known wrong answers to what
    went wrong, so a known mistake is named without the wrong answers being listed either. (Graded by the
    hidden value check, which names the same mistakes.)"""
    got = answer_fingerprint(value, kind, name)
    if got in (mistakes or {}) and got != fingerprint:
        raise AssertionError(
            tr(
                "{name}: {value} is not right. It matches a known mistake: {description}",
                name=_shown(name),
                value=repr(value),
                description=_shown(mistakes[got]),
            )
        )
    if got != fingerprint:
        raise AssertionError(
            tr(
                "{name}: {value} is not the right answer yet. This check knows only a fingerprint of "
                "the answer, not the answer: go back to the question and your working.",
                name=_shown(name),
                value=repr(value),
            )
        )


# ----------------------------------------------------------------------------- value (hidden)
def check_whole_number(value, expected: int, name: str = "answer", mistakes: dict | None = None) -> None:
    got = _whole(value, name)
    if got != int(expected):
        raise AssertionError(
            _mistake(got, mistakes, name, got)
            or tr("{name}: expected {expected}, got {got}.", name=_shown(name), expected=int(expected), got=got)
        )


def check_number(
    value, expected: float, name: str = "answer", *, rtol: float = 1e-3, mistakes: dict | None = None
) -> None:
    """``value`` within ``rtol`` (relative, 1e-3 by default: four significant digits suffice) of ``expected``."""
    got = _number(value, name)
    if abs(got - expected) > rtol * abs(expected):
        for wrong, description in (mistakes or {}).items():
            if abs(got - wrong) <= rtol * abs(wrong):
                raise AssertionError(
                    tr(
                        "{name}: {got} is not right. It matches a known mistake: {description}",
                        name=_shown(name),
                        got=repr(got),
                        description=_shown(description),
                    )
                )
        raise AssertionError(
            tr(
                "{name}: expected {expected} (to a relative {rtol}), got {got}.",
                name=_shown(name),
                expected=repr(expected),
                rtol=f"{rtol:g}",
                got=repr(got),
            )
        )


def check_shape_answer(value, expected: tuple, name: str = "answer", mistakes: dict | None = None) -> None:
    got = _whole_tuple(value, name)
    expected = tuple(int(e) for e in expected)
    if got != expected:
        raise AssertionError(
            _mistake(got, mistakes, name, got)
            or tr("{name}: expected {expected}, got {got}.", name=_shown(name), expected=expected, got=got)
        )


def check_axes_answer(value, expected: tuple, name: str = "answer", mistakes: dict | None = None) -> None:
    """Like ``check_shape_answer`` but the order of the axes does not matter."""
    got = tuple(sorted(_whole_tuple(value, name)))
    expected = tuple(sorted(int(e) for e in expected))
    keyed = {tuple(sorted(k)): v for k, v in (mistakes or {}).items()}
    if got != expected:
        raise AssertionError(
            _mistake(got, keyed, name, got)
            or tr("{name}: expected the axes {expected}, got {got}.", name=_shown(name), expected=expected, got=got)
        )


def check_letter(value, expected: str, name: str = "answer", mistakes: dict | None = None) -> None:
    got = _letter(value, name)
    if got != expected:
        raise AssertionError(
            _mistake(got, mistakes, name, got)
            or tr("{name}: expected {expected}, got {got}.", name=_shown(name), expected=repr(expected), got=repr(got))
        )


def check_bool(value, expected: bool, name: str = "answer") -> None:
    check_bool_form(value, name)
    if bool(value) is not bool(expected):
        raise AssertionError(
            tr("{name}: expected {expected}, got {got}.", name=_shown(name), expected=bool(expected), got=bool(value))
        )


from ._seal import seal as _seal  # noqa: E402  (last: seals the names defined above)

_seal(__name__, __all__)
