"""Grading throughput: plain sequential `nbgrader autograde` against `make grade`, on a synthetic class.

    make bench-grading                       # 40 submissions, jobs = all cores, plus the sandbox's cost
    make bench-grading ARGS="--repeat 3"     # three interleaved rounds, medians
    python -m bench.grading_bench --students 12 --no-sandbox

The class mixes solved, blank, partly wrong (one mutant each) and broken submissions of lesson 01. Both
runs grade the same files; the grades of every student that both could grade are compared cell by cell.
Prints seconds per student and the speedup; nothing is asserted about time.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from autograder import grade_class
from autograder.course import REPO, generate_student_version, load_config
from proofs import classroom as C
from proofs.classroom import cell_scores


def build_class(submitted: Path, n: int, lesson: str = C.LESSON) -> dict[str, str]:
    """``n`` submissions of ``lesson``: solved, blank and wrong ones (one mutant each) in turn, every tenth
    unreadable; student id -> kind."""
    student = C.student_version(lesson=lesson)
    honest = C.honest_submissions(student, lesson)
    kinds = ["solved", "blank", *[k for k in honest if k.startswith("wrong-")]]
    made = {}
    for i in range(n):
        if i % 10 == 9:
            sid = f"s{i:03d}-broken"
            C.write_submission(submitted, sid, b'{"cells": [ truncated', lesson=lesson)
        else:
            kind = kinds[i % len(kinds)]
            sid = f"s{i:03d}-{kind}"
            C.write_submission(submitted, sid, honest[kind], lesson=lesson)
        made[sid] = sid.split("-", 1)[1]
    return made


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument(
        "--jobs",
        type=int,
        nargs="+",
        default=[os.cpu_count() or 1],
        help="parallel runs to time, one per value (e.g. --jobs 2 3)",
    )
    parser.add_argument(
        "--no-sandbox", action="store_true", help="skip the plain (--no-sandbox) run that measures the sandbox's cost"
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="rounds of every run, interleaved; medians are reported (a VM's speed drifts)",
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="grading-bench-") as tmp:
        tmp = Path(tmp)
        course = tmp / "sequential"
        generate_student_version(C.LESSON, course)
        submitted = course / "autograder" / "grading" / "submitted"
        made = build_class(submitted, args.students)
        # plain nbgrader, run the way an instructor would: from the course root, with the workbook's settings
        (course / "nbgrader_config.py").write_text(
            f"c = get_config()\nload_subconfig({str(REPO / 'autograder' / 'nbgrader_config.py')!r})\n"
            f"c.CourseDirectory.root = {str(course)!r}\n"
        )
        env = {**os.environ, "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"]}
        # make grade's default is the sandbox; --no-sandbox is the plain (unsafe) mode it is measured against
        runs = [(f"make grade, jobs={j}", j, []) for j in args.jobs]
        if not args.no_sandbox:
            runs.append((f"... --no-sandbox, jobs={args.jobs[0]}", args.jobs[0], ["--no-sandbox"]))
        verifier_share: list[float] = []
        seconds: dict[str, list[float]] = {"nbgrader autograde": []}
        same: dict[str, bool] = {}
        sequential = {}
        # each round grades into a fresh copy of the gradebook generate_assignment wrote (it knows the assignment)
        template_db = Path(load_config(course).CourseDirectory.db_url.removeprefix("sqlite:///"))
        for round_ in range(args.repeat):
            shutil.copyfile(template_db, tmp / f"sequential-{round_}.db")
            db_seq = f"sqlite:///{tmp / f'sequential-{round_}.db'}"
            shutil.rmtree(course / "autograder" / "grading" / "autograded", ignore_errors=True)
            t0 = time.perf_counter()
            run = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "nbgrader",
                    "autograde",
                    C.LESSON,
                    "--log-level=ERROR",
                    f"--CourseDirectory.db_url={db_seq}",
                ],
                cwd=course,
                env=env,
                capture_output=True,
                text=True,
            )
            seconds["nbgrader autograde"].append(time.perf_counter() - t0)
            sequential = cell_scores(db_seq)
            if not sequential:
                print(run.stdout[-2000:], run.stderr[-2000:])
                raise SystemExit("plain nbgrader autograde graded nobody")
            for name, jobs, extra in runs:
                grading = tmp / f"run-{round_}-{len(seconds)}"
                t0 = time.perf_counter()
                with contextlib.redirect_stdout(io.StringIO()):
                    grade_class.main(
                        [
                            C.LESSON,
                            "--submitted",
                            str(submitted),
                            "--grading-dir",
                            str(grading),
                            "--jobs",
                            str(jobs),
                            "--no-progress",
                            "--no-feedback",
                            *extra,
                        ]
                    )
                seconds.setdefault(name, []).append(time.perf_counter() - t0)
                timings = json.loads((grading / "timings.json").read_text())
                if not extra:  # the verifier's part of each student's grading time, in the default run
                    verifier_share += [t["verifier_seconds"] / t["seconds"] for t in timings.values()]
                scores = cell_scores("sqlite:///" + str(grading / "gradebook.db"))
                same[name] = same.get(name, True) and all(scores[s] == sequential[s] for s in sequential)
        n = len(made)
        print(
            f"# {n} submissions of {C.LESSON} ({sum(v == 'broken' for v in made.values())} broken); "
            f"{os.cpu_count()} cores; {args.repeat} round(s), medians"
        )
        print(f"{'run':<26} {'seconds':>8} {'s/student':>10} {'speedup':>8}  {'rounds (s)':<24} grades")
        t_seq = statistics.median(seconds["nbgrader autograde"])
        for name, times in seconds.items():
            secs = statistics.median(times)
            rounds = " ".join(f"{t:.1f}" for t in times)
            verdict = (
                "reference"
                if name == "nbgrader autograde"
                else ("identical" if same[name] else "DIFFERENT") + f" for the {len(sequential)} both graded"
            )
            print(f"{name:<26} {secs:8.1f} {secs / n:10.2f} {t_seq / secs:8.2f}x  {rounds:<24} {verdict}")
        if args.repeat > 1:
            per_round = [s / p for s, p in zip(seconds["nbgrader autograde"], seconds[runs[0][0]], strict=True)]
            print(
                f"# speedup of {runs[0][0]} round by round: "
                + ", ".join(f"{r:.2f}x" for r in per_round)
                + f" (median {statistics.median(per_round):.2f}x)"
            )
        if not args.no_sandbox:
            overhead = statistics.median(seconds[runs[0][0]]) / statistics.median(seconds[runs[-1][0]]) - 1
            print(f"# sandbox (bubblewrap) overhead: {100 * overhead:+.0f}% of the plain parallel run's time (medians)")
        share = statistics.median(verifier_share)
        print(
            f"# the verifier: median {100 * share:.0f}% of a student's grading time in the worker "
            f"(adds {100 * share / (1 - share):.0f}% to what nbgrader's autograde and feedback take)"
        )
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
