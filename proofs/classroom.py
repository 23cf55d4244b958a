"""A synthetic class for grading tests and the throughput benchmark: honest, wrong, broken and cheating.

Every submission is made from the generated student version of a lesson, as a student would hand it in;
``cell_scores`` reads back what the class got.
"""

from __future__ import annotations

import copy
import json
import os
import tempfile
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook

from autograder.course import generate_student_version
from proofs.harness import answer_sources, fill, grade_id, read, solution_path, solution_sources
from proofs.mutants import lesson_modules

LESSON = "01_convolution"
FIRST = "conv_output_size"  # the first solution cell of lesson 01

# Solution-cell code for cheating attempts; each goes into an otherwise blank submission, in the first cell.
CHEATS = {
    "cheat-rebind-numpy": """
import numpy as np
np.allclose = lambda *a, **k: True
np.array_equal = lambda *a, **k: True
np.testing.assert_allclose = lambda *a, **k: None
np.testing.assert_array_equal = lambda *a, **k: None
def conv_output_size(H, K, P=0, S=1):
    return 0
""",
    "cheat-patch-checks": """
import source_helpers.checks as checks
import source_helpers.gradcheck as gradcheck
for name in ("check_array", "check_int", "check_raises", "check_shape", "check_close_scalar", "check_choice"):
    try:
        setattr(checks, name, lambda *a, **k: None)
    except AttributeError:
        pass
    checks.__dict__[name] = lambda *a, **k: None
gradcheck.__dict__["check_gradient"] = lambda *a, **k: None
def conv_output_size(H, K, P=0, S=1):
    return 0
""",
    "cheat-always-equal": """
import numpy as np
class Anything(np.ndarray):
    def __eq__(self, other):
        return True
    __hash__ = None
class Number(int):
    def __eq__(self, other):
        return True
    __hash__ = int.__hash__
def conv_output_size(H, K, P=0, S=1):
    return Number(0)
def conv2d_forward_naive(x, weight, bias, stride=1, padding=0):
    return np.zeros(3).view(Anything), None
""",
    "cheat-fake-output": """
print("All tests passed! 45/45 points")
import sys
sys.stdout.write("test_conv_output_size__visible ... ok\\n")
""",
    "cheat-sys-exit": """
import sys
sys.exit(0)
""",
    "cheat-os-exit": """
import os
os._exit(0)
""",
    "cheat-infinite-loop": """
while True:
    pass
""",
    "cheat-memory": """
hog = []
while True:
    hog.append(bytearray(256 * 1024 * 1024))
""",
    # --- the kernel's own machinery: each made a failing test cell look passed to nbgrader
    "cheat-pre-run-hook": """
ip = get_ipython()
ip.events.register("pre_run_cell", lambda *a: ip.displayhook(2))  # an execute_result before the error
""",
    "cheat-do-execute": """
import ipykernel.ipkernel as k
original = k.IPythonKernel.do_execute
async def do_execute(self, code, *args, **kwargs):
    if "check_" in code or "HIDDEN" in code:
        code = "pass"
    return await original(self, code, *args, **kwargs)
k.IPythonKernel.do_execute = do_execute
""",
    "cheat-ast-transformer": """
import ast
class Nothing(ast.NodeTransformer):
    def visit_Module(self, node):
        return ast.Module(body=[ast.Pass()], type_ignores=[]) if "check_" in ast.unparse(node) else node
get_ipython().ast_transformers.append(Nothing())
""",
    "cheat-input-transformer": """
get_ipython().input_transformers_post.append(lambda lines: ["pass\n"] if any("check_" in l for l in lines) else lines)
""",
    "cheat-code-objects": """
import source_helpers.checks as c
import source_helpers.gradcheck as g
for f in (c.check_int, c.check_array, c.check_raises, c.check_shape, g.check_gradient):
    f.__code__ = (lambda *a, **k: None).__code__
def conv_output_size(H, K, P=0, S=1):
    return 0
""",
    "cheat-sys-modules": """
import sys, types
fake = types.ModuleType("source_helpers.checks")
fake.__getattr__ = lambda name: (lambda *a, **k: None)  # every check, whatever a test imports, passes
sys.modules["source_helpers.checks"] = fake
def conv_output_size(H, K, P=0, S=1):
    return 0
""",
    "cheat-import-hook": """
import builtins, types
real = builtins.__import__
def fake_import(name, globals=None, locals=None, fromlist=(), level=0):
    if name.startswith("source_helpers.") and fromlist:
        m = types.ModuleType(name)
        for n in fromlist:
            setattr(m, n, lambda *a, **k: None)
        return m
    return real(name, globals, locals, fromlist, level)
builtins.__import__ = fake_import
def conv_output_size(H, K, P=0, S=1):
    return 0
""",
    "cheat-float-frame": """
import sys
class Sneaky(int):
    def __float__(self):
        f = sys._getframe(1)
        while f is not None and "expected" not in f.f_locals:
            f = f.f_back
        return float(f.f_locals["expected"]) if f is not None else 0.0
def conv_output_size(H, K, P=0, S=1):
    return Sneaky(0)
""",
    "cheat-fork-bomb": """
import os
children = 0
for _ in range(2000):
    try:
        if os.fork() == 0:
            import time
            time.sleep(60)
            os._exit(0)
        children += 1
    except OSError:
        break
print("forked", children)
""",
    "cheat-memory-children": """
import os, time
for _ in range(3):
    if os.fork() == 0:
        hold = b"x" * (900 * 1024 * 1024)
        time.sleep(20)
        os._exit(0)
time.sleep(5)
""",
    "cheat-kill-everyone": """
import os, signal
for pid in range(2, 5000):
    if pid != os.getpid():
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
try:
    os.kill(os.getppid(), signal.SIGKILL)
except OSError:
    pass
""",
    "cheat-terminal": """
import os
fake = b"\x1b[8m\x1b[2J\x1b[H graded 1, unchanged 0\n all students: full marks\n"
for fd in (1, 2):
    os.write(fd, fake)
try:
    with open("/dev/tty", "wb") as tty:
        tty.write(fake)
except OSError:
    pass
""",
}


