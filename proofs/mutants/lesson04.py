"""Lesson 04: mutants of every graded function, and a correct-but-different implementation of all of them."""

from . import Alternative, Mutant, edit

LESSON = "04_lenet5"

MUTANTS: list[Mutant] = [
    # --- relu
    edit("relu", "min(x, 0) instead of max(x, 0)", "out = np.maximum(x, 0)", "out = np.minimum(x, 0)"),
    edit("relu", "gradient 1 at x = 0 (mask x >= 0)", "dout * (x > 0)", "dout * (x >= 0)"),
    edit("relu", "backward passes dout through unchanged", "return dout * (x > 0)", "return dout.copy()"),
    edit("relu", "forward clips x in place (the caller's array changes)",
         "out = np.maximum(x, 0)", "x[x < 0] = 0\n    out = x"),
    edit("relu", "backward masks by the sign of dout instead of x", "dout * (x > 0)", "dout * (dout > 0)"),
    # --- affine
    edit("affine", "bias ignored", "out = x @ weight.T + bias", "out = x @ weight.T"),
    edit("affine",
         "dweight transposed (x.T @ dout, shape (D_in, D_out))",
         "    return dout @ weight, dout.T @ x, dout.sum(axis=0)",
         "    return dout @ weight, x.T @ dout, dout.sum(axis=0)"),
    edit("affine",
         "dbias averaged over the batch",
         "    return dout @ weight, dout.T @ x, dout.sum(axis=0)",
         "    return dout @ weight, dout.T @ x, dout.mean(axis=0)"),
    edit("affine", "dweight averaged over the batch", "dout.T @ x,", "dout.T @ x / len(x),"),
    # --- flatten
    edit("flatten", "channels-last order (N, H, W, C) before flattening",
         "return x.reshape(x.shape[0], -1), x.shape",
         "return (x.transpose(0, 2, 3, 1) if x.ndim == 4 else x).reshape(x.shape[0], -1), x.shape"),
    edit("flatten", "the batch axis flattened too", "x.reshape(x.shape[0], -1)", "x.reshape(1, -1)"),
    edit("flatten", "backward does not restore the input's shape", "return dout.reshape(cache)", "return dout"),
    edit("flatten", "backward unflattens in channels-last order", "return dout.reshape(cache)",
         "if len(cache) == 4:\n"
         "        N, C, H, W = cache\n"
         "        return dout.reshape(N, H, W, C).transpose(0, 3, 1, 2)\n"
         "    return dout.reshape(cache)"),
    # --- layer_table
    edit("layer_table",
         "pooling rounds up (ceil) instead of flooring",
         "C, H, W = C_out, (H - pool_size) // pool_size + 1, (W - pool_size) // pool_size + 1",
         "C, H, W = C_out, -(-H // pool_size), -(-W // pool_size)"),
    edit("layer_table", "conv parameters without the biases", "C_out * (C * K * K + 1)", "C_out * C * K * K"),
    edit("layer_table", "fc1's input is the last channel count, not C*H*W",
         'rows.append(("flatten", (D,), 0))\n', 'rows.append(("flatten", (D,), 0))\n    D = C\n'),
    edit("layer_table",
         "padding counted once (total instead of per side)",
         "if H + 2 * P < K or W + 2 * P < K:",
         "if H + P < K or W + P < K:",
         "H, W = H - K + 2 * P + 1, W - K + 2 * P + 1",
         "H, W = H - K + P + 1, W - K + P + 1"),
    edit("layer_table",
         "no ValueError: negative sizes flow on",
         '        if H + 2 * P < K or W + 2 * P < K:\n'
         '            raise ValueError(f"conv{i}: a {K}x{K} kernel does not fit a {H}x{W} map with padding {P}")\n',
         "",
         '        if H < pool_size or W < pool_size:\n'
         '            raise ValueError(f"pool{i}: a {pool_size}x{pool_size} window does not fit a {H}x{W} map")\n',
         ""),
    edit("layer_table", "no ReLU row after the hidden FC layers",
         "        if j < len(widths):\n"
         '            rows.append((f"relu{len(conv_channels) + j}", (D_out,), 0))\n', ""),
    # --- lenet_forward
    edit("lenet_forward", "a ReLU after the last FC layer too",
         "return out, caches", "return np.maximum(out, 0), caches"),
    edit("lenet_forward", "no ReLU between the FC layers",
         "            if seen_fc < n_fc:\n                out, relu_cache = relu_forward(out)\n", ""),
    edit("lenet_forward", "no ReLU in the conv stages",
         "            out, relu_cache = relu_forward(out)\n            out, pool_cache",
         "            relu_cache = np.ones_like(out)\n            out, pool_cache"),
    edit("lenet_forward", "flattened channels-last before the FC layers",
         "out, flat_cache = flatten_forward(out)",
         "flat_cache = out.shape\n"
         "                out = np.ascontiguousarray(out.transpose(0, 2, 3, 1)).reshape(out.shape[0], -1)"),
]

