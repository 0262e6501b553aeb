"""The benchmark scripts still run (tiny sizes; nothing here is timed or compared)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


@pytest.mark.slow
@pytest.mark.parametrize(
    "args",
    [
        ["bench_storage.py", "30"],
        ["bench_lifecycle.py", "30"],
        ["bench_escalation.py", "300", "2000", "1200"],
        ["bench_fees.py", "200", "2000", "5"],
    ],
    ids=lambda a: a[0],
)
def test_benchmark_runs(args: list[str]) -> None:
    """Each benchmark script runs to the end and prints its ratios."""
    result = subprocess.run(
        [sys.executable, str(BENCHMARKS / args[0]), *args[1:]],
        cwd=BENCHMARKS,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "walletcare/" in result.stdout  # at least one ratio was printed
