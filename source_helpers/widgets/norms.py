"""Lesson 06 widget: the normalization cube, and how noisy batch statistics get at small batch sizes.

The cube is the N x C x (H*W) block of the lecture's pictures (and of the Group Norm paper, Wu & He
2018): for BN, LN, IN or GN it colours the elements that share one mean and one variance. The batch-
size panel puts one fixed image into many random batches of size N and shows how far BN's normalized
value of one of its pixels moves with the company it keeps, while GN's (computed per image) does not.
"""

from __future__ import annotations

from typing import Callable

import ipywidgets as W
import numpy as np
from matplotlib.ticker import LogFormatter

from .. import torch_ref
from ..i18n import is_korean, tr
from .core import close, interactive_figure, new_figure, yours_or

__all__ = [
    "METHODS",
    "statistic_sets",
    "statistic_shape",
    "batch_noise",
    "normalization_cube",
    "plot_normalization_cube",
    "normalization_cube_explorer",
]

METHODS = ("BN", "LN", "IN", "GN")
_CURVE_SIZES = (1, 2, 4, 8, 16, 32)


def statistic_sets(method: str, N: int, C: int, HW: int, G: int = 1) -> np.ndarray:
    """Label every element of an (N, C, HW) block with the id of the mean/variance it is normalized by.

    BN: one set per channel (over N and H*W); LN: one per sample (over C and H*W); IN: one per
    (sample, channel); GN: one per (sample, group of C/G contiguous channels).
    """
    n = np.arange(N)[:, None, None]
    c = np.arange(C)[None, :, None]
    zero = np.zeros((1, 1, HW), dtype=int)
    if method == "BN":
        labels = c + 0 * n
    elif method == "LN":
        labels = n + 0 * c
    elif method == "IN":
        labels = n * C + c
    elif method == "GN":
        if G < 1 or C % G:
            raise ValueError(f"GN needs C divisible by G; got C={C}, G={G}")
        labels = n * G + c // (C // G)  # contiguous blocks of C/G channels, as torch.nn.GroupNorm
    else:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    return np.broadcast_to(labels + zero, (N, C, HW)).copy()


def statistic_shape(method: str, N: int, C: int, G: int = 1) -> tuple[int, int, int, int]:
    """Shape of the mean (and variance) tensor, keepdims form, for an (N, C, H, W) input."""
    return {"BN": (1, C, 1, 1), "LN": (N, 1, 1, 1), "IN": (N, C, 1, 1), "GN": (N, G, 1, 1)}[method]


def _population(C: int, HW: int, size: int, seed: int) -> np.ndarray:
    """Activations of a layer over a data set: channels with their own means and scales, images that differ."""
    rng = np.random.default_rng(seed)
    channel_mean = rng.normal(0.0, 1.0, C)[None, :, None]
    channel_scale = rng.uniform(0.5, 2.0, C)[None, :, None]
    image_shift = rng.normal(0.0, 0.7, (size, C, 1))  # each image has its own brightness/contrast per channel
    return channel_mean + channel_scale * (image_shift + rng.standard_normal((size, C, HW)))


def _group_norm_of(x: np.ndarray, G: int, gn_fn: Callable | None) -> tuple[np.ndarray, str]:
    """GN of x (N, C, H, W) with gamma=1, beta=0: by ``gn_fn`` by the rule of ``core.yours_or``, else by torch."""
    C = x.shape[1]
    ones, zeros = np.ones(C), np.zeros(C)
    ref = torch_ref.group_norm(x, G)
    shown, source, _ = yours_or(
        ref,
        "torch.nn.functional.group_norm",
        gn_fn,
        lambda f: np.asarray(f(x, G, ones, zeros)[0], dtype=np.float64),
        name="group_norm_forward",
        agrees=close(),
    )
    return shown, source


