"""Known-wrong variants (mutants) and correct-but-different implementations of graded functions.

A ``Mutant`` is appended to the reference solution cell it names, so it usually wraps the correct
function to reproduce exactly one classic mistake. An alternative is a whole set of solution cells
written differently from the reference; it must still get full marks.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Mutant:
    exercise: str  # the solution cell's grade_id; its test cells are test_<exercise>__*
    mistake: str   # what a student got wrong
    code: str      # appended to the solution cell's source

    def source(self, reference: str) -> str:
        return reference.rstrip() + "\n\n\n# --- mutant: " + self.mistake + "\n" + self.code.strip() + "\n"


@dataclass(frozen=True)
class Alternative:
    name: str
    cells: dict[str, str] = field(default_factory=dict)  # grade_id -> full cell source


def lesson_modules():
    """Every tests/mutants/lessonNN.py module (each defines LESSON, MUTANTS and ALTERNATIVES)."""
    import importlib
    import pkgutil

    names = sorted(m.name for m in pkgutil.iter_modules(__path__) if m.name.startswith("lesson"))
    return [importlib.import_module(f"{__name__}.{name}") for name in names]
