"""Grade a whole class: every submission of one or more assignments, in parallel, with a report.

    python -m autograder.grade_class 01_convolution [more assignments] [options]
    make grade ARGS="01_convolution [--no-sandbox]"

Submissions are read from ``--submitted`` (nbgrader's ``submitted/<student>/<assignment>/`` layout; for an
LMS download run ``nbgrader zip_collect`` first). Each submission is inspected (bad files are reported,
never fatal, never followed if they are links), then graded by nbgrader's own ``autograde`` and
``generate_feedback`` in a scratch course of its own, on ``--jobs`` worker processes, with the points
computed by the trusted verifier (``autograder.verify``) and students' code in the sandbox
(``autograder.sandbox``). The parent merges each result into the class gradebook (SQLite by
default, any SQLAlchemy URL with ``--db``) one student at a time, so an interrupted run loses nothing that
was merged and a re-run grades only what changed (``--force`` grades everything again). At the end it
exports grades with ``nbgrader export`` and writes the class report. Written answers (manually graded
cells) are left for a grader, as nbgrader's autograde leaves them: Formgrader's Manual Grading.

Several graders can share one gradebook (PostgreSQL: ``make db`` starts one): each runs with ``--db URL``
and ``--shard K/N``, and grades the students whose id hashes to its part, so the parts are disjoint,
cover the class and stay put when students are added. What is merged is recorded in the gradebook
itself, in the transaction of each student's grades, so any grader's re-run of its part resumes it. The
assignment's rows, which every part shares, are written by the first grader only, under a lock.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from multiprocessing import get_context
from pathlib import Path

from autograder import safe_files, sandbox
from autograder.course import (
    CELL_TIMEOUT,
    REPO,
    SOLUTIONS,
    generate_assignment,
    gradebook_url,
    lesson_names,
    load_config,
    nbgrader_api,
)
from autograder.grading_worker import Job, Limits, grade_one
from autograder.submissions import Inspection, grade_ids, inspect_submission

DEFAULT_GRADING = REPO / "autograder" / "grading"
MANIFEST_TABLE = "workbook_manifest"
REGISTERED = "@register/"  # manifest key of an assignment's rows (no assignment's name starts with @)
LOCK_KEY = 0x636E6E776F726B62  # PostgreSQL advisory lock of the registration ("cnnworkb")


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


def source_digest(assignment: str) -> str:
    h = hashlib.sha256()
    for path in sorted((SOLUTIONS / assignment).rglob("*")):
        if path.is_file():
            h.update(str(path.relative_to(SOLUTIONS)).encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def register_all(assignments: list[str], scratch: str, db_url: str) -> None:
    """``register`` each assignment (in a worker: it runs while the parent builds the templates).

    Graders that share a gradebook all start here: one at a time (``registration_lock``), and an
    assignment whose source is unchanged since it was registered is left as it is, so a second grader
    never rewrites rows the first one's students are being merged against."""
    from nbgrader.api import Course, Gradebook, MissingEntry
    from nbgrader.coursedir import CourseDirectory

    course_id = CourseDirectory(config=load_config(REPO)).course_id
    with registration_lock(db_url):
        with Gradebook(db_url, course_id) as gb:  # nbgrader's tables, its alembic version and the course, once
            if gb.db.get(Course, course_id) is None:
                # nbgrader makes no row for its default course id '' and then refers to it; only SQLite,
                # which does not check foreign keys, lets that pass
                gb.db.add(Course(id=course_id))
                gb.db.commit()
            manifest_table().create(gb.engine, checkfirst=True)  # after nbgrader's: it checks for an empty db
            known = Manifest(db_url)
            for assignment in assignments:
                digest = source_digest(assignment)
                try:
                    gb.find_assignment(assignment)
                    if known.done(REGISTERED + assignment, digest):
                        continue
                except MissingEntry:
                    pass
                gb.db.commit()  # nothing of ours open while nbgrader writes (SQLite would wait for it)
                register(assignment, Path(scratch), db_url)
                Manifest.stage(gb.db, REGISTERED + assignment, digest)
                gb.db.commit()


