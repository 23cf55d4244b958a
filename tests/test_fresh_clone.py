"""A fresh clone works for an instructor: the plain ``nbgrader`` commands the README names, and Formgrader in
``make lab ROLE=instructor``, before anything else has run (no ``autograder/grading/`` yet, no activated
environment: the project's ``.venv/bin/nbgrader`` with this machine's bare PATH).

The clone is what ``git clone`` gives once the working tree is committed: the tracked files, nothing
ignored, so that the test also checks changes not yet committed.
"""

from __future__ import annotations

import csv
import os
import secrets
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from autograder.course import REPO
from tests.lab import free_port, http_get

BIN = Path(sys.executable).parent  # the project's environment (.venv/bin), not activated below
LESSON = "00_start_here"  # the quickest lesson to autograde

pytestmark = pytest.mark.slow


def fresh_clone(dest: Path) -> Path:
    if shutil.which("git") is None or not (REPO / ".git").exists():
        pytest.skip("needs git and a git checkout")
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, check=True, capture_output=True).stdout
    for name in listed.decode().split("\0"):
        if name and (REPO / name).is_file():  # a file deleted in the working tree is not in the next commit
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, dest / name)
    assert not (dest / "autograder" / "grading").exists()
    return dest


def bare_env(tmp: Path) -> dict[str, str]:
    """No activated environment, no Jupyter settings of this machine's user."""
    path = [p for p in os.environ.get("PATH", "/usr/bin:/bin").split(os.pathsep) if Path(p) != BIN]
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("VIRTUAL_ENV", "JUPYTER_PATH", "JUPYTER_CONFIG_PATH", "MPLBACKEND")
    }
    env.update(
        PATH=os.pathsep.join(path),
        JUPYTER_CONFIG_DIR=str(tmp / "user-config"),
        JUPYTER_RUNTIME_DIR=str(tmp / "runtime"),
        IPYTHONDIR=str(tmp / "ipython"),
    )
    return env


def nbgrader(clone: Path, env: dict, *args: str) -> str:
    done = subprocess.run(
        [str(BIN / "nbgrader"), *args], cwd=clone, env=env, capture_output=True, text=True, timeout=300
    )
    log = done.stdout + done.stderr
    assert done.returncode == 0, f"nbgrader {' '.join(args)} failed on a fresh clone:\n{log[-3000:]}"
    assert "Traceback" not in log and "OperationalError" not in log, log[-3000:]
    return log


def test_nbgrader_commands_work_on_a_fresh_clone(tmp_path):
    """db assignment list first, then generate_assignment, autograde, generate_feedback and export."""
    clone = fresh_clone(tmp_path / "clone")
    env = bare_env(tmp_path)
    listed = nbgrader(clone, env, "db", "assignment", "list")
    assert "assignments in the database" in listed
    # --force deletes and rewrites lessons/<lesson>/: harmless in a throwaway clone, never in yours
    nbgrader(clone, env, "generate_assignment", LESSON, "--force")
    assert LESSON in nbgrader(clone, env, "db", "assignment", "list")
    submitted = clone / "autograder" / "grading" / "submitted" / "alice" / LESSON
    shutil.copytree(clone / "lessons" / LESSON, submitted)
    nbgrader(clone, env, "autograde", LESSON)
    assert (clone / "autograder" / "grading" / "autograded" / "alice" / LESSON / f"{LESSON}.ipynb").is_file()
    nbgrader(clone, env, "generate_feedback", LESSON)
    assert (clone / "autograder" / "grading" / "feedback" / "alice" / LESSON / f"{LESSON}.html").is_file()
    out = tmp_path / "grades.csv"
    nbgrader(clone, env, "export", "--to", str(out))
    rows = list(csv.DictReader(out.open()))
    assert [(r["assignment"], r["student_id"]) for r in rows] == [(LESSON, "alice")]
    assert float(rows[0]["max_score"]) > 0


def test_formgrader_works_on_a_fresh_clone(tmp_path):
    """``make lab ROLE=instructor`` as the Makefile starts it: Formgrader lists the course's assignments."""
    clone = fresh_clone(tmp_path / "clone")
    env = bare_env(tmp_path)
    env["JUPYTER_CONFIG_PATH"] = ""  # what the Makefile sets for ROLE=instructor
    token, port = secrets.token_hex(16), free_port()
    argv = [
        str(BIN / "jupyter"),
        "lab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={clone}",
    ]
    if hasattr(os, "getuid") and os.getuid() == 0:
        argv.append("--allow-root")
    log = tmp_path / "lab.log"

    def get(path: str) -> tuple[int, str]:
        return http_get(f"http://127.0.0.1:{port}{path}", token, timeout=60)

    with open(log, "w") as out:
        process = subprocess.Popen(argv, cwd=clone, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 90
        while get("/api/status")[0] != 200:
            assert process.poll() is None and time.monotonic() < deadline, log.read_text()[-3000:]
            time.sleep(0.3)
        status, body = get("/formgrader/api/assignments")
        assert status == 200, f"Formgrader's assignment list: HTTP {status}\n{log.read_text()[-3000:]}"
        assert f'"name": "{LESSON}"' in body, body[:1000]
        assert get("/formgrader/gradebook")[0] == 200
        assert "OperationalError" not in log.read_text(), log.read_text()[-3000:]
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
