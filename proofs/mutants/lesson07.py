"""Lesson 07: mutants of every graded function, and a correct-but-different implementation of all of them."""

from . import Alternative, Mutant, edit, wrap

LESSON = "07_efficient_blocks"

def _fwd(mistake: str, body: str) -> Mutant:
    return wrap("conv2d_grouped_forward", mistake,
                "conv2d_grouped_forward(x, weight, bias, stride=1, padding=0, groups=1)", body)


def _bwd(mistake: str, body: str) -> Mutant:
    return wrap("conv2d_grouped_backward", mistake, "conv2d_grouped_backward(dout, cache)", body)


def _res_fwd(mistake: str, body: str) -> Mutant:
    return wrap("residual_block_forward", mistake, "residual_block_forward(x, params, stride=1, eps=1e-5)", body)


def _res_bwd(mistake: str, body: str) -> Mutant:
    return wrap("residual_block_backward", mistake, "residual_block_backward(dout, cache)", body)


MUTANTS: list[Mutant] = [
    # --- grouped forward
    _fwd("input channels assigned to groups round-robin (channel c in group c % g) instead of in blocks",
         "    N, C, H, W = x.shape\n"
         "    xi = x.reshape(N, C // groups, groups, H, W).transpose(0, 2, 1, 3, 4).reshape(N, C, H, W)\n"
         "    out, _ = _correct_conv2d_grouped_forward(xi, weight, bias, stride, padding, groups)\n"
         "    return out, (x, weight, bias, stride, padding, groups)"),
    _fwd("groups ignored: every filter sees the first C_in/g channels",
         "    Cg = weight.shape[1]\n"
         "    out, _ = _correct_conv2d_grouped_forward(np.ascontiguousarray(x[:, :Cg]), weight, bias, stride,\n"
         "                                             padding, 1)\n"
         "    return out, (x, weight, bias, stride, padding, groups)"),
    edit("conv2d_grouped_forward", "flipped kernel (true convolution instead of cross-correlation)",
         "weight_g = weight.reshape(groups", "weight_g = weight[:, :, ::-1, ::-1].reshape(groups"),
    edit("conv2d_grouped_forward", "bias ignored", "    out = out + bias[None, :, None, None]\n", ""),
    _fwd("stride ignored: stride-1 output cropped to the expected size",
         "    out, _ = _correct_conv2d_grouped_forward(x, weight, bias, 1, padding, groups)\n"
         "    H_out = (x.shape[2] - weight.shape[2] + 2 * padding) // stride + 1\n"
         "    W_out = (x.shape[3] - weight.shape[3] + 2 * padding) // stride + 1\n"
         "    return np.ascontiguousarray(out[:, :, :H_out, :W_out]), (x, weight, bias, stride, padding, groups)"),
    # --- grouped backward
    edit("conv2d_grouped_backward", "dbias averaged instead of summed",
         "dbias = dout.sum(axis=(0, 2, 3))", "dbias = dout.mean(axis=(0, 2, 3))"),
    edit("conv2d_grouped_backward", "dweight from the first image of the batch only",
         'np.einsum("ngfhw,ngchwuv->gfcuv", dout_g, windows,',
         'np.einsum("ngfhw,ngchwuv->gfcuv", dout_g[:1], windows[:1],'),
    edit("conv2d_grouped_backward", "dx sent back through the flipped kernel",
         'np.einsum("ngfhw,gfcuv->ngchwuv", dout_g, weight_g,',
         'np.einsum("ngfhw,gfcuv->ngchwuv", dout_g, weight_g[..., ::-1, ::-1],'),
    _bwd("dx and dweight computed as if groups=1 (each group's gradient sent to the first group)",
         "    x, weight, bias, stride, padding, groups = cache\n"
         "    dx, dw, db = _correct_conv2d_grouped_backward(dout, cache)\n"
         "    Cg = weight.shape[1]\n"
         "    dx = np.zeros_like(dx)\n"
         "    dx[:, :Cg] = _correct_conv2d_grouped_backward(dout, (x[:, :Cg], weight, bias, stride, padding, 1))[0]\n"
         "    return dx, dw, db"),
    edit("conv2d_grouped_backward", "padding not cropped from dx",
         "dx = np.ascontiguousarray(dxp[:, :, padding:padding + H, padding:padding + W])", "dx = dxp"),
    # --- block_cost / separable_ratio
    edit("block_cost", "grouped conv: parameters and multiply-adds not divided by the groups",
         "per_group = C_in // groups", "per_group = C_in"),
    edit("block_cost", "depthwise multiply-adds times C_in (as if every filter saw every channel)",
         "return C_out * (K * K + b), K * K * C_out * positions",
         "return C_out * (K * K + b), K * K * C_out * positions * C_in"),
    edit("block_cost", "separable: the depthwise conv's bias forgotten",
         "params = C_in * (K * K + b) + C_out * (C_in + b)", "params = C_in * K * K + C_out * (C_in + b)"),
    edit("block_cost", "separable_ratio 1/C_out + 1/K (the kernel area is K squared)",
         "return 1 / C_out + 1 / K**2", "return 1 / C_out + 1 / K"),
    edit("block_cost", "point-wise conv costed with the K x K kernel",
         "return C_out * (C_in + b), C_in * C_out * positions",
         "return C_out * (C_in * K * K + b), C_in * K * K * C_out * positions"),
    # --- stacked_filters
    wrap("stacked_filters", "receptive field L * K", "stacked_filters(C, L, K=3, bias=True)", """
    _, stacked, _ = _correct_stacked_filters(C, L, K, bias)
    rf = L * K
    return rf, stacked, C * (C * rf * rf + (1 if bias else 0))
"""),
    wrap("stacked_filters", "one bias for the whole stack instead of one per layer",
         "stacked_filters(C, L, K=3, bias=True)", """
    rf, stacked, single = _correct_stacked_filters(C, L, K, bias)
    return rf, stacked - (L - 1) * C if bias else stacked, single
"""),
    wrap("stacked_filters", "single filter K*L wide instead of the receptive field",
         "stacked_filters(C, L, K=3, bias=True)", """
    rf, stacked, _ = _correct_stacked_filters(C, L, K, bias)
    return rf, stacked, C * (C * (K * L) ** 2 + (1 if bias else 0))
"""),
    wrap("stacked_filters", "input channels forgotten (C K^2 per layer instead of C^2 K^2)",
         "stacked_filters(C, L, K=3, bias=True)", """
    rf, _, single = _correct_stacked_filters(C, L, K, bias)
    return rf, L * (C * K * K + (C if bias else 0)), single
"""),
    # --- residual forward
    _res_fwd("no shortcut: a plain block", """
    out, cache = _correct_residual_block_forward(x, {**params, "w_proj": np.zeros_like(
        params.get("w_proj", np.zeros((params["w1"].shape[0], x.shape[1], 1, 1))))}, stride, eps)
    return out, cache
"""),
    _res_fwd("final ReLU missing (returns F(x) + shortcut)", """
    out, cache = _correct_residual_block_forward(x, params, stride, eps)
    return cache[-1], cache
"""),
    _res_fwd("ReLU on F(x) before the addition instead of after", """
    out, cache = _correct_residual_block_forward(x, params, stride, eps)
    z = cache[-1]
    shortcut = z - cache[4][0] * cache[4][1][None, :, None, None] - params["beta2"][None, :, None, None]
    return np.maximum(z - shortcut, 0) + shortcut, cache
"""),
    _res_fwd("projection ignored when the shapes already match", """
    w1 = params["w1"]
    if stride == 1 and w1.shape[0] == w1.shape[1]:
        params = {k: v for k, v in params.items() if k != "w_proj"}
    return _correct_residual_block_forward(x, params, stride, eps)
"""),
    # --- residual backward
    edit("residual_block_backward", "gradient not sent through the shortcut",
         "dx = dx + dz", "dx = dx", "dx = dx + dx_short", "dx = dx"),
    _res_bwd("final ReLU's mask ignored", """
    z = cache[-1]
    return _correct_residual_block_backward(dout, cache[:-1] + (np.abs(z) + 1,))
"""),
    _res_bwd("first ReLU's mask ignored", """
    c = list(cache)
    c[2] = np.abs(c[2]) + 1
    return _correct_residual_block_backward(dout, tuple(c))
"""),
    _res_bwd("dbeta2 and dgamma2 swapped", """
    grads = _correct_residual_block_backward(dout, cache)
    grads["gamma2"], grads["beta2"] = grads["beta2"], grads["gamma2"]
    return grads
"""),
]


