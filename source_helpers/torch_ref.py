"""PyTorch as the oracle: every reference the lessons, widgets and tests compare with, in one place.

The device rule, for all of them:

- **Comparisons** run on ``device()``: ``cuda`` when a GPU is there (else ``cpu``), chosen once and
  printed the first time; ``WORKBOOK_DEVICE=cpu`` forces the CPU. ``conv2d``, ``conv2d_grads`` and
  ``lenet_model(..., device=device())`` take and return NumPy arrays (or hold torch tensors) in the dtype
  of their inputs, float64 for exactness checks: ``check_array(mine, torch_ref.conv2d(x, w, b, 2, 1))``.
- **Counts and shapes** (``param_count``, ``mult_adds``, ``block_counts``, ``lenet_rows``,
  ``lenet_counts``, ``output_length``) build torch's layers on the ``meta`` device: shapes only, nothing
  is allocated or computed, so they cost nothing on any machine.
- **``batch_norm``** runs on the CPU, because it updates the caller's NumPy running statistics in place.

The torch-backed stand-ins for layers (``stand_ins``) are not references: they stand in for a student's
layer where a lesson only uses it.
"""

from __future__ import annotations

import functools
import os

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

__all__ = [
    "device",
    "describe_device",
    "to_torch",
    "to_numpy",
    "output_length",
    "conv2d",
    "conv2d_grads",
    "group_norm",
    "batch_norm",
    "param_count",
    "mult_adds",
    "BLOCKS",
    "block_module",
    "block_counts",
    "lenet_model",
    "lenet_modules",
    "lenet_rows",
    "lenet_counts",
]


@functools.cache
def device() -> torch.device:
    """The torch device every comparison uses: ``cuda`` if available, else ``cpu`` (printed once)."""
    wanted = os.environ.get("WORKBOOK_DEVICE", "").strip().lower()
    if wanted:
        dev = torch.device(wanted)
    else:
        dev = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    print(f"torch device: {describe_device(dev)}")
    return dev


def describe_device(dev: torch.device) -> str:
    if dev.type == "cuda":
        return f"cuda ({torch.cuda.get_device_name(dev)})"
    return f"cpu ({torch.get_num_threads()} threads)"


def to_torch(a: np.ndarray, dev: torch.device | None = None, requires_grad: bool = False) -> torch.Tensor:
    """A tensor with the same values and dtype as ``a`` on ``dev`` (default ``device()``)."""
    a = np.ascontiguousarray(a)
    if any(stride < 0 for stride in a.strides):  # a reversed view of size-1 axes counts as contiguous
        a = a.copy()
    t = torch.from_numpy(a).to(dev or device())
    return t.requires_grad_(requires_grad)


def to_numpy(t: torch.Tensor) -> np.ndarray:
    return t.detach().cpu().numpy()


def output_length(H: int, K: int, P: int = 0, S: int = 1) -> int:
    """The output length torch's conv gives an input of length ``H`` (kernel ``K``, padding ``P``, stride ``S``)."""
    return int(F.conv1d(torch.zeros(1, 1, H), torch.zeros(1, 1, K), stride=S, padding=P).shape[-1])


def conv2d(
    x: np.ndarray,
    weight: np.ndarray,
    bias: np.ndarray | None = None,
    stride: int = 1,
    padding: int = 0,
    groups: int = 1,
    dev: torch.device | None = None,
) -> np.ndarray:
    """``torch.nn.functional.conv2d`` on NumPy arrays (NCHW, weight ``(C_out, C_in/groups, K_H, K_W)``)."""
    out = F.conv2d(
        to_torch(x, dev),
        to_torch(weight, dev),
        None if bias is None else to_torch(bias, dev),
        stride=stride,
        padding=padding,
        groups=groups,
    )
    return to_numpy(out)


def conv2d_grads(
    x: np.ndarray,
    weight: np.ndarray,
    bias: np.ndarray,
    dout: np.ndarray,
    stride: int = 1,
    padding: int = 0,
    groups: int = 1,
    dev: torch.device | None = None,
):
    """``(dx, dweight, dbias)`` of ``sum(conv2d(x, weight, bias) * dout)``, by torch autograd."""
    xt, wt, bt = (to_torch(a, dev, requires_grad=True) for a in (x, weight, bias))
    out = F.conv2d(xt, wt, bt, stride=stride, padding=padding, groups=groups)
    out.backward(to_torch(dout, dev))
    return to_numpy(xt.grad), to_numpy(wt.grad), to_numpy(bt.grad)


