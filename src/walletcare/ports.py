"""What plugins provide (``Storage``, ``Clock``) and the plain records they exchange.

Records carry text, ids and aware UTC datetimes, never domain classes: a storage plugin stores
JSON text it does not need to understand, and the stored schema does not move when the
domain's classes do.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, Literal, Protocol, runtime_checkable

from attrs import field, frozen

from walletcare.domain.constructors import compile_init
from walletcare.domain.events import aware, non_empty
from walletcare.domain.frozenmap import FrozenMap, frozen_map
from walletcare.errors import ConcurrencyConflict, ValidationError

__all__ = [
    "Clock",
    "NewEvent",
    "StoredEvent",
    "SetTimer",
    "CancelTimer",
    "TimerChange",
    "Timer",
    "SetAsideTimer",
    "OutboundMessage",
    "MessageStatus",
    "DeliveryReceipt",
    "StreamSummary",
    "SummaryQuery",
    "OrderBy",
    "Snapshot",
    "Commit",
    "StorageRefusal",
    "REFUSALS",
    "Storage",
]


class Clock(Protocol):
    """Tells the time; the only place walletcare reads it."""

    def now(self) -> datetime:
        """The current instant, timezone-aware."""
        ...


@frozen(kw_only=True)
class NewEvent:
    """An event to append: its kind, schema version, instant and JSON body."""

    kind: str = field(validator=non_empty)
    schema_version: int
    at: datetime = field(validator=aware)
    data: str


@frozen(kw_only=True)
class StoredEvent:
    """An appended event: ``stream_version`` counts from 1 per stream; ``position`` is global."""

    stream_id: str
    stream_version: int
    position: int
    kind: str
    schema_version: int
    at: datetime
    data: str


@frozen(kw_only=True)
class SetTimer:
    """Arm (or re-arm, replacing) the timer ``name`` of the commit's stream."""

    name: str = field(validator=non_empty)
    due_at: datetime = field(validator=aware)
    payload: str = "{}"


@frozen(kw_only=True)
class CancelTimer:
    """Disarm the timer ``name`` of the commit's stream, if armed."""

    name: str = field(validator=non_empty)


TimerChange = SetTimer | CancelTimer


@frozen(kw_only=True)
class Timer:
    """An armed timer; ``generation`` is the stream version that armed it; ``token`` is set
    while a worker holds it claimed."""

    stream_id: str
    name: str
    due_at: datetime
    payload: str
    generation: int
    token: str | None = None
    damage: str = ""
    """Set by storage when the timer's row cannot be read: what is wrong with it (its
    ``due_at`` is then the time it was claimed). Such a timer is set aside, never fired."""


@frozen(kw_only=True)
class SetAsideTimer:
    """A timer taken out of the due set because it cannot fire: its row is damaged, or its
    stream cannot be read. ``due`` is the stored due time as text (it may be the damage)."""

    stream_id: str
    name: str
    due: str
    reason: str
    at: datetime


class MessageStatus(enum.StrEnum):
    """Where an outbox message stands."""

    PENDING = "pending"
    DELIVERED = "delivered"
    DEAD = "dead"


@frozen(kw_only=True)
class OutboundMessage:
    """A message to a customer or staff member; ``id`` is the idempotency key for channels."""

    id: str = field(validator=non_empty)
    stream_id: str
    channel: str = field(validator=non_empty)
    recipient: str = field(validator=non_empty)
    template: str = field(validator=non_empty)
    body: str
    subject: str = ""
    locale: str = "en"
    data: str = "{}"
    due_at: datetime = field(validator=aware)
    attempts: int = 0
    status: MessageStatus = MessageStatus.PENDING
    last_error: str = ""
    token: str | None = None


@frozen(kw_only=True)
class DeliveryReceipt:
    """What a channel plugin returns when it accepted a message."""

    message_id: str = field(validator=non_empty)
    channel: str = field(validator=non_empty)
    provider_ref: str = ""


def _attributes(value: object) -> FrozenMap[str, str]:
    mapping = frozen_map(value)
    for name, text in mapping.items():
        if not isinstance(name, str) or not name or not isinstance(text, str):
            raise ValidationError.of(
                f"attributes.{name}", "attribute names and values must be strings"
            )
    return mapping


def _optional_aware(_: object, attribute: Any, value: Any) -> None:
    if value is not None:
        aware(_, attribute, value)