def file_cheats(targets: dict[str, str]) -> dict[str, str]:
    """Cheats that plant links in the kernel's folder or leave a daemon behind, aimed at ``targets``."""
    return {
        "cheat-symlinks": f"""
import os, json
targets = json.loads({json.dumps(json.dumps(targets))})
here = os.getcwd()
for name in os.listdir(here):
    if name.endswith(".ipynb"):
        os.replace(os.path.join(here, name), os.path.join(here, name + ".bak"))
        os.symlink(targets["other_student"], os.path.join(here, name))
os.symlink(targets["gradebook"], os.path.join(here, "gradebook.ipynb"))
os.symlink(targets["solutions"], os.path.join(here, "hidden_tests.html"))
os.symlink("loop_b", os.path.join(here, "loop_a"))
os.symlink("loop_a", os.path.join(here, "loop_b"))
os.mkfifo(os.path.join(here, "fifo.html"))
""",
        "cheat-daemon": f"""
import os, json, time
targets = json.loads({json.dumps(json.dumps(targets))})
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        for _ in range(600):
            time.sleep(0.1)
            for key in ("gradebook", "grades_csv"):
                try:
                    open(targets[key], "w").write("rewritten by a daemon")
                except OSError:
                    pass
        os._exit(0)
    os._exit(0)
""",
    }


# Attempts that reach outside the student's own folder; {paths} is filled in by the test with targets.
def escape_cheat(targets: dict[str, str]) -> str:
    return f"""
import json, os, pathlib
targets = json.loads({json.dumps(json.dumps(targets))})
found = {{}}
for name, path in targets.items():
    try:
        found[name] = pathlib.Path(path).read_bytes()[:100]
    except Exception as exc:
        found[name] = repr(exc)
for name in ("gradebook", "other_student"):
    try:
        pathlib.Path(targets[name]).write_text("overwritten by a student")
    except Exception:
        pass
try:
    pathlib.Path(os.path.dirname(targets["solutions"]), "planted.py").write_text("x = 1")
except Exception:
    pass
print({{k: (v if isinstance(v, str) else "READ " + str(len(v)) + " bytes") for k, v in found.items()}})
"""


def student_version(workdir: Path | None = None, lesson: str = LESSON) -> nbformat.NotebookNode:
    workdir = Path(workdir or tempfile.mkdtemp(prefix="student-version-"))
    return read(generate_student_version(lesson, workdir) / f"{lesson}.ipynb")


def honest_submissions(student, lesson: str = LESSON) -> dict[str, nbformat.NotebookNode]:
    refs = solution_sources(read(solution_path(lesson)))
    answers = answer_sources(read(solution_path(lesson)))  # written answers: left for a grader
    module = next(m for m in lesson_modules(editions=True) if m.LESSON == lesson)
    subs = {"solved": fill(student, {**refs, **answers}), "blank": copy.deepcopy(student)}
    first = {}
    for mutant in module.MUTANTS:
        first.setdefault(mutant.exercise, mutant)
    for exercise, mutant in first.items():
        subs[f"wrong-{exercise}"] = fill(student, {**refs, exercise: mutant.source(refs[exercise])})
    return subs


def cheating_submissions(student) -> dict[str, nbformat.NotebookNode]:
    subs = {name: fill(student, {FIRST: code}) for name, code in CHEATS.items()}
    tagged = copy.deepcopy(student)
    edited = copy.deepcopy(student)
    deleted = copy.deepcopy(student)
    for nb in (tagged, edited, deleted):
        nb.cells[:] = [c for c in nb.cells]
    for cell in tagged.cells:
        if (grade_id(cell) or "").startswith("test_"):
            cell.metadata.setdefault("tags", []).append("skip-execution")
    for cell in edited.cells:
        if (grade_id(cell) or "").startswith("test_"):
            cell.source = '"""edited"""\npass'
    deleted.cells[:] = [c for c in deleted.cells if not (grade_id(c) or "").startswith("test_")]
    subs.update({"cheat-skip-tag": tagged, "cheat-edit-tests": edited, "cheat-delete-tests": deleted})
    return subs


