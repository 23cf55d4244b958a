"""Lesson 04's tests of the whole network name a wrong layer before they blame the network.

``lenet_forward`` and ``lenet_backward`` chain the layers of the notebook: the student's ReLU, affine and
flatten (exercises 1-3) and the convolution and max-pooling in use (the stand-ins, or the student's own
lesson 01 and 03 layers). When a test of the network fails, ``name_the_wrong_layer`` checks each layer on
its own against torch, in the network's order, and names the first that disagrees: that is the one to fix,
and the network code may well be right.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from . import torch_ref
from .checks import calling, check_array
from .i18n import tr

__all__ = ["wrong_layer", "name_the_wrong_layer"]

# layer, the exercise of lesson 04 that grades it (None: borrowed from an earlier lesson, see stand_ins)
_LAYERS = (("conv2d", None), ("relu", 1), ("max_pool2d", None), ("flatten", 3), ("affine", 2))


def wrong_layer(namespace: dict, padding: int, pool_size: int, backward: bool = False) -> str | None:
    """Which of the layers bound in ``namespace`` (the notebook's globals), in the network's order, disagrees
    with torch on its own (shape first, then values), and how; None when all agree."""
    rng = np.random.default_rng([40, padding, pool_size])
    x, w, b = rng.standard_normal((2, 3, 7, 6)), rng.standard_normal((4, 3, 3, 3)), rng.standard_normal(4)
    a, fw, fb = rng.standard_normal((3, 5)), rng.standard_normal((4, 5)), rng.standard_normal(4)
    cases = {  # arrays (each one's gradient is checked), other arguments, torch's layer
        "conv2d": ((x, w, b), (1, padding), lambda t, w_, b_: F.conv2d(t, w_, b_, padding=padding)),
        "relu": ((x,), (), F.relu),
        "max_pool2d": ((x,), (pool_size,), lambda t: F.max_pool2d(t, pool_size)),
        "flatten": ((x,), (), lambda t: torch.flatten(t, 1)),
        "affine": ((a, fw, fb), (), F.linear),
    }
    for layer, exercise in _LAYERS:
        arrays, extra, torch_layer = cases[layer]
        tensors = [torch_ref.to_torch(v, requires_grad=True) for v in arrays]
        ref = torch_layer(*tensors)
        dout = rng.standard_normal(tuple(ref.shape))
        ref.backward(torch_ref.to_torch(dout))
        shapes = ", ".join("x".join(str(s) for s in v.shape) for v in arrays)
        name = f"{layer}_forward"
        try:
            with calling(f"{name}({shapes})"):
                out, cache = namespace[name](*arrays, *extra)
            check_array(out, torch_ref.to_numpy(ref.detach()), f"{name}({shapes}) vs torch")
            if backward:
                name = f"{layer}_backward"
                with calling(f"{name}(dout, cache)"):
                    grads = namespace[name](dout, cache)
                grads = tuple(grads) if len(arrays) > 1 else (grads,)
                assert len(grads) == len(arrays), f"{name}: expected {len(arrays)} gradients, got {len(grads)}"
                for label, mine, t in zip(("dx", "dweight", "dbias"), grads, tensors, strict=False):
                    check_array(mine, torch_ref.to_numpy(t.grad), f"{name}: {label} vs torch autograd")
        except AssertionError as exc:
            why = "\n    ".join(str(exc).splitlines()[:4])
            if exercise is None:
                return tr(
                    "the {name} you pasted (not graded in this lesson), which is wrong:\n    {why}\n"
                    "Run the check in section 5: it puts the stand-in back.",
                    name=name,
                    why=why,
                )
            return tr(
                "your {name} (exercise {exercise}), which is wrong:\n    {why}", name=name, exercise=exercise, why=why
            )
    return None


def name_the_wrong_layer(namespace: dict, test, function: str, backward: bool = False) -> None:
    """Run ``test``; when it fails, name a wrong layer first (this test uses it), or say that all layers are right."""
    try:
        test()
    except AssertionError as exc:
        why = wrong_layer(namespace, 1, 2, backward) or wrong_layer(namespace, 0, 3, backward)
        if why:
            raise AssertionError(
                tr(
                    "{function}: this test uses {why}\nFix it first: {function} may be right (at "
                    "grading it is tested with correct layers).\n{error}",
                    function=function,
                    why=why,
                    error=exc,
                )
            ) from None
        raise AssertionError(
            tr(
                "{error}\n  The layers it uses (your exercises 1-3, the convolution and the "
                "max-pooling) each agree with torch on their own: look at how {function} chains "
                "them.",
                error=exc,
                function=function,
            )
        ) from None
