"""What the graders are proved with, by the test suite (tests/) and the benchmarks (bench/) alike.

- ``mutants``: known-wrong variants of every graded function (edits of the reference) and
  correct-but-different implementations;
- ``harness``: reads lessons and runs a solution notebook in a kernel, cell by cell, with nbgrader's rule;
- ``classroom``: a made-up class for one lesson (honest, cheating, malformed and hostile submissions).

Nothing here is installed with the workbook: it is imported from the repository root.
"""
