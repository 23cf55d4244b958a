"""A class on JupyterHub, for real: local accounts (one instructor, two students, made here with useradd
and removed afterwards), nbgrader's exchange as ``make hub`` makes it, and every step of a lesson's loop run
as the account whose step it is, with the environment the hub gives that account's server
(``Classroom.user_environment``). Then the hub itself (``jupyter-config/hub/jupyterhub_config.py``, with
configurable-http-proxy): PAM logins, each server spawned as its user, the instructor's course list and
Formgrader, the students' Assignments tab and no Formgrader.

Needs root (accounts), useradd and runuser; the hub test also configurable-http-proxy (``make test``
installs it with npm when it runs as root). Skipped otherwise, saying why.
"""

from __future__ import annotations

import csv
import json
import os
import pwd
import re
import secrets
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from autograder.course import REPO
from autograder.hub import Classroom, make_exchange
from autograder.submissions import inspect_submission

BIN = Path(sys.executable).parent
LESSON = "00_start_here"  # the quickest lesson: one exercise, two test cells


def _skip_unless_accounts_can_be_made():
    if os.geteuid() != 0:
        pytest.skip("needs root: it creates throwaway accounts (useradd) and nbgrader's exchange as root")
    missing = [t for t in ("useradd", "userdel", "runuser", "chpasswd", "make") if shutil.which(t) is None]
    if missing:
        pytest.skip(f"needs {', '.join(missing)} to make and use local accounts")
    if not (REPO / ".git").exists():
        pytest.skip("needs a git checkout (the instructor's course is a copy of its tracked files)")


