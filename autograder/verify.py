"""The trusted verifier: a submission's points, computed where the student's code cannot reach.

nbgrader grades a test cell by what the student's kernel reports, and code in that kernel can change
anything in it (hooks, the checks, NumPy). Here the test cells run in *this* process, from the source
notebook (``solutions/``), never from the submission. The submission's own cells run in a separate,
sandboxed process (``function_server``), where torch cannot be imported. Every name a test cell takes
from the student (the graded functions and answers) is a proxy: calling it sends the arguments as
plain data (``wire``, no pickle), the student's process computes, and the result comes back as plain
data that the checks, imported here before any submission is read, compare with what torch or the test
computes here. The same test cells give students their feedback in the notebook, so each case is
written once.

Order follows the source notebook: setup cells, then each solution cell as the student wrote it (with
any cells the student added after it), then its test cells. A test cell passes when it raises nothing.

Each exercise is graded on its own: once an exercise has failed one of its tests, its functions (the
names its reference binds that its tests call) are replaced by the reference's, in the student's
process, while later exercises are tested, and put back after. A wrong ``conv_output_size`` then costs
its own points, not those of every conv that calls it. A function the test cell calls itself (the
forward pass whose cache a backward test uses) is never replaced, nor is any helper that passed.

Lessons 04 and 07 use layers that earlier lessons grade (``source_helpers.stand_ins.BORROWED``); the kernel
binds torch-backed stand-ins for them. Here the student's process gets the teaching lessons' reference
layers instead, bound again before every test: whatever a student pasted, those lessons grade only what
they teach.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import io
import os
import socket
import subprocess
import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import numpy as np
from nbgrader.utils import is_grade, is_solution

from autograder import editions, sandbox, wire
from autograder.course import CELL_TIMEOUT, notebook_path

HERE = Path(__file__).resolve().parent
# Lessons whose answers are values the lecture invites students to check with torch themselves: their
# student process may import it. Everywhere else graded functions are NumPy, and torch is hidden.
TORCH_IN_STUDENT_PROCESS = {"08_self_check"}
MAX_RESTARTS = 3
_BOOT = "import sys; sys.path.insert(0, {here!r}); import function_server; function_server.main()"

# Imported before any submission is looked at: these are the functions the test cells will use.
import source_helpers.checks  # noqa: E402,F401
import source_helpers.gradcheck  # noqa: E402,F401
import source_helpers.quiz  # noqa: E402,F401


class StudentProcessError(Exception):
    """The student's process died, hung, or sent something the protocol does not allow."""


@dataclass
class Verdict:
    scores: dict[str, float] = field(default_factory=dict)  # test cell -> points earned
    max_scores: dict[str, float] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)  # test cell -> why it failed (first lines)
    notes: list[str] = field(default_factory=list)  # about the run itself
    swapped: dict[str, list[str]] = field(default_factory=dict)  # test cell -> the failed helpers replaced
    seconds: float = 0.0


def _cell_kind(cell) -> str:
    if cell.cell_type != "code":
        return "markdown"
    if is_solution(cell):
        return "solution"
    if is_grade(cell):
        return "test"
    if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id"):
        return "setup"
    return "demo"


def _grade_id(cell):
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def bound_names(sources: list[str]) -> set[str]:
    """Names bound at the top level of the reference solution cells: the student's graded API."""
    names: set[str] = set()
    for src in sources:
        try:
            tree = ast.parse(src)
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for t in targets:
                    names.update(n.id for n in ast.walk(t) if isinstance(n, ast.Name))
    return {n for n in names if not (n.startswith("__") and n.endswith("__"))}


