"""Widget plumbing shared by all lessons: compute -> plot -> interactive builder."""

from __future__ import annotations

import io
import os
from typing import Any, Callable, Mapping

import ipywidgets as W
from matplotlib.figure import Figure

__all__ = ["grading", "new_figure", "figure_png", "interactive_figure"]


def grading() -> bool:
    """True while nbgrader validates or autogrades (it sets ``NBGRADER_EXECUTION``)."""
    return bool(os.environ.get("NBGRADER_EXECUTION"))


def new_figure(width: float = 8.0, height: float = 3.5) -> Figure:
    """A Figure that is not registered with pyplot: nothing accumulates across redraws."""
    return Figure(figsize=(width, height), layout="constrained")


def figure_png(fig: Figure, dpi: int = 90) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def interactive_figure(compute: Callable[..., Any], plot: Callable[[Any], Figure],
                       controls: Mapping[str, W.Widget], fixed: Mapping[str, Any] | None = None,
                       title: str | None = None) -> W.Widget:
    """``ipywidgets.interactive`` over ``compute(**controls, **fixed)``, showing ``plot(result)``.

    The returned widget's ``.result`` holds the latest compute result and ``.controls`` maps names
    to the control widgets, so tests can set ``w.controls["K"].value = 5`` and read ``w.result``.
    """
    if grading():
        return W.HTML("<i>(interactive widget not built while nbgrader runs this notebook)</i>")
    from IPython.display import Image, display

    def update(**kwargs):
        result = compute(**kwargs)
        display(Image(figure_png(plot(result))))
        return result

    bound = {name: W.fixed(value) for name, value in (fixed or {}).items()}
    widget = W.interactive(update, **dict(controls), **bound)
    widget.controls = dict(controls)
    if title:
        widget.children = (W.HTML(f"<b>{title}</b>"),) + tuple(widget.children)
    return widget