@contextmanager
def registration_lock(db_url: str):
    """Hold a lock that every grader of the gradebook ``db_url`` takes: PostgreSQL's advisory lock (gone
    with the connection, so a killed grader never leaves it held), a file lock beside an SQLite file."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    url = make_url(db_url)
    if url.get_backend_name() == "postgresql":
        engine = create_engine(url)
        try:
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": LOCK_KEY})
                try:
                    yield
                finally:
                    conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": LOCK_KEY})
        finally:
            engine.dispose()
    elif url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        import fcntl

        with open(url.database + ".lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield
    else:
        yield


def fingerprint(inspection: Inspection, assignment: str, settings: dict) -> str:
    h = hashlib.sha256(json.dumps(settings, sort_keys=True).encode())
    for path in sorted((SOLUTIONS / assignment).glob("*.ipynb")):
        h.update(path.read_bytes())
    for name, data in sorted(inspection.contents.items()):
        h.update(name.encode() + b"\0" + data)
    h.update((inspection.timestamp or "").encode())
    return h.hexdigest()


def disagreements(
    kernel: dict[str, dict[str, float | None]],
    verifier: dict[str, dict[str, float]],
    swapped: dict[str, dict[str, list[str]]] | None = None,
) -> list[str]:
    """Test cells where the student's kernel reported another score than the verifier computed.

    Not flagged: a cell the verifier graded with reference helpers in place of the student's failed ones
    (``swapped``), where the kernel, which used the student's own, gave less: that is the rule that each
    exercise is graded on its own, not a sign of tampering."""
    out = []
    for notebook, scores in sorted(verifier.items()):
        for cell, points in sorted(scores.items()):
            said = (kernel.get(notebook) or {}).get(cell) or 0.0
            if said < points and cell in ((swapped or {}).get(notebook) or {}):
                continue
            if said != points:
                out.append(
                    f"{notebook}/{cell}: the notebook's kernel reported {said:g}, the verifier computed "
                    f"{points:g} (the verifier's score is recorded)"
                )
    return out


@cache
def manifest_table():
    from sqlalchemy import Column, MetaData, String, Table

    return Table(
        MANIFEST_TABLE,
        MetaData(),
        Column("key", String(600), primary_key=True),
        Column("digest", String(64), nullable=False),
    )


class Manifest:
    """What has been merged into the gradebook, by fingerprint (``assignment/student``: the digest of
    what was graded), kept in the gradebook itself: ``merge`` writes a student's row in the transaction
    of their grades, so the manifest never says more than the gradebook holds, and every grader that
    shares the gradebook sees it."""

    def __init__(self, db_url: str):
        from sqlalchemy import create_engine, inspect, select

        engine = create_engine(db_url)
        try:
            self.data = {}
            if inspect(engine).has_table(MANIFEST_TABLE):  # not before the first registration
                table = manifest_table()
                with engine.connect() as conn:
                    self.data = dict(conn.execute(select(table.c.key, table.c.digest)).all())
        finally:
            engine.dispose()

    def done(self, key: str, digest: str) -> bool:
        return self.data.get(key) == digest

    @staticmethod
    def stage(session, key: str, digest: str) -> None:
        """Record ``key`` in ``session``'s transaction (it counts once the caller commits)."""
        from sqlalchemy import delete, insert

        table = manifest_table()
        session.execute(delete(table).where(table.c.key == key))
        session.execute(insert(table).values(key=key, digest=digest))


def manual_cells(notebook) -> set[str]:
    """Names of a gradebook notebook's manually graded cells: grade cells that are also solution cells
    (the written answers). Everything else with points is a test cell, scored by the verifier."""
    return {c.name for c in notebook.grade_cells} & {c.name for c in notebook.solution_cells}


