"""Lesson 05: mutants of every graded function, and a correct-but-different implementation."""

from . import Alternative, Mutant, edit, wrap

LESSON = "05_batch_norm"

_FORWARD_PARAMETERS = "x, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5"


def _fwd(fn: str, mistake: str, body: str) -> Mutant:
    exercise = "batchnorm_forward" if fn == "batchnorm_forward" else "spatial_batchnorm"
    return wrap(exercise, mistake, f"{fn}({_FORWARD_PARAMETERS})", body)


def _bwd(fn: str, mistake: str, body: str) -> Mutant:
    return wrap(fn, mistake, f"{fn}(dout, cache)", body)


def _backward_mutants(fn: str) -> list[Mutant]:
    return [
        _bwd(fn, "dgamma and dbeta averaged over the batch instead of summed",
             f"    dx, dgamma, dbeta = _correct_{fn}(dout, cache)\n"
             "    return dx, dgamma / dout.shape[0], dbeta / dout.shape[0]"),
        _bwd(fn, "dgamma and dbeta not summed over the batch (one row per sample)",
             "    x, x_hat, mu, var, inv_std, gamma, eps = cache\n"
             f"    dx, _, _ = _correct_{fn}(dout, cache)\n"
             "    return dx, dout * x_hat, dout.copy()"),
        _bwd(fn, "batch mean and variance treated as constants (eval-mode gradient)",
             "    x, x_hat, mu, var, inv_std, gamma, eps = cache\n"
             f"    _, dgamma, dbeta = _correct_{fn}(dout, cache)\n"
             "    return dout * gamma * inv_std, dgamma, dbeta"),
        _bwd(fn, "the variance path forgotten (only the mean is subtracted from the gradient)",
             "    x, x_hat, mu, var, inv_std, gamma, eps = cache\n"
             f"    _, dgamma, dbeta = _correct_{fn}(dout, cache)\n"
             "    return gamma * inv_std * (dout - dout.mean(axis=0)), dgamma, dbeta"),
        _bwd(fn, "eps dropped in the backward pass (1/sqrt(var) instead of 1/sqrt(var + eps))",
             "    x, x_hat, mu, var, inv_std, gamma, eps = cache\n"
             f"    return _correct_{fn}(dout, (x, (x - mu) / np.sqrt(var), mu, var, 1 / np.sqrt(var), gamma, 0.0))"),
    ]


