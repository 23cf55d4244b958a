"""Widget plumbing shared by all lessons: compute -> plot -> interactive builder."""

from __future__ import annotations

import base64
import contextlib
import io
import os
from dataclasses import dataclass
from typing import Any, Callable, Mapping

import ipywidgets as W
import numpy as np
from matplotlib.figure import Figure

from ..i18n import tr

__all__ = [
    "grading",
    "new_figure",
    "figure_png",
    "png_output",
    "interactive_figure",
    "NOT_DONE",
    "Yours",
    "try_yours",
    "yours_or",
    "same_shape",
    "close",
]


def grading() -> bool:
    """True while nbgrader validates or autogrades (it sets ``NBGRADER_EXECUTION``)."""
    return bool(os.environ.get("NBGRADER_EXECUTION"))


# ----------------------------------------------------------------------------- the student's function, else torch
NOT_DONE = "is not implemented yet"


@dataclass(frozen=True)
class Yours:
    """What became of the student's function in a widget: ``used`` (it ran, and ``value`` is what it gave,
    in the form the picture needs), or ``why`` not ("is not implemented yet", "raised ValueError: ...",
    "returned shape (2, 3), expected (4, 3)"). ``given`` is False when no function was passed."""

    name: str
    given: bool
    value: Any = None
    error: BaseException | None = None
    why: str | None = None

    @property
    def used(self) -> bool:
        return self.given and self.why is None

    def source(self, reference: str, differs: bool = False) -> str:
        """Whose result the picture shows: ``your <name>`` (and whether it differs from the reference),
        else the reference's name, with why yours is not shown."""
        if self.used:
            return (
                tr("your {name} (differs from {reference})", name=self.name, reference=reference)
                if differs
                else tr("your {name}", name=self.name)
            )
        if not self.given:
            return reference
        why = tr(NOT_DONE) if self.why == NOT_DONE else self.why  # NOT_DONE stays English: widgets compare with it
        return tr("{reference} (your {name} {why})", reference=reference, name=self.name, why=why)


def _brief(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0][:80]}" if text else type(exc).__name__


def try_yours(
    fn: Callable | None, run: Callable[[Callable], Any], *, name: str, usable: Callable[[Any], str | None] | None = None
) -> Yours:
    """The one rule for "the student's function, else torch", first half: run ``run(fn)``.

    ``run`` calls the student's ``fn`` with the lesson's signature and turns its answer into what the
    picture needs (``lambda f: f(x, w, b)[0]``). Not given, ``NotImplementedError`` (the exercise is not
    done), any other error, or an answer that ``usable`` refuses (it returns what is wrong, else None):
    not used, and ``why`` says so. A wrong but usable answer *is* used: students watch their own code.
    """
    if fn is None:
        return Yours(name, given=False)
    try:
        value = run(fn)
    except NotImplementedError as exc:
        return Yours(name, True, error=exc, why=NOT_DONE)
    except Exception as exc:  # the widget shows the student's error instead of breaking
        return Yours(name, True, error=exc, why=tr("raised {error}", error=_brief(exc)))
    return Yours(name, True, value=value, why=usable(value) if usable else None)


def same_shape(reference: np.ndarray) -> Callable[[Any], str | None]:
    """``usable`` for an array answer: numbers, of the reference's shape."""

    def usable(value) -> str | None:
        value = np.asarray(value)
        if not np.issubdtype(value.dtype, np.number):
            return tr("returned {dtype} values, not numbers", dtype=value.dtype)
        if value.shape != reference.shape:
            return tr("returned shape {got}, expected {expected}", got=value.shape, expected=reference.shape)
        return None

    return usable


def close(rtol: float = 1e-7, atol: float = 1e-9) -> Callable[[Any, Any], bool]:
    """``agrees`` for arrays: equal to the reference within float64 rounding."""
    return lambda mine, reference: bool(np.allclose(mine, reference, rtol=rtol, atol=atol))


