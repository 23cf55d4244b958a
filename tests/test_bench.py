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


@pytest.mark.slow
def test_diagnosis_benchmark_prints_its_shares():
    result = subprocess.run([sys.executable, "bench/diagnosis_bench.py", "00_start_here", "--generated", "2"], cwd=REPO,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    rows = [line for line in result.stdout.splitlines() if line.startswith(("00_start_here", "all"))]
    assert len(rows) == 2 and all("named" in row and "%" in row for row in rows), result.stdout
