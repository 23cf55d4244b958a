"""Grade one student's submission of one assignment in a scratch course of its own (a worker process).

The scratch course is a copy of a template (the assignment's source and a gradebook that already knows
the assignment), so nbgrader's own ``autograde`` and ``generate_feedback`` run unchanged and no two
workers ever share a gradebook. Inside it the student is always called ``student`` (nbgrader reads a
student id as a glob pattern; the real id never reaches it).

1. nbgrader runs the notebook in the student's kernel, in the sandbox: that gives the student's
   feedback (the messages of the test cells) and the *kernel's* scores.
2. The verifier (``autograder.verify``) computes the scores again in this process, calling the
   student's functions in a second sandboxed process. Its scores are the grade: they go into the
   scratch gradebook before feedback is written, and back to the parent for the class gradebook. Where
   the two disagree, the submission is flagged for a human to read.

Every process the student started is ended when its notebook is done (its cgroup, or its PID namespace).
"""

from __future__ import annotations

import os
import shutil
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from autograder import sandbox
from autograder.course import CELL_TIMEOUT, REPO

LAUNCHER = REPO / "autograder" / "kernel_launcher.py"
KERNEL = "workbook-grader"
STUDENT = "student"  # the id nbgrader sees in a scratch course


@dataclass
class Limits:
    cell_timeout: int = CELL_TIMEOUT  # wall-clock seconds per cell (kernel) and per test cell (verifier)
    memory_mb: int = 4096  # the whole process tree of one notebook
    cpu_seconds: int = 600  # CPU seconds per kernel
    notebook_timeout: int = 1800  # wall-clock seconds per notebook (kernel, and verifier)
    processes: int = 64  # processes and threads of one notebook's tree
    threads: int = 0  # BLAS/OpenMP/torch threads per kernel; 0 leaves the libraries' defaults


@dataclass
class Job:
    assignment: str
    student: str
    notebooks: dict[str, bytes]  # expected notebook name -> submitted bytes (already read safely)
    template: str  # template scratch course for the assignment
    scratch: str  # parent folder of this job's scratch course
    limits: Limits = field(default_factory=Limits)
    sandbox: bool = True
    feedback: bool = True
    timestamp: str | None = None
    secret: str | None = None  # submission_secret.txt: feedback/ carries it for nbgrader release_feedback
    key: str = ""  # unique per job: its scratch folder's name


