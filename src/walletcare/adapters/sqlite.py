"""``sqlite:///path``: the default storage, one file, stdlib ``sqlite3``, safe across processes.

WAL journal, ``synchronous=FULL`` (a returned commit survives power loss) unless the URL asks
for ``?synchronous=normal``, a busy timeout, writes in ``BEGIN IMMEDIATE`` transactions so
several processes can share one file, and schema migrations numbered by ``user_version``.
Times are stored as integer microseconds since the Unix epoch, UTC.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final, TypeVar
from urllib.parse import parse_qs, urlsplit

from walletcare.errors import (
    ClaimLost,
    ConcurrencyConflict,
    ConfigurationError,
    KeyTaken,
    StorageError,
    ValidationError,
)
from walletcare.hookspecs import hookimpl
from walletcare.ports import (
    CancelTimer,
    Commit,
    MessageStatus,
    OutboundMessage,
    SetTimer,
    Snapshot,
    Storage,
    StoredEvent,
    StreamSummary,
    SummaryQuery,
    Timer,
)
from walletcare.settings import Settings

__all__ = ["SQLiteStorage", "walletcare_storage", "MIGRATIONS"]

T = TypeVar("T")
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO: Final = timedelta(microseconds=1)

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
)

_SYNC_MODES: Final = {"full": "FULL", "normal": "NORMAL", "extra": "EXTRA"}
_EVENT_COLUMNS: Final = "stream_id, version, position, kind, schema_version, at_us, data"
_MESSAGE_COLUMNS: Final = (
    "id, stream_id, channel, recipient, template, subject, body, locale, data, due_us, "
    "attempts, status, last_error, token"
)


def to_us(value: datetime) -> int:
    """An aware datetime as integer microseconds since the epoch."""
    return (value - _EPOCH) // _MICRO


def from_us(value: int) -> datetime:
    """Integer microseconds since the epoch as an aware UTC datetime."""
    return _EPOCH + timedelta(microseconds=value)


def _event(row: Sequence[Any]) -> StoredEvent:
    return StoredEvent(
        stream_id=row[0],
        stream_version=row[1],
        position=row[2],
        kind=row[3],
        schema_version=row[4],
        at=from_us(row[5]),
        data=row[6],
    )


def _message(row: Sequence[Any]) -> OutboundMessage:
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


def _summary(row: Sequence[Any]) -> StreamSummary:
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


class SQLiteStorage:
    """Storage in one SQLite file; one connection per instance, shared under a lock."""

    def __init__(
        self,
        path: str,
        *,
        synchronous: str = "full",
        busy_timeout_ms: int = 10_000,
        create_dirs: bool = False,
    ) -> None:
        mode = _SYNC_MODES.get(synchronous.lower())
        if mode is None:
            raise ConfigurationError(
                f"synchronous must be one of {sorted(_SYNC_MODES)}, got {synchronous!r}"
            )
        self.path = path
        self._lock = threading.RLock()
        self._insert_sql: dict[int, str] = {}
        if path != ":memory:" and not create_dirs and not Path(path).parent.is_dir():
            # A mistyped path would otherwise make a new, empty store somewhere unexpected.
            raise StorageError(
                f"the directory of {path!r} does not exist; create it, or pass "
                "create_dirs=true in the URL to have walletcare create it"
            )
        try:
            if path != ":memory:" and create_dirs:
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(
                path, isolation_level=None, check_same_thread=False, timeout=busy_timeout_ms / 1000
            )
        except (sqlite3.Error, OSError) as exc:
            raise StorageError(f"cannot open SQLite storage at {path!r}: {exc}") from exc
        try:
            self._db.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
            self._refuse_foreign()
            self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute(f"PRAGMA synchronous = {mode}")
            self._migrate()
        except BaseException as exc:
            # Whatever stops the opening (a damaged file, a newer schema), no connection leaks.
            self._db.close()
            if isinstance(exc, sqlite3.Error):
                raise StorageError(f"cannot open SQLite storage at {path!r}: {exc}") from exc
            raise

    @classmethod
    def from_url(cls, url: str) -> SQLiteStorage:
        """Open the file a ``sqlite:///...`` URL names."""
        path, options = parse_url(url)
        try:
            busy = int(options.get("busy_timeout_ms", "10000"))
        except ValueError:
            raise ConfigurationError(f"busy_timeout_ms must be an integer in {url!r}") from None
        create = options.get("create_dirs", "false").lower()
        if create not in ("true", "false"):
            raise ConfigurationError(f"create_dirs must be true or false in {url!r}")
        return cls(
            path,
            synchronous=options.get("synchronous", "full"),
            busy_timeout_ms=busy,
            create_dirs=create == "true",
        )

    # -- plumbing --------------------------------------------------------------------------
    def _refuse_foreign(self) -> None:
        """Refuse, changing nothing, a file that holds tables but no walletcare schema."""
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        tables = self._db.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
        ).fetchone()[0]
        if version == 0 and tables:
            raise StorageError(
                f"{self.path!r} holds another application's tables, not a walletcare store; "
                "it was left as it was"
            )

    def _migrate(self) -> None:
        with self._write() as db:
            current = db.execute("PRAGMA user_version").fetchone()[0]
            if current > len(MIGRATIONS):
                raise ConfigurationError(
                    f"{self.path!r} has schema version {current}, newer than this walletcare "
                    f"({len(MIGRATIONS)}); upgrade walletcare"
                )
            for number, script in enumerate(MIGRATIONS[current:], start=current + 1):
                for statement in script.split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.execute(f"PRAGMA user_version = {number}")

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One ``BEGIN IMMEDIATE`` transaction; rolled back on any error, which is translated."""
        with self._lock:
            db = self._db
            try:
                db.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise StorageError(f"cannot start a write on {self.path!r}: {exc}") from exc
            try:
                yield db
                db.execute("COMMIT")
            except BaseException as exc:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                if isinstance(exc, sqlite3.Error):
                    raise StorageError(f"SQLite write failed on {self.path!r}: {exc}") from exc
                raise

    def _read(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        with self._lock:
            try:
                return fn(self._db)
            except sqlite3.Error as exc:
                raise StorageError(f"SQLite read failed on {self.path!r}: {exc}") from exc

    # -- streams ---------------------------------------------------------------------------
    def append(self, commit: Commit) -> list[StoredEvent]:
        stream_id = commit.stream_id
        with self._write() as db:
            row = db.execute(
                "SELECT version FROM streams WHERE stream_id = ?", (stream_id,)
            ).fetchone()
            version = row[0] if row else 0
            if commit.expected_version != version:
                raise ConcurrencyConflict(
                    f"stream {stream_id!r} is at version {version}, "
                    f"the commit expected {commit.expected_version}"
                )
            if commit.consumes is not None:
                name, token = commit.consumes
                gone = db.execute(
                    "DELETE FROM timers WHERE stream_id = ? AND name = ? AND token = ?",
                    (stream_id, name, token),
                ).rowcount
                if gone != 1:
                    raise ClaimLost(
                        f"timer {name!r} of {stream_id!r} is no longer held by this claim"
                    )
            stored = self._insert_events(db, stream_id, version, commit) if commit.events else []
            new_version = version + len(stored)
            summary = commit.summary
            if summary is None:
                db.execute(
                    "INSERT INTO streams (stream_id, version) VALUES (?, ?) "
                    "ON CONFLICT (stream_id) DO UPDATE SET version = excluded.version",
                    (stream_id, new_version),
                )
            else:
                self._write_summary(db, stream_id, new_version, summary)
            if commit.take_keys or commit.release_keys:
                self._change_keys(db, stream_id, commit)
            if commit.snapshot is not None:
                snap = commit.snapshot
                db.execute(
                    "INSERT OR REPLACE INTO snapshots (stream_id, kind, schema, version, data) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (stream_id, snap.kind, snap.schema, new_version, snap.data),
                )
            if commit.timers:
                self._change_timers(db, stream_id, new_version, commit)
            for i, message in enumerate(commit.messages):
                if message.stream_id != stream_id:
                    raise ValidationError.of(
                        f"messages[{i}].stream_id", "must be the commit's stream"
                    )
                due_us = to_us(message.due_at)
                try:
                    db.execute(
                        f"INSERT INTO outbox ({_MESSAGE_COLUMNS}, ready_us) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?)",
                        (
                            message.id,
                            stream_id,
                            message.channel,
                            message.recipient,
                            message.template,
                            message.subject,
                            message.body,
                            message.locale,
                            message.data,
                            due_us,
                            message.attempts,
                            message.status.value,
                            message.last_error,
                            due_us,
                        ),
                    )
                except sqlite3.IntegrityError:
                    raise ValidationError.of(
                        "messages.id", f"{message.id!r} is already queued"
                    ) from None
        return stored

    def _insert_events(
        self, db: sqlite3.Connection, stream_id: str, version: int, commit: Commit
    ) -> list[StoredEvent]:
        """All of a commit's events in one multi-row INSERT.

        The write lock is held (BEGIN IMMEDIATE), so the rows get consecutive positions
        ending at the last inserted rowid.
        """
        events = commit.events
        count = len(events)
        sql = self._insert_sql.get(count)
        if sql is None:
            rows = ", ".join(["(?, ?, ?, ?, ?, ?)"] * count)
            sql = (
                "INSERT INTO events (stream_id, version, kind, schema_version, at_us, data) "
                f"VALUES {rows}"
            )
            self._insert_sql[count] = sql
        args: list[Any] = []
        for offset, event in enumerate(events, start=1):
            args += (stream_id, version + offset, event.kind, event.schema_version)
            args += (to_us(event.at), event.data)
        last = db.execute(sql, args).lastrowid
        if last is None:  # pragma: no cover - sqlite3 always reports it for an INSERT
            raise StorageError("SQLite did not report the positions of appended events")
        first = last - count
        return [
            StoredEvent(
                stream_id=stream_id,
                stream_version=version + offset,
                position=first + offset,
                kind=event.kind,
                schema_version=event.schema_version,
                at=event.at.astimezone(UTC),
                data=event.data,
            )
            for offset, event in enumerate(events, start=1)
        ]

    def _change_timers(
        self, db: sqlite3.Connection, stream_id: str, generation: int, commit: Commit
    ) -> None:
        for change in commit.timers:
            if isinstance(change, SetTimer):
                due_us = to_us(change.due_at)
                db.execute(
                    "INSERT OR REPLACE INTO timers (stream_id, name, due_us, ready_us, payload, "
                    "generation, token) VALUES (?, ?, ?, ?, ?, ?, NULL)",
                    (stream_id, change.name, due_us, due_us, change.payload, generation),
                )
            elif isinstance(change, CancelTimer):
                db.execute(
                    "DELETE FROM timers WHERE stream_id = ? AND name = ?", (stream_id, change.name)
                )

    def read_stream(self, stream_id: str, after_version: int = 0) -> list[StoredEvent]:
        rows = self._read(
            lambda db: db.execute(
                f"SELECT {_EVENT_COLUMNS} FROM events WHERE stream_id = ? AND version > ? "
                "ORDER BY version",
                (stream_id, after_version),
            ).fetchall()
        )
        return [_event(r) for r in rows]

    def stream_version(self, stream_id: str) -> int:
        row = self._read(
            lambda db: db.execute(
                "SELECT version FROM streams WHERE stream_id = ?", (stream_id,)
            ).fetchone()
        )
        return int(row[0]) if row else 0

    def read_all(self, after_position: int = 0, limit: int = 1000) -> list[StoredEvent]:
        rows = self._read(
            lambda db: db.execute(
                f"SELECT {_EVENT_COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ?",
                (after_position, limit),
            ).fetchall()
        )
        return [_event(r) for r in rows]

    _SUMMARY_COLUMNS: Final = (
        "s.stream_id, s.kind, s.status, s.opened_us, s.updated_us, s.deadline_us, "
        "s.summary_version, (SELECT json_group_object(a.name, a.value) "
        "FROM summary_attributes a WHERE a.stream_id = s.stream_id)"
    )

    @staticmethod
    def _change_keys(db: sqlite3.Connection, stream_id: str, commit: Commit) -> None:
        db.executemany(
            "DELETE FROM stream_keys WHERE key = ? AND stream_id = ?",
            [(key, stream_id) for key in commit.release_keys],
        )
        for key in commit.take_keys:
            db.execute(
                "INSERT INTO stream_keys (key, stream_id) VALUES (?, ?) "
                "ON CONFLICT (key) DO NOTHING",
                (key, stream_id),
            )
            owner = db.execute("SELECT stream_id FROM stream_keys WHERE key = ?", (key,)).fetchone()
            if owner is not None and owner[0] != stream_id:
                raise KeyTaken(key, owner[0])

    def read_snapshot(self, stream_id: str) -> Snapshot | None:
        row = self._read(
            lambda db: db.execute(
                "SELECT kind, schema, version, data FROM snapshots WHERE stream_id = ?",
                (stream_id,),
            ).fetchone()
        )
        if row is None:
            return None
        return Snapshot(kind=row[0], schema=row[1], version=row[2], data=row[3])

    def key_owner(self, key: str) -> str | None:
        row = self._read(
            lambda db: db.execute(
                "SELECT stream_id FROM stream_keys WHERE key = ?", (key,)
            ).fetchone()
        )
        return row[0] if row else None

    @staticmethod
    def _write_summary(
        db: sqlite3.Connection, stream_id: str, version: int, summary: StreamSummary
    ) -> None:
        deadline = summary.next_deadline
        db.execute(
            "INSERT OR REPLACE INTO streams (stream_id, version, kind, status, opened_us, "
            "updated_us, deadline_us, summary_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                stream_id,
                version,
                summary.kind,
                summary.status,
                to_us(summary.opened_at),
                to_us(summary.updated_at),
                to_us(deadline) if deadline is not None else None,
                version,
            ),
        )
        db.execute("DELETE FROM summary_attributes WHERE stream_id = ?", (stream_id,))
        if summary.attributes:
            db.executemany(
                "INSERT INTO summary_attributes (stream_id, name, value) VALUES (?, ?, ?)",
                [(stream_id, name, value) for name, value in summary.attributes.items()],
            )

    def get_summary(self, stream_id: str) -> StreamSummary | None:
        row = self._read(
            lambda db: db.execute(
                f"SELECT {self._SUMMARY_COLUMNS} FROM streams s "
                "WHERE s.stream_id = ? AND s.opened_us IS NOT NULL",
                (stream_id,),
            ).fetchone()
        )
        return _summary(row) if row else None

    def list_summaries(self, query: SummaryQuery) -> list[StreamSummary]:
        joins: list[str] = []
        where = ["s.opened_us IS NOT NULL"]
        args: list[Any] = []
        # Each attribute filter drives from the (name, value, stream_id) index.
        for i, (name, values) in enumerate(query.attributes.items()):
            if not values:
                return []
            joins.append(
                f"JOIN summary_attributes a{i} ON a{i}.stream_id = s.stream_id "
                f"AND a{i}.name = ? AND a{i}.value IN ({', '.join('?' for _ in values)})"
            )
            args.extend([name, *values])
        if query.kind is not None:
            where.append("s.kind = ?")
            args.append(query.kind)
        if query.status is not None:
            statuses = list(query.status)
            if not statuses:
                return []
            where.append(f"s.status IN ({', '.join('?' for _ in statuses)})")
            args.extend(statuses)
        for clause, value in (
            ("s.opened_us < ?", query.opened_before),
            ("s.opened_us >= ?", query.opened_after),
            ("s.deadline_us < ?", query.deadline_before),
        ):
            if value is not None:
                where.append(clause)
                args.append(to_us(value))
        if query.order_by == "deadline":
            where.append("s.deadline_us IS NOT NULL")
            order = "s.deadline_us, s.stream_id"
        else:
            order = "s.opened_us, s.stream_id"
        sql = (
            f"SELECT {self._SUMMARY_COLUMNS} FROM streams s {' '.join(joins)} "
            f"WHERE {' AND '.join(where)} ORDER BY {order} LIMIT ? OFFSET ?"
        )
        args.extend([query.limit, query.offset])
        rows = self._read(lambda db: db.execute(sql, args).fetchall())
        return [_summary(r) for r in rows]

    # -- timers ----------------------------------------------------------------------------
    def claim_due_timers(self, now: datetime, limit: int, lease: timedelta) -> list[Timer]:
        now_us = to_us(now)
        token = uuid.uuid4().hex
        with self._write() as db:
            rows = db.execute(
                "SELECT stream_id, name, due_us, payload, generation FROM timers "
                "WHERE ready_us <= ? ORDER BY ready_us LIMIT ?",
                (now_us, limit),
            ).fetchall()
            db.executemany(
                "UPDATE timers SET ready_us = ?, token = ? WHERE stream_id = ? AND name = ?",
                [(now_us + lease // _MICRO, token, r[0], r[1]) for r in rows],
            )
        timers = [
            Timer(
                stream_id=r[0],
                name=r[1],
                due_at=from_us(r[2]),
                payload=r[3],
                generation=r[4],
                token=token,
            )
            for r in rows
        ]
        return sorted(timers, key=lambda t: (t.due_at, t.stream_id, t.name))

    def release_timer(self, timer: Timer, retry_at: datetime) -> bool:
        if timer.token is None:
            return False
        with self._write() as db:
            changed = db.execute(
                "UPDATE timers SET ready_us = ?, token = NULL "
                "WHERE stream_id = ? AND name = ? AND token = ?",
                (to_us(retry_at), timer.stream_id, timer.name, timer.token),
            ).rowcount
        return changed == 1

    def get_timers(self, stream_id: str) -> list[Timer]:
        rows = self._read(
            lambda db: db.execute(
                "SELECT stream_id, name, due_us, payload, generation FROM timers "
                "WHERE stream_id = ? ORDER BY name",
                (stream_id,),
            ).fetchall()
        )
        return [
            Timer(stream_id=r[0], name=r[1], due_at=from_us(r[2]), payload=r[3], generation=r[4])
            for r in rows
        ]

    # -- outbox ----------------------------------------------------------------------------
    def claim_due_messages(
        self, now: datetime, limit: int, lease: timedelta
    ) -> list[OutboundMessage]:
        now_us = to_us(now)
        token = uuid.uuid4().hex
        with self._write() as db:
            rows = db.execute(
                f"SELECT {_MESSAGE_COLUMNS} FROM outbox WHERE status = 'pending' AND ready_us <= ? "
                "ORDER BY ready_us LIMIT ?",
                (now_us, limit),
            ).fetchall()
            db.executemany(
                "UPDATE outbox SET ready_us = ?, token = ? WHERE id = ?",
                [(now_us + lease // _MICRO, token, r[0]) for r in rows],
            )
        messages = [_message((*r[:13], token)) for r in rows]
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
        due_us = to_us(due_at)
        with self._write() as db:
            changed = db.execute(
                "UPDATE outbox SET status = ?, attempts = ?, due_us = ?, ready_us = ?, "
                "last_error = ?, token = NULL WHERE id = ? AND token = ?",
                (status.value, attempts, due_us, due_us, error, message.id, message.token),
            ).rowcount
        return changed == 1

    def get_message(self, message_id: str) -> OutboundMessage | None:
        row = self._read(
            lambda db: db.execute(
                f"SELECT {_MESSAGE_COLUMNS} FROM outbox WHERE id = ?", (message_id,)
            ).fetchone()
        )
        return _message((*row[:13], None)) if row else None

    def list_messages(
        self, status: MessageStatus, limit: int = 100, stream_id: str | None = None
    ) -> list[OutboundMessage]:
        sql = f"SELECT {_MESSAGE_COLUMNS} FROM outbox WHERE status = ?"
        args: list[Any] = [status.value]
        if stream_id is not None:
            sql += " AND stream_id = ?"
            args.append(stream_id)
        sql += " ORDER BY due_us, id LIMIT ?"
        args.append(limit)
        rows = self._read(lambda db: db.execute(sql, args).fetchall())
        return [_message((*r[:13], None)) for r in rows]

    def retry_message(self, message_id: str, due_at: datetime) -> bool:
        due_us = to_us(due_at)
        with self._write() as db:
            changed = db.execute(
                "UPDATE outbox SET status = 'pending', attempts = 0, due_us = ?, ready_us = ?, "
                "token = NULL WHERE id = ? AND status = 'dead'",
                (due_us, due_us, message_id),
            ).rowcount
        return changed == 1

    def integrity_check(self) -> str:
        """SQLite's own ``PRAGMA integrity_check`` answer ("ok" when the file is sound)."""
        return str(self._read(lambda db: db.execute("PRAGMA integrity_check").fetchone()[0]))

    def close(self) -> None:
        with self._lock:
            self._db.close()


@hookimpl
def walletcare_storage(settings: Settings) -> Storage | None:
    """Open ``sqlite:///path`` storage."""
    if not settings.storage_url.startswith("sqlite:"):
        return None
    return SQLiteStorage.from_url(settings.storage_url)
