"""Torch-backed stand-ins for layers a lesson uses but an earlier lesson grades, so that no student is stuck.

Lesson 04 builds LeNet from lesson 01's convolution and lesson 03's max-pooling; lesson 07's residual block
needs lesson 05's batch norm; lesson 09 trains a network of layers from lessons 01-05. Each function here
is PyTorch's layer behind the signature a lesson teaches, named as that lesson names it
(``conv2d_forward``, ...), and marked so that ``is_stand_in`` tells it from a student's.

- Lessons 04 and 07 grade only what they teach: their setup binds the stand-ins, a student may paste
  their own layers instead, and ``yours_or_stand_in`` keeps those only if they agree with PyTorch. At
  grading the student's process has no torch, so there the verifier binds, before every test, the
  reference solutions of the lessons that teach the layers (``BORROWED``).
- Lesson 09 grades the student's own layers: ``fill_in`` puts stand-ins in place of the missing or wrong
  ones so that the rest of the lesson runs, and ``require_own_layers`` fails its tests while any is left.

A stand-in's ``cache`` is its own business, as every layer's is: pass it to the matching backward function.
The stand-ins run on the CPU (NumPy in, NumPy out: small arrays, where a GPU's transfers would dominate).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from .checks import check_array
from .i18n import tr

__all__ = [
    "conv2d_forward",
    "conv2d_backward",
    "relu_forward",
    "relu_backward",
    "max_pool2d_forward",
    "max_pool2d_backward",
    "affine_forward",
    "affine_backward",
    "flatten_forward",
    "flatten_backward",
    "spatial_batchnorm_forward",
    "spatial_batchnorm_backward",
    "batchnorm2d_train_forward",
    "batchnorm2d_train_backward",
    "LAYERS",
    "BORROWED",
    "torch_layers",
    "is_stand_in",
    "yours_or_stand_in",
    "fill_in",
    "require_own_layers",
]


class _Graph:
    """A stand-in's cache: torch's autograd graph from the inputs to the output."""

    __slots__ = ("inputs", "output")

    def __init__(self, inputs, output):
        self.inputs, self.output = inputs, output


def _leaf(a) -> torch.Tensor:
    return torch.from_numpy(np.array(a, copy=True)).requires_grad_(True)


def _grads(dout, cache: _Graph):
    dout = np.asarray(dout)
    grads = torch.autograd.grad(
        cache.output,
        cache.inputs,
        torch.from_numpy(np.ascontiguousarray(dout)).to(cache.output.dtype),
        retain_graph=True,
        allow_unused=True,
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


def _through_torch(layer, *arrays):
    """``(out, cache)``: torch's ``layer`` on leaf tensors of ``arrays``, its graph kept for the backward pass."""
    inputs = tuple(map(_leaf, arrays))
    out = layer(*inputs)
    return _out(out), _Graph(inputs, out)


def _all_grads(dout, cache):  # a backward returning (dx, dweight, dbias) or (dx, dgamma, dbeta)
    return tuple(_grads(dout, cache))


def _dx(dout, cache):  # a backward returning dx alone
    return _grads(dout, cache)[0]


@_stand_in
def conv2d_forward(x, weight, bias, stride=1, padding=0):
    """torch's conv2d with lesson 01's signature."""
    return _through_torch(lambda x_, w_, b_: F.conv2d(x_, w_, b_, stride=stride, padding=padding), x, weight, bias)


@_stand_in
def relu_forward(x):
    return _through_torch(F.relu, x)


@_stand_in
def max_pool2d_forward(x, kernel_size, stride=None):
    return _through_torch(lambda x_: F.max_pool2d(x_, kernel_size, stride), x)


@_stand_in
def affine_forward(x, weight, bias):
    return _through_torch(F.linear, x, weight, bias)


@_stand_in
def flatten_forward(x):
    return _through_torch(lambda x_: torch.flatten(x_, 1), x)


@_stand_in
def spatial_batchnorm_forward(x, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5):
    """torch's batch_norm; the running statistics are updated in place (they share memory)."""
    running = torch.from_numpy(running_mean), torch.from_numpy(running_var)

    def layer(x_, g_, b_):
        return F.batch_norm(x_, *running, g_, b_, training=training, momentum=momentum, eps=eps)

    return _through_torch(layer, x, gamma, beta)


