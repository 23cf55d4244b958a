"""In a student's notebook, a test cell that passes says so, and says that hidden tests still run.

A silent pass reads as "all done"; it is not: hidden tests run when the notebook is graded. Importing
``source_helpers.checks`` in a notebook registers one IPython ``post_run_cell`` hook that prints, after a
test cell that ran without an error, "✓ passed. Hidden tests run when your notebook is graded." A test
cell is one that calls a check (``check_...``). Nothing is printed while nbgrader validates or grades
(it sets ``NBGRADER_EXECUTION``), outside IPython, or for any other cell. The message goes to stdout,
which nbgrader does not count against a test cell.
"""

from __future__ import annotations

import os
import re

from .i18n import tr

MESSAGE = "✓ passed. Hidden tests run when your notebook is graded: a pass here is not yet full marks."
_CALLS_A_CHECK = re.compile(r"^\s*(?:\w+\.)?check_\w+\(|^\s*with calling\(", re.M)
_registered: list = []  # the one hook of this kernel, so a second import does not add another


def is_test_cell(source: str) -> bool:
    return bool(_CALLS_A_CHECK.search(source or ""))


def _after_cell(result) -> None:
    if os.environ.get("NBGRADER_EXECUTION"):
        return
    if getattr(result, "success", False) and is_test_cell(getattr(result.info, "raw_cell", "")):
        print(tr(MESSAGE))


def register() -> None:
    """Register the hook in the running IPython kernel, once; do nothing elsewhere."""
    if _registered:
        return
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None:
        return
    shell.events.register("post_run_cell", _after_cell)
    _registered.append(_after_cell)
