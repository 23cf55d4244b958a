"""Lesson 06: mutants of every graded function, and a correct-but-different implementation."""

from . import Alternative, Mutant, edit

LESSON = "06_layer_instance_group_norm"

MUTANTS: list[Mutant] = [
    # --- shape answers
    Mutant("shape_answers", "GN statistics N x C/G instead of N x G", "gn_stat_shape = (8, 2, 1, 1)"),
    Mutant("shape_answers", "IN gamma per sample: N x C x 1 x 1 (the circulated notes' error)",
           "in_param_shape = (8, 6, 1, 1)"),
    Mutant("shape_answers", "LN gamma per sample: N x 1 (seed 003's error)", "ln_fc_param_shape = (8, 1)"),
    Mutant("shape_answers", "GN gamma per group", "gn_param_shape = (1, 3, 1, 1)"),
    Mutant("shape_answers", "LN statistics keep the channel axis", "ln_stat_shape = (8, 6, 1, 1)"),
    Mutant("shape_answers", "GN set size forgets the spatial positions", "gn_set_size = 2"),
    # --- layer_norm_forward
    edit("layer_norm_forward", "wrong axis: statistics over the batch (leading) axis N",
         "axes = tuple(range(x.ndim - k, x.ndim))", "axes = tuple(range(x.ndim - k))"),
    edit("layer_norm_forward", "unbiased variance (ddof=1) to normalize",
         "x.var(axis=axes, keepdims=True)", "x.var(axis=axes, keepdims=True, ddof=1)"),
    edit("layer_norm_forward", "eps forgotten", "np.sqrt(var + eps)", "np.sqrt(var)"),
    edit("layer_norm_forward", "eps added to the standard deviation, outside the square root",
         "1.0 / np.sqrt(var + eps)", "1.0 / (np.sqrt(var) + eps)"),
    edit("layer_norm_forward", "always normalizes over the last axis only",
         "axes = tuple(range(x.ndim - k, x.ndim))", "axes = (x.ndim - 1,)"),
    # --- layer_norm_backward
    edit("layer_norm_backward", "dgamma not summed over the batch (first sample only)",
         "dweight = (dout * x_hat).sum(axis=leading)", "dweight = (dout * x_hat)[0]"),
    edit("layer_norm_backward", "dweight and dbias averaged over the batch instead of summed",
         "(dout * x_hat).sum(axis=leading)", "(dout * x_hat).mean(axis=leading)",
         "dout.sum(axis=leading)", "dout.mean(axis=leading)"),
    edit("layer_norm_backward", "dx treats the mean and variance as constants",
         "dx = inv_std * (g - g.mean(axis=axes, keepdims=True)\n"
         "                    - x_hat * (g * x_hat).mean(axis=axes, keepdims=True))", "dx = inv_std * g"),
    edit("layer_norm_backward", "dx forgets the variance path (the x_hat * mean(g x_hat) term)",
         "\n                    - x_hat * (g * x_hat).mean(axis=axes, keepdims=True))", ")"),
    edit("layer_norm_backward", "dx without gamma", "g = dout * weight", "g = dout"),
    # --- instance_norm_forward
    edit("instance_norm_forward", "wrong axis: statistics over (N, H, W) (batch norm)",
         "x.mean(axis=(2, 3)", "x.mean(axis=(0, 2, 3)", "x.var(axis=(2, 3)", "x.var(axis=(0, 2, 3)"),
    edit("instance_norm_forward", "statistics over (C, H, W) (layer norm)",
         "x.mean(axis=(2, 3)", "x.mean(axis=(1, 2, 3)", "x.var(axis=(2, 3)", "x.var(axis=(1, 2, 3)"),
    edit("instance_norm_forward", "unbiased variance (ddof=1) to normalize",
         "x.var(axis=(2, 3), keepdims=True)", "x.var(axis=(2, 3), keepdims=True, ddof=1)"),
    edit("instance_norm_forward", "eps forgotten", "np.sqrt(var + eps)", "np.sqrt(var)"),
    # --- instance_norm_backward
    edit("instance_norm_backward", "dgamma not summed over the batch (first sample only)",
         "dweight = (dout * x_hat).sum(axis=(0, 2, 3))", "dweight = (dout * x_hat)[0].sum(axis=(1, 2))"),
    edit("instance_norm_backward", "dbias averaged instead of summed",
         "dbias = dout.sum(axis=(0, 2, 3))", "dbias = dout.mean(axis=(0, 2, 3))"),
    edit("instance_norm_backward", "dx with the means taken over (N, H, W) as in batch norm",
         "g.mean(axis=(2, 3)", "g.mean(axis=(0, 2, 3)",
         "(g * x_hat).mean(axis=(2, 3)", "(g * x_hat).mean(axis=(0, 2, 3)"),
    edit("instance_norm_backward", "dx treats the mean and variance as constants",
         "dx = inv_std * (g - g.mean(axis=(2, 3), keepdims=True)\n"
         "                    - x_hat * (g * x_hat).mean(axis=(2, 3), keepdims=True))", "dx = inv_std * g"),
    # --- group_norm_forward
    edit("group_norm_forward", "groups formed by striding channels (c % G) instead of contiguous blocks",
         "xg = x.reshape(N, G, C // G, H, W)", "xg = x.reshape(N, C // G, G, H, W).transpose(0, 2, 1, 3, 4)",
         "((xg - mu) * inv_std).reshape(N, C, H, W)",
         "((xg - mu) * inv_std).transpose(0, 2, 1, 3, 4).reshape(N, C, H, W)"),
    edit("group_norm_forward", "per-group gamma/beta instead of per channel",
         "out = weight[None, :, None, None] * x_hat + bias[None, :, None, None]",
         "weight, bias = np.repeat(weight[:G], C // G), np.repeat(bias[:G], C // G)\n"
         "    out = weight[None, :, None, None] * x_hat + bias[None, :, None, None]"),
    edit("group_norm_forward", "unbiased variance (ddof=1) to normalize",
         "xg.var(axis=(2, 3, 4), keepdims=True)", "xg.var(axis=(2, 3, 4), keepdims=True, ddof=1)"),
    edit("group_norm_forward", "eps forgotten", "np.sqrt(var + eps)", "np.sqrt(var)"),
    edit("group_norm_forward", "G ignored: statistics over all channels",
         "xg = x.reshape(N, G, C // G, H, W)", "G = 1\n    xg = x.reshape(N, G, C // G, H, W)"),
    edit("group_norm_forward", "statistics per channel: the groups ignored (instance norm)",
         "xg = x.reshape(N, G, C // G, H, W)", "G = C\n    xg = x.reshape(N, G, C // G, H, W)"),
    # --- group_norm_backward
    edit("group_norm_backward", "dgamma not summed over the batch (first sample only)",
         "dweight = (dout * x_hat).sum(axis=(0, 2, 3))", "dweight = (dout * x_hat)[0].sum(axis=(1, 2))"),
    edit("group_norm_backward", "dgamma summed per group instead of per channel",
         "dweight = (dout * x_hat).sum(axis=(0, 2, 3))",
         "dweight = np.repeat((dout * x_hat).sum(axis=(0, 2, 3)).reshape(G, -1).sum(axis=1), C // G)"),
    edit("group_norm_backward", "dx with per-channel means (instance norm's backward)",
         "g.mean(axis=(2, 3, 4)", "g.mean(axis=(3, 4)", "(g * xh).mean(axis=(2, 3, 4)", "(g * xh).mean(axis=(3, 4)"),
    edit("group_norm_backward", "dx treats the mean and variance as constants",
         "dxg = inv_std * (g - g.mean(axis=(2, 3, 4), keepdims=True)\n"
         "                     - xh * (g * xh).mean(axis=(2, 3, 4), keepdims=True))", "dxg = inv_std * g"),
    # --- the equivalences
    edit(
        "gn_equivalences",
        "np.tile instead of repeating each gamma_c over H x W",
        (
            "    ln_weight = np.broadcast_to(weight[:, None, None], (C, H, W)).copy()\n"
            "    ln_bias = np.broadcast_to(bias[:, None, None], (C, H, W)).copy()\n"
            "    return ln_weight, ln_bias"
        ),
        "    return np.tile(weight, H * W).reshape(C, H, W), np.tile(bias, H * W).reshape(C, H, W)",
    ),
    edit("gn_equivalences", "bias not carried over (zeros)",
         "ln_bias = np.broadcast_to(bias[:, None, None], (C, H, W)).copy()", "ln_bias = np.zeros((C, H, W))"),
    edit("gn_equivalences", "G = 1 and G = C swapped", '{"LN": 1, "IN": C}', '{"LN": C, "IN": 1}'),
    edit(
        "gn_equivalences",
        "affine laid out as (H, W, C)",
        (
            "    ln_weight = np.broadcast_to(weight[:, None, None], (C, H, W)).copy()\n"
            "    ln_bias = np.broadcast_to(bias[:, None, None], (C, H, W)).copy()\n"
            "    return ln_weight, ln_bias"
        ),
        (
            "    return (np.broadcast_to(weight, (H, W, C)).reshape(C, H, W).copy(),\n"
            "            np.broadcast_to(bias, (H, W, C)).reshape(C, H, W).copy())"
        ),
    ),
]


