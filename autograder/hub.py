"""A class on JupyterHub: local accounts, nbgrader's exchange and course list, one instructor's course.

    sudo make hub INSTRUCTOR=ann STUDENTS="bob carol"     # as root, on the machine the class logs in to
    # = python -m autograder.hub --instructor ann --students bob carol [--course-id ...] [--exchange ...]

Checks the accounts (they exist; their homes are private: Debian's useradd makes them readable by every
user), creates nbgrader's exchange (``make_exchange``) and starts JupyterHub with
``jupyter-config/hub/jupyterhub_config.py`` (PAM logins, each user's server started as that user). The
class is described to that file by the ``WORKBOOK_*`` variables ``Classroom.environment`` sets, and to
nbgrader in each user's server by ``Classroom.user_environment``: the tests run every nbgrader command
of the loop with the same environment.

The instructor's server serves the instructor's own copy of this repository (``--course-dir``, by default
``~INSTRUCTOR/cnn-workbook``), whose ``nbgrader_config.py`` makes it the course root: Formgrader, the
course list, ``nbgrader release_assignment``, ``collect``, ``make grade`` and ``release_feedback`` work there.
Students' servers serve their homes: nbgrader's Assignments tab (fetch, submit, fetch feedback) and the
Validate button, no Formgrader.
"""

from __future__ import annotations

import argparse
import os
import pwd
import stat
import sys
from dataclasses import dataclass, field
from pathlib import Path

from autograder.course import REPO

HUB_CONFIG = REPO / "jupyter-config" / "hub"  # jupyterhub_config.py, the class's nbgrader_config.py
STUDENT_CONFIG = HUB_CONFIG / "student"  # students' servers: no Formgrader, no course list

DEFAULT_EXCHANGE = Path("/srv/nbgrader/exchange")  # nbgrader's documented place
DEFAULT_COURSE_ID = "cnn-workbook"

# The modes nbgrader's own release_assignment and release_feedback give the course's folders in the
# exchange (nbgrader/exchange/default/release_*.py): students read outbound/, write blind into inbound/
# (setgid: submissions get the instructor's group), and reach feedback/ only by a file name made from
# their own submission's secret.
COURSE_FOLDERS = {"": 0o755, "outbound": 0o755, "inbound": 0o2733, "feedback": 0o711}


@dataclass
class Classroom:
    instructor: str
    students: list[str]
    course_id: str = DEFAULT_COURSE_ID
    exchange: Path = DEFAULT_EXCHANGE
    course_dir: Path | None = None  # the instructor's copy of the repository; default ~instructor/cnn-workbook
    hub_config: Path = field(default=HUB_CONFIG)

    def __post_init__(self):
        self.exchange = Path(self.exchange)
        if self.course_dir is None:
            self.course_dir = Path(os.path.expanduser(f"~{self.instructor}")) / "cnn-workbook"
        self.course_dir = Path(self.course_dir)

    @property
    def users(self) -> list[str]:
        return [self.instructor, *self.students]

    def environment(self) -> dict[str, str]:
        """What jupyterhub_config.py reads to know the class."""
        return {
            "WORKBOOK_INSTRUCTOR": self.instructor,
            "WORKBOOK_STUDENTS": " ".join(self.students),
            "WORKBOOK_COURSE_ID": self.course_id,
            "WORKBOOK_EXCHANGE": str(self.exchange),
            "WORKBOOK_COURSE_DIR": str(self.course_dir),
        }

    @classmethod
    def from_environment(cls, env=os.environ) -> Classroom:
        return cls(
            instructor=env["WORKBOOK_INSTRUCTOR"],
            students=env.get("WORKBOOK_STUDENTS", "").split(),
            course_id=env.get("WORKBOOK_COURSE_ID", DEFAULT_COURSE_ID),
            exchange=Path(env.get("WORKBOOK_EXCHANGE", str(DEFAULT_EXCHANGE))),
            course_dir=Path(env["WORKBOOK_COURSE_DIR"]) if env.get("WORKBOOK_COURSE_DIR") else None,
        )

    def user_environment(self, user: str) -> dict[str, str]:
        """What a user's server (and every terminal and nbgrader command in it) gets: the class's nbgrader
        settings (course id, exchange); for a student also the extensions' settings that hide Formgrader; for
        the instructor the environment that make uses in the course."""
        if user != self.instructor:
            return {
                "JUPYTER_CONFIG_PATH": os.pathsep.join(map(str, [self.hub_config / "student", self.hub_config])),
                "WORKBOOK_COURSE_ID": self.course_id,
                "WORKBOOK_EXCHANGE": str(self.exchange),
            }
        # make in the course (make grade, make lessons) uses this environment, root's, as it is
        return {
            "JUPYTER_CONFIG_PATH": str(self.hub_config),
            "WORKBOOK_COURSE_ID": self.course_id,
            "WORKBOOK_EXCHANGE": str(self.exchange),
            "VENV": sys.prefix,
            "WORKBOOK_SHARED_ENV": "1",
        }

    def notebook_dir(self, user: str) -> str:
        return str(self.course_dir) if user == self.instructor else os.path.expanduser(f"~{user}")