def course_copy(dest: Path) -> Path:
    """What an instructor's ``git clone`` gives: the tracked files, nothing ignored."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, check=True, capture_output=True).stdout
    for name in listed.decode().split("\0"):
        if name and (REPO / name).is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, dest / name)
    return dest


class Accounts:
    """Throwaway local accounts with unique names, homes under one temporary folder; removed at the end."""

    def __init__(self, base: Path):
        self.base, self.names, self.passwords = base, [], {}
        (base / "home").mkdir(mode=0o755)

    def add(self, name: str) -> Path:
        home = self.base / "home" / name
        subprocess.run(
            ["useradd", "--create-home", "--home-dir", str(home), "--shell", "/bin/bash", "--user-group", name],
            check=True,
            capture_output=True,
        )
        self.names.append(name)
        os.chmod(home, 0o700)  # Debian's useradd leaves homes readable by every user: check_accounts says so
        self.passwords[name] = secrets.token_urlsafe(12)
        subprocess.run(["chpasswd"], input=f"{name}:{self.passwords[name]}\n", text=True, check=True)
        return home

    def remove(self):
        for name in self.names:
            uid = pwd.getpwnam(name).pw_uid
            for pid in _pids_of(uid):  # anything the test started as them (a server the hub left behind)
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            subprocess.run(["userdel", name], capture_output=True)


def _pids_of(uid: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid == uid:
                    pids.append(int(entry.name))
            except OSError:
                pass
    return pids


@pytest.fixture(scope="module")
def room():
    _skip_unless_accounts_can_be_made()
    base = Path(tempfile.mkdtemp(prefix="workbook-hub-", dir="/tmp"))  # pytest's tmp_path is root's alone
    os.chmod(base, 0o755)
    accounts = Accounts(base)
    tag = secrets.token_hex(3)
    try:
        instructor, ana, ben = f"wbi{tag}", f"wbs{tag}a", f"wbs{tag}b"
        course = course_copy(accounts.add(instructor) / "cnn-workbook")
        for student in (ana, ben):
            accounts.add(student)
        subprocess.run(["chown", "-R", f"{instructor}:{instructor}", str(course)], check=True)
        room = Classroom(instructor, [ana, ben], course_id=f"cnn-{tag}", exchange=base / "exchange", course_dir=course)
        make_exchange(room.exchange, room.course_id, instructor)
        room.accounts = accounts
        room.base = base
        yield room
    finally:
        accounts.remove()
        shutil.rmtree(base, ignore_errors=True)


# The environment's Python must be one every account can run. Where it is not (this project's machines
# build .venv from a pyenv Python under /root, which is 0700), every command of the class runs in a mount
# namespace of its own where /root is an empty tmpfs holding only the folders on the way to the Python, the
# environment and the repository: nothing else of /root shows, and the machine's /root is left as it is. A
# real class installs the workbook with a Python outside /root instead (README: "A class on JupyterHub").
VIEW = """set -e
stage=$1 top=$2; shift 2
children=
while [ "$1" != -- ]; do children="$children $1"; shift; done; shift
for c in $children; do mkdir -p "$stage/$c"; mount --bind "$top/$c" "$stage/$c"; done
mount -t tmpfs -o mode=755 tmpfs "$top"
for c in $children; do mkdir "$top/$c"; mount --bind "$stage/$c" "$top/$c"; umount "$stage/$c"; done
exec "$@"
"""


def hidden_folders() -> dict[Path, list[str]]:
    """The folders other accounts cannot enter on the way to this Python, its environment and the repository,
    each with the child on that way (empty when every account can reach all three)."""
    hidden: dict[Path, list[str]] = {}
    for path in (Path(sys.base_prefix), Path(sys.prefix), REPO):
        path = path.resolve()
        for parent in reversed(path.parents):
            if parent != Path("/") and not parent.stat().st_mode & stat.S_IXOTH:
                child = path.relative_to(parent).parts[0]
                if child not in hidden.setdefault(parent, []):
                    hidden[parent].append(child)
                break
    return hidden


def shared_view(room: Classroom) -> list[str]:
    hidden = hidden_folders()
    if not hidden:
        return []
    if len(hidden) > 1 or shutil.which("unshare") is None:
        pytest.skip(
            f"this environment is inside {', '.join(map(str, hidden))}, which other accounts cannot "
            "enter (install it where all can read it, as README's class on JupyterHub says)"
        )
    ((top, children),) = hidden.items()
    stage = room.base / "stage"
    stage.mkdir(exist_ok=True)
    return [
        "unshare",
        "--mount",
        "--propagation",
        "private",
        "--",
        "sh",
        "-c",
        VIEW,
        "sh",
        str(stage),
        str(top),
        *children,
        "--",
    ]


def home(user: str) -> Path:
    return Path(pwd.getpwnam(user).pw_dir)


def as_user(
    room: Classroom, user: str, *cmd: str, cwd: Path | None = None, check: bool = True, timeout: int = 600
) -> subprocess.CompletedProcess:
    """``cmd`` run as ``user`` (runuser), with nothing of root's environment: what the user's server gives."""
    env = {
        "PATH": f"{BIN}:/usr/local/bin:/usr/bin:/bin",
        "HOME": str(home(user)),
        "USER": user,
        "LOGNAME": user,
        "LANG": "C.UTF-8",
        "SHELL": "/bin/bash",
        **room.user_environment(user),
    }
    t0 = time.perf_counter()
    done = subprocess.run(
        [*shared_view(room), "runuser", "-u", user, "--", "env", "-i", *(f"{k}={v}" for k, v in env.items()), *cmd],
        cwd=cwd or home(user),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    shown = [Path(cmd[0]).name, *(a for a in cmd[1:3] if "\n" not in a)]
    print(f"{time.perf_counter() - t0:6.1f} s  {user}: {' '.join(shown)}")  # pytest -s shows each step's time
    if check:
        assert done.returncode == 0, f"{' '.join(cmd)} as {user} failed:\n{(done.stdout + done.stderr)[-3000:]}"
    return done


def nbgrader(room: Classroom, user: str, *args: str, **kw) -> str:
    cwd = room.course_dir if user == room.instructor else home(user)
    done = as_user(room, user, str(BIN / "nbgrader"), *args, cwd=cwd, **kw)
    log = done.stdout + done.stderr
    assert "Traceback" not in log, log[-3000:]
    return log


# A student's own attempt at the one exercise, made in the student's account: Ana's is right; Ben forgets
# the biases.
WORK = """
import sys, nbformat
path, answer = sys.argv[1], sys.argv[2]
nb = nbformat.read(path, as_version=4)
cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "fc_parameter_count"]
assert len(cells) == 1 and "raise NotImplementedError()" in cells[0].source
cells[0].source = cells[0].source.replace("raise NotImplementedError()", answer)
nbformat.write(nb, path)
"""
ANSWERS = ["return n_in * n_out + n_out", "return n_in * n_out"]

# Run as one student: try to reach what is not theirs; print what happened to each attempt.
PROBE = """
import json, os, sys
out = {}
for what, path in json.loads(sys.argv[1]).items():
    try:
        if os.path.isdir(path):
            os.listdir(path)
        else:
            open(path, "rb").close()
        out[what] = "allowed"
    except PermissionError:
        out[what] = "PermissionError"
    except OSError as exc:
        out[what] = type(exc).__name__
