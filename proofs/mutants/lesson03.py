"""Lesson 03: mutants of every graded function, and a correct-but-different implementation."""

from . import Alternative, Mutant, edit, wrap

LESSON = "03_pooling"

# The reference cache has no x, which a tie-breaking backward needs: the forward (the reference, wrapped
# once) keeps its input aside in _tie_x.
_KEEP_FORWARD_INPUT = """
if "_tie_plain_forward" not in globals():
    _tie_plain_forward = max_pool2d_forward
def max_pool2d_forward(x, kernel_size, stride=None):
    global _tie_x
    _tie_x = x
    return _tie_plain_forward(x, kernel_size, stride)
"""

MUTANTS: list[Mutant] = [
    # --- pool_output_size
    edit("pool_output_size", "forgot the +1",
         "return (H - kernel_size) // stride + 1", "return (H - kernel_size) // stride"),
    edit("pool_output_size", "rounds up (ceil_mode) instead of flooring",
         "return (H - kernel_size) // stride + 1", "return -((kernel_size - H) // stride) + 1"),
    wrap("pool_output_size", "stride defaults to 1 instead of kernel_size",
         "pool_output_size(H, kernel_size, stride=None)", """
    return _correct_pool_output_size(H, kernel_size, 1 if stride is None else stride)
"""),
    edit("pool_output_size", "no error when the window does not fit", "if kernel_size > H:", "if False:"),
    # --- max_pool2d_forward
    wrap("max_pool2d_forward", "stride ignored: windows always step by kernel_size",
         "max_pool2d_forward(x, kernel_size, stride=None)", """
    return _correct_max_pool2d_forward(x, kernel_size, kernel_size)
"""),
    wrap("max_pool2d_forward", "the max is taken over all channels of the window together",
         "max_pool2d_forward(x, kernel_size, stride=None)", """
    out, cache = _correct_max_pool2d_forward(x, kernel_size, stride)
    return np.broadcast_to(out.max(axis=1, keepdims=True), out.shape).copy(), cache
"""),
    edit("max_pool2d_forward", "partial windows at the border kept (ceil instead of floor)",
         "H_out, W_out = pool_output_size(H, K, S), pool_output_size(W, K, S)",
         "pool_output_size(H, K, S), pool_output_size(W, K, S)  # the window fits\n"
         "    H_out, W_out = -((K - H) // S) + 1, -((K - W) // S) + 1\n"
         "    pad = ((0, 0), (0, 0), (0, (H_out - 1) * S + K - H), (0, (W_out - 1) * S + K - W))",
         "sliding_window_view(x, (K, K)", "sliding_window_view(np.pad(x, pad, constant_values=-np.inf), (K, K)"),
    wrap("max_pool2d_forward", "output cast to float32", "max_pool2d_forward(x, kernel_size, stride=None)", """
    out, cache = _correct_max_pool2d_forward(x, kernel_size, stride)
    return out.astype(np.float32), cache
"""),
    # --- max_pool2d_backward
    edit("max_pool2d_backward", "gradient sent to every cell of the window",
         "np.add.at(dx, (n, c, i * S + du, j * S + dv), dout)",
         "for u in range(K):\n"
         "        for v in range(K):\n"
         "            np.add.at(dx, (n, c, i * S + u, j * S + v), dout)"),
    Mutant("max_pool2d_backward", "ties: gradient to every maximum of the window", """
def max_pool2d_backward(dout, cache):
    x_shape, K, S, argmax = cache
    x = _tie_x  # the input of the forward pass, kept by the forward below
    H_out, W_out = dout.shape[2:]
    windows = np.lib.stride_tricks.sliding_window_view(x, (K, K), axis=(2, 3))[:, :, ::S, ::S][:, :, :H_out, :W_out]
    is_max = windows == windows.max(axis=(-2, -1), keepdims=True)
    dx = np.zeros(x_shape)
    for u in range(K):
        for v in range(K):
            dx[:, :, u:u + S * H_out:S, v:v + S * W_out:S] += dout * is_max[..., u, v]
    return dx

""" + _KEEP_FORWARD_INPUT),
    Mutant("max_pool2d_backward", "ties: gradient to the last maximum in row-major order", _KEEP_FORWARD_INPUT, edits=((
        "du, dv = np.divmod(argmax, K)",
        "windows = np.lib.stride_tricks.sliding_window_view(_tie_x, (K, K), axis=(2, 3))[:, :, ::S, ::S]\n"
        "    flat = windows[:, :, :H_out, :W_out].reshape(N, C, H_out, W_out, K * K)[..., ::-1]\n"
        "    du, dv = np.divmod(K * K - 1 - flat.argmax(axis=-1), K)"),)),
    edit("max_pool2d_backward", "overlapping windows overwrite dx instead of adding up",
         "np.add.at(dx, (n, c, i * S + du, j * S + dv), dout)", "dx[n, c, i * S + du, j * S + dv] = dout"),
    # --- avg_pool2d
    wrap("avg_pool2d", "avg gradient not divided by K^2", "avg_pool2d_backward(dout, cache)", """
    K = cache[1]
    return _correct_avg_pool2d_backward(dout, cache) * (K * K)
"""),
    edit("avg_pool2d", "divided by K instead of K^2 (forward and backward)",
         "out = windows.mean(axis=(-2, -1))", "out = windows.mean(axis=(-2, -1)) * K",
         "share = dout / (K * K)", "share = dout / K"),
    edit("avg_pool2d",
         "stride ignored in the backward pass (windows scattered at stride K)",
         "dx[:, :, u:u + S * H_out:S, v:v + S * W_out:S] += share",
         "rows = dx[:, :, u:u + K * H_out:K, v:v + K * W_out:K]\n"
         "            rows += share[:, :, :rows.shape[2], :rows.shape[3]]"),
    wrap("avg_pool2d", "stride ignored in the forward pass (stride 1, cropped)",
         "avg_pool2d_forward(x, kernel_size, stride=None)", """
    S = kernel_size if stride is None else stride
    out, _ = _correct_avg_pool2d_forward(x, kernel_size, 1)
    H_out, W_out = pool_output_size(x.shape[2], kernel_size, S), pool_output_size(x.shape[3], kernel_size, S)
    return np.ascontiguousarray(out[:, :, :H_out, :W_out]), (x.shape, kernel_size, S)
"""),
    # --- global_avg_pool
    edit("global_avg_pool", "the mean is also taken over the channels",
         "return x.mean(axis=(2, 3), keepdims=True), x.shape",
         "return np.broadcast_to(x.mean(axis=(1, 2, 3), keepdims=True), x.shape[:2] + (1, 1)).copy(), x.shape"),
    edit("global_avg_pool", "backward not divided by H*W", "dout / (H * W)", "dout"),
    edit("global_avg_pool", "backward divided by N*H*W (batch averaged too)", "dout / (H * W)", "dout / (N * H * W)"),
    edit("global_avg_pool", "output flattened to (N, C)", "x.mean(axis=(2, 3), keepdims=True)", "x.mean(axis=(2, 3))"),
]


