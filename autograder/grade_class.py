"""Grade a whole class: every submission of one or more assignments, in parallel, with a report.

    python -m autograder.grade_class 01_convolution [more assignments] [options]
    make grade ARGS="01_convolution --sandbox"

Submissions are read from ``--submitted`` (nbgrader's ``submitted/<student>/<assignment>/`` layout; for an
LMS download run ``nbgrader zip_collect`` first). Each submission is inspected (bad files are reported,
never fatal), then graded by nbgrader's own ``autograde`` and ``generate_feedback`` in a scratch course of
its own, on ``--jobs`` worker processes. The parent merges each result into the class gradebook (SQLite by
default, any SQLAlchemy URL with ``--db``) one student at a time, so an interrupted run loses nothing that
was merged and a re-run grades only what changed (``--force`` grades everything again). At the end it
exports grades with ``nbgrader export`` and writes the class report.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from multiprocessing import get_context
from pathlib import Path

from autograder.course import REPO, SOLUTIONS, generate_assignment, lesson_names, load_config, nbgrader_api
from autograder.grading_worker import Job, grade_one
from autograder.submissions import Inspection, grade_ids, inspect_submission

DEFAULT_GRADING = REPO / "autograder" / "grading"


def assignment_notebooks(assignment: str) -> dict[str, set[str]]:
    return {p.stem: grade_ids(json.loads(p.read_text())) for p in sorted((SOLUTIONS / assignment).glob("*.ipynb"))}


def _generate(assignment: str, course: Path, db_url: str | None = None) -> None:
    shutil.copytree(SOLUTIONS / assignment, course / "solutions" / assignment)
    api = nbgrader_api(course)
    if db_url is not None:
        api.coursedir.db_url = db_url
    generate_assignment(api, assignment)
    shutil.rmtree(course / "lessons")  # the student version is not needed to grade


def prepare_template(assignment: str, scratch: Path) -> Path:
    """A scratch course with the assignment's source and a gradebook that knows it (nbgrader's own
    generate_assignment; lessons/ is never touched). Each student is graded in a copy of it."""
    template = scratch / ("template-" + assignment)
    _generate(assignment, template)
    return template


def register(assignment: str, scratch: Path, db_url: str) -> None:
    """Put the assignment's notebooks and test cells into the class gradebook, as nbgrader does."""
    _generate(assignment, scratch / ("register-" + assignment), db_url)


def register_all(assignments: list[str], scratch: str, db_url: str) -> None:
    """``register`` each assignment (in a worker: it runs while the parent builds the templates)."""
    for assignment in assignments:
        register(assignment, Path(scratch), db_url)


def fingerprint(inspection: Inspection, assignment: str, settings: dict) -> str:
    h = hashlib.sha256(json.dumps(settings, sort_keys=True).encode())
    for path in sorted((SOLUTIONS / assignment).glob("*.ipynb")):
        h.update(path.read_bytes())
    for name, path in sorted(inspection.notebooks.items()):
        h.update(name.encode() + b"\0" + Path(path).read_bytes())
    return h.hexdigest()


class Manifest:
    """What has been merged into the gradebook, by fingerprint; written after every student (atomic)."""

    def __init__(self, path: Path):
        self.path = path
        self.data = json.loads(path.read_text()) if path.exists() else {}

    def done(self, key: str, digest: str) -> bool:
        return self.data.get(key) == digest

    def record(self, key: str, digest: str) -> None:
        self.data[key] = digest
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.data, indent=1, sort_keys=True))
        os.replace(tmp, self.path)


def merge(gb, assignment: str, student: str, grades: dict[str, dict[str, float | None]],
          timestamp: str | None) -> None:
    """Write one student's autograded scores into the class gradebook ``gb`` (in place, never twice).

    One transaction per student. Notebooks or cells without a score (missing, unreadable, never
    reached) are recorded as 0."""
    from nbgrader.api import MissingEntry

    gb.update_or_create_student(student)
    try:
        submission = gb.find_submission(assignment, student)
    except MissingEntry:
        submission = gb.add_submission(assignment, student, **({"timestamp": timestamp} if timestamp else {}))
    for notebook in submission.notebooks:
        scores = grades.get(notebook.name, {})
        for grade in notebook.grades:
            if not grade.max_score:
                continue
            grade.auto_score = scores.get(grade.name) or 0.0
            grade.needs_manual_grade = False
    gb.db.commit()


