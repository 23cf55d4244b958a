"""Lesson 02 widget: the pixel inspector (a 1x1 convolution is one matrix-vector product per pixel)."""

from __future__ import annotations

from typing import Callable

import ipywidgets as W
import numpy as np
from matplotlib.patches import Circle

from .. import torch_ref
from ..data import sample_image
from ..i18n import tr
from .core import interactive_figure, new_figure, yours_or

__all__ = ["COLOR_MIXER", "MIXER_NAMES", "inspect_pixel", "plot_pixel", "pixel_inspector"]

# Four 1x1 filters on an RGB image: each is a recipe for mixing the three colour channels.
MIXER_NAMES = ("brightness", "red-green", "blue-yellow", "green")
COLOR_MIXER = np.array(
    [
        [0.299, 0.587, 0.114],
        [1.0, -1.0, 0.0],
        [-0.5, -0.5, 1.0],
        [0.0, 1.0, 0.0],
    ]
)[:, :, None, None]  # (C_out, C_in, 1, 1), like torch.nn.Conv2d(3, 4, kernel_size=1)


def inspect_pixel(
    image: np.ndarray, weight: np.ndarray, bias: np.ndarray, row: int, col: int, forward_fn: Callable | None = None
) -> dict:
    """One 1x1 conv on a ``(C_in, H, W)`` image, and what happens at pixel ``(row, col)``.

    ``forward_fn(x, weight, bias) -> (out, cache)`` is the student's 1x1 conv; until it works
    (``core.yours_or``) torch's ``conv2d`` makes the output, and ``source`` says which one did.
    ``by_hand`` is ``W @ x_vec + b`` for the chosen pixel, so the picture shows that the output vector
    is one matrix-vector product.
    """
    C_in, H, W_ = image.shape
    row, col = int(np.clip(row, 0, H - 1)), int(np.clip(col, 0, W_ - 1))
    x = image[None].astype(np.float64)
    reference = torch_ref.conv2d(x, weight, bias)[0]
    out, source, yours = yours_or(
        reference,
        "torch.nn.functional.conv2d",
        forward_fn,
        lambda f: np.asarray(f(x, weight, bias)[0])[0],
        name="conv1x1_forward",
    )
    max_diff = float(np.abs(out - reference).max()) if yours.used else None
    matrix = weight[:, :, 0, 0]
    x_vec = image[:, row, col].astype(np.float64)
    return dict(
        image=image,
        weight=matrix,
        bias=np.asarray(bias, dtype=np.float64),
        row=row,
        col=col,
        x_vec=x_vec,
        out_vec=out[:, row, col],
        by_hand=matrix @ x_vec + bias,
        out=out,
        source=source,
        max_diff=max_diff,
    )


def _annotated(ax, values, title, cmap="RdBu_r"):
    lim = float(np.abs(values).max()) or 1.0
    ax.imshow(values, cmap=cmap, vmin=-lim, vmax=lim, aspect="equal")
    for (i, j), v in np.ndenumerate(values):
        ax.text(
            j, i, f"{v:.2f}", ha="center", va="center", fontsize=8, color="white" if abs(v) > 0.6 * lim else "black"
        )
    ax.set_title(title, fontsize=9)
    ax.set_xticks([])
    ax.set_yticks([])


def plot_pixel(r: dict, names=MIXER_NAMES):
    fig = new_figure(11, 4.2)
    left, mid, right = fig.subfigures(1, 3, width_ratios=[2.2, 3.2, 3.0])
    ax = left.subplots()
    img = r["image"]
    ax.imshow(np.clip(img.transpose(1, 2, 0), 0, 1) if img.shape[0] == 3 else img[0], cmap="gray")
    ax.add_patch(Circle((r["col"], r["row"]), 1.5, fill=False, edgecolor="yellow", linewidth=2))
    ax.set_title(
        tr(
            "input {c} x {h} x {w}\npixel (row {row}, col {col})",
            c=img.shape[0],
            h=img.shape[1],
            w=img.shape[2],
            row=r["row"],
            col=r["col"],
        ),
        fontsize=9,
    )
    ax.set_xticks([])
    ax.set_yticks([])
    n_out, n_in = r["weight"].shape
    ax_w, ax_x, ax_b, ax_y = mid.subplots(1, 4, width_ratios=[n_in, 1, 1, 1])
    _annotated(ax_w, r["weight"], f"W ({n_out} x {n_in})")
    ax_w.set_yticks(range(n_out), [tr(n) for n in names[:n_out]], fontsize=7)
    _annotated(ax_x, r["x_vec"][:, None], tr("x at pixel"))
    if n_in == 3:
        ax_w.set_xticks(range(3), ["R", "G", "B"], fontsize=7)
        ax_x.set_yticks(range(3), ["R", "G", "B"], fontsize=7)
    _annotated(ax_b, r["bias"][:, None], "+ b")
    _annotated(ax_y, r["out_vec"][:, None], "= y")
    mid.suptitle(tr("y = W x + b: one matrix-vector product per pixel"), fontsize=9)
    axes = right.subplots(2, 2).ravel() if n_out == 4 else right.subplots(1, n_out).ravel()
    for k, ax_o in enumerate(axes[:n_out]):
        lim = float(np.abs(r["out"][k]).max()) or 1.0
        ax_o.imshow(r["out"][k], cmap="RdBu_r", vmin=-lim, vmax=lim)
        ax_o.add_patch(Circle((r["col"], r["row"]), 1.5, fill=False, edgecolor="black", linewidth=1.5))
        ax_o.set_title(tr(names[k]) if k < len(names) else tr("channel {k}", k=k), fontsize=8)
        ax_o.set_xticks([])
        ax_o.set_yticks([])
    title = tr("output by {source}", source=r["source"])
    if r["max_diff"] is not None:
        title += "\n" + tr("max |yours - torch| = {diff}", diff=f"{r['max_diff']:.1e}")
    right.suptitle(title, fontsize=8)
    return fig


def pixel_inspector(
    forward_fn: Callable | None = None,
    image: np.ndarray | None = None,
    weight: np.ndarray | None = None,
    bias: np.ndarray | None = None,
) -> W.Widget:
    """Pick a pixel; see its channel vector, the 1x1 conv's weight matrix and the output vector there."""
    image = sample_image(size=(48, 40), gray=False) if image is None else image
    weight = COLOR_MIXER if weight is None else weight
    bias = np.zeros(weight.shape[0]) if bias is None else bias
    controls = dict(
        row=W.IntSlider(20, 0, image.shape[1] - 1, description=tr("row"), continuous_update=False),
        col=W.IntSlider(20, 0, image.shape[2] - 1, description=tr("col"), continuous_update=False),
    )
    return interactive_figure(
        inspect_pixel,
        plot_pixel,
        controls,
        fixed=dict(image=image, weight=weight, bias=bias, forward_fn=forward_fn),
        title=tr("Pixel inspector: a 1x1 conv mixes the channels of one pixel"),
    )
