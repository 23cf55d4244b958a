"""The texts the lessons' test cells pass to the checks (labels, known mistakes, quiz feedback, case names).

Test cells are the same code in both editions, so these stay English there and ``source_helpers.i18n.shown``
translates them where a check shows them; their Korean is in ``source_helpers/locale/ko/lessons.po``.

    python -m autograder.lesson_strings          # list them
    python -m autograder.lesson_strings --po     # add the missing ones to lessons.po (empty msgstr)

An f-string becomes a template with positional fields (``f"dx (K={K})"`` -> ``"dx (K={0})"``); a text built
with ``+`` gives each literal part.
"""

from __future__ import annotations

import ast
import json
import sys
from pathlib import Path

from autograder.course import REPO

LESSONS_PO = REPO / "source_helpers" / "locale" / "ko" / "lessons.po"
# The calls whose string arguments a student sees (the checks, Mistake, calling, quiz checks).
_SHOWN_CALLS = {"Mistake", "calling", "check_gradient", "check_together"}


def _shown_call(node: ast.Call) -> bool:
    func = node.func
    name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
    return name in _SHOWN_CALLS or name.startswith("check_")


def _template(node: ast.JoinedStr) -> str:
    parts, n = [], 0
    for value in node.values:
        if isinstance(value, ast.Constant):
            parts.append(str(value.value).replace("{", "{{").replace("}", "}}"))
        else:
            parts.append("{%d}" % n)
            n += 1
    return "".join(parts)


def _texts(node, assigned: dict[str, list], seen: set[str]) -> list[str]:
    """The literal texts in an argument expression (not inside other calls, except the shown ones)."""
    if isinstance(node, ast.Constant):
        return [node.value] if isinstance(node.value, str) and node.value.strip() else []
    if isinstance(node, ast.JoinedStr):
        return [_template(node)]
    if isinstance(node, ast.Name):
        if node.id in seen:
            return []
        return [t for value in assigned.get(node.id, []) for t in _texts(value, assigned, seen | {node.id})]
    if isinstance(node, ast.Call):
        return (
            []
            if not _shown_call(node)
            else [t for a in [*node.args, *(k.value for k in node.keywords)] for t in _texts(a, assigned, seen)]
        )
    if isinstance(node, ast.Dict):  # a quiz's mistakes={wrong: "what went wrong"}: the values
        return [t for v in node.values for t in _texts(v, assigned, seen)]
    if isinstance(node, ast.Lambda):
        return []
    return [t for child in ast.iter_child_nodes(node) for t in _texts(child, assigned, seen)]


def cell_strings(source: str) -> list[str]:
    """The texts one test cell's source passes to the checks, in order of appearance."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    assigned: dict[str, list] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    assigned.setdefault(target.id, []).append(node.value)
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _shown_call(node):
            args = node.args
            if getattr(node.func, "id", getattr(node.func, "attr", "")) == "check_fingerprint":
                args = [a for i, a in enumerate(args) if i not in (1, 2)]  # the kind and the fingerprint: not shown
            for arg in [*args, *(k.value for k in node.keywords)]:
                found += [t for t in _texts(arg, assigned, set()) if t not in found]
    return found


def lesson_strings(solutions: Path | None = None) -> dict[str, list[str]]:
    """``{text: [notebook:cell, ...]}`` for every grade/test cell of the English notebooks (not ``*_ko``)."""
    found: dict[str, list[str]] = {}
    for path in sorted((solutions or REPO / "solutions").glob("*/*.ipynb")):
        if path.parent.name.endswith("_ko"):
            continue
        for cell in json.loads(path.read_text())["cells"]:
            nbgrader = cell.get("metadata", {}).get("nbgrader", {})
            if cell["cell_type"] != "code" or not nbgrader.get("grade"):
                continue
            source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            for text in cell_strings(source):
                found.setdefault(text, []).append(f"{path.stem}:{cell.get('id')}")
    return found


def main(argv: list[str]) -> int:
    strings = lesson_strings()
    if "--po" not in argv:
        for text in strings:
            print(repr(text))
        return 0
    import polib

    po = polib.pofile(str(LESSONS_PO), wrapwidth=0) if LESSONS_PO.exists() else polib.POFile(wrapwidth=0)
    po.metadata = po.metadata or {"Content-Type": "text/plain; charset=UTF-8", "Language": "ko"}
    known = {e.msgid for e in po}
    for text, where in strings.items():
        if text not in known:
            po.append(polib.POEntry(msgid=text, msgstr="", occurrences=[(w, "") for w in where[:3]]))
    po.save(str(LESSONS_PO))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
