"""Where a student's code runs while it is graded: an allow-list sandbox with limits on the whole tree.

Used for the notebook's kernel (``kernel_launcher``) and for the verifier's student process
(``verify``). Under bubblewrap the process sees:

- a file system built from an allow-list: the operating system's programs and libraries (``/usr`` and
  the few ``/etc`` files a dynamic linker, fonts and Python need), the Python environment and
  ``source_helpers`` read-only, an empty ``/tmp``, and one writable folder of its own. Nothing else: not
  the course, the grading folders, other students, ``/root`` or ``/home``;
- an environment of allow-listed variables only (never the grader's whole environment);
- no network (its own empty network namespace; the kernel talks to nbgrader over ZeroMQ's ``ipc``
  transport, Unix sockets in a folder made for it);
- its own PID namespace and session: when the process ends, everything it started ends too, and it
  cannot reach the grader's terminal;
- a process-count and whole-tree memory limit (a cgroup where this machine lets us make one, else
  ``RLIMIT_NPROC`` per user namespace and ``RLIMIT_AS`` per process).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from autograder.course import REPO

THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
# Variables a student's process may see; everything else of the grader's environment stays out.
ENV_ALLOWED = (
    "LANG",
    "LC_ALL",
    "TZ",
    "NBGRADER_EXECUTION",
    "WORKBOOK_DEVICE",
    "WORKBOOK_LANG",
    "MPLBACKEND",
    "OPENBLAS_CORETYPE",
    "OPENBLAS_L2_SIZE",
    *THREAD_VARS,
)
ETC_ALLOWED = (
    "ld.so.cache",
    "ld.so.conf",
    "ld.so.conf.d",
    "nsswitch.conf",
    "passwd",
    "group",
    "localtime",
    "fonts",
    "alternatives",
    "mime.types",
)
MAX_FILE_BYTES = 512 * 1024 * 1024
SYSTEM_READ = ("/usr", "/opt/conda") + tuple(f"/etc/{name}" for name in ETC_ALLOWED)


def available() -> bool:
    return shutil.which("bwrap") is not None


def child_environment(extra: dict | None = None) -> dict:
    env = {k: os.environ[k] for k in ENV_ALLOWED if k in os.environ}
    env.update(
        PATH=f"{Path(sys.executable).parent}:/usr/bin:/bin",
        HOME="/tmp",
        PYTHONNOUSERSITE="1",
        MPLCONFIGDIR="/tmp/matplotlib",
        IPYTHONDIR="/tmp/ipython",
    )
    env.update(extra or {})
    return env


def torch_folders() -> list[Path]:
    """Where torch lives in this environment (hidden from a student process that may not use it)."""
    import importlib.util

    found = []
    for name in ("torch", "functorch", "torchgen"):
        spec = importlib.util.find_spec(name)
        if spec and spec.submodule_search_locations:
            found.extend(Path(p) for p in spec.submodule_search_locations)
    return found


def _python_folders() -> list[Path]:
    folders = {Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve(), Path(sys.prefix)}
    return sorted(folders)


@dataclass
class Spec:
    """How to sandbox one student's process: its writable folder, its limits, and its cgroup."""

    workdir: Path  # the only writable folder; the process starts there
    appear_as: Path | None = None  # the path the process sees for workdir (default: its own path)
    writable: list[Path] = field(default_factory=list)  # more writable folders (the kernel's sockets)
    memory_mb: int = 4096
    processes: int = 64
    cgroup: Cgroup | None = None
    isolate: bool = True  # False: plain mode, limits only (an explicit, warned opt-out)

    def wrap(
        self, command: list[str], expose: list[Path] = (), hide: list[Path] = (), keep_fds: list[int] = ()
    ) -> list[str]:
        if not self.isolate:
            return list(command)
        bwrap = shutil.which("bwrap")
        if bwrap is None:
            raise RuntimeError("the sandbox needs bubblewrap (Debian/Ubuntu: apt-get install bubblewrap)")
        argv = [
            bwrap,
            "--unshare-pid",
            "--unshare-ipc",
            "--unshare-net",
            "--unshare-uts",
            "--unshare-cgroup-try",
            "--die-with-parent",
            "--new-session",
            "--clearenv",
            "--dev",
            "/dev",
            "--proc",
            "/proc",
            "--tmpfs",
            "/tmp",
        ]
        for link in ("/bin", "/lib", "/lib64", "/sbin"):
            if os.path.islink(link):
                argv += ["--symlink", os.readlink(link), link]
            elif os.path.isdir(link):
                argv += ["--ro-bind", link, link]
        for path in [*SYSTEM_READ, *map(str, _python_folders()), str(REPO / "source_helpers"), *map(str, expose)]:
            if os.path.exists(path):
                argv += ["--ro-bind", str(path), str(path)]
        for path in hide:
            argv += ["--tmpfs", str(path)]
        for path in self.writable:
            argv += ["--bind", str(path), str(path)]
        inside = str(self.appear_as or self.workdir)
        argv += ["--bind", str(self.workdir), inside, "--chdir", inside]
        for key, value in child_environment().items():
            argv += ["--setenv", key, value]
        return argv + ["--", *command]


