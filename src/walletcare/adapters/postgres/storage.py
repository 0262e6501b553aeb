"""``PostgresStorage``: streams, timers, the outbox and summaries in one PostgreSQL schema.

One append is one transaction, sent in psycopg's pipeline mode so a command costs one round
trip to the server (two when it fires a claimed timer or takes unique keys, which are checked
before the rest is sent); ``append_many`` writes a batch in one transaction, a savepoint per
commit (``commits``). Positions are handed out in commit
order: the row of a one-row counter is locked by the statement that takes positions and
stays locked until the transaction ends, so a transaction holding lower positions has always
committed, and become visible, before one holding higher positions can commit. That statement
is the last before COMMIT, so the lock is held for the insert of the events and the commit
alone. Timers and messages are claimed with ``FOR UPDATE SKIP LOCKED`` through indexes on the
time they become claimable, so many workers tick one database without waiting for each other.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import psycopg
from psycopg_pool import ConnectionPool

from walletcare.adapters.postgres import schema as migrations
from walletcare.adapters.postgres.address import PostgresAddress, redact
from walletcare.adapters.postgres.commits import CommitStatements
from walletcare.adapters.postgres.driver_errors import is_connection_lost, translate
from walletcare.adapters.postgres.rows import (
    event_from_row,
    message_from_row,
)
from walletcare.adapters.postgres.statements import Statements
from walletcare.adapters.postgres.summaries import summary_from_row
from walletcare.errors import (
    ConcurrencyConflict,
    StorageError,
    ValidationError,
)
from walletcare.ports import (
    Commit,
    MessageStatus,
    OutboundMessage,
    SetAsideTimer,
    Snapshot,
    StorageRefusal,
    StoredEvent,
    StreamSummary,
    SummaryQuery,
    Timer,
)

__all__ = ["PostgresStorage"]

T = TypeVar("T")
Connection = psycopg.Connection[tuple[Any, ...]]
Cursor = psycopg.Cursor[tuple[Any, ...]]
log = logging.getLogger("walletcare.postgres")


def _configure(conn: Connection) -> None:
    # Times come back in UTC, like every other storage's.
    conn.execute("SET TIME ZONE 'UTC'")


class PostgresStorage:
    """Storage in one PostgreSQL schema, through a pool of connections shared by threads."""

    def __init__(self, address: PostgresAddress, *, url: str = "") -> None:
        self.address = address
        self.schema = address.schema
        self._where = redact(url) if url else f"schema {address.schema!r}"
        self._schema = migrations.quoted(address.schema)
        self._sql = Statements(self._schema)
        self._commits = CommitStatements(self._sql)
        self._pool: ConnectionPool[Connection] = ConnectionPool(
            address.conninfo,
            kwargs={"autocommit": True},
            min_size=address.pool_min_size,
            max_size=address.pool_max_size,
            timeout=address.pool_timeout_ms / 1000,
            configure=_configure,
            open=False,
            name=f"walletcare-{address.schema}",
        )
        try:
            # One plain connection first: a wrong password or host fails now with the server's
            # own words, where the pool would retry quietly until its timeout.
            with psycopg.connect(address.conninfo, autocommit=True) as conn:
                migrations.migrate(conn, address.schema)
            self._pool.open(wait=True, timeout=address.pool_timeout_ms / 1000)
        except BaseException as exc:
            # Whatever stops the opening (no server, a newer schema), no connection leaks.
            self._pool.close()
            if isinstance(exc, psycopg.Error | TimeoutError):
                raise StorageError(
                    f"cannot open PostgreSQL storage at {self._where}: {exc}"
                ) from exc
            raise

    @classmethod
    def from_url(cls, url: str) -> PostgresStorage:
        """Open the schema a ``postgresql://`` URL names, creating or migrating it."""
        return cls(PostgresAddress.from_url(url), url=url)

    # -- plumbing --------------------------------------------------------------------------
    @contextmanager
    def _connection(self, doing: str, stream_id: str = "") -> Iterator[Connection]:
        try:
            with self._pool.connection() as conn:
                yield conn
        except psycopg.Error as exc:
            raise translate(exc, doing, stream_id) from exc

    def _read(self, doing: str, fn: Callable[[Connection], T]) -> T:
        """Run a read; a connection found dead (a restarted server) is replaced once."""
        for attempt in (1, 2):
            try:
                with self._pool.connection() as conn:
                    return fn(conn)
            except psycopg.Error as exc:
                if attempt == 1 and is_connection_lost(exc):
                    log.warning("PostgreSQL connection lost while %s; retrying once", doing)
                    continue
                raise translate(exc, doing) from exc
        raise AssertionError("unreachable")  # pragma: no cover

    # -- streams ---------------------------------------------------------------------------
    def append(self, commit: Commit) -> list[StoredEvent]:
        stream_id = commit.stream_id
        for i, message in enumerate(commit.messages):
            if message.stream_id != stream_id:
                # A stale version is reported first, as by every storage.
                if self.stream_version(stream_id) != commit.expected_version:
                    raise ConcurrencyConflict(
                        f"stream {stream_id!r} moved past version {commit.expected_version}"
                    )
                raise ValidationError.of(f"messages[{i}].stream_id", "must be the commit's stream")
        with self._connection("appending", stream_id) as conn:
            positions = conn.cursor()
            failure: psycopg.Error | None = None
            try:
                # BEGIN and COMMIT travel in the pipeline with the statements: one round trip.
                # A failing statement aborts the rest, COMMIT included; ROLLBACK then ends it.
                with conn.pipeline() as pipeline:
                    try:
                        self._commits.queue(conn.cursor(), positions, pipeline, commit)
                    except psycopg.Error as exc:
                        # Kept until the pipeline is closed, which then only says "aborted".
                        failure = exc
            except psycopg.Error as exc:
                failure = failure or exc
            except BaseException:
                conn.rollback()
                raise
            if failure is not None:
                conn.rollback()
                raise failure
        return self._commits.stored(commit, positions)

    def append_many(self, commits: Sequence[Commit]) -> list[list[StoredEvent] | StorageRefusal]:
        """The commits in one transaction, a savepoint each, in order; a refused one is
        rolled back to its savepoint and reported in its place, the others kept.

        One flush to disk for the batch instead of one per commit. The position lock is
        taken by the batch's first events and held to its COMMIT, so positions stay in
        commit order; each commit's statements still travel pipelined, one round trip each.
        """
        if not commits:
            return []
        outcomes: list[list[StoredEvent] | StorageRefusal] = []
        with self._connection("appending a batch") as conn:
            threshold, refused = conn.prepare_threshold, False
            try:
                conn.execute(b"BEGIN")
                for commit in commits:
                    outcome = self._commits.append_in_batch(conn, commit)
                    if not refused and not isinstance(outcome, list):
                        # A refused commit's aborted pipeline skipped the statements it
                        # would have prepared, which the driver forgets only on a whole
                        # ROLLBACK: the rest of the batch prepares and reuses none.
                        refused, conn.prepare_threshold = True, None
                    outcomes.append(outcome)
                conn.execute(b"COMMIT")
            except BaseException:
                conn.prepare_threshold = threshold
                conn.rollback()  # which also makes the driver forget its prepared statements
                raise
            conn.prepare_threshold = threshold
            if refused:
                conn.execute(b"BEGIN")
                conn.rollback()  # nothing to undo: only for the driver to forget them
        return outcomes

    def read_snapshot(self, stream_id: str) -> Snapshot | None:
        row = self._read(
            "reading a snapshot",
            lambda c: c.execute(self._sql.read_snapshot, (stream_id,)).fetchone(),
        )
        if row is None:
            return None
        return Snapshot(kind=row[0], schema=row[1], version=row[2], data=row[3])

    def key_owner(self, key: str) -> str | None:
        row = self._read(
            "reading a key's owner", lambda c: c.execute(self._sql.key_owner, (key,)).fetchone()
        )
        return str(row[0]) if row else None

    def read_stream(self, stream_id: str, after_version: int = 0) -> list[StoredEvent]:
        rows = self._read(
            "reading a stream",
            lambda c: c.execute(self._sql.read_stream, (stream_id, after_version)).fetchall(),
        )
        return [event_from_row(r) for r in rows]

    def stream_version(self, stream_id: str) -> int:
        row = self._read(
            "reading a stream's version",
            lambda c: c.execute(self._sql.stream_version, (stream_id,)).fetchone(),
        )
        return int(row[0]) if row else 0

    def read_all(self, after_position: int = 0, limit: int = 1000) -> list[StoredEvent]:
        rows = self._read(
            "reading all events",
            lambda c: c.execute(self._sql.read_all, (after_position, limit)).fetchall(),
        )
        return [event_from_row(r) for r in rows]

    def get_summary(self, stream_id: str) -> StreamSummary | None:
        row = self._read(
            "reading a summary",
            lambda c: c.execute(self._sql.summary.get, (stream_id,)).fetchone(),
        )
        return summary_from_row(row) if row else None

    def list_summaries(self, query: SummaryQuery) -> list[StreamSummary]:
        select = self._sql.summary.select(query)
        if select is None:
            return []
        statement, args = select
        rows = self._read("listing summaries", lambda c: c.execute(statement, args).fetchall())
        return [summary_from_row(r) for r in rows]

    # -- timers ----------------------------------------------------------------------------
    def claim_due_timers(self, now: datetime, limit: int, lease: timedelta) -> list[Timer]:
        token = uuid.uuid4().hex
        with self._connection("claiming timers") as conn:
            rows = conn.execute(self._sql.claim_timers, (now, limit, now + lease, token)).fetchall()
        timers = [
            Timer(
                stream_id=r[0], name=r[1], due_at=r[2], payload=r[3], generation=r[4], token=token
            )
            for r in rows
        ]
        return sorted(timers, key=lambda t: (t.due_at, t.stream_id, t.name))

    def release_timer(self, timer: Timer, retry_at: datetime) -> bool:
        if timer.token is None:
            return False
        with self._connection("releasing a timer", timer.stream_id) as conn:
            cur = conn.execute(
                self._sql.release_timer, (retry_at, timer.stream_id, timer.name, timer.token)
            )
        return cur.rowcount == 1

    def set_timer_aside(self, timer: Timer, reason: str, now: datetime) -> bool:
        if timer.token is None:
            return False
        s = self._schema
        with self._connection("setting a timer aside", timer.stream_id) as conn:
            row = conn.execute(
                f"DELETE FROM {s}.timers WHERE stream_id = %s AND name = %s AND token = %s "
                "RETURNING due_at",
                (timer.stream_id, timer.name, timer.token),
            ).fetchone()
            if row is None:
                return False
            conn.execute(
                f"INSERT INTO {s}.timers_set_aside (stream_id, name, due, reason, at) "
                "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (stream_id, name) DO UPDATE SET "
                "due = excluded.due, reason = excluded.reason, at = excluded.at",
                (timer.stream_id, timer.name, row[0].isoformat(), reason, now),
            )
        return True

    def set_aside_timers(self, limit: int = 100) -> list[SetAsideTimer]:
        s = self._schema
        rows = self._read(
            "reading timers set aside",
            lambda c: c.execute(
                f"SELECT stream_id, name, due, reason, at FROM {s}.timers_set_aside "
                "ORDER BY at, stream_id, name LIMIT %s",
                (limit,),
            ).fetchall(),
        )
        return [
            SetAsideTimer(
                stream_id=r[0], name=r[1], due=r[2], reason=r[3], at=r[4].astimezone(UTC)
            )
            for r in rows
        ]

    def get_timers(self, stream_id: str) -> list[Timer]:
        rows = self._read(
            "reading timers", lambda c: c.execute(self._sql.get_timers, (stream_id,)).fetchall()
        )
        return [
            Timer(stream_id=r[0], name=r[1], due_at=r[2], payload=r[3], generation=r[4])
            for r in rows
        ]

    # -- outbox ----------------------------------------------------------------------------
    def claim_due_messages(
        self, now: datetime, limit: int, lease: timedelta
    ) -> list[OutboundMessage]:
        token = uuid.uuid4().hex
        with self._connection("claiming messages") as conn:
            rows = conn.execute(
                self._sql.claim_messages, (now, limit, now + lease, token)
            ).fetchall()
        messages = [message_from_row(r, token) for r in rows]
        return sorted(messages, key=lambda m: (m.due_at, m.id))

    def settle_message(
        self,
        message: OutboundMessage,
        *,
        status: MessageStatus,
        attempts: int,
        due_at: datetime,
        error: str = "",
    ) -> bool:
        if message.token is None:
            return False
        with self._connection("settling a message", message.stream_id) as conn:
            cur = conn.execute(
                self._sql.settle_message,
                (status.value, attempts, due_at, due_at, error, message.id, message.token),
            )
        return cur.rowcount == 1

    def get_message(self, message_id: str) -> OutboundMessage | None:
        row = self._read(
            "reading a message",
            lambda c: c.execute(self._sql.get_message, (message_id,)).fetchone(),
        )
        return message_from_row(row, None) if row else None

    def list_messages(
        self, status: MessageStatus, limit: int = 100, stream_id: str | None = None
    ) -> list[OutboundMessage]:
        args: tuple[object, ...]
        if stream_id is None:
            statement, args = self._sql.list_messages, (status.value, limit)
        else:
            statement, args = self._sql.list_stream_messages, (status.value, stream_id, limit)
        rows = self._read("listing messages", lambda c: c.execute(statement, args).fetchall())
        return [message_from_row(r, None) for r in rows]

    def retry_message(self, message_id: str, due_at: datetime) -> bool:
        with self._connection("retrying a message") as conn:
            cur = conn.execute(self._sql.retry_message, (due_at, due_at, message_id))
        return cur.rowcount == 1

    def close(self) -> None:
        self._pool.close()