print(json.dumps(out))
"""


def probe(room: Classroom, user: str, paths: dict[str, Path]) -> dict[str, str]:
    missing = [what for what, path in paths.items() if not path.exists()]
    assert not missing, f"nothing to probe at {missing}"  # a denial must not be a file that is not there
    done = as_user(room, user, str(BIN / "python"), "-c", PROBE, json.dumps({k: str(v) for k, v in paths.items()}))
    return json.loads(done.stdout)


@pytest.mark.slow
@pytest.mark.xdist_group("hub")
def test_a_class_releases_submits_grades_and_returns_feedback_through_the_exchange(room):
    """Instructor releases; each student fetches, works, submits; the instructor collects, runs make grade,
    releases feedback; each student fetches their own feedback, and reaches nothing of anyone else's."""
    ana, ben = room.students
    exchange = room.exchange / room.course_id
    grading = room.course_dir / "autograder" / "grading"
    assert stat.S_IMODE(room.exchange.stat().st_mode) == 0o1777 and room.exchange.stat().st_uid == 0
    assert exchange.stat().st_uid == pwd.getpwnam(room.instructor).pw_uid

    # the instructor releases the lesson
    nbgrader(room, room.instructor, "generate_assignment", LESSON, "--force")
    nbgrader(room, room.instructor, "release_assignment", LESSON, "--force")  # --force: the hub test releases too
    released = exchange / "outbound" / LESSON / f"{LESSON}.ipynb"
    assert released.is_file() and released.read_bytes() == (REPO / "lessons" / LESSON / f"{LESSON}.ipynb").read_bytes()
    assert LESSON in nbgrader(room, ana, "list")

    # each student fetches it into their home, works on it there, and submits
    for student, answer in zip(room.students, ANSWERS, strict=True):
        nbgrader(room, student, "fetch_assignment", LESSON)
        mine = home(student) / LESSON / f"{LESSON}.ipynb"
        assert mine.stat().st_uid == pwd.getpwnam(student).pw_uid
        as_user(room, student, str(BIN / "python"), "-c", WORK, str(mine), answer)
        nbgrader(room, student, "submit", LESSON)
    # a submission's folder name ends in a random string: no one can guess another's (inbound/ is unlistable)
    ana_inbound = [p for p in (exchange / "inbound").iterdir() if p.name.startswith(f"{ana}+{LESSON}+")]
    assert len(ana_inbound) == 1 and re.fullmatch(rf"{ana}\+{LESSON}\+[^+]+\+[A-Za-z0-9_-]{{12}}", ana_inbound[0].name)

    # the instructor collects, grades with make grade (in the sandbox), and releases the feedback
    nbgrader(room, room.instructor, "collect", LESSON)
    for student in room.students:
        assert (grading / "submitted" / student / LESSON / f"{LESSON}.ipynb").is_file()
    graded = as_user(
        room, room.instructor, "make", "grade", f"ARGS={LESSON} --jobs 2 --no-progress", cwd=room.course_dir
    )
    log = graded.stdout + graded.stderr
    assert "graded 2" in log and "in the sandbox" in log, log[-3000:]
    assert "extra files" not in log and "submission_secret" not in log, log[-3000:]
    scores = {row["student_id"]: float(row["score"]) for row in csv.DictReader((grading / "grades.csv").open())}
    assert scores == {ana: 2.0, ben: 0.0}, scores
    nbgrader(room, room.instructor, "release_feedback", LESSON)

    # each student fetches their own feedback, and only their own
    for student in room.students:
        nbgrader(room, student, "fetch_feedback", LESSON)
        fetched = list((home(student) / LESSON / "feedback").glob(f"*/{LESSON}.html"))
        assert len(fetched) == 1, fetched
        assert fetched[0].read_bytes() == (grading / "feedback" / student / LESSON / f"{LESSON}.html").read_bytes()
        assert fetched[0].stat().st_uid == pwd.getpwnam(student).pw_uid
    ana_feedback = next((home(ana) / LESSON / "feedback").glob(f"*/{LESSON}.html")).read_text()
    ben_feedback = next((home(ben) / LESSON / "feedback").glob(f"*/{LESSON}.html")).read_text()
    assert re.search(r"Score:\s*2(\.0)?\s*/\s*2", ana_feedback) and re.search(r"Score:\s*0(\.0)?\s*/\s*2", ben_feedback)

    # what one student must not reach of another's, nor of the instructor's: probed as each student
    for me, other in ((ben, ana), (ana, ben)):
        other_inbound = next(p for p in (exchange / "inbound").iterdir() if p.name.startswith(f"{other}+"))
        seen = probe(
            room,
            me,
            {
                "the other's home": home(other),
                "the other's working copy": home(other) / LESSON / f"{LESSON}.ipynb",
                "the other's fetched feedback": home(other) / LESSON / "feedback",
                "the exchange's inbound (every submission)": exchange / "inbound",
                "the exchange's released feedback (every student's)": exchange / "feedback",
                "the instructor's course": room.course_dir,
                "the gradebook": grading / "gradebook.db",
                "the other's collected submission": grading / "submitted" / other / LESSON / f"{LESSON}.ipynb",
                "the other's graded feedback": grading / "feedback" / other / LESSON / f"{LESSON}.html",
                "the grades": grading / "grades.csv",
                "(control) the released lesson": exchange / "outbound" / LESSON / f"{LESSON}.ipynb",
                "(control) my own feedback": home(me) / LESSON / "feedback",
            },
        )
        assert {what for what, result in seen.items() if result != "PermissionError"} == {
            "(control) the released lesson",
            "(control) my own feedback",
        }, seen
        assert seen["(control) the released lesson"] == seen["(control) my own feedback"] == "allowed", seen
        # the exchange: released lesson readable, nothing else writable or movable
        tamper = as_user(room, me, str(BIN / "python"), "-c", TAMPER, str(exchange), str(other_inbound), check=False)
        assert json.loads(tamper.stdout) == {
            "plant a file in outbound": "PermissionError",
            "rename the course's folder": "PermissionError",
            "replace the released lesson": "PermissionError",
            "list the other's submission, its name known": "allowed",
        }


