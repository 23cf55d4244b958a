"""Notebook plumbing for the tests: read lessons, fill in solution cells, run and grade them.

Grades are always decided by nbgrader's own ``determine_grade`` (an error *or any stderr output*
scores a test cell 0), so what these tests measure is what the autograder would give.
"""

from __future__ import annotations

import copy
import os
import time
from contextlib import contextmanager
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from nbgrader.utils import determine_grade, is_grade, is_solution

from autograder.course import REPO, notebook_path


def solution_path(lesson: str) -> Path:
    return notebook_path(lesson)


def lesson_path(lesson: str) -> Path:
    return notebook_path(lesson, folder="lessons")


def read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def grade_id(cell) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def solution_sources(nb) -> dict[str, str]:
    """grade_id -> source of every code solution cell (the graded functions and answers)."""
    return {grade_id(c): c.source for c in nb.cells if is_solution(c) and c.cell_type == "code"}


def is_written(cell) -> bool:
    """A written answer: a markdown cell graded by hand (nbgrader: grade and solution, not locked)."""
    return cell.cell_type == "markdown" and is_grade(cell) and is_solution(cell)


def answer_sources(nb) -> dict[str, str]:
    """grade_id -> source of every written-answer cell (in solutions/: the example answer and rubric)."""
    return {grade_id(c): c.source for c in nb.cells if is_written(c)}


def fill(student_nb, sources: dict[str, str]):
    """A copy of the student notebook with the given solution cells' sources replaced."""
    nb = copy.deepcopy(student_nb)
    seen = set()
    for cell in nb.cells:
        gid = grade_id(cell)
        if is_solution(cell) and gid in sources:
            cell.source = sources[gid]
            seen.add(gid)
    missing = set(sources) - seen
    if missing:
        raise KeyError(f"no solution cells named {sorted(missing)}")
    return nb


def grade_cells(nb) -> list:
    return [c for c in nb.cells if c.cell_type == "code" and is_grade(c)]


def function_of(test_grade_id: str) -> str:
    """Test cells are named test_<exercise>__<suffix>."""
    return test_grade_id.removeprefix("test_").split("__")[0]


def _run_queue_seconds(pid: int | None) -> float:
    """How long process ``pid``'s main thread has waited, runnable, for a CPU (``/proc/PID/schedstat``)."""
    try:
        return int(Path(f"/proc/{pid}/schedstat").read_text().split()[1]) / 1e9
    except (OSError, ValueError, IndexError):
        return 0.0


class Kernel:
    """One live kernel that has run a notebook; code and test cells can then be re-run in it.

    ``seconds`` maps each code cell's index to how long the client waited for it (measured here, not from
    the kernel's timestamps: a wait in the client while the kernel is idle counts too); ``crowded`` to how
    much of that the kernel spent ready to run but waiting for a CPU that other processes held (Linux's
    run-queue delay; 0 elsewhere); ``started`` is how long the kernel took to start.
    """

    def __init__(
        self,
        client: NotebookClient,
        nb,
        seconds: dict[int, float] | None = None,
        started: float = 0.0,
        crowded: dict[int, float] | None = None,
    ):
        self.client, self.nb = client, nb
        self.seconds, self.started, self.crowded = dict(seconds or {}), started, dict(crowded or {})

    def own_seconds(self, index: int) -> float:
        """A cell's time less the kernel's wait for a busy machine's CPU: what the notebook itself costs."""
        return self.seconds[index] - self.crowded.get(index, 0.0)

    def slowest(self, n: int = 5) -> list[str]:
        """The ``n`` slowest cells by their own time, slowest first: seconds (and the wait for a CPU on a
        crowded machine), index and first line of each."""
        ranked = sorted(self.seconds, key=lambda i: -self.own_seconds(i))[:n]
        return [
            f"{self.own_seconds(i):6.1f} s  cell {i}: {self.nb.cells[i].source.strip().splitlines()[0][:70]!r}"
            + (f"  (+{self.crowded[i]:.0f} s waiting for a CPU)" if self.crowded.get(i, 0) >= 1 else "")
            for i in ranked
        ]

    def run(self, source: str):
        """Execute ``source``; return the executed cell (errors are recorded as outputs)."""
        cell = nbformat.v4.new_code_cell(source)
        self.nb.cells.append(cell)
        try:
            self.client.execute_cell(cell, len(self.nb.cells) - 1)
        except CellExecutionError:
            pass
        return cell

    def grade(self, test_cell) -> float:
        """Points nbgrader would give ``test_cell`` if it ran now."""
        cell = self.run(test_cell.source)
        cell.metadata["nbgrader"] = copy.deepcopy(test_cell.metadata["nbgrader"])
        points, _ = determine_grade(cell)
        return points


@contextmanager
def running(nb, timeout: int = 120, env: dict | None = None):
    """Execute every cell of ``nb`` in a fresh kernel and yield a Kernel for further runs."""
    nb = copy.deepcopy(nb)
    client = NotebookClient(
        nb, timeout=timeout, kernel_name="python3", allow_errors=True, resources={"metadata": {"path": str(REPO)}}
    )
    # the kernel runs in the repository root, not the lesson's folder: say which edition's language it speaks
    edition = nb.metadata.get("workbook", {}).get("edition", "en")
    env = {"WORKBOOK_LANG": edition, **(env or {})}
    old = {k: os.environ.get(k) for k in (env or {})}
    os.environ.update(env or {})
    seconds: dict[int, float] = {}
    crowded: dict[int, float] = {}
    try:
        start = time.perf_counter()
        with client.setup_kernel():
            started = time.perf_counter() - start
            pid = getattr(getattr(client.km, "provisioner", None), "pid", None)
            for index, cell in enumerate(nb.cells):
                if cell.cell_type == "code":
                    start, queued = time.perf_counter(), _run_queue_seconds(pid)
                    client.execute_cell(cell, index)
                    seconds[index] = time.perf_counter() - start
                    crowded[index] = _run_queue_seconds(pid) - queued
            yield Kernel(client, nb, seconds, started, crowded)
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def executed_grades(nb) -> dict[str, float]:
    """grade_id -> points nbgrader would give each test cell of an executed notebook."""
    return {grade_id(c): determine_grade(c)[0] for c in grade_cells(nb)}