def reference_signatures(sources: list[str]) -> tuple[dict[str, list[str]], dict[str, set[str]]]:
    """Each reference function's parameter names, and the parameters it changes in place: assigns into
    (``p[...] = …``, ``p += …``), updates (``p.update``, ``np.copyto(p, …)``), or passes to another
    reference function that changes that parameter."""
    functions: dict[str, ast.FunctionDef] = {}
    for src in sources:
        try:
            tree = ast.parse(src)
        except SyntaxError:
            continue
        functions.update({n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)})
    params = {
        name: [a.arg for a in (*f.args.posonlyargs, *f.args.args, *f.args.kwonlyargs)] for name, f in functions.items()
    }
    changed = {name: set() for name in functions}

    def root(node):
        while isinstance(node, (ast.Subscript, ast.Attribute)):
            node = node.value
        return node.id if isinstance(node, ast.Name) else None

    for name, f in functions.items():
        for node in ast.walk(f):
            targets = []
            if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
                for t in node.targets if isinstance(node, ast.Assign) else [node.target]:
                    if isinstance(t, (ast.Subscript, ast.Attribute)) or isinstance(node, ast.AugAssign):
                        targets.append(root(t))
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                if node.func.attr in ("update", "append", "extend", "fill", "sort", "setdefault", "pop", "clear"):
                    targets.append(root(node.func.value))
                elif node.func.attr == "copyto" and node.args:
                    targets.append(root(node.args[0]))
            changed[name].update(t for t in targets if t in params[name])
    for _ in range(len(functions)):  # through calls to other reference functions
        for name, f in functions.items():
            for node in ast.walk(f):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in functions:
                    callee = node.func.id
                    pairs = list(zip(params[callee], node.args, strict=False)) + [
                        (k.arg, k.value) for k in node.keywords if k.arg
                    ]
                    for p, arg in pairs:
                        if p in changed[callee] and root(arg) in params[name]:
                            changed[name].add(root(arg))
    return params, changed


_EXCEPTIONS = {
    name: obj for name, obj in vars(builtins).items() if isinstance(obj, type) and issubclass(obj, BaseException)
}


def _remote_exception(error) -> Exception:
    """The student's exception as a built-in exception here (its class never leaves its process)."""
    if type(error) is not dict:
        return StudentProcessError("malformed error reply")
    message = error.get("message")
    message = message[:2000] if type(message) is str else ""
    for name in error.get("types") or []:
        cls = _EXCEPTIONS.get(name) if type(name) is str else None
        if cls is not None and issubclass(cls, Exception):
            return cls(message)
        if cls is not None:  # SystemExit, KeyboardInterrupt: the student's, never ours
            return RuntimeError(f"your code raised {name}: {message}")
    return RuntimeError(message)