TAMPER = """
import json, os, sys
from autograder.course import REPO
course, other_inbound = sys.argv[1], sys.argv[2]
out = {}
def attempt(what, action):
    try:
        action()
        out[what] = "allowed"
    except PermissionError:
        out[what] = "PermissionError"
attempt("plant a file in outbound", lambda: open(os.path.join(course, "outbound", "00_start_here", "x.py"), "w"))
attempt("rename the course's folder", lambda: os.rename(course, course + "-gone"))
attempt("replace the released lesson",
        lambda: open(os.path.join(course, "outbound", "00_start_here", "00_start_here.ipynb"), "w"))
# nbgrader makes each submission's folder 777: what hides it is its name (inbound/ cannot be listed, and the
# name ends in 12 url-safe characters nbgrader drew at random). Here the name is the test's, not the student's.
attempt("list the other's submission, its name known", lambda: os.listdir(other_inbound))
print(json.dumps(out))
"""


def test_submission_secret_is_read_not_reported_as_an_extra_file(tmp_path):
    """nbgrader submit writes submission_secret.txt beside timestamp.txt; collect brings both. make grade
    carries the secret to feedback/ (release_feedback names the feedback after it), never reports it."""
    folder = tmp_path / "submitted" / "ana" / LESSON
    folder.mkdir(parents=True)
    shutil.copy(REPO / "lessons" / LESSON / f"{LESSON}.ipynb", folder)
    (folder / "submission_secret.txt").write_text("ab12" * 32)
    seen = inspect_submission(folder, "ana", LESSON, {LESSON: set()}, {})
    assert seen.secret == "ab12" * 32 and not seen.problems, seen.problems
    (folder / "submission_secret.txt").write_text("../../not hex\n")
    seen = inspect_submission(folder, "ana", LESSON, {LESSON: set()}, {})
    assert seen.secret is None and any("submission_secret.txt" in p for p in seen.problems), seen.problems


