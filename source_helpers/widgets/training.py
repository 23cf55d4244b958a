"""Lesson 09 widget and plots: a training dashboard for the network built from your own functions.

``train`` runs a short training of the lesson's CNN (``source_helpers.small_cnn``) with the student's
``train_step`` and ``cnn_forward`` (and ``kaiming_normal`` for the weights) when they work, and
otherwise trains the same network's ``torch.nn`` copy with ``torch.optim``; ``source`` says which ran.
Per-layer activations (what goes into each ReLU) are read from the torch copy loaded with the weights,
at initialization and after training. ``dashboard`` + ``plot_dashboard`` + ``training_dashboard`` are
the usual compute, plot and builder.
"""

from __future__ import annotations

from typing import Callable, Mapping, Sequence

import ipywidgets as W
import numpy as np
import torch
import torch.nn.functional as F

from .. import small_cnn
from ..i18n import tr
from .core import figure_png, interactive_figure, new_figure, try_yours

__all__ = [
    "train",
    "activations",
    "dashboard",
    "plot_dashboard",
    "training_dashboard",
    "plot_history",
    "plot_depth_histograms",
    "plot_curves",
    "show",
]

_NP_DTYPES = {torch.float32: np.float32, torch.float64: np.float64}


# ----------------------------------------------------------------------------- training
def _accuracy(forward, x, y, batch_size=512) -> float:
    correct = 0
    for i in range(0, len(y), batch_size):
        scores = np.asarray(forward(x[i : i + batch_size]))
        correct += int((scores.argmax(axis=1) == y[i : i + batch_size]).sum())
    return correct / len(y)


def _torch_optimizer(model, config):
    if config["optimizer"] == "sgd":
        return torch.optim.SGD(
            model.parameters(),
            lr=config["lr"],
            momentum=config.get("momentum", 0.0),
            weight_decay=config.get("weight_decay", 0.0),
        )
    return torch.optim.Adam(
        model.parameters(),
        lr=config["lr"],
        betas=config.get("betas", (0.9, 0.999)),
        eps=config.get("eps", 1e-8),
        weight_decay=config.get("weight_decay", 0.0),
    )


def _probe_student(step_fn, forward_fn, params, bn_state, xb, yb, config) -> str:
    """Whose code will train: one trial step on copies (nothing of the real run is touched)."""
    trial = {k: v.copy() for k, v in params.items()}
    trial_bn = {k: v.copy() for k, v in bn_state.items()}

    def trial_step(f):
        float(f(trial, trial_bn, {}, xb, yb, np.random.default_rng(0), dict(config)))
        forward_fn(xb, trial, trial_bn, False, 0.0, None)

    return try_yours(step_fn if forward_fn is not None else None, trial_step, name="train_step").source("torch")


def train(data: Mapping[str, np.ndarray], config: Mapping, **kwargs) -> dict:
    """Train the lesson's CNN on ``data`` (``x_train, y_train, x_test, y_test``, NCHW float images), with
    torch and NumPy on one thread (``small_cnn.one_thread``: the arrays are small).

    ``config`` is ``train_step``'s: ``optimizer`` (``"sgd"`` or ``"adam"``), ``lr``, ``momentum``,
    ``weight_decay``, ``p_drop``, ``betas``, ``eps``. Keywords: ``epochs`` over the first ``train_size``
    training images (shuffled each epoch by a generator seeded with ``seed``) or ``steps`` mini-batches of
    ``batch_size``; the network's ``width``, ``hidden`` and ``batch_norm``; ``init_scale`` times He's
    weights; ``dtype``; the student's ``step_fn`` (``train_step``), ``forward_fn`` (``cnn_forward``) and
    ``init_fn`` (``kaiming_normal``); ``eval_every`` steps (default: every epoch); ``lrs``, one learning
    rate per epoch (a schedule; the number of epochs is its length).
    Returns the history (``loss`` per step; ``train_acc`` and ``test_acc`` in eval mode at ``acc_steps``),
    the final ``params`` and ``bn_state``, the ``init_params``, and ``source``: whose code trained.
    """
    with small_cnn.one_thread():
        return _train(data, config, **kwargs)