# The mistake classes that only a hidden test caught before (issue 17): stride, ceil (above), square input,
# overlap (above), dtype.
MUTANTS += [
    edit("relu", "forward returns float64 for a float32 input",
         "out = np.maximum(x, 0)", "out = np.maximum(x, 0).astype(np.float64)"),
    edit("affine", "forward computes in float64 whatever the input's dtype",
         "out = x @ weight.T + bias", "out = x.astype(np.float64) @ weight.T.astype(np.float64) + bias"),
    edit("layer_table", "assumes a square input (the width follows the height)",
         "C, H, W = input_shape", "C, H, W = input_shape[0], input_shape[1], input_shape[1]",
         'rows = [("input", (C, H, W), 0)]', 'rows = [("input", tuple(input_shape), 0)]'),
]

# --- lenet_costs (parameters versus multiply-adds)
MUTANTS += [
    edit(
        "lenet_costs",
        "conv multiply-adds counted over the conv's input H x W, not its output",
        "        H, W = H - K + 2 * P + 1, W - K + 2 * P + 1",
        "        H_in, W_in = H, W\n        H, W = H - K + 2 * P + 1, W - K + 2 * P + 1",
        "        conv_mult_adds += (C * K * K) * (C_out * H * W)",
        "        conv_mult_adds += (C * K * K) * (C_out * H_in * W_in)",
    ),
    edit("lenet_costs", "conv multiply-adds for one output position only (H'·W' forgotten)",
         "conv_mult_adds += (C * K * K) * (C_out * H * W)", "conv_mult_adds += (C * K * K) * C_out"),
    edit("lenet_costs", "FC parameters without the biases", "fc_params += D_out * (D + 1)", "fc_params += D_out * D"),
    edit("lenet_costs", "the pooling forgotten: each conv sees the previous conv's output size",
         "C, H, W = C_out, (H - pool_size) // pool_size + 1, (W - pool_size) // pool_size + 1",
         "C, H, W = C_out, H, W"),
    edit("lenet_costs", "bias additions counted as multiply-adds in the FC layers",
         "fc_mult_adds += D * D_out", "fc_mult_adds += (D + 1) * D_out"),
]

MUTANTS += [
    # --- lenet_backward
    edit("lenet_backward", "grads returned last layer first", "return d, grads[::-1]", "return d, grads"),
    edit("lenet_backward", "the hidden FC layers' ReLU skipped in the backward pass",
         "            if relu_cache is not None:\n                d = relu_backward(d, relu_cache)\n", ""),
    edit("lenet_backward", "the conv stages' ReLU skipped in the backward pass",
         "            d = relu_backward(d, relu_cache)\n            d, dweight, dbias = conv2d_backward",
         "            d, dweight, dbias = conv2d_backward"),
    Mutant("lenet_backward", "max-pool backward replaced by upsampling dout to every cell", """
_reference_lenet_backward = lenet_backward
_reference_max_pool2d_backward = max_pool2d_backward
def lenet_backward(dscores, cache):
    global max_pool2d_backward
    def spread(dout, pool_cache):
        x, K, stride = pool_cache
        dx = np.zeros_like(x)
        H_out, W_out = dout.shape[2:]
        dx[:, :, :H_out * K, :W_out * K] = dout.repeat(K, axis=2).repeat(K, axis=3)
        return dx
    max_pool2d_backward = spread
    try:
        return _reference_lenet_backward(dscores, cache)
    finally:
        max_pool2d_backward = _reference_max_pool2d_backward
"""),
]