def group_norm(x: np.ndarray, G: int, eps: float = 1e-5, dev: torch.device | None = None) -> np.ndarray:
    """``F.group_norm`` of ``x`` (N, C, H, W) in ``G`` groups, with gamma = 1 and beta = 0."""
    return to_numpy(F.group_norm(to_torch(x, dev), G, eps=eps))


def batch_norm(x, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5) -> np.ndarray:
    """``F.batch_norm`` with lesson 05's signature, on the CPU; updates the running arrays in place."""
    rm, rv = torch.from_numpy(running_mean), torch.from_numpy(running_var)  # share memory: updated in place
    out = F.batch_norm(
        torch.from_numpy(x),
        rm,
        rv,
        torch.from_numpy(gamma),
        torch.from_numpy(beta),
        training=training,
        momentum=momentum,
        eps=eps,
    )
    return out.numpy()


# ----------------------------------------------------------------------------- counts, on the meta device
def param_count(module: nn.Module) -> int:
    """Number of parameters of a torch module (works on the shape-only ``meta`` device)."""
    return int(sum(p.numel() for p in module.parameters()))


def mult_adds(module: nn.Module, input_shape: tuple[int, ...]) -> int:
    """Multiply-adds of one forward pass of ``module`` (on ``meta``), from torch's FLOP counter (2 FLOPs each)."""
    with FlopCounterMode(display=False) as counter:
        module(torch.zeros(input_shape, device="meta"))
    return counter.get_total_flops() // 2


BLOCKS = ("standard", "pointwise", "grouped", "depthwise", "separable")


def block_module(
    block: str, C_in: int, C_out: int, K: int, groups: int = 1, stride: int = 1, bias: bool = True
) -> nn.Module:
    """Lesson 07's block as torch modules on the ``meta`` device (padding ``K // 2``)."""
    pad = K // 2
    if block == "standard":
        return nn.Conv2d(C_in, C_out, K, stride, pad, bias=bias, device="meta")
    if block == "pointwise":
        return nn.Conv2d(C_in, C_out, 1, stride, bias=bias, device="meta")
    if block == "grouped":
        return nn.Conv2d(C_in, C_out, K, stride, pad, groups=groups, bias=bias, device="meta")
    if block == "depthwise":
        return nn.Conv2d(C_in, C_out, K, stride, pad, groups=C_in, bias=bias, device="meta")
    if block == "separable":
        return nn.Sequential(
            nn.Conv2d(C_in, C_in, K, stride, pad, groups=C_in, bias=bias, device="meta"),
            nn.Conv2d(C_in, C_out, 1, bias=bias, device="meta"),
        )
    raise ValueError(f"unknown block {block!r}; choose from {BLOCKS}")


def block_counts(
    block: str, C_in: int, C_out: int, K: int, H: int, W: int, groups: int = 1, stride: int = 1, bias: bool = True
) -> tuple[int, int, tuple[int, int]]:
    """``(parameters, multiply-adds, (H_out, W_out))`` of ``block_module`` on a ``C_in x H x W`` input."""
    module = block_module(block, C_in, C_out, K, groups, stride, bias)
    out = module(torch.zeros(1, C_in, H, W, device="meta"))
    return param_count(module), mult_adds(module, (1, C_in, H, W)), tuple(out.shape[2:])


