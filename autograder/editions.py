"""Editions: the Korean workbook, built from the English one and a translation file per lesson.

    python -m autograder.editions update [LESSON ...]   # bring editions/ko/*.po in step with solutions/
    python -m autograder.editions build  [LESSON ...]   # write solutions/<lesson>_ko/ from the two
    python -m autograder.editions check                 # exit 1 if an edition has drifted (the suite runs it)

One source of truth: ``solutions/<lesson>/<lesson>.ipynb`` (English) holds every code cell, grade id, point
and hidden test. ``editions/ko/<lesson>.po`` holds the Korean text of each cell, in gettext's PO format (any
translation tool opens it: Poedit, Weblate, a text editor): ``msgctxt`` is the cell's id, ``msgid`` the English
source of the cell, ``msgstr`` its Korean. ``build`` writes ``solutions/<lesson>_ko/<lesson>_ko.ipynb``, an
nbgrader assignment of its own, with the same cells, ids and nbgrader metadata; only prose changes:

- a markdown cell takes its ``msgstr`` whole (links to other lessons are pointed at their Korean edition);
- a code cell takes its ``msgstr`` when it has one, which may change only comments and docstrings, and, in
  cells that are neither graded nor tests, the text of string literals (what a demo prints). ``check``
  compares the code with those removed, and nbgrader's solution and hidden-test markers line by line.

When the English text of a cell changes, ``update`` keeps the old Korean as *fuzzy* (gettext's word for "needs
review") with the old English beside it (``#| msgid``), as gettext's msgmerge does; ``build`` then uses the
English cell, and ``check`` fails until a translator has revised it and removed the fuzzy flag.
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat
import polib

from autograder.course import REPO, SOLUTIONS, lesson_names

EDITIONS = REPO / "editions"
LANGUAGES = ("ko",)
# nbgrader's markers are comments, but nbgrader reads them: they must stay exactly as in the English cell.
_MARKER = re.compile(r"^\s*###\s*(BEGIN|END)\s+(SOLUTION|HIDDEN TESTS)\s*$", re.MULTILINE)
_WORDS = re.compile(r"[A-Za-z]{3,}")


def english_lessons() -> list[str]:
    """The English lessons, the source of every edition."""
    return [name for name in lesson_names(SOLUTIONS) if edition_of(name) == "en"]


def edition_of(assignment: str) -> str:
    """``"ko"`` for ``01_convolution_ko``, ``"en"`` for ``01_convolution``."""
    for lang in LANGUAGES:
        if assignment.endswith("_" + lang):
            return lang
    return "en"


def english_name(assignment: str) -> str:
    """The English lesson an assignment of any edition is built from (``01_convolution_ko`` → ``01_convolution``)."""
    lang = edition_of(assignment)
    return assignment if lang == "en" else assignment[: -len(lang) - 1]


def edition_name(lesson: str, lang: str) -> str:
    return lesson if lang == "en" else f"{lesson}_{lang}"


def po_path(lesson: str, lang: str) -> Path:
    return EDITIONS / lang / f"{lesson}.po"


def notebook_path(lesson: str, lang: str = "en") -> Path:
    name = edition_name(lesson, lang)
    return SOLUTIONS / name / f"{name}.ipynb"


# ---------------------------------------------------------------------------------------------------------
# What may differ in a code cell


def _python(source: str) -> str:
    """A cell's source as plain Python (IPython's magics and shell escapes turned into calls)."""
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager().transform_cell(source)


def code_skeleton(source: str, *, graded: bool) -> str:
    """The code of a cell with comments and docstrings removed, and (in cells that are not graded) every string
    literal blanked: two editions of a code cell must have the same skeleton."""
    tree = ast.parse(_python(source))
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (
            isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
            and body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)
        ):
            body[0].value.value = "<docstring>"
        if not graded and isinstance(node, ast.Constant) and isinstance(node.value, str):
            node.value = "<text>"
    return ast.dump(tree, include_attributes=False)


def _is_graded(cell) -> bool:
    meta = cell.metadata.get("nbgrader", {})
    return bool(meta.get("solution") or meta.get("grade") or meta.get("task"))


def needs_translation(cell) -> bool:
    """Whether a cell has English prose a reader sees: any markdown cell with words; a code cell whose comments
    or docstrings have them, or, in a cell neither graded nor a test, its printed and plotted strings (nbgrader's
    markers and linter pragmas are not prose)."""
    if cell.cell_type == "markdown":
        return bool(_WORDS.search(cell.source))
    if cell.cell_type != "code":
        return False
    prose = []
    for line in cell.source.splitlines():
        if _MARKER.match(line):
            continue
        if "#" in line:
            comment = line[line.index("#") :]
            comment = re.sub(r"#\s*(noqa|type:|fmt:|pragma)[^#]*", "", comment)
            prose.append(comment)
    try:
        tree = ast.parse(_python(cell.source))
    except SyntaxError:
        tree = None
    if tree is not None:
        for node in ast.walk(tree):
            doc = (
                ast.get_docstring(node, clean=False)
                if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                else None
            )
            if doc:
                prose.append(doc)
            # what a demo cell prints or plots: a string with words in it ("training loss (smoothed)")
            if (
                not _is_graded(cell)
                and isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and len(_WORDS.findall(node.value)) >= 2
                and " " in node.value.strip()
            ):
                prose.append(node.value)
    return len(_WORDS.findall(" ".join(prose))) >= 2


# ---------------------------------------------------------------------------------------------------------
# The translation file


def update(lesson: str, lang: str = "ko") -> polib.POFile:
    """Bring ``editions/<lang>/<lesson>.po`` in step with the English notebook, as msgmerge would: one entry per
    cell (in the notebook's order), a changed English cell keeps its old translation as fuzzy."""
    nb = nbformat.read(notebook_path(lesson), as_version=4)
    path = po_path(lesson, lang)
    old = polib.pofile(str(path), wrapwidth=0) if path.exists() else None
    po = polib.POFile(wrapwidth=0)
    po.metadata = (old.metadata if old else None) or {
        "Project-Id-Version": f"cnn-workbook {lesson}",
        "Language": lang,
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
    }
    previous = {e.msgctxt: e for e in old} if old else {}
    for index, cell in enumerate(nb.cells):
        if not needs_translation(cell):
            continue
        entry = polib.POEntry(msgctxt=cell.id, msgid=cell.source, msgstr="", comment=f"cell {index} ({cell.cell_type})")
        before = previous.get(cell.id)
        if before is not None and before.msgstr:
            entry.msgstr = before.msgstr
            if before.msgid != cell.source:
                entry.flags.append("fuzzy")
                entry.previous_msgid = (
                    before.previous_msgid if "fuzzy" in before.flags and before.previous_msgid else before.msgid
                )
            elif "fuzzy" in before.flags:
                entry.flags.append("fuzzy")
                entry.previous_msgid = before.previous_msgid
        po.append(entry)
    path.parent.mkdir(parents=True, exist_ok=True)
    po.save(str(path))
    return po


def _localize_links(text: str, lang: str) -> str:
    """Point links to another lesson (``../04_lenet5/04_lenet5.ipynb``) at that lesson's edition."""

    def localize(m: re.Match) -> str:
        name = m.group(2)
        return m.group(0) if edition_of(name) != "en" else f"{m.group(1)}{name}_{lang}/{name}_{lang}.ipynb"

    return re.sub(r"(\.\./|lessons/|solutions/)(\d\d_[a-z0-9_]+)/\2\.ipynb", localize, text)


@dataclass
class Built:
    notebook: nbformat.NotebookNode
    problems: list[str]


def build_notebook(lesson: str, lang: str = "ko") -> Built:
    """The ``lang`` edition of ``lesson`` in memory, and what is wrong with its translation (untranslated, fuzzy
    or code-changing cells: those cells stay English)."""
    nb = nbformat.read(notebook_path(lesson), as_version=4)
    path = po_path(lesson, lang)
    po = polib.pofile(str(path), wrapwidth=0) if path.exists() else []
    entries = {e.msgctxt: e for e in po}
    problems: list[str] = []
    if not path.exists():
        problems.append(f"{path.relative_to(REPO)} is missing: run `python -m autograder.editions update {lesson}`")
    for index, cell in enumerate(nb.cells):
        where = f"{lesson} cell {index} ({cell.id}, {cell.cell_type})"
        entry = entries.get(cell.id)
        if entry is None or not entry.msgstr:
            if needs_translation(cell):
                problems.append(f"{where}: not translated")
            continue
        if entry.msgid != cell.source:
            problems.append(f"{where}: the English changed since it was translated (run update, then revise it)")
            continue
        if "fuzzy" in entry.flags:
            problems.append(f"{where}: marked fuzzy (revise the translation, then remove the flag)")
            continue
        text = entry.msgstr
        if _markers(cell.source) != _markers(text):  # written answers are markdown with nbgrader's markers
            problems.append(
                f"{where}: nbgrader's BEGIN/END lines ({', '.join(_markers(cell.source))}) must stay "
                "exactly as in the English cell"
            )
            continue
        if cell.cell_type == "code":
            why = code_difference(cell.source, text, graded=_is_graded(cell))
            if why:
                problems.append(f"{where}: {why}")
                continue
        else:
            text = _localize_links(text, lang)
        cell.source = text
    nb.metadata["workbook"] = {
        "edition": lang,
        "built_from": f"solutions/{lesson}/{lesson}.ipynb and editions/{lang}/{lesson}.po",
        "note": "generated by `python -m autograder.editions build`: edit those two files, not this one",
    }
    return Built(nb, problems)


def _markers(text: str) -> list[str]:
    return [m.group(0).strip() for m in _MARKER.finditer(text)]


def code_difference(english: str, translated: str, *, graded: bool) -> str | None:
    """Why ``translated`` is not the same code as ``english`` (None when only prose differs)."""
    if _markers(english) != _markers(translated):
        return "nbgrader's BEGIN/END markers differ from the English cell"
    try:
        same = code_skeleton(english, graded=graded) == code_skeleton(translated, graded=graded)
    except SyntaxError as err:
        return f"the translated code does not parse ({err.msg}, line {err.lineno})"
    if not same:
        what = "comments and docstrings" if graded else "comments, docstrings and string literals"
        return f"the translated code differs from the English in more than {what}"
    return None


def build(lesson: str, lang: str = "ko") -> list[str]:
    """Write ``solutions/<lesson>_<lang>/``; returns the translation's problems (cells left in English)."""
    built = build_notebook(lesson, lang)
    target = notebook_path(lesson, lang)
    target.parent.mkdir(parents=True, exist_ok=True)
    text = nbformat.writes(built.notebook) + "\n"
    if not target.exists() or target.read_text(encoding="utf-8") != text:
        target.write_text(text, encoding="utf-8")
    return built.problems


def check(lessons: list[str] | None = None, lang: str = "ko") -> list[str]:
    """Every way the ``lang`` edition has drifted from the English: translation problems, and a committed
    edition notebook that is not what ``build`` writes (same cells, order, ids, metadata and code)."""
    problems: list[str] = []
    for lesson in lessons or english_lessons():
        built = build_notebook(lesson, lang)
        problems += built.problems
        target = notebook_path(lesson, lang)
        if not target.exists():
            problems.append(f"{target.relative_to(REPO)} is missing: run `python -m autograder.editions build`")
        elif target.read_text(encoding="utf-8") != nbformat.writes(built.notebook) + "\n":
            problems.append(
                f"{target.relative_to(REPO)} is not what `python -m autograder.editions build` writes "
                "(edited by hand, or not rebuilt after a change)"
            )
    stray = sorted(
        p.name
        for p in SOLUTIONS.iterdir()
        if p.is_dir() and edition_of(p.name) == lang and english_name(p.name) not in english_lessons()
    )
    problems += [f"solutions/{name} has no English lesson" for name in stray]
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["update", "build", "check"])
    parser.add_argument("lessons", nargs="*", help="English lesson names (default: all)")
    parser.add_argument("--lang", default="ko", choices=LANGUAGES)
    args = parser.parse_args(argv)
    lessons = args.lessons or english_lessons()
    unknown = sorted(set(lessons) - set(english_lessons()))
    if unknown:
        parser.error(f"no such English lesson in solutions/: {', '.join(unknown)}")
    if args.command == "update":
        for lesson in lessons:
            po = update(lesson, args.lang)
            print(
                f"{po_path(lesson, args.lang).relative_to(REPO)}: {len(po)} cells, "
                f"{len(po.untranslated_entries())} untranslated, {len(po.fuzzy_entries())} fuzzy"
            )
        return 0
    if args.command == "build":
        problems = [p for lesson in lessons for p in build(lesson, args.lang)]
    else:
        problems = check(lessons, args.lang)
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems and args.command == "check" else 0


if __name__ == "__main__":
    sys.exit(main())
