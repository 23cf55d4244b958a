"""nbgrader settings for the workbook (the repository root is the course root).

Loaded by ``nbgrader_config.py`` at the root, so plain ``nbgrader ...`` commands run from the root
use it, and by the workbook's own tools and tests.
"""

import os
import secrets
import sys

from autograder.course import CELL_TIMEOUT, GRADING, gradebook_url

c = get_config()  # noqa: F821  (provided by traitlets when it loads this file)

_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # this copy's course root
_grading = str(GRADING)

c.CourseDirectory.root = _root
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "lessons"
c.CourseDirectory.submitted_directory = os.path.join(_grading, "submitted")
c.CourseDirectory.autograded_directory = os.path.join(_grading, "autograded")
c.CourseDirectory.feedback_directory = os.path.join(_grading, "feedback")
c.CourseDirectory.db_url = gradebook_url(os.path.join(_root, _grading))
# SQLite cannot create the gradebook's folder, and on a fresh clone it does not exist yet: without it every
# plain `nbgrader ...` command and Formgrader fail with "unable to open database file".
try:
    os.makedirs(os.path.join(_root, _grading), exist_ok=True)
except OSError:  # a read-only copy of the course (a sandbox): nbgrader then fails as it would have
    pass
# nbgrader runs `alembic` from PATH when it creates a gradebook: `.venv/bin/nbgrader ...` must work without
# activating the environment first.
_scripts = os.path.dirname(sys.executable)
if _scripts not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = _scripts + os.pathsep + os.environ.get("PATH", "")

# Grade every notebook with the same kernel, whatever kernel name a submission's metadata claims.
c.Execute.kernel_name = "python3"
# A cell that runs longer than this is interrupted and scores 0 (make grade uses the same limit).
c.Execute.timeout = CELL_TIMEOUT
c.Execute.startup_timeout = 120
# Test cells a student deleted are put back from the source before grading.
c.OverwriteCells.add_missing_cells = True
# nbclient skips cells tagged "skip-execution"; a student could tag a failing test cell that way.
# A fresh random tag per run cannot be guessed from this public file.
c.Execute.skip_cells_with_tag = "never-skip-" + secrets.token_hex(16)
