"""Lesson 03 widget: shift an image by a few pixels and see how much of the pooled map stays the same."""

from __future__ import annotations

from typing import Callable, Mapping

import ipywidgets as W
import numpy as np
import torch
import torch.nn.functional as F

from .. import torch_ref
from ..data import sample_image
from ..i18n import tr
from .core import close, interactive_figure, new_figure, yours_or

__all__ = ["MAX_SHIFT", "shift_images", "pool_with", "pooling_shift", "plot_pooling_shift", "shift_explorer"]

_CPU = torch.device("cpu")
MAX_SHIFT = 4  # the crops leave this many pixels of room on the bottom and right


def shift_images(size: tuple[int, int] = (64, 56)) -> dict[str, np.ndarray]:
    """Two grayscale test images: a photograph, and its vertical-edge map after a ReLU (what a conv layer's
    feature map looks like: mostly zero, a few strong responses)."""
    photo = sample_image(size=size)
    kernel = np.array([[1.0, 0.0, -1.0]] * 3)[None, None]
    edges = np.maximum(torch_ref.conv2d(photo[None, None], kernel, padding=1, dev=_CPU)[0, 0], 0)
    return {"photo": photo, "edge map (conv + ReLU)": edges}


def pool_with(x: np.ndarray, mode: str, K: int, S: int, fn: Callable | None = None) -> tuple[np.ndarray, str]:
    """Pool a ``(H, W)`` map with ``fn(x, kernel_size, stride) -> (out, cache)`` (the student's), falling back
    to torch's ``max_pool2d`` / ``avg_pool2d`` by the rule of ``core.yours_or`` (and saying when yours differs)."""
    xt = torch_ref.to_torch(x[None, None], _CPU)
    ref = torch_ref.to_numpy((F.max_pool2d if mode == "max" else F.avg_pool2d)(xt, K, S))[0, 0]
    shown, source, _ = yours_or(
        ref,
        tr("torch's {fn}", fn=f"{mode}_pool2d"),
        fn,
        lambda f: np.asarray(f(x[None, None], K, S)[0])[0, 0],
        name=f"{mode}_pool2d_forward",
        agrees=close(),
    )
    return shown, source


def pooling_shift(
    images: Mapping[str, np.ndarray],
    image_name: str,
    mode: str,
    K: int,
    S: int,
    shift_x: int,
    shift_y: int,
    pool_fns: Mapping[str, Callable] | None = None,
) -> dict:
    """Pool a crop of the image and the same crop moved by (shift_y, shift_x) pixels; compare.

    ``unchanged`` is the fraction of pooled values that are exactly the same at the same position in the
    two pooled maps; ``raw_unchanged`` the same fraction for the unpooled crops. ``change`` and
    ``raw_change`` are the mean absolute differences relative to the mean absolute value.
    """
    image = images[image_name]
    H, W_ = image.shape
    h, w = H - MAX_SHIFT, W_ - MAX_SHIFT
    shift_x, shift_y = int(np.clip(shift_x, 0, MAX_SHIFT)), int(np.clip(shift_y, 0, MAX_SHIFT))
    original = image[:h, :w]
    shifted = image[shift_y : shift_y + h, shift_x : shift_x + w]
    fn = (pool_fns or {}).get(mode)
    pooled, source = pool_with(original, mode, K, S, fn)
    pooled_shifted, _ = pool_with(shifted, mode, K, S, fn)
    same = np.abs(pooled - pooled_shifted) <= 1e-12
    raw_same = np.abs(original - shifted) <= 1e-12

    def rel(a, b):
        return float(np.abs(a - b).mean() / (np.abs(a).mean() or 1.0))

    return dict(
        image_name=image_name,
        mode=mode,
        K=K,
        S=S,
        shift_x=shift_x,
        shift_y=shift_y,
        original=original,
        shifted=shifted,
        pooled=pooled,
        pooled_shifted=pooled_shifted,
        same=same,
        unchanged=float(same.mean()),
        raw_unchanged=float(raw_same.mean()),
        change=rel(pooled, pooled_shifted),
        raw_change=rel(original, shifted),
        source=source,
    )


def plot_pooling_shift(r: dict):
    fig = new_figure(10, 6.2)
    axes = fig.subplots(2, 3)
    vmax = max(float(r["original"].max()), 1e-12)
    panels = [
        (
            axes[0, 0],
            r["original"],
            "gray",
            tr("input crop {h} x {w}", h=r["original"].shape[0], w=r["original"].shape[1]),
        ),
        (
            axes[0, 1],
            r["shifted"],
            "gray",
            tr("shifted by ({down} down, {right} right)", down=r["shift_y"], right=r["shift_x"]),
        ),
        (
            axes[0, 2],
            np.abs(r["original"] - r["shifted"]),
            "magma",
            tr("|difference|: {pct}% of pixels unchanged", pct=f"{100 * r['raw_unchanged']:.0f}"),
        ),
        (
            axes[1, 0],
            r["pooled"],
            "gray",
            tr("{mode} pool K={K}, S={S}: {shape}", mode=tr(r["mode"]), K=r["K"], S=r["S"], shape=r["pooled"].shape),
        ),
        (axes[1, 1], r["pooled_shifted"], "gray", tr("pooled, shifted input")),
    ]
    for ax, img, cmap, title in panels:
        ax.imshow(img, cmap=cmap, vmin=0, vmax=vmax if cmap == "gray" else None)
        ax.set_title(title, fontsize=9)
    ax = axes[1, 2]
    ax.imshow(np.where(r["same"], 1.0, 0.0), cmap="RdYlGn", vmin=0, vmax=1)
    ax.set_title(tr("pooled values unchanged (green): {pct}%", pct=f"{100 * r['unchanged']:.0f}"), fontsize=9)
    for ax in axes.ravel():
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle(
        tr(
            "{image}: mean change {before}% before pooling, {after}% after pooling  (pooled by {source})",
            image=tr(r["image_name"]),
            before=f"{100 * r['raw_change']:.0f}",
            after=f"{100 * r['change']:.0f}",
            source=r["source"],
        ),
        fontsize=10,
    )
    return fig


def shift_explorer(
    max_pool_fn: Callable | None = None,
    avg_pool_fn: Callable | None = None,
    images: Mapping[str, np.ndarray] | None = None,
) -> W.Widget:
    """Shift an image by 0-4 pixels; compare the pooled maps for your choice of pooling, K and S."""
    images = dict(shift_images() if images is None else images)
    slider = dict(continuous_update=False)
    controls = dict(
        image_name=W.Dropdown(
            options=[(tr(name), name) for name in images], value=list(images)[0], description=tr("image")
        ),
        mode=W.ToggleButtons(options=[(tr("max"), "max"), (tr("avg"), "avg")], value="max", description=tr("pooling")),
        K=W.IntSlider(2, 1, 6, description="K", **slider),
        S=W.IntSlider(2, 1, 6, description="S", **slider),
        shift_x=W.IntSlider(1, 0, MAX_SHIFT, description=tr("shift right"), **slider),
        shift_y=W.IntSlider(0, 0, MAX_SHIFT, description=tr("shift down"), **slider),
    )
    return interactive_figure(
        pooling_shift,
        plot_pooling_shift,
        controls,
        fixed=dict(images=images, pool_fns={"max": max_pool_fn, "avg": avg_pool_fn}),
        title=tr("Shift the input: how much of the pooled map stays the same?"),
    )
