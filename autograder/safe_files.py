"""Read and copy files a student or a student's kernel made, without ever following a link they made.

Every path is looked at with ``lstat``; only regular files and real folders count. A symbolic link, a
FIFO, a device or a socket is reported (by the caller) and never opened, copied or written through,
and a file is opened with ``O_NOFOLLOW`` so a link swapped in after the check is refused too.
"""

from __future__ import annotations

import os
import shutil
import stat
import unicodedata
from pathlib import Path

MAX_FILE = 64 * 1024 * 1024  # a notebook larger than this is not a notebook we grade


class Refused(Exception):
    """A path that is not a regular file or folder (a link, a special file), or too large."""


def kind(path: Path) -> str:
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return "missing"
    if stat.S_ISLNK(mode):
        return "symbolic link"
    if stat.S_ISREG(mode):
        return "file"
    if stat.S_ISDIR(mode):
        return "folder"
    return "special file"


def read_bytes(path: Path, limit: int = MAX_FILE) -> bytes:
    """The bytes of a regular file, refusing links, special files and anything over ``limit``."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        raise Refused(f"cannot be opened without following a link ({exc.strerror})") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise Refused("not a regular file")
        if info.st_size > limit:
            raise Refused(f"{info.st_size} bytes (limit {limit})")
        chunks, total = [], 0
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                raise Refused(f"more than {limit} bytes")
        return b"".join(chunks)
    finally:
        os.close(fd)


def walk(folder: Path) -> tuple[list[Path], list[tuple[Path, str]]]:
    """Regular files under ``folder`` (never entering a linked folder), and everything else found there
    with what it is."""
    files, refused = [], []
    stack = [folder]
    while stack:
        current = stack.pop()
        try:
            entries = sorted(os.scandir(current), key=lambda e: e.name)
        except OSError as exc:
            refused.append((current, f"unreadable folder ({exc.strerror})"))
            continue
        for entry in entries:
            path = Path(entry.path)
            what = kind(path)
            if what == "file":
                files.append(path)
            elif what == "folder":
                stack.append(path)
            else:
                refused.append((path, what))
    return sorted(files), refused


def copy_tree(src: Path, dst: Path) -> list[str]:
    """Copy the regular files and real folders of ``src`` to a fresh ``dst``; return what was left out.

    ``dst`` is replaced; if it (or the folder it replaces) is a link, the link is removed, not followed."""
    if kind(dst) == "folder":
        shutil.rmtree(dst)
    elif kind(dst) != "missing":
        os.unlink(dst)
    dst.mkdir(parents=True)
    files, refused = walk(src)
    for path in files:
        target = dst / path.relative_to(src)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            data = read_bytes(path)
        except Refused as exc:
            refused.append((path, str(exc)))
            continue
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
    return [f"{p.relative_to(src)} ({why})" for p, why in refused]


def printable(text: str, limit: int = 300) -> str:
    """``text`` safe for the instructor's terminal: control characters (escape sequences, carriage
    returns, bidirectional overrides) shown as escapes, and cut at ``limit`` characters."""
    out = []
    for ch in str(text)[:limit]:
        category = unicodedata.category(ch)
        out.append(ch if ch == " " or category[0] not in "CZ" else ch.encode("unicode_escape").decode("ascii"))
    return "".join(out) + ("…" if len(str(text)) > limit else "")