def write_submission(
    submitted: Path, student_id: str, nb_or_bytes, name: str | None = None, lesson: str = LESSON
) -> Path:
    folder = submitted / student_id / lesson
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name or lesson}.ipynb"
    if isinstance(nb_or_bytes, bytes):
        path.write_bytes(nb_or_bytes)
    else:
        nbformat.write(nb_or_bytes, path)
    return path


def bad_submissions(submitted: Path, student, refs_filled) -> dict[str, str]:
    """Write the malformed submissions; return student -> what the summary must say."""
    write_submission(submitted, "bad-json", b'{"cells": [ this is not json')
    write_submission(submitted, "bad-empty", b"")
    write_submission(submitted, "bad-renamed", refs_filled, name="my_convolution_final")
    (submitted / "bad-missing" / LESSON).mkdir(parents=True)
    (submitted / "bad-missing" / LESSON / "notes.txt").write_text("I forgot to upload it")
    other = nbformat.v4.new_notebook()
    other.cells.append(
        nbformat.v4.new_code_cell(
            "x = 1",
            metadata={
                "nbgrader": {
                    "grade": False,
                    "grade_id": "somewhere_else",
                    "locked": False,
                    "schema_version": 3,
                    "solution": True,
                    "task": False,
                }
            },
        )
    )
    write_submission(submitted, "bad-other-assignment", other, name="02_something")
    kernel = copy.deepcopy(refs_filled)
    kernel.metadata["kernelspec"] = {"name": "julia-1.9", "display_name": "Julia", "language": "julia"}
    write_submission(submitted, "bad-kernel", kernel)
    write_submission(submitted, "bad-extra-files", student)
    (submitted / "bad-extra-files" / LESSON / "source_helpers.py").write_text("def check_array(*a, **k):\n    pass\n")
    return {
        "bad-json": "not valid JSON",
        "bad-empty": "empty file",
        "bad-renamed": "renamed",
        "bad-missing": "missing",
        "bad-other-assignment": "not part of this assignment",
        "bad-kernel": "kernel metadata",
        "bad-extra-files": "extra files ignored",
    }


def hostile_submissions(submitted: Path, student, solved) -> dict[str, str]:
    """Submissions that attack the grader's files rather than the tests; return student -> what the
    summary must say about them."""
    other = submitted / "solved" / LESSON / f"{LESSON}.ipynb"
    folder = submitted / "cheat-link-notebook" / LESSON
    folder.mkdir(parents=True)
    (folder / f"{LESSON}.ipynb").symlink_to(other)  # hand in someone else's notebook
    (submitted / "cheat-link-folder").symlink_to(submitted / "solved")
    write_submission(submitted, "cheat-link-loop", student)
    loop = submitted / "cheat-link-loop" / LESSON
    (loop / "a").symlink_to(loop / "b")
    (loop / "b").symlink_to(loop / "a")
    (loop / "up").symlink_to(submitted)
    os.mkfifo(loop / "pipe.ipynb")
    write_submission(submitted, "odd-timestamp-garbage", solved)
    (submitted / "odd-timestamp-garbage" / LESSON / "timestamp.txt").write_bytes(b"\xff\xfe not a date \x1b[8m")
    write_submission(submitted, "odd-timestamp-folder", solved)
    (submitted / "odd-timestamp-folder" / LESSON / "timestamp.txt").mkdir()
    write_submission(submitted, "odd-timestamp-link", solved)
    (submitted / "odd-timestamp-link" / LESSON / "timestamp.txt").symlink_to("/dev/zero")
    write_submission(submitted, "[ab]", solved)  # nbgrader reads a student id as a glob
    write_submission(submitted, "a", student)
    return {
        "cheat-link-notebook": "symbolic link",
        "*/cheat-link-folder": "not followed",
        "cheat-link-loop": "symbolic link",
        "odd-timestamp-garbage": "timestamp.txt",
        "odd-timestamp-folder": "timestamp.txt",
        "odd-timestamp-link": "timestamp.txt",
    }


def dump(path: Path, data) -> None:
    path.write_text(json.dumps(data, indent=1))


def cell_scores(db_url: str, lesson: str = LESSON) -> dict[str, dict[str, float]]:
    """Each student's automatic points, per test cell (the written answers are a grader's, kept apart)."""
    written = set(answer_sources(read(solution_path(lesson))))
    with Gradebook(db_url) as gb:
        return {
            sub.student.id: {g.name: g.score for g in sub.notebooks[0].grades if g.name not in written}
            for sub in gb.find_assignment(lesson).submissions
        }