class Cgroup:
    """A cgroup (v1 ``pids`` + ``memory``, or v2) for one student's process tree, where we may make one.

    The process count and memory then hold for the whole tree, and ``kill`` ends every process in it,
    daemons included. ``Cgroup.create`` returns None where cgroups are not writable."""

    V1 = Path("/sys/fs/cgroup")

    def __init__(self, dirs: list[Path]):
        self.dirs = dirs

    @classmethod
    def create(cls, memory_mb: int, processes: int) -> Cgroup | None:
        name = "workbook-" + uuid.uuid4().hex[:12]
        # under the cgroups this process is in, so the limits of its own container still hold
        own = _own_cgroups()
        pids, mem = cls.V1 / "pids" / own.get("pids", ""), cls.V1 / "memory" / own.get("memory", "")
        try:
            if (pids / "cgroup.procs").exists() and (mem / "cgroup.procs").exists():  # v1
                dirs = [pids / name, mem / name]
                for d in dirs:
                    d.mkdir()
                (dirs[0] / "pids.max").write_text(str(processes))
                (dirs[1] / "memory.limit_in_bytes").write_text(str(memory_mb * 1024 * 1024))
                swap = dirs[1] / "memory.memsw.limit_in_bytes"
                if swap.exists():
                    swap.write_text(str(memory_mb * 1024 * 1024))
                return cls(dirs)
            root = cls.V1
            if (root / "cgroup.controllers").exists():  # v2: a child of our own cgroup, if delegated
                parent = root / own.get("", "")
                controllers = (parent / "cgroup.subtree_control").read_text().split()
                if "pids" in controllers and "memory" in controllers:
                    d = parent / name
                    d.mkdir()
                    (d / "pids.max").write_text(str(processes))
                    (d / "memory.max").write_text(str(memory_mb * 1024 * 1024))
                    (d / "memory.swap.max").write_text("0") if (d / "memory.swap.max").exists() else None
                    return cls([d])
        except OSError:
            pass
        return None

    def join(self, pid: int | None = None) -> None:
        for d in self.dirs:
            (d / "cgroup.procs").write_text(str(pid or os.getpid()))

    def pids(self) -> set[int]:
        found = set()
        for d in self.dirs:
            try:
                found.update(int(p) for p in (d / "cgroup.procs").read_text().split())
            except OSError:
                pass
        return found

    def peak_processes(self) -> int | None:
        try:
            return int((self.dirs[0] / "pids.peak").read_text())
        except (OSError, ValueError):
            return None

    def kill(self) -> None:
        """End every process in the cgroup, then remove it."""
        for _ in range(50):
            pids = self.pids()
            if not pids:
                break
            for pid in pids:
                with _quiet_oserror():
                    os.kill(pid, signal.SIGKILL)
            time.sleep(0.02)
        for d in self.dirs:
            with _quiet_oserror():
                d.rmdir()

    def describe(self) -> str:
        return ",".join(str(d) for d in self.dirs)

    @classmethod
    def from_description(cls, text: str) -> Cgroup:
        dirs = [Path(p) for p in text.split(",") if p]
        if not all(re.fullmatch(r"/sys/fs/cgroup/.*workbook-[0-9a-f]{12}", str(d)) for d in dirs):
            raise ValueError(f"not a workbook cgroup: {text!r}")
        return cls(dirs)


def _own_cgroups() -> dict[str, str]:
    """controller -> this process's cgroup path (relative), from /proc/self/cgroup ("" for cgroup v2)."""
    found = {}
    try:
        for line in open("/proc/self/cgroup").read().splitlines():
            _, controllers, path = line.split(":", 2)
            for controller in controllers.split(",") if controllers else [""]:
                found[controller] = path.lstrip("/")
    except (OSError, ValueError):
        pass
    return found


class _quiet_oserror:
    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb):
        return kind is not None and issubclass(kind, OSError)


def limit_current_process(spec: Spec) -> None:
    """Put the calling process (about to start a student's code) into the spec's cgroup, or, where there
    is none, under per-process limits."""
    import resource

    if spec.cgroup is not None:
        spec.cgroup.join()
    limit = spec.memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    # no single file larger than this in its writable folder (a notebook writes none this big)
    resource.setrlimit(resource.RLIMIT_FSIZE, (MAX_FILE_BYTES, MAX_FILE_BYTES))
    if os.getuid() != 0:  # counted per user: meaningful for an unprivileged grader only
        resource.setrlimit(resource.RLIMIT_NPROC, (spec.processes, spec.processes))


def kill_session(proc: subprocess.Popen) -> None:
    """End a process started with ``start_new_session=True`` and everything in its session."""
    with _quiet_oserror():
        os.killpg(proc.pid, signal.SIGKILL)
    with _quiet_oserror():
        proc.kill()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        pass