def make_exchange(root: Path, course_id: str, instructor: str) -> Path:
    """nbgrader's exchange for one course, made by root: ``root`` world-writable with the sticky bit
    (1777, as /tmp: nbgrader's release needs 777; the sticky bit keeps anyone but its owner from renaming
    or removing a course folder), and the course's folder made now, owned by the instructor, so that no
    one else can take the course id first. Returns the course's folder."""
    if os.geteuid() != 0:
        raise PermissionError("the exchange is made by root (run as root, or: sudo make hub ...)")
    account = pwd.getpwnam(instructor)
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    os.chown(root, 0, 0)
    os.chmod(root, 0o1777)
    course = root / course_id
    for name, mode in COURSE_FOLDERS.items():
        folder = course / name if name else course
        if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
            raise FileExistsError(f"{folder} is not a folder: remove it first")
        folder.mkdir(exist_ok=True)
        os.chown(folder, account.pw_uid, account.pw_gid)
        os.chmod(folder, mode)
    return course


def closed_folders(path: Path) -> list[Path]:
    """The folders above ``path`` that other accounts cannot enter (no o+x)."""
    return [p for p in reversed(Path(path).resolve().parents) if not p.stat().st_mode & stat.S_IXOTH]


def check_accounts(room: Classroom) -> list[str]:
    """What stops the class from working (or from keeping students' work private), in words."""
    problems = []
    for where in dict.fromkeys([Path(sys.base_prefix), Path(sys.prefix), REPO]):
        closed = closed_folders(where / "x")
        if closed:
            problems.append(
                f"{where} is inside {closed[0]}, which other accounts cannot enter: every server runs "
                "this environment, so install the workbook where all can read it (e.g. /opt, with "
                "Debian's python3)"
            )
    for user in room.users:
        try:
            home = Path(pwd.getpwnam(user).pw_dir)
        except KeyError:
            problems.append(f"no account {user!r}: useradd --create-home {user} && passwd {user}")
            continue
        if not home.is_dir():
            problems.append(f"{user}'s home {home} does not exist")
        elif stat.S_IMODE(home.stat().st_mode) & 0o077:
            problems.append(
                f"{user}'s home {home} is open to other users "
                f"(mode {oct(stat.S_IMODE(home.stat().st_mode))}): chmod 700 {home}"
            )
    if not (room.course_dir / "nbgrader_config.py").is_file():
        problems.append(
            f"no course at {room.course_dir}: as {room.instructor}, git clone this repository there "
            "(or pass --course-dir)"
        )
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--instructor", required=True, help="the instructor's account")
    parser.add_argument("--students", nargs="+", required=True, help="the students' accounts")
    parser.add_argument("--course-id", default=DEFAULT_COURSE_ID)
    parser.add_argument("--exchange", type=Path, default=DEFAULT_EXCHANGE, help="nbgrader's exchange folder")
    parser.add_argument(
        "--course-dir", type=Path, help="the instructor's copy of this repository (default: ~INSTRUCTOR/cnn-workbook)"
    )
    parser.add_argument(
        "--state-dir",
        type=Path,
        default=Path("/srv/jupyterhub"),
        help="where JupyterHub keeps its database and cookie secret",
    )
    parser.add_argument("--check", action="store_true", help="check the accounts and the course, start nothing")
    parser.add_argument(
        "jupyterhub_args",
        nargs=argparse.REMAINDER,
        help="after --: options for jupyterhub itself (--port 8000, --ip 0.0.0.0, ...)",
    )
    args = parser.parse_args(argv)
    room = Classroom(args.instructor, args.students, args.course_id, args.exchange, args.course_dir)
    problems = check_accounts(room)
    if problems:
        print("the class cannot start yet:\n  " + "\n  ".join(problems), file=sys.stderr)
        return 1
    if args.check:
        return 0
    course = make_exchange(room.exchange, room.course_id, room.instructor)
    print(f"exchange: {course} (owned by {room.instructor}); course root: {room.course_dir}")
    args.state_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(args.state_dir, 0o700)  # the hub's database and cookie secret
    os.chdir(args.state_dir)
    os.environ.update(room.environment())
    scripts = Path(sys.executable).parent
    os.environ["PATH"] = os.pathsep.join([str(scripts), os.environ.get("PATH", "/usr/bin:/bin")])
    extra = [a for a in args.jupyterhub_args if a != "--"]
    hub = [str(scripts / "jupyterhub"), "-f", str(HUB_CONFIG / "jupyterhub_config.py"), *extra]
    os.execv(hub[0], hub)


if __name__ == "__main__":
    sys.exit(main())
