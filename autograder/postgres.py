"""A PostgreSQL server of your own for the class gradebook, so that several graders can share it.

    python -m autograder.postgres start [--dir DIR] [--port PORT] [--listen ADDRESSES]
    python -m autograder.postgres stop|url [--dir DIR]
    make db                 (start; make db ARGS="stop" stops it)

``start`` creates the server in DIR the first time (Debian's ``postgresql`` package: ``initdb``, then
``pg_ctl``), starts it and prints the URL that ``make grade ARGS="... --db URL"`` takes. PostgreSQL
refuses to run as root, so as root the server runs as the ``postgres`` user the package made. The
password is random, kept in ``DIR/url`` (readable by you only); connections need it, also from
localhost. ``--listen '*'`` lets the graders' other machines in (then put this machine's name in the
URL instead of 127.0.0.1, and mind the firewall).
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from autograder.course import REPO

DEFAULT_DIR = REPO / "autograder" / "grading" / "postgres"
USER = "grader"  # the database's own user (not a system account)
DATABASE = "gradebook"


class Unavailable(RuntimeError):
    """PostgreSQL's server programs, or the user to run them as, are not on this machine."""


def binaries() -> Path:
    """The folder with initdb and pg_ctl: on PATH, else Debian's /usr/lib/postgresql/<version>/bin."""
    found = shutil.which("pg_ctl")
    if found and shutil.which("initdb"):
        return Path(found).resolve().parent
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"),
        key=lambda p: [int(n) for n in re.findall(r"\d+", p.parent.parent.name)] or [0],
    )
    if versions:
        return versions[-1].parent
    raise Unavailable("PostgreSQL's server is not installed (Debian: apt-get install postgresql)")


def _as_server() -> list[str]:
    """The command prefix that runs the server's programs: as root, the ``postgres`` user."""
    if os.geteuid() != 0:
        return []
    try:
        import pwd

        pwd.getpwnam("postgres")
    except KeyError:
        raise Unavailable("PostgreSQL refuses to run as root and there is no postgres user to run it as") from None
    if shutil.which("runuser") is None:
        raise Unavailable("running PostgreSQL as the postgres user needs runuser (util-linux)")
    return ["runuser", "-u", "postgres", "--"]


def _run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    return subprocess.run(_as_server() + cmd, capture_output=True, text=True, stdin=subprocess.DEVNULL, **kw)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _data(folder: Path) -> Path:
    return folder / "data"


def running(folder: Path) -> bool:
    return (
        _data(folder).is_dir()
        and _run([str(binaries() / "pg_ctl"), "status", "-D", str(_data(folder))]).returncode == 0
    )


def url(folder: Path = DEFAULT_DIR, database: str = DATABASE) -> str:
    """The URL of DIR's server (``postgresql://grader:PASSWORD@127.0.0.1:PORT/gradebook``)."""
    saved = (folder / "url").read_text().strip()
    return with_database(saved, database)


def with_database(base: str, database: str) -> str:
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path="/" + database))


