"""Lesson 09's network on the torch side: its parameter shapes, its ``torch.nn`` copy, and stand-ins.

The network (lesson 09, section 7) is

    [conv 3x3 (padding 1) -> (batch norm) -> ReLU -> max-pool 2] x 2 -> flatten -> FC -> ReLU -> dropout -> FC

with its parameters in a dict named like the torch copy's ``state_dict`` (``conv1.weight``, ``bn1.weight``,
``fc2.bias``, ...) and the batch-norm running statistics in a second dict (``bn1.running_mean``, ...).
Convolutions followed by batch norm have no bias (lesson 05).

``init_params`` draws starting weights (with the student's ``kaiming_normal`` when it works, else torch's),
``torch_cnn`` builds the copy the tests compare with, ``one_thread`` keeps torch and NumPy on one thread
(the arrays are small). ``fill_in`` puts torch-backed stand-ins in place of layers a student has not
written yet, so that the rest of lesson 09 runs in the notebook; the graded tests always call the student's
own code (and torch cannot even be imported where they run).

Everything here is built on torch and is the *oracle* or the *fallback*: nothing implements a graded
function in NumPy.
"""

from __future__ import annotations

import contextlib
from collections import OrderedDict
from typing import Callable, Mapping

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

__all__ = [
    "param_shapes",
    "new_bn_state",
    "init_params",
    "TorchCNN",
    "torch_cnn",
    "load_into",
    "LAYERS",
    "stand_ins",
    "is_stand_in",
    "fill_in",
    "require_own_layers",
    "one_thread",
]


@contextlib.contextmanager
def one_thread():
    """torch and NumPy's BLAS on one thread while inside (restored after). This lesson's arrays are small:
    a second thread saves little, and on a busy machine threads waiting for a core cost seconds."""
    from threadpoolctl import threadpool_limits

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        with threadpool_limits(limits=1):
            yield
    finally:
        torch.set_num_threads(threads)