class StudentProcess:
    """One sandboxed ``function_server`` and the socket to it. Requests have deadlines; a process that
    misses one is killed."""

    def __init__(self, sandbox_spec: sandbox.Spec | None, allow_torch: bool):
        self.spec = sandbox_spec
        self.allow_torch = allow_torch
        self.proc = None
        self.sock = None

    def start(self) -> None:
        mine, theirs = socket.socketpair()
        command = [
            sys.executable,
            "-I",
            "-c",
            _BOOT.format(here=str(HERE)),
            str(theirs.fileno()),
            *(["--allow-torch"] if self.allow_torch else []),
        ]
        if self.spec is not None:
            hide = [] if self.allow_torch else sandbox.torch_folders()
            command = self.spec.wrap(
                command, expose=[HERE / "wire.py", HERE / "function_server.py"], hide=hide, keep_fds=[theirs.fileno()]
            )
        self.proc = subprocess.Popen(
            command,
            pass_fds=[theirs.fileno()],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            env=sandbox.child_environment(),
            preexec_fn=self._limits,
            cwd=str(self.spec.workdir) if self.spec is not None else None,
        )
        theirs.close()
        self.sock = mine

    def _limits(self) -> None:  # in the child, before it runs anything
        if self.spec is not None:
            sandbox.limit_current_process(self.spec)

    def stop(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None
        if self.proc is not None:
            sandbox.kill_session(self.proc)
            self.proc = None

    def request(self, header: dict, buffers: list[bytes], deadline: float):
        if self.sock is None:
            raise StudentProcessError("the student's process is not running (it died or hung earlier)")
        try:
            self.sock.settimeout(max(0.05, deadline - time.monotonic()))
            wire.send(self.sock, header, buffers)
            return wire.recv(self.sock)
        except (TimeoutError, socket.timeout):
            self.stop()
            raise TimeoutError("your code took longer than the cell's time limit") from None
        except (EOFError, OSError, wire.WireError) as exc:
            self.stop()
            raise StudentProcessError(f"the student's process ended or broke the protocol ({exc})") from None


class Session:
    """The verifier's view of one submission: the student's process and the proxies for its names."""

    def __init__(self, sandbox_spec, allow_torch: bool, wanted: set[str], cell_timeout: float):
        self.process = StudentProcess(sandbox_spec, allow_torch)
        self.wanted = wanted
        self.cell_timeout = cell_timeout
        self.history: list[tuple[str, str]] = []  # (cell label, source) run so far, replayed after a restart
        self.restarts = 0
        self.dead = False
        self.deadline = 0.0
        self.notebook_end = float("inf")  # the whole notebook's wall-clock limit
        self.namespace: dict = {}
        self.signatures: dict[str, list[str]] = {}  # reference function -> its parameter names
        self.in_place: dict[str, set[str]] = {}  # reference function -> parameters it changes in place

    def cell_deadline(self) -> float:
        return min(time.monotonic() + self.cell_timeout, self.notebook_end)

    # -- student cells
    def start(self) -> None:
        self.process.start()

    def exec_cell(self, label: str, source: str, record: bool = True) -> str | None:
        """Run a submission cell in the student's process; bind the names it changed here. Returns the
        error it raised, if any."""
        if record:
            self.history.append((label, source))
        if self.dead:
            return "the student's process is not running"
        self._revive()
        try:
            header, buffers = self.process.request(
                {"op": "exec", "cell": label, "code": source, "names": sorted(self.wanted)}, [], self.cell_deadline()
            )
        except (TimeoutError, StudentProcessError) as exc:
            if isinstance(exc, StudentProcessError):
                self.dead = True
            return str(exc)
        self._bind(header, buffers)
        if not header.get("ok"):
            return str(_remote_exception(header.get("error")))[:300]
        return None

    def _revive(self) -> None:
        """After a timeout, start a fresh student process and run its cells again (as nbgrader goes on
        after an interrupted cell)."""
        if self.process.sock is not None or self.dead:
            return
        self.restarts += 1
        if self.restarts > MAX_RESTARTS:
            self.dead = True
            return
        self.process.start()
        for label, source in self.history:
            try:
                header, buffers = self.process.request(
                    {"op": "exec", "cell": label, "code": source, "names": sorted(self.wanted)},
                    [],
                    self.cell_deadline(),
                )
            except (TimeoutError, StudentProcessError):
                self.dead = True
                return
            self._bind(header, buffers)

    def _bind(self, header: dict, buffers: list[bytes]) -> None:
        changed = header.get("changed")
        if type(changed) is not list:
            return
        decoder = wire.Decoder(buffers, handle=self.remote)
        for item in changed:
            if type(item) is not list or len(item) != 3 or item[0] not in self.wanted:
                continue
            name, kind, value = item
            try:
                self.namespace[name] = self.proxy(name) if kind == "callable" else decoder.decode(value)
            except wire.WireError:
                self.namespace.pop(name, None)

    # -- calls from test cells
    def proxy(self, name: str):
        session = self

        def student_function(*args, **kwargs):
            return session.call(name, args, kwargs)

        student_function.__name__ = student_function.__qualname__ = name
        return student_function

    def remote(self, number: int):
        return Remote(self, number)

    def _handle_number(self, value) -> int:
        """What a test sends back of the student's own objects: their number. Nothing else goes."""
        if type(value) is Remote and value.session is self:
            return value.id
        raise TypeError(f"a test cannot send a {type(value).__qualname__} to the student's process")

    def call(self, target, args, kwargs):
        if self.dead:
            raise StudentProcessError("the student's process is not running (it died or hung earlier)")
        self._revive()
        encoder = wire.Encoder(other=self._handle_number, track_refs=True)
        owners: list[str | None] = []  # for each ref: the parameter whose argument holds it
        names = self.signatures.get(target, []) if type(target) is str else []
        encoded_args = []
        for i, a in enumerate(args):
            encoded_args.append(encoder.encode(a))
            owners += [names[i] if i < len(names) else None] * (len(encoder.refs) - len(owners))
        encoded_kwargs = []
        for k, v in kwargs.items():
            encoded_kwargs.append([str(k), encoder.encode(v)])
            owners += [str(k)] * (len(encoder.refs) - len(owners))
        header = {
            "op": "call",
            "target": target if type(target) is str else {"H": target.id},
            "args": encoded_args,
            "kwargs": encoded_kwargs,
        }
        try:
            reply, buffers = self.process.request(header, encoder.buffers, self.deadline)
        except StudentProcessError:
            self.dead = True
            raise
        if not reply.get("ok"):
            raise _remote_exception(reply.get("error"))
        decoder = wire.Decoder(buffers, handle=self.remote)
        allowed = self.in_place.get(target, set()) if type(target) is str else set()
        try:
            result = decoder.decode(reply.get("result"))
            for item in reply.get("mutated") or []:
                ref, value = item
                if type(ref) is not int or not 0 <= ref < len(encoder.refs):
                    continue
                # a Generator passed in advances when drawn from, in any correct solution
                if owners[ref] not in allowed and type(encoder.refs[ref]) is not np.random.Generator:
                    # Only the state the reference solution updates in place (running statistics, an
                    # optimizer's buffers) may change: a test that computes its expected value after the
                    # call must see the inputs it made.
                    what = f"its argument {owners[ref]!r}" if owners[ref] else "one of its arguments"
                    raise AssertionError(
                        f"{target if type(target) is str else 'your function'} changed {what} "
                        "in place: graded functions must leave their inputs unchanged"
                        + (f" (only {', '.join(sorted(allowed))} may be updated in place)" if allowed else "")
                    )
                wire.update_in_place(encoder.refs[ref], decoder.decode(value))
        except (wire.WireError, TypeError, ValueError) as exc:
            raise StudentProcessError(f"the student's process sent something that is not plain data ({exc})") from None
        return result


class Remote(wire.Handle):
    """A student's object that is not plain data (a closure, an instance): it can only be called."""

    __slots__ = ("session",)

    def __init__(self, session: Session, number: int):
        super().__init__(number)
        self.session = session

    def __call__(self, *args, **kwargs):
        return self.session.call(self, args, kwargs)


def verify_notebook(
    source_nb,
    submitted_nb,
    *,
    assignment: str,
    sandbox_spec: sandbox.Spec | None,
    cell_timeout: float = CELL_TIMEOUT,
    notebook_timeout: float = 1800,
    only: set[str] | None = None,
) -> Verdict:
    """Points for each test cell of ``source_nb`` given the student's ``submitted_nb`` (only the test
    cells named in ``only``, if given)."""
    start = time.perf_counter()
    verdict = Verdict()
    source_cells = list(source_nb.cells)
    kinds = [_cell_kind(c) for c in source_cells]
    solutions = {_grade_id(c): c for c, k in zip(source_cells, kinds, strict=True) if k == "solution"}
    wanted = bound_names([c.source for c in solutions.values()])
    known_sources = {
        c.source: i for i, (c, k) in enumerate(zip(source_cells, kinds, strict=True)) if k in ("demo", "setup")
    }
    index_of_gid = {_grade_id(c): i for i, c in enumerate(source_cells) if _grade_id(c)}

    # The student's cells: their solution cells by grade id, and cells they added, each after the last
    # cell of the source it follows in the submission.
    student_solution: dict[str, str] = {}
    added: dict[int, list[str]] = {}
    anchor = -1
    for cell in submitted_nb.cells:
        if cell.cell_type != "code":
            continue
        gid = _grade_id(cell)
        if gid in index_of_gid and kinds[index_of_gid[gid]] != "demo":
            anchor = index_of_gid[gid]
            if kinds[anchor] == "solution" and gid not in student_solution:
                student_solution[gid] = cell.source
        elif cell.source in known_sources:
            anchor = known_sources[cell.source]
        elif cell.source.strip():
            added.setdefault(anchor, []).append(cell.source)

    tests_of: dict[str, list[str]] = {}
    for c, k in zip(source_cells, kinds, strict=True):
        if k == "test":
            tests_of.setdefault(exercise_of(_grade_id(c)), []).append(c.source)
    # an exercise's API: the names its reference binds that its own tests call
    api = {
        gid: bound_names([c.source]) & set().union(*(loaded_names(t) for t in tests_of.get(gid, [])))
        for gid, c in solutions.items()
    }
    failed: set[str] = set()
    session = Session(sandbox_spec, editions.english_name(assignment) in TORCH_IN_STUDENT_PROCESS, wanted, cell_timeout)
    session.notebook_end = time.monotonic() + notebook_timeout
    session.signatures, session.in_place = reference_signatures([c.source for c in solutions.values()])
    trusted: dict = {"__name__": "__main__", "__builtins__": builtins}
    env_before = {k: os.environ.get(k) for k in ("NBGRADER_EXECUTION", "WORKBOOK_LANG")}
    os.environ["NBGRADER_EXECUTION"] = "autograde"  # widgets in setup cells stay inert
    # the tests run here: their messages in the language of the student's edition, as the student saw them
    os.environ["WORKBOOK_LANG"] = editions.edition_of(assignment)
    try:
        session.start()
        borrowed = _borrowed_layers(editions.english_name(assignment))
        if borrowed:  # defined and bound from the start, as the kernel's setup binds its stand-ins
            session.exec_cell("stand-ins", "\n".join(borrowed))
        for src in added.get(-1, []):
            session.exec_cell("added", src)
        for i, (cell, kind) in enumerate(zip(source_cells, kinds, strict=True)):
            gid = _grade_id(cell)
            if kind == "setup":
                _run_trusted(cell.source, trusted)
                # the student's process gets the setup's imports, statement by statement, skipping what
                # it cannot have (torch)
                for statement in _statements(cell.source):
                    session.exec_cell(f"setup {gid}", statement)
            elif kind == "solution" and gid in student_solution:
                error = session.exec_cell(gid, student_solution[gid])
                if error and "NotImplementedError" not in error and "is not running" not in error:
                    verdict.notes.append(f"{gid}: {error.splitlines()[0][:200]}")
            elif kind == "test" and (only is None or gid in only):
                points = float(cell.metadata.nbgrader.get("points") or 0)
                verdict.max_scores[gid] = points
                exercise = exercise_of(gid)
                # Each exercise on its own: another exercise's function that failed its own tests is
                # replaced by the reference while this one is tested (unless this test calls it itself).
                swapped = sorted(
                    set().union(*(api[x] for x in failed if x != exercise and x in api)) - loaded_names(cell.source)
                )
                if swapped:
                    helpers = [
                        solutions[x].source
                        for x in sorted(failed)
                        if x != exercise and api.get(x, set()) & set(swapped)
                    ]
                    session.exec_cell("reference helpers", _swap_in(swapped, helpers))
                    verdict.swapped[gid] = swapped
                if borrowed:  # the layers an earlier lesson grades: correct ones, whatever the student pasted
                    session.exec_cell("stand-ins", borrowed[1], record=False)
                trusted.update(session.namespace)
                for name in session.wanted - set(session.namespace):
                    trusted.pop(name, None)  # not defined by the student: a NameError, as in the notebook
                session.deadline = session.cell_deadline()
                failure = _run_test(cell.source, trusted)
                if swapped:
                    session.exec_cell("the student's own helpers", _SWAP_OUT)
                    trusted.update(session.namespace)
                verdict.scores[gid] = 0.0 if failure else points
                if failure:
                    verdict.failures[gid] = failure
                    failed.add(exercise)
            for src in added.get(i, []):
                session.exec_cell("added", src)
    finally:
        session.process.stop()
        for key, value in env_before.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    if session.restarts:
        verdict.notes.append(f"the student's process was restarted {session.restarts} time(s) after a time-out")
    if session.dead:
        verdict.notes.append("the student's process died or hung; the cells after it score 0")
    verdict.seconds = time.perf_counter() - start
    return verdict


def _borrowed_layers(lesson: str) -> tuple[str, str] | None:
    """Code for the student's process of a lesson that borrows layers (``stand_ins.BORROWED``): one that
    defines them from the reference solutions of the lessons that teach them (torch is not there for the
    kernel's stand-ins), and one that binds them, run before every test. None if the lesson borrows none."""
    from source_helpers import stand_ins  # imports torch, which only two lessons need here

    layers = stand_ins.BORROWED.get(lesson)
    if not layers:
        return None
    define = ["__workbook_stand_ins = {}", "exec('import numpy as np', __workbook_stand_ins)"]
    for borrowed in layers:
        teacher = nbformat.read(notebook_path(borrowed.taught_in), as_version=4)
        sources = [c.source for c in teacher.cells if _cell_kind(c) == "solution"] + [borrowed.adapter]
        define += [f"exec(compile({src!r}, '<{borrowed.taught_in}>', 'exec'), __workbook_stand_ins)" for src in sources]
    names = sorted(name for borrowed in layers for name in borrowed.names)
    bind = f"globals().update({{n: __workbook_stand_ins[n] for n in {names!r}}})"
    return "\n".join(define), bind


def exercise_of(test_grade_id: str) -> str:
    """Test cells are named test_<exercise>__<suffix>."""
    return test_grade_id.removeprefix("test_").split("__")[0]


def loaded_names(source: str) -> set[str]:
    try:
        return {n.id for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Name)}
    except SyntaxError:
        return set()