def _init(folder: Path, port: int, listen: str, durable: bool = True) -> None:
    data = _data(folder)
    prefix = _as_server()
    folder.mkdir(parents=True, exist_ok=True)
    if prefix:  # the postgres user must reach the folder, and own the cluster and its log
        folder.chmod(0o711)
        data.mkdir(mode=0o700)
        shutil.chown(data, "postgres", "postgres")
        (folder / "server.log").touch()
        shutil.chown(folder / "server.log", "postgres", "postgres")
    password = secrets.token_urlsafe(24)
    with tempfile.NamedTemporaryFile("w", dir=folder, delete=False) as pw:  # initdb reads it; removed below
        pw.write(password + "\n")
    try:
        if prefix:
            shutil.chown(pw.name, "postgres")
        done = _run(
            [
                str(binaries() / "initdb"),
                "-D",
                str(data),
                "-U",
                USER,
                "--pwfile",
                pw.name,
                "--auth-local=scram-sha-256",
                "--auth-host=scram-sha-256",
                "--encoding=UTF8",
                "--no-instructions",
                *([] if durable else ["--no-sync"]),
            ]
        )
    finally:
        os.unlink(pw.name)
    if done.returncode:
        shutil.rmtree(data, ignore_errors=True)
        hint = (
            " (the postgres user must be able to reach it: choose a folder such as /var/tmp/gradebook)"
            if prefix and "ermission" in done.stderr
            else ""
        )
        raise RuntimeError(f"initdb failed in {data}{hint}:\n{done.stderr.strip()}")
    # TCP only (no socket file whose path could be too long), and the password from any address
    with open(data / "postgresql.conf", "a") as conf:
        conf.write(
            f"\n# autograder/postgres.py\nport = {port}\nlisten_addresses = '{listen}'\nunix_socket_directories = ''\n"
        )
        if not durable:  # a throwaway server (tests): no waiting for the disk
            conf.write("fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n")
    with open(data / "pg_hba.conf", "a") as hba:
        hba.write("host all all all scram-sha-256\n")
    saved = folder / "url"
    saved.touch(mode=0o600)
    saved.write_text(f"postgresql://{USER}:{password}@127.0.0.1:{port}/{DATABASE}\n")


def start(folder: Path = DEFAULT_DIR, port: int | None = None, listen: str = "127.0.0.1", durable: bool = True) -> str:
    """Start DIR's server (creating it the first time, with the gradebook database); return its URL."""
    folder = Path(folder).resolve()
    if not (_data(folder) / "PG_VERSION").exists():
        _init(folder, port or _free_port(), listen, durable)
    if not running(folder):
        done = _run(
            [
                str(binaries() / "pg_ctl"),
                "start",
                "-w",
                "-t",
                "60",
                "-D",
                str(_data(folder)),
                "-l",
                str(folder / "server.log"),
            ]
        )
        if done.returncode:
            log = folder / "server.log"
            log = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"pg_ctl could not start the server in {folder}:\n{done.stdout}{done.stderr}{log}")
    create_database(url(folder, "postgres"), DATABASE)
    return url(folder)


def stop(folder: Path = DEFAULT_DIR) -> None:
    folder = Path(folder).resolve()
    if running(folder):
        done = _run([str(binaries() / "pg_ctl"), "stop", "-w", "-m", "fast", "-D", str(_data(folder))])
        if done.returncode:
            raise RuntimeError(f"pg_ctl could not stop the server in {folder}:\n{done.stderr}")


def create_database(admin_url: str, name: str) -> str:
    """Create database ``name`` on the server of ``admin_url`` unless it exists; return its URL."""
    import psycopg

    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise ValueError(f"not a plain database name: {name!r}")
    with psycopg.connect(with_database(admin_url, "postgres"), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    return with_database(admin_url, name)


@contextmanager
def temporary_server():
    """A server in a fresh temporary folder, stopped and removed afterwards (for tests): yields its URL."""
    folder = Path(tempfile.mkdtemp(prefix="workbook-postgres-"))
    try:
        yield start(folder, durable=False)
    finally:
        try:
            stop(folder)
        finally:
            shutil.rmtree(folder, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("action", nargs="?", default="start", choices=["start", "stop", "url"])
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR, help=f"the server's folder (default: {DEFAULT_DIR})")
    parser.add_argument("--port", type=int, help="TCP port, the first time (default: a free one)")
    parser.add_argument(
        "--listen",
        default="127.0.0.1",
        help="addresses to listen on, the first time ('*': every interface, for other machines)",
    )
    args = parser.parse_args(argv)
    try:
        if args.action == "stop":
            stop(args.dir)
            print(f"stopped the server in {args.dir.resolve()}")
            return 0
        address = url(args.dir) if args.action == "url" else start(args.dir, args.port, args.listen)
    except (Unavailable, RuntimeError, FileNotFoundError) as exc:
        print(f"make db: {exc}", file=sys.stderr)
        return 1
    print(address)
    if args.action == "start":
        print(
            f'grade into it: make grade ARGS="<assignment> --db {address}"  (with --shard 1/2 and 2/2 on two '
            f"machines); stop it: make db ARGS=stop",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
