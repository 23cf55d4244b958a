"""Lesson 01: mutants of every graded function, and correct-but-different implementations."""

from . import Alternative, Mutant, edit, wrap

LESSON = "01_convolution"

def _fwd(fn: str, mistake: str, body: str) -> Mutant:
    return wrap(fn, mistake, f"{fn}(x, weight, bias, stride=1, padding=0)", body)


def _forward_mutants(fn: str) -> list[Mutant]:
    return [
        _fwd(fn, "flipped kernel (true convolution instead of cross-correlation)",
             "    return _correct_{fn}(x, weight[:, :, ::-1, ::-1], bias, stride, padding)".format(fn=fn)),
        _fwd(fn, "bias ignored",
             "    return _correct_{fn}(x, weight, 0 * bias, stride, padding)".format(fn=fn)),
        _fwd(fn, "all the padding on one side (bottom/right)",
             "    xp = np.pad(x, ((0, 0), (0, 0), (0, 2 * padding), (0, 2 * padding)))\n"
             "    out, _ = _correct_{fn}(xp, weight, bias, stride, 0)\n"
             "    return out, (x, weight, bias, stride, padding)".format(fn=fn)),
        _fwd(fn, "stride ignored: stride-1 output cropped to the expected size",
             "    out, _ = _correct_{fn}(x, weight, bias, 1, padding)\n"
             "    H_out = conv_output_size(x.shape[2], weight.shape[2], padding, stride)\n"
             "    W_out = conv_output_size(x.shape[3], weight.shape[3], padding, stride)\n"
             "    return np.ascontiguousarray(out[:, :, :H_out, :W_out]), (x, weight, bias, stride, padding)"
             .format(fn=fn)),
        _fwd(fn, "only the first input channel is summed",
             "    out, _ = _correct_{fn}(x[:, :1], weight[:, :1], bias, stride, padding)\n"
             "    return out, (x, weight, bias, stride, padding)".format(fn=fn)),
        _fwd(fn, "float32 input gives a float64 output (np.zeros' default dtype)",
             "    out, cache = _correct_{fn}(x, weight, bias, stride, padding)\n"
             "    return out.astype(np.float64), cache".format(fn=fn)),
        _fwd(fn, "output cast to float32",
             "    out, cache = _correct_{fn}(x, weight, bias, stride, padding)\n"
             "    return out.astype(np.float32), cache".format(fn=fn)),
    ]


