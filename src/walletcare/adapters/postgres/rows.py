"""Rows of the PostgreSQL tables as walletcare's records, and records as statement parameters."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from walletcare.ports import Commit, MessageStatus, OutboundMessage, StoredEvent

__all__ = ["event_from_row", "event_params", "message_from_row", "message_params"]


def event_from_row(row: Sequence[Any]) -> StoredEvent:
    """A stored event from a row of ``stream_id, version, position, kind, schema_version,
    at, data``."""
    return StoredEvent(
        stream_id=row[0],
        stream_version=row[1],
        position=row[2],
        kind=row[3],
        schema_version=row[4],
        at=row[5],
        data=row[6],
    )


def event_params(commit: Commit) -> dict[str, Any]:
    """Parameters of the statement inserting ``commit``'s events, as arrays."""
    events = commit.events
    return {
        "count": len(events),
        "id": commit.stream_id,
        "version": commit.expected_version,
        "kinds": [e.kind for e in events],
        "schema_versions": [e.schema_version for e in events],
        "ats": [e.at for e in events],
        "datas": [e.data for e in events],
    }


def message_from_row(row: Sequence[Any], token: str | None) -> OutboundMessage:
    """An outbox message from a row of the message columns, with the claim ``token``."""
    return OutboundMessage(
        id=row[0],
        stream_id=row[1],
        channel=row[2],
        recipient=row[3],
        template=row[4],
        subject=row[5],
        body=row[6],
        locale=row[7],
        data=row[8],
        due_at=row[9],
        attempts=row[10],
        status=MessageStatus(row[11]),
        last_error=row[12],
        token=token,
    )


def message_params(message: OutboundMessage) -> tuple[Any, ...]:
    """Parameters of the statement queueing ``message`` (its due time is when it is ready)."""
    return (
        message.id,
        message.stream_id,
        message.channel,
        message.recipient,
        message.template,
        message.subject,
        message.body,
        message.locale,
        message.data,
        message.due_at,
        message.attempts,
        message.status.value,
        message.last_error,
        message.due_at,
    )
