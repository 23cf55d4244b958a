"""The sandbox a student's code runs in while it is graded, probed from inside.

Each probe is a cell run in the verifier's student process (the kernel gets the same sandbox, through
autograder/kernel_launcher.py; tests/test_grade_class.py attacks it through `make grade`). The cell sets
``result`` to what it could see or do, and the test checks that against what the sandbox promises.
"""

from __future__ import annotations

import socket
import time

import pytest

from autograder import sandbox, verify
from autograder.course import REPO

pytestmark = pytest.mark.skipif(not sandbox.available(), reason="needs bubblewrap (make test installs it)")


@pytest.fixture
def probe(tmp_path):
    """Run a cell in a sandboxed student process; return its ``result`` (and the error it raised)."""
    made = []

    def run(code: str, *, memory_mb: int = 2048, processes: int = 48, timeout: float = 30, cgroup: bool = True):
        home = tmp_path / f"home{len(made)}"
        home.mkdir()
        group = sandbox.Cgroup.create(memory_mb, processes) if cgroup else None
        spec = sandbox.Spec(workdir=home, memory_mb=memory_mb, processes=processes, cgroup=group)
        session = verify.Session(spec, False, {"result"}, timeout)
        made.append((session, group))
        session.start()
        error = session.exec_cell("probe", code)
        return session.namespace.get("result"), error

    def stop_all():
        for session, group in made:
            session.process.stop()
            if group is not None:
                group.kill()

    run.stop_all = stop_all
    yield run
    stop_all()


def test_only_the_allow_list_is_readable_and_only_its_folder_writable(probe, tmp_path):
    secret = tmp_path / "private-solutions" / "01_convolution.ipynb"  # an instructor's private copy
    secret.parent.mkdir()
    secret.write_text("hidden tests")
    targets = [
        str(secret),
        str(REPO / "solutions"),
        str(REPO / "autograder" / "grading"),
        str(REPO / "README.md"),
        "/root",
        "/home",
        "/etc/shadow",
        "/etc/hostname",
        "/work",
    ]
    result, error = probe(f"""
import os
result = {{}}
for path in {targets!r}:
    try:
        result[path] = sorted(os.listdir(path)) if os.path.isdir(path) else open(path).read()[:20]
    except OSError as exc:
        result[path] = "refused"
for path in ("/usr/evil", {str(REPO / "source_helpers" / "evil.py")!r}, "/tmp/ok", "mine.txt"):
    try:
        open(path, "w").write("x")
        result["wrote " + path] = True
    except OSError:
        result["wrote " + path] = False
""")
    assert error is None, error
    for path in targets:
        assert (
            result[path] in ("refused", [])
            or path == "/work"
            and result[path] == ["main"]
            or path in ("/root",)
            and result[path] == [".pyenv"]
        ), (path, result[path])
    assert "hidden tests" not in repr(result)
    assert result["wrote /usr/evil"] is False and result[f"wrote {REPO / 'source_helpers' / 'evil.py'}"] is False
    assert result["wrote mine.txt"] is True and result["wrote /tmp/ok"] is True
    assert not (REPO / "source_helpers" / "evil.py").exists()


def test_the_environment_is_an_allow_list(probe, monkeypatch):
    monkeypatch.setenv("GRADER_SECRET_TOKEN", "s3cret")
    result, _ = probe("import os\nresult = dict(os.environ)")
    assert "GRADER_SECRET_TOKEN" not in result and "s3cret" not in repr(result)
    allowed = set(sandbox.ENV_ALLOWED) | {"PATH", "HOME", "PYTHONNOUSERSITE", "MPLCONFIGDIR", "IPYTHONDIR", "PWD"}
    assert set(result) <= allowed, set(result) - allowed


def test_there_is_no_network(probe):
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    port = server.getsockname()[1]
    try:
        result, _ = probe(f"""
import socket
try:
    socket.create_connection(("127.0.0.1", {port}), timeout=2)
    result = "connected"
except OSError as exc:
    result = "refused"
""")
    finally:
        server.close()
    assert result == "refused"


def test_torch_cannot_be_imported(probe):
    result, _ = probe("""
try:
    import torch.nn.functional
    result = "imported"
except ImportError:
    result = "refused"
""")
    assert result == "refused"


needs_cgroup = pytest.mark.skipif(sandbox.Cgroup.create(64, 8) is None, reason="no writable cgroups here")


@needs_cgroup
def test_the_process_count_holds_for_the_whole_tree(probe):
    result, _ = probe(
        """
import os, time
result = 0
for _ in range(300):
    try:
        pid = os.fork()
    except OSError:
        break
    if pid == 0:
        time.sleep(30)
        os._exit(0)
    result += 1
""",
        processes=32,
    )
    assert 0 < result < 32


@needs_cgroup
def test_the_memory_limit_holds_for_the_whole_tree(probe):
    result, _ = probe(
        """
import os, time
children = []
for _ in range(3):
    pid = os.fork()
    if pid == 0:
        hold = b"x" * (400 * 1024 * 1024)  # touched, not just reserved
        time.sleep(3)
        os._exit(0)
    children.append(pid)
result = [os.waitpid(pid, 0)[1] for pid in children]
""",
        memory_mb=900,
        timeout=60,
    )
    assert result is not None and any(status != 0 for status in result), result


@pytest.mark.parametrize("cgroup", [False, True], ids=["pid-namespace", "cgroup"])
def test_nothing_the_student_started_outlives_it(probe, tmp_path, cgroup):
    if cgroup and sandbox.Cgroup.create(64, 8) is None:
        pytest.skip("no writable cgroups here")
    result, _ = probe(
        """
import os, time
if os.fork() == 0:          # a daemon: double fork, new session, writes forever
    os.setsid()
    if os.fork() == 0:
        while True:
            with open("beat", "a") as f:
                f.write(".")
            time.sleep(0.05)
    os._exit(0)
time.sleep(0.3)
result = os.path.getsize("beat")
""",
        cgroup=cgroup,
    )
    assert result > 0
    beat = next(tmp_path.glob("home*/beat"))
    size = beat.stat().st_size
    time.sleep(0.3)
    assert beat.stat().st_size > size  # alive while the student's process runs: the probe is real
    probe.stop_all()
    time.sleep(0.2)  # the namespace's teardown is asynchronous: a write already under way may still land
    size = beat.stat().st_size
    time.sleep(0.5)
    assert beat.stat().st_size == size, "the daemon outlived the student's process"
