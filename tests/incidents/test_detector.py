"""The generated detector against a plain model of sliding windows, for any signals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from walletcare.domain.frozenmap import FrozenMap
from walletcare.domain.incidents import (
    Detector,
    IncidentPolicy,
    Pattern,
    Sighting,
    Signal,
    TextPattern,
)

T0 = datetime(2026, 3, 1, tzinfo=UTC)
PATTERNS = (
    # Two patterns that can both match one complaint, one narrowed by a fixed value.
    Pattern(name="codes", fields=("category", "error_code"), window=timedelta(minutes=30), threshold=3),
    Pattern(
        name="fees",
        fields=("region",),
        match={"category": "fees"},
        window=timedelta(minutes=50),
        threshold=2,
    ),
)


@st.composite
def signal_lists(draw: st.DrawFn) -> list[Signal]:
    """Signals in time order, some minutes apart, with fields from a small alphabet."""
    gaps = draw(st.lists(st.integers(0, 40), min_size=1, max_size=60))
    signals = []
    minutes = 0
    for i, gap in enumerate(gaps):
        minutes += gap
        fields = {
            name: value
            for name, value in (
                ("category", draw(st.sampled_from(["fees", "transfer", ""]))),
                ("error_code", draw(st.sampled_from(["E1", "E2", ""]))),
                ("region", draw(st.sampled_from(["north", "south"]))),
            )
            if value or draw(st.booleans())
        }
        signals.append(
            Signal(
                complaint_id=f"c{i}",
                customer_id=f"u{i}",
                at=T0 + timedelta(minutes=minutes),
                fields=FrozenMap(fields),
                text=draw(st.sampled_from(["card declined at shop", "refund never arrived"])),
            )
        )
    return signals


def model(signals: list[Signal]) -> list[tuple[tuple[str, ...], str, tuple[str, ...]]]:
    """Each pattern's windows as plain lists: (cluster key, complaint, crossed complaints)."""
    windows: dict[tuple[str, ...], list[Signal]] = {}
    seen = []
    for signal in signals:
        for p in PATTERNS:
            if any(signal.fields.get(k) != v for k, v in p.match.items()):
                continue
            values = [signal.fields.get(f) for f in p.fields]
            if not all(values):
                continue
            key = (p.name, *[str(v) for v in values])
            window = [s for s in windows.get(key, []) if s.at >= signal.at - p.window]
            window.append(signal)
            crossed: tuple[str, ...] = ()
            if len(window) >= p.threshold:
                crossed, window = tuple(s.complaint_id for s in window), []
            windows[key] = window
            seen.append((key, signal.complaint_id, crossed))
    return seen


def plain(sightings: list[Sighting]) -> list[tuple[tuple[str, ...], str, tuple[str, ...]]]:
    return [
        (s.key, s.signal.complaint_id, tuple(c.complaint_id for c in s.crossed))
        for s in sightings
    ]


@given(signal_lists(), st.integers(1, 7))
def test_observe_and_observe_all_find_what_plain_windows_find(
    signals: list[Signal], batch: int
) -> None:
    """One by one or in batches, every cluster and crossing is the model's, in order."""
    one = Detector(IncidentPolicy(patterns=PATTERNS))
    by_one = [s for signal in signals for s in one.observe(signal)]
    many = Detector(IncidentPolicy(patterns=PATTERNS))
    in_batches = [
        s for i in range(0, len(signals), batch) for s in many.observe_all(signals[i : i + batch])
    ]
    assert plain(by_one) == plain(in_batches) == model(signals)


@given(signal_lists(), st.integers(1, 7))
def test_text_clusters_take_only_what_no_structured_pattern_matched(
    signals: list[Signal], batch: int
) -> None:
    """With a text pattern too, batches see what single calls see, and each signal goes to
    text clustering exactly when no structured pattern took it."""
    text = TextPattern(name="words", window=timedelta(hours=2), threshold=2, similarity=0.5)
    policy = IncidentPolicy(patterns=PATTERNS, text=(text,))
    one, many = Detector(policy), Detector(policy)
    by_one = [one.observe(signal) for signal in signals]
    in_batches = [
        s for i in range(0, len(signals), batch) for s in many.observe_all(signals[i : i + batch])
    ]
    assert plain([s for found in by_one for s in found]) == plain(in_batches)
    structured = {complaint for _, complaint, _ in model(signals)}
    for signal, found in zip(signals, by_one, strict=True):
        assert len(found) >= 1
        by_text = [s for s in found if s.pattern == "words"]
        assert bool(by_text) == (signal.complaint_id not in structured)
