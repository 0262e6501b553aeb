"""The benchmark scripts still run (tiny sizes; nothing here is timed or compared)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.postgres_server import ENV

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def run(args: list[str], env: dict[str, str]) -> str:
    """Run one benchmark script; return what it printed."""
    result = subprocess.run(
        [sys.executable, str(BENCHMARKS / args[0]), *args[1:]],
        cwd=BENCHMARKS,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.slow
@pytest.mark.parametrize(
    "args",
    [
        ["bench_storage.py", "30", "5"],
        ["bench_lifecycle.py", "30", "5"],
        ["bench_escalation.py", "300", "5"],
        ["bench_fees.py", "200", "2000", "5"],
        ["bench_followups.py", "200", "10", "5"],
        ["bench_incidents.py", "20000", "5", "200"],
        ["bench_disputes.py", "20", "5"],
        ["bench_codec.py", "20", "5"],
        ["bench_snapshot.py", "3", "5"],
        ["bench_service.py", "5", "20", "60", "5"],
        ["bench_tick.py", "1000", "2000", "5"],
        ["bench_messages.py", "20", "5"],
    ],
    ids=lambda a: a[0],
)
def test_benchmark_runs(args: list[str]) -> None:
    """Each benchmark script runs to the end and prints its ratios."""
    # The PostgreSQL section has a test of its own, below.
    env = {k: v for k, v in os.environ.items() if k != ENV}
    out = run(args, env)
    assert "walletcare" in out and "goal" in out  # ratios printed with their goals
    assert "median" in out  # min / median / max of each ratio over the rounds


@pytest.mark.slow
def test_storage_benchmark_runs_its_postgresql_section(postgres_url: str) -> None:
    """With a server named, bench_storage.py also compares PostgreSQL appends and ticks."""
    out = run(["bench_storage.py", "20"], {**os.environ, ENV: postgres_url})
    assert "walletcare/raw psycopg" in out
    assert out.count("tick with") == 3 and "tick speed-up 4 workers/1" in out
