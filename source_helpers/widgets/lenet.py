"""Lesson 04 widgets and plots: the LeNet architecture explorer, training curves, learned filters.

The explorer shows the layer-by-layer table (output shape and parameter count) of a
[Conv -> ReLU -> MaxPool] x 2 -> Flatten -> [FC -> ReLU] -> FC network. It uses the student's own
table function when given and working, and otherwise traces the same network through PyTorch
layers on the ``meta`` device (shapes only, no memory, no arithmetic).
"""

from __future__ import annotations

from typing import Callable, Sequence

import ipywidgets as W
import numpy as np
import torch
from torch import nn

from ..i18n import is_korean, tr
from .core import figure_png, interactive_figure, new_figure, try_yours

__all__ = [
    "torch_table",
    "architecture",
    "plot_architecture",
    "architecture_explorer",
    "plot_training",
    "plot_filters",
    "show",
]


# ----------------------------------------------------------------------------- the table, traced by torch
def _kind(module: nn.Module) -> str:
    return {nn.Conv2d: "conv", nn.ReLU: "relu", nn.MaxPool2d: "pool", nn.Flatten: "flatten", nn.Linear: "fc"}[
        type(module)
    ]


def torch_table(
    input_shape: tuple[int, int, int],
    conv_channels: Sequence[int] = (20, 50),
    fc_widths: Sequence[int] = (500,),
    num_classes: int = 10,
    kernel_size: int = 5,
    padding: int = 2,
    pool_size: int = 2,
) -> dict:
    """The layer table of the LeNet-style network, traced through PyTorch layers on the meta device.

    Returns ``rows`` (``(name, shape without the batch axis, parameter count)``, starting with the
    input) and ``error``: None, or a sentence saying which layer is impossible and why (the table
    stops there).
    """
    C, H, W_ = input_shape
    rows: list[tuple[str, tuple[int, ...], int]] = [("input", (C, H, W_), 0)]
    x = torch.empty((1, C, H, W_), device="meta")
    counts: dict[str, int] = {}

    def add(module, name):
        nonlocal x
        x = module(x)
        rows.append((name, tuple(x.shape[1:]), sum(p.numel() for p in module.parameters())))

    for C_out in conv_channels:
        i = counts["conv"] = counts.get("conv", 0) + 1
        h, w = x.shape[2:]
        if min(h, w) + 2 * padding < kernel_size:
            return dict(
                rows=rows,
                error=tr(
                    "conv{i}: the {K}x{K} kernel does not fit the {h}x{w} map padded to {hp}x{wp} (P={P} per side)",
                    i=i,
                    K=kernel_size,
                    h=h,
                    w=w,
                    hp=h + 2 * padding,
                    wp=w + 2 * padding,
                    P=padding,
                ),
            )
        add(nn.Conv2d(x.shape[1], C_out, kernel_size, padding=padding, device="meta"), f"conv{i}")
        add(nn.ReLU(), f"relu{i}")
        h, w = x.shape[2:]
        if min(h, w) < pool_size:
            return dict(
                rows=rows,
                error=tr(
                    "pool{i}: the {K}x{K} pooling window does not fit the {h}x{w} map "
                    "(the input is too small for this many stages)",
                    i=i,
                    K=pool_size,
                    h=h,
                    w=w,
                ),
            )
        add(nn.MaxPool2d(pool_size), f"pool{i}")
    add(nn.Flatten(), "flatten")
    widths = list(fc_widths) + [num_classes]
    for j, width in enumerate(widths, start=1):
        add(nn.Linear(x.shape[1], width, device="meta"), f"fc{j}")
        if j < len(widths):
            add(nn.ReLU(), f"relu{len(conv_channels) + j}")
    return dict(rows=rows, error=None)


