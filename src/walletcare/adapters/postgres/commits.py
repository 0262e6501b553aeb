"""A commit's statements, sent down psycopg's pipeline: alone in its own transaction
(``append``) or under a savepoint in a batch's transaction (``append_many``)."""

from __future__ import annotations

from datetime import UTC
from typing import Any

import psycopg

from walletcare.adapters.postgres.driver_errors import translate
from walletcare.adapters.postgres.rows import event_params, message_params
from walletcare.adapters.postgres.statements import Statements
from walletcare.errors import ClaimLost, ConcurrencyConflict, KeyTaken, ValidationError
from walletcare.ports import (
    REFUSALS,
    CancelTimer,
    Commit,
    SetTimer,
    StorageRefusal,
    StoredEvent,
    StreamSummary,
)

__all__ = ["CommitStatements"]

Connection = psycopg.Connection[tuple[Any, ...]]
Cursor = psycopg.Cursor[tuple[Any, ...]]


class CommitStatements:
    """Writes commits into one schema's tables with its statements."""

    def __init__(self, sql: Statements) -> None:
        self.sql = sql

    def append_in_batch(
        self, conn: Connection, commit: Commit
    ) -> list[StoredEvent] | StorageRefusal:
        """One commit of a batch, under its own savepoint in the batch's open transaction."""
        stream_id = commit.stream_id
        for i, message in enumerate(commit.messages):
            if message.stream_id != stream_id:
                # A stale version is reported first; earlier commits of the batch count.
                row = conn.execute(self.sql.stream_version, (stream_id,)).fetchone()
                if (int(row[0]) if row else 0) != commit.expected_version:
                    return ConcurrencyConflict(
                        f"stream {stream_id!r} moved past version {commit.expected_version}"
                    )
                return ValidationError.of(f"messages[{i}].stream_id", "must be the commit's stream")
        positions = conn.cursor()
        failure: psycopg.Error | None = None
        refusal: StorageRefusal | None = None
        try:
            # The savepoint and its release travel in the pipeline too: one round trip.
            with conn.pipeline() as pipeline:
                try:
                    cur = conn.cursor()
                    cur.execute(b"SAVEPOINT walletcare_commit")
                    self.queue_statements(cur, positions, pipeline, commit)
                    cur.execute(b"RELEASE SAVEPOINT walletcare_commit")
                except psycopg.Error as exc:
                    failure = exc  # kept: closing the aborted pipeline only says "aborted"
        except psycopg.Error as exc:
            failure = failure or exc
        except REFUSALS as exc:  # a lost claim or a taken key, found between round trips
            refusal = exc  # type: ignore[assignment]  # REFUSALS are these types
        if failure is not None:
            translated = translate(failure, "appending", stream_id)
            if not isinstance(translated, REFUSALS):
                raise translated from failure  # the whole batch fails, nothing written
            refusal = translated  # type: ignore[assignment]  # REFUSALS are these types
        if refusal is not None:
            conn.execute(b"ROLLBACK TO SAVEPOINT walletcare_commit")
            return refusal
        return self.stored(commit, positions)

    def stored(self, commit: Commit, positions: Cursor) -> list[StoredEvent]:
        """The commit's events as stored, from the first position the insert returned."""
        if not commit.events:
            return []
        first = int(positions.fetchall()[0][0])
        return [
            StoredEvent(
                stream_id=commit.stream_id,
                stream_version=commit.expected_version + offset,
                position=first + offset - 1,
                kind=event.kind,
                schema_version=event.schema_version,
                at=event.at.astimezone(UTC),
                data=event.data,
            )
            for offset, event in enumerate(commit.events, start=1)
        ]

    def queue(
        self, cur: Cursor, positions: Cursor, pipeline: psycopg.Pipeline, commit: Commit
    ) -> None:
        """Send the commit's statements, from BEGIN to COMMIT, down the pipeline."""
        cur.execute(b"BEGIN")
        self.queue_statements(cur, positions, pipeline, commit)
        cur.execute(b"COMMIT")

    def queue_statements(
        self, cur: Cursor, positions: Cursor, pipeline: psycopg.Pipeline, commit: Commit
    ) -> None:
        """Send the commit's statements down the pipeline, inside an open transaction."""
        self.guard(cur, pipeline, commit)
        self.change_timers(cur, commit)
        if commit.messages:
            cur.executemany(self.sql.queue_message, [message_params(m) for m in commit.messages])
        if commit.summary is not None:
            self.write_summary(cur, commit.stream_id, commit.summary)
        if commit.snapshot is not None:
            snap = commit.snapshot
            version = commit.expected_version + len(commit.events)
            row = (commit.stream_id, snap.kind, snap.schema, version, snap.data)
            cur.execute(self.sql.write_snapshot, row)
        if commit.take_keys or commit.release_keys:
            self.change_keys(cur, pipeline, commit)
        if commit.events:
            # Last before COMMIT: the position lock is held as briefly as possible.
            positions.execute(self.sql.insert_events, event_params(commit))

    def guard(self, cur: Cursor, pipeline: psycopg.Pipeline, commit: Commit) -> None:
        """Queue the version check; when the commit fires a timer, check the claim now."""
        new_version = commit.expected_version + len(commit.events)
        cur.execute(
            self.sql.guard_version,
            {"id": commit.stream_id, "expected": commit.expected_version, "new": new_version},
        )
        if commit.consumes is None:
            return
        name, token = commit.consumes
        consumed = cur.connection.cursor()
        consumed.execute(self.sql.consume_timer, (commit.stream_id, name, token))
        pipeline.sync()
        if consumed.rowcount != 1:
            raise ClaimLost(
                f"timer {name!r} of {commit.stream_id!r} is no longer held by this claim"
            )

    def change_keys(self, cur: Cursor, pipeline: psycopg.Pipeline, commit: Commit) -> None:
        """Release and take the commit's keys; ``KeyTaken`` if another stream holds one."""
        stream_id = commit.stream_id
        if commit.release_keys:
            cur.execute(self.sql.release_keys, (list(commit.release_keys), stream_id))
        if not commit.take_keys:
            return
        wanted = list(commit.take_keys)
        cur.execute(self.sql.take_keys, (stream_id, wanted))
        owners = cur.connection.cursor()
        owners.execute(self.sql.foreign_keys, (wanted, stream_id))
        pipeline.sync()
        held = dict(owners.fetchall())
        for key in wanted:
            if key in held:
                raise KeyTaken(key, held[key])

    def change_timers(self, cur: Cursor, commit: Commit) -> None:
        generation = commit.expected_version + len(commit.events)
        for change in commit.timers:
            if isinstance(change, SetTimer):
                due = change.due_at
                row = (commit.stream_id, change.name, due, due, change.payload, generation)
                cur.execute(self.sql.set_timer, row)
            elif isinstance(change, CancelTimer):
                cur.execute(self.sql.cancel_timer, (commit.stream_id, change.name))

    def write_summary(self, cur: Cursor, stream_id: str, summary: StreamSummary) -> None:
        for statement, rows in self.sql.summary.writes(stream_id, summary):
            cur.executemany(statement, rows)