# A student who writes everything differently: explicit sums and counts instead of mean/var, a dict cache
# holding the input (statistics recomputed in backward), moveaxis + reshape to put the normalized axes last,
# the backward pass through the computational graph step by step (not the closed form), einsum for the
# parameter gradients, shape answers as lists and numpy ints.
DIFFERENT_BUT_CORRECT = Alternative("sums and counts, dict caches, graph-style backward, lists", {
    "shape_answers": '''
N, C, H, W, G, D = 8, 6, 5, 4, 3, 10
ln_stat_shape = [N, 1, 1, 1]
in_stat_shape = [N, C, 1, 1]
gn_stat_shape = [N, G, 1, 1]
ln_fc_stat_shape = [N, 1]
in_param_shape = [1, C, 1, 1]
gn_param_shape = (1, np.int64(C), 1, 1)
ln_fc_param_shape = [1, D]
gn_set_size = np.int64(C // G * H * W)
bn_set_size = N * H * W
''',
    "layer_norm_forward": '''
def _normalize_rows(rows, eps):
    """rows (R, m): normalize each row; returns x_hat, 1/std."""
    m = rows.shape[1]
    mean = rows.sum(axis=1, keepdims=True) / m
    centred = rows - mean
    var = (centred * centred).sum(axis=1, keepdims=True) / m
    istd = (var + eps) ** -0.5
    return centred * istd, istd


def layer_norm_forward(x, normalized_shape, weight, bias, eps=1e-5):
    ns = [normalized_shape] if np.ndim(normalized_shape) == 0 else list(normalized_shape)
    if list(x.shape[len(x.shape) - len(ns):]) != [int(s) for s in ns] or len(ns) > x.ndim:
        raise ValueError("normalized_shape must be the trailing shape of x")
    m = int(np.prod(ns))
    rows = x.reshape(-1, m)
    x_hat, istd = _normalize_rows(rows, eps)
    out = (x_hat * weight.reshape(1, m) + bias.reshape(1, m)).reshape(x.shape)
    return out, {"x": x, "w": weight, "eps": eps, "m": m}
''',
    "layer_norm_backward": '''
def _rows_backward(rows, dxhat, eps):
    """Backward of _normalize_rows through the graph: centred -> var -> istd -> x_hat."""
    m = rows.shape[1]
    centred = rows - rows.sum(axis=1, keepdims=True) / m
    var = (centred ** 2).sum(axis=1, keepdims=True) / m
    istd = (var + eps) ** -0.5
    d_istd = (dxhat * centred).sum(axis=1, keepdims=True)
    d_var = d_istd * (-0.5) * (var + eps) ** -1.5
    d_centred = dxhat * istd + d_var * 2 * centred / m
    return d_centred - d_centred.sum(axis=1, keepdims=True) / m


def layer_norm_backward(dout, cache):
    x, w, eps, m = cache["x"], cache["w"], cache["eps"], cache["m"]
    rows = x.reshape(-1, m)
    x_hat, _ = _normalize_rows(rows, eps)
    d = dout.reshape(-1, m)
    dw = np.einsum("rm,rm->m", d, x_hat).reshape(w.shape)
    db = d.sum(axis=0).reshape(w.shape)
    dx = _rows_backward(rows, d * w.reshape(1, m), eps).reshape(x.shape)
    return dx, dw, db
''',
    "instance_norm_forward": '''
def instance_norm_forward(x, weight, bias, eps=1e-5):
    N, C, H, W = x.shape
    x_hat, _ = _normalize_rows(x.reshape(N * C, H * W), eps)
    out = x_hat.reshape(N, C, H, W) * weight.reshape(1, C, 1, 1) + bias.reshape(1, C, 1, 1)
    return out, {"x": x, "w": weight, "eps": eps}
''',
    "instance_norm_backward": '''
def instance_norm_backward(dout, cache):
    x, w, eps = cache["x"], cache["w"], cache["eps"]
    N, C, H, W = x.shape
    rows = x.reshape(N * C, H * W)
    x_hat = _normalize_rows(rows, eps)[0].reshape(x.shape)
    dw = np.einsum("nchw,nchw->c", dout, x_hat)
    db = np.einsum("nchw->c", dout)
    dxhat = (dout * w.reshape(1, C, 1, 1)).reshape(N * C, H * W)
    return _rows_backward(rows, dxhat, eps).reshape(x.shape), dw, db
''',
    "group_norm_forward": '''
def group_norm_forward(x, num_groups, weight, bias, eps=1e-5):
    N, C, H, W = x.shape
    per_group, rest = divmod(C, num_groups)
    if rest or num_groups <= 0:
        raise ValueError("num_groups must divide C")
    x_hat, _ = _normalize_rows(x.reshape(N * num_groups, per_group * H * W), eps)
    out = x_hat.reshape(N, C, H, W) * weight.reshape(1, C, 1, 1) + bias.reshape(1, C, 1, 1)
    return out, {"x": x, "w": weight, "eps": eps, "G": num_groups}
''',
    "group_norm_backward": '''
def group_norm_backward(dout, cache):
    x, w, eps, G = cache["x"], cache["w"], cache["eps"], cache["G"]
    N, C, H, W = x.shape
    rows = x.reshape(N * G, -1)
    x_hat = _normalize_rows(rows, eps)[0].reshape(x.shape)
    dw = np.einsum("nchw,nchw->c", dout, x_hat)
    db = np.einsum("nchw->c", dout)
    dxhat = (dout * w.reshape(1, C, 1, 1)).reshape(N * G, -1)
    return _rows_backward(rows, dxhat, eps).reshape(x.shape), dw, db
''',
    "gn_equivalences": '''
def layer_norm_affine_from_channels(weight, bias, H, W):
    ones = np.ones((1, H, W))
    return weight.reshape(-1, 1, 1) * ones, bias.reshape(-1, 1, 1) * ones


def groups_equal_to(kind, C):
    if kind == "IN":
        return np.int64(C)
    if kind == "LN":
        return 1.0
    raise ValueError(kind)
''',
})

ALTERNATIVES = [DIFFERENT_BUT_CORRECT]
