"""Shared timing for the benchmarks: variants interleaved in an order rotated every round, and
each ratio reported per round as min / median / max next to its goal.

A noisy neighbour slows whichever variant runs at that moment; running every variant once
per round, in a rotated order, spreads that noise over all of them, and the per-round
ratios show how much it moved the result.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence

MIN_ROUNDS = 5


def interleaved(
    variants: dict[str, Callable[[], object]], rounds: int = MIN_ROUNDS
) -> dict[str, list[float]]:
    """Seconds each variant took in each round, the variants run in an order rotated every
    round (at least ``MIN_ROUNDS`` rounds).

    A variant returning a float reports its own elapsed seconds (it timed only the part that
    counts, after its own set-up); otherwise the whole call is timed.
    """
    names = list(variants)
    times: dict[str, list[float]] = {name: [] for name in names}
    for r in range(max(rounds, MIN_ROUNDS)):
        shift = r % len(names)
        for name in names[shift:] + names[:shift]:
            start = time.perf_counter()
            reported = variants[name]()
            elapsed = time.perf_counter() - start
            times[name].append(reported if isinstance(reported, float) else elapsed)
    return times


def speed_ratios(times: dict[str, list[float]], fast: str, slow: str) -> list[float]:
    """Per round, how many times faster ``fast`` ran than ``slow`` (time of slow / time of fast)."""
    return [s / f for f, s in zip(times[fast], times[slow], strict=True)]


def time_ratios(times: dict[str, list[float]], num: str, den: str) -> list[float]:
    """Per round, the time of ``num`` over the time of ``den``."""
    return [n / d for n, d in zip(times[num], times[den], strict=True)]


def ratio_line(label: str, ratios: Sequence[float], goal: str = "") -> str:
    """``label  min x  median y  max z  (goal ...: met)``, judged on the median.

    ``goal`` reads ``">= 3"`` or ``"<= 1.5"``; without one the ratio is for reference.
    """
    median = statistics.median(ratios)
    if not goal:
        return (
            f"    {label:<44} min {min(ratios):6.2f}  median {median:6.2f}  max {max(ratios):6.2f}"
            "   (for reference)"
        )
    op, _, bound = goal.partition(" ")
    met = median >= float(bound) if op == ">=" else median <= float(bound)
    return (
        f"    {label:<44} min {min(ratios):6.2f}  median {median:6.2f}  max {max(ratios):6.2f}"
        f"   (goal {goal}: {'met' if met else 'NOT met'})"
    )


def rate_line(label: str, seconds: Sequence[float], operations: int, unit: str) -> str:
    """The best round's rate of one variant."""
    return f"    {label:<44} {operations / min(seconds):14,.0f} {unit}/s (best of {len(seconds)})"
