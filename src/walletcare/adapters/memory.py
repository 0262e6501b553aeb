"""``memory://``: the reference storage, thread-safe, gone when the process ends.

Its semantics are the contract every other storage is compared against.
"""

from __future__ import annotations

import heapq
import itertools
import threading
import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Generic, TypeVar, cast

import attrs

from walletcare.errors import ClaimLost, ConcurrencyConflict, KeyTaken, ValidationError
from walletcare.hookspecs import hookimpl
from walletcare.ports import (
    REFUSALS,
    CancelTimer,
    Commit,
    MessageStatus,
    OutboundMessage,
    SetAsideTimer,
    SetTimer,
    Snapshot,
    Storage,
    StorageRefusal,
    StoredEvent,
    StreamSummary,
    SummaryQuery,
    Timer,
)
from walletcare.settings import Settings

__all__ = ["MemoryStorage", "walletcare_storage", "matches", "ordering", "check_commit"]

T = TypeVar("T")
K = TypeVar("K")


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


_FIELDS: dict[type, tuple[str, ...]] = {}


def _replace(value: T, **changes: object) -> T:
    """A copy of the frozen record ``value`` with ``changes``, as ``attrs.evolve`` makes it,
    without building it again: its fields were checked when it was built, and ``changes``
    are the storage's own (versions, UTC times, no claim token)."""
    cls = type(value)
    names = _FIELDS.get(cls)
    if names is None:
        names = _FIELDS[cls] = tuple(a.name for a in attrs.fields(cast(Any, cls)))
    copy = object.__new__(cls)
    for name in names:
        object.__setattr__(copy, name, changes[name] if name in changes else getattr(value, name))
    return copy


def check_commit(commit: Commit, version: int) -> None:
    """Refuse a commit whose expected version is stale or whose records do not fit its stream."""
    if commit.expected_version != version:
        raise ConcurrencyConflict(
            f"stream {commit.stream_id!r} is at version {version}, "
            f"the commit expected {commit.expected_version}"
        )
    for i, message in enumerate(commit.messages):
        if message.stream_id != commit.stream_id:
            raise ValidationError.of(f"messages[{i}].stream_id", "must be the commit's stream")


def matches(summary: StreamSummary, query: SummaryQuery) -> bool:
    """Tell whether ``summary`` passes ``query``'s filters (shared by built-in storages)."""
    deadline = summary.next_deadline
    return (
        (query.kind is None or summary.kind == query.kind)
        and (query.status is None or summary.status in query.status)
        and all(
            name in summary.attributes and summary.attributes[name] in values
            for name, values in query.attributes.items()
        )
        and (query.opened_before is None or summary.opened_at < query.opened_before)
        and (query.opened_after is None or summary.opened_at >= query.opened_after)
        and (query.order_by != "deadline" or deadline is not None)
        and (
            query.deadline_before is None
            or (deadline is not None and deadline < query.deadline_before)
        )
    )


def ordering(query: SummaryQuery) -> Callable[[StreamSummary], tuple[datetime, str]]:
    """The sort key ``query.order_by`` asks for."""
    if query.order_by == "deadline":
        return lambda s: (s.next_deadline or s.opened_at, s.stream_id)
    return lambda s: (s.opened_at, s.stream_id)


class _DueQueue(Generic[K]):
    """Keys ordered by when they become claimable; stale heap entries are skipped."""

    def __init__(self) -> None:
        self._heap: list[tuple[datetime, int, K]] = []
        self._ready: dict[K, datetime] = {}
        self._seq = itertools.count()

    def put(self, key: K, ready_at: datetime) -> None:
        self._ready[key] = ready_at
        heapq.heappush(self._heap, (ready_at, next(self._seq), key))

    def discard(self, key: K) -> None:
        self._ready.pop(key, None)

    def pop_due(self, now: datetime, limit: int) -> list[K]:
        found: list[K] = []
        while self._heap and len(found) < limit and self._heap[0][0] <= now:
            ready_at, _, key = heapq.heappop(self._heap)
            if self._ready.get(key) == ready_at:
                del self._ready[key]
                found.append(key)
        return found