# ----------------------------------------------------------------------------- shapes
def param_shapes(
    in_channels: int = 1,
    size: tuple[int, int] = (16, 16),
    width: int = 8,
    hidden: int = 32,
    classes: int = 10,
    batch_norm: bool = True,
) -> dict[str, tuple[int, ...]]:
    """Name -> shape of every parameter of the lesson's network, in the order of the torch copy's.

    ``width`` channels in conv1 and ``2 * width`` in conv2; ``size`` (H, W) of the input, both divisible
    by 4 (two 2x2 poolings).
    """
    H, W = size
    if H % 4 or W % 4:
        raise ValueError(f"the input's H and W must be divisible by 4 (two 2x2 poolings), got {size}")
    shapes: dict[str, tuple[int, ...]] = {}
    c_in = in_channels
    for i, c_out in ((1, width), (2, 2 * width)):
        shapes[f"conv{i}.weight"] = (c_out, c_in, 3, 3)
        if batch_norm:
            shapes[f"bn{i}.weight"] = (c_out,)
            shapes[f"bn{i}.bias"] = (c_out,)
        else:
            shapes[f"conv{i}.bias"] = (c_out,)
        c_in = c_out
    shapes["fc1.weight"] = (hidden, c_in * (H // 4) * (W // 4))
    shapes["fc1.bias"] = (hidden,)
    shapes["fc2.weight"] = (classes, hidden)
    shapes["fc2.bias"] = (classes,)
    return shapes


def new_bn_state(params: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Running statistics for every batch norm in ``params``: mean 0 and variance 1, as torch starts them."""
    state = {}
    for name, value in params.items():
        if name.startswith("bn") and name.endswith(".weight"):
            layer = name.split(".")[0]
            state[f"{layer}.running_mean"] = np.zeros_like(value)
            state[f"{layer}.running_var"] = np.ones_like(value)
    return state


def _torch_kaiming(shape, generator: torch.Generator) -> np.ndarray:
    t = torch.empty(tuple(shape), dtype=torch.float64)
    torch.nn.init.kaiming_normal_(t, nonlinearity="relu", generator=generator)
    return t.numpy()


def init_params(
    shapes: Mapping[str, tuple[int, ...]],
    seed: int = 0,
    init_scale: float = 1.0,
    init_fn: Callable | None = None,
    dtype=np.float64,
) -> tuple[dict, str]:
    """Weights ``init_scale`` x He-normal (yours if ``init_fn`` works, else torch's), biases 0, BN's
    gamma 1 and beta 0. Returns ``(params, source)``."""
    from .widgets.core import try_yours

    rng = np.random.default_rng(seed)
    yours = try_yours(
        init_fn,
        lambda f: {
            name: np.asarray(f(shape, rng), dtype=np.float64) for name, shape in shapes.items() if len(shape) > 1
        },
        name="kaiming_normal",
    )
    source, weights = yours.source("torch's kaiming_normal_"), yours.value if yours.used else None
    if weights is None:
        generator = torch.Generator().manual_seed(seed)
        weights = {name: _torch_kaiming(shape, generator) for name, shape in shapes.items() if len(shape) > 1}
    params = {}
    for name, shape in shapes.items():
        if len(shape) > 1:
            params[name] = (init_scale * weights[name]).astype(dtype)
        elif name.startswith("bn") and name.endswith(".weight"):
            params[name] = np.ones(shape, dtype=dtype)
        else:
            params[name] = np.zeros(shape, dtype=dtype)
    return params, source


# ----------------------------------------------------------------------------- the torch copy
class TorchCNN(nn.Module):
    """The lesson's network in ``torch.nn``. ``forward(x, keep=None)``: in training, ``keep`` (0/1, the
    shape of fc1's output) replaces dropout's random draw, so a test can give torch the student's mask."""

    def __init__(self, shapes: Mapping[str, tuple[int, ...]], p_drop: float = 0.0):
        super().__init__()
        self.batch_norm = "bn1.weight" in shapes
        self.p_drop = float(p_drop)
        for i in (1, 2):
            c_out, c_in, k_h, k_w = shapes[f"conv{i}.weight"]
            self.add_module(
                f"conv{i}", nn.Conv2d(c_in, c_out, (k_h, k_w), padding=1, bias=not self.batch_norm, device="meta")
            )
            if self.batch_norm:
                self.add_module(f"bn{i}", nn.BatchNorm2d(c_out, device="meta"))
        self.fc1 = nn.Linear(shapes["fc1.weight"][1], shapes["fc1.weight"][0], device="meta")
        self.fc2 = nn.Linear(shapes["fc2.weight"][1], shapes["fc2.weight"][0], device="meta")

    def block(self, i: int, h: torch.Tensor) -> torch.Tensor:
        """conv -> (BN) -> ReLU -> max-pool of stage ``i``."""
        h = getattr(self, f"conv{i}")(h)
        if self.batch_norm:
            h = getattr(self, f"bn{i}")(h)
        return F.max_pool2d(F.relu(h), 2)

    def forward(self, x: torch.Tensor, keep: torch.Tensor | None = None) -> torch.Tensor:
        return self.fc2(self.dropout(self.hidden(x), keep))

    def hidden(self, x: torch.Tensor) -> torch.Tensor:
        """Everything up to and including fc1's ReLU (what dropout sees)."""
        h = self.block(2, self.block(1, x))
        return F.relu(self.fc1(torch.flatten(h, 1)))

    def dropout(self, h: torch.Tensor, keep: torch.Tensor | None = None) -> torch.Tensor:
        if not self.training or self.p_drop == 0.0:
            return h
        if keep is None:
            return F.dropout(h, self.p_drop, training=True)
        return h * keep / (1.0 - self.p_drop) if self.p_drop < 1.0 else h * 0.0

    def activations(self, x: torch.Tensor) -> "OrderedDict[str, torch.Tensor]":
        """What goes into each ReLU (after BN where there is one): conv1, conv2, fc1."""
        acts: OrderedDict[str, torch.Tensor] = OrderedDict()
        h = x
        for i in (1, 2):
            h = getattr(self, f"conv{i}")(h)
            if self.batch_norm:
                h = getattr(self, f"bn{i}")(h)
            acts[f"conv{i}"] = h
            h = F.max_pool2d(F.relu(h), 2)
        acts["fc1"] = self.fc1(torch.flatten(h, 1))
        return acts


def torch_cnn(
    params: Mapping[str, np.ndarray],
    bn_state: Mapping[str, np.ndarray] | None = None,
    p_drop: float = 0.0,
    dtype: torch.dtype = torch.float64,
    device: torch.device | None = None,
) -> TorchCNN:
    """A ``TorchCNN`` holding copies of ``params`` (and of the running statistics in ``bn_state``)."""
    model = TorchCNN({k: np.shape(v) for k, v in params.items()}, p_drop)
    model = model.to_empty(device=device or torch.device("cpu")).to(dtype)
    load_into(model, params, bn_state)
    return model


def load_into(
    model: TorchCNN, params: Mapping[str, np.ndarray], bn_state: Mapping[str, np.ndarray] | None = None
) -> None:
    """Copy ``params`` and ``bn_state`` (NumPy) into ``model``'s parameters and buffers."""
    state = model.state_dict()
    with torch.no_grad():
        for name, value in list(params.items()) + list((bn_state or {}).items()):
            state[name].copy_(torch.as_tensor(np.asarray(value), dtype=state[name].dtype))
        for name in state:
            if name.endswith("num_batches_tracked"):
                state[name].zero_()
            elif name.endswith("running_mean") and name not in (bn_state or {}):
                state[name].zero_()
            elif name.endswith("running_var") and name not in (bn_state or {}):
                state[name].fill_(1.0)


# ----------------------------------------------------------------------------- stand-ins for the layers
# Named torch_<the lesson's name>: this package never defines a graded function's name.
class _Graph:
    """A stand-in's cache: torch's autograd graph from the inputs to the output."""

    __slots__ = ("inputs", "output")

    def __init__(self, inputs, output):
        self.inputs, self.output = inputs, output


def _leaf(a) -> torch.Tensor:
    return torch.from_numpy(np.array(a, copy=True)).requires_grad_(True)


def _grads(dout, cache: _Graph):
    grads = torch.autograd.grad(
        cache.output, cache.inputs, torch.from_numpy(np.ascontiguousarray(dout)), retain_graph=True, allow_unused=True
    )
    return [
        np.zeros(tuple(t.shape), dtype=dout.dtype) if g is None else g.numpy()
        for g, t in zip(grads, cache.inputs, strict=True)
    ]


def _out(t: torch.Tensor) -> np.ndarray:
    return t.detach().numpy().copy()


def _stand_in(fn):
    fn._stand_in = True
    return fn


@_stand_in
def torch_conv2d_forward(x, weight, bias, stride=1, padding=0):
    """torch's conv2d with lesson 01's signature."""
    xt, wt, bt = _leaf(x), _leaf(weight), _leaf(bias)
    out = F.conv2d(xt, wt, bt, stride=stride, padding=padding)
    return _out(out), _Graph((xt, wt, bt), out)


@_stand_in
def torch_conv2d_backward(dout, cache):
    return tuple(_grads(dout, cache))


@_stand_in
def torch_relu_forward(x):
    xt = _leaf(x)
    out = F.relu(xt)
    return _out(out), _Graph((xt,), out)


@_stand_in
def torch_relu_backward(dout, cache):
    return _grads(dout, cache)[0]


@_stand_in
def torch_max_pool2d_forward(x, kernel_size, stride=None):
    xt = _leaf(x)
    out = F.max_pool2d(xt, kernel_size, stride)
    return _out(out), _Graph((xt,), out)


@_stand_in
def torch_max_pool2d_backward(dout, cache):
    return _grads(dout, cache)[0]


@_stand_in
def torch_affine_forward(x, weight, bias):
    xt, wt, bt = _leaf(x), _leaf(weight), _leaf(bias)
    out = F.linear(xt, wt, bt)
    return _out(out), _Graph((xt, wt, bt), out)


@_stand_in
def torch_affine_backward(dout, cache):
    return tuple(_grads(dout, cache))


@_stand_in
def torch_flatten_forward(x):
    xt = _leaf(x)
    out = torch.flatten(xt, 1)
    return _out(out), _Graph((xt,), out)


@_stand_in
def torch_flatten_backward(dout, cache):
    return _grads(dout, cache)[0]


@_stand_in
def torch_spatial_batchnorm_forward(x, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5):
    """torch's batch_norm; the running statistics are updated in place (they share memory)."""
    xt, gt, bt = _leaf(x), _leaf(gamma), _leaf(beta)
    out = F.batch_norm(
        xt,
        torch.from_numpy(running_mean),
        torch.from_numpy(running_var),
        gt,
        bt,
        training=training,
        momentum=momentum,
        eps=eps,
    )
    return _out(out), _Graph((xt, gt, bt), out)


@_stand_in
def torch_spatial_batchnorm_backward(dout, cache):
    return tuple(_grads(dout, cache))


LAYERS = {  # layer -> (forward, backward) names, as the lessons spell them
    "conv2d": ("conv2d_forward", "conv2d_backward"),
    "relu": ("relu_forward", "relu_backward"),
    "max_pool2d": ("max_pool2d_forward", "max_pool2d_backward"),
    "affine": ("affine_forward", "affine_backward"),
    "flatten": ("flatten_forward", "flatten_backward"),
    "spatial_batchnorm": ("spatial_batchnorm_forward", "spatial_batchnorm_backward"),
}


def stand_ins() -> dict:
    """The lessons' name -> torch-backed function (``torch_<name>`` here), for every function of ``LAYERS``."""
    return {name: globals()["torch_" + name] for pair in LAYERS.values() for name in pair}


def is_stand_in(fn) -> bool:
    return getattr(fn, "_stand_in", False) is True


def _probe(layer: str, fwd, bwd, rng: np.random.Generator):
    """Run one layer on a small random float64 case; return (outputs, gradients)."""
    x = rng.standard_normal((2, 3, 6, 4))
    if layer == "conv2d":
        w, b = rng.standard_normal((4, 3, 3, 3)), rng.standard_normal(4)
        out, cache = fwd(x, w, b, 1, 1)
    elif layer == "max_pool2d":
        out, cache = fwd(x, 2)
    elif layer == "affine":
        out, cache = fwd(x.reshape(2, -1), rng.standard_normal((5, 72)), rng.standard_normal(5))
    elif layer == "spatial_batchnorm":
        rm, rv = np.zeros(3), np.ones(3)
        g, b = rng.standard_normal(3), rng.standard_normal(3)
        out, cache = fwd(x, g, b, rm, rv, True)
        eval_out, _ = fwd(x, g, b, rm, rv, False)
        out = np.concatenate([np.ravel(out), np.ravel(eval_out), rm, rv])
        grads = bwd(rng.standard_normal(x.shape), cache)
        return out, grads
    else:
        out, cache = fwd(x)
    grads = bwd(rng.standard_normal(np.shape(out)), cache)
    return out, grads


def _same(a, b) -> bool:
    a = a if isinstance(a, (tuple, list)) else (a,)
    b = b if isinstance(b, (tuple, list)) else (b,)
    return len(a) == len(b) and all(
        np.shape(u) == np.shape(v) and np.allclose(u, v, rtol=1e-6, atol=1e-8) for u, v in zip(a, b, strict=True)
    )


def fill_in(namespace: dict, verbose: bool = True) -> dict[str, str]:
    """Check each layer pair that ``namespace`` (a notebook's ``globals()``) defines against torch; put the
    torch-backed stand-in in place of any pair that is missing, unfinished or wrong. Returns (and prints)
    layer -> what is used. The graded tests never see the stand-ins."""
    report = {}
    subs = stand_ins()
    for layer, (f_name, b_name) in LAYERS.items():
        fwd, bwd = namespace.get(f_name), namespace.get(b_name)
        if fwd is None or bwd is None:
            why = "not defined"
        elif is_stand_in(fwd) and is_stand_in(bwd):
            why = "still the stand-in from before (run the layers cell again after editing it)"
        else:
            try:
                mine = _probe(layer, fwd, bwd, np.random.default_rng(0))
                ref = _probe(layer, subs[f_name], subs[b_name], np.random.default_rng(0))
            except NotImplementedError:
                why = "not written yet (NotImplementedError)"
            except Exception as exc:  # the student's layer is broken: say how, and use torch's
                why = f"raised {type(exc).__name__}: {str(exc)[:80]}"
            else:
                if _same(mine[0], ref[0]) and _same(mine[1], ref[1]):
                    report[layer] = "yours"
                    continue
                why = "differs from torch"
        namespace[f_name], namespace[b_name] = subs[f_name], subs[b_name]
        report[layer] = f"torch stand-in (yours: {why})"
    if verbose:
        for layer, used in report.items():
            print(f"{layer:18s} {used}")
        if any(v != "yours" for v in report.values()):
            print("The lesson runs on the stand-ins where yours are missing; graded tests call your own code.")
    return report


def require_own_layers(**functions) -> None:
    """Assert that none of the given layer functions is a torch stand-in (for a test cell)."""
    borrowed = sorted(name for name, fn in functions.items() if is_stand_in(fn))
    if borrowed:
        raise AssertionError(
            f"{', '.join(borrowed)}: still the torch stand-in, not your code. The graded tests call your own "
            "layers (the stand-ins do not exist where grading runs), so the network and training tests will "
            "fail there: paste your layers into the layers cell and run it again."
        )