DIFFERENT_BUT_CORRECT = Alternative(
    "group loop with offset loops, dict caches, closed-form counters, channel-row batch norm", {
    "conv2d_grouped_forward": '''
def conv2d_grouped_forward(x, weight, bias, stride=1, padding=0, groups=1):
    N, C, H, W = x.shape
    F_, Cg, KH, KW = weight.shape
    if C % groups != 0 or F_ % groups != 0 or Cg * groups != C:
        raise ValueError("channels do not split into the groups")
    Hp, Wp = H + 2 * padding, W + 2 * padding
    if KH > Hp or KW > Wp:
        raise ValueError("kernel larger than the padded input")
    Ho, Wo = (Hp - KH) // stride + 1, (Wp - KW) // stride + 1
    xp = np.pad(x, [(0, 0), (0, 0), (padding,) * 2, (padding,) * 2])
    out = np.empty((N, F_, Ho, Wo), dtype=x.dtype)
    Fg = F_ // groups
    for g in range(groups):  # one ordinary conv per group, by kernel offsets
        xs, ws = xp[:, g * Cg:(g + 1) * Cg], weight[g * Fg:(g + 1) * Fg]
        acc = np.zeros((N, Fg, Ho, Wo), dtype=x.dtype)
        for u in range(KH):
            for v in range(KW):
                patch = xs[:, :, u:u + stride * (Ho - 1) + 1:stride, v:v + stride * (Wo - 1) + 1:stride]
                acc += np.einsum("nchw,fc->nfhw", patch, ws[:, :, u, v])
        out[:, g * Fg:(g + 1) * Fg] = acc + bias[g * Fg:(g + 1) * Fg, None, None]
    return out, {"x": x, "w": weight, "stride": stride, "pad": padding, "g": groups}
''',
    "conv2d_grouped_backward": '''
def conv2d_grouped_backward(dout, cache):
    x, w, s, P, G = cache["x"], cache["w"], cache["stride"], cache["pad"], cache["g"]
    N, C, H, W = x.shape
    F_, Cg, KH, KW = w.shape
    Fg = F_ // G
    Ho, Wo = dout.shape[2:]
    xp = np.pad(x, [(0, 0), (0, 0), (P,) * 2, (P,) * 2])
    dxp = np.zeros_like(xp)
    dw = np.zeros_like(w)
    for g in range(G):
        cs, fs = slice(g * Cg, (g + 1) * Cg), slice(g * Fg, (g + 1) * Fg)
        for u in range(KH):
            for v in range(KW):
                rows, cols = slice(u, u + s * (Ho - 1) + 1, s), slice(v, v + s * (Wo - 1) + 1, s)
                dw[fs, :, u, v] = np.einsum("nfhw,nchw->fc", dout[:, fs], xp[:, cs, rows, cols])
                dxp[:, cs, rows, cols] += np.einsum("nfhw,fc->nchw", dout[:, fs], w[fs, :, u, v])
    return dxp[:, :, P:P + H, P:P + W].copy(), dw, dout.sum(axis=(0, 2, 3))
''',
    "block_cost": '''
def _grouped(C_in, C_out, K, HW, g, b):
    if g < 1 or C_in % g or C_out % g:
        raise ValueError("channels do not split into the groups")
    weights = C_out * (C_in // g) * K * K
    return np.int64(weights + b * C_out), float(weights * HW)


def block_cost(block, C_in, C_out, K, H_out, W_out, groups=1, bias=True):
    HW, b = H_out * W_out, int(bool(bias))
    table = {
        "standard": lambda: _grouped(C_in, C_out, K, HW, 1, b),
        "pointwise": lambda: _grouped(C_in, C_out, 1, HW, 1, b),
        "grouped": lambda: _grouped(C_in, C_out, K, HW, groups, b),
        "depthwise": lambda: _grouped(C_in, C_out, K, HW, C_in, b),
        "separable": lambda: tuple(np.add(_grouped(C_in, C_in, K, HW, C_in, b), _grouped(C_in, C_out, 1, HW, 1, b))),
    }
    if block not in table:
        raise ValueError("unknown block")
    return list(table[block]())


def separable_ratio(C_out, K):
    return np.float64((K * K + C_out) / (C_out * K * K))
''',
    "stacked_filters": '''
def stacked_filters(C, L, K=3, bias=True):
    rf = K + (L - 1) * (K - 1)
    per_layer = C * C * K * K + (C if bias else 0)
    return [rf, sum(per_layer for _ in range(L)), C * C * rf ** 2 + (C if bias else 0)]
''',
    "residual_block_forward": '''
def residual_block_forward(x, params, stride=1, eps=1e-5):
    C_out = params["w1"].shape[0]
    zeros = np.zeros(C_out)
    K = params["w1"].shape[-1]
    c = {}
    h, c["conv1"] = conv2d_grouped_forward(x, params["w1"], zeros, stride=stride, padding=(K - 1) // 2)
    h, c["bn1"] = batchnorm2d_train_forward(h, params["gamma1"], params["beta1"], eps=eps)
    c["mask1"] = h > 0
    h, c["conv2"] = conv2d_grouped_forward(h * c["mask1"], params["w2"], zeros, padding=(K - 1) // 2)
    h, c["bn2"] = batchnorm2d_train_forward(h, params["gamma2"], params["beta2"], eps=eps)
    if params.get("w_proj") is not None:
        s, c["proj"] = conv2d_grouped_forward(x, params["w_proj"], zeros, stride=stride)
    elif h.shape == x.shape:
        s = x
    else:
        raise ValueError("shapes differ and there is no projection")
    c["mask_out"] = (h + s) > 0
    return (h + s) * c["mask_out"], c
''',
    "residual_block_backward": '''
def residual_block_backward(dout, cache):
    g = {}
    dz = dout * cache["mask_out"]
    if "proj" in cache:
        dx_short, g["w_proj"], _ = conv2d_grouped_backward(dz, cache["proj"])
    else:
        dx_short = dz
    d, g["gamma2"], g["beta2"] = batchnorm2d_train_backward(dz, cache["bn2"])
    d, g["w2"], _ = conv2d_grouped_backward(d, cache["conv2"])
    d, g["gamma1"], g["beta1"] = batchnorm2d_train_backward(d * cache["mask1"], cache["bn1"])
    d, g["w1"], _ = conv2d_grouped_backward(d, cache["conv1"])
    g["x"] = dx_short + d
    return g
''',
})

ALTERNATIVES = [DIFFERENT_BUT_CORRECT]