def batch_noise(
    N: int, G: int = 2, C: int = 6, HW: int = 16, draws: int = 200, seed: int = 0, gn_fn: Callable | None = None
) -> dict:
    """Put one fixed image into ``draws`` random batches of size N and normalize its pixel (c=0, p=0).

    ``bn_values``: BN's (training-mode, biased variance) normalized value of that pixel in each batch;
    ``gn_value``: GN's value, which depends on the image alone. ``curve`` maps batch sizes to the
    standard deviation of BN's per-channel mean estimate of channel 0 across random batches.
    """
    eps = 1e-5
    pop = _population(C, HW, 512, seed)
    rng = np.random.default_rng(seed + 1)
    probe = pop[0]
    others = pop[1:]
    picks = (
        np.stack([rng.choice(len(others), size=N - 1, replace=False) for _ in range(draws)])
        if N > 1
        else np.zeros((draws, 0), dtype=int)
    )
    batches = np.concatenate([np.broadcast_to(probe, (draws, 1, C, HW)), others[picks]], axis=1)  # (T, N, C, HW)
    mu = batches.mean(axis=(1, 3))  # (T, C)
    var = batches.var(axis=(1, 3))
    bn_values = (probe[0, 0] - mu[:, 0]) / np.sqrt(var[:, 0] + eps)
    gn_out, gn_source = _group_norm_of(probe.reshape(1, C, HW, 1), G, gn_fn)
    curve = {}
    for n in _CURVE_SIZES:
        idx = rng.integers(0, len(pop), size=(draws, n))
        curve[n] = float(pop[idx][:, :, 0].mean(axis=(1, 2)).std())
    return dict(
        N=N,
        G=G,
        C=C,
        HW=HW,
        bn_values=bn_values,
        bn_spread=float(bn_values.std()),
        gn_value=float(gn_out[0, 0, 0, 0]),
        gn_source=gn_source,
        curve=curve,
    )


