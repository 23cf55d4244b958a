"""Several graders, one PostgreSQL gradebook: `make grade --db postgresql://... --shard K/N`.

A real PostgreSQL server (Debian's package; autograder/postgres.py starts it in a temporary folder, as
the postgres user when we are root) holds one database per way of grading the same small class of
lesson 03: one unsharded run, and two shards started at the same time, the first of which is killed
after its first student and started again while the second still runs. Every grade row of the sharded
gradebook must be the unsharded run's, with no row lost or written twice, and the restarted shard must
grade only the students it had not merged.
"""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import pytest

from autograder import grade_class, postgres, sandbox
from autograder.course import REPO, generate_student_version
from proofs.harness import answer_sources, fill, read, solution_path, solution_sources
from proofs.mutants import lesson_modules

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("postgres-shards")]

LESSON = "03_pooling"  # quick test cells, and written answers (rows a grader completes)
# Shard 1/2 holds blank and two wrong ones (three to grade: it is killed after the first);
# 2/2 the solved one and an unreadable notebook.
CLASS = ["solved", "blank", "wrong-max_pool2d_backward", "wrong-pool_output_size", "bad-json"]
ARGS = [
    "--cell-timeout",
    "30",
    "--notebook-cpu",
    "120",
    "--memory-mb",
    "2048",
    "--no-progress",
    "--no-feedback",
    *([] if sandbox.available() else ["--no-sandbox"]),
]  # the sandbox is make grade's; tested elsewhere
TABLES = ["student", "submitted_assignment", "submitted_notebook", "grade", "comment"]


@pytest.fixture(scope="module")
def server():
    try:
        postgres.binaries()
        postgres._as_server()
        import psycopg  # noqa: F401
    except (postgres.Unavailable, ImportError) as exc:
        pytest.skip(f"no PostgreSQL here ({exc}); make test installs it with apt when root on Debian")
    with postgres.temporary_server() as url:
        yield url


@pytest.fixture(scope="module")
def submitted(tmp_path_factory):
    root = tmp_path_factory.mktemp("pg-class")
    student = read(generate_student_version(LESSON, root / "release") / f"{LESSON}.ipynb")
    refs = solution_sources(read(solution_path(LESSON)))
    mutants = {}
    for mutant in next(m for m in lesson_modules() if m.LESSON == LESSON).MUTANTS:
        mutants.setdefault(mutant.exercise, mutant)
    notebooks = {"solved": fill(student, {**refs, **answer_sources(read(solution_path(LESSON)))}), "blank": student}
    for name in CLASS:
        if name.startswith("wrong-"):
            exercise = name.removeprefix("wrong-")
            notebooks[name] = fill(student, {**refs, exercise: mutants[exercise].source(refs[exercise])})
    for name in CLASS:
        folder = root / "submitted" / name / LESSON
        folder.mkdir(parents=True)
        if name in notebooks:
            nbformat.write(notebooks[name], folder / f"{LESSON}.ipynb")
        else:
            (folder / f"{LESSON}.ipynb").write_text('{"cells": [ not json')
    return root / "submitted"


def shard_of(k):
    return [s for s in CLASS if grade_class.in_shard(s, (k, 2))]


def grader(server, submitted, workdir, database, *extra, tmp=None):
    """A grader as `make grade` starts one, on a machine of its own (its own grading folder), in a
    process group of its own (to be killed with its workers); ``tmp``: where its scratch course goes."""
    url = postgres.create_database(server, database)
    n = len(list(workdir.glob("*.log")))
    argv = [
        sys.executable,
        "-m",
        "autograder.grade_class",
        LESSON,
        "--submitted",
        str(submitted),
        "--grading-dir",
        str(workdir / f"grading{n}"),
        "--db",
        url,
        *ARGS,
        *extra,
    ]
    log = open(workdir / f"grader{n}.log", "w+")
    env = {**os.environ, "TMPDIR": str(tmp)} if tmp else None
    proc = subprocess.Popen(
        argv,
        cwd=REPO,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
        env=env,
    )
    proc.log = log
    return proc


def output(proc):
    proc.log.seek(0)
    return proc.log.read()


def finish(proc, timeout=900):
    assert proc.wait(timeout=timeout) == 0, output(proc)[-3000:]
    return output(proc)


def rows(server, database):
    """Every grade of the gradebook by what it is (student, notebook, cell; not its generated id), how
    many rows each table holds, and what the manifest says was merged."""
    import psycopg

    with psycopg.connect(postgres.with_database(server, database)) as conn:
        grades = conn.execute("""
            SELECT s.id, n.name, c.name, g.auto_score, g.manual_score, g.extra_credit, g.needs_manual_grade
            FROM grade g JOIN submitted_notebook sn ON g.notebook_id = sn.id
            JOIN submitted_assignment sa ON sn.assignment_id = sa.id JOIN student s ON sa.student_id = s.id
            JOIN notebook n ON sn.notebook_id = n.id JOIN base_cell c ON g.cell_id = c.id""").fetchall()
        counts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
        merged = conn.execute(f"SELECT key, digest FROM {grade_class.MANIFEST_TABLE}").fetchall()
    return dict(grades=sorted(grades), counts=counts, merged=sorted(merged))