MUTANTS: list[Mutant] = [
    # --- conv_output_size
    edit("conv_output_size", "padding counted once (total instead of per side)",
         "span = H - K + 2 * P", "span = H - K + P"),
    edit("conv_output_size", "forgot the +1", "return span // S + 1", "return span // S"),
    edit("conv_output_size", "rounds up instead of flooring", "return span // S + 1", "return -(-span // S) + 1"),
    edit("conv_output_size", "no error when the kernel does not fit", "if span < 0:", "if False:"),
    edit("conv_output_size", "true division: a float such as 2.33", "return span // S + 1", "return span / S + 1"),
    # --- conv_param_count / conv_mult_adds
    wrap("conv_counts", "bias forgotten in the parameter count",
         "conv_param_count(C_in, C_out, K_H, K_W, bias=True)", """
    return _correct_conv_param_count(C_in, C_out, K_H, K_W, bias=False)
"""),
    edit("conv_counts", "one bias per input channel", "(1 if bias else 0)", "(C_in if bias else 0)"),
    edit("conv_counts", "multiply-adds with the input size instead of the output size",
         "(C_out * H_out * W_out)", "(C_out * H * W)"),
    wrap("conv_counts", "multiply-adds count the bias additions too",
         "conv_mult_adds(C_in, H, W, C_out, K_H, K_W, P=0, S=1)", """
    H_out, W_out = conv_output_size(H, K_H, P, S), conv_output_size(W, K_W, P, S)
    return _correct_conv_mult_adds(C_in, H, W, C_out, K_H, K_W, P, S) + C_out * H_out * W_out
"""),
    wrap("conv_counts", "multiply-adds forget the input channels",
         "conv_mult_adds(C_in, H, W, C_out, K_H, K_W, P=0, S=1)", """
    return _correct_conv_mult_adds(1, H, W, C_out, K_H, K_W, P, S)
"""),
    # --- same_padding / receptive_field
    edit("same_padding_receptive_field", "K // 2 without rejecting even kernels",
         "if K < 1 or K % 2 == 0:", "if K < 1:", "return (K - 1) // 2", "return K // 2"),
    edit("same_padding_receptive_field", "total padding K - 1 (d2l's p_h) instead of per side",
         "return (K - 1) // 2", "return K - 1"),
    edit("same_padding_receptive_field", "receptive field L * K", "return 1 + L * (K - 1)", "return L * K"),
    edit("same_padding_receptive_field", "receptive field without the +1",
         "return 1 + L * (K - 1)", "return L * (K - 1)"),
    edit("same_padding_receptive_field", "strides ignored: 1 + sum of (K - 1), as if every layer had stride 1",
         "rf += (K - 1) * jump", "rf += K - 1"),
    edit("same_padding_receptive_field", "a layer's (K - 1) scaled by its own stride instead of the jump so far",
         "rf += (K - 1) * jump", "rf += (K - 1) * S"),
    edit("same_padding_receptive_field", "jump updated before the layer's positions are added",
         "        jump *= S\n", "", "        rf += (K - 1) * jump", "        jump *= S\n        rf += (K - 1) * jump"),
    # --- the forward passes
    *_forward_mutants("conv2d_forward_naive"),
    *_forward_mutants("conv2d_forward"),
    # --- the backward pass
    edit("conv2d_backward", "dbias averaged instead of summed",
         "dbias = dout.sum(axis=(0, 2, 3))", "dbias = dout.mean(axis=(0, 2, 3))"),
    edit("conv2d_backward", "dweight from the first image of the batch only",
         "(dout_mat @ cols.transpose(0, 2, 1)).sum(axis=0)",
         "(dout_mat[:1] @ cols[:1].transpose(0, 2, 1)).sum(axis=0)"),
    wrap("conv2d_backward", "dx sent back through the flipped kernel", "conv2d_backward(dout, cache)", """
    x, weight, bias, stride, padding = cache
    _, dw, db = _correct_conv2d_backward(dout, cache)
    dx, _, _ = _correct_conv2d_backward(dout, (x, weight[:, :, ::-1, ::-1].copy(), bias, stride, padding))
    return dx, dw, db
"""),
    edit("conv2d_backward", "overlapping windows overwrite dx instead of adding up",
         "+= dcols[:, :, u, v]", "= dcols[:, :, u, v]"),
    wrap("conv2d_backward", "padding not cropped from dx", "conv2d_backward(dout, cache)", """
    x, weight, bias, stride, padding = cache
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    return _correct_conv2d_backward(dout, (xp, weight, bias, stride, 0))
"""),
]