MUTANTS: list[Mutant] = [
    # --- batchnorm_forward
    edit("batchnorm_forward", "running variance stores the biased variance (divide by N, not N-1)",
         "momentum * var * N / (N - 1)", "momentum * var"),
    edit("batchnorm_forward", "momentum convention reversed (0.9 on the new value, Keras-style)",
         "(1 - momentum) * running_mean + momentum * mu", "momentum * running_mean + (1 - momentum) * mu",
         "(1 - momentum) * running_var + momentum * var", "momentum * running_var + (1 - momentum) * var"),
    edit("batchnorm_forward", "statistics per sample (axis=1) instead of per feature (axis=0)",
         "mu = x.mean(axis=0)", "mu = x.mean(axis=1, keepdims=True)",
         "var = x.var(axis=0)", "var = x.var(axis=1, keepdims=True)",
         "momentum * mu\n", "momentum * mu.mean()\n",
         "momentum * var * N", "momentum * var.mean() * N"),
    _fwd("batchnorm_forward", "eval mode normalizes with the batch statistics",
         "    if training:\n"
         "        return _correct_batchnorm_forward(x, gamma, beta, running_mean, running_var, True, momentum, eps)\n"
         "    mu, var = x.mean(axis=0), x.var(axis=0)\n"
         "    return gamma * (x - mu) / np.sqrt(var + eps) + beta, None"),
    _fwd("batchnorm_forward", "eps outside the square root: (x - mu) / (sqrt(var) + eps)",
         "    out, cache = _correct_batchnorm_forward(x, gamma, beta, running_mean, running_var, training,\n"
         "                                            momentum, eps)\n"
         "    x_, x_hat, mu, var, inv_std, gamma_, eps_ = cache\n"
         "    inv_std = 1.0 / (np.sqrt(var) + eps)\n"
         "    x_hat = (x - mu) * inv_std\n"
         "    return gamma * x_hat + beta, (x, x_hat, mu, var, inv_std, gamma, eps)"),
    edit("batchnorm_forward", "normalizes with the unbiased variance (N-1) instead of the biased one",
         "var = x.var(axis=0)", "var = x.var(axis=0, ddof=1)", "momentum * var * N / (N - 1)", "momentum * var"),
    _fwd("batchnorm_forward", "running statistics rebound instead of updated in place",
         "    running_mean, running_var = running_mean.copy(), running_var.copy()\n"
         "    return _correct_batchnorm_forward(x, gamma, beta, running_mean, running_var, training, momentum, eps)"),
    edit("batchnorm_forward", "the old running value dropped: running = momentum * batch statistic",
         "(1 - momentum) * running_mean + momentum * mu", "momentum * mu",
         "(1 - momentum) * running_var + momentum * var", "momentum * var"),
    _fwd("batchnorm_forward", "running statistics also updated in eval mode",
         "    out, cache = _correct_batchnorm_forward(x, gamma, beta, running_mean, running_var, training,\n"
         "                                            momentum, eps)\n"
         "    if not training:\n"
         "        n = x.shape[0]\n"
         "        running_mean[:] = (1 - momentum) * running_mean + momentum * x.mean(axis=0)\n"
         "        running_var[:] = (1 - momentum) * running_var + momentum * x.var(axis=0) * n / max(n - 1, 1)\n"
         "    return out, cache"),
    _fwd("batchnorm_forward", "momentum hard-coded to 0.1",
         "    return _correct_batchnorm_forward(x, gamma, beta, running_mean, running_var, training, 0.1, eps)"),
    _fwd("batchnorm_forward", "no error when training with a single sample",
         "    if training and x.shape[0] == 1:\n"
         "        return np.zeros_like(x) + beta, None\n"
         "    return _correct_batchnorm_forward(x, gamma, beta, running_mean, running_var, training, momentum, eps)"),
    # --- the two backward passes
    *_backward_mutants("batchnorm_backward"),
    *_backward_mutants("batchnorm_backward_alt"),
    edit("batchnorm_backward_alt", "1/(N-1) in place of 1/N in the closed form",
         "dx = gamma * inv_std / N * (", "dx = gamma * inv_std / (N - 1) * ("),
    # --- spatial batch norm
    _fwd("spatial_batchnorm_forward", "x.reshape(-1, C) without moving the channel axis last",
         "    N, C, H, W = x.shape\n"
         "    out, cache = batchnorm_forward(x.reshape(-1, C), gamma, beta, running_mean, running_var, training,\n"
         "                                   momentum, eps)\n"
         "    return out.reshape(N, C, H, W), (cache, x.shape)"),
    _fwd("spatial_batchnorm_forward", "statistics over N only (one per channel and position)",
         "    N, C, H, W = x.shape\n"
         "    g, b = np.repeat(gamma, H * W), np.repeat(beta, H * W)\n"
         "    rm, rv = np.repeat(running_mean, H * W), np.repeat(running_var, H * W)\n"
         "    out, cache = batchnorm_forward(x.reshape(N, -1), g, b, rm, rv, training, momentum, eps)\n"
         "    running_mean[:] = rm.reshape(C, -1).mean(axis=1)\n"
         "    running_var[:] = rv.reshape(C, -1).mean(axis=1)\n"
         "    return out.reshape(x.shape), None"),
    _fwd("spatial_batchnorm_forward", "running variance made unbiased with N - 1 instead of N*H*W - 1",
         "    N, C, H, W = x.shape\n"
         "    old = running_var.copy()\n"
         "    out, cache = _correct_spatial_batchnorm_forward(x, gamma, beta, running_mean, running_var, training,\n"
         "                                                    momentum, eps)\n"
         "    if training:\n"
         "        running_var[:] = (1 - momentum) * old + momentum * x.var(axis=(0, 2, 3)) * N / max(N - 1, 1)\n"
         "    return out, cache"),
    wrap("spatial_batchnorm", "eval mode uses the batch statistics",
         "spatial_batchnorm_forward(x, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5)", """
    if not training:
        rm, rv = running_mean.copy(), running_var.copy()
        return _correct_spatial_batchnorm_forward(x, gamma, beta, rm, rv, True, momentum, eps)
    return _correct_spatial_batchnorm_forward(x, gamma, beta, running_mean, running_var, training, momentum, eps)
"""),
    wrap("spatial_batchnorm", "dgamma and dbeta summed over N only, then averaged over positions",
         "spatial_batchnorm_backward(dout, cache)", """
    dx, dgamma, dbeta = _correct_spatial_batchnorm_backward(dout, cache)
    HW = dout.shape[2] * dout.shape[3]
    return dx, dgamma / HW, dbeta / HW
"""),
    wrap("spatial_batchnorm", "backward: dout reshaped without moving the channel axis last",
         "spatial_batchnorm_backward(dout, cache)", """
    N, C, H, W = dout.shape
    scrambled = dout.reshape(-1, C).reshape(N, H, W, C).transpose(0, 3, 1, 2)
    return _correct_spatial_batchnorm_backward(np.ascontiguousarray(scrambled), cache)
"""),
    # --- folding
    edit("fold_batchnorm", "eps left out of the square root",
         "np.sqrt(running_var + eps)", "np.sqrt(running_var)"),
    edit("fold_batchnorm", "the conv bias not scaled by gamma / sqrt(var + eps)",
         "(bias - running_mean) * scale + beta", "bias - running_mean * scale + beta"),
    edit("fold_batchnorm", "the scale applied to the input channels (axis 1) instead of the output channels",
         "weight * scale[:, None, None, None]", "weight * np.resize(scale, weight.shape[1])[None, :, None, None]"),
    edit("fold_batchnorm", "the running mean not subtracted", "(bias - running_mean) * scale", "bias * scale"),
    edit("fold_batchnorm", "divided by the variance instead of the standard deviation",
         "np.sqrt(running_var + eps)", "(running_var + eps)"),
]


