"""Look at a submission before grading it: what is wrong with it, and what deserves a second look.

``inspect_submission`` never raises on bad input. It returns the notebooks that can be graded (under the
name the assignment expects) and a list of problems, each with a reason an instructor can act on:
invalid JSON, an empty file, a renamed or missing notebook, a notebook from another assignment, wrong
kernel metadata, extra files (never copied: a submitted ``source_helpers.py`` must not shadow the
package). ``suspicious_code`` flags solution code that touches the grading machinery, for manual review.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from autograder import safe_files


@dataclass
class Inspection:
    student: str
    assignment: str
    notebooks: dict[str, Path] = field(default_factory=dict)  # expected name -> file to grade
    contents: dict[str, bytes] = field(default_factory=dict)  # expected name -> its bytes, read once, safely
    timestamp: str | None = None  # timestamp.txt, if it is a valid one
    secret: str | None = None  # submission_secret.txt (nbgrader submit's)
    problems: list[str] = field(default_factory=list)  # reported; the student is still graded
    flags: list[str] = field(default_factory=list)  # suspicious code, for a human to look at

    @property
    def gradable(self) -> bool:
        return bool(self.notebooks)


def grade_ids(nb) -> set[str]:
    return {c.get("metadata", {}).get("nbgrader", {}).get("grade_id") for c in nb.get("cells", [])} - {None}


def _load(path: Path):
    """The notebook at ``path`` and its bytes, or a reason why it cannot be read."""
    try:
        raw = safe_files.read_bytes(path)
    except safe_files.Refused as exc:
        return None, f"not read: {exc}"
    if not raw.strip():
        return None, "empty file"
    try:
        nb = nbformat.reads(raw.decode("utf-8"), as_version=4)
    except (UnicodeDecodeError, nbformat.reader.NotJSONError) as exc:
        return None, f"not valid JSON ({exc.__class__.__name__}: {str(exc)[:80]})"
    except Exception as exc:  # nbformat raises several kinds for malformed notebooks
        return None, f"not a valid notebook ({str(exc).splitlines()[0][:100]})"
    try:
        nbformat.validate(nb)
    except Exception as exc:
        return None, f"not a valid notebook ({str(exc).splitlines()[0][:100]})"
    return (nb, raw), None


def read_timestamp(path: Path) -> tuple[str | None, str | None]:
    """A submission's timestamp.txt as nbgrader would read it, or why it is ignored."""
    from nbgrader.utils import parse_utc

    what = safe_files.kind(path)
    if what == "missing":
        return None, None
    try:
        text = safe_files.read_bytes(path, limit=200).decode("utf-8").strip()
        parse_utc(text)
    except safe_files.Refused as exc:
        return None, f"timestamp.txt ({what}): {exc}; ignored"
    except Exception:
        return None, "timestamp.txt is not a valid date and time; ignored"
    return text, None


def read_secret(path: Path) -> tuple[str | None, str | None]:
    """The submission_secret.txt that ``nbgrader submit`` writes (64 random bytes in hex), or why it is
    ignored. ``nbgrader release_feedback`` names a student's feedback in the exchange after it: without it a
    student's feedback cannot be released through the exchange."""
    what = safe_files.kind(path)
    if what == "missing":
        return None, None
    try:
        text = safe_files.read_bytes(path, limit=1024).decode("ascii")
    except (safe_files.Refused, UnicodeDecodeError) as exc:
        return None, f"submission_secret.txt ({what}): {exc}; ignored"
    if not re.fullmatch(r"[0-9a-f]{32,512}", text):
        return None, "submission_secret.txt is not one nbgrader wrote; ignored"
    return text, None


SUSPICIOUS = [
    (r"\bnp\.(allclose|isclose|array_equal|testing)\b\s*(\.\w+\s*)?=(?!=)", "rebinds a NumPy comparison"),
    (r"source_helpers", "touches source_helpers"),
    (r"sys\.modules|__class__|builtins|__builtins__|importlib", "patches the import system or builtins"),
    (r"\bos\._exit|\bsys\.exit|\bos\.kill|signal\.", "exits or kills the kernel"),
    (r"skip-execution", "mentions the skip-execution tag"),
    (r"gradebook|\.\./|/solutions|autograded|submitted", "reaches for grading files"),
    (r"def __eq__|__array_interface__|__array__", "defines comparison or array-imitation hooks"),
]


