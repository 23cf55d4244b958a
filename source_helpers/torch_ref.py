"""PyTorch as the oracle: the device is chosen once, and references are computed in float64.

``device()`` picks ``cuda`` when a GPU is there (else ``cpu``), prints the choice the first time it
is called, and returns the same device afterwards. Set ``WORKBOOK_DEVICE=cpu`` to force the CPU.

The reference functions take and return NumPy arrays, so a test reads
``check_array(my_out, torch_ref.conv2d(x, w, b, stride=2, padding=1))``. They run in the dtype of
their inputs (float64 for exactness checks) on ``device()``.
"""

from __future__ import annotations

import functools
import os

import numpy as np
import torch
import torch.nn.functional as F

__all__ = ["device", "to_torch", "to_numpy", "conv2d", "conv2d_grads", "describe_device"]


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