# ----------------------------------------------------------------------------- architecture explorer
def architecture(
    input_size: int = 28,
    in_channels: int = 1,
    conv1: int = 20,
    conv2: int = 50,
    fc: int = 500,
    kernel_size: int = 5,
    padding: int = 2,
    pool_size: int = 2,
    num_classes: int = 10,
    table_fn: Callable | None = None,
) -> dict:
    """Everything the explorer shows: the table (yours if ``table_fn`` works, else torch's), totals, errors.

    ``table_fn`` has the lesson's signature ``layer_table(input_shape, conv_channels, fc_widths,
    num_classes, kernel_size, padding, pool_size)``. ``source`` says whose table is shown; when both
    ran, ``agrees`` says whether yours equals torch's.
    """
    settings = dict(
        conv_channels=(conv1, conv2),
        fc_widths=(fc,) if fc else (),
        num_classes=num_classes,
        kernel_size=kernel_size,
        padding=padding,
        pool_size=pool_size,
    )
    shape = (in_channels, input_size, input_size)
    ref = torch_table(shape, **settings)
    rows, error, agrees = ref["rows"], ref["error"], None
    yours = try_yours(
        table_fn,
        lambda f: [(str(n), tuple(int(s) for s in sh), int(p)) for n, sh, p in f(shape, **settings)],
        name="layer_table",
    )
    source = yours.source(tr("torch layers"))
    if yours.used:
        agrees = error is None and [r[1:] for r in yours.value] == [r[1:] for r in rows]
        if error is None:
            rows, source = yours.value, yours.source(tr("torch layers"), differs=not agrees)
        else:
            source = tr("torch layers (your layer_table gave a table for a network that cannot be built)")
    elif isinstance(yours.error, ValueError):  # raising is the right answer for an impossible network
        agrees = error is not None
    total = sum(p for _, _, p in rows) if error is None else None
    return dict(rows=rows, error=error, total=total, source=source, agrees=agrees, input_shape=shape, settings=settings)


def plot_architecture(r: dict):
    fig = new_figure(11, 4.6)
    ax_t, ax_b = fig.subplots(1, 2, width_ratios=[1.1, 1])
    ax_t.axis("off")
    cells = [[name, " x ".join(map(str, shape)), f"{p:,}"] for name, shape, p in r["rows"]]
    table = ax_t.table(
        cellText=cells,
        colLabels=[tr("layer"), tr("output shape"), tr("parameters")],
        loc="upper center",
        cellLoc="left",
        colLoc="left",
    )
    table.auto_set_font_size(False)
    table.set_fontsize(8.5)
    table.scale(1, 1.25)
    if r["error"]:
        ax_t.set_title(tr("impossible: {error}", error=r["error"]), fontsize=9, color="red", wrap=True)
    else:
        ax_t.set_title(
            tr("{total} parameters in all  (table by {source})", total=f"{r['total']:,}", source=r["source"]),
            fontsize=9,
        )
    weighted = [(n, p) for n, _, p in r["rows"] if p > 0]
    if weighted and not r["error"]:
        names = [n for n, _ in weighted][::-1]
        values = np.array([p for _, p in weighted][::-1], dtype=float)
        bars = ax_b.barh(names, values, color=["tab:orange" if n.startswith("fc") else "tab:blue" for n in names])
        share = values / values.sum()
        for bar, v, s in zip(bars, values, share, strict=True):
            ax_b.text(
                bar.get_width(), bar.get_y() + bar.get_height() / 2, f" {int(v):,} ({s:.2%})", va="center", fontsize=8
            )
        ax_b.set_xlim(0, values.max() * 1.45)
        ax_b.set_xlabel(tr("parameters (blue: conv, orange: fully connected)"), fontsize=8)
        ax_b.set_title(tr("parameters per layer"), fontsize=9)
        ax_b.tick_params(labelsize=8)
    else:
        ax_b.axis("off")
        ax_b.text(
            0.5,
            0.5,
            tr(
                "no valid network for these settings:\nmake the input larger, the kernel smaller\nor the padding larger"
            ),
            ha="center",
            va="center",
            fontsize=10,
            color="red",
        )
    return fig


