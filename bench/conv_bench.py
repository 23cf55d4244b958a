"""Conv speed: naive loops vs vectorized NumPy vs torch.nn.functional.conv2d, on one CPU thread.

    make bench                         # the full table, naive loops included (about 5 minutes)
    make bench ARGS="--naive-repeat 0" # without the naive loops (seconds)
    make bench ARGS=--quick            # tiny shapes, one repeat: checks that the benchmark runs

The full table ends with one epoch of lesson 09's network (its reference NumPy layers and train_step)
against the same network and optimizer in torch.nn.

The NumPy implementations timed are the reference solutions of lesson 01, taken from the solution
notebook itself (so the benchmark measures what the workbook teaches). Every timing is the median of
repeats; the printed ratios are vectorized/torch (lower is better; 1.0 = as fast as torch) and
naive/vectorized (the speedup of vectorizing). Where a GPU is present, torch's time on it is shown too
(float32 there uses TF32 by default). Nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from threadpoolctl import threadpool_info, threadpool_limits

from autograder.course import REPO

FUNCTIONS = ("conv_output_size", "conv2d_forward_naive", "conv2d_forward", "conv2d_backward")

# name, (N, C_in, H, W), (C_out, K), padding
SHAPES = [
    ("LeNet conv1", (64, 1, 28, 28), (20, 5), 2),
    ("LeNet conv2", (64, 20, 14, 14), (50, 5), 2),
    ("1x1 64->32", (16, 64, 56, 56), (32, 1), 0),
    ("3x3 64->64", (16, 64, 56, 56), (64, 3), 1),
]
QUICK = [("tiny 3x3", (2, 3, 8, 7), (4, 3), 1)]


def load_solutions(lesson: str = "01_convolution", names: tuple[str, ...] = FUNCTIONS) -> dict:
    """Execute the solution cells of ``lesson``; return the functions ``names``."""
    nb = json.loads((REPO / "solutions" / lesson / f"{lesson}.ipynb").read_text())
    namespace: dict = {"np": np}
    for cell in nb["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("solution") and cell["cell_type"] == "code":  # not the written answers
            source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            exec(compile(source, f"<solution {meta['grade_id']}>", "exec"), namespace)
    return {name: namespace[name] for name in names}


def median_time(fn, repeat: int, warmup: bool = True) -> float:
    if warmup:
        fn()  # allocations, caches, torch's kernel selection
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny shapes, one repeat")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--naive-repeat",
        type=int,
        default=3,
        help="runs of the naive loops to take the median of (seconds each on these shapes; 0 skips)",
    )
    args = parser.parse_args(argv)
    shapes, repeat = (QUICK, 1) if args.quick else (SHAPES, args.repeat)
    fns = load_solutions()
    cuda = torch.cuda.is_available()
    torch.set_num_threads(1)
    with threadpool_limits(limits=1):
        blas = ", ".join(f"{i['internal_api']} {i.get('version')} ({i.get('architecture')})" for i in threadpool_info())
        print(
            f"# {platform.processor() or platform.machine()}, {os.cpu_count()} cores; one thread each; "
            f"numpy {np.__version__} [{blas}]; torch {torch.__version__}; "
            f"medians of {repeat} (naive: {max(1, args.naive_repeat)})"
            + (f"; GPU {torch.cuda.get_device_name()}" if cuda else "")
        )
        print(
            f"{'shape':<12} {'dtype':<8} {'pass':<8} {'naive ms':>9} {'numpy ms':>9} {'torch ms':>9} "
            f"{'numpy/torch':>11} {'naive/numpy':>11}" + (f" {'cuda ms':>9}" if cuda else "")
        )
        for name, (N, C, H, W), (C_out, K), P in shapes:
            for dtype in (np.float32, np.float64):
                rng = np.random.default_rng(0)
                x = rng.standard_normal((N, C, H, W)).astype(dtype)
                w = (rng.standard_normal((C_out, C, K, K)) * 0.1).astype(dtype)
                b = rng.standard_normal(C_out).astype(dtype)
                out, cache = fns["conv2d_forward"](x, w, b, 1, P)
                dout = rng.standard_normal(out.shape).astype(dtype)
                xt, wt, bt = (torch.from_numpy(a).requires_grad_() for a in (x, w, b))
                ot = F.conv2d(xt, wt, bt, padding=P)
                dt = torch.from_numpy(dout)
                # correctness first: a fast wrong answer is worth nothing
                np.testing.assert_allclose(
                    out,
                    ot.detach().numpy(),
                    rtol=1e-3 if dtype == np.float32 else 1e-9,
                    atol=1e-3 if dtype == np.float32 else 1e-9,
                )

                def torch_backward():
                    torch.autograd.grad(ot, (xt, wt, bt), dt, retain_graph=True)

                gpu = {}
                if cuda:
                    xc, wc, bc = (t.detach().cuda().requires_grad_() for t in (xt, wt, bt))
                    oc, dc = F.conv2d(xc, wc, bc, padding=P), dt.cuda()

                    def gpu_forward():
                        with torch.no_grad():
                            F.conv2d(xc, wc, bc, padding=P)
                        torch.cuda.synchronize()

                    def gpu_backward():
                        torch.autograd.grad(oc, (xc, wc, bc), dc, retain_graph=True)
                        torch.cuda.synchronize()

                    gpu = {"forward": gpu_forward, "backward": gpu_backward}

                rows = {
                    "forward": (
                        lambda: fns["conv2d_forward"](x, w, b, 1, P),
                        lambda: F.conv2d(xt, wt, bt, padding=P),
                        lambda: fns["conv2d_forward_naive"](x, w, b, 1, P),
                    ),
                    "backward": (lambda: fns["conv2d_backward"](dout, cache), torch_backward, None),
                }
                for pass_name, (numpy_fn, torch_fn, naive_fn) in rows.items():
                    with torch.no_grad() if pass_name == "forward" else torch.enable_grad():
                        t_torch = median_time(torch_fn, repeat)
                    t_numpy = median_time(numpy_fn, repeat)
                    naive_ms, speedup = "", ""
                    if naive_fn is not None and (args.naive_repeat > 0 or args.quick):
                        t_naive = median_time(naive_fn, max(1, args.naive_repeat), warmup=False)
                        naive_ms, speedup = f"{t_naive * 1e3:9.1f}", f"{t_naive / t_numpy:10.0f}x"
                    gpu_ms = f" {median_time(gpu[pass_name], repeat) * 1e3:9.3f}" if gpu else ""
                    print(
                        f"{name:<12} {np.dtype(dtype).name:<8} {pass_name:<8} {naive_ms:>9} {t_numpy * 1e3:9.2f} "
                        f"{t_torch * 1e3:9.2f} {t_numpy / t_torch:10.2f}x {speedup:>11}{gpu_ms}"
                    )
        if not args.quick:
            epoch_row(repeat=max(1, repeat // 2))
    return 0


def epoch_row(repeat: int, batch_size: int = 32) -> None:
    """One epoch of lesson 09's network on the digits (float32, one thread): the reference NumPy layers and
    train_step against the same network and optimizer in torch.nn."""
    from source_helpers import small_cnn
    from source_helpers.data import digits
    from source_helpers.widgets import training

    fns = load_solutions("09_train_your_cnn", ("train_step",))
    data = digits(size=16)
    x, y = data["x_train"], data["y_train"]
    config = dict(optimizer="sgd", lr=0.05, momentum=0.9, weight_decay=5e-4, p_drop=0.25)
    steps = len(y) // batch_size
    start, _ = small_cnn.init_params(small_cnn.param_shapes(), seed=0, dtype=np.float32)

    def numpy_epoch():
        params = {k: v.copy() for k, v in start.items()}
        bn_state, opt_state, rng = small_cnn.new_bn_state(params), {}, np.random.default_rng(0)
        for i in range(steps):
            fns["train_step"](
                params,
                bn_state,
                opt_state,
                x[i * batch_size : (i + 1) * batch_size],
                y[i * batch_size : (i + 1) * batch_size],
                rng,
                config,
            )

    def torch_epoch():
        model = small_cnn.torch_cnn(start, p_drop=config["p_drop"], dtype=torch.float32)
        optimizer, generator = training._torch_optimizer(model, config), torch.Generator().manual_seed(0)
        for i in range(steps):
            training._torch_step(
                model,
                optimizer,
                generator,
                x[i * batch_size : (i + 1) * batch_size],
                y[i * batch_size : (i + 1) * batch_size],
                config,
            )

    t_numpy, t_torch = median_time(numpy_epoch, repeat), median_time(torch_epoch, repeat)
    print(
        f"# one epoch of lesson 09's CNN ({steps} steps of {batch_size}, float32, one thread): "
        f"numpy {t_numpy:.2f} s, torch {t_torch:.2f} s, numpy/torch {t_numpy / t_torch:.2f}x"
    )


if __name__ == "__main__":
    sys.exit(main())