@frozen(kw_only=True)
class StreamSummary:
    """A case's listing row, kept current by every commit so hosts never replay logs to list.

    ``attributes`` are the indexed values a case kind declares (customer, category, assignee,
    severity, tier, merchant ...), all text; ``next_deadline`` is the case's earliest running
    deadline, if any, so "what falls due in the next four hours" needs no replay.
    """

    stream_id: str = field(validator=non_empty)
    kind: str = field(validator=non_empty)
    status: str
    opened_at: datetime = field(validator=aware)
    updated_at: datetime = field(validator=aware)
    next_deadline: datetime | None = field(default=None, validator=_optional_aware)
    attributes: FrozenMap[str, str] = field(factory=FrozenMap, converter=_attributes)
    version: int = 0

    def get(self, name: str, default: str = "") -> str:
        """One attribute's value, or ``default`` when the kind did not write it."""
        return self.attributes.get(name, default)


OrderBy = Literal["opened", "deadline"]


def _wanted(value: object) -> FrozenMap[str, tuple[str, ...]]:
    mapping = frozen_map(value)
    wanted: dict[str, tuple[str, ...]] = {}
    for name, chosen in mapping.items():
        values = (chosen,) if isinstance(chosen, str) else chosen
        if (
            not isinstance(name, str)
            or not isinstance(values, Sequence)
            or not all(isinstance(v, str) for v in values)
        ):
            raise ValidationError.of(
                f"attributes.{name}", "must be a string or a sequence of strings"
            )
        wanted[name] = tuple(values)
    return FrozenMap(wanted)


@frozen(kw_only=True)
class SummaryQuery:
    """A filter over summaries; unset fields match anything.

    ``attributes`` maps an attribute to a value or to several (any of them matches).
    Ordered by ``opened_at`` then id, or with ``order_by="deadline"`` by ``next_deadline``
    then id (cases without a deadline are left out).
    """

    kind: str | None = None
    status: Sequence[str] | None = None
    attributes: FrozenMap[str, tuple[str, ...]] = field(factory=FrozenMap, converter=_wanted)
    opened_before: datetime | None = field(default=None, validator=_optional_aware)
    opened_after: datetime | None = field(default=None, validator=_optional_aware)
    deadline_before: datetime | None = field(default=None, validator=_optional_aware)
    order_by: OrderBy = "opened"
    limit: int = 100
    offset: int = 0

    def __attrs_post_init__(self) -> None:
        if isinstance(self.limit, bool) or not isinstance(self.limit, int):
            raise ValidationError.of("limit", f"must be an int, got {type(self.limit).__name__}")
        if isinstance(self.offset, bool) or not isinstance(self.offset, int):
            raise ValidationError.of("offset", f"must be an int, got {type(self.offset).__name__}")
        if self.limit < 1 or self.limit > 10_000:
            raise ValidationError.of("limit", f"must be 1..10000, got {self.limit}")
        if self.offset < 0:
            raise ValidationError.of("offset", f"must not be negative, got {self.offset}")
        if self.order_by not in ("opened", "deadline"):
            raise ValidationError.of(
                "order_by", f"must be 'opened' or 'deadline', got {self.order_by!r}"
            )
        if self.status is not None and (
            isinstance(self.status, str) or not all(isinstance(s, str) for s in self.status)
        ):
            raise ValidationError.of("status", "must be a sequence of strings")


@frozen(kw_only=True)
class Snapshot:
    """A case's state as of ``version``, as JSON text its kind wrote (``schema`` is the kind's
    state layout; a reader that does not know it replays the events instead).

    Kept in the same commit as the events it folds, so it is never ahead of or behind them;
    storage stamps ``version`` with the stream's version after the commit.
    """

    kind: str = field(validator=non_empty)
    schema: int
    data: str
    version: int = 0


@frozen(kw_only=True)
class Commit:
    """One atomic write: a stream's new events, its timer changes, its messages and summary.

    ``expected_version`` is the stream's version the decision was made on (0 for a new
    stream); another writer having moved it raises ``ConcurrencyConflict`` and nothing is
    written. ``consumes`` names a claimed timer this commit fires: its ``(name, token)``
    must still hold, so a timer fires at most once even if its claim expired meanwhile.
    ``take_keys`` are unique keys the stream takes in the same write (one held by another
    stream raises ``KeyTaken`` and nothing is written; one it holds already is kept);
    ``release_keys`` are keys it gives up. Keys make "at most one open case per customer
    and transaction" atomic across processes. ``snapshot`` replaces the stream's snapshot.
    """

    stream_id: str = field(validator=non_empty)
    expected_version: int
    events: Sequence[NewEvent] = ()
    timers: Sequence[TimerChange] = ()
    messages: Sequence[OutboundMessage] = ()
    summary: StreamSummary | None = None
    consumes: tuple[str, str] | None = None
    take_keys: Sequence[str] = ()
    release_keys: Sequence[str] = ()
    snapshot: Snapshot | None = None


StorageRefusal = ConcurrencyConflict | ValidationError
"""Why a storage refused one commit, writing nothing of it: a stale version
(``ConcurrencyConflict``), a key held by another stream (``KeyTaken``), a timer claim that no
longer holds (``ClaimLost``), or a record that does not fit (``ValidationError``)."""

