"""Regenerate the student versions in lessons/ from solutions/, never over a student's work.

    python -m autograder.release            # every lesson
    python -m autograder.release 01_convolution
    python -m autograder.release --check    # only report; exit 1 if lessons/ is out of date

nbgrader's own ``generate_assignment --force`` deletes ``lessons/<lesson>/`` before writing it. This
command instead generates into a scratch folder, compares, and replaces a lesson only if git says it
has no local changes (no edits, no untracked files). A student who has worked in lessons/ is told how
to keep their work and nothing is written.
"""

from __future__ import annotations

import argparse
import filecmp
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from autograder.course import LESSONS, REPO, generate_student_version, lesson_names


def _differences(generated: Path, current: Path) -> list[str]:
    if not current.exists():
        return ["(missing)"]
    cmp = filecmp.dircmp(generated, current, ignore=[".ipynb_checkpoints", "__pycache__"])
    diffs: list[str] = []

    def walk(c: filecmp.dircmp, prefix: str) -> None:
        diffs.extend(prefix + n for n in c.left_only + c.right_only + c.diff_files + c.funny_files)
        for name, sub in c.subdirs.items():
            walk(sub, f"{prefix}{name}/")

    walk(cmp, "")
    return sorted(diffs)


def local_changes(path: Path) -> list[str] | None:
    """Lines of ``git status --porcelain`` under ``path``; None when git cannot tell (no repository)."""
    try:
        out = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=all", "--", str(path)],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    return [line for line in out.splitlines() if line.strip()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("lessons", nargs="*", help="lessons to regenerate (default: all)")
    parser.add_argument("--check", action="store_true", help="report only; exit 1 if anything is out of date")
    args = parser.parse_args(argv)
    names = args.lessons or lesson_names()
    unknown = sorted(set(names) - set(lesson_names()))
    if unknown:
        parser.error(f"no such lesson in solutions/: {', '.join(unknown)}")

    status = 0
    with tempfile.TemporaryDirectory(prefix="workbook-release-") as tmp:
        for name in names:
            generated = generate_student_version(name, tmp)
            target = LESSONS / name
            diffs = _differences(generated, target)
            if not diffs:
                print(f"{name}: up to date")
                continue
            if args.check:
                print(f"{name}: OUT OF DATE ({', '.join(diffs)}); run `make lessons`")
                status = 1
                continue
            changes = local_changes(target) if target.exists() else []
            if changes is None or changes:
                why = (
                    "git cannot tell whether it holds your work"
                    if changes is None
                    else "it has local changes:\n    " + "\n    ".join(changes)
                )
                print(
                    f"{name}: NOT regenerated, because {why}\n  Keep your work first (git commit, "
                    "git stash, or copy the folder elsewhere), then run this again.",
                    file=sys.stderr,
                )
                status = 1
                continue
            if target.exists():
                shutil.rmtree(target)  # safe: git holds exactly this content
            shutil.copytree(generated, target)
            print(f"{name}: regenerated ({', '.join(diffs)})")
    return status


if __name__ == "__main__":
    sys.exit(main())
