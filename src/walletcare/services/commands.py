"""The command helper every service uses: load a stream, decide, append, retry on conflict."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar

from attrs import frozen

from walletcare.domain.events import Event
from walletcare.errors import ClaimLost, ConcurrencyConflict, DamagedRecord, KeyTaken
from walletcare.ports import (
    Clock,
    Commit,
    NewEvent,
    OutboundMessage,
    Snapshot,
    Storage,
    StoredEvent,
    StreamSummary,
    TimerChange,
)
from walletcare.serialization import WalletcareConverter
from walletcare.services.states import CachedState, StateCache

__all__ = [
    "Decision",
    "Decide",
    "Loaded",
    "Committed",
    "Prepared",
    "CommandRunner",
    "OnCommitted",
]

R = TypeVar("R")
BACKOFF_BASE = timedelta(milliseconds=2)
"""The longest wait before the first retry after a conflict; it doubles per retry."""
BACKOFF_CAP = timedelta(milliseconds=50)
"""The longest wait before any retry after a conflict."""
OnCommitted = Callable[[Sequence[StoredEvent]], object]
"""Called with a commit's stored events once they are durable (the observers)."""


@frozen(kw_only=True)
class Decision(Generic[R]):
    """What a command decided: events, timer changes, messages, a summary, and a result."""

    events: Sequence[Event] = ()
    timers: Sequence[TimerChange] = ()
    messages: Sequence[OutboundMessage] = ()
    summary: StreamSummary | None = None
    take_keys: Sequence[str] = ()
    release_keys: Sequence[str] = ()
    snapshot: Snapshot | None = None
    result: R = None  # type: ignore[assignment]  # a decision without a result carries None
    cache: CachedState | None = None
    """The case's state once this decision is durable, for the process's state cache."""


Decide = Callable[[Sequence[Event], datetime], Decision[R]]
"""Given a stream's history and the current time, decide (pure; may raise to refuse)."""


@frozen(kw_only=True)
class Loaded:
    """What a case command decides on: the stream's snapshot (if any) and the events after it.

    Without a snapshot, ``events`` is the whole history. ``last_at`` is when the stream's
    newest event happened (None for a new stream), also when the snapshot covers it.
    ``cached``, when the process holds the case's state in memory, replaces the snapshot:
    ``events`` then follow its version.
    """

    snapshot: Snapshot | None
    events: Sequence[Event]
    last_at: datetime | None = None
    cached: CachedState | None = None


@frozen(kw_only=True)
class Committed(Generic[R]):
    """A command's outcome once durable: the stored events and the decision's result."""

    stored: Sequence[StoredEvent]
    result: R
    version: int


@frozen(kw_only=True)
class Prepared(Generic[R]):
    """A decision made and turned into its commit, not yet written."""

    commit: Commit
    decision: Decision[R]


