"""Lesson 08 (the quiz): three or more wrong answers per question, and every answer in an equivalent form.

The answers are data, kept in lesson08_answers.toml beside this file.
"""

import tomllib
from pathlib import Path

from . import Alternative, Mutant

LESSON = "08_self_check"
# Each question is its own cell with its own tests (tests/test_quiz.py proves a wrong answer costs only its
# own points), so the verifier's proof may send one wrong answer to every question in the same submission.
EXERCISES_INDEPENDENT = True

_ANSWERS = tomllib.loads((Path(__file__).with_name("lesson08_answers.toml")).read_text(encoding="utf-8"))

# question -> [(wrong answer as code, the mistake it stands for)]
WRONG: dict[str, list[tuple[str, str]]] = {
    q: [tuple(pair) for pair in wrongs] for q, wrongs in _ANSWERS["wrong"].items()
}

MUTANTS: list[Mutant] = [Mutant(q, mistake, f"{q} = {code}") for q, wrongs in WRONG.items() for code, mistake in wrongs]

# question -> the right answer in another form
EQUIVALENT: dict[str, str] = _ANSWERS["equivalent"]

ALTERNATIVES = [Alternative("equivalent forms of every answer", {
    q: f"import numpy as np\nimport torch\n\n{q} = {code}\n" for q, code in EQUIVALENT.items()})]