_SWAP_OUT = """
for __name, __value in __workbook_saved.items():
    if __value is __workbook_missing:
        globals().pop(__name, None)
    else:
        globals()[__name] = __value
del __workbook_saved, __name, __value
"""


def _swap_in(names: list[str], reference_sources: list[str]) -> str:
    """Code for the student's process: define the reference cells in a copy of its namespace, keep its own
    values of ``names`` aside, and bind the reference's. ``_SWAP_OUT`` puts the student's back."""
    return (
        f"__workbook_missing = object()\n"
        f"__workbook_saved = {{n: globals().get(n, __workbook_missing) for n in {names!r}}}\n"
        f"__workbook_reference = dict(globals())\n"
        + "".join(f"exec(compile({src!r}, '<reference>', 'exec'), __workbook_reference)\n" for src in reference_sources)
        + f"globals().update({{n: __workbook_reference[n] for n in {names!r}}})\n"
        f"del __workbook_reference\n"
    )


def _statements(source: str) -> list[str]:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    return [ast.get_source_segment(source, node) or "" for node in tree.body]


@contextlib.contextmanager
def _quiet():
    with (
        contextlib.redirect_stdout(io.StringIO()),
        contextlib.redirect_stderr(io.StringIO()),
        warnings.catch_warnings(),
    ):
        warnings.simplefilter("ignore")
        yield


def _run_trusted(source: str, namespace: dict) -> None:
    with _quiet():
        exec(compile(source, "<setup>", "exec"), namespace)


def _run_test(source: str, namespace: dict) -> str | None:
    """Run a test cell of the source here; None if it passed, else the first lines of why not."""
    try:
        with _quiet():
            exec(compile(source, "<test>", "exec"), namespace)
    except Exception as exc:  # the test's verdict: any error fails the cell
        lines = str(exc).strip().splitlines() or [""]
        return f"{type(exc).__name__}: {' / '.join(line.strip() for line in lines[:3])}"[:500]
    return None