def normalization_cube(
    method: str = "GN",
    G: int = 2,
    N: int = 4,
    C: int = 6,
    HW: int = 4,
    noise_HW: int = 16,
    draws: int = 200,
    seed: int = 0,
    gn_fn: Callable | None = None,
) -> dict:
    """Everything the explorer shows: the cube's statistic sets for ``method`` and the batch-noise panel."""
    G_eff = G if method == "GN" else 1
    labels = statistic_sets(method, N, C, HW, G_eff)
    selected = labels == labels[0, 0, 0]
    set_size = int(selected.sum())
    shape = statistic_shape(method, N, C, G_eff)
    axes = {"BN": "(N, H, W)", "LN": "(C, H, W)", "IN": "(H, W)", "GN": tr("(C/G = {n} channels, H, W)", n=C // G_eff)}[
        method
    ]
    noise = batch_noise(N, G=G if C % G == 0 else 1, C=C, HW=noise_HW, draws=draws, seed=seed, gn_fn=gn_fn)
    return dict(
        method=method,
        G=G_eff,
        N=N,
        C=C,
        HW=HW,
        labels=labels,
        selected=selected,
        n_sets=int(labels.max()) + 1,
        set_size=set_size,
        stat_shape=shape,
        axes=axes,
        noise=noise,
        source=noise["gn_source"],
    )


def _cube_colors(r: dict) -> np.ndarray:
    """RGBA per voxel, in the plotting axes' order (x = channel, y = batch, z = H*W)."""
    N, C, HW = r["labels"].shape
    colors = np.zeros((C, N, HW, 4))
    colors[...] = (0.8, 0.8, 0.8, 0.12)
    sel = r["selected"].transpose(1, 0, 2)
    colors[sel] = (0.12, 0.47, 0.71, 0.9)
    # a second set, for contrast: the one holding the last element
    other = (r["labels"] == r["labels"][-1, -1, -1]).transpose(1, 0, 2) & ~sel
    colors[other] = (1.0, 0.5, 0.05, 0.75)
    return colors


def _params(method: str, C: int) -> str:
    if method == "LN":
        return tr("C x H x W (nn.LayerNorm) or C = {C} (GN, G=1)", C=C)
    return tr("C = {C}, never per sample", C=C)


class _PlainLogFormatter(LogFormatter):
    """A log axis's labels as plain numbers (0.6, 2, 10): the ticks LogFormatter labels, no mathtext."""

    def __call__(self, x, pos=None):
        return f"{x:g}" if super().__call__(x, pos) else ""


def plot_normalization_cube(r: dict):
    fig = new_figure(12.5, 4.4)
    grid = fig.add_gridspec(1, 3, width_ratios=[1.35, 1, 1])
    ax_cube = fig.add_subplot(grid[0], projection="3d")
    N, C, HW = r["labels"].shape
    filled = np.ones((C, N, HW), dtype=bool)
    ax_cube.voxels(filled, facecolors=_cube_colors(r), edgecolor=(0.3, 0.3, 0.3, 0.25), linewidth=0.4)
    ax_cube.set_xlabel(tr("C (channels)"), fontsize=8)
    ax_cube.set_ylabel(tr("N (batch)"), fontsize=8)
    ax_cube.set_zlabel("H·W", fontsize=8)
    ax_cube.set_box_aspect((C, N, HW))
    for axis in (ax_cube.xaxis, ax_cube.yaxis, ax_cube.zaxis):
        axis.set_ticklabels([])
    ax_cube.view_init(elev=18, azim=-72)
    name = r["method"] + (f" (G={r['G']})" if r["method"] == "GN" else "")
    ax_cube.set_title(
        tr(
            "{name}: blue = one set sharing a mean/variance\n"
            "({size} elements, over {axes}); {n_sets} sets in all\n"
            "statistics {shape};  gamma, beta: {params}",
            name=name,
            size=r["set_size"],
            axes=r["axes"],
            n_sets=r["n_sets"],
            shape=" x ".join(map(str, r["stat_shape"])),
            params=_params(r["method"], C),
        ),
        fontsize=8,
    )

    nz = r["noise"]
    ax_hist = fig.add_subplot(grid[1])
    ax_hist.hist(
        nz["bn_values"],
        bins=30,
        color="tab:blue",
        alpha=0.7,
        label=tr("BN (spread {spread})", spread=f"{nz['bn_spread']:.2f}"),
    )
    ax_hist.axvline(nz["gn_value"], color="tab:red", linewidth=2.5, label=tr("GN, G={G} (one value)", G=nz["G"]))
    ax_hist.set_xlabel(tr("normalized value of one pixel of one fixed image"), fontsize=8)
    ax_hist.set_ylabel(tr("random batches"), fontsize=8)
    ax_hist.set_title(
        tr(
            "the same image in {draws} random batches of N={N}\nGN by {source}",
            draws=len(nz["bn_values"]),
            N=nz["N"],
            source=nz["gn_source"],
        ),
        fontsize=8,
    )
    ax_hist.legend(fontsize=8)

    ax_curve = fig.add_subplot(grid[2])
    sizes = np.array(list(nz["curve"]))
    spread = np.array(list(nz["curve"].values()))
    ax_curve.loglog(sizes, spread, "o-", color="tab:blue", label=tr("BN: std of a channel's batch mean"))
    ax_curve.text(
        0.97,
        0.97,
        tr("GN: spread 0 at every N\n(statistics of the image alone)"),
        color="tab:red",
        fontsize=8,
        ha="right",
        va="top",
        transform=ax_curve.transAxes,
    )
    ax_curve.axvline(nz["N"], color="0.5", linestyle=":")
    ax_curve.set_xlabel(tr("batch size N"), fontsize=8)
    ax_curve.set_title(tr("BN's statistics are estimates from the batch:\nnoise falls like 1/sqrt(N)"), fontsize=8)
    ax_curve.legend(fontsize=7)
    ax_curve.tick_params(labelsize=7)
    if is_korean():  # log-axis labels are mathtext, whose minus is U+2212: NanumGothic has none, so plain text
        for axis in (ax_curve.xaxis, ax_curve.yaxis):
            axis.set_major_formatter(_PlainLogFormatter())
            axis.set_minor_formatter(_PlainLogFormatter(labelOnlyBase=False, minor_thresholds=(2, 0.5)))
    ax_hist.tick_params(labelsize=7)
    return fig


def normalization_cube_explorer(gn_fn: Callable | None = None) -> W.Widget:
    """Pick BN/LN/IN/GN, G and the batch size N; pass your ``group_norm_forward`` to see it in the noise panel."""
    slider = dict(continuous_update=False)
    controls = dict(
        method=W.ToggleButtons(options=list(METHODS), value="GN", description=tr("method")),
        G=W.SelectionSlider(options=[1, 2, 3, 6], value=2, description=tr("G (GN)"), **slider),
        N=W.IntSlider(4, 1, 16, description=tr("batch N"), **slider),
    )
    return interactive_figure(
        normalization_cube,
        plot_normalization_cube,
        controls,
        fixed=dict(gn_fn=gn_fn),
        title=tr("The normalization cube (C = 6 channels)"),
    )
