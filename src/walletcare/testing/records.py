"""Small records for contract tests: events, messages and summaries at a fixed instant."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import attrs

from walletcare.ports import (
    NewEvent,
    OutboundMessage,
    StreamSummary,
)

__all__ = ["T0", "LEASE", "new_event", "message_for", "summary_for"]

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LEASE = timedelta(minutes=5)


def new_event(n: int = 1, kind: str = "test.happened") -> NewEvent:
    """A small event record whose body names ``n``."""
    return NewEvent(kind=kind, schema_version=1, at=T0 + timedelta(seconds=n), data=f'{{"n":{n}}}')


def message_for(stream_id: str, id: str | None = None, due_at: datetime = T0) -> OutboundMessage:
    """A pending message on the ``sms`` channel for ``stream_id``."""
    return OutboundMessage(
        id=id or uuid.uuid4().hex,
        stream_id=stream_id,
        channel="sms",
        recipient="+4915100000000",
        template="test.notice",
        body="Your case was updated.",
        due_at=due_at,
    )


def summary_for(
    stream_id: str, attributes: dict[str, str] | None = None, **changes: object
) -> StreamSummary:
    """A summary row for ``stream_id``; ``attributes`` are merged into the default ones."""
    base = StreamSummary(
        stream_id=stream_id,
        kind="complaint",
        status="received",
        opened_at=T0,
        updated_at=T0,
        attributes={"customer_id": "cust-1", "category": "fees", **(attributes or {})},
    )
    return attrs.evolve(base, **changes)  # type: ignore[arg-type]
