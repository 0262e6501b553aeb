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
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

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


class _Window(deque[Signal]):
    """A fingerprint's members in arrival order, and when it next moves to the dict's end.

    The deque itself, so that counting a signal reaches its members without a look-up.
    """

    __slots__ = ("move_after",)
    move_after: datetime


_Limits = tuple[timedelta, int, timedelta]
"""A pattern's window, threshold, and how long a window goes before it is moved again."""

_make = tuple.__new__  # a Sighting from all its fields, as namedtuple's own _make does
_NOTHING: tuple[()] = ()
_DAWN = datetime.min.replace(tzinfo=UTC)


class Detector:
    """Follows signals one by one and reports which clusters they belong to and which cross."""

    def __init__(self, policy: IncidentPolicy) -> None:
        # Compiled once: per pattern its name, fixed values, fields, window, threshold and
        # how long a window goes before it is moved to the end of the dict again (a quarter
        # window: kept ordered by last touch, for dropping idle windows, it costs little
        # memory to move a window only now and then).
        self._structured: tuple[
            tuple[str, tuple[tuple[str, str], ...], tuple[str, ...], _Limits], ...
        ] = tuple(
            (p.name, tuple(p.match.items()), p.fields, (p.window, p.threshold, p.window / 4))
            for p in policy.patterns
        )
        self._text: tuple[tuple[TextPattern, TextClusters, _Limits], ...] = tuple(
            (
                t,
                TextClusters(window=t.window, threshold=t.similarity, merge=t.merge),
                (t.window, t.threshold, t.window / 4),
            )
            for t in policy.text
        )
        self._spans = {p.name: p.window for p in policy.patterns} | {
            t.name: t.window for t in policy.text
        }
        self._windows: dict[tuple[str, ...], _Window] = {}
        spans = [p.window for p in policy.patterns] + [t.window for t in policy.text]
        # Idle windows are swept at most this often (in the signals' time): a window may
        # outlive its span by this much, and the sweep's cost is shared by many signals.
        self._sweep = min(spans, default=timedelta(hours=1)) / 8
        self.observe, self.observe_all = self._generate()

    observe: Callable[[Signal], list[Sighting]]
    """The clusters a signal falls in (one per matching pattern); each window counts it.

    Generated for the policy when the detector is made (see ``_generate``).
    """

    observe_all: Callable[[Iterable[Signal]], list[Sighting]]
    """Every sighting of many signals, in order: ``observe`` of each, in one call.

    Generated with ``observe``; a batch skips a call and a list per signal.
    """

    def _generate(
        self,
    ) -> tuple[Callable[[Signal], list[Sighting]], Callable[[Iterable[Signal]], list[Sighting]]]:
        """Write ``observe`` and ``observe_all`` for this policy, each pattern inline.

        What a hand-written loop for these patterns would be: the fixed values compared and
        the fingerprint's fields read by name, the window found and counted in place, with
        no loop over patterns, no call per pattern and no tuples of settings unpacked. Only
        generated names appear in the code; the policy's names and values are bound to them.
        """
        names: dict[str, object] = {
            "DAWN": _DAWN,
            "SWEEP": self._sweep,
            "EXPIRE": self._expire,
            "WINDOWS": self._windows,
            "WINDOW": _Window,
            "SIGHTING": Sighting,
            "MAKE": _make,
            "NOTHING": _NOTHING,
            "TEXT": self._observe_text,
        }
        # One signal's steps, adding each sighting to ``found`` (through ``add``).
        steps = [
            "at = signal.at",
            "if at > next_sweep:",
            "    next_sweep = at + SWEEP",
            "    EXPIRE(at)",
            "get = signal.fields.lookup()",
        ]
        if self._text:
            steps.append("before = len(found)")
        for i, (name, match, fields, (span, threshold, slack)) in enumerate(self._structured):
            names.update({f"N{i}": name, f"NAMES{i}": fields, f"SPAN{i}": span})
            names.update({f"THRESHOLD{i}": threshold, f"SLACK{i}": slack})
            tests = []
            for j, (field_name, wanted) in enumerate(match):
                names[f"M{i}_{j}"], names[f"W{i}_{j}"] = field_name, wanted
                tests.append(f"get(M{i}_{j}) == W{i}_{j}")
            values = []
            for j, field_name in enumerate(fields):
                names[f"F{i}_{j}"] = field_name
                values.append(f"v{j}")
                tests.append(f"(v{j} := get(F{i}_{j}))")
            steps += [
                f"if {' and '.join(tests)}:",
                f"    key = (N{i}, {', '.join(values)},)",
                "    window = WINDOWS.get(key)",
                "    if window is None:",
                "        window = WINDOWS[key] = WINDOW()",
                f"        window.move_after = at + SLACK{i}",
                "    elif window.move_after < at:",
                "        del WINDOWS[key]",
                "        WINDOWS[key] = window",
                f"        window.move_after = at + SLACK{i}",
                f"    horizon = at - SPAN{i}",
                "    while window and window[0].at < horizon:",
                "        window.popleft()",
                "    window.append(signal)",
                f"    if len(window) >= THRESHOLD{i}:",
                "        crossed = tuple(window)",
                "        window.clear()",
                "    else:",
                "        crossed = NOTHING",
                f"    add(MAKE(SIGHTING, (key, NAMES{i}, signal, crossed, NOTHING)))",
            ]
        if self._text:
            steps += ["if len(found) == before:", "    found += TEXT(signal, get)"]
        one = "\n".join(f"        {step}" for step in steps)
        many = "\n".join(f"            {step}" for step in steps)
        # Both made inside one function, so that when the next sweep is due is a cell of
        # the closure they share.
        text = (
            "def make():\n"
            "    next_sweep = DAWN\n"
            "    def observe(signal):\n"
            "        nonlocal next_sweep\n"
            "        found = []\n"
            "        add = found.append\n"
            f"{one}\n"
            "        return found\n"
            "    def observe_all(signals):\n"
            "        nonlocal next_sweep\n"
            "        found = []\n"
            "        add = found.append\n"
            "        for signal in signals:\n"
            f"{many}\n"
            "        return found\n"
            "    return observe, observe_all\n"
        )
        exec(compile(text, "<walletcare detection>", "exec"), names)  # noqa: S102 (generated names only; the policy's values are bound)
        return names["make"]()  # type: ignore[operator,no-any-return]

    def _observe_text(
        self, signal: Signal, get: Callable[[str], str | None]
    ) -> list[Sighting]:
        """The text cluster of a signal no structured pattern matched (the first text pattern
        whose fixed values it has)."""
        for text, clusters, limits in self._text:
            if any(get(k) != v for k, v in text.match.items()):
                continue
            cluster, absorbed = clusters.assign(signal.complaint_id, signal.text, signal.at)
            key = (text.name, cluster)
            for alias in absorbed:
                self._absorb(key, (text.name, alias))
            sighting = self._count(key, TEXT_FIELDS, limits, signal)
            if absorbed:
                names = tuple(f"{text.name}:text={a}" for a in absorbed)
                return [sighting._replace(absorbed=names)]
            return [sighting]
        return []

    def _count(
        self,
        key: tuple[str, ...],
        names: tuple[str, ...],
        limits: _Limits,
        signal: Signal,
    ) -> Sighting:
        span, threshold, slack = limits
        windows = self._windows
        window = windows.get(key)
        at = signal.at
        if window is None:
            window = windows[key] = _Window()
            window.move_after = at + slack
        elif window.move_after < at:
            del windows[key]
            windows[key] = window
            window.move_after = at + slack
        horizon = at - span
        while window and window[0].at < horizon:
            window.popleft()
        window.append(signal)
        if len(window) >= threshold:
            crossed = tuple(window)
            window.clear()
            return _make(Sighting, (key, names, signal, crossed, _NOTHING))
        return _make(Sighting, (key, names, signal, _NOTHING, _NOTHING))

    def _absorb(self, into: tuple[str, ...], name: tuple[str, ...]) -> None:
        """Move the window of cluster ``name`` into that of ``into`` (in time order)."""
        gone = self._windows.pop(name, None)
        if not gone:
            return
        window = self._windows.get(into)
        if window is None:
            self._windows[into] = gone
            return
        merged = sorted((*window, *gone), key=lambda s: s.at)
        window.clear()
        window.extend(merged)

    def _expire(self, at: datetime) -> None:
        """Drop idle windows, oldest touched first, up to the first still open.

        A window is idle once its newest member is older than its span, or once it has
        none (it crossed and starts afresh: nothing is lost by making it again).
        """
        windows = self._windows
        spans = self._spans
        idle = []
        # One pass from the front, then the deletions: looking the front up afresh after
        # each deletion would step over every entry deleted before it, each time.
        for key, window in windows.items():
            if window and window[-1].at + spans[key[0]] >= at:
                break
            idle.append(key)
        for key in idle:
            del windows[key]

    @property
    def open_windows(self) -> int:
        """How many windows are held in memory now."""
        return len(self._windows)
