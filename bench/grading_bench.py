"""Grading throughput: plain sequential `nbgrader autograde` against `make grade`, on a synthetic class.

    make bench-grading                       # 40 submissions, jobs = all cores, plus the sandbox's cost
    python bench/grading_bench.py --students 12 --no-sandbox

The class mixes solved, blank, partly wrong (one mutant each) and broken submissions of lesson 01. Both
runs grade the same files; the grades of every student that both could grade are compared cell by cell.
Prints seconds per student and the speedup; nothing is asserted about time.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from autograder import grade_class  # noqa: E402
from autograder.course import generate_student_version, load_config  # noqa: E402
from tests import classroom as C  # noqa: E402
from tests.test_grade_class import cell_scores  # noqa: E402


def build_class(submitted: Path, n: int) -> dict[str, str]:
    student = C.student_version()
    honest = C.honest_submissions(student)
    kinds = ["solved", "blank", *[k for k in honest if k.startswith("wrong-")]]
    made = {}
    for i in range(n):
        if i % 10 == 9:
            sid = f"s{i:03d}-broken"
            C.write_submission(submitted, sid, b'{"cells": [ truncated')
        else:
            kind = kinds[i % len(kinds)]
            sid = f"s{i:03d}-{kind}"
            C.write_submission(submitted, sid, honest[kind])
        made[sid] = sid.split("-", 1)[1]
    return made


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--jobs", type=int, nargs="+", default=[os.cpu_count() or 1],
                        help="parallel runs to time, one per value (e.g. --jobs 2 3)")
    parser.add_argument("--no-sandbox", action="store_true", help="skip the run that measures the sandbox")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="grading-bench-") as tmp:
        tmp = Path(tmp)
        course = tmp / "sequential"
        generate_student_version(C.LESSON, course)
        made = build_class(course / "autograder" / "grading" / "submitted", args.students)
        db_seq = load_config(course).CourseDirectory.db_url
        # plain nbgrader, run the way an instructor would: from the course root, with the workbook's settings
        (course / "nbgrader_config.py").write_text(
            f"c = get_config()\nload_subconfig({str(REPO / 'autograder' / 'nbgrader_config.py')!r})\n"
            f"c.CourseDirectory.root = {str(course)!r}\nc.CourseDirectory.db_url = {db_seq!r}\n")
        env = {**os.environ, "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"]}
        t0 = time.perf_counter()
        run = subprocess.run([sys.executable, "-m", "nbgrader", "autograde", C.LESSON, "--log-level=ERROR"],
                             cwd=course, env=env, capture_output=True, text=True)
        t_seq = time.perf_counter() - t0
        runs = [(f"make grade, jobs={j}", j, []) for j in args.jobs]
        if not args.no_sandbox:
            runs.append((f"... --sandbox, jobs={args.jobs[0]}", args.jobs[0], ["--sandbox"]))
        results = {}
        for name, jobs, extra in runs:
            grading = tmp / f"run{len(results)}"
            t0 = time.perf_counter()
            with contextlib.redirect_stdout(io.StringIO()):
                grade_class.main([C.LESSON, "--submitted", str(course / "autograder" / "grading" / "submitted"),
                                  "--grading-dir", str(grading), "--jobs", str(jobs), "--no-progress",
                                  "--no-feedback", *extra])
            results[name] = (time.perf_counter() - t0, cell_scores("sqlite:///" + str(grading / "gradebook.db")))
        sequential = cell_scores(db_seq)
        if not sequential:
            print(run.stdout[-2000:], run.stderr[-2000:])
            raise SystemExit("plain nbgrader autograde graded nobody")
        n = len(made)
        print(f"# {n} submissions of {C.LESSON} ({sum(v == 'broken' for v in made.values())} broken); "
              f"{os.cpu_count()} cores")
        print(f"{'run':<26} {'seconds':>8} {'s/student':>10} {'speedup':>8}  grades")
        print(f"{'nbgrader autograde':<26} {t_seq:8.1f} {t_seq / n:10.2f} {1:8.2f}x  "
              f"({len(sequential)} graded; nbgrader skips unreadable notebooks)")
        for name, (secs, scores) in results.items():
            same = all(scores[s] == sequential[s] for s in sequential)
            print(f"{name:<26} {secs:8.1f} {secs / n:10.2f} {t_seq / secs:8.2f}x  "
                  f"{'identical' if same else 'DIFFERENT'} for the {len(sequential)} both graded; "
                  f"{len(scores)} in the gradebook")
        if not args.no_sandbox:
            overhead = results[runs[-1][0]][0] / results[runs[0][0]][0] - 1
            print(f"# sandbox (bubblewrap) overhead: {100 * overhead:+.0f}% of the parallel run's time")
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
