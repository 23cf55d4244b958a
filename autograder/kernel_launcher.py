"""Start a grading kernel with limits, inside the sandbox unless grading was told otherwise.

Used as the argv of the ``workbook-grader`` kernel spec that ``autograder.grading_worker`` writes:

    python autograder/kernel_launcher.py --memory-mb 4096 --cpu-seconds 600 [--cgroup DIRS]
        [--sandbox SEEN_AS --private DIR --writable RUNTIME] -- -f CONNECTION_FILE

- ``--memory-mb``, ``--processes``, ``--cgroup``: the whole kernel tree's memory and process count (a cgroup
  made by the worker, which also ends every process in it when the notebook is done); without a cgroup,
  RLIMIT_AS per process.
- ``--cpu-seconds``: RLIMIT_CPU, a whole-notebook budget (a per-cell wall-clock limit is nbgrader's
  ``Execute.timeout``).
- ``--threads``: thread pools of OpenMP, OpenBLAS, MKL and torch, so parallel kernels do not fight.
- ``--sandbox SEEN_AS``: run under bubblewrap (``autograder.sandbox``): the kernel works in ``--private``,
  which it sees at the path ``SEEN_AS`` (the autograded folder nbgrader gave it), so nothing it writes
  or links is ever in a folder nbgrader reads; ``--writable`` is the folder of its ZeroMQ ``ipc`` sockets.

Whatever the kernel writes to its file descriptors goes to /dev/null, never to the grader's terminal.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from autograder import sandbox  # noqa: E402


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--memory-mb", type=int, default=0)
    parser.add_argument("--cpu-seconds", type=int, default=0)
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--processes", type=int, default=64)
    parser.add_argument("--cgroup", default="")
    parser.add_argument("--sandbox", type=Path, help="the folder the kernel sees as its working folder")
    parser.add_argument("--private", type=Path, help="the folder it really writes to")
    parser.add_argument("--writable", type=Path, action="append", default=[])
    parser.add_argument("kernel_args", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    kernel_args = [a for a in args.kernel_args if a != "--"]
    spec = sandbox.Spec(
        workdir=args.private or Path.cwd(),
        appear_as=args.sandbox,
        writable=args.writable,
        memory_mb=args.memory_mb or 4096,
        processes=args.processes,
        cgroup=sandbox.Cgroup.from_description(args.cgroup) if args.cgroup else None,
    )
    if args.memory_mb:
        sandbox.limit_current_process(spec)
    elif spec.cgroup:
        spec.cgroup.join()
    if args.cpu_seconds:
        resource.setrlimit(resource.RLIMIT_CPU, (args.cpu_seconds, args.cpu_seconds + 5))
    if args.threads:
        for var in sandbox.THREAD_VARS:  # read by the libraries when the kernel imports them
            os.environ[var] = str(args.threads)
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    command = [sys.executable, "-m", "ipykernel_launcher", *kernel_args]
    if args.sandbox:  # the connection file itself, read-only (its folder may be /tmp, which stays hidden)
        connection = [Path(kernel_args[i + 1]) for i, a in enumerate(kernel_args) if a == "-f"]
        command = spec.wrap(command, expose=connection)
    os.execvp(command[0], command)


if __name__ == "__main__":
    main()
