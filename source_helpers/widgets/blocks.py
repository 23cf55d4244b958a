"""Lesson 07 widget: the block cost calculator (parameters and multiply-adds of each block type)."""

from __future__ import annotations

from typing import Callable

import ipywidgets as W
import numpy as np

from .. import torch_ref
from ..i18n import tr
from .core import interactive_figure, new_figure, try_yours

__all__ = ["BLOCKS", "block_costs", "plot_block_costs", "block_cost_calculator"]

BLOCKS = torch_ref.BLOCKS


def _valid(block: str, C_in: int, C_out: int, groups: int) -> str | None:
    if block == "grouped" and (groups < 1 or C_in % groups or C_out % groups):
        return tr("groups={groups} must divide C_in={C_in} and C_out={C_out}", groups=groups, C_in=C_in, C_out=C_out)
    if block == "depthwise" and C_out % C_in:
        return tr("C_out={C_out} must be a multiple of C_in={C_in}", C_out=C_out, C_in=C_in)
    return None


def block_costs(
    block: str = "grouped",
    C_in: int = 64,
    C_out: int = 64,
    K: int = 3,
    groups: int = 4,
    H: int = 56,
    W: int = 56,
    stride: int = 1,
    cost_fn: Callable | None = None,
) -> dict:
    """Parameters and multiply-adds of every block type for one setting (torch's counts).

    With ``cost_fn`` (your ``block_cost(block, C_in, C_out, K, H_out, W_out, groups=...)``) its answers are
    shown instead, and ``mismatch`` lists the blocks where they differ from torch; until it works
    (``core.try_yours``) torch's counts are shown and ``source`` says why.
    """
    rows = {}
    for name in BLOCKS:
        problem = _valid(name, C_in, C_out, groups)
        if problem:
            rows[name] = dict(params=None, mult_adds=None, problem=problem)
            continue
        params, macs, (H_out, W_out) = torch_ref.block_counts(name, C_in, C_out, K, H, W, groups, stride)
        rows[name] = dict(params=params, mult_adds=macs, problem=None, H_out=H_out, W_out=W_out)

    def answers(f):
        return {
            name: tuple(int(v) for v in f(name, C_in, C_out, K, row["H_out"], row["W_out"], groups=groups)[:2])
            for name, row in rows.items()
            if row["problem"] is None
        }

    yours = try_yours(cost_fn, answers, name="block_cost")
    mismatch = []
    if yours.used:  # yours everywhere, torch's kept beside each row
        for name, mine in yours.value.items():
            row = rows[name]
            row["torch"] = (row["params"], row["mult_adds"])
            if mine != row["torch"]:
                mismatch.append(name)
            row["params"], row["mult_adds"] = mine
        source = (
            tr("your block_cost (differs from torch for {blocks})", blocks=", ".join(mismatch))
            if mismatch
            else tr("your block_cost (agrees with torch)")
        )
    else:
        source = yours.source(tr("torch's parameter list and FLOP counter"))
    standard = rows["standard"]["mult_adds"]
    ratios = {
        name: (row["mult_adds"] / standard if row["mult_adds"] is not None and standard else None)
        for name, row in rows.items()
    }
    return dict(
        block=block,
        C_in=C_in,
        C_out=C_out,
        K=K,
        groups=groups,
        H=H,
        W=W,
        stride=stride,
        rows=rows,
        ratios=ratios,
        separable_formula=1 / C_out + 1 / K**2,
        source=source,
        mismatch=mismatch,
    )


def _fmt(n: int | None) -> str:
    if n is None:
        return tr("n/a")
    for unit, scale in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if n >= scale:
            return f"{n / scale:.3g}{unit}"
    return str(n)


def plot_block_costs(r: dict):
    fig = new_figure(10, 3.8)
    axes = fig.subplots(1, 2)
    names = list(BLOCKS)
    y = np.arange(len(names))
    for ax, key, title in (
        (axes[0], "params", tr("parameters")),
        (axes[1], "mult_adds", tr("multiply-adds per image")),
    ):
        values = [r["rows"][n][key] for n in names]
        colors = ["tab:red" if n in r["mismatch"] else ("tab:blue" if n == r["block"] else "0.7") for n in names]
        ax.barh(y, [v or 0 for v in values], color=colors)
        positive = [v for v in values if v]
        if positive:
            ax.set_xscale("log")
            ax.set_xlim(min(positive) / 2, max(positive) * 20)
        for i, v in enumerate(values):
            problem = r["rows"][names[i]]["problem"]
            label = _fmt(v) if v is not None else tr("n/a: {problem}", problem=problem)
            ax.text(v if v else (min(positive) if positive else 1), i, " " + label, va="center", fontsize=8)
        ax.set_yticks(y, names)
        ax.invert_yaxis()
        ax.set_title(title, fontsize=9)
    sel = r["block"]
    ratio = r["ratios"].get(sel)
    ratio_text = (
        tr("{block}/standard multiply-adds = {ratio}", block=sel, ratio=f"{ratio:.4f}")
        if ratio is not None
        else tr("{block}: not valid here", block=sel)
    )
    fig.suptitle(
        tr(
            "C_in={C_in}, C_out={C_out}, K={K}, groups={groups}, "
            "input {H}x{W}, stride {stride}   |   {ratio_text}   |   "
            "1/C_out + 1/K^2 = {formula}\nnumbers from {source}",
            C_in=r["C_in"],
            C_out=r["C_out"],
            K=r["K"],
            groups=r["groups"],
            H=r["H"],
            W=r["W"],
            stride=r["stride"],
            ratio_text=ratio_text,
            formula=f"{r['separable_formula']:.4f}",
            source=r["source"],
        ),
        fontsize=9,
        color="red" if r["mismatch"] else "black",
    )
    return fig


def block_cost_calculator(cost_fn: Callable | None = None) -> W.Widget:
    """Pick a block and its sizes; bars compare all block types (your ``block_cost`` when it works)."""
    slider = dict(continuous_update=False)
    controls = dict(
        block=W.Dropdown(options=list(BLOCKS), value="grouped", description=tr("block")),
        C_in=W.IntSlider(64, 1, 512, description="C_in", **slider),
        C_out=W.IntSlider(128, 1, 512, description="C_out", **slider),
        K=W.IntSlider(3, 1, 7, description="K", **slider),
        groups=W.IntSlider(4, 1, 64, description=tr("groups"), **slider),
        stride=W.IntSlider(1, 1, 2, description=tr("stride"), **slider),
    )
    return interactive_figure(
        block_costs,
        plot_block_costs,
        controls,
        fixed=dict(H=56, W=56, cost_fn=cost_fn),
        title=tr("Block cost calculator (input C_in x 56 x 56)"),
    )
