"""Lesson 02: mutants of every graded function, and a correct-but-different implementation."""

from . import Alternative, Mutant, edit, wrap

LESSON = "02_one_by_one_conv"

MUTANTS: list[Mutant] = [
    # --- conv1x1_forward
    edit("conv1x1_forward", "x.reshape(-1, C_in) without moving the channel axis last",
         "rows = x.transpose(0, 2, 3, 1).reshape(N * H * W, C_in)", "rows = x.reshape(N * H * W, C_in)"),
    edit("conv1x1_forward", "output rows reshaped straight to (N, C_out, H, W) without moving channels back",
         "np.ascontiguousarray(out_rows.reshape(N, H, W, C_out).transpose(0, 3, 1, 2))",
         "out_rows.reshape(N, C_out, H, W)"),
    edit("conv1x1_forward", "bias ignored", "rows @ matrix.T + bias", "rows @ matrix.T"),
    wrap("conv1x1_forward", "no ValueError for a weight that is not 1x1 (uses its centre tap)",
         "conv1x1_forward(x, weight, bias)", """
    kh, kw = weight.shape[2] // 2, weight.shape[3] // 2
    return _correct_conv1x1_forward(x, np.ascontiguousarray(weight[:, :, kh:kh + 1, kw:kw + 1]), bias)
"""),
    edit("conv1x1_forward", "output cast to float32", "return out, cache", "return out.astype(np.float32), cache"),
    # --- conv1x1_backward
    edit("conv1x1_backward", "dbias averaged over pixels instead of summed",
         "dbias = dout_rows.sum(axis=0)", "dbias = dout_rows.mean(axis=0)"),
    edit("conv1x1_backward", "dweight computed as X^T dO (C_in x C_out) and reshaped without transposing",
         "(dout_rows.T @ rows).reshape", "(rows.T @ dout_rows).reshape"),
    edit("conv1x1_backward", "dx rows reshaped straight to (N, C_in, H, W)",
         "(dout_rows @ matrix).reshape(N, H, W, C_in).transpose(0, 3, 1, 2)",
         "(dout_rows @ matrix).reshape(N, C_in, H, W)"),
    edit("conv1x1_backward", "dweight from the first image of the batch only",
         "(dout_rows.T @ rows).reshape", "(dout_rows[:H * W].T @ rows[:H * W]).reshape"),
    # --- pointwise costs
    edit("pointwise_costs", "bias forgotten in the 1x1 conv's parameter count",
         "return C_out * (C_in + 1)", "return C_out * C_in"),
    edit("pointwise_costs", "multiply-adds without the spatial size (per pixel only)",
         "return C_in * C_out * H * W", "return C_in * C_out"),
    edit("pointwise_costs", "FC layer counted to C_out outputs instead of C_out*H*W",
         "n_out = C_in * H * W, C_out * H * W", "n_out = C_in * H * W, C_out"),
    edit("pointwise_costs", "FC layer without its biases", "return n_in * n_out + n_out", "return n_in * n_out"),
    # --- bottleneck costs
    edit("bottleneck_costs", "the expanding 1x1 conv forgotten", ", (C_mid, C, 1)]", "]"),
    edit("bottleneck_costs", "the middle conv counted as 1x1 (kernel area forgotten)",
         "(C_mid, C_mid, 3)", "(C_mid, C_mid, 1)"),
    edit("bottleneck_costs", "plain 3x3 multiply-adds without the spatial size",
         "C * 9 * C * H * W", "C * 9 * C"),
    wrap("bottleneck_costs", "biases forgotten in the bottleneck's parameters", "bottleneck_costs(C, C_mid, H, W)", """
    params, macs = _correct_bottleneck_costs(C, C_mid, H, W)
    return params - (2 * C_mid + C), macs
"""),
]


# Different algorithms and return types: einsum instead of reshape+matmul, a dict cache holding x,
# a backward pass through einsum, counts as np.int64 / lists of per-layer numbers summed with math.
DIFFERENT_BUT_CORRECT = Alternative("einsum over NCHW, dict cache, numpy-integer counts", {
    "conv1x1_forward": '''
def conv1x1_forward(x, weight, bias):
    if weight.ndim != 4 or weight.shape[2] != 1 or weight.shape[3] != 1 or weight.shape[1] != x.shape[1]:
        raise ValueError("need a (C_out, C_in, 1, 1) weight matching x")
    out = np.einsum("nchw,oc->nohw", x, weight[:, :, 0, 0]) + bias[None, :, None, None]
    return out, {"x": x, "w": weight}
''',
    "conv1x1_backward": '''
def conv1x1_backward(dout, cache):
    x, w = cache["x"], cache["w"]
    dx = np.einsum("nohw,oc->nchw", dout, w[:, :, 0, 0])
    dw = np.einsum("nohw,nchw->oc", dout, x)[:, :, None, None]
    return dx, dw, np.einsum("nohw->o", dout)
''',
    "pointwise_costs": '''
def conv1x1_param_count(C_in, C_out):
    return np.int64(C_in * C_out) + C_out


def conv1x1_mult_adds(C_in, C_out, H, W):
    return float(np.prod([C_in, C_out, H, W], dtype=np.int64))


def fc_param_count(C_in, C_out, H, W):
    pixels = H * W
    return np.int64(C_out * pixels) * (C_in * pixels + 1)
''',
    "bottleneck_costs": '''
import math


def _conv_cost(c_in, c_out, k, H, W):
    return c_out * (c_in * k * k + 1), math.prod((c_in, k, k, c_out, H, W))


def bottleneck_costs(C, C_mid, H, W):
    costs = [_conv_cost(C, C_mid, 1, H, W), _conv_cost(C_mid, C_mid, 3, H, W), _conv_cost(C_mid, C, 1, H, W)]
    return tuple(np.int64(sum(part)) for part in zip(*costs))


def plain3x3_costs(C, H, W):
    return _conv_cost(C, C, 3, H, W)
''',
})

ALTERNATIVES = [DIFFERENT_BUT_CORRECT]
