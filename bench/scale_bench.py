"""What a big class costs: one grader against two shards at once, into PostgreSQL, on a synthetic class.

    make bench-scale                          # 200 submissions of lesson 00, jobs = all cores
    make bench-scale ARGS="--students 40"     # a smaller class
    python -m bench.scale_bench --quick       # 4 submissions: does it run (tests/test_bench.py)

The class is grading_bench's (solved, blank and wrong submissions in turn, every tenth unreadable), of one
lesson. A temporary PostgreSQL server (autograder.postgres) gets two fresh databases: the whole class is
graded into the first by one grader (``--jobs J``), then into the second by two graders started at the
same time (``--shard 1/2`` and ``--shard 2/2``, ``--jobs J/2`` each, so the machine runs the same number of
workers), and the two gradebooks' scores are compared cell by cell. Every run has the same ``--threads``.

Printed (nothing is asserted):

- seconds per student: one grader's wall time / S, and the median of the per-student worker times that
  grade_class writes to timings.json (how long one student takes, start of the worker to its result);
- peak memory per kernel: the resident memory of each notebook kernel's process tree (the bubblewrap
  wrappers and the kernel), sampled with psutil every 0.2 s while the graders run (a shorter peak can be
  missed); also the verifier's student process, a grading worker, and the whole grader at its largest;
- shard overhead: the CPU seconds of the two shards' process trees together over the one grader's, for
  the same students: each grader runs in a cgroup v1 ``cpuacct`` group of its own, which every process
  it starts stays in (the sandbox moves kernels into ``memory`` and ``pids`` groups only), so this is
  exact; where there is no writable cpuacct, the sum of every process's CPU seconds when psutil last saw
  it (a little less than the truth; printed beside the cgroup's as a check). This is
  the cost of splitting the work, whatever else the machine is doing; each shard pays the fixed costs
  (starting, building the template, registering, exporting, the report) again. The wall-time ratio (the
  two shards, first start to last finish, against the one grader) is printed too; on a shared machine it
  is the noisier one. Target: no more than +5% CPU;
- the projection for a course of --course students on --cores cores: the one grader's CPU seconds per
  student times the course over the cores (grading is CPU-bound), the memory of that many workers at once.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

from autograder import postgres, sandbox
from autograder.course import REPO
from bench.grading_bench import build_class

MiB = 1024 * 1024
SAMPLE_SECONDS = 0.2


def kind_of(cmdline: list[str]) -> str | None:
    """What a process of a grader's tree is, from its command line (None: something else)."""
    text = " ".join(cmdline)
    if "ipykernel_launcher" in text or "kernel_launcher.py" in text:
        return "kernel"
    if "function_server" in text:
        return "verifier"
    if "multiprocessing" in text and ("spawn_main" in text or "forkserver" in text):
        return "worker"
    return None


class Sampler(threading.Thread):
    """Resident memory of the process trees under the graders, every SAMPLE_SECONDS.

    A kernel (or the verifier's student process) is the topmost process of its kind, with everything
    under it; its peak is the largest sum of its tree's RSS seen in one sample. A worker's is its own."""

    def __init__(self, pids: list[int]):
        super().__init__(daemon=True)
        self.roots = pids
        self.peaks: dict[str, dict[int, int]] = {"kernel": {}, "verifier": {}, "worker": {}}
        self.whole: dict[int, int] = {}  # per grader: its whole tree's largest RSS at one sample
        self.cpu: dict[int, float] = {}  # per process: its CPU seconds when last seen
        self.under: dict[int, int] = {}  # per process: the grader it was seen under
        self.stop = threading.Event()

    def run(self):
        import psutil

        while not self.stop.is_set():
            for root in self.roots:
                try:
                    top = psutil.Process(root)
                    procs = [top, *top.children(recursive=True)]
                except psutil.Error:
                    continue
                info = {}
                for p in procs:
                    try:
                        with p.oneshot():
                            info[p.pid] = (p.ppid(), kind_of(p.cmdline()), p.memory_info().rss)
                            t = p.cpu_times()
                            self.cpu[p.pid] = t.user + t.system
                            self.under[p.pid] = root
                    except psutil.Error:
                        pass
                self.whole[root] = max(self.whole.get(root, 0), sum(rss for _, _, rss in info.values()))
                for pid, (ppid, kind, rss) in info.items():
                    if kind is None or (kind != "worker" and info.get(ppid, (0, None))[1] == kind):
                        continue  # not one we measure, or inside a tree counted from its top
                    total = rss if kind == "worker" else self._tree(pid, info)
                    peaks = self.peaks[kind]
                    peaks[pid] = max(peaks.get(pid, 0), total)
            self.stop.wait(SAMPLE_SECONDS)

    def cpu_of(self, root: int) -> float:
        return sum(cpu for pid, cpu in self.cpu.items() if self.under.get(pid) == root)

    @staticmethod
    def _tree(pid: int, info: dict) -> int:
        total, todo = 0, [pid]
        while todo:
            p = todo.pop()
            total += info[p][2]
            todo += [c for c, (pp, _, _) in info.items() if pp == p]
        return total


