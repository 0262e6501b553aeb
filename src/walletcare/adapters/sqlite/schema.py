"""The SQLite storage's schema, its migrations, and how rows map to and from records.

Times are stored as integer microseconds since the Unix epoch, UTC.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Final
from urllib.parse import parse_qs, urlsplit

from walletcare.errors import ConfigurationError
from walletcare.ports import MessageStatus, OutboundMessage, StoredEvent, StreamSummary

__all__ = [
    "MIGRATIONS",
    "SYNC_MODES",
    "EVENT_COLUMNS",
    "MESSAGE_COLUMNS",
    "MICRO",
    "to_us",
    "from_us",
    "event_of",
    "message_of",
    "summary_of",
    "parse_url",
]

EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
MICRO: Final = timedelta(microseconds=1)

MIGRATIONS: Final[tuple[str, ...]] = (
    # 1: streams with their summaries, the event log, timers and the outbox.
    """
    CREATE TABLE streams (
        stream_id TEXT PRIMARY KEY,
        version INTEGER NOT NULL,
        kind TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL DEFAULT '',
        customer_id TEXT NOT NULL DEFAULT '',
        category TEXT NOT NULL DEFAULT '',
        assignee TEXT NOT NULL DEFAULT '',
        opened_us INTEGER,
        updated_us INTEGER,
        summary_version INTEGER
    ) WITHOUT ROWID;
    CREATE INDEX streams_by_customer ON streams (customer_id, opened_us)
        WHERE opened_us IS NOT NULL;
    CREATE INDEX streams_by_status ON streams (status, opened_us) WHERE opened_us IS NOT NULL;
    CREATE INDEX streams_by_assignee ON streams (assignee, opened_us) WHERE opened_us IS NOT NULL;
    CREATE INDEX streams_by_opened ON streams (opened_us) WHERE opened_us IS NOT NULL;
    CREATE TABLE events (
        position INTEGER PRIMARY KEY,
        stream_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        kind TEXT NOT NULL,
        schema_version INTEGER NOT NULL,
        at_us INTEGER NOT NULL,
        data TEXT NOT NULL,
        UNIQUE (stream_id, version)
    );
    CREATE TABLE timers (
        stream_id TEXT NOT NULL,
        name TEXT NOT NULL,
        due_us INTEGER NOT NULL,
        ready_us INTEGER NOT NULL,
        payload TEXT NOT NULL,
        generation INTEGER NOT NULL,
        token TEXT,
        PRIMARY KEY (stream_id, name)
    ) WITHOUT ROWID;
    CREATE INDEX timers_by_ready ON timers (ready_us);
    CREATE TABLE outbox (
        id TEXT PRIMARY KEY,
        stream_id TEXT NOT NULL,
        channel TEXT NOT NULL,
        recipient TEXT NOT NULL,
        template TEXT NOT NULL,
        subject TEXT NOT NULL,
        body TEXT NOT NULL,
        locale TEXT NOT NULL,
        data TEXT NOT NULL,
        due_us INTEGER NOT NULL,
        ready_us INTEGER NOT NULL,
        attempts INTEGER NOT NULL,
        status TEXT NOT NULL,
        last_error TEXT NOT NULL,
        token TEXT
    );
    CREATE INDEX outbox_by_ready ON outbox (ready_us) WHERE status = 'pending';
    CREATE INDEX outbox_by_status ON outbox (status, due_us);
    """,
    # 2: kind-neutral summaries: indexed attributes each kind declares, and the next deadline.
    # Release 0.1's complaint columns move into attributes and are dropped.
    """
    CREATE TABLE summary_attributes (
        stream_id TEXT NOT NULL,
        name TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (stream_id, name)
    ) WITHOUT ROWID;
    CREATE INDEX summary_attributes_by_value ON summary_attributes (name, value, stream_id);
    INSERT INTO summary_attributes (stream_id, name, value)
        SELECT stream_id, 'customer_id', customer_id FROM streams WHERE opened_us IS NOT NULL;
    INSERT INTO summary_attributes (stream_id, name, value)
        SELECT stream_id, 'category', category FROM streams WHERE opened_us IS NOT NULL;
    INSERT INTO summary_attributes (stream_id, name, value)
        SELECT stream_id, 'assignee', assignee FROM streams WHERE opened_us IS NOT NULL;
    DROP INDEX streams_by_customer;
    DROP INDEX streams_by_assignee;
    ALTER TABLE streams DROP COLUMN customer_id;
    ALTER TABLE streams DROP COLUMN category;
    ALTER TABLE streams DROP COLUMN assignee;
    ALTER TABLE streams ADD COLUMN deadline_us INTEGER;
    CREATE INDEX streams_by_deadline ON streams (deadline_us) WHERE deadline_us IS NOT NULL;
    """,
    # 3: unique keys a stream holds (one open complaint per customer and transaction ...).
    """
    CREATE TABLE stream_keys (
        key TEXT PRIMARY KEY,
        stream_id TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX stream_keys_by_stream ON stream_keys (stream_id);
    """,
    # 4: each case's latest state, written in the commit of the events it folds.
    """
    CREATE TABLE snapshots (
        stream_id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        schema INTEGER NOT NULL,
        version INTEGER NOT NULL,
        data TEXT NOT NULL
    ) WITHOUT ROWID;
    """,
    # 5: timers set aside because they cannot fire (a damaged row, an unreadable stream).
    """
    CREATE TABLE timers_set_aside (
        stream_id TEXT NOT NULL,
        name TEXT NOT NULL,
        due TEXT NOT NULL,
        reason TEXT NOT NULL,
        at_us INTEGER NOT NULL,
        PRIMARY KEY (stream_id, name)
    ) WITHOUT ROWID;
    CREATE INDEX timers_set_aside_by_time ON timers_set_aside (at_us);
    """,
)

SYNC_MODES: Final = {"full": "FULL", "normal": "NORMAL", "extra": "EXTRA"}
EVENT_COLUMNS: Final = "stream_id, version, position, kind, schema_version, at_us, data"
MESSAGE_COLUMNS: Final = (
    "id, stream_id, channel, recipient, template, subject, body, locale, data, due_us, "
    "attempts, status, last_error, token"
)


def to_us(value: datetime) -> int:
    """An aware datetime as integer microseconds since the epoch."""
    return (value - EPOCH) // MICRO


def from_us(value: int) -> datetime:
    """Integer microseconds since the epoch as an aware UTC datetime."""
    return EPOCH + timedelta(microseconds=value)


def event_of(row: Sequence[Any]) -> StoredEvent:
    return StoredEvent(
        stream_id=row[0],
        stream_version=row[1],
        position=row[2],
        kind=row[3],
        schema_version=row[4],
        at=from_us(row[5]),
        data=row[6],
    )


def message_of(row: Sequence[Any]) -> OutboundMessage:
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
        due_at=from_us(row[9]),
        attempts=row[10],
        status=MessageStatus(row[11]),
        last_error=row[12],
        token=row[13],
    )


def summary_of(row: Sequence[Any]) -> StreamSummary:
    return StreamSummary(
        stream_id=row[0],
        kind=row[1],
        status=row[2],
        opened_at=from_us(row[3]),
        updated_at=from_us(row[4]),
        next_deadline=from_us(row[5]) if row[5] is not None else None,
        version=row[6],
        attributes=json.loads(row[7]) if row[7] else {},
    )


def parse_url(url: str) -> tuple[str, dict[str, str]]:
    """Split ``sqlite:///path?opt=value`` into the file path and its options."""
    parts = urlsplit(url)
    if parts.scheme != "sqlite":
        raise ConfigurationError(f"not an sqlite URL: {url!r}")
    if parts.netloc:
        raise ConfigurationError(
            f"sqlite URLs have no host: use sqlite:///relative or sqlite:////absolute, got {url!r}"
        )
    path = parts.path[1:] if parts.path.startswith("/") else parts.path
    if not path:
        raise ConfigurationError(f"the sqlite URL names no file: {url!r}")
    if "\x00" in path:
        raise ConfigurationError(f"the sqlite URL's path holds a NUL character: {url!r}")
    options = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    unknown = set(options) - {"synchronous", "busy_timeout_ms", "create_dirs"}
    if unknown:
        raise ConfigurationError(f"unknown sqlite URL options {sorted(unknown)} in {url!r}")
    return path, options