class CommandRunner:
    """Load, decide and append, with bounded retries when another writer got there first."""

    def __init__(
        self,
        *,
        storage: Storage,
        converter: WalletcareConverter,
        clock: Clock,
        on_committed: OnCommitted,
        retries: int,
        sleep: Callable[[float], object] = time.sleep,
    ) -> None:
        self.storage = storage
        self.converter = converter
        self.clock = clock
        self.on_committed = on_committed
        self.retries = retries
        self.sleep = sleep
        self.random = random.Random()  # noqa: S311 (jitter, not secrecy)
        self.states = StateCache()

    def back_off(self, attempt: int) -> None:
        """Wait a random while, growing with ``attempt``, before deciding again.

        Two writers that collided and retried at once would collide again: a random wait
        (full jitter, doubling from ``BACKOFF_BASE`` up to ``BACKOFF_CAP``) sets them apart.
        """
        ceiling = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** (attempt - 1))
        self.sleep(self.random.uniform(0, ceiling.total_seconds()))

    def to_record(self, event: Event) -> NewEvent:
        """An event as the plain record storage keeps."""
        return NewEvent(
            kind=event.kind,
            schema_version=event.schema_version,
            at=event.at,
            data=self.converter.dumps_event_body(event),
        )

    def from_record(self, record: StoredEvent) -> Event:
        """A stored record back as its event, upcast to the current schema."""
        try:
            return self.converter.loads_event_body(record.kind, record.schema_version, record.data)
        except (ValueError, TypeError) as exc:
            raise DamagedRecord(
                f"stream {record.stream_id!r} event #{record.stream_version} "
                f"({record.kind}) is damaged: {exc}"
            ) from exc

    def load(self, stream_id: str) -> tuple[list[Event], int]:
        """A stream's events and its version."""
        records = self.storage.read_stream(stream_id)
        return [self.from_record(r) for r in records], len(records)

    def load_case(self, stream_id: str) -> tuple[Loaded, int]:
        """A stream's snapshot, if it has one, the events after it, and the stream's version.

        A state this process holds in memory stands in for the snapshot (nothing decoded).
        """
        cached = self.states.get(stream_id)
        if cached is not None:
            records = self.storage.read_stream(stream_id, cached.version)
            events = [self.from_record(r) for r in records]
            last_at = records[-1].at if records else cached.last_at
            loaded = Loaded(snapshot=None, events=events, last_at=last_at, cached=cached)
            return loaded, cached.version + len(records)
        snapshot = self.storage.read_snapshot(stream_id)
        after = snapshot.version if snapshot is not None else 0
        # The newest event the snapshot covers comes along (one row more, same read): a
        # command must not date its events before it.
        records = self.storage.read_stream(stream_id, max(after - 1, 0))
        covered = records[:1] if after and records and records[0].stream_version == after else []
        records = records[len(covered) :]
        events = [self.from_record(r) for r in records]
        newest = records or covered
        last_at = newest[-1].at if newest else None
        return Loaded(snapshot=snapshot, events=events, last_at=last_at), after + len(records)

    def run(
        self,
        stream_id: str,
        decide: Decide[R],
        *,
        now: datetime | None = None,
        consumes: tuple[str, str] | None = None,
    ) -> Committed[R]:
        """Decide on the stream's current history and append the decision atomically.

        A ``ConcurrencyConflict`` from another writer reloads and decides again, at most
        ``retries`` times; a refused decision (an exception from ``decide``) writes nothing.
        """
        return self._run(stream_id, self.load, decide, now=now, consumes=consumes)

    def run_case(
        self,
        stream_id: str,
        decide: Callable[[Loaded, datetime], Decision[R]],
        *,
        now: datetime | None = None,
        consumes: tuple[str, str] | None = None,
    ) -> Committed[R]:
        """Like ``run``, deciding on the stream's snapshot and the events after it."""
        return self._run(stream_id, self.load_case, decide, now=now, consumes=consumes)

    def _run(
        self,
        stream_id: str,
        load: Callable[[str], tuple[Any, int]],
        decide: Callable[[Any, datetime], Decision[R]],
        *,
        now: datetime | None,
        consumes: tuple[str, str] | None,
    ) -> Committed[R]:
        attempt = 0
        while True:
            loaded, version = load(stream_id)
            prepared = self.prepare(stream_id, loaded, version, decide, now=now, consumes=consumes)
            try:
                stored = self.storage.append(prepared.commit)
            except (ClaimLost, KeyTaken):
                raise  # deciding again cannot help: the claim or the key is another's
            except ConcurrencyConflict:
                attempt += 1
                if attempt > self.retries:
                    raise
                self.back_off(attempt)
                continue
            return self.committed(prepared, stored)

    def prepare(
        self,
        stream_id: str,
        loaded: Any,
        version: int,
        decide: Callable[[Any, datetime], Decision[R]],
        *,
        now: datetime | None,
        consumes: tuple[str, str] | None = None,
    ) -> Prepared[R]:
        """Decide on what was loaded at ``version`` and build the commit, writing nothing."""
        at = now if now is not None else self.clock.now()
        latest = _last_event_at(loaded)
        if latest is not None and latest > at:
            # A worker whose clock lags behind the stream's last event decides as of that
            # event: a stream never holds an event dated before the one it follows.
            at = latest
        decision = decide(loaded, at)
        commit = Commit(
            stream_id=stream_id,
            expected_version=version,
            events=[self.to_record(e) for e in decision.events],
            timers=decision.timers,
            messages=decision.messages,
            summary=decision.summary,
            consumes=consumes,
            take_keys=decision.take_keys,
            release_keys=decision.release_keys,
            snapshot=decision.snapshot,
        )
        return Prepared(commit=commit, decision=decision)

    def committed(self, prepared: Prepared[R], stored: Sequence[StoredEvent]) -> Committed[R]:
        """What follows a durable commit: the state cache, the observers, the outcome."""
        decision = prepared.decision
        if decision.cache is not None:
            self.states.put(prepared.commit.stream_id, decision.cache)
        self.on_committed(stored)
        version = prepared.commit.expected_version + len(stored)
        return Committed(stored=stored, result=decision.result, version=version)


def _last_event_at(loaded: object) -> datetime | None:
    """When the stream's newest event happened (None for a new stream)."""
    if isinstance(loaded, Loaded):
        return loaded.last_at
    events = loaded
    if isinstance(events, Sequence) and events and isinstance(events[-1], Event):
        return events[-1].at
    return None