def yours_or(
    reference: Any,
    reference_name: str,
    fn: Callable | None,
    run: Callable[[Callable], Any],
    *,
    name: str,
    usable: Callable[[Any], str | None] | None = None,
    agrees: Callable[[Any, Any], bool] | None = None,
) -> tuple[Any, str, Yours]:
    """The whole rule: ``(shown, source, yours)``, where ``shown`` is the student's answer when
    ``try_yours`` uses it, else ``reference``; ``source`` says whose it is, why not yours, or (with
    ``agrees``) that yours differs from the reference. An ndarray reference asks for ``same_shape``."""
    if usable is None and isinstance(reference, np.ndarray):
        usable = same_shape(reference)
    yours = try_yours(fn, run, name=name, usable=usable)
    if not yours.used:
        return reference, yours.source(reference_name), yours
    differs = agrees is not None and not agrees(yours.value, reference)
    return yours.value, yours.source(reference_name, differs), yours


# ----------------------------------------------------------------------------- figures and the builder
def new_figure(width: float = 8.0, height: float = 3.5) -> Figure:
    """A Figure that is not registered with pyplot: nothing accumulates across redraws."""
    return Figure(figsize=(width, height), layout="constrained")


def figure_png(fig: Figure, dpi: int = 90) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def png_output(png: bytes, text: str = "<Figure>") -> dict:
    """The picture as a notebook ``display_data`` output (what an ``Output`` widget's ``outputs`` hold)."""
    return {
        "output_type": "display_data",
        "metadata": {},
        "data": {"image/png": base64.b64encode(png).decode("ascii"), "text/plain": text},
    }


def interactive_figure(
    compute: Callable[..., Any],
    plot: Callable[[Any], Figure],
    controls: Mapping[str, W.Widget],
    fixed: Mapping[str, Any] | None = None,
    title: str | None = None,
) -> W.Widget:
    """``ipywidgets.interactive`` over ``compute(**controls, **fixed)``, showing ``plot(result)``.

    The returned widget's ``.result`` holds the latest compute result and ``.controls`` maps names
    to the control widgets, so tests can set ``w.controls["K"].value = 5`` and read ``w.result``;
    ``.png`` is the latest picture.

    The picture, and anything compute printed (a student's debugging output, a warning), is written
    into the output widget's ``outputs`` state, never ``display``-ed or printed inside it (and the
    output is not cleared first): output routed through an ``Output`` widget makes a front end without
    a browser (nbclient, which the tests, ``nbgrader`` and ``jupyter execute`` use) answer on the
    kernel's shell channel while it waits there for the cell's reply, and the reply it then misses
    arrives only at the cell timeout (120 s), with no error (jupyter/nbclient#312, still open). JupyterLab
    renders the state the same way.
    """
    if grading():
        return W.HTML("<i>" + tr("(interactive widget not built while nbgrader runs this notebook)") + "</i>")
    holder: dict[str, Any] = {}

    def show(png: bytes, printed: str) -> None:
        widget = holder["widget"]
        widget.png = png
        text = [{"output_type": "stream", "name": "stdout", "text": printed}] if printed else []
        widget.out.outputs = (*text, png_output(png))

    def update(**kwargs):
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
            result = compute(**kwargs)
            png = figure_png(plot(result))
        if "widget" in holder:
            show(png, printed.getvalue())
        else:  # the first call, from inside ``interactive(...)``: shown once the widget exists
            holder["first"] = png, printed.getvalue()
        return result

    bound = {name: W.fixed(value) for name, value in (fixed or {}).items()}
    widget = W.interactive(update, clear_output=False, **dict(controls), **bound)
    holder["widget"] = widget
    if "first" in holder:  # else compute raised, and interactive shows the traceback in the output
        show(*holder.pop("first"))
    widget.controls = dict(controls)
    if title:
        widget.children = (W.HTML(f"<b>{title}</b>"),) + tuple(widget.children)
    return widget
