"""The benchmark command runs and prints its ratios (no time is asserted)."""

import subprocess
import sys

import pytest

from tests.conftest import REPO


@pytest.mark.slow
def test_quick_benchmark_prints_a_table():
    result = subprocess.run([sys.executable, "bench/conv_bench.py", "--quick"], cwd=REPO, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("#") and "numpy/torch" in lines[1]
    rows = [line.split() for line in lines[2:]]
    assert len(rows) == 4  # float32/float64 x forward/backward
    assert all(row[-1].endswith("x") for row in rows)
