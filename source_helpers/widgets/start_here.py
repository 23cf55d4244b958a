"""Lesson 00 widget: a fully connected layer and a convolution on the same image, counted in parameters."""

from __future__ import annotations

import numbers
from typing import Callable

import ipywidgets as W
import torch

from .. import torch_ref
from ..i18n import tr
from .core import interactive_figure, new_figure, try_yours

__all__ = ["layer_parameters", "plot_layer_parameters", "parameter_explorer"]


def layer_parameters(H: int, C_in: int, units: int, K: int, fc_count_fn: Callable | None = None) -> dict:
    """Parameters of two layers on a C_in x H x H image, each with ``units`` outputs per position.

    ``fc``: a fully connected layer on the flattened image (C_in*H*H inputs, ``units`` outputs), from
    the student's ``fc_count_fn(n_in, n_out)`` when it returns a positive whole number, else from
    ``torch.nn.Linear``. ``conv``: ``units`` filters of K x K over all C_in channels (``torch.nn.Conv2d``).
    Both layers are built on torch's "meta" device: shapes only, no memory.
    """
    n_in = C_in * H * H
    torch_fc = torch_ref.param_count(torch.nn.Linear(n_in, units, device="meta"))
    conv = torch_ref.param_count(torch.nn.Conv2d(C_in, units, K, device="meta"))
    yours = try_yours(fc_count_fn, lambda f: f(n_in, units), name="fc_parameter_count", usable=_whole)
    fc = int(yours.value) if yours.used else torch_fc
    if yours.error is not None:  # shown instead of breaking the widget
        not_done = isinstance(yours.error, NotImplementedError)
        student = tr("not implemented yet") if not_done else f"{type(yours.error).__name__}: {yours.error}"
    else:
        student = repr(yours.value) if yours.given else None
    return dict(
        H=H,
        C_in=C_in,
        units=units,
        K=K,
        n_in=n_in,
        fc=fc,
        source=yours.source("torch.nn.Linear"),
        torch_fc=torch_fc,
        conv=conv,
        ratio=fc / conv,
        student=student,
        used=yours.used,
    )


def _whole(value) -> str | None:
    whole = isinstance(value, numbers.Real) and not isinstance(value, bool) and float(value).is_integer() and value > 0
    return None if whole else "did not return a positive whole number"


def plot_layer_parameters(r: dict):
    fig = new_figure(8, 2.8)
    ax = fig.subplots()
    labels = [
        tr("fully connected\n{n_in} inputs -> {units}", n_in=f"{r['n_in']:,}", units=r["units"]),
        tr("convolution\n{units} filters of {C_in} x {K} x {K}", units=r["units"], C_in=r["C_in"], K=r["K"]),
    ]
    values = [r["fc"], r["conv"]]
    bars = ax.barh(labels, values, color=["tab:orange", "tab:blue"])
    ax.set_xscale("log")
    ax.set_xlim(1, max(values) * 30)
    ax.invert_yaxis()
    for bar, value in zip(bars, values, strict=True):
        ax.text(value * 1.15, bar.get_y() + bar.get_height() / 2, f"{value:,}", va="center", fontsize=10)
    ax.set_xlabel(tr("learnable parameters (log scale)"))
    call = f"fc_parameter_count({r['n_in']}, {r['units']})"
    if r["used"]:
        source = tr("your {call} = {student}", call=call, student=r["student"])
    elif r["student"] is not None:
        source = tr("torch.nn.Linear (your {call}: {student})", call=call, student=r["student"])
    else:
        source = "torch.nn.Linear"
    text = tr(
        "a {C_in} x {H} x {H} image: the FC layer needs {ratio}x the parameters of the conv layer\n"
        "FC count from {source}",
        C_in=r["C_in"],
        H=r["H"],
        ratio=f"{r['ratio']:,.0f}",
        source=source,
    )
    fig.suptitle(text, fontsize=9)
    return fig


def parameter_explorer(fc_count_fn: Callable | None = None) -> W.Widget:
    """Sliders for the image (H, C_in), the number of units/filters and K; pass your ``fc_parameter_count``."""
    slider = dict(continuous_update=False)
    controls = dict(
        H=W.IntSlider(32, 8, 224, description="H = W", **slider),
        C_in=W.IntSlider(3, 1, 64, description="C_in", **slider),
        units=W.IntSlider(100, 1, 512, description=tr("units"), **slider),
        K=W.IntSlider(5, 1, 7, description="K", **slider),
    )
    return interactive_figure(
        layer_parameters,
        plot_layer_parameters,
        controls,
        fixed=dict(fc_count_fn=fc_count_fn),
        title=tr("Fully connected vs convolution: learnable parameters"),
    )