# A student who writes everything differently from the reference: range-counting, math.prod and
# NumPy/float return types, loops over kernel offsets, sliding windows with a dict cache, and a
# backward pass built from their own forward conv (dilated dout, flipped and transposed kernel).
DIFFERENT_BUT_CORRECT = Alternative("range counting, offset loops, sliding windows, backward via forward", {
    "conv_output_size": '''
def conv_output_size(H, K, P=0, S=1):
    if min(H, K, S) < 1 or P < 0:
        raise ValueError("sizes must be positive")
    if K > H + 2 * P:
        raise ValueError("kernel larger than padded input")
    return len(range(0, H + 2 * P - K + 1, S))
''',
    "conv_counts": '''
import math


def conv_param_count(C_in, C_out, K_H, K_W, bias=True):
    return np.int64(math.prod((C_out, C_in, K_H, K_W))) + (C_out if bias else 0)


def conv_mult_adds(C_in, H, W, C_out, K_H, K_W, P=0, S=1):
    outputs = C_out * conv_output_size(H, K_H, P, S) * conv_output_size(W, K_W, P, S)
    return float(outputs * C_in * K_H * K_W)
''',
    "same_padding_receptive_field": '''
def same_padding(K):
    half, odd = divmod(K - 1, 2)
    if odd or K < 1:
        raise ValueError("no symmetric padding for an even kernel")
    return half


def receptive_field(L, K):
    rf = 1
    for _ in range(L):
        rf += K - 1
    return rf


def receptive_field_stack(layers):
    # closed form: layer l adds (K_l - 1) times the product of the strides before it
    strides_before = np.cumprod([1] + [S for _, S in layers[:-1]])
    return int(1 + sum((K - 1) * j for (K, _), j in zip(layers, strides_before)))
''',
    "conv2d_forward_naive": '''
def conv2d_forward_naive(x, weight, bias, stride=1, padding=0):
    N, C, H, W = x.shape
    F_, C2, KH, KW = weight.shape
    if C != C2:
        raise ValueError("channel mismatch")
    Ho, Wo = conv_output_size(H, KH, padding, stride), conv_output_size(W, KW, padding, stride)
    xp = np.pad(x, [(0, 0), (0, 0), (padding,) * 2, (padding,) * 2])
    out = np.empty((N, F_, Ho, Wo), dtype=x.dtype)
    out[...] = bias.reshape(1, F_, 1, 1)
    for u in range(KH):  # loop over kernel offsets instead of output positions
        for v in range(KW):
            patch = xp[:, :, u:u + stride * (Ho - 1) + 1:stride, v:v + stride * (Wo - 1) + 1:stride]
            out += np.einsum("nchw,fc->nfhw", patch, weight[:, :, u, v])
    return out, {"x": x, "w": weight, "b": bias, "stride": stride, "pad": padding}
''',
    "conv2d_forward": '''
def conv2d_forward(x, weight, bias, stride=1, padding=0):
    if x.shape[1] != weight.shape[1]:
        raise ValueError("input and kernel disagree on the channels")
    xp = np.pad(x, [(0, 0), (0, 0), (padding,) * 2, (padding,) * 2])
    windows = np.lib.stride_tricks.sliding_window_view(xp, weight.shape[2:], axis=(2, 3))[:, :, ::stride, ::stride]
    out = np.einsum("nchwij,fcij->nfhw", windows, weight, optimize=True) + bias[:, None, None]
    return out, {"x": x, "w": weight, "b": bias, "stride": stride, "pad": padding}
''',
    "conv2d_backward": '''
def conv2d_backward(dout, cache):
    x, w, stride, P = cache["x"], cache["w"], cache["stride"], cache["pad"]
    N, C, H, W = x.shape
    F_, _, KH, KW = w.shape
    Ho, Wo = dout.shape[2:]
    dil = np.zeros((N, F_, (Ho - 1) * stride + 1, (Wo - 1) * stride + 1))
    dil[:, :, ::stride, ::stride] = dout
    # dx of the covered part of the padded input: full correlation with the flipped, transposed kernel
    full = np.pad(dil, [(0, 0), (0, 0), (KH - 1,) * 2, (KW - 1,) * 2])
    w_t = np.ascontiguousarray(w[:, :, ::-1, ::-1].transpose(1, 0, 2, 3))
    dxp_cov, _ = conv2d_forward(full, w_t, np.zeros(C))
    Hp, Wp = H + 2 * P, W + 2 * P
    dxp = np.pad(dxp_cov, [(0, 0), (0, 0), (0, Hp - dxp_cov.shape[2]), (0, Wp - dxp_cov.shape[3])])
    dx = dxp[:, :, P:P + H, P:P + W]
    # dweight: correlate the padded input (batch as channels) with the dilated dout as the kernel
    xp = np.pad(x, [(0, 0), (0, 0), (P,) * 2, (P,) * 2])
    dw_t, _ = conv2d_forward(xp.transpose(1, 0, 2, 3), dil.transpose(1, 0, 2, 3), np.zeros(F_))
    dw = np.ascontiguousarray(dw_t[:, :, :KH, :KW].transpose(1, 0, 2, 3))
    return np.ascontiguousarray(dx), dw, dout.sum(axis=(0, 2, 3))
''',
})

ALTERNATIVES = [DIFFERENT_BUT_CORRECT]