REFUSALS: tuple[type[Exception], ...] = (ConcurrencyConflict, ValidationError)
"""The errors ``Storage.append_many`` reports in a commit's place instead of raising."""


@runtime_checkable
class Storage(Protocol):
    """Durable home of event streams, timers, the outbox and summaries.

    Every method is safe to call from several threads; built-ins are also safe from several
    processes. Driver errors surface as ``StorageError``.
    """

    def append(self, commit: Commit) -> list[StoredEvent]:
        """Write the commit atomically and durably; return the stored events."""
        ...

    def append_many(self, commits: Sequence[Commit]) -> list[list[StoredEvent] | StorageRefusal]:
        """Write several commits, each one atomic on its own, in as few durable transactions
        as the storage can (one for memory:// and SQLite: a savepoint per commit).

        Returns, for each commit in order, its stored events, or the ``StorageRefusal`` that
        refused it: a refused commit writes nothing and the others are kept. Commits are
        applied in order, so a commit may follow an earlier one of the same stream in the
        batch. Any other failure (a ``StorageError``) raises; in one transaction, it writes
        none of them.
        """
        ...

    def read_stream(self, stream_id: str, after_version: int = 0) -> list[StoredEvent]:
        """A stream's events with ``stream_version > after_version``, in order."""
        ...

    def stream_version(self, stream_id: str) -> int:
        """The stream's current version (0 if it does not exist)."""
        ...

    def read_all(self, after_position: int = 0, limit: int = 1000) -> list[StoredEvent]:
        """Events of all streams with ``position > after_position``, in position order.

        A reader that remembers the last position it saw never skips an event committed
        later with a smaller position: positions are handed out in commit order.
        """
        ...

    def get_summary(self, stream_id: str) -> StreamSummary | None:
        """The stream's summary, or None."""
        ...

    def key_owner(self, key: str) -> str | None:
        """The stream holding the unique ``key``, or None."""
        ...

    def read_snapshot(self, stream_id: str) -> Snapshot | None:
        """The stream's latest snapshot (stamped with the version it folds), or None."""
        ...

    def list_summaries(self, query: SummaryQuery) -> list[StreamSummary]:
        """Summaries matching ``query``."""
        ...

    def claim_due_timers(self, now: datetime, limit: int, lease: timedelta) -> list[Timer]:
        """Claim up to ``limit`` timers due at ``now``, earliest first, for ``lease``.

        A claimed timer is invisible to other claimers until its lease runs out.
        """
        ...

    def release_timer(self, timer: Timer, retry_at: datetime) -> bool:
        """Give back a claimed timer, due again at ``retry_at``; False if the claim was lost."""
        ...

    def get_timers(self, stream_id: str) -> list[Timer]:
        """A stream's armed timers, by name."""
        ...

    def set_timer_aside(self, timer: Timer, reason: str, now: datetime) -> bool:
        """Take a claimed timer out of the due set for good, kept with ``reason`` for
        ``set_aside_timers``; False, changing nothing, if the claim was lost."""
        ...

    def set_aside_timers(self, limit: int = 100) -> list[SetAsideTimer]:
        """The timers set aside, oldest first."""
        ...

    def claim_due_messages(
        self, now: datetime, limit: int, lease: timedelta
    ) -> list[OutboundMessage]:
        """Claim up to ``limit`` pending messages due at ``now``, earliest first, for ``lease``.

        A message whose row cannot be read is not returned: it is dead-lettered at ``now``
        with the damage (a ``StorageError`` naming the row) as its ``last_error``.
        """
        ...

    def settle_message(
        self,
        message: OutboundMessage,
        *,
        status: MessageStatus,
        attempts: int,
        due_at: datetime,
        error: str = "",
    ) -> bool:
        """Record a claimed message's fate (delivered, retry at ``due_at``, or dead).

        Returns False, changing nothing, if the claim was lost to another worker.
        """
        ...

    def get_message(self, message_id: str) -> OutboundMessage | None:
        """One outbox message by id."""
        ...

    def list_messages(
        self, status: MessageStatus, limit: int = 100, stream_id: str | None = None
    ) -> list[OutboundMessage]:
        """Messages with ``status`` (e.g. the dead letters), oldest due first."""
        ...

    def retry_message(self, message_id: str, due_at: datetime) -> bool:
        """Make a dead message pending again with a fresh attempt count; False if not dead."""
        ...

    def close(self) -> None:
        """Release connections; the storage is not used after this."""
        ...


# The records every command builds several of, constructed through compiled constructors
# (the same checks, in one test for their common case: ``walletcare.domain.constructors``).
for _record in (
    NewEvent, StoredEvent, SetTimer, CancelTimer, Timer, OutboundMessage, StreamSummary,
    Snapshot, Commit,
):  # fmt: skip
    compile_init(_record)
