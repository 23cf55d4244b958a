"""Known-wrong variants (mutants) and correct-but-different implementations of graded functions.

A ``Mutant`` is the reference solution cell it names with one classic mistake made in it. Most are
``edit``s: text of the current reference replaced, each piece of which must occur exactly once, so a
changed reference makes the mutant fail loudly (``MutantDrift``) instead of testing code that no longer
exists. Others append ``code`` to the reference, a wrapper around the correct function, where the mistake
is in how a function is called rather than in its lines. An alternative is a whole set of solution cells
written differently from the reference; it must still get full marks.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field


class MutantDrift(AssertionError):
    """A mutant's edit no longer matches its reference exactly once: the reference changed under it."""


@dataclass(frozen=True)
class Mutant:
    exercise: str  # the solution cell's grade_id; its test cells are test_<exercise>__*
    mistake: str  # what a student got wrong
    code: str = ""  # appended to the solution cell's source
    edits: tuple[tuple[str, str], ...] = ()  # (text of the reference, what replaces it), in order

    def source(self, reference: str) -> str:
        mutated = reference
        for old, new in self.edits:
            found = mutated.count(old)
            if found != 1:
                raise MutantDrift(
                    f"{self.exercise}: mutant {self.mistake!r}: expected {old.strip()!r} once in the reference, "
                    f"found it {found} times; update the mutant to the reference"
                )
            mutated = mutated.replace(old, new)
        if not self.code.strip():
            return mutated
        return mutated.rstrip() + "\n\n\n# --- mutant: " + self.mistake + "\n" + self.code.strip() + "\n"


def copied_lines(mutant: Mutant, reference: str) -> list[str]:
    """The lines of a mutant's appended code that stand in its reference too (signatures, returns and short
    lines aside): a hand-rewritten copy of the reference, which goes on testing old code when the reference
    changes. An ``edit`` or a ``wrap`` copies none."""
    in_reference = {line.strip() for line in reference.splitlines()}
    return [
        line.strip()
        for line in mutant.code.splitlines()
        if line.strip() in in_reference and len(line.strip()) >= 12 and not line.strip().startswith(("def ", "return"))
    ]


def edit(exercise: str, mistake: str, *pairs: str) -> Mutant:
    """A mutant made by replacing text of the reference: ``edit(ex, mistake, old1, new1, old2, new2, ...)``."""
    if not pairs or len(pairs) % 2:
        raise ValueError("edit() takes pairs of (old, new) text")
    return Mutant(exercise, mistake, edits=tuple(zip(pairs[::2], pairs[1::2], strict=True)))


def wrap(exercise: str, mistake: str, signature: str, body: str) -> Mutant:
    """A mutant that replaces the function of ``signature`` by ``body``, which may call the reference as
    ``_correct_<name>``: for a mistake in how a correct function is called or what is done with its result,
    which no edit of its lines says as plainly."""
    name = signature.split("(", 1)[0].strip()
    body = textwrap.indent(textwrap.dedent(body).strip("\n"), "    ")
    return Mutant(exercise, mistake, f"_correct_{name} = {name}\ndef {signature}:\n{body}\n")


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

    @property
    def EXERCISES_INDEPENDENT(self):  # noqa: N802
        return getattr(self.module, "EXERCISES_INDEPENDENT", False)


def lesson_modules(editions: bool = False):
    """Every proofs/mutants/lessonNN.py module (each defines LESSON, MUTANTS and ALTERNATIVES); with
    ``editions``, each lesson's Korean edition too, where it has been built."""
    import importlib
    import pkgutil

    names = sorted(m.name for m in pkgutil.iter_modules(__path__) if m.name.startswith("lesson"))
    modules = [importlib.import_module(f"{__name__}.{name}") for name in names]
    if not editions:
        return modules
    from autograder.course import lesson_names

    built = set(lesson_names())
    return modules + [InEdition(m, "ko") for m in modules if f"{m.LESSON}_ko" in built]
