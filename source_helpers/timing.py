"""Medians of repeated timings (``timeit`` underneath), for the speedups shown in lessons and by bench/."""

from __future__ import annotations

import statistics
import timeit
from typing import Callable


def median_seconds(fn: Callable[[], object], repeat: int = 5, number: int = 1) -> float:
    """Median over ``repeat`` runs of the time ``fn()`` takes (each run calls it ``number`` times)."""
    times = timeit.Timer(fn).repeat(repeat=repeat, number=number)
    return statistics.median(times) / number
