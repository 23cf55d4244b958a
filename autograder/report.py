"""The class report: score distributions and per-test pass rates, as CSV, PNG and one HTML page.

The test with the lowest pass rate is what the class most needs retaught; hidden tests are marked,
since students never saw them fail before grading. Automatic points (test cells) and manual points
(written answers, graded in Formgrader) are reported apart: a written answer no one has graded yet is
"awaiting manual grading", never a lost point.
"""

from __future__ import annotations

import base64
import csv
import html
from pathlib import Path

from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator


def split_points(sub, manual: dict[str, set[str]]) -> dict:
    """One submission's automatic points (got, possible) and manual points (graded so far, possible, and
    how many written answers still await a grader). ``manual``: notebook -> its manually graded cells."""
    auto = auto_max = graded = manual_max = 0.0
    awaiting = 0
    for nb in sub.notebooks:
        for g in nb.grades:
            if not g.max_score:
                continue
            if g.name in manual.get(nb.name, set()):
                manual_max += g.max_score
                if g.needs_manual_grade:
                    awaiting += 1
                else:
                    graded += g.score or 0.0
            else:
                auto += g.score or 0.0
                auto_max += g.max_score
    return dict(
        auto_score=auto, auto_max=auto_max, manual_score=graded, manual_max=manual_max, manual_awaiting=awaiting
    )


def manual_status(row: dict) -> str:
    if not row["manual_max"]:
        return "none"
    if row["manual_awaiting"]:
        return f"awaiting manual grading ({row['manual_awaiting']} answers)"
    return f"{row['manual_score']:g} / {row['manual_max']:g}"


def collect(db_url: str, assignments: list[str]) -> tuple[list[dict], list[dict]]:
    """Rows of (assignment, student, score, max_score, automatic and manual points) and of per-test pass
    rates, from the gradebook. Written answers are not tests: they are left out of the pass rates."""
    from nbgrader.api import Gradebook

    from autograder.grade_class import manual_cells

    scores, tests = [], []
    with Gradebook(db_url) as gb:
        for assignment in assignments:
            subs = [s for s in gb.find_assignment(assignment).submissions]
            manual = {nb.name: manual_cells(nb) for nb in gb.find_assignment(assignment).notebooks}
            for sub in subs:
                row = dict(
                    assignment=assignment,
                    student=sub.student.id,
                    score=sub.score,
                    max_score=sub.max_score,
                    **split_points(sub, manual),
                )
                row["manual"] = manual_status(row)
                scores.append(row)
            for notebook in gb.find_assignment(assignment).notebooks:
                for cell in notebook.grade_cells:
                    if not cell.max_score or cell.name in manual[notebook.name]:
                        continue
                    got = [gb.find_grade(cell.name, notebook.name, assignment, s.student.id).score for s in subs]
                    passed = sum(1 for g in got if g is not None and g >= cell.max_score)
                    tests.append(
                        dict(
                            assignment=assignment,
                            notebook=notebook.name,
                            test=cell.name,
                            points=cell.max_score,
                            hidden="__hidden" in cell.name,
                            submissions=len(got),
                            passed=passed,
                            pass_rate=passed / len(got) if got else 0.0,
                        )
                    )
    return scores, tests


def plot_assignment(assignment: str, scores: list[dict], tests: list[dict]) -> Figure:
    fig = Figure(figsize=(10, max(3.0, 0.28 * len(tests) + 1.2)), layout="constrained")
    ax_hist, ax_tests = fig.subplots(1, 2, width_ratios=[1, 1.4])
    values = [s["auto_score"] for s in scores]
    top = max((s["auto_max"] for s in scores), default=1) or 1
    ax_hist.hist(values, bins=min(20, max(5, len(values))), range=(0, top), color="tab:blue", edgecolor="white")
    ax_hist.set_xlabel(f"automatic points (out of {top:g}; written answers apart)")
    ax_hist.set_ylabel("students")
    ax_hist.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax_hist.set_title(f"{assignment}: {len(values)} submissions", fontsize=10)
    ordered = sorted(tests, key=lambda t: t["pass_rate"], reverse=True)
    colors = ["tab:red" if t["hidden"] else "tab:gray" for t in ordered]
    bars = ax_tests.barh([t["test"] for t in ordered], [100 * t["pass_rate"] for t in ordered], color=colors)
    ax_tests.bar_label(bars, labels=[f"{100 * t['pass_rate']:.0f}%" for t in ordered], fontsize=7, padding=2)
    ax_tests.set_xlim(0, 100)
    ax_tests.set_xlabel("% of the class passing (red: hidden tests)")
    ax_tests.tick_params(axis="y", labelsize=7)
    ax_tests.set_title("what to reteach: the shortest bars, at the top", fontsize=10)
    return fig


def write_report(db_url: str, assignments: list[str], out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    scores, tests = collect(db_url, assignments)
    for name, rows in (("scores.csv", scores), ("tests.csv", tests)):
        with (out / name).open("w", newline="") as fh:
            if rows:
                writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
                writer.writeheader()
                writer.writerows(rows)
    sections = []
    for assignment in assignments:
        mine = [t for t in tests if t["assignment"] == assignment]
        fig = plot_assignment(assignment, [s for s in scores if s["assignment"] == assignment], mine)
        png = out / f"{assignment}.png"
        fig.savefig(png, dpi=90)
        data = base64.b64encode(png.read_bytes()).decode()
        worst = sorted(mine, key=lambda t: t["pass_rate"])[:5]
        rows = "".join(
            f"<tr><td>{html.escape(t['test'])}</td><td>{'hidden' if t['hidden'] else 'visible'}</td>"
            f"<td>{100 * t['pass_rate']:.0f}%</td></tr>"
            for t in worst
        )
        points = "".join(
            f"<tr><td>{html.escape(s['student'])}</td><td>{s['auto_score']:g} / {s['auto_max']:g}</td>"
            f"<td>{html.escape(s['manual'])}</td></tr>"
            for s in scores
            if s["assignment"] == assignment
        )
        sections.append(
            f"<h2>{html.escape(assignment)}</h2><img src='data:image/png;base64,{data}'>"
            f"<h3>Least passed tests</h3><table><tr><th>test</th><th></th><th>passing</th></tr>"
            f"{rows}</table>"
            f"<h3>Points</h3><table><tr><th>student</th><th>automatic</th>"
            f"<th>manual (written answers)</th></tr>{points}</table>"
        )
    page = (
        "<!doctype html><meta charset='utf-8'><title>Class report</title><style>body{font-family:sans-serif;"
        "max-width:960px;margin:auto}img{max-width:100%}td,th{padding:2px 10px;text-align:left}</style>"
        "<h1>Class report</h1>" + "".join(sections)
    )
    (out / "index.html").write_text(page)
    return out / "index.html"