def written_answers(gb, assignment: str, contents: dict[str, bytes]) -> dict[str, dict[str, float | None]]:
    """For each notebook, each manually graded cell: ``None`` if the student wrote an answer (a grader
    must score it), ``0.0`` if the cell is missing or still holds the student version's text.

    This is nbgrader autograde's own rule (an unchanged answer cell scores 0 and needs no grader),
    decided here from the submitted text and the released source the gradebook holds."""
    import nbformat

    out: dict[str, dict[str, float | None]] = {}
    for notebook in gb.find_assignment(assignment).notebooks:
        names = manual_cells(notebook)
        if not names:
            continue
        submitted: dict[str, str] = {}
        raw = contents.get(notebook.name)
        if raw is not None:
            try:
                nb = nbformat.reads(raw.decode("utf-8"), as_version=4)
                for cell in nb.cells:
                    gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
                    if gid in names and gid not in submitted and isinstance(cell.get("source"), str):
                        submitted[gid] = cell.source
            except Exception:  # unreadable: nothing answered
                submitted = {}
        out[notebook.name] = {}
        for name in names:
            released = gb.find_source_cell(name, notebook.name, assignment).source or ""
            answer = submitted.get(name, "").strip()
            out[notebook.name][name] = None if answer and answer != released.strip() else 0.0
    return out


def merge(
    gb,
    assignment: str,
    student: str,
    grades: dict[str, dict[str, float | None]],
    timestamp: str | None,
    written: dict[str, dict[str, float | None]] | None = None,
    *,
    done: tuple[str, str] | None = None,
) -> None:
    """Write one student's autograded scores into the class gradebook ``gb`` (in place, never twice).

    One transaction per student's scores, which also records ``done`` (manifest key, digest) where given
    (nbgrader commits the student and an empty submission first: a re-run finds and fills them). Test
    cells without a score (missing, unreadable, never reached) are
    recorded as 0. Written answers (``written``, from ``written_answers``) are left to a grader as
    nbgrader autograde leaves them: an answer gets no automatic score and needs a manual grade, an
    untouched or missing one scores 0; a manual score a grader gave earlier is kept (and marked for
    review, as nbgrader does)."""
    from nbgrader.api import MissingEntry

    manual = {nb.name: manual_cells(nb) for nb in gb.find_assignment(assignment).notebooks}
    gb.update_or_create_student(student)
    try:
        submission = gb.find_submission(assignment, student)
    except MissingEntry:
        submission = gb.add_submission(assignment, student, **({"timestamp": timestamp} if timestamp else {}))
    for notebook in submission.notebooks:
        scores = grades.get(notebook.name, {})
        answers = (written or {}).get(notebook.name, {})
        for grade in notebook.grades:
            if not grade.max_score:
                continue
            if grade.name in manual.get(notebook.name, set()):
                grade.auto_score = answers.get(grade.name, 0.0)
                grade.needs_manual_grade = grade.manual_score is not None or grade.auto_score is None
                continue
            grade.auto_score = scores.get(grade.name) or 0.0
            grade.needs_manual_grade = False
    if done:
        Manifest.stage(gb.db, *done)
    gb.db.commit()


def merge_retrying(gb, *args, attempts: int = 3, **kwargs) -> None:
    """``merge``, tried again after a conflict with another grader of the same gradebook (two that were
    given the same student, a deadlock or a dropped connection): each try starts from what is committed."""
    from nbgrader.api import InvalidEntry
    from sqlalchemy.exc import IntegrityError, OperationalError

    for attempt in range(attempts):
        try:
            return merge(gb, *args, **kwargs)
        except (IntegrityError, OperationalError, InvalidEntry):
            gb.db.rollback()
            if attempt == attempts - 1:
                raise
            time.sleep(0.5 * (attempt + 1))


def _warm_up() -> None:
    """Run in each worker while the parent prepares: pay for the imports once, in parallel."""
    import nbgrader.apps  # noqa: F401
    import nbgrader.converters  # noqa: F401
    import torch  # noqa: F401  (the verifier's test cells compare with it)

    import autograder.verify  # noqa: F401
    import source_helpers.torch_ref  # noqa: F401


def export_grades(gb, out: Path) -> None:
    """nbgrader's CSV export (what `nbgrader export` runs), in this process."""
    from nbgrader.plugins.export import CsvExportPlugin

    CsvExportPlugin(to=str(out)).export(gb)


