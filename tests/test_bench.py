"""The benchmark command runs and prints its ratios (no time is asserted)."""

import subprocess
import sys

import pytest

from autograder.course import REPO


@pytest.mark.slow
def test_quick_benchmark_prints_a_table():
    result = subprocess.run(
        [sys.executable, "-m", "bench.conv_bench", "--quick"], cwd=REPO, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("#") and "numpy/torch" in lines[1]
    rows = [line.split() for line in lines[2:]]
    assert len(rows) == 4  # float32/float64 x forward/backward
    assert all(row[-1].endswith("x") for row in rows)


@pytest.mark.slow
def test_diagnosis_benchmark_prints_its_shares():
    result = subprocess.run(
        [sys.executable, "-m", "bench.diagnosis_bench", "00_start_here", "--generated", "2"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    rows = [line for line in result.stdout.splitlines() if line.startswith(("00_start_here", "all"))]
    assert len(rows) == 2 and all("named" in row and "%" in row for row in rows), result.stdout


@pytest.mark.slow
def test_scale_benchmark_prints_its_figures():
    """bench-scale --quick: one grader and two shards into PostgreSQL, four students: the figures, not their size."""
    from autograder import postgres

    try:
        postgres.binaries()
        postgres._as_server()
        import psutil  # noqa: F401
        import psycopg  # noqa: F401
    except (postgres.Unavailable, ImportError) as exc:
        pytest.skip(f"no PostgreSQL here ({exc}); make test installs it with apt when root on Debian")
    result = subprocess.run(
        [sys.executable, "-m", "bench.scale_bench", "--quick", "--cores", "16"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    lines = result.stdout.splitlines()
    assert lines[0].startswith("# 4 submissions of 00_start_here"), result.stdout
    assert lines[2].startswith("one grader") and lines[3].startswith("two shards at once"), result.stdout

    def figure(start):
        found = [line for line in lines[4:] if line.startswith(start)]
        assert len(found) == 1, (start, result.stdout)
        return found[0]

    assert "CPU s" in figure("# seconds per student: ")
    assert "MiB" in figure("# peak memory per kernel: ") and "none seen" not in figure("# peak memory per kernel: ")
    assert "% CPU" in figure("# shard overhead: ") and "grades identical" in figure("# shard overhead: ")
    assert "s per student" in figure("# a grader's CPU = ")
    assert "1,000 students on 16 cores" in figure("# projection: ") and "GiB" in figure("# projection: ")
