"""Lesson 01 widgets: the conv-arithmetic explorer and the filter playground."""

from __future__ import annotations

from typing import Callable

import ipywidgets as W
import numpy as np
from matplotlib.patches import Rectangle

from .. import torch_ref
from ..data import sample_image
from ..i18n import tr
from .core import NOT_DONE, interactive_figure, new_figure, try_yours, yours_or

__all__ = [
    "conv_arithmetic",
    "plot_conv_arithmetic",
    "conv_arithmetic_explorer",
    "FILTERS",
    "apply_filter",
    "plot_filter",
    "filter_playground",
]


# ----------------------------------------------------------------------------- conv arithmetic
def conv_arithmetic(H: int, K: int, P: int, S: int, step: int = 0, output_size_fn: Callable | None = None) -> dict:
    """Everything the explorer shows for one axis of size H, kernel K, padding P (per side), stride S.

    ``exact`` is (H - K + 2P)/S + 1 as a real number; ``valid`` says whether it is a positive
    integer. ``starts`` are the window's first rows in the padded input (what torch would use,
    which floors when the division is not exact); ``uncovered`` counts padded rows past the last
    window. ``step`` picks the highlighted window (row-major over the output, wrapping around).
    """
    padded = H + 2 * P
    span = padded - K
    exact = span / S + 1
    fits = span >= 0
    valid = fits and span % S == 0
    out = span // S + 1 if fits else 0
    starts = [i * S for i in range(out)]
    uncovered = span - (out - 1) * S if fits else 0
    formula = tr(
        "H' = (H - K + 2P)/S + 1 = ({H} - {K} + 2*{P})/{S} + 1 = {exact}", H=H, K=K, P=P, S=S, exact=f"{exact:g}"
    )
    if not fits:
        verdict = tr("impossible: the {K}-wide kernel does not fit in the padded input of {padded}", K=K, padded=padded)
    elif not valid:
        verdict = tr(
            "not an integer: the last {uncovered} padded row(s) are never covered, so H' floors to {out} (as in torch)",
            uncovered=uncovered,
            out=out,
        )
    else:
        verdict = tr("output {out} x {out}", out=out)
    n = max(out * out, 1)
    step = step % n
    window = (starts[step // out], starts[step % out]) if out else None
    yours = try_yours(output_size_fn, lambda f: f(H, K, P, S), name="conv_output_size")
    student = None
    if yours.used:
        student = repr(yours.value)
    elif yours.why == NOT_DONE:
        student = tr("not implemented yet")
    elif yours.given:  # an error is the right answer for impossible settings: shown, not a fallback
        student = f"{type(yours.error).__name__}: {yours.error}"
    return dict(
        H=H,
        K=K,
        P=P,
        S=S,
        padded=padded,
        exact=exact,
        valid=valid,
        fits=fits,
        out=out,
        starts=starts,
        uncovered=uncovered,
        step=step,
        window=window,
        formula=formula,
        verdict=verdict,
        student=student,
        source=yours.source(tr("the formula")),
    )


def plot_conv_arithmetic(r: dict):
    fig = new_figure(9, 4.2)
    ax_in, ax_out = fig.subplots(1, 2, width_ratios=[max(r["padded"], 1), max(r["out"], 1) + 2])
    n, P = r["padded"], r["P"]
    for i in range(n):
        for j in range(n):
            pad = i < P or j < P or i >= n - P or j >= n - P
            ax_in.add_patch(Rectangle((j, i), 1, 1, facecolor="0.85" if pad else "white", edgecolor="0.6"))
    if r["fits"] and r["uncovered"]:
        edge = n - r["uncovered"]
        ax_in.add_patch(
            Rectangle((0, edge), n, r["uncovered"], facecolor="none", edgecolor="red", hatch="//", linewidth=0)
        )
        ax_in.add_patch(
            Rectangle((edge, 0), r["uncovered"], n, facecolor="none", edgecolor="red", hatch="//", linewidth=0)
        )
    if r["window"] is not None:
        top, left = r["window"]
        ax_in.add_patch(
            Rectangle((left, top), r["K"], r["K"], facecolor="tab:blue", alpha=0.35, edgecolor="tab:blue", linewidth=2)
        )
    ax_in.set_title(tr("padded input {n} x {n} (grey = padding P={P} per side)", n=n, P=P), fontsize=9)
    for ax, size in ((ax_in, n), (ax_out, max(r["out"], 1))):
        ax.set_xlim(0, size)
        ax.set_ylim(size, 0)
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])
    out = r["out"]
    for i in range(out):
        for j in range(out):
            current = r["window"] is not None and r["step"] == i * out + j
            ax_out.add_patch(
                Rectangle(
                    (j, i),
                    1,
                    1,
                    facecolor="tab:blue" if current else "white",
                    alpha=0.6 if current else 1,
                    edgecolor="0.4",
                )
            )
    ax_out.set_title(tr("output {out} x {out}", out=out) if out else tr("no output"), fontsize=9)
    color = "black" if r["valid"] else "red"
    text = f"{r['formula']}\n{r['verdict']}"
    if r["student"] is not None:
        text += "\n" + tr("your conv_output_size(H, K, P, S) -> {student}", student=r["student"])
    fig.suptitle(text, fontsize=10, color=color)
    return fig


