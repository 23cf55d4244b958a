"""The Korean edition stays in step with the English one: same code cells, grade ids, points and hidden tests,
every prose cell translated, the glossary's terms used where they are taught.

The proofs that it grades the same (solved = full, blank = 0, mutants lose, alternatives full, in the kernel,
through the verifier and through nbgrader) run on both editions in test_mutants.py, test_verify.py and
test_grading.py; the mixed class in test_grade_class.py.
"""

from __future__ import annotations

import re
import shutil

import nbformat
import polib
import pytest

from autograder import editions
from autograder.course import REPO

KOREAN = [lesson for lesson in editions.english_lessons() if editions.notebook_path(lesson, "ko").exists()]


def test_every_lesson_has_a_korean_edition_in_step_with_the_english():
    assert KOREAN == editions.english_lessons(), "run `python -m autograder.editions build`"
    problems = editions.check()
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("lesson", KOREAN)
def test_cells_ids_metadata_and_code_are_the_english_ones(lesson):
    english = nbformat.read(editions.notebook_path(lesson), as_version=4)
    korean = nbformat.read(editions.notebook_path(lesson, "ko"), as_version=4)
    assert [(c.id, c.cell_type) for c in korean.cells] == [(c.id, c.cell_type) for c in english.cells]
    for e, k in zip(english.cells, korean.cells, strict=True):
        assert k.metadata == e.metadata, e.id
        if e.cell_type == "code":
            graded = bool(e.metadata.get("nbgrader", {}).get("grade") or e.metadata.get("nbgrader", {}).get("solution"))
            assert editions.code_skeleton(k.source, graded=graded) == editions.code_skeleton(e.source, graded=graded)
            if e.metadata.get("nbgrader", {}).get("grade"):
                # hidden tests and visible checks: the code, string for string (only comments may differ)
                assert _strip_comments(k.source) == _strip_comments(e.source), e.id
        else:
            assert re.search("[가-힣]", k.source) or not editions.needs_translation(e), f"{e.id} is not Korean"


def _strip_comments(source: str) -> list[str]:
    import io
    import tokenize

    return [
        t.string
        for t in tokenize.generate_tokens(io.StringIO(source).readline)
        if t.type not in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT)
        and not (t.type == tokenize.STRING and t.string.startswith(('"""', "'''")))
    ]


# ---------------------------------------------------------------------------------------------- drift is caught


@pytest.fixture
def scratch(tmp_path, monkeypatch):
    """A copy of lesson 00 in both editions, where the check can be shown failing."""
    lesson = "00_start_here"
    for name in (lesson, f"{lesson}_ko"):
        shutil.copytree(REPO / "solutions" / name, tmp_path / "solutions" / name)
    (tmp_path / "editions" / "ko").mkdir(parents=True)
    shutil.copy(editions.po_path(lesson, "ko"), tmp_path / "editions" / "ko")
    monkeypatch.setattr(editions, "SOLUTIONS", tmp_path / "solutions")
    monkeypatch.setattr(editions, "EDITIONS", tmp_path / "editions")
    monkeypatch.setattr(editions, "REPO", tmp_path)
    assert editions.check([lesson]) == []
    return lesson


def _edit_korean(lesson, change):
    path = editions.notebook_path(lesson, "ko")
    nb = nbformat.read(path, as_version=4)
    change(nb)
    path.write_text(nbformat.writes(nb) + "\n", encoding="utf-8")


def _problems(lesson):
    return "\n".join(editions.check([lesson]))


def test_a_code_cell_changed_in_the_korean_notebook_is_caught(scratch):
    def change(nb):
        cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade"))
        cell.source += "\nassert True\n"

    _edit_korean(scratch, change)
    assert "is not what" in _problems(scratch)


def test_a_missing_extra_or_reordered_cell_is_caught(scratch):
    _edit_korean(scratch, lambda nb: nb.cells.pop())
    assert "is not what" in _problems(scratch)
    editions.build(scratch)
    _edit_korean(scratch, lambda nb: nb.cells.append(nbformat.v4.new_markdown_cell("추가")))
    assert "is not what" in _problems(scratch)
    editions.build(scratch)
    _edit_korean(scratch, lambda nb: nb.cells.reverse())
    assert "is not what" in _problems(scratch)


def test_a_translation_that_changes_code_is_refused(scratch):
    po = polib.pofile(str(editions.po_path(scratch, "ko")), wrapwidth=0)
    entry = next(e for e in po if "def " in e.msgid and e.msgstr)
    entry.msgstr = entry.msgstr.replace("return", "return 1 +", 1)
    po.save()
    assert "differs from the English in more than" in _problems(scratch)


def test_an_untranslated_or_outdated_cell_is_caught(scratch):
    po = polib.pofile(str(editions.po_path(scratch, "ko")), wrapwidth=0)
    markdown = [e for e in po if "(markdown)" in e.comment][1]  # not the first cell, which changes below
    markdown.msgstr = ""
    po.save()
    assert "not translated" in _problems(scratch)
    # the English changes: update keeps the old Korean as fuzzy, and the check fails until it is revised
    path = editions.notebook_path(scratch)
    nb = nbformat.read(path, as_version=4)
    nb.cells[0].source += "\n\nOne more sentence."
    nbformat.write(nb, path)
    editions.update(scratch)
    po = polib.pofile(str(editions.po_path(scratch, "ko")), wrapwidth=0)
    first = next(e for e in po if e.msgctxt == nb.cells[0].id)
    assert "fuzzy" in first.flags and first.previous_msgid
    assert "marked fuzzy" in _problems(scratch)


# ---------------------------------------------------------------------------------------------- terminology


def glossary_terms() -> dict[str, set[str]]:
    """English lesson -> the Korean terms the glossary says it teaches (the term before any parenthesis)."""
    terms: dict[str, set[str]] = {}
    for line in (REPO / "GLOSSARY.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 5 or not re.search("[가-힣]", cells[0]) or cells[0] == "한국어":
            continue
        lessons = re.findall(r"lessons/(\d\d_[a-z0-9_]+)/", cells[-1])
        korean = re.split(r"[(,†]", cells[0])[0]
        for part in korean.split("/"):  # "높이 / 너비": both
            if re.search("[가-힣]", part):
                for lesson in lessons:
                    terms.setdefault(lesson, set()).add(part.strip())
    return terms


@pytest.mark.parametrize("lesson", KOREAN)
def test_the_glossarys_terms_appear_where_they_are_taught(lesson):
    text = " ".join(c.source for c in nbformat.read(editions.notebook_path(lesson, "ko"), as_version=4).cells)
    squeeze = re.sub(r"\s+", "", text)

    def used(term: str) -> bool:  # as written, or its words with particles between them ("필터의 개수")
        return re.sub(r"\s+", "", term) in squeeze or all(word in text for word in term.split())

    missing = sorted(t for t in glossary_terms().get(lesson, ()) if not used(t))
    assert not missing, f"{lesson}_ko never uses the glossary's terms {missing}"
