"""Start a grading kernel with limits, and optionally inside a bubblewrap sandbox.

Used as the argv of the ``workbook-grader`` kernel spec that ``autograder.grade_class`` writes:

    python -m autograder.kernel_launcher --memory-mb 4096 --cpu-seconds 600 [--sandbox WORKDIR] -- -f CONNECTION_FILE

- ``--memory-mb``: RLIMIT_AS for the kernel; unbounded allocation raises MemoryError in the student's cell.
- ``--cpu-seconds``: RLIMIT_CPU, a whole-notebook budget; past it the kernel is killed and the remaining
  cells score 0 (a per-cell wall-clock limit is nbgrader's ``Execute.timeout``).
- ``--threads``: thread pools of OpenMP, OpenBLAS, MKL and torch. With one kernel per core, each kernel's
  own pools would fight the others for the same cores.
- ``--sandbox WORKDIR``: run the kernel under ``bwrap`` with the whole file system read-only, /tmp, the
  course root and the grading scratch space replaced by empty tmpfs, and only ``WORKDIR`` (the student's
  autograded folder) writable. Student code then cannot read the gradebook, ``solutions/`` or another
  student's work, nor write outside its own folder. The network stays shared: the kernel talks to
  nbgrader over loopback.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def bwrap_argv(workdir: Path, hide: list[Path], expose_ro: list[Path]) -> list[str]:
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        raise SystemExit("--sandbox needs bubblewrap (Debian/Ubuntu: apt-get install bubblewrap)")
    argv = [bwrap, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--unshare-pid", "--unshare-ipc",
            "--die-with-parent", "--tmpfs", "/tmp"]
    for path in hide:  # emptied: gradebook, solutions/, other students
        argv += ["--tmpfs", str(path)]
    for path in expose_ro:  # what the kernel needs back from the hidden places
        if path.exists():
            argv += ["--ro-bind", str(path), str(path)]
    argv += ["--bind", str(workdir), str(workdir), "--chdir", str(workdir),
             "--setenv", "HOME", "/tmp", "--setenv", "IPYTHONDIR", "/tmp/ipython",
             "--setenv", "MPLCONFIGDIR", "/tmp/matplotlib",
             # in its own PID namespace the kernel cannot see nbgrader's PID and would think it had exited
             "--unsetenv", "JPY_PARENT_PID"]
    return argv


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--memory-mb", type=int, default=0)
    parser.add_argument("--cpu-seconds", type=int, default=0)
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--sandbox", type=Path, help="the only writable folder (the student's)")
    parser.add_argument("--hide", type=Path, action="append", default=[], help="folders to replace by tmpfs")
    parser.add_argument("kernel_args", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    kernel_args = [a for a in args.kernel_args if a != "--"]
    if args.memory_mb:
        limit = args.memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    if args.cpu_seconds:
        resource.setrlimit(resource.RLIMIT_CPU, (args.cpu_seconds, args.cpu_seconds + 5))
    if args.threads:
        for var in THREAD_VARS:  # read by the libraries when the kernel imports them
            os.environ[var] = str(args.threads)
    command = [sys.executable, "-m", "ipykernel_launcher", *kernel_args]
    if args.sandbox:
        # only the connection file itself: its folder may be /tmp, which must stay hidden
        connection = [Path(kernel_args[i + 1]) for i, a in enumerate(kernel_args) if a == "-f"]
        venv = Path(sys.prefix)
        expose = [venv, REPO / "source_helpers", REPO / "autograder" / "kernel_launcher.py", *connection]
        command = bwrap_argv(args.sandbox.resolve(), [REPO, *args.hide], expose) + command
    os.execvp(command[0], command)


if __name__ == "__main__":
    main()