def suspicious_code(source: str) -> list[str]:
    return [why for pattern, why in SUSPICIOUS if re.search(pattern, source)]


def inspect_submission(
    folder: Path, student: str, assignment: str, expected: dict[str, set[str]], other_assignments: dict[str, set[str]]
) -> Inspection:
    """Check ``folder`` (``submitted/<student>/<assignment>``) against the assignment's notebooks.

    ``expected`` maps each notebook name of the assignment to its grade ids; ``other_assignments`` maps
    other assignments to theirs, to recognise a notebook handed in under the wrong assignment.
    """
    result = Inspection(student, assignment)
    for parent in (folder.parent, folder):
        what = safe_files.kind(parent)
        if what != "folder":
            result.problems.append(
                "no submission folder"
                if what == "missing"
                else f"the submission folder is a {what}: not followed, graded as 0"
            )
            return result
    files, refused = safe_files.walk(folder)
    for path, what in refused:
        result.problems.append(f"{path.relative_to(folder).as_posix()}: a {what}, never followed or copied")
    files = [p for p in files if ".ipynb_checkpoints" not in p.parts]
    result.timestamp, why = read_timestamp(folder / "timestamp.txt")
    if why:
        result.problems.append(why)
    result.secret, why = read_secret(folder / "submission_secret.txt")
    if why:
        result.problems.append(why)
    notebooks = [p for p in files if p.suffix == ".ipynb"]
    nbgraders = {folder / "timestamp.txt", folder / "submission_secret.txt"}  # read above, or ignored there
    extras = [p.relative_to(folder).as_posix() for p in files if p.suffix != ".ipynb" and p not in nbgraders]
    if extras:
        result.problems.append(f"extra files ignored (not copied for grading): {', '.join(extras)}")
    loaded, raw = {}, {}
    for path in notebooks:
        loaded_nb, why = _load(path)
        if why:
            result.problems.append(f"{path.name}: {why}; graded as missing")
        else:
            loaded[path], raw[path] = loaded_nb
    unclaimed = dict(loaded)
    for name, ids in expected.items():
        exact = [p for p in unclaimed if p.name == f"{name}.ipynb"]
        if exact:
            result.notebooks[name] = exact[0]
            unclaimed.pop(exact[0])
            continue
        # renamed: another notebook of this submission that carries this notebook's grade ids
        renamed = [p for p, nb in unclaimed.items() if ids and len(grade_ids(nb) & ids) >= len(ids) // 2]
        if renamed:
            result.notebooks[name] = renamed[0]
            unclaimed.pop(renamed[0])
            result.problems.append(f"{renamed[0].name}: renamed; graded as {name}.ipynb")
        elif not any(f"{name}.ipynb" == p.name for p in notebooks):
            result.problems.append(f"{name}.ipynb: missing; graded as 0")
    for path, nb in unclaimed.items():
        mine = [a for a, ids in other_assignments.items() if ids and grade_ids(nb) & ids]
        where = f"a notebook of {mine[0]}" if mine else "not part of this assignment"
        result.problems.append(f"{path.name}: {where}; not graded here")
    for name, path in result.notebooks.items():
        result.contents[name] = raw[path]
        nb = loaded[path]
        kernel = nb.metadata.get("kernelspec", {}).get("name")
        if kernel != "python3":
            result.problems.append(f"{path.name}: kernel metadata says {kernel!r}; graded with python3")
        for cell in nb.cells:
            meta = cell.get("metadata", {}).get("nbgrader", {})
            if meta.get("solution") and cell.cell_type == "code":
                for why in suspicious_code(cell.source):
                    result.flags.append(f"{name}/{meta.get('grade_id')}: {why}")
    return result