def _train(
    data: Mapping[str, np.ndarray],
    config: Mapping,
    *,
    epochs: int | None = None,
    steps: int | None = None,
    batch_size: int = 32,
    train_size: int | None = None,
    width: int = 8,
    hidden: int = 32,
    batch_norm: bool = True,
    init_scale: float = 1.0,
    seed: int = 0,
    dtype=np.float32,
    step_fn: Callable | None = None,
    forward_fn: Callable | None = None,
    init_fn: Callable | None = None,
    eval_every: int | None = None,
    lrs: Sequence[float] | None = None,
) -> dict:
    x_train = np.ascontiguousarray(data["x_train"][:train_size], dtype=dtype)
    y_train = np.asarray(data["y_train"][:train_size])
    x_test, y_test = np.ascontiguousarray(data["x_test"], dtype=dtype), np.asarray(data["y_test"])
    shapes = small_cnn.param_shapes(x_train.shape[1], x_train.shape[2:], width, hidden, batch_norm=batch_norm)
    params, init_source = small_cnn.init_params(shapes, seed, init_scale, init_fn, dtype)
    initial = {k: v.copy() for k, v in params.items()}
    bn_state = small_cnn.new_bn_state(params)
    n = len(y_train)
    per_epoch = max(1, n // batch_size)
    if lrs is not None:
        epochs = len(lrs)
    total = steps if steps is not None else (epochs or 1) * per_epoch

    def lr_at(step: int) -> float:  # step counts from 0
        return float(config["lr"]) if lrs is None else float(lrs[min(step // per_epoch, len(lrs) - 1)])

    every = eval_every or per_epoch
    order_rng = np.random.default_rng(seed + 1)
    source = _probe_student(step_fn, forward_fn, params, bn_state, x_train[:batch_size], y_train[:batch_size], config)
    if source == "your train_step":
        drop_rng = np.random.default_rng(seed + 2)
        opt_state: dict = {}

        def step(xb, yb, lr):
            return float(step_fn(params, bn_state, opt_state, xb, yb, drop_rng, dict(config, lr=lr)))

        def forward(xb):
            return forward_fn(xb, params, bn_state, False, 0.0, None)[0]
    else:
        model = small_cnn.torch_cnn(
            params, None, config.get("p_drop", 0.0), dtype=torch.float32 if dtype == np.float32 else torch.float64
        )
        generator = torch.Generator().manual_seed(seed + 2)
        optimizer = _torch_optimizer(model, config)

        def step(xb, yb, lr):
            optimizer.param_groups[0]["lr"] = lr
            return _torch_step(model, optimizer, generator, xb, yb, config)

        def forward(xb):
            model.eval()
            with torch.no_grad():
                out = model(torch.from_numpy(np.ascontiguousarray(xb))).numpy()
            model.train()
            return out

    history = dict(loss=[], train_acc=[], test_acc=[], acc_steps=[], steps_per_epoch=per_epoch)
    done = 0
    while done < total:
        order = order_rng.permutation(n)
        for i in range(per_epoch):
            if done == total:
                break
            idx = order[i * batch_size : (i + 1) * batch_size]
            history["loss"].append(step(x_train[idx], y_train[idx], lr_at(done)))
            done += 1
            if done % every == 0 or done == total:
                history["train_acc"].append(_accuracy(forward, x_train, y_train))
                history["test_acc"].append(_accuracy(forward, x_test, y_test))
                history["acc_steps"].append(done)
    if source != "your train_step":
        state = model.state_dict()
        params = {k: state[k].detach().cpu().numpy().copy() for k in params}
        bn_state = {k: state[k].detach().cpu().numpy().copy() for k in bn_state}
    return dict(
        history,
        params=params,
        bn_state=bn_state,
        init_params=initial,
        source=source,
        init_source=init_source,
        config=dict(config),
        batch_norm=batch_norm,
        init_scale=init_scale,
    )


def _torch_step(model, optimizer, generator, xb, yb, config) -> float:
    model.train()
    xt = torch.from_numpy(np.ascontiguousarray(xb))
    p = config.get("p_drop", 0.0)
    keep = None
    if p > 0:
        shape = (len(yb), model.fc1.out_features)
        keep = torch.bernoulli(torch.full(shape, 1.0 - p, dtype=xt.dtype), generator=generator)
    loss = F.cross_entropy(model(xt, keep=keep), torch.from_numpy(np.asarray(yb)))
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.item()


def activations(
    params: Mapping[str, np.ndarray], bn_state: Mapping[str, np.ndarray] | None, x: np.ndarray, training: bool = True
) -> dict[str, np.ndarray]:
    """What goes into each ReLU (conv1, conv2, fc1; after BN where there is one), by the torch copy
    loaded with ``params``: in train mode (batch statistics), or in eval mode with ``bn_state``."""
    model = small_cnn.torch_cnn(
        {k: np.asarray(v, dtype=np.float64) for k, v in params.items()},
        {k: np.asarray(v, dtype=np.float64) for k, v in (bn_state or {}).items()},
    )
    model.train(training)
    with torch.no_grad():
        return {k: v.numpy() for k, v in model.activations(torch.from_numpy(np.asarray(x, np.float64))).items()}


# ----------------------------------------------------------------------------- the dashboard
def dashboard(
    lr: float = 0.05,
    init_scale: float = 1.0,
    p_drop: float = 0.0,
    batch_norm: bool = True,
    optimizer: str = "sgd",
    steps: int = 60,
    data: Mapping | None = None,
    seed: int = 0,
    step_fn: Callable | None = None,
    forward_fn: Callable | None = None,
    init_fn: Callable | None = None,
) -> dict:
    """A short training run (``steps`` mini-batches of 32) with the given settings, plus the per-layer
    activations of a test batch at initialization and after training (train-mode statistics, as the
    network saw them while learning)."""
    config = dict(optimizer=optimizer, lr=lr, momentum=0.9 if optimizer == "sgd" else 0.0, p_drop=p_drop)
    run = train(
        data,
        config,
        steps=steps,
        batch_size=32,
        train_size=512,
        batch_norm=batch_norm,
        init_scale=init_scale,
        seed=seed,
        step_fn=step_fn,
        forward_fn=forward_fn,
        init_fn=init_fn,
        eval_every=max(1, steps // 4),
    )
    xb = np.asarray(data["x_test"][:64])
    with small_cnn.one_thread():
        run["acts_init"] = activations(run["init_params"], None, xb)
        run["acts_end"] = activations(run["params"], run["bn_state"], xb)
    run["steps"] = steps
    return run


def _finite(a) -> np.ndarray:
    a = np.ravel(np.asarray(a, dtype=np.float64))
    return a[np.isfinite(a)]


def plot_dashboard(r: dict):
    fig = new_figure(11, 6.2)
    grid = fig.add_gridspec(2, 3)
    ax_loss, ax_acc, ax_std = (fig.add_subplot(grid[0, i]) for i in range(3))
    loss = np.asarray(r["loss"], dtype=float)
    ax_loss.plot(np.arange(1, len(loss) + 1), loss, lw=1)
    ax_loss.axhline(np.log(10), color="grey", ls=":", lw=1)
    ax_loss.set_xlabel(tr("step"))
    ax_loss.set_title(tr("training loss (dotted: ln 10, chance)"), fontsize=9)
    finite = loss[np.isfinite(loss)]
    if finite.size:
        ax_loss.set_ylim(0, max(3.0, min(float(finite.max()) * 1.05, 10.0)))
    ax_acc.plot(r["acc_steps"], r["train_acc"], "o-", label=tr("train subset"))
    ax_acc.plot(r["acc_steps"], r["test_acc"], "s-", label=tr("test"))
    ax_acc.set_ylim(0, 1)
    ax_acc.set_xlabel(tr("step"))
    final = r["test_acc"][-1] if r["test_acc"] else float("nan")
    ax_acc.set_title(tr("accuracy (eval mode); test {final}", final=f"{final:.1%}"), fontsize=9)
    ax_acc.legend(fontsize=8)
    layers = list(r["acts_init"])
    for key, label, marker in (("acts_init", tr("at init"), "o"), ("acts_end", tr("after training"), "s")):
        stds = [float(np.std(_finite(r[key][k]))) if _finite(r[key][k]).size else np.nan for k in layers]
        ax_std.plot(layers, stds, marker=marker, label=label)
    ax_std.set_yscale("log")
    ax_std.set_title(tr("std of each layer's pre-activation"), fontsize=9)
    ax_std.legend(fontsize=8)
    for i, name in enumerate(layers):
        ax = fig.add_subplot(grid[1, i])
        for key, label, colour in (
            ("acts_init", tr("at init"), "tab:grey"),
            ("acts_end", tr("after training"), "tab:blue"),
        ):
            values = _finite(r[key][name])
            if values.size:
                ax.hist(
                    values,
                    bins=40,
                    alpha=0.55,
                    color=colour,
                    label=tr("{label} (std {std})", label=label, std=f"{values.std():.2g}"),
                )
        ax.set_title(tr("{name}: into its ReLU", name=name), fontsize=9)
        ax.legend(fontsize=7)
    c = r["config"]
    fig.suptitle(
        tr(
            "{optimizer} lr={lr}, init scale {scale} x He, dropout p={p}, {bn}, {steps} steps; trained by {source}",
            optimizer=c["optimizer"],
            lr=f"{c['lr']:.3g}",
            scale=f"{r['init_scale']:.3g}",
            p=f"{c['p_drop']:.2f}",
            bn=tr("with BN") if r["batch_norm"] else tr("without BN"),
            steps=r["steps"],
            source=r["source"],
        ),
        fontsize=9,
    )
    return fig


def training_dashboard(
    data: Mapping, step_fn: Callable | None = None, forward_fn: Callable | None = None, init_fn: Callable | None = None
) -> W.Widget:
    """Learning rate, initialization scale, dropout and batch norm: pass your ``train_step``,
    ``cnn_forward`` and ``kaiming_normal`` to watch them train (torch's copy until they work)."""
    slider = dict(continuous_update=False)
    controls = dict(
        lr=W.FloatLogSlider(0.05, base=10, min=-3, max=0.5, step=0.25, description="lr", **slider),
        init_scale=W.FloatLogSlider(1.0, base=10, min=-1, max=1, step=0.25, description=tr("init scale"), **slider),
        p_drop=W.FloatSlider(0.0, min=0.0, max=0.9, step=0.1, description=tr("dropout p"), **slider),
        batch_norm=W.ToggleButtons(options=[(tr("BN on"), True), (tr("BN off"), False)], value=True, description="BN"),
        optimizer=W.Dropdown(options=["sgd", "adam"], value="sgd", description=tr("optimizer")),
    )
    return interactive_figure(
        dashboard,
        plot_dashboard,
        controls,
        fixed=dict(data=data, step_fn=step_fn, forward_fn=forward_fn, init_fn=init_fn),
        title=tr("Training dashboard: a short run of the lesson's CNN"),
    )


# ----------------------------------------------------------------------------- plots for the lesson
def plot_history(h: dict):
    """Loss per step (and its running mean), and train/test accuracy at each evaluation."""
    fig = new_figure(10, 3.4)
    ax_l, ax_a = fig.subplots(1, 2)
    loss = np.asarray(h["loss"], dtype=float)
    steps = np.arange(1, len(loss) + 1)
    ax_l.plot(steps, loss, lw=0.7, alpha=0.5, label=tr("mini-batch"))
    if len(loss) >= 10:
        ax_l.plot(steps[9:], np.convolve(loss, np.ones(10) / 10, mode="valid"), lw=1.8, label=tr("mean of 10"))
    ax_l.set_yscale("log")
    ax_l.set_xlabel(tr("step"))
    ax_l.set_title(tr("training loss (cross-entropy)"), fontsize=10)
    ax_l.legend(fontsize=8)
    ax_a.plot(h["acc_steps"], h["train_acc"], "o-", label=tr("train (eval mode)"))
    ax_a.plot(h["acc_steps"], h["test_acc"], "s-", label=tr("test"))
    if h["test_acc"]:
        ax_a.annotate(
            f"{h['test_acc'][-1]:.1%}",
            (h["acc_steps"][-1], h["test_acc"][-1]),
            textcoords="offset points",
            xytext=(0, -14),
            ha="center",
            fontsize=9,
            color="tab:orange",
        )
    ax_a.set_xlabel(tr("step"))
    ax_a.set_ylim(min(h["train_acc"] + h["test_acc"] + [0.8]) - 0.02, 1.005)
    ax_a.set_title(tr("accuracy"), fontsize=10)
    ax_a.legend(fontsize=8)
    return fig


def plot_curves(
    curves: Mapping[str, np.ndarray],
    title: str,
    ylabel: str = "training loss",
    log: bool = True,
    xlabel: str = "step",
    ylim: tuple[float, float] | None = None,
    styles: Mapping[str, str] | None = None,
):
    """One line per labelled curve (e.g. the loss at each learning rate); ``styles`` maps labels to line styles."""
    fig = new_figure(7, 3.4)
    ax = fig.subplots()
    for label, values in curves.items():
        values = np.asarray(values, dtype=float)
        ax.plot(np.arange(1, len(values) + 1), values, (styles or {}).get(label, "-"), label=label)
    if log:
        ax.set_yscale("log")
    if ylim:
        ax.set_ylim(*ylim)
    ax.set_xlabel(tr(xlabel))  # the defaults have Korean; a caller's own text passes through unchanged
    ax.set_ylabel(tr(ylabel))
    ax.set_title(tr(title), fontsize=10)
    ax.legend(fontsize=8)
    return fig


def plot_depth_histograms(results: Mapping[tuple[bool, float], list[np.ndarray]]):
    """``results[(batch_norm, scale)]``: the activations after each layer of a deep stack. One panel per
    setting, one histogram of log10(activation) per layer (zeros, the ReLU's cut, left out)."""
    settings = list(results)
    bns = sorted({bn for bn, _ in settings})
    scales = sorted({s for _, s in settings})
    fig = new_figure(3.3 * len(scales), 2.6 * len(bns) + 0.4)
    axes = np.atleast_2d(fig.subplots(len(bns), len(scales), sharex=True, squeeze=False))
    cmap = __import__("matplotlib").colormaps["viridis"]
    for r, bn in enumerate(bns):
        for c, scale in enumerate(scales):
            ax = axes[r, c]
            acts = results[(bn, scale)]
            for depth, a in enumerate(acts):
                a = np.ravel(a)
                a = a[a > 0]
                if a.size:
                    ax.hist(
                        np.log10(a),
                        bins=50,
                        range=(-6, 4),
                        histtype="step",
                        density=True,
                        color=cmap(depth / max(1, len(acts) - 1)),
                        label=tr("layer {n}", n=depth + 1) if depth in (0, len(acts) - 1) else None,
                    )
            last = np.ravel(acts[-1])
            ax.set_title(
                tr(
                    "{bn}, weights {scale} x He\nlast layer std {std}",
                    bn="BN" if bn else tr("no BN"),
                    scale=f"{scale:g}",
                    std=f"{last.std():.2g}",
                ),
                fontsize=9,
            )
            if r == len(bns) - 1:
                ax.set_xlabel(tr("log10(activation > 0)"))
            ax.legend(fontsize=7)
    fig.suptitle(
        tr("activations after each of {n} conv-(BN)-ReLU layers (dark: first, yellow: last)", n=len(acts)), fontsize=10
    )
    return fig


def show(fig) -> None:
    """Display a Figure in the notebook as a PNG (the figures here are not registered with pyplot)."""
    from IPython.display import Image, display

    display(Image(figure_png(fig)))