# A student who writes everything differently from the reference: np.where/np.clip ReLU with the mask as
# cache, einsum FC layers with dict caches, np.reshape flatten keeping the whole input, a table built from
# a dict of counters with NumPy integers, costs as a list of NumPy integers and floats, and a network held
# as a list of layer objects (on the stand-in conv and max-pooling, whose caches it never looks into).
DIFFERENT_BUT_CORRECT = Alternative("masks, einsum, dict caches, layer objects", {
    "relu": '''
def relu_forward(x):
    mask = x > 0
    return np.where(mask, x, np.zeros_like(x)), mask


def relu_backward(dout, cache):
    return np.where(cache, dout, np.zeros_like(dout))
''',
    "affine": '''
def affine_forward(x, weight, bias):
    return np.einsum("ni,oi->no", x, weight) + bias[None, :], {"x": x, "w": weight}


def affine_backward(dout, cache):
    x, w = cache["x"], cache["w"]
    return np.einsum("no,oi->ni", dout, w), np.einsum("no,ni->oi", dout, x), np.einsum("no->o", dout)
''',
    "flatten": '''
def flatten_forward(x):
    n = x.shape[0]
    return np.reshape(x, (n, int(np.prod(x.shape[1:])))), {"like": x}


def flatten_backward(dout, cache):
    return np.reshape(dout, np.shape(cache["like"]))
''',
    "layer_table": '''
def layer_table(input_shape, conv_channels=(20, 50), fc_widths=(500,), num_classes=10,
                kernel_size=5, padding=2, pool_size=2):
    def conv_len(n):
        span = n + 2 * padding - kernel_size
        if span < 0:
            raise ValueError("kernel larger than the padded map")
        return span + 1

    def pool_len(n):
        if n < pool_size:
            raise ValueError("pooling window larger than the map")
        return len(range(0, n - pool_size + 1, pool_size))

    shape = list(input_shape)
    table = [["Input", tuple(shape), np.int64(0)]]
    relus = 0
    for k, c_out in enumerate(conv_channels):
        n_w = np.int64(c_out) * shape[0] * kernel_size ** 2 + c_out
        shape = [c_out, conv_len(shape[1]), conv_len(shape[2])]
        relus += 1
        table += [[f"Conv{k + 1}", tuple(shape), n_w], [f"ReLU{relus}", tuple(shape), np.int64(0)]]
        shape = [c_out, pool_len(shape[1]), pool_len(shape[2])]
        table.append([f"Pool{k + 1}", tuple(shape), np.int64(0)])
    d = int(np.prod(shape))
    table.append(["Flatten", (d,), np.int64(0)])
    for k, width in enumerate(fc_widths):
        table.append([f"FC{k + 1}", (width,), np.int64(width) * d + width])
        relus += 1
        table.append([f"ReLU{relus}", (width,), np.int64(0)])
        d = width
    table.append([f"FC{len(fc_widths) + 1}", (num_classes,), np.int64(num_classes) * (d + 1)])
    return table
''',
    "lenet_forward": '''
class _ConvStage:
    def __init__(self, w, b, padding, pool):
        self.w, self.b, self.padding, self.pool = w, b, padding, pool

    def forward(self, x):
        a, self.c1 = conv2d_forward(x, self.w, self.b, 1, self.padding)
        r, self.c2 = relu_forward(a)
        out, self.c3 = max_pool2d_forward(r, self.pool)
        return out

    def backward(self, d):
        d = relu_backward(max_pool2d_backward(d, self.c3), self.c2)
        d, self.dw, self.db = conv2d_backward(d, self.c1)
        return d


class _Dense:
    def __init__(self, w, b, relu, flatten):
        self.w, self.b, self.relu, self.flatten = w, b, relu, flatten

    def forward(self, x):
        if self.flatten:
            x, self.cf = flatten_forward(x)
        out, self.ca = affine_forward(x, self.w, self.b)
        if self.relu:
            out, self.cr = relu_forward(out)
        return out

    def backward(self, d):
        if self.relu:
            d = relu_backward(d, self.cr)
        d, self.dw, self.db = affine_backward(d, self.ca)
        if self.flatten:
            d = flatten_backward(d, self.cf)
        return d


def lenet_forward(x, params, padding=2, pool_size=2):
    dense_idx = [i for i, (w, _) in enumerate(params) if np.ndim(w) == 2]
    layers = []
    for i, (w, b) in enumerate(params):
        if np.ndim(w) == 4:
            layers.append(_ConvStage(w, b, padding, pool_size))
        else:
            layers.append(_Dense(w, b, relu=i != dense_idx[-1], flatten=i == dense_idx[0]))
    for layer in layers:
        x = layer.forward(x)
    return x, layers
''',
    "lenet_costs": '''
import math


def lenet_costs(input_shape, conv_channels=(20, 50), fc_widths=(500,), num_classes=10,
                kernel_size=5, padding=2, pool_size=2):
    shape, k = list(input_shape), kernel_size
    totals = {"conv": [0, 0], "fc": [0, 0]}
    for c_out in conv_channels:
        out_hw = [n + 2 * padding - k + 1 for n in shape[1:]]
        totals["conv"][0] += np.int64(c_out) * (shape[0] * k * k + 1)
        totals["conv"][1] += math.prod([shape[0], k, k, c_out, *out_hw])
        shape = [c_out] + [len(range(0, n - pool_size + 1, pool_size)) for n in out_hw]
    d = math.prod(shape)
    for width in [*fc_widths, num_classes]:
        totals["fc"][0] += np.int64(width) * d + width
        totals["fc"][1] += float(width * d)
        d = width
    return [totals["conv"][0], totals["fc"][0], totals["conv"][1], totals["fc"][1]]
''',
    "lenet_backward": '''
def lenet_backward(dscores, cache):
    d = dscores
    for layer in cache[::-1]:
        d = layer.backward(d)
    return d, [(layer.dw, layer.db) for layer in cache]
''',
})

ALTERNATIVES = [DIFFERENT_BUT_CORRECT]