# Loops over output positions with a dict cache holding x, ties resolved by scanning the window,
# average pooling as a box-filter convolution, global pooling via reshape and sum.
DIFFERENT_BUT_CORRECT = Alternative("loops with a dict cache, window scan, box-filter sums", {
    "pool_output_size": '''
def pool_output_size(H, kernel_size, stride=None):
    step = kernel_size if stride is None else stride
    if min(H, kernel_size, step) < 1 or kernel_size > H:
        raise ValueError("invalid pooling settings")
    return float(len(range(0, H - kernel_size + 1, step)))
''',
    "max_pool2d_forward": '''
def max_pool2d_forward(x, kernel_size, stride=None):
    K, S = kernel_size, stride or kernel_size
    N, C, H, W = x.shape
    Ho, Wo = int(pool_output_size(H, K, S)), int(pool_output_size(W, K, S))
    out = np.empty((N, C, Ho, Wo), dtype=x.dtype)
    for i in range(Ho):
        for j in range(Wo):
            out[:, :, i, j] = x[:, :, i * S:i * S + K, j * S:j * S + K].max(axis=(2, 3))
    return out, {"x": x, "K": K, "S": S}
''',
    "max_pool2d_backward": '''
def max_pool2d_backward(dout, cache):
    x, K, S = cache["x"], cache["K"], cache["S"]
    N, C, Ho, Wo = dout.shape
    dx = np.zeros_like(x)
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    window = x[n, c, i * S:i * S + K, j * S:j * S + K]
                    best = None
                    for u in range(K):  # scan rows, then columns: the first maximum wins
                        for v in range(K):
                            if best is None or window[u, v] > window[best]:
                                best = (u, v)
                    dx[n, c, i * S + best[0], j * S + best[1]] += dout[n, c, i, j]
    return dx
''',
    "avg_pool2d": '''
def avg_pool2d_forward(x, kernel_size, stride=None):
    K, S = kernel_size, stride or kernel_size
    N, C, H, W = x.shape
    Ho, Wo = int(pool_output_size(H, K, S)), int(pool_output_size(W, K, S))
    # 2D prefix sums: every window sum from four corners
    P = np.zeros((N, C, H + 1, W + 1))
    P[:, :, 1:, 1:] = x.cumsum(axis=2).cumsum(axis=3)
    r = np.arange(Ho)[:, None] * S
    c = np.arange(Wo)[None, :] * S
    sums = P[:, :, r + K, c + K] - P[:, :, r, c + K] - P[:, :, r + K, c] + P[:, :, r, c]
    return (sums / K ** 2).astype(x.dtype), {"shape": x.shape, "K": K, "S": S}


def avg_pool2d_backward(dout, cache):
    K, S = cache["K"], cache["S"]
    dx = np.zeros(cache["shape"])
    for i in range(dout.shape[2]):
        for j in range(dout.shape[3]):
            dx[:, :, i * S:i * S + K, j * S:j * S + K] += dout[:, :, i:i + 1, j:j + 1] / K ** 2
    return dx
''',
    "global_avg_pool": '''
def global_avg_pool_forward(x):
    N, C, H, W = x.shape
    return x.reshape(N, C, H * W).sum(axis=2).reshape(N, C, 1, 1) / (H * W), {"hw": (H, W)}


def global_avg_pool_backward(dout, cache):
    H, W = cache["hw"]
    return np.tile(dout, (1, 1, H, W)) / (H * W)
''',
})

ALTERNATIVES = [DIFFERENT_BUT_CORRECT]
