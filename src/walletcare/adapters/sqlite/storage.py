"""``sqlite:///path``: the default storage, one file, stdlib ``sqlite3``, safe across processes.

WAL journal, ``synchronous=FULL`` (a returned commit survives power loss) unless the URL asks
for ``?synchronous=normal``, a busy timeout, writes in ``BEGIN IMMEDIATE`` transactions so
several processes can share one file, and schema migrations numbered by ``user_version``.
Times are stored as integer microseconds since the Unix epoch, UTC.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC
from pathlib import Path
from typing import Any, TypeVar, cast

from walletcare.adapters.sqlite.queues import QueueTables
from walletcare.adapters.sqlite.schema import (
    EVENT_COLUMNS,
    MESSAGE_COLUMNS,
    MIGRATIONS,
    SYNC_MODES,
    event_of,
    parse_url,
    to_us,
)
from walletcare.adapters.sqlite.summaries import SummaryTables
from walletcare.errors import (
    ClaimLost,
    ConcurrencyConflict,
    ConfigurationError,
    KeyTaken,
    StorageError,
    ValidationError,
)
from walletcare.ports import (
    REFUSALS,
    CancelTimer,
    Commit,
    SetTimer,
    StorageRefusal,
    StoredEvent,
)

__all__ = ["SQLiteStorage"]

T = TypeVar("T")


class SQLiteStorage(SummaryTables, QueueTables):
    """Storage in one SQLite file; one connection per instance, shared under a lock."""

    def __init__(
        self,
        path: str,
        *,
        synchronous: str = "full",
        busy_timeout_ms: int = 10_000,
        create_dirs: bool = False,
    ) -> None:
        mode = SYNC_MODES.get(synchronous.lower())
        if mode is None:
            raise ConfigurationError(
                f"synchronous must be one of {sorted(SYNC_MODES)}, got {synchronous!r}"
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
        with self._write() as db:
            return self._apply(db, commit)

    def append_many(self, commits: Sequence[Commit]) -> list[list[StoredEvent] | StorageRefusal]:
        outcomes: list[list[StoredEvent] | StorageRefusal] = []
        with self._write() as db:
            for commit in commits:
                # A refused commit is rolled back to its savepoint; the others stay.
                db.execute("SAVEPOINT walletcare_commit")
                try:
                    outcomes.append(self._apply(db, commit))
                except REFUSALS as refusal:
                    db.execute("ROLLBACK TO walletcare_commit")
                    outcomes.append(cast(StorageRefusal, refusal))
                db.execute("RELEASE walletcare_commit")
        return outcomes

    def _apply(self, db: sqlite3.Connection, commit: Commit) -> list[StoredEvent]:
        """One commit's writes inside the open transaction; raises having checked or written
        part of it (the caller rolls back)."""
        stream_id = commit.stream_id
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
                    f"INSERT INTO outbox ({MESSAGE_COLUMNS}, ready_us) "
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
                f"SELECT {EVENT_COLUMNS} FROM events WHERE stream_id = ? AND version > ? "
                "ORDER BY version",
                (stream_id, after_version),
            ).fetchall()
        )
        return [event_of(r) for r in rows]

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
                f"SELECT {EVENT_COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ?",
                (after_position, limit),
            ).fetchall()
        )
        return [event_of(r) for r in rows]

    @staticmethod
    def _change_keys(db: sqlite3.Connection, stream_id: str, commit: Commit) -> None:
        if commit.release_keys:
            db.executemany(
                "DELETE FROM stream_keys WHERE key = ? AND stream_id = ?",
                [(key, stream_id) for key in commit.release_keys],
            )
        for key in commit.take_keys:
            # The write lock is held (BEGIN IMMEDIATE): look, then insert only a free key.
            # A case re-takes the keys it holds on every commit; that costs one look-up.
            owner = db.execute(
                "SELECT stream_id FROM stream_keys WHERE key = ?", (key,)
            ).fetchone()
            if owner is None:
                db.execute(
                    "INSERT INTO stream_keys (key, stream_id) VALUES (?, ?)", (key, stream_id)
                )
            elif owner[0] != stream_id:
                raise KeyTaken(key, owner[0])

    def integrity_check(self) -> str:
        """SQLite's own ``PRAGMA integrity_check`` answer ("ok" when the file is sound)."""
        return str(self._read(lambda db: db.execute("PRAGMA integrity_check").fetchone()[0]))

    def close(self) -> None:
        with self._lock:
            self._db.close()
