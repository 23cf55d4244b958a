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


@dataclass(frozen=True)
class InEdition:
    """A lesson's mutants and alternatives, aimed at another edition of it (``01_convolution_ko``): the code
    cells are the same (autograder/editions.py checks it), so the same variants must score the same."""
    module: object
    lang: str

    @property
    def LESSON(self) -> str:  # noqa: N802 (the name the lesson modules use)
        return f"{self.module.LESSON}_{self.lang}"

    @property
    def MUTANTS(self):  # noqa: N802
        return self.module.MUTANTS

    @property
    def ALTERNATIVES(self):  # noqa: N802
        return self.module.ALTERNATIVES


def lesson_modules(editions: bool = False):
    """Every tests/mutants/lessonNN.py module (each defines LESSON, MUTANTS and ALTERNATIVES); with
    ``editions``, each lesson's Korean edition too, where it has been built."""
    import importlib
    import pkgutil
    from pathlib import Path

    names = sorted(m.name for m in pkgutil.iter_modules(__path__) if m.name.startswith("lesson"))
    modules = [importlib.import_module(f"{__name__}.{name}") for name in names]
    if not editions:
        return modules
    solutions = Path(__file__).resolve().parents[2] / "solutions"
    return modules + [InEdition(m, "ko") for m in modules
                      if (solutions / f"{m.LESSON}_ko" / f"{m.LESSON}_ko.ipynb").exists()]