class MemoryStorage:
    """In-process storage with the exact semantics of the contract."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._events: list[StoredEvent] = []
        self._streams: dict[str, list[StoredEvent]] = {}
        self._summaries: dict[str, StreamSummary] = {}
        # (attribute, value) -> the streams whose summary has it: listing a customer's cases
        # costs what they have, not a scan of every case.
        self._by_attribute: dict[tuple[str, str], set[str]] = {}
        self._keys: dict[str, str] = {}
        self._snapshots: dict[str, Snapshot] = {}
        self._timers: dict[tuple[str, str], Timer] = {}
        self._timer_queue: _DueQueue[tuple[str, str]] = _DueQueue()
        self._set_aside: dict[tuple[str, str], SetAsideTimer] = {}
        self._messages: dict[str, OutboundMessage] = {}
        self._message_queue: _DueQueue[str] = _DueQueue()

    def append(self, commit: Commit) -> list[StoredEvent]:
        with self._lock:
            return self._append(commit)

    def append_many(self, commits: Sequence[Commit]) -> list[list[StoredEvent] | StorageRefusal]:
        with self._lock:
            outcomes: list[list[StoredEvent] | StorageRefusal] = []
            for commit in commits:
                try:
                    outcomes.append(self._append(commit))
                except REFUSALS as refusal:
                    outcomes.append(cast(StorageRefusal, refusal))
            return outcomes

    def _append(self, commit: Commit) -> list[StoredEvent]:
        """Check everything, then change everything: a refused commit changes nothing."""
        stream = self._streams.get(commit.stream_id, [])
        check_commit(commit, len(stream))
        if commit.consumes is not None:
            name, token = commit.consumes
            held = self._timers.get((commit.stream_id, name))
            if held is None or held.token != token:
                raise ClaimLost(
                    f"timer {name!r} of {commit.stream_id!r} is no longer held by this claim"
                )
        for message in commit.messages:
            if message.id in self._messages:
                raise ValidationError.of("messages.id", f"{message.id!r} is already queued")
        self._change_keys(commit)
        if commit.consumes is not None:
            key = (commit.stream_id, commit.consumes[0])
            del self._timers[key]
            self._timer_queue.discard(key)
        stored: list[StoredEvent] = []
        for event in commit.events:
            record = StoredEvent(
                stream_id=commit.stream_id,
                stream_version=len(stream) + len(stored) + 1,
                position=len(self._events) + len(stored) + 1,
                kind=event.kind,
                schema_version=event.schema_version,
                at=_utc(event.at),
                data=event.data,
            )
            stored.append(record)
        self._events.extend(stored)
        stream.extend(stored)
        self._streams[commit.stream_id] = stream
        for change in commit.timers:
            key = (commit.stream_id, change.name)
            if isinstance(change, SetTimer):
                due = _utc(change.due_at)
                self._timers[key] = Timer(
                    stream_id=commit.stream_id,
                    name=change.name,
                    due_at=due,
                    payload=change.payload,
                    generation=len(stream),
                )
                self._timer_queue.put(key, due)
            elif isinstance(change, CancelTimer):
                self._timers.pop(key, None)
                self._timer_queue.discard(key)
        for message in commit.messages:
            queued = _replace(message, due_at=_utc(message.due_at), token=None)
            self._messages[message.id] = queued
            self._message_queue.put(message.id, queued.due_at)
        if commit.summary is not None:
            self._index(_replace(commit.summary, version=len(stream)))
        if commit.snapshot is not None:
            self._snapshots[commit.stream_id] = _replace(commit.snapshot, version=len(stream))
        return stored

    def _index(self, summary: StreamSummary) -> None:
        """Keep ``summary`` and index its attributes (only those that changed, on an update)."""
        stream_id, new = summary.stream_id, summary.attributes
        old = self._summaries.get(stream_id)
        self._summaries[stream_id] = summary
        if old is None:
            for pair in new.items():
                self._by_attribute.setdefault(pair, set()).add(stream_id)
            return
        before = old.attributes
        for name, value in before.items():
            if new.get(name) != value:
                self._by_attribute[(name, value)].discard(stream_id)
        for name, value in new.items():
            if before.get(name) != value:
                self._by_attribute.setdefault((name, value), set()).add(stream_id)

    def read_stream(self, stream_id: str, after_version: int = 0) -> list[StoredEvent]:
        with self._lock:
            return self._streams.get(stream_id, [])[max(after_version, 0) :]

    def stream_version(self, stream_id: str) -> int:
        with self._lock:
            return len(self._streams.get(stream_id, []))

    def read_all(self, after_position: int = 0, limit: int = 1000) -> list[StoredEvent]:
        with self._lock:
            start = max(after_position, 0)
            return self._events[start : start + limit]

    def _change_keys(self, commit: Commit) -> None:
        """Take and release the commit's keys, or raise ``KeyTaken`` having changed nothing."""
        for unique in commit.take_keys:
            owner = self._keys.get(unique)
            if owner is not None and owner != commit.stream_id:
                raise KeyTaken(unique, owner)
        for unique in commit.release_keys:
            if self._keys.get(unique) == commit.stream_id:
                del self._keys[unique]
        for unique in commit.take_keys:
            self._keys[unique] = commit.stream_id

    def read_snapshot(self, stream_id: str) -> Snapshot | None:
        with self._lock:
            return self._snapshots.get(stream_id)

    def key_owner(self, key: str) -> str | None:
        with self._lock:
            return self._keys.get(key)

    def get_summary(self, stream_id: str) -> StreamSummary | None:
        with self._lock:
            return self._summaries.get(stream_id)

    def list_summaries(self, query: SummaryQuery) -> list[StreamSummary]:
        with self._lock:
            candidates: Iterable[StreamSummary] = self._summaries.values()
            if query.attributes:
                # The narrowest attribute filter picks the candidates; the rest are checked.
                chosen = min(
                    (
                        set().union(*(self._by_attribute.get((name, v), ()) for v in values))
                        for name, values in query.attributes.items()
                    ),
                    key=len,
                )
                candidates = [self._summaries[stream_id] for stream_id in chosen]
            found = sorted((s for s in candidates if matches(s, query)), key=ordering(query))
        return found[query.offset : query.offset + query.limit]

    def claim_due_timers(self, now: datetime, limit: int, lease: timedelta) -> list[Timer]:
        now = _utc(now)
        with self._lock:
            claimed = []
            for key in self._timer_queue.pop_due(now, limit):
                timer = attrs.evolve(self._timers[key], token=uuid.uuid4().hex)
                self._timers[key] = timer
                self._timer_queue.put(key, now + lease)
                claimed.append(timer)
            return sorted(claimed, key=lambda t: (t.due_at, t.stream_id, t.name))

    def release_timer(self, timer: Timer, retry_at: datetime) -> bool:
        key = (timer.stream_id, timer.name)
        with self._lock:
            held = self._timers.get(key)
            if held is None or held.token is None or held.token != timer.token:
                return False
            self._timers[key] = attrs.evolve(held, token=None)
            self._timer_queue.put(key, _utc(retry_at))
            return True

    def set_timer_aside(self, timer: Timer, reason: str, now: datetime) -> bool:
        key = (timer.stream_id, timer.name)
        with self._lock:
            held = self._timers.get(key)
            if held is None or held.token is None or held.token != timer.token:
                return False
            del self._timers[key]
            self._timer_queue.discard(key)
            self._set_aside[key] = SetAsideTimer(
                stream_id=held.stream_id,
                name=held.name,
                due=held.due_at.isoformat(),
                reason=reason,
                at=_utc(now),
            )
            return True

    def set_aside_timers(self, limit: int = 100) -> list[SetAsideTimer]:
        with self._lock:
            found = sorted(self._set_aside.values(), key=lambda t: (t.at, t.stream_id, t.name))
        return found[:limit]

    def get_timers(self, stream_id: str) -> list[Timer]:
        with self._lock:
            found = [t for (s, _), t in self._timers.items() if s == stream_id]
        return sorted((attrs.evolve(t, token=None) for t in found), key=lambda t: t.name)

    def claim_due_messages(
        self, now: datetime, limit: int, lease: timedelta
    ) -> list[OutboundMessage]:
        now = _utc(now)
        with self._lock:
            claimed = []
            for message_id in self._message_queue.pop_due(now, limit):
                message = attrs.evolve(self._messages[message_id], token=uuid.uuid4().hex)
                self._messages[message_id] = message
                self._message_queue.put(message_id, now + lease)
                claimed.append(message)
            return sorted(claimed, key=lambda m: (m.due_at, m.id))

    def settle_message(
        self,
        message: OutboundMessage,
        *,
        status: MessageStatus,
        attempts: int,
        due_at: datetime,
        error: str = "",
    ) -> bool:
        with self._lock:
            held = self._messages.get(message.id)
            if held is None or held.token is None or held.token != message.token:
                return False
            due = _utc(due_at)
            self._messages[message.id] = attrs.evolve(
                held, status=status, attempts=attempts, due_at=due, last_error=error, token=None
            )
            if status is MessageStatus.PENDING:
                self._message_queue.put(message.id, due)
            else:
                self._message_queue.discard(message.id)
            return True

    def get_message(self, message_id: str) -> OutboundMessage | None:
        with self._lock:
            message = self._messages.get(message_id)
        return None if message is None else attrs.evolve(message, token=None)

    def list_messages(
        self, status: MessageStatus, limit: int = 100, stream_id: str | None = None
    ) -> list[OutboundMessage]:
        with self._lock:
            found = [
                attrs.evolve(m, token=None)
                for m in self._messages.values()
                if m.status is status and (stream_id is None or m.stream_id == stream_id)
            ]
        return sorted(found, key=lambda m: (m.due_at, m.id))[:limit]

    def retry_message(self, message_id: str, due_at: datetime) -> bool:
        with self._lock:
            message = self._messages.get(message_id)
            if message is None or message.status is not MessageStatus.DEAD:
                return False
            due = _utc(due_at)
            self._messages[message_id] = attrs.evolve(
                message, status=MessageStatus.PENDING, attempts=0, due_at=due, token=None
            )
            self._message_queue.put(message_id, due)
            return True

    def close(self) -> None:
        """Nothing to release."""


@hookimpl
def walletcare_storage(settings: Settings) -> Storage | None:
    """Open ``memory://`` storage (a fresh one each time)."""
    if settings.storage_url.split(":", 1)[0] != "memory":
        return None
    return MemoryStorage()
