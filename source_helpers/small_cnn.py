"""Lesson 09's network on the torch side: its parameter shapes, its ``torch.nn`` copy, and stand-ins.

The network (lesson 09, section 7) is

    [conv 3x3 (padding 1) -> (batch norm) -> ReLU -> max-pool 2] x 2 -> flatten -> FC -> ReLU -> dropout -> FC

with its parameters in a dict named like the torch copy's ``state_dict`` (``conv1.weight``, ``bn1.weight``,
``fc2.bias``, ...) and the batch-norm running statistics in a second dict (``bn1.running_mean``, ...).
Convolutions followed by batch norm have no bias (lesson 05).

``init_params`` draws starting weights (with the student's ``kaiming_normal`` when it works, else torch's),
``torch_cnn`` builds the copy the tests compare with, ``one_thread`` keeps torch and NumPy on one thread
(the arrays are small). ``fill_in`` (from ``stand_ins``) puts torch-backed stand-ins in place of layers a
student has not written yet, so that the rest of lesson 09 runs in the notebook; the graded tests always
call the student's own code (and torch cannot even be imported where they run).

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

from .stand_ins import fill_in, require_own_layers  # lesson 09 calls them from here

__all__ = [
    "param_shapes",
    "new_bn_state",
    "init_params",
    "TorchCNN",
    "torch_cnn",
    "load_into",
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