def merged_students(url):
    import psycopg

    with psycopg.connect(url) as conn:
        if not conn.execute("SELECT to_regclass(%s)", (grade_class.MANIFEST_TABLE,)).fetchone()[0]:
            return []
        return [
            k
            for (k,) in conn.execute(
                f"SELECT key FROM {grade_class.MANIFEST_TABLE} WHERE key LIKE %s", (LESSON + "/%",)
            )
        ]


@pytest.fixture(scope="module")
def one_run(server, submitted, tmp_path_factory):
    """The whole class by one grader: what the shards must give together."""
    out = finish(grader(server, submitted, tmp_path_factory.mktemp("one"), "one_run", "--jobs", "2"))
    assert f"graded {len(CLASS)}, unchanged and skipped 0" in out, out
    got = rows(server, "one_run")
    assert got["counts"]["submitted_assignment"] == len(CLASS) and len(got["grades"]) > len(CLASS)
    assert len({g[3] for g in got["grades"]}) > 2, "the class should not score alike"
    return got


@pytest.fixture(scope="module")
def sharded(server, submitted, tmp_path_factory):
    """Both shards at once; the first killed (SIGKILL, workers and all) after its first merged student,
    then started again while the second still runs."""
    work = tmp_path_factory.mktemp("shards")
    # the killed grader leaves its scratch course behind: in a folder of ours (short: its kernels' sockets)
    scratch = Path(tempfile.mkdtemp(prefix="pgshard-"))
    try:
        first = grader(server, submitted, work, "sharded", "--shard", "1/2", "--jobs", "1", tmp=scratch)
        return _kill_and_resume(server, submitted, work, first)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _kill_and_resume(server, submitted, work, first):
    second = grader(server, submitted, work, "sharded", "--shard", "2/2", "--jobs", "1")
    url = postgres.with_database(server, "sharded")
    deadline = time.monotonic() + 600
    merged = []
    while not merged and first.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
        merged = [k for k in merged_students(url) if k.split("/")[1] in shard_of(1)]
    assert first.poll() is None, "shard 1 finished before it could be killed: " + output(first)[-2000:]
    os.killpg(first.pid, signal.SIGKILL)
    first.wait()
    killed_after = merged_students(url)
    again = grader(server, submitted, work, "sharded", "--shard", "1/2", "--jobs", "1")
    outs = {"again": finish(again), "second": finish(second), "killed": output(first)}
    return dict(
        outs=outs,
        merged_before_kill=[k for k in killed_after if k.split("/")[1] in shard_of(1)],
        rows=rows(server, "sharded"),
    )


def test_the_shards_split_the_class_and_both_have_work():
    assert sorted(shard_of(1) + shard_of(2)) == sorted(CLASS) and not set(shard_of(1)) & set(shard_of(2))
    assert len(shard_of(1)) >= 3 and "bad-json" not in shard_of(1)  # three to grade: killed after the first
    assert [grade_class.in_shard("student-7", (k, 3)) for k in (1, 2, 3)].count(True) == 1


def test_two_shards_at_once_give_exactly_the_grades_of_one_run(one_run, sharded):
    got = sharded["rows"]
    assert got["grades"] == one_run["grades"]
    assert got["counts"] == one_run["counts"]  # nothing lost, nothing twice
    assert got["merged"] == one_run["merged"]
    out = sharded["outs"]["second"]
    assert f"graded {len(shard_of(2))}, unchanged and skipped 0" in out, out
    assert f"shard 2/2: {len(shard_of(2))} of the {len(CLASS)} students" in out, out


def test_a_killed_shard_resumes_without_grading_or_writing_anyone_twice(one_run, sharded):
    done = len(sharded["merged_before_kill"])  # 1, or 2 if the next commit landed just before the kill
    assert 1 <= done < len(shard_of(1)), sharded["merged_before_kill"]
    out = sharded["outs"]["again"]
    assert f"graded {len(shard_of(1)) - done}, unchanged and skipped {done}" in out, out
    assert sharded["rows"]["counts"]["submitted_assignment"] == len(CLASS)


def test_make_db_starts_a_server_that_make_grade_can_use():
    """The instructors' command: start prints a URL to a database that accepts a gradebook; stop stops."""
    try:
        postgres.binaries()
        postgres._as_server()
    except postgres.Unavailable as exc:
        pytest.skip(str(exc))
    folder = Path(tempfile.mkdtemp(prefix="workbook-db-"))  # not in pytest's folder: the postgres user can't enter it
    try:
        run = subprocess.run(
            [sys.executable, "-m", "autograder.postgres", "start", "--dir", str(folder)],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert run.returncode == 0, run.stderr
        url = run.stdout.strip()
        assert url.startswith("postgresql://grader:") and url.endswith("/gradebook"), url
        assert "make grade" in run.stderr and "--shard" in run.stderr
        import psycopg

        with psycopg.connect(url) as conn:  # the grader's user may create the gradebook's tables
            conn.execute("CREATE TABLE probe (id int)")
        assert (
            subprocess.run(
                [sys.executable, "-m", "autograder.postgres", "url", "--dir", str(folder)],
                cwd=REPO,
                capture_output=True,
                text=True,
            ).stdout.strip()
            == url
        )
        stop = subprocess.run(
            [sys.executable, "-m", "autograder.postgres", "stop", "--dir", str(folder)],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert stop.returncode == 0 and not postgres.running(folder), stop.stderr
    finally:
        postgres.stop(folder)
        shutil.rmtree(folder, ignore_errors=True)
