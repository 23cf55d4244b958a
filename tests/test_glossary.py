"""GLOSSARY.md: its links resolve, every lesson links to it, and it keeps the lecture notes' key terms."""

import os
import re
from pathlib import Path

import pytest

from autograder.course import lesson_names
from proofs.harness import REPO, read

GLOSSARY = REPO / "GLOSSARY.md"
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
NOTEBOOKS = sorted(REPO.glob("solutions/*/*.ipynb")) + sorted(REPO.glob("lessons/*/*.ipynb"))

# Key Korean terms, spelled as the lecture notes (the seeds) spell them. Each must appear in a seed and in
# the glossary, so the list cannot drift from either.
SEED_TERMS = [
    "합성곱 신경망",
    "합성곱 계층",
    "필터",
    "커널",
    "특징 맵",
    "편향",
    "패딩",
    "스트라이드",
    "수용장",
    "1x1 합성곱",
    "활성화 함수",
    "풀링 계층",
    "최대 풀링",
    "맥스 풀링",
    "평균 풀링",
    "완전 연결 계층",
    "전결합층",
    "배치 정규화",
    "계층 정규화",
    "인스턴스 정규화",
    "그룹 정규화",
    "내부 공변량",
    "퓨전",
    "기울기 소실",
]

# The seeds are not part of the repository; they sit beside it (shared/seeds) or where WORKBOOK_SEEDS says.
SEEDS = Path(os.environ.get("WORKBOOK_SEEDS", REPO.parent / "shared" / "seeds"))


def test_every_relative_link_in_the_glossary_resolves():
    targets = [t for t in LINK.findall(GLOSSARY.read_text()) if not re.match(r"[a-z]+:|#", t)]
    assert targets, "no links in GLOSSARY.md"
    missing = sorted({t for t in targets if not (REPO / t.split("#")[0]).is_file()})
    assert not missing, f"GLOSSARY.md links to files that do not exist: {missing}"


def test_the_glossary_links_every_lesson():
    linked = set(LINK.findall(GLOSSARY.read_text()))
    missing = [lesson for lesson in lesson_names() if f"lessons/{lesson}/{lesson}.ipynb" not in linked]
    assert not missing, f"GLOSSARY.md has no link to {missing}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(REPO)))
def test_every_lesson_links_the_glossary_in_its_first_markdown_cell(path):
    first = next(c for c in read(path).cells if c.cell_type == "markdown")
    assert "](../../GLOSSARY.md)" in first.source, f"{path.name}: the first markdown cell must link ../../GLOSSARY.md"
    assert (path.parent / "../../GLOSSARY.md").resolve() == GLOSSARY


@pytest.mark.parametrize("term", SEED_TERMS)
def test_the_glossary_has_the_lectures_key_terms(term):
    assert term in GLOSSARY.read_text(), f"GLOSSARY.md lacks the lecture's term {term!r}"


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the lecture notes (seeds) are not beside the repository")
def test_the_key_terms_are_the_lectures_own():
    seeds = "\n".join(p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt")))
    assert seeds, f"no seed files in {SEEDS}"
    absent = [term for term in SEED_TERMS if term not in seeds]
    assert not absent, f"not in the lecture notes ({SEEDS}): {absent}"
