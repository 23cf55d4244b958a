"""Grade one student's submission of one assignment in a scratch course of its own (a worker process).

The scratch course is a copy of a template (the assignment's source and a gradebook that already knows
the assignment), so nbgrader's own ``autograde`` and ``generate_feedback`` run unchanged and no two
workers ever share a gradebook. The parent process merges the returned grades into the class gradebook.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LAUNCHER = REPO / "autograder" / "kernel_launcher.py"
KERNEL = "workbook-grader"


@dataclass
class Job:
    assignment: str
    student: str
    notebooks: dict[str, str]          # expected notebook name -> submitted file
    template: str                      # template scratch course for the assignment
    scratch: str                       # parent folder of this job's scratch course
    cell_timeout: int = 60
    memory_mb: int = 4096
    cpu_seconds: int = 600
    threads: int = 0                   # per kernel; 0 leaves the libraries' defaults
    sandbox: bool = False
    hide: list[str] = field(default_factory=list)
    feedback: bool = True
    timestamp: str | None = None


def _kernel_spec(course: Path, job: Job, workdir: Path) -> Path:
    jupyter = course / "jupyter"
    spec = jupyter / "kernels" / KERNEL
    spec.mkdir(parents=True, exist_ok=True)
    argv = [sys.executable, str(LAUNCHER), "--memory-mb", str(job.memory_mb), "--cpu-seconds", str(job.cpu_seconds),
            "--threads", str(job.threads)]
    if job.sandbox:
        argv += ["--sandbox", str(workdir)]
        for path in [job.scratch, *job.hide]:
            argv += ["--hide", path]
    argv += ["--", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(json.dumps({
        "argv": argv, "display_name": "Workbook grader", "language": "python",
        # interrupt by message, so a timed-out cell is stopped even inside the sandbox
        "interrupt_mode": "message",
    }))
    return jupyter


def grade_one(job: Job) -> dict:
    """Autograde (and write feedback for) one submission; return its grades and where the files are."""
    from nbgrader.api import Gradebook
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    from autograder.course import load_config, use_environment_scripts

    start = time.perf_counter()
    course = Path(job.scratch) / f"{job.assignment}__{job.student}"
    if course.exists():
        shutil.rmtree(course)
    shutil.copytree(job.template, course)
    submitted = course / "autograder" / "grading" / "submitted" / job.student / job.assignment
    submitted.mkdir(parents=True)
    for name, path in job.notebooks.items():
        shutil.copyfile(path, submitted / f"{name}.ipynb")
    if job.timestamp:
        (submitted / "timestamp.txt").write_text(job.timestamp)
    workdir = course / "autograder" / "grading" / "autograded" / job.student / job.assignment
    workdir.mkdir(parents=True)
    os.environ["JUPYTER_PATH"] = str(_kernel_spec(course, job, workdir))
    os.environ["JUPYTER_RUNTIME_DIR"] = str(course / "runtime")
    use_environment_scripts()

    # nbgrader's and the kernels' chatter goes to a log in the scratch course, not the instructor's terminal
    log = open(course / "grading.log", "w")
    os.dup2(log.fileno(), 2)
    cfg = load_config(course)
    cfg.Execute.kernel_name = KERNEL
    cfg.Execute.timeout = job.cell_timeout
    cfg.NbGraderAPI.log_level = "WARN"
    api = NbGraderAPI(coursedir=CourseDirectory(config=cfg), config=cfg)
    out = dict(assignment=job.assignment, student=job.student, ok=False, error=None, grades={},
               autograded=str(workdir), feedback=None, seconds=0.0)
    try:
        result = api.autograde(job.assignment, job.student, force=True, create=True)
        if not result["success"]:
            log = (result.get("log") or "") + (result.get("error") or "")
            if "DeadKernel" in log or "Kernel died" in log or "kernel died" in log:
                out["error"] = ("the kernel died (os._exit, a crash, or the notebook's CPU or memory limit); "
                                "cells not reached score 0")
            else:
                out["error"] = "nbgrader autograde failed: " + log.strip().splitlines()[-1][-300:] if log else "?"
        with Gradebook(cfg.CourseDirectory.db_url) as gb:
            try:
                sub = gb.find_submission(job.assignment, job.student)
            except Exception:
                sub = None
            if sub is not None:
                for nb in sub.notebooks:
                    out["grades"][nb.name] = {g.name: g.auto_score for g in nb.grades}
        if job.feedback and result["success"]:
            fb = api.generate_feedback(job.assignment, job.student)
            folder = course / "autograder" / "grading" / "feedback" / job.student / job.assignment
            if fb["success"] and folder.exists():
                out["feedback"] = str(folder)
        out["ok"] = result["success"]
    except Exception:
        out["error"] = traceback.format_exc()[-800:]
    out["seconds"] = time.perf_counter() - start
    sys.stderr.flush()
    return out