@_stand_in
def batchnorm2d_train_forward(x, gamma, beta, eps=1e-5):
    """torch's training-mode batch_norm with lesson 07's signature (no running statistics)."""
    return _through_torch(
        lambda x_, g_, b_: F.batch_norm(x_, None, None, g_, b_, training=True, eps=eps), x, gamma, beta
    )


def _backward(name: str, gradients):
    """A stand-in backward function named as the lesson names it (``Borrowed.names`` reads the name)."""

    def backward(dout, cache):
        return gradients(dout, cache)

    backward.__name__ = backward.__qualname__ = name
    return _stand_in(backward)


conv2d_backward = _backward("conv2d_backward", _all_grads)
relu_backward = _backward("relu_backward", _dx)
max_pool2d_backward = _backward("max_pool2d_backward", _dx)
affine_backward = _backward("affine_backward", _all_grads)
flatten_backward = _backward("flatten_backward", _dx)
spatial_batchnorm_backward = _backward("spatial_batchnorm_backward", _all_grads)
batchnorm2d_train_backward = _backward("batchnorm2d_train_backward", _all_grads)


LAYERS = {  # layer -> (forward, backward) names, as the lessons spell them
    "conv2d": ("conv2d_forward", "conv2d_backward"),
    "relu": ("relu_forward", "relu_backward"),
    "max_pool2d": ("max_pool2d_forward", "max_pool2d_backward"),
    "affine": ("affine_forward", "affine_backward"),
    "flatten": ("flatten_forward", "flatten_backward"),
    "spatial_batchnorm": ("spatial_batchnorm_forward", "spatial_batchnorm_backward"),
    "batchnorm2d_train": ("batchnorm2d_train_forward", "batchnorm2d_train_backward"),
}


def torch_layers() -> dict:
    """The lessons' name -> its torch-backed stand-in, for every function of ``LAYERS``."""
    return {name: globals()[name] for pair in LAYERS.values() for name in pair}


def is_stand_in(fn) -> bool:
    return getattr(fn, "_stand_in", False) is True


# The layers lesson 09's network uses (fill_in checks each).
LESSON_09_LAYERS = ("conv2d", "relu", "max_pool2d", "affine", "flatten", "spatial_batchnorm")


@dataclass(frozen=True)
class Borrowed:
    """A layer a lesson borrows: the lesson that teaches (and grades) it, its two functions, the cases
    ``yours_or_stand_in`` checks a paste on (the forward's arguments), and, for grading without torch,
    code that binds the two names from that lesson's reference solution when its own signature differs."""

    layer: str
    taught_in: str
    forward: object
    backward: object
    cases: tuple
    adapter: str = ""

    @property
    def names(self) -> tuple[str, str]:
        return self.forward.__name__, self.backward.__name__


def _conv_case(N, C_in, H, W, C_out, K, stride, padding):
    rng = np.random.default_rng([61, N, C_in, H, W, C_out, K, stride, padding])
    x, w, b = rng.standard_normal((N, C_in, H, W)), rng.standard_normal((C_out, C_in, K, K)), rng.standard_normal(C_out)
    return (x, w, b), {"stride": stride, "padding": padding}


def _pool_case(shape, K, stride):
    return (np.random.default_rng([62, *shape, K]).standard_normal(shape), K), {"stride": stride}


def _bn_case(shape, eps):
    rng = np.random.default_rng([63, *shape])
    x = 2 + 3 * rng.standard_normal(shape)
    C = shape[1]
    return (x, 1 + 0.5 * rng.standard_normal(C), rng.standard_normal(C)), {"eps": eps}