def login(url: str, user: str, password: str):
    """A browser's session: the hub's login form (PAM), then the hub's own redirects."""
    import requests

    session = requests.Session()
    session.trust_env = False  # the hub is local: never through a proxy
    session.get(f"{url}/hub/login", timeout=30)
    answer = session.post(
        f"{url}/hub/login",
        data={"username": user, "password": password, "_xsrf": session.cookies.get("_xsrf", "")},
        allow_redirects=False,
        timeout=60,
    )
    return session, answer


def server_of(session, url: str, user: str, deadline: float = 120):
    """Start the user's server (the hub's spawn page), then wait until JupyterLab answers through the proxy."""
    session.get(f"{url}/hub/spawn/{user}", timeout=60)
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        page = session.get(f"{url}/user/{user}/lab", headers={"Accept": "text/html"}, timeout=30)
        if page.status_code == 200 and page.url.startswith(f"{url}/user/{user}/lab"):
            return
        time.sleep(1)
    raise AssertionError(f"{user}'s server did not answer in {deadline} s: last {page.status_code} {page.url}")


def get_json(session, url: str):
    answer = session.get(url, timeout=60)
    return answer.status_code, (answer.json() if answer.status_code == 200 else None)


def servers_of(uid: int) -> list[int]:
    return [pid for pid in _pids_of(uid) if b"jupyterhub-singleuser" in Path(f"/proc/{pid}/cmdline").read_bytes()]


