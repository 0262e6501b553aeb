"""Streaming detection of clusters: fingerprints, sliding windows and thresholds.

Each complaint is a ``Signal``. A structured ``Pattern`` puts it in the window of its
fingerprint; complaints no structured pattern matched go to the first matching
``TextPattern``, whose cluster is found by text similarity. A window that reaches its
threshold hands its members over (``Sighting.crossed``) and starts afresh, so each complaint
is handed over once. Every step is O(1) amortised: a window drops what fell out of it when
it is touched, and idle windows are dropped oldest first.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import NamedTuple, cast

from walletcare.domain.incidents.similarity import TextClusters
from walletcare.domain.incidents.values import IncidentPolicy, Pattern, Signal, TextPattern

__all__ = ["Sighting", "Detector", "fingerprint"]

TEXT_FIELDS = ("text",)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class Sighting(NamedTuple):
    """A signal matched a pattern: its cluster, and the window's members if it crossed.

    ``crossed`` is empty unless this signal brought the window to its threshold; then it
    holds every member of the window (this signal last), handed over once. ``absorbed``
    names clusters this signal showed to be the same as this one (text patterns only): an
    incident opened for one of them is this cluster's incident.
    """

    key: tuple[str, ...]
    """The pattern's name, then the fingerprint's values."""
    names: tuple[str, ...]
    """The fingerprint's field names."""
    signal: Signal
    crossed: tuple[Signal, ...] = ()
    absorbed: tuple[str, ...] = ()

    @property
    def pattern(self) -> str:
        """The name of the pattern matched."""
        return self.key[0]

    @property
    def fingerprint(self) -> str:
        """The fingerprint as ``field=value|...``."""
        return "|".join(f"{n}={v}" for n, v in zip(self.names, self.key[1:], strict=True))

    @property
    def cluster(self) -> str:
        """The cluster's name: ``pattern:fingerprint``."""
        return f"{self.key[0]}:{self.fingerprint}"


def fingerprint(pattern: Pattern, signal: Signal) -> str | None:
    """The signal's fingerprint under ``pattern`` (``field=value|...``), or None if it does not
    match or lacks one of the fields."""
    fields = signal.fields
    for name, wanted in pattern.match.items():
        if fields.get(name) != wanted:
            return None
    parts = []
    for name in pattern.fields:
        value = fields.get(name, "")
        if not value:
            return None
        parts.append(f"{name}={value}")
    return "|".join(parts)


class _Window:
    __slots__ = ("expires", "members", "slack", "span", "touched")

    def __init__(self, span: timedelta) -> None:
        self.span = span
        self.slack = span / 4
        self.members: deque[Signal] = deque()
        self.expires: datetime | None = None
        self.touched = _EPOCH


class Detector:
    """Follows signals one by one and reports which clusters they belong to and which cross."""

    def __init__(self, policy: IncidentPolicy) -> None:
        # Compiled once: per pattern its name, fixed values, fields, window and threshold.
        self._structured: tuple[
            tuple[str, tuple[tuple[str, str], ...], tuple[str, ...], timedelta, int], ...
        ] = tuple(
            (p.name, tuple(p.match.items()), p.fields, p.window, p.threshold)
            for p in policy.patterns
        )
        self._text: tuple[tuple[TextPattern, TextClusters], ...] = tuple(
            (t, TextClusters(window=t.window, threshold=t.similarity, merge=t.merge))
            for t in policy.text
        )
        self._windows: dict[tuple[str, ...], _Window] = {}
        self._next_expiry: datetime | None = None
        spans = [p.window for p in policy.patterns] + [t.window for t in policy.text]
        # Idle windows are swept at most this often (in the signals' time): a window may
        # outlive its span by this much, and the sweep's cost is shared by many signals.
        self._sweep = min(spans, default=timedelta(hours=1)) / 8

    def observe(self, signal: Signal) -> list[Sighting]:
        """The clusters ``signal`` falls in (one per matching pattern)."""
        at = signal.at
        if self._next_expiry is not None and at > self._next_expiry:
            self._expire(at)
        get = signal.fields.get
        found: list[Sighting] = []
        for name, match, fields, span, threshold in self._structured:
            if match and any(get(k) != v for k, v in match):
                continue
            key = (name, *map(get, fields))
            if all(key):
                found.append(
                    self._count(cast("tuple[str, ...]", key), fields, span, threshold, signal)
                )
        if found or not self._text:
            return found
        for text, clusters in self._text:
            if any(get(k) != v for k, v in text.match.items()):
                continue
            cluster, absorbed = clusters.assign(signal.complaint_id, signal.text, at)
            key = (text.name, cluster)
            for alias in absorbed:
                self._absorb(key, (text.name, alias))
            sighting = self._count(key, TEXT_FIELDS, text.window, text.threshold, signal)
            if absorbed:
                names = tuple(f"{text.name}:text={a}" for a in absorbed)
                return [sighting._replace(absorbed=names)]
            return [sighting]
        return found

    def _count(
        self,
        key: tuple[str, ...],
        names: tuple[str, ...],
        span: timedelta,
        threshold: int,
        signal: Signal,
    ) -> Sighting:
        windows = self._windows
        window = windows.get(key)
        at = signal.at
        if window is None:
            window = windows[key] = _Window(span)
        elif window.touched + window.slack < at:
            # Moved to the end of the dict (kept ordered by last touch, for dropping idle
            # windows) only now and then: a quarter window of slack costs little memory.
            del windows[key]
            windows[key] = window
            window.touched = at
        members = window.members
        horizon = at - span
        while members and members[0].at < horizon:
            members.popleft()
        members.append(signal)
        expires = window.expires = at + span
        if self._next_expiry is None or expires < self._next_expiry:
            self._next_expiry = expires
        if len(members) >= threshold:
            crossed = tuple(members)
            members.clear()
            return Sighting(key, names, signal, crossed)
        return Sighting(key, names, signal)

    def _absorb(self, into: tuple[str, ...], name: tuple[str, ...]) -> None:
        """Move the window of cluster ``name`` into that of ``into`` (in time order)."""
        gone = self._windows.pop(name, None)
        if gone is None or not gone.members:
            return
        window = self._windows.get(into)
        if window is None:
            self._windows[into] = gone
            return
        window.members = deque(sorted((*window.members, *gone.members), key=lambda s: s.at))

    def _expire(self, at: datetime) -> None:
        """Drop idle windows, oldest touched first, up to the first still open."""
        windows = self._windows
        self._next_expiry = at + self._sweep
        while windows:
            oldest = next(iter(windows))
            expires = windows[oldest].expires
            if expires is not None and expires >= at:
                self._next_expiry = max(expires, at + self._sweep)
                return
            del windows[oldest]

    @property
    def open_windows(self) -> int:
        """How many windows are held in memory now."""
        return len(self._windows)

    def observe_all(self, signals: Sequence[Signal]) -> list[Sighting]:
        """Every sighting of ``signals``, in order."""
        found: list[Sighting] = []
        for signal in signals:
            found.extend(self.observe(signal))
        return found
