"""The SQL the PostgreSQL storage runs, rendered once per schema.

Kept apart from the code that runs it so the whole of walletcare's SQL reads in one place.
"""

from __future__ import annotations

from walletcare.adapters.postgres.summaries import SummarySQL

__all__ = ["Statements"]

_EVENT_COLUMNS = "stream_id, version, position, kind, schema_version, at, data"
_MESSAGE_COLUMNS = (
    "id, stream_id, channel, recipient, template, subject, body, locale, data, due_at, "
    "attempts, status, last_error"
)


def _text(statement: str) -> bytes:
    return statement.encode()


class Statements:
    """Every statement for the schema whose quoted name is given, as bytes ready to send."""

    guard_version: bytes
    consume_timer: bytes
    set_timer: bytes
    cancel_timer: bytes
    queue_message: bytes
    insert_events: bytes
    release_keys: bytes
    take_keys: bytes
    foreign_keys: bytes
    key_owner: bytes
    write_snapshot: bytes
    read_snapshot: bytes
    read_stream: bytes
    stream_version: bytes
    read_all: bytes
    claim_timers: bytes
    release_timer: bytes
    get_timers: bytes
    claim_messages: bytes
    settle_message: bytes
    get_message: bytes
    list_messages: bytes
    list_stream_messages: bytes
    retry_message: bytes
    summary: SummarySQL

    def __init__(self, s: str) -> None:
        # Moves the stream from the expected version to the new one, or writes -1, which the
        # CHECK constraint refuses: a stale commit fails on its first statement and the rest
        # of the pipeline is skipped. CHECK runs before ON CONFLICT, so the inserted row is
        # valid whenever the stream exists; ON CONFLICT waits for a concurrent creator.
        self.guard_version = _text(
            f"INSERT INTO {s}.streams AS st (stream_id, version) VALUES (%(id)s, "
            f"CASE WHEN %(expected)s = 0 OR EXISTS (SELECT FROM {s}.streams "
            "WHERE stream_id = %(id)s) THEN %(new)s ELSE -1 END) "
            "ON CONFLICT (stream_id) DO UPDATE SET version = "
            "CASE WHEN st.version = %(expected)s THEN %(new)s ELSE -1 END"
        )
        self.consume_timer = _text(
            f"DELETE FROM {s}.timers WHERE stream_id = %s AND name = %s AND token = %s",
        )
        self.set_timer = _text(
            f"INSERT INTO {s}.timers (stream_id, name, due_at, ready_at, payload, generation) "
            "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (stream_id, name) DO UPDATE SET "
            "due_at = excluded.due_at, ready_at = excluded.ready_at, "
            "payload = excluded.payload, generation = excluded.generation, token = NULL",
        )
        self.cancel_timer = _text(f"DELETE FROM {s}.timers WHERE stream_id = %s AND name = %s")
        self.queue_message = _text(
            f"INSERT INTO {s}.outbox ({_MESSAGE_COLUMNS}, ready_at) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
        )
        # Taking positions locks the counter's row until COMMIT: the commit-order guarantee.
        # Returns the first position; the others follow it one by one. The arrays travel in
        # binary, which spares escaping every event's JSON as an array literal.
        self.insert_events = _text(
            f"WITH taken AS (UPDATE {s}.positions SET last = last + %(count)s RETURNING last), "
            f"inserted AS (INSERT INTO {s}.events "
            "(position, stream_id, version, kind, schema_version, at, data) "
            "SELECT taken.last - %(count)s + e.n, %(id)s, %(version)s + e.n, e.kind, "
            "e.schema_version, e.at, e.data FROM taken, unnest(%(kinds)b::text[], "
            "%(schema_versions)b::int4[], %(ats)b::timestamptz[], %(datas)b::text[]) "
            "WITH ORDINALITY AS e(kind, schema_version, at, data, n) "
            "RETURNING position) SELECT min(position) FROM inserted"
        )
        self.release_keys = _text(
            f"DELETE FROM {s}.stream_keys WHERE key = ANY(%s) AND stream_id = %s"
        )
        # A key another transaction is taking is waited for; then whoever holds it is read.
        self.take_keys = _text(
            f"INSERT INTO {s}.stream_keys (key, stream_id) SELECT k, %s FROM unnest(%s::text[]) "
            "AS k ON CONFLICT (key) DO NOTHING"
        )
        self.foreign_keys = _text(
            f"SELECT key, stream_id FROM {s}.stream_keys WHERE key = ANY(%s) AND stream_id <> %s"
        )
        self.key_owner = _text(f"SELECT stream_id FROM {s}.stream_keys WHERE key = %s")
        self.write_snapshot = _text(
            f"INSERT INTO {s}.snapshots (stream_id, kind, schema, version, data) "
            "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (stream_id) DO UPDATE SET "
            "kind = excluded.kind, schema = excluded.schema, version = excluded.version, "
            "data = excluded.data"
        )
        self.read_snapshot = _text(
            f"SELECT kind, schema, version, data FROM {s}.snapshots WHERE stream_id = %s"
        )
        self.read_stream = _text(
            f"SELECT {_EVENT_COLUMNS} FROM {s}.events WHERE stream_id = %s AND version > %s "
            "ORDER BY version",
        )
        self.stream_version = _text(f"SELECT version FROM {s}.streams WHERE stream_id = %s")
        self.read_all = _text(
            f"SELECT {_EVENT_COLUMNS} FROM {s}.events WHERE position > %s "
            "ORDER BY position LIMIT %s",
        )
        # SKIP LOCKED: rows another worker is claiming, or a commit is re-arming, are left to
        # the next tick instead of being waited for.
        self.claim_timers = _text(
            f"WITH due AS (SELECT stream_id, name FROM {s}.timers WHERE ready_at <= %s "
            "ORDER BY ready_at LIMIT %s FOR UPDATE SKIP LOCKED) "
            f"UPDATE {s}.timers AS t SET ready_at = %s, token = %s FROM due "
            "WHERE t.stream_id = due.stream_id AND t.name = due.name "
            "RETURNING t.stream_id, t.name, t.due_at, t.payload, t.generation",
        )
        self.release_timer = _text(
            f"UPDATE {s}.timers SET ready_at = %s, token = NULL "
            "WHERE stream_id = %s AND name = %s AND token = %s",
        )
        self.get_timers = _text(
            f"SELECT stream_id, name, due_at, payload, generation FROM {s}.timers "
            "WHERE stream_id = %s ORDER BY name",
        )
        self.claim_messages = _text(
            f"WITH due AS (SELECT id FROM {s}.outbox WHERE status = 'pending' "
            "AND ready_at <= %s ORDER BY ready_at LIMIT %s FOR UPDATE SKIP LOCKED) "
            f"UPDATE {s}.outbox AS o SET ready_at = %s, token = %s FROM due WHERE o.id = due.id "
            "RETURNING o.id, o.stream_id, o.channel, o.recipient, o.template, o.subject, "
            "o.body, o.locale, o.data, o.due_at, o.attempts, o.status, o.last_error"
        )
        self.settle_message = _text(
            f"UPDATE {s}.outbox SET status = %s, attempts = %s, due_at = %s, ready_at = %s, "
            "last_error = %s, token = NULL WHERE id = %s AND token = %s",
        )
        self.get_message = _text(f"SELECT {_MESSAGE_COLUMNS} FROM {s}.outbox WHERE id = %s")
        self.list_messages = _text(
            f"SELECT {_MESSAGE_COLUMNS} FROM {s}.outbox WHERE status = %s "
            "ORDER BY due_at, id LIMIT %s",
        )
        self.list_stream_messages = _text(
            f"SELECT {_MESSAGE_COLUMNS} FROM {s}.outbox WHERE status = %s AND stream_id = %s "
            "ORDER BY due_at, id LIMIT %s",
        )
        self.retry_message = _text(
            f"UPDATE {s}.outbox SET status = 'pending', attempts = 0, due_at = %s, "
            "ready_at = %s, token = NULL WHERE id = %s AND status = 'dead'",
        )
        self.summary = SummarySQL(s)
