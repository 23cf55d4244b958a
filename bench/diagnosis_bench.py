"""How often does a failing function get a message that names its mistake? Per lesson, as shares.

    make bench-diagnosis                          # every lesson (several minutes)
    make bench-diagnosis ARGS="01_convolution --generated 4 --show 3"

For each lesson the solution notebook runs once in a kernel; then each wrong function — our hand-written
mutants (proofs/mutants/lessonNN.py) and mutants generated from the reference by one random edit
(proofs/mutants/generate.py) — replaces the reference, the exercise's test cells run again, and the first
failing cell's message is classified:

- named: the message names the mistake ("matches a known mistake"), describes the pattern of the wrong
  values or of the failing cases ("Pattern: ..."), says which gradient is wrong and which are right,
  names the call that raised in the student's code and the line that raised, or states a precise
  condition that a scalar, shape, dtype or exception check failed on;
- undiagnosed: the values differ and nothing more is said;
- internal error: an exception that did not come from our checks (from torch, NumPy, nbgrader or the
  student's own code) reached the student.

Mutants that fail nothing are listed as survivors (generated ones are often equivalent to the
reference). Nothing here asserts; tests/test_bench.py runs a small case to keep the script working.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter

from proofs.harness import function_of, grade_cells, grade_id, read, running, solution_path, solution_sources
from proofs.mutants import lesson_modules
from proofs.mutants.generate import generate

SCALAR_SIGNS = (
    "expected the integer",
    "should raise",
    "expected one of",
    "expected a number",
    "expected shape",
    "expected dtype",
    "expected a numpy.ndarray",
    "expected a numeric array",
    "(error ",
)


def classify(outputs: list) -> tuple[str, str]:
    """('named' | 'undiagnosed' | 'internal error', the message) for a failed test cell's outputs."""
    errors = [o for o in outputs if o.get("output_type") == "error"]
    if not errors:
        text = "".join(o.get("text", "") for o in outputs if o.get("name") == "stderr")
        return "internal error", f"(stderr) {text.strip()[:300]}"
    ename, evalue = errors[0]["ename"], errors[0]["evalue"]
    if ename != "AssertionError":
        return "internal error", f"{ename}: {evalue}"
    if "known mistake" in evalue or "Pattern:" in evalue:
        return "named", evalue
    if re.search(r"\n\s*at line \d+ of your ", evalue):  # the student's call that raised, and their line
        return "named", evalue
    if " wrong; " in evalue and " right." in evalue:  # a backward pass: which gradient is wrong, which are right
        return "named", evalue
    if "values differ" in evalue:
        return "undiagnosed", evalue
    if any(sign in evalue for sign in SCALAR_SIGNS) or "expected" in evalue:
        return "named", evalue
    return "undiagnosed", evalue


def run_lesson(module, generated: int) -> dict:
    nb = read(solution_path(module.LESSON))
    refs = solution_sources(nb)
    tests = grade_cells(nb)
    points = {grade_id(c): c.metadata.nbgrader["points"] for c in tests}
    wrong = [("ours", m.exercise, m.mistake, m.source(refs[m.exercise])) for m in module.MUTANTS]
    for exercise, reference in refs.items():
        wrong += [("generated", g.exercise, g.mistake, g.code) for g in generate(exercise, reference, generated)]
    results = []
    with running(nb, timeout=60, env={"NBGRADER_EXECUTION": "autograde"}) as kernel:
        kernel.client.interrupt_on_timeout = True
        for origin, exercise, mistake, code in wrong:
            kernel.run(code)
            verdict, message = "survived", ""
            for cell in tests:
                if function_of(grade_id(cell)) != exercise:
                    continue
                ran = kernel.run(cell.source)
                ran.metadata["nbgrader"] = dict(cell.metadata.nbgrader)
                from nbgrader.utils import determine_grade

                if determine_grade(ran)[0] < points[grade_id(cell)]:
                    verdict, message = classify(ran.outputs)
                    break
            kernel.run(refs[exercise])
            results.append(dict(origin=origin, exercise=exercise, mistake=mistake, verdict=verdict, message=message))
    return dict(lesson=module.LESSON, results=results)


def summarize(lesson: str, results: list[dict]) -> str:
    failing = [r for r in results if r["verdict"] != "survived"]
    counts = Counter(r["verdict"] for r in failing)
    by_origin = {o: [r for r in failing if r["origin"] == o] for o in ("ours", "generated")}
    share = lambda rs: f"{sum(r['verdict'] == 'named' for r in rs)}/{len(rs)}"  # noqa: E731
    named = counts["named"] / len(failing) if failing else 0.0
    survivors = sum(r["verdict"] == "survived" for r in results)
    return (
        f"{lesson:<30} {len(failing):>4} failing  named {100 * named:5.1f}%  (ours {share(by_origin['ours'])}, "
        f"generated {share(by_origin['generated'])})  undiagnosed {counts['undiagnosed']:>3}  "
        f"internal errors {counts['internal error']:>3}  survivors {survivors}"
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("lessons", nargs="*", help="lesson names (default: every lesson with mutants)")
    parser.add_argument("--generated", type=int, default=8, help="generated mutants per exercise")
    parser.add_argument("--show", type=int, default=0, help="print this many undiagnosed and internal messages")
    args = parser.parse_args(argv)
    modules = [m for m in lesson_modules() if not args.lessons or m.LESSON in args.lessons]
    total = Counter()
    for module in modules:
        out = run_lesson(module, args.generated)
        results = out["results"]
        print(summarize(out["lesson"], results), flush=True)
        for r in results:
            total[r["verdict"]] += 1
        shown = 0
        for r in results:
            if r["verdict"] in ("undiagnosed", "internal error") and shown < args.show:
                shown += 1
                first = r["message"].splitlines()[:4]
                print(f"    [{r['verdict']}] {r['exercise']}: {r['mistake']}\n      " + "\n      ".join(first))
    failing = sum(v for k, v in total.items() if k != "survived")
    if failing:
        print(
            f"{'all':<30} {failing:>4} failing  named {100 * total['named'] / failing:5.1f}%  "
            f"undiagnosed {total['undiagnosed']}  internal errors {total['internal error']}  "
            f"survivors {total['survived']}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