# ----------------------------------------------------------------------------- lesson 04's LeNet
def lenet_model(params, padding: int = 2, pool_size: int = 2, dtype=torch.float64, device=None) -> nn.Sequential:
    """The ``torch.nn.Sequential`` equal to lesson 04's ``lenet_forward(x, params, padding, pool_size)``.

    ``params`` is a list of ``(weight, bias)``: a 4-D weight ``(C_out, C_in, K, K)`` is one stage
    Conv2d -> ReLU -> MaxPool2d; a 2-D weight ``(out, in)`` is one Linear layer, with a Flatten
    before the first and a ReLU after every one but the last. The weights are copied in; the model is on
    ``device`` (the CPU by default; tests pass ``device()``).
    """
    layers: list[nn.Module] = []
    n_fc = sum(np.ndim(w) == 2 for w, _ in params)
    seen_fc = 0
    for weight, _bias in params:
        if np.ndim(weight) == 4:
            C_out, C_in, K_H, K_W = np.shape(weight)
            conv = nn.Conv2d(C_in, C_out, (K_H, K_W), padding=padding, device="meta")
            layers += [conv, nn.ReLU(), nn.MaxPool2d(pool_size)]
        else:
            if seen_fc == 0:
                layers.append(nn.Flatten())
            seen_fc += 1
            out_f, in_f = np.shape(weight)
            layers.append(nn.Linear(in_f, out_f, device="meta"))
            if seen_fc < n_fc:
                layers.append(nn.ReLU())
    model = nn.Sequential(*layers)
    model = model.to_empty(device=device or torch.device("cpu")).to(dtype)
    with torch.no_grad():
        weighted = [m for m in model if isinstance(m, (nn.Conv2d, nn.Linear))]
        for module, (weight, bias) in zip(weighted, params, strict=True):
            module.weight.copy_(torch.as_tensor(np.asarray(weight), dtype=dtype))
            module.bias.copy_(torch.as_tensor(np.asarray(bias), dtype=dtype))
    return model


def lenet_modules(
    input_shape: tuple[int, int, int],
    conv_channels=(20, 50),
    fc_widths=(500,),
    num_classes: int = 10,
    kernel_size: int = 5,
    padding: int = 2,
    pool_size: int = 2,
) -> tuple[list[tuple[str, nn.Module]], list[tuple[str, nn.Module]]]:
    """The LeNet-style network's layers on ``meta``, named as lesson 04's table names them
    (``conv1``, ``relu1``, ``pool1``, ..., ``flatten``, ``fc1``, ...): ``(the conv part with the flatten,
    the fully connected part)``. Raises ``RuntimeError`` (torch's) when a layer does not fit its input."""
    C, H, W = input_shape
    x = torch.empty((1, C, H, W), device="meta")
    convs: list[tuple[str, nn.Module]] = []
    for i, C_out in enumerate(conv_channels, start=1):
        convs += [
            (f"conv{i}", nn.Conv2d(x.shape[1], C_out, kernel_size, padding=padding, device="meta")),
            (f"relu{i}", nn.ReLU()),
            (f"pool{i}", nn.MaxPool2d(pool_size)),
        ]
        for _, module in convs[-3:]:
            x = module(x)
    convs.append(("flatten", nn.Flatten()))
    D = int(np.prod(x.shape[1:]))
    widths = list(fc_widths) + [num_classes]
    fcs: list[tuple[str, nn.Module]] = []
    for j, width in enumerate(widths, start=1):
        fcs.append((f"fc{j}", nn.Linear(D, width, device="meta")))
        if j < len(widths):
            fcs.append((f"relu{len(conv_channels) + j}", nn.ReLU()))
        D = width
    return convs, fcs


def lenet_rows(input_shape, *args, **kwargs) -> list[tuple[str, tuple[int, ...], int]]:
    """Lesson 04's layer table from torch's layers: ``(name, shape without the batch axis, parameters)``,
    starting with the input (same arguments as ``lenet_modules``)."""
    convs, fcs = lenet_modules(input_shape, *args, **kwargs)
    x = torch.empty((1, *input_shape), device="meta")
    rows = [("input", tuple(input_shape), 0)]
    for name, module in convs + fcs:
        x = module(x)
        rows.append((name, tuple(x.shape[1:]), param_count(module)))
    return rows


def lenet_counts(input_shape, *args, **kwargs) -> tuple[int, int, int, int]:
    """``(conv parameters, FC parameters, conv multiply-adds, FC multiply-adds)`` of the LeNet-style network,
    by torch's parameter lists and FLOP counter (same arguments as ``lenet_modules``)."""
    convs, fcs = (nn.Sequential(*(m for _, m in part)) for part in lenet_modules(input_shape, *args, **kwargs))
    features = convs(torch.empty((1, *input_shape), device="meta")).shape
    return (
        param_count(convs),
        param_count(fcs),
        mult_adds(convs, (1, *input_shape)),
        mult_adds(fcs, tuple(features)),
    )