# A student who writes everything differently: a dict cache, einsum/explicit sums, np.multiply with out=,
# a graph backward through the centred input and standard deviation instead of the inverse, the closed
# form in terms of the centred input, spatial BN by axis reductions (no reshape), and folding via the
# eval-mode affine map a*z + b.
DIFFERENT_BUT_CORRECT = Alternative("dict cache, axis reductions, in-place ufuncs, std-based graph", {
    "batchnorm_forward": '''
def batchnorm_forward(x, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5):
    n = len(x)
    if training:
        if n <= 1:
            raise ValueError("need at least two samples per feature in train mode")
        mean = np.einsum("nd->d", x) / n
        centred = x - mean
        sq = np.einsum("nd,nd->d", centred, centred)
        var_biased = sq / n
        np.multiply(running_mean, 1.0 - momentum, out=running_mean)
        running_mean += momentum * mean
        np.multiply(running_var, 1.0 - momentum, out=running_var)
        running_var += momentum * (sq / (n - 1))
    else:
        mean, var_biased = running_mean.copy(), running_var.copy()
        centred = x - mean
    std = np.sqrt(var_biased + eps)
    out = centred / std * gamma + beta
    return out, {"xc": centred, "std": std, "gamma": gamma, "n": n}
''',
    "batchnorm_backward": '''
def batchnorm_backward(dout, cache):
    xc, std, gamma, n = cache["xc"], cache["std"], cache["gamma"], cache["n"]
    xhat = xc / std
    dbeta = np.sum(dout, axis=0)
    dgamma = np.sum(dout * xhat, axis=0)
    dxhat = dout * gamma
    # xhat = xc / std with std = sqrt(mean(xc**2) + eps) and xc = x - mean(x)
    dstd = -np.sum(dxhat * xc, axis=0) / std**2
    dvar = dstd / (2 * std)
    dxc = dxhat / std + dvar * 2 * xc / n
    dx = dxc - np.sum(dxc, axis=0) / n
    return dx, dgamma, dbeta
''',
    "batchnorm_backward_alt": '''
def batchnorm_backward_alt(dout, cache):
    xc, std, gamma, n = cache["xc"], cache["std"], cache["gamma"], cache["n"]
    g = dout * gamma
    dx = (g - g.mean(axis=0) - xc * (g * xc).mean(axis=0) / std**2) / std
    return dx, (dout * xc / std).sum(axis=0), dout.sum(axis=0)
''',
    "spatial_batchnorm": '''
def spatial_batchnorm_forward(x, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5):
    axes = (0, 2, 3)
    m = x.size // x.shape[1]
    if training:
        if m < 2:
            raise ValueError("need more than one value per channel in train mode")
        mean = x.mean(axis=axes)
        var = ((x - mean[:, None, None]) ** 2).mean(axis=axes)
        running_mean[...] = running_mean + momentum * (mean - running_mean)
        running_var[...] = running_var + momentum * (var * m / (m - 1) - running_var)
    else:
        mean, var = running_mean.copy(), running_var.copy()
    shape = (1, -1, 1, 1)
    xhat = (x - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + eps)
    return gamma.reshape(shape) * xhat + beta.reshape(shape), [xhat, np.sqrt(var + eps), gamma, m]


def spatial_batchnorm_backward(dout, cache):
    xhat, std, gamma, m = cache
    axes = (0, 2, 3)
    dbeta = dout.sum(axis=axes)
    dgamma = (dout * xhat).sum(axis=axes)
    shape = (1, -1, 1, 1)
    dx = (gamma / std).reshape(shape) / m * (m * dout - dbeta.reshape(shape) - xhat * dgamma.reshape(shape))
    return dx, dgamma, dbeta
''',
    "fold_batchnorm": '''
def fold_batchnorm(weight, bias, gamma, beta, running_mean, running_var, eps=1e-5):
    a = gamma * (running_var + eps) ** -0.5
    b = beta - a * running_mean
    w = np.einsum("o,oihw->oihw", a, weight)
    return w, b if bias is None else a * bias + b
''',
})

ALTERNATIVES = [DIFFERENT_BUT_CORRECT]
