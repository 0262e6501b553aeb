"""Shared timing for the benchmarks: best of several rounds, so a noisy neighbour counts less."""

from __future__ import annotations

import time
from collections.abc import Callable


def best_rate(run: Callable[[int], None], operations: int, rounds: int = 5) -> float:
    """Operations per second of ``run(operations)``, best of ``rounds``."""
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        run(operations)
        best = min(best, time.perf_counter() - start)
    return operations / best
