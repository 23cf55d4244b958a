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
    Mutant("layer_norm_forward", "wrong axis: statistics over the batch (leading) axis N", """
def layer_norm_forward(x, normalized_shape, weight, bias, eps=1e-5):
    if isinstance(normalized_shape, (int, np.integer)):
        normalized_shape = (int(normalized_shape),)
    normalized_shape = tuple(normalized_shape)
    k = len(normalized_shape)
    if x.shape[x.ndim - k:] != normalized_shape:
        raise ValueError("bad normalized_shape")
    lead = tuple(range(x.ndim - k))
    mu, var = x.mean(axis=lead, keepdims=True), x.var(axis=lead, keepdims=True)
    x_hat = (x - mu) / np.sqrt(var + eps)
    return weight * x_hat + bias, None
"""),
    Mutant("layer_norm_forward", "unbiased variance (ddof=1) to normalize", """
_correct_layer_norm_forward = layer_norm_forward
def layer_norm_forward(x, normalized_shape, weight, bias, eps=1e-5):
    out, cache = _correct_layer_norm_forward(x, normalized_shape, weight, bias, eps)
    x_hat, inv_std, w, axes = cache
    m = 1
    for a in axes:
        m *= x.shape[a]
    x_hat = x_hat * np.sqrt((m - 1) / m)
    return weight * x_hat + bias, cache
"""),
    Mutant("layer_norm_forward", "eps forgotten", """
_correct_layer_norm_forward = layer_norm_forward
def layer_norm_forward(x, normalized_shape, weight, bias, eps=1e-5):
    return _correct_layer_norm_forward(x, normalized_shape, weight, bias, 0.0)
"""),
    Mutant("layer_norm_forward", "eps added to the standard deviation, outside the square root", """
_correct_layer_norm_forward = layer_norm_forward
def layer_norm_forward(x, normalized_shape, weight, bias, eps=1e-5):
    out, (x_hat, inv_std, w, axes) = _correct_layer_norm_forward(x, normalized_shape, weight, bias, 0.0)
    x_hat = x_hat * (1 / inv_std) / (1 / inv_std + eps)
    return weight * x_hat + bias, (x_hat, inv_std, w, axes)
"""),
    Mutant("layer_norm_forward", "always normalizes over the last axis only", """
_correct_layer_norm_forward = layer_norm_forward
def layer_norm_forward(x, normalized_shape, weight, bias, eps=1e-5):
    _, (x_hat, inv_std, w, axes) = _correct_layer_norm_forward(x, x.shape[-1], np.ones(x.shape[-1]),
                                                               np.zeros(x.shape[-1]), eps)
    return weight * x_hat + bias, (x_hat, inv_std, weight, axes)
"""),
    # --- layer_norm_backward
    Mutant("layer_norm_backward", "dgamma not summed over the batch (first sample only)", """
_correct_layer_norm_backward = layer_norm_backward
def layer_norm_backward(dout, cache):
    dx, dw, db = _correct_layer_norm_backward(dout, cache)
    x_hat = cache[0]
    return dx, (dout * x_hat)[0], db
"""),
    Mutant("layer_norm_backward", "dweight and dbias averaged over the batch instead of summed", """
_correct_layer_norm_backward = layer_norm_backward
def layer_norm_backward(dout, cache):
    dx, dw, db = _correct_layer_norm_backward(dout, cache)
    n = dout.size // dw.size
    return dx, dw / n, db / n
"""),
    Mutant("layer_norm_backward", "dx treats the mean and variance as constants", """
def layer_norm_backward(dout, cache):
    x_hat, inv_std, weight, axes = cache
    leading = tuple(range(dout.ndim - len(axes)))
    return dout * weight * inv_std, (dout * x_hat).sum(axis=leading), dout.sum(axis=leading)
"""),
    Mutant("layer_norm_backward", "dx forgets the variance path (the x_hat * mean(g x_hat) term)", """
def layer_norm_backward(dout, cache):
    x_hat, inv_std, weight, axes = cache
    leading = tuple(range(dout.ndim - len(axes)))
    g = dout * weight
    dx = inv_std * (g - g.mean(axis=axes, keepdims=True))
    return dx, (dout * x_hat).sum(axis=leading), dout.sum(axis=leading)
"""),
    Mutant("layer_norm_backward", "dx without gamma", """
_correct_layer_norm_backward = layer_norm_backward
def layer_norm_backward(dout, cache):
    x_hat, inv_std, weight, axes = cache
    dx, _, _ = _correct_layer_norm_backward(dout, (x_hat, inv_std, np.ones_like(weight), axes))
    _, dw, db = _correct_layer_norm_backward(dout, cache)
    return dx, dw, db
"""),
    # --- instance_norm_forward
    Mutant("instance_norm_forward", "wrong axis: statistics over (N, H, W) (batch norm)", """
def instance_norm_forward(x, weight, bias, eps=1e-5):
    mu, var = x.mean(axis=(0, 2, 3), keepdims=True), x.var(axis=(0, 2, 3), keepdims=True)
    x_hat = (x - mu) / np.sqrt(var + eps)
    return weight[None, :, None, None] * x_hat + bias[None, :, None, None], None
"""),
    Mutant("instance_norm_forward", "statistics over (C, H, W) (layer norm)", """
def instance_norm_forward(x, weight, bias, eps=1e-5):
    mu, var = x.mean(axis=(1, 2, 3), keepdims=True), x.var(axis=(1, 2, 3), keepdims=True)
    x_hat = (x - mu) / np.sqrt(var + eps)
    return weight[None, :, None, None] * x_hat + bias[None, :, None, None], None
"""),
    Mutant("instance_norm_forward", "unbiased variance (ddof=1) to normalize", """
def instance_norm_forward(x, weight, bias, eps=1e-5):
    mu, var = x.mean(axis=(2, 3), keepdims=True), x.var(axis=(2, 3), ddof=1, keepdims=True)
    x_hat = (x - mu) / np.sqrt(var + eps)
    return weight[None, :, None, None] * x_hat + bias[None, :, None, None], None
"""),
    Mutant("instance_norm_forward", "eps forgotten", """
_correct_instance_norm_forward = instance_norm_forward
def instance_norm_forward(x, weight, bias, eps=1e-5):
    return _correct_instance_norm_forward(x, weight, bias, 0.0)
"""),
    # --- instance_norm_backward
    Mutant("instance_norm_backward", "dgamma not summed over the batch (first sample only)", """
_correct_instance_norm_backward = instance_norm_backward
def instance_norm_backward(dout, cache):
    dx, dw, db = _correct_instance_norm_backward(dout, cache)
    x_hat = cache[0]
    return dx, (dout * x_hat)[0].sum(axis=(1, 2)), db
"""),
    Mutant("instance_norm_backward", "dbias averaged instead of summed", """
_correct_instance_norm_backward = instance_norm_backward
def instance_norm_backward(dout, cache):
    dx, dw, db = _correct_instance_norm_backward(dout, cache)
    return dx, dw, dout.mean(axis=(0, 2, 3))
"""),
    Mutant("instance_norm_backward", "dx with the means taken over (N, H, W) as in batch norm", """
def instance_norm_backward(dout, cache):
    x_hat, inv_std, weight = cache
    g = dout * weight[None, :, None, None]
    dx = inv_std * (g - g.mean(axis=(0, 2, 3), keepdims=True)
                    - x_hat * (g * x_hat).mean(axis=(0, 2, 3), keepdims=True))
    return dx, (dout * x_hat).sum(axis=(0, 2, 3)), dout.sum(axis=(0, 2, 3))
"""),
    Mutant("instance_norm_backward", "dx treats the mean and variance as constants", """
def instance_norm_backward(dout, cache):
    x_hat, inv_std, weight = cache
    dx = dout * weight[None, :, None, None] * inv_std
    return dx, (dout * x_hat).sum(axis=(0, 2, 3)), dout.sum(axis=(0, 2, 3))
"""),
    # --- group_norm_forward
    Mutant("group_norm_forward", "groups formed by striding channels (c % G) instead of contiguous blocks", """
_correct_group_norm_forward = group_norm_forward
def group_norm_forward(x, num_groups, weight, bias, eps=1e-5):
    N, C, H, W = x.shape
    if C % num_groups:
        raise ValueError("G must divide C")
    perm = np.arange(C).reshape(C // num_groups, num_groups).T.reshape(-1)  # groups {g, g+G, ...}
    out_p, _ = _correct_group_norm_forward(x[:, perm], num_groups, np.ones(C), np.zeros(C), eps)
    x_hat = np.empty_like(out_p)
    x_hat[:, perm] = out_p
    return weight[None, :, None, None] * x_hat + bias[None, :, None, None], None
"""),
    Mutant("group_norm_forward", "per-group gamma/beta instead of per channel", """
_correct_group_norm_forward = group_norm_forward
def group_norm_forward(x, num_groups, weight, bias, eps=1e-5):
    C = x.shape[1]
    w = np.repeat(weight[:num_groups], C // num_groups)
    b = np.repeat(bias[:num_groups], C // num_groups)
    return _correct_group_norm_forward(x, num_groups, w, b, eps)
"""),
    Mutant("group_norm_forward", "unbiased variance (ddof=1) to normalize", """
def group_norm_forward(x, num_groups, weight, bias, eps=1e-5):
    N, C, H, W = x.shape
    if C % num_groups:
        raise ValueError("G must divide C")
    xg = x.reshape(N, num_groups, -1)
    x_hat = ((xg - xg.mean(axis=2, keepdims=True)) / np.sqrt(xg.var(axis=2, ddof=1, keepdims=True) + eps))
    x_hat = x_hat.reshape(N, C, H, W)
    return weight[None, :, None, None] * x_hat + bias[None, :, None, None], None
"""),
    Mutant("group_norm_forward", "eps forgotten", """
_correct_group_norm_forward = group_norm_forward
def group_norm_forward(x, num_groups, weight, bias, eps=1e-5):
    return _correct_group_norm_forward(x, num_groups, weight, bias, 0.0)
"""),
    Mutant("group_norm_forward", "G ignored: statistics over all channels", """
_correct_group_norm_forward = group_norm_forward
def group_norm_forward(x, num_groups, weight, bias, eps=1e-5):
    if x.shape[1] % num_groups:
        raise ValueError("G must divide C")
    return _correct_group_norm_forward(x, 1, weight, bias, eps)
"""),
    Mutant("group_norm_forward", "statistics per channel: the groups ignored (instance norm)", """
_correct_group_norm_forward = group_norm_forward
def group_norm_forward(x, num_groups, weight, bias, eps=1e-5):
    if x.shape[1] % num_groups:
        raise ValueError("G must divide C")
    return _correct_group_norm_forward(x, x.shape[1], weight, bias, eps)
"""),
    # --- group_norm_backward
    Mutant("group_norm_backward", "dgamma not summed over the batch (first sample only)", """
_correct_group_norm_backward = group_norm_backward
def group_norm_backward(dout, cache):
    dx, dw, db = _correct_group_norm_backward(dout, cache)
    return dx, (dout * cache[0])[0].sum(axis=(1, 2)), db
"""),
    Mutant("group_norm_backward", "dgamma summed per group instead of per channel", """
_correct_group_norm_backward = group_norm_backward
def group_norm_backward(dout, cache):
    dx, dw, db = _correct_group_norm_backward(dout, cache)
    G = cache[3]
    return dx, np.repeat(dw.reshape(G, -1).sum(axis=1), dw.shape[0] // G), db
"""),
    Mutant("group_norm_backward", "dx with per-channel means (instance norm's backward)", """
def group_norm_backward(dout, cache):
    x_hat, inv_std, weight, G = cache
    N, C, H, W = dout.shape
    g = dout * weight[None, :, None, None]
    inv = np.repeat(inv_std.reshape(N, G), C // G, axis=1)[:, :, None, None]
    dx = inv * (g - g.mean(axis=(2, 3), keepdims=True) - x_hat * (g * x_hat).mean(axis=(2, 3), keepdims=True))
    return dx, (dout * x_hat).sum(axis=(0, 2, 3)), dout.sum(axis=(0, 2, 3))
"""),
    Mutant("group_norm_backward", "dx treats the mean and variance as constants", """
def group_norm_backward(dout, cache):
    x_hat, inv_std, weight, G = cache
    N, C, H, W = dout.shape
    inv = np.repeat(inv_std.reshape(N, G), C // G, axis=1)[:, :, None, None]
    dx = dout * weight[None, :, None, None] * inv
    return dx, (dout * x_hat).sum(axis=(0, 2, 3)), dout.sum(axis=(0, 2, 3))
"""),
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
    Mutant("gn_equivalences", "bias not carried over (zeros)", """
_correct_affine = layer_norm_affine_from_channels
def layer_norm_affine_from_channels(weight, bias, H, W):
    ln_w, ln_b = _correct_affine(weight, bias, H, W)
    return ln_w, np.zeros_like(ln_b)
"""),
    Mutant("gn_equivalences", "G = 1 and G = C swapped", """
def groups_equal_to(kind, C):
    return {"LN": C, "IN": 1}[kind]
"""),
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