def _replace_tree(src: str | None, dst: Path) -> list[str]:
    """Put a worker's output folder at ``dst``: regular files only, never through a link."""
    if src and safe_files.kind(Path(src)) == "folder":
        return safe_files.copy_tree(Path(src), dst)
    return []


def parse_args(argv: list[str] | None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("assignments", nargs="+")
    parser.add_argument("--submitted", type=Path, help="submissions folder (default: <grading-dir>/submitted)")
    parser.add_argument(
        "--grading-dir",
        type=Path,
        default=DEFAULT_GRADING,
        help="where the gradebook, autograded/, feedback/, grades.csv and report/ go",
    )
    parser.add_argument(
        "--db",
        help="SQLAlchemy URL of the gradebook (default: SQLite in --grading-dir; "
        "postgresql://user:password@host:port/database for one that graders share: make db)",
    )
    parser.add_argument(
        "--shard",
        type=shard_arg,
        metavar="K/N",
        help="grade part K of N of the class (by a hash of the student id); run 1/N ... N/N "
        "on N machines into one --db",
    )
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="parallel students (default: all cores)")
    parser.add_argument("--force", action="store_true", help="grade again even what has not changed")
    parser.add_argument("--cell-timeout", type=int, default=CELL_TIMEOUT, help="seconds per cell (then it scores 0)")
    parser.add_argument("--notebook-cpu", type=int, default=600, help="CPU seconds per notebook's kernel")
    parser.add_argument(
        "--notebook-timeout",
        type=int,
        default=1800,
        help="wall-clock seconds per notebook (then its kernel is ended; cells not reached score 0)",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=0,
        help="BLAS/OpenMP/torch threads per kernel (default: cores // jobs, at least 1)",
    )
    parser.add_argument("--memory-mb", type=int, default=4096, help="memory of one notebook's whole process tree")
    parser.add_argument("--processes", type=int, default=64, help="processes and threads of one notebook's tree")
    parser.add_argument(
        "--no-sandbox",
        action="store_true",
        help="UNSAFE: run students' code with your permissions, files and network (the default "
        "runs it under bubblewrap)",
    )
    # the sandbox is the default now; --sandbox is still accepted from older scripts
    parser.add_argument("--sandbox", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--no-feedback", action="store_true")
    parser.add_argument("--no-progress", action="store_true")
    args = parser.parse_args(argv)
    known = set(lesson_names())
    for a in args.assignments:
        if a not in known:
            parser.error(f"no assignment {a!r} in solutions/ (have: {', '.join(sorted(known))})")
    # Grading a lesson grades its every edition that someone handed in: a class where some hand in
    # 01_convolution_ko is graded in one run (the export folds the editions into one column: lms_export.py)
    from autograder.editions import english_name

    submitted = args.submitted or args.grading_dir / "submitted"

    def handed_in(name: str) -> bool:
        try:
            return any(
                (student / name).is_dir() and not (student / name).is_symlink()
                for student in submitted.iterdir()
                if not student.is_symlink()
            )
        except OSError:
            return False

    args.assignments = list(
        dict.fromkeys(
            x
            for a in args.assignments
            for x in [a, *sorted(n for n in known if n != a and english_name(n) == a and handed_in(n))]
        )
    )
    if not args.no_sandbox and not sandbox.available():
        parser.error(
            "grading runs students' code in a sandbox, which needs bubblewrap (apt-get install bubblewrap); "
            "--no-sandbox grades without one, with your permissions (unsafe)"
        )
    return args, known


def shard_arg(text: str) -> tuple[int, int]:
    m = re.fullmatch(r"(\d+)/(\d+)", text.strip())
    if not m or not 1 <= int(m[1]) <= int(m[2]):
        raise argparse.ArgumentTypeError(f"{text!r}: give K/N with 1 <= K <= N, such as 1/2")
    return int(m[1]), int(m[2])


def in_shard(student: str, shard: tuple[int, int]) -> bool:
    """Whether ``student`` is in part K of N: a hash of the id, so every grader computes the same parts on
    its own, each student is in exactly one, and a student added later moves no one else."""
    k, n = shard
    digest = hashlib.sha256(student.encode("utf-8", "surrogateescape")).digest()
    return int.from_bytes(digest[:8], "big") % n == k - 1


def database_url(db: str | None, grading: Path) -> str:
    """The gradebook's SQLAlchemy URL; a bare postgresql:// one gets the psycopg (3) driver, which the test
    extra installs, whatever SQLAlchemy's default driver is."""
    if db is None:
        return gradebook_url(grading)
    if db.startswith(("postgresql://", "postgres://")):
        try:
            import psycopg  # noqa: F401
        except ImportError:
            sys.exit("--db postgresql:// needs the psycopg driver: pip install 'psycopg[binary]' (make setup does)")
        return "postgresql+psycopg://" + db.split("://", 1)[1]
    return db


def list_students(submitted: Path, summary: dict) -> list[str]:
    """Student folders in ``submitted``; a link or special file there is reported, not followed."""
    if safe_files.kind(submitted) != "folder":
        return []
    students = []
    for entry in sorted(os.scandir(submitted), key=lambda e: e.name):
        what = safe_files.kind(Path(entry.path))
        if what == "folder":
            students.append(entry.name)
        else:
            summary.setdefault(f"*/{entry.name}", []).append(f"a {what} in the submissions folder: not followed")
    return students


@dataclass
class Outcome:
    """What one run of make grade found, for its closing summary."""

    problems: dict[str, list[str]] = field(default_factory=dict)  # "assignment/student" -> what was wrong
    flags: dict[str, list[str]] = field(default_factory=dict)  # to look at by hand (not verdicts)
    not_graded: list[str] = field(default_factory=list)  # jobs that could not finish: a re-run retries them
    timings: dict[str, dict[str, float]] = field(default_factory=dict)  # the worker's seconds, the verifier's share
    graded: int = 0
    skipped: int = 0  # unchanged since the last run

    def note(self, key: str, problem: str) -> None:
        self.problems.setdefault(key, []).append(problem)


@dataclass
class Plan:
    """The work of one run: jobs for the workers, and the ungradable submissions recorded as 0."""

    jobs: list[Job] = field(default_factory=list)
    digests: dict[str, str] = field(default_factory=dict)  # "assignment/student" -> fingerprint, once merged
    zeros: list[tuple[str, str, str, str]] = field(default_factory=list)  # (assignment, student, key, digest)


def limits_from(args) -> tuple[Limits, dict]:
    """The limits each notebook runs under, and the settings a submission's fingerprint includes (a change
    of either grades it again)."""
    threads = args.threads or max(1, (os.cpu_count() or 1) // max(1, args.jobs))
    limits = Limits(
        cell_timeout=args.cell_timeout,
        memory_mb=args.memory_mb,
        cpu_seconds=args.notebook_cpu,
        processes=args.processes,
        threads=threads,
        notebook_timeout=args.notebook_timeout,
    )
    settings = dict(
        cell_timeout=args.cell_timeout,
        cpu=args.notebook_cpu,
        memory=args.memory_mb,
        sandbox=not args.no_sandbox,
        processes=args.processes,
        notebook_timeout=args.notebook_timeout,
        verifier=2,
    )
    return limits, settings


def plan(
    args,
    known: set[str],
    students: list[str],
    submitted: Path,
    scratch: Path,
    manifest: Manifest,
    limits: Limits,
    settings: dict,
    outcome: Outcome,
) -> Plan:
    """Inspect every submission; skip what is unchanged since it was graded; a job for each gradable one."""
    work = Plan()
    for assignment in args.assignments:
        expected = assignment_notebooks(assignment)
        others = {a: set().union(*assignment_notebooks(a).values()) for a in known - {assignment}}
        template = prepare_template(assignment, scratch)
        gradable = []
        for student in students:
            inspection = inspect_submission(submitted / student / assignment, student, assignment, expected, others)
            key = f"{assignment}/{student}"
            if inspection.problems:
                outcome.problems[key] = list(inspection.problems)
            if inspection.flags:
                outcome.flags[key] = inspection.flags
            digest = fingerprint(inspection, assignment, settings)
            if not args.force and manifest.done(key, digest):
                outcome.skipped += 1
                continue
            if not inspection.gradable:
                work.zeros.append((assignment, student, key, digest))
                continue
            gradable.append((student, key, digest, inspection))
        # longest first, so that no worker is left with a long notebook at the end while the others
        # idle (a submission's size is a fair guess of its running time: blank ones raise at once)
        gradable.sort(key=lambda item: -sum(len(b) for b in item[3].contents.values()))
        for student, key, digest, inspection in gradable:
            work.jobs.append(
                Job(
                    assignment,
                    student,
                    dict(inspection.contents),
                    str(template),
                    str(scratch / "jobs"),
                    limits=limits,
                    sandbox=not args.no_sandbox,
                    feedback=not args.no_feedback,
                    timestamp=inspection.timestamp,
                    secret=inspection.secret,
                    key=f"job{len(work.jobs)}",
                )
            )
            work.digests[key] = digest
    return work


def record(gb, grading: Path, job: Job, result: dict | str, digest: str, outcome: Outcome) -> None:
    """One finished job into the gradebook (and its files into grading/), or why it could not finish."""
    key = f"{job.assignment}/{job.student}"
    if isinstance(result, str):  # the job could not finish: nothing merged, a re-run retries it
        outcome.note(key, result)
        outcome.not_graded.append(key)
        return
    if result["error"]:
        outcome.note(key, "grading error: " + result["error"].strip().splitlines()[-1])
    for note in result["notes"]:
        outcome.note(key, "verifier: " + note)
    disagree = disagreements(result["kernel_grades"], result["grades"], result.get("swapped"))
    if disagree:
        outcome.flags.setdefault(key, []).extend(disagree)
    outcome.timings[key] = {"seconds": result["seconds"], "verifier_seconds": result["verifier_seconds"]}
    for folder, dst in (("autograded", result["autograded"]), ("feedback", result["feedback"])):
        if dst:
            left_out = _replace_tree(dst, grading / folder / job.student / job.assignment)
            if left_out:
                outcome.note(key, f"{folder}: left out {', '.join(left_out)}")
    # last: the grades and the manifest's record of them in one transaction, after the files
    written = written_answers(gb, job.assignment, job.notebooks)
    merge_retrying(gb, job.assignment, job.student, result["grades"], job.timestamp, written, done=(key, digest))
    outcome.graded += 1


def awaiting_manual_grades(gb, assignments: list[str]) -> int:
    return sum(
        1
        for a in assignments
        for sub in gb.find_assignment(a).submissions
        for nb in sub.notebooks
        for g in nb.grades
        if g.needs_manual_grade
    )


def print_summary(outcome: Outcome) -> None:
    show = safe_files.printable
    if outcome.problems:
        print("\nsubmissions with problems (all other students were graded normally):")
        for key, problems in sorted(outcome.problems.items()):
            for p in problems:
                print(f"  {show(key, 120)}: {show(p)}")
    if outcome.flags:
        print("\nto look at by hand (flags, not verdicts):")
        for key, items in sorted(outcome.flags.items()):
            for item in items:
                print(f"  {show(key, 120)}: {show(item)}")
    if outcome.not_graded:
        keys = ", ".join(show(k, 120) for k in outcome.not_graded)
        print(f"\nNOT GRADED ({len(outcome.not_graded)}; run again to retry): {keys}")


def main(argv: list[str] | None = None) -> int:
    args, known = parse_args(argv)
    if args.no_sandbox:
        print(
            "WARNING: --no-sandbox: students' code runs with your permissions, your files and your network.",
            file=sys.stderr,
        )
    grading = args.grading_dir.resolve()
    grading.mkdir(parents=True, exist_ok=True)
    submitted = (args.submitted or grading / "submitted").resolve()
    db_url = database_url(args.db, grading)
    limits, settings = limits_from(args)
    manifest = Manifest(db_url)
    load_config(REPO)  # fail early on a broken nbgrader_config.py

    outcome = Outcome()
    students = list_students(submitted, outcome.problems)
    class_size = len(students)
    if args.shard:
        students = [s for s in students if in_shard(s, args.shard)]
    t0 = time.perf_counter()
    from nbgrader.api import Gradebook

    with tempfile.TemporaryDirectory(prefix="workbook-grade-") as tmp:
        scratch = Path(tmp)
        (scratch / "jobs").mkdir()
        pool = ProcessPoolExecutor(max_workers=max(1, args.jobs), mp_context=get_context("spawn"))
        # A worker puts the assignments into the class gradebook while this process builds the first
        # template: the workers have nothing else to do until the template exists.
        registered = pool.submit(register_all, args.assignments, str(scratch), db_url)
        for _ in range(max(0, args.jobs - 1)):
            pool.submit(_warm_up)
        work = plan(args, known, students, submitted, scratch, manifest, limits, settings, outcome)
        try:
            registered.result()
        except BrokenProcessPool:  # a worker died before any student code ran: start again, here
            register_all(args.assignments, str(scratch), db_url)
        gb = Gradebook(db_url)
        for assignment, student, key, digest in work.zeros:  # ungradable: recorded as 0
            merge_retrying(gb, assignment, student, {}, None, done=(key, digest))
            outcome.graded += 1
        progress = None
        if work.jobs and not args.no_progress:
            from tqdm import tqdm

            progress = tqdm(total=len(work.jobs), desc="grading", unit="student")
        for job, result in run_jobs(pool, work.jobs, args.jobs):
            if progress:
                progress.update()
            record(gb, grading, job, result, work.digests[f"{job.assignment}/{job.student}"], outcome)
        if progress:
            progress.close()
        pool.shutdown(wait=False, cancel_futures=True)
        export_grades(gb, grading / "grades.csv")
        waiting = awaiting_manual_grades(gb, args.assignments)
        gb.close()

    from autograder.report import write_report

    report = write_report(db_url, args.assignments, grading / "report")
    (grading / "timings.json").write_text(json.dumps(outcome.timings, indent=1, sort_keys=True))
    seconds = time.perf_counter() - t0
    print(
        f"graded {outcome.graded}, unchanged and skipped {outcome.skipped}, in {seconds:.1f} s with {args.jobs} "
        f"job(s){' in the sandbox' if not args.no_sandbox else ' WITHOUT the sandbox'}"
    )
    if args.shard:
        print(
            f"shard {args.shard[0]}/{args.shard[1]}: {len(students)} of the {class_size} students; grades.csv and "
            "the report show the whole gradebook as it is now (export again when every shard is done)"
        )
    print(f"grades: {grading / 'grades.csv'}\nreport: {report}")
    if waiting:
        print(
            f"written answers awaiting manual grading: {waiting} (make lab ROLE=instructor, then Formgrader, "
            "Manual Grading; grades.csv includes manual scores once given: export again with `nbgrader export`)"
        )
    print_summary(outcome)
    return 1 if outcome.not_graded else 0


def run_jobs(pool: ProcessPoolExecutor, jobs: list[Job], n_workers: int):
    """Yield (job, result) as jobs finish, or (job, reason) where a job could not finish.

    A worker that dies (its student's code killed it, in plain mode) breaks the whole pool, so every job
    that was running then is tried once more, each in a pool of its own: one student's code can cost only
    that student a grade."""
    futures = {pool.submit(grade_one, job): job for job in jobs}
    again = []
    for future in as_completed(futures):
        job = futures[future]
        try:
            yield job, future.result()
        except BrokenProcessPool:
            again.append(job)
        except Exception as exc:  # a crashed worker: report it; nothing is merged, a re-run retries
            yield job, f"grader crashed ({type(exc).__name__}: {exc}); not graded"
    pool.shutdown(wait=False, cancel_futures=True)
    if again:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=max(1, n_workers)) as threads:
            for job, result in zip(again, threads.map(_grade_alone, again), strict=True):
                yield job, result


def _grade_alone(job: Job):
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as alone:
        try:
            return alone.submit(grade_one, job).result()
        except BrokenProcessPool:
            return "its grading process was killed, twice (by its own code?); not graded"
        except Exception as exc:
            return f"grader crashed ({type(exc).__name__}: {exc}); not graded"


if __name__ == "__main__":
    sys.exit(main())
