import os

# matplotlib never opens a window. (Torch comparisons run where torch_ref.device() says: the GPU when there is one.)
os.environ.setdefault("MPLBACKEND", "Agg")

# With one pytest worker per core, every kernel, Jupyter server and worker that opens a thread pool as
# wide as the machine oversubscribes it, and OpenBLAS/OpenMP threads spinning on a busy core turn a
# 7 s notebook into 2 minutes (seen). Each worker, and everything it starts, gets its share of cores.
if os.environ.get("PYTEST_XDIST_WORKER_COUNT"):
    _share = str(max(1, (os.cpu_count() or 1) // int(os.environ["PYTEST_XDIST_WORKER_COUNT"])))
    from autograder.sandbox import THREAD_VARS  # the pools the grading kernels limit, too

    for _var in THREAD_VARS:
        os.environ.setdefault(_var, _share)