def _warm_up() -> None:
    """Run in each worker while the parent prepares: pay for the imports once, in parallel."""
    import nbgrader.apps  # noqa: F401
    import nbgrader.converters  # noqa: F401


def export_grades(gb, out: Path) -> None:
    """nbgrader's CSV export (what `nbgrader export` runs), in this process."""
    from nbgrader.plugins.export import CsvExportPlugin

    CsvExportPlugin(to=str(out)).export(gb)


def _replace_tree(src: str | None, dst: Path) -> None:
    if dst.exists():
        shutil.rmtree(dst)
    if src and Path(src).is_dir():
        shutil.copytree(src, dst)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("assignments", nargs="+")
    parser.add_argument("--submitted", type=Path, help="submissions folder (default: <grading-dir>/submitted)")
    parser.add_argument("--grading-dir", type=Path, default=DEFAULT_GRADING,
                        help="where the gradebook, autograded/, feedback/, grades.csv and report/ go")
    parser.add_argument("--db", help="SQLAlchemy URL of the gradebook (default: SQLite in --grading-dir)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="parallel students (default: all cores)")
    parser.add_argument("--force", action="store_true", help="grade again even what has not changed")
    parser.add_argument("--cell-timeout", type=int, default=60, help="seconds per cell (then it scores 0)")
    parser.add_argument("--notebook-cpu", type=int, default=600, help="CPU seconds per notebook's kernel")
    parser.add_argument("--threads", type=int, default=0,
                        help="BLAS/OpenMP/torch threads per kernel (default: cores // jobs, at least 1)")
    parser.add_argument("--memory-mb", type=int, default=4096, help="address-space limit per kernel")
    parser.add_argument("--sandbox", action="store_true",
                        help="run kernels under bubblewrap: read-only file system, only the student's folder writable")
    parser.add_argument("--no-feedback", action="store_true")
    parser.add_argument("--no-progress", action="store_true")
    args = parser.parse_args(argv)

    known = set(lesson_names())
    for a in args.assignments:
        if a not in known:
            parser.error(f"no assignment {a!r} in solutions/ (have: {', '.join(sorted(known))})")
    if args.sandbox and shutil.which("bwrap") is None:
        parser.error("--sandbox needs bubblewrap (apt-get install bubblewrap)")
    grading = args.grading_dir.resolve()
    grading.mkdir(parents=True, exist_ok=True)
    submitted = (args.submitted or grading / "submitted").resolve()
    db_url = args.db or "sqlite:///" + str(grading / "gradebook.db")
    threads = args.threads or max(1, (os.cpu_count() or 1) // max(1, args.jobs))
    settings = dict(cell_timeout=args.cell_timeout, cpu=args.notebook_cpu, memory=args.memory_mb, sandbox=args.sandbox)
    manifest = Manifest(grading / "manifest.json")
    students = sorted(p.name for p in submitted.iterdir() if p.is_dir()) if submitted.is_dir() else []
    load_config(REPO)  # fail early on a broken nbgrader_config.py

    summary: dict[str, list[str]] = {}
    flags: dict[str, list[str]] = {}
    t0 = time.perf_counter()
    n_graded = n_skipped = 0
    from nbgrader.api import Gradebook

    with tempfile.TemporaryDirectory(prefix="workbook-grade-") as tmp, \
            ProcessPoolExecutor(max_workers=max(1, args.jobs), mp_context=get_context("spawn")) as pool:
        scratch = Path(tmp)
        (scratch / "jobs").mkdir()
        # A worker puts the assignments into the class gradebook while this process builds the first
        # template: the workers have nothing else to do until the template exists.
        registered = pool.submit(register_all, args.assignments, str(scratch), db_url)
        for _ in range(max(0, args.jobs - 1)):
            pool.submit(_warm_up)
        jobs, pending, merges, futures = [], {}, [], {}
        for assignment in args.assignments:
            expected = assignment_notebooks(assignment)
            others = {a: set().union(*assignment_notebooks(a).values()) for a in known - {assignment}}
            template = prepare_template(assignment, scratch)
            gradable = []
            for student in students:
                inspection = inspect_submission(submitted / student / assignment, student, assignment, expected, others)
                key = f"{assignment}/{student}"
                if inspection.problems:
                    summary[key] = inspection.problems
                if inspection.flags:
                    flags[key] = inspection.flags
                digest = fingerprint(inspection, assignment, settings)
                if not args.force and manifest.done(key, digest):
                    n_skipped += 1
                    continue
                if not inspection.gradable:
                    merges.append((assignment, student, key, digest))
                    continue
                gradable.append((student, key, digest, inspection))
            # longest first, so that no worker is left with a long notebook at the end while the others
            # idle (a submission's size is a fair guess of its running time: blank ones raise at once)
            gradable.sort(key=lambda item: -sum(Path(p).stat().st_size for p in item[3].notebooks.values()))
            for student, key, digest, inspection in gradable:
                stamp = submitted / student / assignment / "timestamp.txt"
                job = Job(assignment, student, {k: str(v) for k, v in inspection.notebooks.items()},
                          str(template), str(scratch / "jobs"), cell_timeout=args.cell_timeout,
                          memory_mb=args.memory_mb, cpu_seconds=args.notebook_cpu, threads=threads,
                          sandbox=args.sandbox,
                          hide=[str(grading), str(submitted)], feedback=not args.no_feedback,
                          timestamp=stamp.read_text().strip() if stamp.exists() else None)
                jobs.append(job)
                pending[key] = digest
                futures[pool.submit(grade_one, job)] = job
        registered.result()
        gb = Gradebook(db_url)
        for assignment, student, key, digest in merges:  # ungradable: recorded as 0
            merge(gb, assignment, student, {}, None)
            manifest.record(key, digest)
            n_graded += 1
        progress = None
        if jobs and not args.no_progress:
            from tqdm import tqdm

            progress = tqdm(total=len(jobs), desc="grading", unit="student")
        for future in as_completed(futures):
            job = futures[future]
            key = f"{job.assignment}/{job.student}"
            try:
                result = future.result()
            except Exception as exc:  # a crashed worker: report it; nothing is merged, a re-run retries
                summary.setdefault(key, []).append(f"grader crashed ({type(exc).__name__}: {exc}); not graded")
                if progress:
                    progress.update()
                continue
            if result["error"]:
                summary.setdefault(key, []).append("grading error: " + result["error"].strip().splitlines()[-1])
            merge(gb, job.assignment, job.student, result["grades"], job.timestamp)
            _replace_tree(result["autograded"], grading / "autograded" / result["student"] / result["assignment"])
            if result["feedback"]:
                _replace_tree(result["feedback"], grading / "feedback" / result["student"] / result["assignment"])
            manifest.record(key, pending[key])
            n_graded += 1
            if progress:
                progress.update()
        if progress:
            progress.close()
        export_grades(gb, grading / "grades.csv")
        gb.close()

    from autograder.report import write_report

    report = write_report(db_url, args.assignments, grading / "report")
    seconds = time.perf_counter() - t0
    print(f"graded {n_graded}, unchanged and skipped {n_skipped}, in {seconds:.1f} s with {args.jobs} job(s)"
          f"{' in the sandbox' if args.sandbox else ''}")
    print(f"grades: {grading / 'grades.csv'}\nreport: {report}")
    if summary:
        print("\nsubmissions with problems (all other students were graded normally):")
        for key, problems in sorted(summary.items()):
            for p in problems:
                print(f"  {key}: {p}")
    if flags:
        print("\nsolution code to look at by hand (flags, not verdicts):")
        for key, items in sorted(flags.items()):
            for item in items:
                print(f"  {key}: {item}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