CONV2D = Borrowed(
    "conv2d",
    "01_convolution",
    conv2d_forward,
    conv2d_backward,
    (_conv_case(2, 3, 7, 6, 4, 3, 1, 1), _conv_case(1, 2, 8, 8, 3, 5, 1, 2), _conv_case(2, 1, 9, 7, 2, 3, 2, 0)),
)
MAX_POOL2D = Borrowed(
    "max_pool2d",
    "03_pooling",
    max_pool2d_forward,
    max_pool2d_backward,
    (_pool_case((2, 3, 8, 6), 2, None), _pool_case((1, 2, 9, 7), 3, 2)),
)
BATCHNORM2D_TRAIN = Borrowed(
    "batchnorm2d_train",
    "05_batch_norm",
    batchnorm2d_train_forward,
    batchnorm2d_train_backward,
    (_bn_case((4, 3, 5, 6), 1e-5), _bn_case((2, 1, 3, 4), 1e-3)),
    adapter=(
        "def batchnorm2d_train_forward(x, gamma, beta, eps=1e-5):\n"
        "    C = x.shape[1]\n"
        "    return spatial_batchnorm_forward(x, gamma, beta, np.zeros(C), np.ones(C), True, eps=eps)\n"
        "\n"
        "\n"
        "batchnorm2d_train_backward = spatial_batchnorm_backward\n"
    ),
)
# The layers each lesson borrows (by its English name; the Korean edition borrows the same).
BORROWED = {"04_lenet5": (CONV2D, MAX_POOL2D), "07_efficient_blocks": (BATCHNORM2D_TRAIN,)}
_BY_LAYER = {b.layer: b for lesson in BORROWED.values() for b in lesson}


def _disagreement(borrowed: Borrowed, forward, backward) -> str | None:
    """Why ``forward``/``backward`` differ from PyTorch on ``borrowed``'s cases (first lines), or None."""
    f_name, b_name = borrowed.names
    for args, options in borrowed.cases:
        shapes = ", ".join("x".join(map(str, a.shape)) if isinstance(a, np.ndarray) else repr(a) for a in args)
        shapes += "".join(f", {k}={v!r}" for k, v in options.items())
        try:
            expected, expected_cache = borrowed.forward(*args, **options)
            out, cache = forward(*args, **options)
            check_array(out, expected, f"{f_name}({shapes})")
            dout = np.random.default_rng(64).standard_normal(expected.shape)
            grads, expected_grads = backward(dout, cache), borrowed.backward(dout, expected_cache)
            if not isinstance(expected_grads, tuple):
                grads, expected_grads = (grads,), (expected_grads,)
            grads = tuple(grads)
            if len(grads) != len(expected_grads):
                raise AssertionError(f"{b_name}: expected {len(expected_grads)} gradients, got {len(grads)}")
            for i, (mine, ref) in enumerate(zip(grads, expected_grads, strict=True)):
                check_array(mine, ref, f"{b_name}(dout, cache) [{i}] after {f_name}({shapes})")
        except Exception as exc:  # noqa: BLE001  (anything a pasted layer raises means: not usable here)
            lines = str(exc).strip().splitlines() or [type(exc).__name__]
            return "\n    ".join(lines[:4])
    return None


def yours_or_stand_in(layer: str, forward, backward):
    """``(forward, backward)`` for ``layer`` ("conv2d", "max_pool2d", "batchnorm2d_train"): yours if they
    agree with PyTorch on a few cases, else the stand-ins. Says which, and why."""
    borrowed = _BY_LAYER[layer]
    f_name, b_name = borrowed.names
    if is_stand_in(forward) and is_stand_in(backward):
        print(tr("{layer}: the stand-in (PyTorch's layer) is in use.", layer=layer))
        return forward, backward
    if is_stand_in(forward) != is_stand_in(backward):
        print(
            tr(
                "{layer}: paste both {forward} and {backward} to use yours (a stand-in's cache is not yours), "
                "so the stand-ins stay in use.",
                layer=layer,
                forward=f_name,
                backward=b_name,
            )
        )
        return borrowed.forward, borrowed.backward
    why = _disagreement(borrowed, forward, backward)
    if why is None:
        print(
            tr(
                "{layer}: yours is in use ({forward} and {backward} agree with PyTorch).",
                layer=layer,
                forward=f_name,
                backward=b_name,
            )
        )
        return forward, backward
    print(
        tr(
            "{layer}: yours does not agree with PyTorch, so the stand-in is back in use (this costs no points "
            "here; fix it in lesson {lesson} if you like):\n    {why}",
            layer=layer,
            lesson=borrowed.taught_in[:2],
            why=why,
        )
    )
    return borrowed.forward, borrowed.backward


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
    subs = torch_layers()
    for layer in LESSON_09_LAYERS:
        f_name, b_name = LAYERS[layer]
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