@pytest.mark.slow
@pytest.mark.xdist_group("hub")
def test_the_hub_logs_each_account_in_and_starts_its_server_as_that_account(room):
    """make hub's JupyterHub (python -m autograder.hub, the repository's jupyterhub_config.py): PAM logins;
    each server runs as its own account; the instructor's serves the course (Formgrader in the course list);
    a student's lists the course from the exchange and has no Formgrader."""
    if shutil.which("configurable-http-proxy") is None:
        pytest.skip(
            "configurable-http-proxy is not installed (npm install -g configurable-http-proxy; "
            "make test installs it when run as root)"
        )
    pytest.importorskip("jupyterhub", reason="the hub extra is not installed: pip install -e '.[test]'")

    from tests.lab import free_port

    port, hub_port, api_port = free_port(), free_port(), free_port()
    url = f"http://127.0.0.1:{port}"
    log = (room.base / "hub.log").open("w")
    env = {**os.environ, "PATH": f"{BIN}:{os.environ.get('PATH', '/usr/bin:/bin')}"}
    hub = subprocess.Popen(
        [
            *shared_view(room),
            str(BIN / "python"),
            "-m",
            "autograder.hub",
            "--instructor",
            room.instructor,
            "--students",
            *room.students,
            "--course-id",
            room.course_id,
            "--exchange",
            str(room.exchange),
            "--course-dir",
            str(room.course_dir),
            "--state-dir",
            str(room.base / "hub"),
            "--",
            "--ip",
            "127.0.0.1",
            "--port",
            str(port),
            f"--JupyterHub.hub_port={hub_port}",
            f"--ConfigurableHTTPProxy.api_url=http://127.0.0.1:{api_port}",
        ],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    ana = room.students[0]
    uids = {user: pwd.getpwnam(user).pw_uid for user in room.users}
    try:
        import requests

        end = time.monotonic() + 90
        while True:
            assert hub.poll() is None, (room.base / "hub.log").read_text()[-3000:]
            try:
                if requests.get(f"{url}/hub/api", timeout=5, proxies={"http": None}).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert time.monotonic() < end, (room.base / "hub.log").read_text()[-3000:]
            time.sleep(1)

        _, refused = login(url, ana, "not " + room.accounts.passwords[ana])
        assert refused.status_code != 302 and "jupyterhub-session-id" not in refused.cookies

        sessions = {}
        for user in (room.instructor, ana):
            session, answer = login(url, user, room.accounts.passwords[user])
            assert answer.status_code == 302, (answer.status_code, (room.base / "hub.log").read_text()[-2000:])
            server_of(session, url, user)
            assert servers_of(uids[user]), f"no server running as {user}"
            sessions[user] = session

        # the instructor's server is the course's: Formgrader runs there and the course list names the course
        status, courses = get_json(sessions[room.instructor], f"{url}/user/{room.instructor}/formgraders")
        assert status == 200 and courses["success"], courses
        assert [(c["course_id"], c["kind"]) for c in courses["value"]] == [(room.course_id, "local")], courses
        status, _ = get_json(sessions[room.instructor], f"{url}/user/{room.instructor}/formgrader/api/status")
        assert status == 200

        # a student's server finds the course and its released lesson in the exchange (released again here, so
        # that this test stands alone); it has no Formgrader and no course list
        nbgrader(room, room.instructor, "release_assignment", LESSON, "--force")
        status, listed = get_json(sessions[ana], f"{url}/user/{ana}/courses")
        assert status == 200 and listed["success"] and room.course_id in listed["value"], listed
        status, assignments = get_json(sessions[ana], f"{url}/user/{ana}/assignments?course_id={room.course_id}")
        assert status == 200 and assignments["success"], assignments
        assert LESSON in [a["assignment_id"] for a in assignments["value"]], assignments
        for path in ("formgraders", "formgrader/api/status"):
            assert get_json(sessions[ana], f"{url}/user/{ana}/{path}")[0] == 404, path
        # nor can she reach the instructor's server
        assert sessions[ana].get(f"{url}/user/{room.instructor}/api/status", timeout=30).status_code in (403, 404)
    finally:
        hub.send_signal(signal.SIGTERM)  # the hub stops the servers it started, and its proxy
        try:
            hub.wait(timeout=60)
        except subprocess.TimeoutExpired:
            hub.kill()
        log.close()
    end = time.monotonic() + 30
    while any(servers_of(uid) for uid in uids.values()) and time.monotonic() < end:
        time.sleep(0.5)
    assert not any(servers_of(uid) for uid in uids.values()), "servers left running after the hub stopped"


def test_ci_machine_has_the_hub_proxy():
    """`make test` installs configurable-http-proxy with npm when run as root; on CI (.ci/run sets WORKBOOK_CI)
    a skipped hub test would hide the hub, so the proxy must be there."""
    if not os.environ.get("WORKBOOK_CI"):
        pytest.skip("not on CI: the hub test skips itself without configurable-http-proxy")
    assert shutil.which("configurable-http-proxy"), "make test did not install configurable-http-proxy (npm)"


def test_make_hub_says_what_stops_a_class(tmp_path):
    """Missing accounts and a missing course are named with the command that fixes them."""
    from autograder.hub import check_accounts

    room = Classroom("wb-no-such-instructor", ["wb-no-such-student"], course_dir=tmp_path / "course")
    problems = "\n".join(check_accounts(room))
    assert "no account 'wb-no-such-instructor': useradd" in problems
    assert "no account 'wb-no-such-student': useradd" in problems
    assert f"no course at {tmp_path / 'course'}" in problems


def test_each_server_gets_the_class_settings_and_students_no_formgrader(monkeypatch):
    """What the hub gives each server: the class's nbgrader config (exchange, course id) for all; for students
    the extensions' settings without Formgrader and the course list, with the Assignments tab."""
    from traitlets.config.loader import PyFileConfigLoader

    from autograder.hub import HUB_CONFIG

    room = Classroom("ann", ["bob"], course_id="c101", exchange=Path("/srv/x/exchange"), course_dir=Path("/c"))
    student, instructor = room.user_environment("bob"), room.user_environment("ann")
    assert student["JUPYTER_CONFIG_PATH"].split(os.pathsep) == [str(HUB_CONFIG / "student"), str(HUB_CONFIG)]
    assert instructor["JUPYTER_CONFIG_PATH"] == str(HUB_CONFIG) and instructor["VENV"] == sys.prefix
    assert room.notebook_dir("ann") == "/c"
    for env in (student, instructor):
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        cfg = PyFileConfigLoader("nbgrader_config.py", path=str(HUB_CONFIG)).load_config()
        assert (cfg.Exchange.root, cfg.CourseDirectory.course_id) == ("/srv/x/exchange", "c101")
    server = json.loads((HUB_CONFIG / "student" / "jupyter_server_config.json").read_text())
    extensions = server["ServerApp"]["jpserver_extensions"]
    assert extensions == {
        "nbgrader.server_extensions.formgrader": False,
        "nbgrader.server_extensions.assignment_list": True,
        "nbgrader.server_extensions.course_list": False,
        "nbgrader.server_extensions.validate_assignment": True,
    }
    lab = json.loads((HUB_CONFIG / "student" / "labconfig" / "page_config.json").read_text())["disabledExtensions"]
    assert lab["@jupyter/nbgrader:formgrader"] and "@jupyter/nbgrader:assignment-list" not in lab
