"""Execute the solution notebooks on this machine and report time, torch device and any failure.

    python -m bench.run_solutions                 # every lesson
    python -m bench.run_solutions 01_convolution --out executed/

Meant for checking the GPU path on a machine with CUDA (the test suite does the same on the CPU): every
torch comparison in the lessons then runs on ``cuda``. A notebook fails if any code cell raises or writes
to stderr (nbgrader would score such a test cell 0). Exit status 1 if any notebook fails.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from autograder.course import REPO, lesson_names


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("lessons", nargs="*")
    parser.add_argument("--out", type=Path, help="write the executed notebooks here")
    parser.add_argument("--timeout", type=int, default=300, help="seconds per cell")
    args = parser.parse_args(argv)
    lessons = args.lessons or lesson_names()
    failed = 0
    for lesson in lessons:
        nb = nbformat.read(REPO / "solutions" / lesson / f"{lesson}.ipynb", as_version=4)
        start = time.perf_counter()
        NotebookClient(
            nb,
            timeout=args.timeout,
            kernel_name="python3",
            allow_errors=True,
            resources={"metadata": {"path": str(REPO)}},
        ).execute()
        seconds = time.perf_counter() - start
        problems, notes = [], []
        for i, cell in enumerate(nb.cells):
            for out in cell.get("outputs", []):
                if out.output_type == "error":
                    problems.append(f"cell {i}: {out.ename}: {out.evalue[:300]}")
                elif out.output_type == "stream" and out.name == "stderr":
                    problems.append(f"cell {i}: stderr: {out.text[:300]!r}")
                elif out.output_type == "stream":
                    notes += [
                        line
                        for line in out.text.splitlines()
                        if "torch device" in line or "cuda" in line or "GPU" in line
                    ]
        print(f"{lesson}: {'FAILED' if problems else 'ok'} in {seconds:.1f} s")
        for line in notes + problems:
            print(f"    {line}")
        failed += bool(problems)
        if args.out:
            args.out.mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, args.out / f"{lesson}.ipynb")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
