"""Lesson 05 widget: activation histograms before and after batch normalization.

A batch ``x`` (N x D, standard normal) goes through a linear layer whose weights are scaled by
``weight_scale``; the pre-activations ``a = x @ W`` are batch-normalized with ``gamma`` and ``beta``
(the same for every feature) in train mode (batch statistics) or in eval mode (running statistics
gathered over ``steps`` earlier training batches). Your ``batchnorm_forward`` is used when it works;
until then torch's ``F.batch_norm``.
"""

from __future__ import annotations

from typing import Callable

import ipywidgets as W
import numpy as np

from .. import torch_ref
from ..i18n import tr
from .core import interactive_figure, new_figure, same_shape, yours_or

__all__ = ["torch_batchnorm_forward", "bn_histograms", "plot_bn_histograms", "bn_histogram_explorer"]


def torch_batchnorm_forward(x, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5):
    """``torch_ref.batch_norm`` with the lesson's ``(out, cache)`` return, for ``core.yours_or``."""
    return torch_ref.batch_norm(x, gamma, beta, running_mean, running_var, training, momentum, eps), None


def _batch(rng: np.random.Generator, N: int, D: int, weight: np.ndarray, shift: np.ndarray) -> np.ndarray:
    return rng.standard_normal((N, D)) @ weight + shift


def bn_histograms(
    weight_scale: float = 1.0,
    gamma: float = 1.0,
    beta: float = 0.0,
    mode: str = "train",
    steps: int = 20,
    batch_size: int = 64,
    D: int = 16,
    seed: int = 0,
    bn_fn: Callable | None = None,
) -> dict:
    """Pre-activations before BN and outputs after BN for one batch, plus the statistics used.

    ``mode`` is ``"train"`` (normalize with the batch's own mean and biased variance) or ``"eval"``
    (normalize with running statistics that started at mean 0, variance 1 and were updated by
    ``steps`` earlier training batches with momentum 0.1). ``source`` says whose BN ran
    (``core.yours_or``), and whether yours differs from torch's.
    """
    rng = np.random.default_rng(seed)
    weight = weight_scale * rng.standard_normal((D, D)) / np.sqrt(D)
    shift = weight_scale * rng.standard_normal(D)  # features have their own, nonzero means
    g, b = np.full(D, float(gamma)), np.full(D, float(beta))
    training = mode == "train"

    def run(fn):
        rm, rv = np.zeros(D), np.ones(D)
        batch_rng = np.random.default_rng(seed + 1)
        for _ in range(0 if training else steps):
            fn(_batch(batch_rng, batch_size, D, weight, shift), g, b, rm, rv, True)
        a = _batch(batch_rng, batch_size, D, weight, shift)
        y = np.asarray(fn(a, g, b, rm, rv, training)[0])
        return a, y, rm, rv

    reference = run(torch_batchnorm_forward)
    result, source, _ = yours_or(
        reference,
        tr("torch F.batch_norm"),
        bn_fn,
        run,
        name="batchnorm_forward",
        usable=lambda r: same_shape(reference[1])(r[1]),
        agrees=lambda mine, ref: all(map(np.allclose, mine, ref)),
    )
    a, y, running_mean, running_var = result
    if training:
        mean_used, var_used = a.mean(axis=0), a.var(axis=0)
    else:
        mean_used, var_used = running_mean, running_var
    return dict(
        a=a,
        y=y,
        weight_scale=weight_scale,
        gamma=gamma,
        beta=beta,
        mode=mode,
        steps=steps,
        batch_size=batch_size,
        source=source,
        mean_used=mean_used,
        var_used=var_used,
        batch_mean=a.mean(axis=0),
        batch_var=a.var(axis=0),
        y_mean=float(y.mean()),
        y_std=float(y.std()),
        relu_alive=float((y > 0).mean()),
    )


def plot_bn_histograms(r: dict):
    fig = new_figure(10, 3.8)
    ax_a, ax_y = fig.subplots(1, 2)
    a, y = r["a"], r["y"]
    for j in range(min(a.shape[1], 4)):  # four features, one colour each
        ax_a.hist(a[:, j], bins=25, alpha=0.5, label=tr("feature {j}", j=j))
        ax_y.hist(y[:, j], bins=25, alpha=0.5)
    ax_a.set_title(
        tr(
            "before BN: a = x W  (weight scale {scale})\nmean {mean}, std {std} over all features",
            scale=f"{r['weight_scale']:.3g}",
            mean=f"{a.mean():.3g}",
            std=f"{a.std():.3g}",
        ),
        fontsize=9,
    )
    ax_a.legend(fontsize=7)
    ax_y.axvline(r["beta"], color="black", linestyle="--", linewidth=1)
    stats = (
        tr("batch statistics")
        if r["mode"] == "train"
        else tr("running statistics after {steps} training steps", steps=r["steps"])
    )
    ax_y.set_title(
        tr(
            "after BN ({mode} mode: {stats})\nmean {mean} (beta {beta}), std {std} (gamma {gamma}); {pct}% > 0",
            mode=tr(r["mode"]),
            stats=stats,
            mean=f"{r['y_mean']:.3g}",
            beta=f"{r['beta']:.3g}",
            std=f"{r['y_std']:.3g}",
            gamma=f"{r['gamma']:.3g}",
            pct=f"{100 * r['relu_alive']:.0f}",
        ),
        fontsize=9,
    )
    for ax in (ax_a, ax_y):
        ax.set_xlabel(tr("activation"))
    ax_a.set_ylabel(tr("count"))
    fig.suptitle(tr("batch of {n}, BN by {source}", n=r["batch_size"], source=r["source"]), fontsize=10)
    return fig


def bn_histogram_explorer(bn_fn: Callable | None = None) -> W.Widget:
    """Sliders for the weight scale, gamma and beta, a train/eval switch and the running-statistics steps."""
    slider = dict(continuous_update=False)
    controls = dict(
        weight_scale=W.FloatLogSlider(1.0, base=10, min=-2, max=2, step=0.25, description=tr("weight scale"), **slider),
        gamma=W.FloatSlider(1.0, min=0.0, max=3.0, step=0.1, description=tr("gamma"), **slider),
        beta=W.FloatSlider(0.0, min=-2.0, max=2.0, step=0.1, description=tr("beta"), **slider),
        mode=W.ToggleButtons(
            options=[(tr("train"), "train"), (tr("eval"), "eval")], value="train", description=tr("mode")
        ),
        steps=W.IntSlider(20, 0, 100, description=tr("steps (eval)"), **slider),
        batch_size=W.IntSlider(64, 2, 256, description=tr("batch size"), **slider),
    )
    return interactive_figure(
        bn_histograms,
        plot_bn_histograms,
        controls,
        fixed=dict(bn_fn=bn_fn),
        title=tr("Activations before and after batch norm"),
    )