class CpuAccount:
    """A cgroup v1 cpuacct group that a grader and all it starts run in: their CPU seconds, exactly."""

    ROOT = Path("/sys/fs/cgroup/cpuacct")

    def __init__(self):
        own = sandbox._own_cgroups().get("cpuacct", "")  # under our own group: its limits still hold
        self.dir = self.ROOT / own / f"scale-bench-{uuid.uuid4().hex[:12]}"
        self.dir.mkdir()

    @classmethod
    def create(cls) -> CpuAccount | None:
        try:
            return cls() if (cls.ROOT / "cpuacct.usage").exists() else None
        except OSError:
            return None

    def join(self) -> None:  # in the grader's process, before it starts anything
        (self.dir / "cgroup.procs").write_text(str(os.getpid()))

    def seconds(self) -> float:
        return int((self.dir / "cpuacct.usage").read_text()) / 1e9

    def remove(self) -> None:
        try:
            self.dir.rmdir()
        except OSError:  # a process is still in it: the kernel removes nothing it holds
            pass


def start_grader(lesson: str, submitted: Path, grading: Path, url: str, jobs: int, extra: list[str]):
    account = CpuAccount.create()
    argv = [
        sys.executable,
        "-m",
        "autograder.grade_class",
        lesson,
        "--submitted",
        str(submitted),
        "--grading-dir",
        str(grading),
        "--db",
        url,
        "--jobs",
        str(jobs),
        "--no-progress",
        "--no-feedback",
        *extra,
    ]
    log = open(grading.parent / f"{grading.name}.log", "w+")
    proc = subprocess.Popen(
        argv,
        cwd=REPO,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
        preexec_fn=account.join if account else None,
    )
    proc.log, proc.account = log, account
    return proc


def reap(proc) -> tuple[float, float | None]:
    """Wait for a grader; return (its end, the CPU seconds of its cgroup, or None without one)."""
    proc.wait()
    end = time.perf_counter()
    proc.log.seek(0)
    if proc.returncode:
        raise SystemExit(f"a grader failed ({proc.returncode}):\n{proc.log.read()[-3000:]}")
    if proc.account is None:
        return end, None
    time.sleep(0.5)  # what its last processes were doing as it ended
    seconds = proc.account.seconds()
    proc.account.remove()
    return end, seconds


def run_graders(specs: list[tuple[Path, int, list[str]]], lesson: str, submitted: Path, url: str) -> dict:
    """Start every grader of ``specs`` (grading folder, jobs, extra arguments) at once; wait for all."""
    t0 = time.perf_counter()
    procs = [start_grader(lesson, submitted, grading, url, jobs, extra) for grading, jobs, extra in specs]
    sampler = Sampler([p.pid for p in procs])
    sampler.start()
    ends, cpus = zip(*(reap(p) for p in procs), strict=True)
    sampler.stop.set()
    sampler.join()
    import json

    sampled = sum(sampler.cpu.values())
    exact = None not in cpus

    timings = {}
    for grading, _, _ in specs:
        timings.update(json.loads((grading / "timings.json").read_text()))
    return dict(
        wall=max(ends) - t0,
        walls=[e - t0 for e in ends],
        cpu=sum(cpus) if exact else sampled,
        cpus=list(cpus) if exact else [sampler.cpu_of(p.pid) for p in procs],
        exact=exact,
        timings=timings,
        peaks=sampler.peaks,
        whole=sum(sampler.whole.values()),
        sampled_cpu=sampled,
        outputs=[p.log.read() for p in procs],
    )