def conv_arithmetic_explorer(output_size_fn: Callable | None = None) -> W.Widget:
    """Sliders for H, K, P, S and the window position; pass your ``conv_output_size`` to see it too."""
    slider = dict(continuous_update=False)
    controls = dict(
        H=W.IntSlider(7, 1, 16, description="H", **slider),
        K=W.IntSlider(3, 1, 7, description="K", **slider),
        P=W.IntSlider(0, 0, 3, description="P", **slider),
        S=W.IntSlider(2, 1, 4, description="S", **slider),
        step=W.Play(value=0, min=0, max=63, interval=700, description=tr("window")),
    )
    return interactive_figure(
        conv_arithmetic,
        plot_conv_arithmetic,
        controls,
        fixed=dict(output_size_fn=output_size_fn),
        title=tr("Convolution arithmetic (one axis; the other is the same)"),
    )


# ----------------------------------------------------------------------------- filter playground
FILTERS: dict[str, np.ndarray] = {
    "vertical edge": np.array([[1.0, 0.0, -1.0]] * 3),
    "horizontal edge": np.array([[1.0, 0.0, -1.0]] * 3).T.copy(),
    "Sobel x": np.array([[1.0, 0.0, -1.0], [2.0, 0.0, -2.0], [1.0, 0.0, -1.0]]),
    "Laplacian": np.array([[0.0, 1.0, 0.0], [1.0, -4.0, 1.0], [0.0, 1.0, 0.0]]),
    "box blur 5x5": np.full((5, 5), 1 / 25),
    "sharpen": np.array([[0.0, -1.0, 0.0], [-1.0, 5.0, -1.0], [0.0, -1.0, 0.0]]),
    "identity": np.array([[0.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 0.0]]),
}


def apply_filter(
    image: np.ndarray, kernel_name: str, stride: int = 1, padding: int = 0, conv_fn: Callable | None = None
) -> dict:
    """Filter a grayscale ``(H, W)`` image with ``FILTERS[kernel_name]``.

    Uses ``conv_fn(x, weight, bias, stride=, padding=) -> (out, cache)`` (your ``conv2d_forward``) by
    the rule of ``core.yours_or``, otherwise torch's conv2d; ``source`` says which produced the picture,
    and when yours did, ``max_diff`` is its largest difference from torch.
    """
    kernel = FILTERS[kernel_name]
    x = image[None, None].astype(np.float64)
    w = kernel[None, None]
    b = np.zeros(1)
    reference = torch_ref.conv2d(x, w, b, stride=stride, padding=padding)[0, 0]
    out, source, yours = yours_or(
        reference,
        "torch.nn.functional.conv2d",
        conv_fn,
        lambda f: np.asarray(f(x, w, b, stride=stride, padding=padding)[0])[0, 0],
        name="conv2d_forward",
    )
    max_diff = float(np.abs(out - reference).max()) if yours.used else None
    return dict(
        image=image,
        kernel=kernel,
        kernel_name=kernel_name,
        out=out,
        source=source,
        max_diff=max_diff,
        stride=stride,
        padding=padding,
    )


def plot_filter(r: dict):
    fig = new_figure(10, 3.6)
    ax_img, ax_k, ax_out = fig.subplots(1, 3, width_ratios=[3, 1.2, 3])
    ax_img.imshow(r["image"], cmap="gray")
    ax_img.set_title(tr("input {h} x {w}", h=r["image"].shape[0], w=r["image"].shape[1]), fontsize=9)
    k = r["kernel"]
    lim = np.abs(k).max() or 1.0
    ax_k.imshow(k, cmap="RdBu_r", vmin=-lim, vmax=lim)
    for (i, j), v in np.ndenumerate(k):
        ax_k.text(j, i, f"{v:.2g}", ha="center", va="center", fontsize=8)
    ax_k.set_title(tr(r["kernel_name"]), fontsize=9)
    out = r["out"]
    lim = np.abs(out).max() or 1.0
    ax_out.imshow(out, cmap="RdBu_r", vmin=-lim, vmax=lim)
    title = tr(
        "output {h} x {w} (S={S}, P={P})\nby {source}",
        h=out.shape[0],
        w=out.shape[1],
        S=r["stride"],
        P=r["padding"],
        source=r["source"],
    )
    if r["max_diff"] is not None:
        title += tr("; max |yours - torch| = {diff}", diff=f"{r['max_diff']:.1e}")
    ax_out.set_title(title, fontsize=9)
    for ax in (ax_img, ax_k, ax_out):
        ax.set_xticks([])
        ax.set_yticks([])
    return fig


def filter_playground(image: np.ndarray | None = None, conv_fn: Callable | None = None) -> W.Widget:
    """Pick a filter, stride and padding; see what your ``conv_fn`` (or torch's, until yours works) makes."""
    controls = dict(
        kernel_name=W.Dropdown(
            options=[(tr(name), name) for name in FILTERS], value="vertical edge", description=tr("filter")
        ),
        stride=W.IntSlider(1, 1, 4, description="S", continuous_update=False),
        padding=W.IntSlider(0, 0, 3, description="P", continuous_update=False),
    )
    image = sample_image() if image is None else image
    return interactive_figure(
        apply_filter, plot_filter, controls, fixed=dict(image=image, conv_fn=conv_fn), title=tr("Filter playground")
    )