def architecture_explorer(table_fn: Callable | None = None) -> W.Widget:
    """Sliders for input size, channel widths, kernel and padding; pass your ``layer_table`` to see it at work."""
    slider = dict(continuous_update=False)
    controls = dict(
        input_size=W.IntSlider(28, 4, 64, description=tr("input H=W"), **slider),
        in_channels=W.Dropdown(options=[1, 3], value=1, description="C_in"),
        conv1=W.IntSlider(20, 1, 64, description="conv1 C_out", **slider),
        conv2=W.IntSlider(50, 1, 128, description="conv2 C_out", **slider),
        fc=W.IntSlider(500, 0, 1000, step=10, description=tr("fc1 width"), **slider),
        kernel_size=W.IntSlider(5, 1, 9, description="K", **slider),
        padding=W.IntSlider(2, 0, 4, description="P", **slider),
    )
    return interactive_figure(
        architecture,
        plot_architecture,
        controls,
        fixed=dict(table_fn=table_fn),
        title=tr("LeNet architecture explorer: [Conv-ReLU-Pool] x 2, Flatten, FC-ReLU, FC"),
    )


# ----------------------------------------------------------------------------- training plots
def plot_training(history: dict):
    """``history``: ``loss`` per step, ``steps_per_epoch``, and ``train_acc`` and ``test_acc`` per epoch."""
    fig = new_figure(10, 3.4)
    ax_l, ax_a = fig.subplots(1, 2)
    loss = np.asarray(history["loss"])
    epochs_axis = np.arange(1, len(loss) + 1) / history["steps_per_epoch"]
    ax_l.plot(epochs_axis, loss, lw=0.8, alpha=0.5, label=tr("mini-batch"))
    if len(loss) >= 10:
        smooth = np.convolve(loss, np.ones(10) / 10, mode="valid")
        ax_l.plot(epochs_axis[9:], smooth, lw=1.8, label=tr("mean of 10"))
    ax_l.set_yscale("log")
    if is_korean():  # log-axis labels are mathtext, whose minus is U+2212: NanumGothic has none, so plain text
        from matplotlib.ticker import LogFormatter

        ax_l.yaxis.set_major_formatter(LogFormatter())
        ax_l.yaxis.set_minor_formatter(LogFormatter(labelOnlyBase=False, minor_thresholds=(2, 0.5)))
    ax_l.set_xlabel(tr("epoch"))
    ax_l.set_title(tr("training loss (cross-entropy)"), fontsize=10)
    ax_l.legend(fontsize=8)
    ep = np.arange(1, len(history["test_acc"]) + 1)
    ax_a.plot(ep, history["train_acc"], "o-", label=tr("train (during the epoch)"))
    ax_a.plot(ep, history["test_acc"], "s-", label=tr("test"))
    for e, a in zip(ep, history["test_acc"], strict=True):
        ax_a.annotate(
            f"{a:.1%}", (e, a), textcoords="offset points", xytext=(0, 7), ha="center", fontsize=8, color="tab:orange"
        )
    low, high = min(history["train_acc"] + history["test_acc"]), max(history["train_acc"] + history["test_acc"])
    ax_a.set_ylim(low - 0.02, min(high + 0.03, 1.005))
    ax_a.set_xticks(ep)
    ax_a.set_xlabel(tr("epoch"))
    ax_a.set_title(tr("accuracy"), fontsize=10)
    ax_a.legend(fontsize=8)
    return fig


def plot_filters(weight: np.ndarray, columns: int = 10):
    """The first layer's filters ``(C_out, 1, K, K)`` as small images (red positive, blue negative)."""
    weight = np.asarray(weight)
    n = weight.shape[0]
    rows = -(-n // columns)
    fig = new_figure(columns * 0.9, rows * 0.95 + 0.4)
    axes = np.atleast_1d(fig.subplots(rows, columns)).ravel()
    for i, ax in enumerate(axes):
        ax.set_xticks([])
        ax.set_yticks([])
        if i >= n:
            ax.axis("off")
            continue
        k = weight[i, 0]
        lim = np.abs(k).max() or 1.0
        ax.imshow(k, cmap="RdBu_r", vmin=-lim, vmax=lim)
        ax.set_title(str(i), fontsize=7)
    fig.suptitle(tr("the {n} learned conv1 filters ({h}x{w})", n=n, h=weight.shape[2], w=weight.shape[3]), fontsize=10)
    return fig


def show(fig) -> None:
    """Display a Figure in the notebook as a PNG (the figures here are not registered with pyplot)."""
    from IPython.display import Image, display

    display(Image(figure_png(fig)))
