"""Incidents: streaming detection over many complaints, and the memory an open window holds.

walletcare's ``Detector`` (fingerprint windows: evict what fell out, count, hand the window's
members over once at the threshold, drop idle windows, report each complaint's cluster)
against a hand-written loop doing the same with a dict of deques keyed by the fingerprint
string, reporting each complaint's cluster and crossing as a tuple: the service links every
complaint to its cluster's incident, not only those of a crossing. Both see the same signals
and must report the same crossings. The same loop reporting nothing (it only counts) is
printed as the limit. The memory per open window is measured with tracemalloc over a
detector holding many windows.

Variants run interleaved, in an order rotated every round, for at least 5 rounds; the
ratio walletcare/hand-written of each round is reported as min / median / max.

Run: ``python benchmarks/bench_incidents.py [complaints] [rounds] [windows]``.
"""

from __future__ import annotations

import random
import statistics
import sys
import tracemalloc
from collections import deque
from datetime import UTC, datetime, timedelta

from walletcare.domain.frozenmap import FrozenMap
from walletcare.domain.incidents import Detector, IncidentPolicy, Pattern, Signal
from _timing import interleaved

START = datetime(2026, 3, 1, tzinfo=UTC)
WINDOW = timedelta(hours=1)
THRESHOLD = 50
PATTERN = Pattern(
    name="errors", fields=("category", "error_code"), window=WINDOW, threshold=THRESHOLD
)
POLICY = IncidentPolicy(patterns=(PATTERN,))


def make_signals(n: int, seed: int = 3) -> list[Signal]:
    """``n`` complaints over ten days: 2,000 quiet fingerprints, and a burst every few hours."""
    rnd = random.Random(seed)
    quiet = [
        FrozenMap({"category": "transaction_failure", "error_code": f"E{i}"}) for i in range(2000)
    ]
    loud = [FrozenMap({"category": "fees", "error_code": f"F{i}"}) for i in range(40)]
    step = timedelta(days=10) / n
    signals = []
    for i in range(n):
        at = START + step * i
        burst = loud[(i * 40 // n)] if rnd.random() < 0.05 else None
        fields = burst if burst is not None else quiet[rnd.randrange(2000)]
        signals.append(Signal(complaint_id=f"c{i}", customer_id=f"u{i}", at=at, fields=fields))
    return signals


BATCH = 500
"""Signals handed to the detector at a time, as the service hands it what it read of the log."""


def walletcare(signals: list[Signal]) -> int:
    """Crossings found by walletcare's detector."""
    detector = Detector(POLICY)
    crossings = 0
    for start in range(0, len(signals), BATCH):
        for sighting in detector.observe_all(signals[start : start + BATCH]):
            if sighting.crossed:
                crossings += 1
    return crossings


def hand_written(signals: list[Signal]) -> int:
    """Crossings found by a dict of deques keyed by the fingerprint string, reporting for each
    complaint the cluster it joined and any crossing (what the service links complaints by)."""
    windows: dict[str, deque[Signal]] = {}
    crossings = 0
    for signal in signals:
        fields = signal.fields
        category, code = fields.get("category", ""), fields.get("error_code", "")
        if not category or not code:
            continue
        key = f"category={category}|error_code={code}"
        window = windows.get(key)
        if window is None:
            window = windows[key] = deque()
        horizon = signal.at - WINDOW
        while window and window[0].at < horizon:
            window.popleft()
        window.append(signal)
        crossed: tuple[Signal, ...] = ()
        if len(window) >= THRESHOLD:
            crossed = tuple(window)
            window.clear()
        sighting = (key, signal, crossed)  # the complaint's cluster, for linking it
        if sighting[2]:
            crossings += 1
    return crossings


def count_only(signals: list[Signal]) -> int:
    """The same grouping reporting nothing per complaint: it only counts crossings."""
    windows: dict[str, deque[Signal]] = {}
    crossings = 0
    for signal in signals:
        fields = signal.fields
        category, code = fields.get("category", ""), fields.get("error_code", "")
        if not category or not code:
            continue
        key = f"category={category}|error_code={code}"
        window = windows.get(key)
        if window is None:
            window = windows[key] = deque()
        horizon = signal.at - WINDOW
        while window and window[0].at < horizon:
            window.popleft()
        window.append(signal)
        if len(window) >= THRESHOLD:
            crossings += 1
            tuple(window)
            window.clear()
    return crossings


def memory_per_window(windows: int) -> tuple[float, int]:
    """Bytes a detector holds per open window, with three complaints in each."""
    fields = [FrozenMap({"category": "other", "error_code": f"W{i}"}) for i in range(windows)]
    signals = [
        Signal(complaint_id=f"m{i}-{k}", customer_id="u", at=START, fields=fields[i])
        for k in range(3)
        for i in range(windows)
    ]
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    detector = Detector(POLICY)
    for signal in signals:
        detector.observe(signal)
    held = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    return held / detector.open_windows, detector.open_windows


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    rounds = max(int(sys.argv[2]) if len(sys.argv) > 2 else 5, 5)
    windows = int(sys.argv[3]) if len(sys.argv) > 3 else 20_000
    print(f"building {n:,} complaints ...", flush=True)
    signals = make_signals(n)
    found, plain, counted = walletcare(signals), hand_written(signals), count_only(signals)
    assert found == plain == counted, (found, plain, counted)
    times = interleaved(
        {
            "walletcare": lambda: walletcare(signals),
            "hand-written": lambda: hand_written(signals),
            "count only": lambda: count_only(signals),
        },
        rounds,
    )
    ratios = [p / w for w, p in zip(times["walletcare"], times["hand-written"], strict=True)]
    limit = [c / w for w, c in zip(times["walletcare"], times["count only"], strict=True)]
    print(f"detection over {n:,} complaints ({found:,} windows reached the threshold)")
    for name, secs in times.items():
        print(f"    {name:<14} {n / min(secs):14,.0f} complaints/s (best of {len(secs)})")
    print(
        f"    walletcare/hand-written  min {min(ratios):.2f}  median {statistics.median(ratios):.2f}"
        f"  max {max(ratios):.2f}   (goal >= 0.5)"
    )
    print(
        f"    walletcare/count only (the limit)  min {min(limit):.2f}"
        f"  median {statistics.median(limit):.2f}  max {max(limit):.2f}"
    )
    per_window, held = memory_per_window(windows)
    print(
        f"memory per open window: {per_window:,.0f} bytes ({held:,} windows of 3 complaints; "
        "the complaints' own signals not counted)"
    )


if __name__ == "__main__":
    main()
