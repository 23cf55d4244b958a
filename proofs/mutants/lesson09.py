"""Lesson 09: mutants of every graded function, and a correct-but-different implementation of all of them."""

from . import Alternative, Mutant, edit, wrap

LESSON = "09_train_your_cnn"

MUTANTS: list[Mutant] = [
    # --- softmax_cross_entropy
    edit("softmax_cross_entropy", "no max-subtraction: exp overflows for logits of 1000",
         "shifted = scores - scores.max(axis=1, keepdims=True)", "shifted = scores"),
    edit("softmax_cross_entropy",
         "log of the softmax (underflows to log 0 for a far-off label)",
         "log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))",
         "log_probs = np.log(np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True))"),
    wrap("softmax_cross_entropy", "sum over the batch instead of the mean", "softmax_cross_entropy(scores, y)", """
    loss, dscores = _correct_softmax_cross_entropy(scores, y)
    return loss * scores.shape[0], dscores * scores.shape[0]
"""),
    wrap("softmax_cross_entropy", "dscores not divided by N", "softmax_cross_entropy(scores, y)", """
    loss, dscores = _correct_softmax_cross_entropy(scores, y)
    return loss, dscores * scores.shape[0]
"""),
    wrap("softmax_cross_entropy", "dscores is the softmax (the one-hot label not subtracted)",
         "softmax_cross_entropy(scores, y)", """
    loss, dscores = _correct_softmax_cross_entropy(scores, y)
    dscores = dscores.copy()
    dscores[np.arange(scores.shape[0]), y] += 1.0 / scores.shape[0]
    return loss, dscores
"""),
    wrap("softmax_cross_entropy", "the max subtracted in place: the caller's scores change",
         "softmax_cross_entropy(scores, y)", """
    result = _correct_softmax_cross_entropy(scores, y)
    scores -= scores.max(axis=1, keepdims=True)
    return result
"""),
    # --- dropout
    wrap("dropout", "kept entries not scaled by 1/(1-p)", "dropout_forward(x, p, training, rng)", """
    out, mask = _correct_dropout_forward(x, p, training, rng)
    if mask is None:
        return out, mask
    return out * (1 - p), mask * (1 - p)
"""),
    Mutant("dropout", "classic dropout: unscaled in training, times (1-p) in eval mode", """
_correct_dropout_forward = dropout_forward
def dropout_forward(x, p, training, rng):
    if not training:
        return x * (1 - p), ("eval", 1 - p)
    out, mask = _correct_dropout_forward(x, p, training, rng)
    if mask is None:
        return out, mask
    return out * (1 - p), mask * (1 - p)
_correct_dropout_backward = dropout_backward
def dropout_backward(dout, cache):
    if isinstance(cache, tuple):
        return dout * cache[1]
    return _correct_dropout_backward(dout, cache)
"""),
    edit("dropout", "a new mask drawn in the backward pass",
         "return x * mask, mask", "return x * mask, (p, rng, x.shape)",
         "    mask = cache\n",
         "    if cache is not None:  # the mask drawn again, from where the generator now is\n"
         "        p, rng, shape = cache\n"
         "        cache = np.zeros(shape) if p == 1.0 else (rng.random(shape) >= p) / (1.0 - p)\n"
         "    mask = cache\n"),
    wrap("dropout", "p read as the probability of keeping", "dropout_forward(x, p, training, rng)", """
    if p in (0.0, 1.0) or not training:
        return _correct_dropout_forward(x, p, training, rng)
    mask = (rng.random(x.shape) < p).astype(x.dtype) / (1.0 - p)
    return x * mask, mask
"""),
    wrap("dropout", "p = 1 divides by zero (NaN)", "dropout_forward(x, p, training, rng)", """
    if training and p == 1.0:
        with np.errstate(divide="ignore", invalid="ignore"):
            mask = np.zeros_like(x) / (1.0 - p)
        return x * mask, mask
    return _correct_dropout_forward(x, p, training, rng)
"""),
    wrap("dropout", "the mask drawn from NumPy's global generator, not from rng",
         "dropout_forward(x, p, training, rng)", """
    return _correct_dropout_forward(x, p, training, np.random.default_rng(np.random.randint(1 << 30)))
"""),
    # --- sgd_momentum
    edit("sgd_momentum", "the other momentum convention: v <- mu v + lr g, p <- p - v",
         "momentum * state[name] + g", "momentum * state[name] + lr * g",
         "state[name] = g.copy()", "state[name] = lr * g",
         "params[name] -= lr * g", "params[name] -= g if momentum != 0.0 else lr * g"),
    edit("sgd_momentum", "weight decay added after the momentum",
         "g = grads[name] + weight_decay * params[name]", "g = grads[name]",
         "params[name] -= lr * g", "params[name] -= lr * (g + weight_decay * params[name])"),
    wrap("sgd_momentum", "weight decay ignored",
         "sgd_step(params, grads, state, lr, momentum=0.0, weight_decay=0.0)", """
    _correct_sgd_step(params, grads, state, lr, momentum, 0.0)
"""),
    edit("sgd_momentum", "momentum as a moving average (dampening = momentum)",
         "momentum * state[name] + g", "momentum * state[name] + (1 - momentum) * g",
         "state[name] = g.copy()", "state[name] = (1 - momentum) * g"),
    edit("sgd_momentum", "parameters not updated in place (a local variable rebound)",
         "params[name] -= lr * g", "p = params[name]\n        p = p - lr * g"),
    # --- adam
    edit("adam", "no bias correction",
         "m_hat = m / (1 - beta1**t)", "m_hat = m", "v_hat = v / (1 - beta2**t)", "v_hat = v"),
    edit("adam", "eps inside the square root", "(np.sqrt(v_hat) + eps)", "np.sqrt(v_hat + eps)"),
    wrap("adam", "decoupled weight decay (that is AdamW, not torch.optim.Adam)",
         "adam_step(params, grads, state, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0)", """
    before = {k: v.copy() for k, v in params.items()}
    _correct_adam_step(params, grads, state, lr, betas, eps, 0.0)
    for k, p in params.items():
        p -= lr * weight_decay * before[k]
"""),
    wrap("adam", "the step count never advances (t = 1 at every step)",
         "adam_step(params, grads, state, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0)", """
    state["step"] = 0
    _correct_adam_step(params, grads, state, lr, betas, eps, weight_decay)
"""),
    wrap("adam", "beta1 and beta2 swapped",
         "adam_step(params, grads, state, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0)", """
    _correct_adam_step(params, grads, state, lr, (betas[1], betas[0]), eps, weight_decay)
"""),
    # --- init
    wrap("init", "fan-in and fan-out swapped", "init_fans(shape)", """
    fan_in, fan_out = _correct_init_fans(shape)
    return fan_out, fan_in
"""),
    edit("init", "the kernel left out of the fans (C_in and C_out only)",
         "return int(shape[1]) * receptive_field, int(shape[0]) * receptive_field",
         "return int(shape[1]), int(shape[0])"),
    edit("init", "He with gain 2 instead of sqrt(2)", '"relu": np.sqrt(2.0)', '"relu": 2.0'),
    edit("init", "He without the ReLU gain (std 1/sqrt(fan_in))", '"relu": np.sqrt(2.0)', '"relu": 1.0'),
    edit("init", "mode ignored (always fan-in)", 'fan = {"fan_in": fan_in, "fan_out": fan_out}[mode]', "fan = fan_in"),
    edit(
        "init",
        "Xavier as a normal draw (same variance, not uniform)",
        (
            "    bound = gain * np.sqrt(6.0 / (fan_in + fan_out))\n"
            "    return rng.uniform(-bound, bound, size=tuple(shape))"
        ),
        "    return rng.standard_normal(tuple(shape)) * gain * np.sqrt(2.0 / (fan_in + fan_out))",
    ),
    edit("init", "weights from NumPy's global generator, not from rng", "rng.standard_normal(tuple(shape))",
         "np.random.default_rng(np.random.randint(1 << 30)).standard_normal(tuple(shape))"),
    # --- layers (pasted from lessons 01-05)
    wrap("layers", "conv: flipped kernel (true convolution)",
         "conv2d_forward(x, weight, bias, stride=1, padding=0)", """
    out, _ = _correct_conv2d_forward(x, weight[:, :, ::-1, ::-1], bias, stride, padding)
    return out, (x, weight, stride, padding)
"""),
    edit("layers", "max-pool: the gradient sent to every cell of the window",
         "first = (x[:, :, rows, cols] == out) & ~routed", "first = np.ones(out.shape, dtype=bool)"),
    wrap("layers", "spatial BN: eval mode normalizes with the batch's statistics",
         "spatial_batchnorm_forward(x, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5)", """
    if training:
        return _correct_spatial_batchnorm_forward(x, gamma, beta, running_mean, running_var, True, momentum, eps)
    return _correct_spatial_batchnorm_forward(x, gamma, beta, running_mean.copy(), running_var.copy(), True,
                                              momentum, eps)
"""),
    wrap("layers", "spatial BN: the running variance stores the biased variance",
         "spatial_batchnorm_forward(x, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5)", """
    out, cache = _correct_spatial_batchnorm_forward(x, gamma, beta, running_mean, running_var, training, momentum, eps)
    if training:
        m = x.size // x.shape[1]
        running_var -= momentum * x.var(axis=(0, 2, 3)) / (m - 1)
    return out, cache
"""),
    edit("layers", "flatten in channels-last order",
         "return x.reshape(x.shape[0], -1), x.shape",
         "return np.ascontiguousarray(x.transpose(0, 2, 3, 1)).reshape(x.shape[0], -1), x.shape",
         "return dout.reshape(cache)",
         "N, C, H, W = cache\n    return dout.reshape(N, H, W, C).transpose(0, 3, 1, 2)"),
    wrap("layers", "affine: dbias averaged over the batch instead of summed", "affine_backward(dout, cache)", """
    dx, dw, db = _correct_affine_backward(dout, cache)
    return dx, dw, db / dout.shape[0]
"""),
    # --- cnn
    edit("cnn",
         "batch norm left in train mode at eval (batch statistics)",
         'bn_state[f"bn{i}.running_var"],\n                                                    training)',
         'bn_state[f"bn{i}.running_var"],\n                                                    True)'),
    edit("cnn",
         "dropout applied at eval too",
         "dropout_forward(h, p_drop, training, rng)",
         "dropout_forward(h, p_drop, True, rng if rng is not None else np.random.default_rng(0))"),
    edit("cnn",
         "ReLU before batch norm",
         "        bn_cache = None\n",
         "        h, relu_cache = relu_forward(h)\n        bn_cache = None\n",
         "        h, relu_cache = relu_forward(h)\n        h, pool_cache",
         "        h, pool_cache"),
    wrap("cnn", "the backward pass skips dropout's mask", "cnn_backward(dscores, cache)", """
    stages, flat_cache, fc1_cache, relu3_cache, drop_cache, fc2_cache = cache
    return _correct_cnn_backward(dscores, (stages, flat_cache, fc1_cache, relu3_cache, None, fc2_cache))
"""),
    wrap("cnn", "the conv biases' gradients left out", "cnn_backward(dscores, cache)", """
    grads = _correct_cnn_backward(dscores, cache)
    for k in ("conv1.bias", "conv2.bias"):
        if k in grads:
            grads[k] = np.zeros_like(grads[k])
    return grads
"""),
    # --- train_step
    edit("train_step", "the forward pass in eval mode during training",
         "cnn_forward(x, params, bn_state, True,", "cnn_forward(x, params, bn_state, False,"),
    wrap("train_step", "returns the loss after the update (a second forward pass)",
         "train_step(params, bn_state, opt_state, x, y, rng, config)", """
    _correct_train_step(params, bn_state, opt_state, x, y, rng, config)
    scores, _ = cnn_forward(x, params, {k: v.copy() for k, v in bn_state.items()}, False)
    return softmax_cross_entropy(scores, y)[0]
"""),
    edit("train_step", "gradients accumulated across steps (no zero_grad)",
         "    grads = cnn_backward(dscores, cache)\n",
         "    grads = cnn_backward(dscores, cache)\n"
         '    kept = opt_state.setdefault("accumulated", {})\n'
         "    for k in grads:\n"
         "        kept[k] = kept.get(k, 0.0) + grads[k]\n"
         '    grads, opt_state = dict(kept), opt_state.setdefault("inner", {})\n'),
    wrap("train_step", "p_drop not passed on (no dropout in training)",
         "train_step(params, bn_state, opt_state, x, y, rng, config)", """
    return _correct_train_step(params, bn_state, opt_state, x, y, rng, {**config, "p_drop": 0.0})
"""),
    wrap("train_step", "weight decay and momentum from config ignored",
         "train_step(params, bn_state, opt_state, x, y, rng, config)", """
    return _correct_train_step(params, bn_state, opt_state, x, y, rng,
                               {**config, "momentum": 0.0, "weight_decay": 0.0})
"""),
]