def _kernel_spec(course: Path, job: Job, seen_as: Path, private: Path, runtime: Path, cgroup) -> Path:
    jupyter = course / "jupyter"
    spec = jupyter / "kernels" / KERNEL
    spec.mkdir(parents=True, exist_ok=True)
    lim = job.limits
    argv = [
        sys.executable,
        str(LAUNCHER),
        "--memory-mb",
        str(lim.memory_mb),
        "--cpu-seconds",
        str(lim.cpu_seconds),
        "--threads",
        str(lim.threads),
        "--processes",
        str(lim.processes),
    ]
    if cgroup is not None:
        argv += ["--cgroup", cgroup.describe()]
    if job.sandbox:
        argv += ["--sandbox", str(seen_as), "--private", str(private), "--writable", str(runtime)]
    argv += ["--", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(
        __import__("json").dumps(
            {
                "argv": argv,
                "display_name": "Workbook grader",
                "language": "python",
                # interrupt by message, so a timed-out cell is stopped even inside the sandbox
                "interrupt_mode": "message",
            }
        )
    )
    return jupyter


def _verify(job: Job, course: Path, cgroup_limits: Limits) -> tuple[dict, list[str], float, dict]:
    """The verifier's scores for each notebook, notes about the run, its seconds, and the test cells graded
    with reference helpers in place of the student's failed ones (notebook -> cell -> names)."""
    import nbformat

    from autograder import verify

    grades, notes, seconds, swapped = {}, [], 0.0, {}
    for name, raw in job.notebooks.items():
        source = nbformat.read(course / "solutions" / job.assignment / f"{name}.ipynb", as_version=4)
        try:
            submitted = nbformat.reads(raw.decode("utf-8"), as_version=4)
        except Exception as exc:  # inspected before, so unlikely; the notebook then earns nothing
            notes.append(f"{name}: unreadable for the verifier ({type(exc).__name__})")
            continue
        home = course / "verifier-home" / name
        home.mkdir(parents=True)
        cgroup = sandbox.Cgroup.create(cgroup_limits.memory_mb, cgroup_limits.processes)
        spec = sandbox.Spec(
            workdir=home,
            memory_mb=cgroup_limits.memory_mb,
            processes=cgroup_limits.processes,
            cgroup=cgroup,
            isolate=job.sandbox,
        )
        try:
            verdict = verify.verify_notebook(
                source,
                submitted,
                assignment=job.assignment,
                sandbox_spec=spec,
                cell_timeout=job.limits.cell_timeout,
                notebook_timeout=job.limits.notebook_timeout,
            )
        finally:
            if cgroup is not None:
                cgroup.kill()
        grades[name] = verdict.scores
        swapped[name] = verdict.swapped
        notes += [f"{name}: {n}" for n in verdict.notes]
        seconds += verdict.seconds
    return grades, notes, seconds, swapped


def _write_scores(gradebook_url: str, assignment: str, grades: dict[str, dict[str, float]]) -> None:
    from nbgrader.api import Gradebook

    with Gradebook(gradebook_url) as gb:
        submission = gb.find_submission(assignment, STUDENT)
        for nb in submission.notebooks:
            for grade in nb.grades:
                if grade.max_score and grade.name in grades.get(nb.name, {}):
                    grade.auto_score = grades[nb.name][grade.name]
        gb.db.commit()


def grade_one(job: Job) -> dict:
    """Autograde (and write feedback for) one submission; return its grades and where the files are."""
    from nbgrader.api import Gradebook
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    from autograder.course import load_config, use_environment_scripts

    start = time.perf_counter()
    course = Path(job.scratch) / (job.key or f"{job.assignment}__{STUDENT}")
    if course.exists():
        shutil.rmtree(course)
    shutil.copytree(job.template, course)
    submitted = course / "autograder" / "grading" / "submitted" / STUDENT / job.assignment
    submitted.mkdir(parents=True)
    for name, raw in job.notebooks.items():
        (submitted / f"{name}.ipynb").write_bytes(raw)
    if job.timestamp:
        (submitted / "timestamp.txt").write_text(job.timestamp)
    if job.secret:  # nbgrader copies it to autograded/ and feedback/, where release_feedback reads it
        (submitted / "submission_secret.txt").write_text(job.secret)
    workdir = course / "autograder" / "grading" / "autograded" / STUDENT / job.assignment
    workdir.mkdir(parents=True)
    private = course / "kernel-home"  # what the kernel writes; nbgrader never reads it
    runtime = course / "runtime"  # the connection file and the kernel's ipc sockets
    private.mkdir()
    runtime.mkdir()
    cgroup = sandbox.Cgroup.create(job.limits.memory_mb, job.limits.processes)
    os.environ["JUPYTER_PATH"] = str(_kernel_spec(course, job, workdir, private, runtime, cgroup))
    os.environ["JUPYTER_RUNTIME_DIR"] = str(runtime)
    # the kernel's messages in the language of the student's edition (its folder name says so too; this holds
    # wherever the sandbox puts the kernel)
    from autograder.editions import edition_of

    os.environ["WORKBOOK_LANG"] = edition_of(job.assignment)
    use_environment_scripts()

    # nbgrader's chatter goes to a log in the scratch course, not the instructor's terminal
    log = open(course / "grading.log", "w")
    os.dup2(log.fileno(), 2)
    cfg = load_config(course)
    cfg.Execute.kernel_name = KERNEL
    cfg.Execute.timeout = job.limits.cell_timeout
    if job.sandbox:  # the kernel has no network: it talks to nbgrader over Unix sockets
        cfg.KernelManager.transport = "ipc"
        cfg.KernelManager.ip = str(runtime / "kernel")  # socket files kernel-1, kernel-2, ... in there
    cfg.NbGraderAPI.log_level = "WARN"
    api = NbGraderAPI(coursedir=CourseDirectory(config=cfg), config=cfg)
    out = dict(
        assignment=job.assignment,
        student=job.student,
        ok=False,
        error=None,
        grades={},
        kernel_grades={},
        autograded=str(workdir),
        feedback=None,
        seconds=0.0,
        verifier_seconds=0.0,
        notes=[],
        swapped={},
    )
    try:
        # past the notebook's wall-clock limit its kernel is ended: the cells not reached score 0
        alarm = threading.Timer(job.limits.notebook_timeout, cgroup.kill) if cgroup is not None else None
        if alarm:
            alarm.daemon = True
            alarm.start()
        try:
            result = api.autograde(job.assignment, STUDENT, force=True, create=True)
        finally:
            if alarm:
                alarm.cancel()
            if cgroup is not None:
                cgroup.kill()  # daemons and children of the kernel end with its notebook
        if not result["success"]:
            log_text = (result.get("log") or "") + (result.get("error") or "")
            if "DeadKernel" in log_text or "Kernel died" in log_text or "kernel died" in log_text:
                out["error"] = (
                    "the kernel died (os._exit, a crash, or the notebook's CPU or memory limit); "
                    "cells not reached score 0"
                )
            else:
                last = log_text.strip().splitlines()[-1][-300:] if log_text.strip() else "?"
                out["error"] = "nbgrader autograde failed: " + last
        url = cfg.CourseDirectory.db_url
        with Gradebook(url) as gb:
            try:
                sub = gb.find_submission(job.assignment, STUDENT)
            except Exception:
                sub = None
            if sub is not None:
                for nb in sub.notebooks:
                    out["kernel_grades"][nb.name] = {g.name: g.auto_score for g in nb.grades}
        grades, notes, out["verifier_seconds"], out["swapped"] = _verify(job, course, job.limits)
        out["grades"], out["notes"] = grades, notes
        if sub is not None:
            _write_scores(url, job.assignment, grades)
        # feedback whenever nbgrader recorded the submission, even where its autograde reported a failure
        # (a kernel hook can make it do so): the student sees the scores that were recorded
        if job.feedback and sub is not None:
            fb = api.generate_feedback(job.assignment, STUDENT)
            folder = course / "autograder" / "grading" / "feedback" / STUDENT / job.assignment
            if fb["success"] and folder.exists():
                out["feedback"] = str(folder)
        out["ok"] = result["success"]
    except Exception:
        out["error"] = traceback.format_exc()[-800:]
    out["seconds"] = time.perf_counter() - start
    sys.stderr.flush()
    return out