def scores(url: str, lesson: str) -> dict:
    """Every student's points per notebook and cell, and whether a grader must look at it."""
    from nbgrader.api import Gradebook

    from autograder.grade_class import database_url

    with Gradebook(database_url(url, Path("."))) as gb:
        return {
            (sub.student.id, nb.name, g.name): (g.auto_score, g.needs_manual_grade)
            for sub in gb.find_assignment(lesson).submissions
            for nb in sub.notebooks
            for g in nb.grades
        }


def mib(values) -> str:
    values = list(values)
    if not values:
        return "none seen"
    return f"median {statistics.median(values) / MiB:.0f} MiB, max {max(values) / MiB:.0f} MiB ({len(values)})"


def duration(seconds: float) -> str:
    minutes = round(seconds / 60)
    return f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{seconds / 60:.1f} min"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=200, help="S, the class's size (default 200)")
    parser.add_argument("--quick", action="store_true", help="S = 4: that it runs, not what it costs")
    parser.add_argument("--lesson", default="00_start_here", help="the one lesson every student hands in")
    parser.add_argument(
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        help="workers of the one grader; each shard gets half (default: all cores)",
    )
    parser.add_argument(
        "--cores",
        type=int,
        default=os.cpu_count() or 1,
        help="N, the cores of the machine the projection is for (default: this one's)",
    )
    parser.add_argument("--course", type=int, default=1000, help="students of the projected course")
    parser.add_argument("--no-sandbox", action="store_true", help="grade without bubblewrap (unsafe; quicker)")
    args = parser.parse_args(argv)
    n = 4 if args.quick else args.students
    try:
        import psutil  # noqa: F401

        postgres.binaries()
        postgres._as_server()
    except (postgres.Unavailable, ImportError) as exc:
        print(f"bench-scale needs PostgreSQL's server and psutil: {exc}", file=sys.stderr)
        return 2
    isolate = not args.no_sandbox and sandbox.available()
    shard_jobs = max(1, args.jobs // 2)
    threads = max(1, (os.cpu_count() or 1) // args.jobs)
    extra = ["--threads", str(threads), *([] if isolate else ["--no-sandbox"])]
    load = os.getloadavg()[0]
    tmp = Path(tempfile.mkdtemp(prefix="scale-bench-"))  # not pytest's: the postgres user must enter it
    try:
        submitted = tmp / "submitted"
        made = build_class(submitted, n, args.lesson)
        with postgres.temporary_server() as server:
            one_url = postgres.create_database(server, "one_grader")
            two_url = postgres.create_database(server, "two_shards")
            one = run_graders([(tmp / "one", args.jobs, extra)], args.lesson, submitted, one_url)
            two = run_graders(
                [(tmp / f"shard{k}", shard_jobs, [*extra, "--shard", f"{k}/2"]) for k in (1, 2)],
                args.lesson,
                submitted,
                two_url,
            )
            same = scores(one_url, args.lesson) == scores(two_url, args.lesson)
            version = postgres._run([str(postgres.binaries() / "pg_ctl"), "--version"]).stdout
            version = (re.findall(r"\d+\.\d+", version) or ["?"])[0]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    kinds = {k: sum(v == k for v in made.values()) for k in sorted(set(made.values()))}
    print(
        f"# {n} submissions of {args.lesson} ({', '.join(f'{v} {k}' for k, v in kinds.items())}); "
        f"{os.cpu_count()} cores here, load {load:.1f} at the start; "
        f"{'in the sandbox' if isolate else 'WITHOUT the sandbox'}; {threads} thread(s) per kernel; "
        f"PostgreSQL {version}; CPU seconds from "
        f"{'a cpuacct cgroup per grader' if one['exact'] else 'psutil samples (no writable cpuacct cgroup)'}"
    )
    print(
        f"{'run':<20} {'jobs':>5} {'wall s':>8} {'CPU s':>8} {'wall s/student':>15} {'CPU s/student':>14} "
        f"{'sampled CPU s':>14}  each (wall, CPU)"
    )
    for name, run, jobs in (
        ("one grader", one, str(args.jobs)),
        ("two shards at once", two, f"{shard_jobs}+{shard_jobs}"),
    ):
        each = ", ".join(f"{w:.1f}/{c:.1f}" for w, c in zip(run["walls"], run["cpus"], strict=True))
        print(
            f"{name:<20} {jobs:>5} {run['wall']:8.1f} {run['cpu']:8.1f} {run['wall'] / n:15.2f} "
            f"{run['cpu'] / n:14.2f} {run['sampled_cpu']:14.1f}  {each}"
        )
    worker = [t["seconds"] for t in one["timings"].values()]
    worker_median = f"{statistics.median(worker):.2f} s" if worker else "n/a"
    print(
        f"# seconds per student: {one['wall'] / n:.2f} (one grader's wall / {n}, {args.jobs} job(s)); median "
        f"{worker_median} in a worker for the {len(worker)} gradable (timings.json); "
        f"{one['cpu'] / n:.2f} CPU s"
    )
    peaks = {k: list(one["peaks"][k].values()) + list(two["peaks"][k].values()) for k in one["peaks"]}
    print(
        f"# peak memory per kernel: {mib(peaks['kernel'])} (RSS of each kernel's process tree, sampled every "
        f"{SAMPLE_SECONDS} s); the verifier's student process: {mib(peaks['verifier'])}; a grading worker: "
        f"{mib(peaks['worker'])}; one grader's whole tree at most {one['whole'] / MiB:.0f} MiB"
    )
    # a grader's CPU = fixed + per_student x S: the second grader of the same S students pays `fixed` again
    fixed = max(0.0, two["cpu"] - one["cpu"])
    per_student = (one["cpu"] - fixed) / n
    cpu_over = two["cpu"] / one["cpu"] - 1
    wall_over = two["wall"] / one["wall"] - 1
    at_200 = fixed / (fixed + per_student * 200) if per_student > 0 else float("nan")
    verdict = "met" if cpu_over <= 0.05 else "NOT met"
    print(
        f"# shard overhead: {100 * cpu_over:+.1f}% CPU (the two shards' CPU seconds over the one grader's, "
        f"same {n} students; target <= +5%: {verdict}); {100 * wall_over:+.1f}% wall (both shards at once, "
        f"{shard_jobs}+{shard_jobs} jobs, against one grader with {args.jobs}); grades "
        f"{'identical' if same else 'DIFFERENT'}"
    )
    print(
        f"# a grader's CPU = {fixed:.1f} s fixed (what the second shard added) + {per_student:.2f} s per student: "
        f"two shards of 200 students would add {100 * at_200:+.1f}%"
    )
    peak = sum(max(peaks[k], default=0) for k in peaks)
    course_cpu = fixed + args.course * per_student
    print(
        f"# projection: {args.course:,} students on {args.cores} cores: about "
        f"{duration(course_cpu / args.cores)} ({fixed:.0f} + {args.course:,} x {per_student:.2f} CPU s over "
        f"{args.cores} cores, --jobs {args.cores}; at this machine's measured pace, "
        f"{duration(args.course * one['wall'] / n * args.jobs / args.cores)}); memory about "
        f"{args.cores * peak / 1024 / MiB:.1f} GiB ({args.cores} x {peak / MiB:.0f} MiB: a worker, its kernel and "
        f"verifier process at their peaks); K shards on K such machines: about 1/K of the time, "
        f"plus {fixed:.0f} CPU s each"
    )
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