# A student who writes everything differently: log-sum-exp with np.logaddexp.reduce and a one-hot matrix;
# dropout with a boolean mask from rng.binomial kept with its scale; SGD and Adam with nested per-parameter
# state dicts and torch's own step_size/denominator arithmetic; fans from math.prod and Xavier from
# rng.random; layers by explicit loops over kernel offsets and einsum with dict caches; the network as a
# list of layer records; a train step that picks the optimizer from a dict of functions.
DIFFERENT_BUT_CORRECT = Alternative("logaddexp, binomial masks, nested state, loops and einsum, layer records", {
    "softmax_cross_entropy": '''
def softmax_cross_entropy(scores, y):
    n = len(y)
    lse = np.logaddexp.reduce(scores, axis=1, keepdims=True)
    onehot = np.zeros_like(scores)
    onehot[np.arange(n), np.asarray(y)] = 1
    loss = float(np.sum(onehot * (lse - scores)) / n)
    return loss, (np.exp(scores - lse) - onehot) / n
''',
    "dropout": '''
def dropout_forward(x, p, training, rng):
    if p < 0 or p > 1:
        raise ValueError("dropout probability out of range")
    if not training:
        return np.array(x, copy=True), {"scale": None}
    keep = rng.binomial(1, 1 - p, size=x.shape).astype(bool) if 0 < p < 1 else np.full(x.shape, p == 0)
    scale = 0.0 if p == 1 else 1.0 / (1.0 - p)
    return np.where(keep, x * scale, 0).astype(x.dtype), {"keep": keep, "scale": scale}


def dropout_backward(dout, cache):
    if cache["scale"] is None:
        return np.array(dout, copy=True)
    return np.where(cache["keep"], dout * cache["scale"], 0).astype(dout.dtype)
''',
    "sgd_momentum": '''
def sgd_step(params, grads, state, lr, momentum=0.0, weight_decay=0.0):
    for key in params:
        d_p = grads[key] if weight_decay == 0 else grads[key] + weight_decay * params[key]
        if momentum:
            slot = state.setdefault(key, {})
            slot["buf"] = d_p.copy() if "buf" not in slot else slot["buf"] * momentum + d_p
            d_p = slot["buf"]
        params[key] = params[key] - lr * d_p
''',
    "adam": '''
def adam_step(params, grads, state, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
    for key in params:
        p = params[key]
        g = grads[key] if weight_decay == 0 else grads[key] + weight_decay * p
        s = state.setdefault(key, {"step": 0, "exp_avg": np.zeros_like(p), "exp_avg_sq": np.zeros_like(p)})
        s["step"] += 1
        s["exp_avg"] = s["exp_avg"] + (1 - betas[0]) * (g - s["exp_avg"])
        s["exp_avg_sq"] = betas[1] * s["exp_avg_sq"] + (1 - betas[1]) * g * g
        step_size = lr / (1 - betas[0] ** s["step"])
        denom = np.sqrt(s["exp_avg_sq"]) / np.sqrt(1 - betas[1] ** s["step"]) + eps
        p -= step_size * s["exp_avg"] / denom
''',
    "init": '''
import math


def init_fans(shape):
    dims = tuple(int(d) for d in shape)
    if len(dims) <= 1:
        raise ValueError("need a weight of at least 2 dimensions")
    k = math.prod(dims[2:])
    return dims[1] * k, dims[0] * k


def kaiming_normal(shape, rng, mode="fan_in", nonlinearity="relu"):
    fan = init_fans(shape)[0 if mode == "fan_in" else 1]
    gain = math.sqrt(2.0) if nonlinearity == "relu" else 1.0
    return rng.normal(0.0, gain / math.sqrt(fan), size=tuple(shape))


def xavier_uniform(shape, rng, gain=1.0):
    a = gain * math.sqrt(6.0 / sum(init_fans(shape)))
    return (2.0 * rng.random(tuple(shape)) - 1.0) * a
''',
    "layers": '''
def conv2d_forward(x, weight, bias, stride=1, padding=0):
    N, C, H, W = x.shape
    F_, _, KH, KW = weight.shape
    Ho, Wo = (H + 2 * padding - KH) // stride + 1, (W + 2 * padding - KW) // stride + 1
    xp = np.pad(x, [(0, 0), (0, 0), (padding,) * 2, (padding,) * 2])
    out = np.zeros((N, F_, Ho, Wo), dtype=x.dtype) + bias.reshape(1, F_, 1, 1)
    for u in range(KH):
        for v in range(KW):
            patch = xp[:, :, u:u + stride * (Ho - 1) + 1:stride, v:v + stride * (Wo - 1) + 1:stride]
            out += np.einsum("nchw,fc->nfhw", patch, weight[:, :, u, v])
    return out, {"x": x, "w": weight, "s": stride, "p": padding}


def conv2d_backward(dout, cache):
    x, w, S, P = cache["x"], cache["w"], cache["s"], cache["p"]
    H, W = x.shape[2:]
    KH, KW = w.shape[2:]
    Ho, Wo = dout.shape[2:]
    xp = np.pad(x, [(0, 0), (0, 0), (P,) * 2, (P,) * 2])
    dxp, dw = np.zeros_like(xp), np.zeros_like(w)
    for u in range(KH):
        for v in range(KW):
            rows, cols = slice(u, u + S * (Ho - 1) + 1, S), slice(v, v + S * (Wo - 1) + 1, S)
            dw[:, :, u, v] = np.einsum("nfhw,nchw->fc", dout, xp[:, :, rows, cols])
            dxp[:, :, rows, cols] += np.einsum("nfhw,fc->nchw", dout, w[:, :, u, v])
    return dxp[:, :, P:P + H, P:P + W].copy(), dw, dout.sum(axis=(0, 2, 3))


def relu_forward(x):
    mask = x > 0
    return np.where(mask, x, np.zeros_like(x)), mask


def relu_backward(dout, cache):
    return np.where(cache, dout, np.zeros_like(dout))


def max_pool2d_forward(x, kernel_size, stride=None):
    K, S = kernel_size, stride or kernel_size
    windows = np.lib.stride_tricks.sliding_window_view(x, (K, K), axis=(2, 3))[:, :, ::S, ::S]
    flat = windows.reshape(windows.shape[:4] + (K * K,))
    return flat.max(axis=-1), {"arg": flat.argmax(axis=-1), "shape": x.shape, "K": K, "S": S}


def max_pool2d_backward(dout, cache):
    arg, K, S = cache["arg"], cache["K"], cache["S"]
    dx = np.zeros(cache["shape"], dtype=dout.dtype)
    N, C, Ho, Wo = dout.shape
    for i in range(Ho):
        for j in range(Wo):
            r, c = i * S + arg[:, :, i, j] // K, j * S + arg[:, :, i, j] % K
            np.add.at(dx, (np.arange(N)[:, None], np.arange(C)[None, :], r, c), dout[:, :, i, j])
    return dx


def affine_forward(x, weight, bias):
    return np.einsum("ni,oi->no", x, weight) + bias[None, :], {"x": x, "w": weight}


def affine_backward(dout, cache):
    x, w = cache["x"], cache["w"]
    return np.einsum("no,oi->ni", dout, w), np.einsum("no,ni->oi", dout, x), np.einsum("no->o", dout)


def flatten_forward(x):
    return np.reshape(x, (len(x), -1)), {"like": x}


def flatten_backward(dout, cache):
    return np.reshape(dout, np.shape(cache["like"]))


def spatial_batchnorm_forward(x, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5):
    axes, shape = (0, 2, 3), (1, -1, 1, 1)
    if training:
        m = x.shape[0] * x.shape[2] * x.shape[3]
        if m <= 1:
            raise ValueError("need more than one value per channel in train mode")
        mean = x.mean(axis=axes)
        var = ((x - mean.reshape(shape)) ** 2).mean(axis=axes)
        running_mean[...] = running_mean + momentum * (mean - running_mean)
        running_var[...] = running_var + momentum * (var * m / (m - 1) - running_var)
    else:
        mean, var = running_mean.copy(), running_var.copy()
    std = np.sqrt(var + eps)
    xhat = (x - mean.reshape(shape)) / std.reshape(shape)
    return gamma.reshape(shape) * xhat + beta.reshape(shape), [xhat, std, gamma]


def spatial_batchnorm_backward(dout, cache):
    xhat, std, gamma = cache
    axes, shape = (0, 2, 3), (1, -1, 1, 1)
    m = dout.size / dout.shape[1]
    g = dout * gamma.reshape(shape)
    dx = (g - g.mean(axis=axes, keepdims=True) - xhat * (g * xhat).mean(axis=axes, keepdims=True)) / std.reshape(shape)
    return dx, (dout * xhat).sum(axis=axes), dout.sum(axis=axes)
''',
    "cnn": '''
def cnn_forward(x, params, bn_state, training, p_drop=0.0, rng=None):
    tape, h = [], x
    for i in (1, 2):
        w = params[f"conv{i}.weight"]
        b = params[f"conv{i}.bias"] if f"conv{i}.bias" in params else np.zeros(len(w), dtype=x.dtype)
        h, c = conv2d_forward(h, w, b, 1, 1)
        tape.append(("conv", i, c))
        if f"bn{i}.weight" in params:
            h, c = spatial_batchnorm_forward(h, params[f"bn{i}.weight"], params[f"bn{i}.bias"],
                                             bn_state[f"bn{i}.running_mean"], bn_state[f"bn{i}.running_var"],
                                             training=training)
            tape.append(("bn", i, c))
        h, c = relu_forward(h)
        tape.append(("relu", i, c))
        h, c = max_pool2d_forward(h, 2)
        tape.append(("pool", i, c))
    h, c = flatten_forward(h)
    tape.append(("flatten", 0, c))
    for j in (1, 2):
        h, c = affine_forward(h, params[f"fc{j}.weight"], params[f"fc{j}.bias"])
        tape.append(("fc", j, c))
        if j == 1:
            h, c = relu_forward(h)
            tape.append(("relu", 3, c))
            h, c = dropout_forward(h, p_drop, training, rng)
            tape.append(("dropout", 0, c))
    return h, {"tape": tape, "keys": sorted(params)}


def cnn_backward(dscores, cache):
    grads, d = {}, dscores
    for kind, i, c in reversed(cache["tape"]):
        if kind == "fc":
            d, grads[f"fc{i}.weight"], grads[f"fc{i}.bias"] = affine_backward(d, c)
        elif kind == "dropout":
            d = dropout_backward(d, c)
        elif kind == "relu":
            d = relu_backward(d, c)
        elif kind == "flatten":
            d = flatten_backward(d, c)
        elif kind == "pool":
            d = max_pool2d_backward(d, c)
        elif kind == "bn":
            d, grads[f"bn{i}.weight"], grads[f"bn{i}.bias"] = spatial_batchnorm_backward(d, c)
        else:
            d, grads[f"conv{i}.weight"], db = conv2d_backward(d, c)
            if f"conv{i}.bias" in cache["keys"]:
                grads[f"conv{i}.bias"] = db
    return grads
''',
    "train_step": '''
def train_step(params, bn_state, opt_state, x, y, rng, config):
    options = dict(config)
    p_drop = options.pop("p_drop", 0.0)
    kind, lr = options.pop("optimizer"), options.pop("lr")
    scores, cache = cnn_forward(x, params, bn_state, training=True, p_drop=p_drop, rng=rng)
    loss, dscores = softmax_cross_entropy(scores, y)
    step = {"sgd": sgd_step, "adam": adam_step}[kind]
    step(params, cnn_backward(dscores, cache), opt_state, lr, **options)
    return loss
''',
})

ALTERNATIVES = [DIFFERENT_BUT_CORRECT]
