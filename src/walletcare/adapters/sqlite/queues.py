"""The SQLite storage's timers and outbox: claimed by one worker at a time, by due time."""

from __future__ import annotations

import logging
import sqlite3
import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from typing import Any, TypeVar

from walletcare.adapters.sqlite.schema import MESSAGE_COLUMNS, MICRO, from_us, message_of, to_us
from walletcare.errors import DamagedRecord
from walletcare.ports import MessageStatus, OutboundMessage, SetAsideTimer, Timer

__all__ = ["QueueTables"]

T = TypeVar("T")
log = logging.getLogger("walletcare.sqlite")


def _due_text(value: object) -> str:
    """A stored due time as text: its instant when it is one, else what the row holds."""
    if type(value) is int:
        try:
            return from_us(value).isoformat()
        except OverflowError:
            pass
    return repr(value)


def _claimed_timer(row: Any, token: str, now: datetime) -> Timer:
    """A claimed timer row; one that cannot be read comes back with its ``damage`` set."""
    stream_id, name, due_us, payload, generation = row
    problem = ""
    if type(due_us) is not int:
        problem = f"due_us holds {due_us!r}, not integer microseconds"
    elif type(payload) is not str or type(generation) is not int:
        problem = f"payload {payload!r} or generation {generation!r} is not of its type"
    else:
        try:
            due_at = from_us(due_us)
        except OverflowError:
            problem = f"due_us {due_us} is out of range"
    if problem:
        return Timer(
            stream_id=str(stream_id),
            name=str(name),
            due_at=now,
            payload="",
            generation=0,
            token=token,
            damage=problem,
        )
    return Timer(
        stream_id=stream_id,
        name=name,
        due_at=due_at,
        payload=payload,
        generation=generation,
        token=token,
    )


class QueueTables:
    """Timer and outbox methods of ``SQLiteStorage``, over its write and read helpers."""

    path: str

    def _write(self) -> AbstractContextManager[sqlite3.Connection]:
        raise NotImplementedError

    def _read(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        raise NotImplementedError

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
                [(now_us + lease // MICRO, token, r[0], r[1]) for r in rows],
            )
        timers = [_claimed_timer(r, token, now) for r in rows]
        return sorted(timers, key=lambda t: (t.due_at, t.stream_id, t.name))

    def set_timer_aside(self, timer: Timer, reason: str, now: datetime) -> bool:
        if timer.token is None:
            return False
        with self._write() as db:
            row = db.execute(
                "SELECT due_us FROM timers WHERE stream_id = ? AND name = ? AND token = ?",
                (timer.stream_id, timer.name, timer.token),
            ).fetchone()
            if row is None:
                return False
            db.execute(
                "INSERT OR REPLACE INTO timers_set_aside (stream_id, name, due, reason, at_us) "
                "VALUES (?, ?, ?, ?, ?)",
                (timer.stream_id, timer.name, _due_text(row[0]), reason, to_us(now)),
            )
            db.execute(
                "DELETE FROM timers WHERE stream_id = ? AND name = ?",
                (timer.stream_id, timer.name),
            )
        return True

    def set_aside_timers(self, limit: int = 100) -> list[SetAsideTimer]:
        rows = self._read(
            lambda db: db.execute(
                "SELECT stream_id, name, due, reason, at_us FROM timers_set_aside "
                "ORDER BY at_us, stream_id, name LIMIT ?",
                (limit,),
            ).fetchall()
        )
        return [
            SetAsideTimer(stream_id=r[0], name=r[1], due=r[2], reason=r[3], at=from_us(r[4]))
            for r in rows
        ]

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
                f"SELECT {MESSAGE_COLUMNS} FROM outbox WHERE status = 'pending' AND ready_us <= ? "
                "ORDER BY ready_us LIMIT ?",
                (now_us, limit),
            ).fetchall()
            messages: list[OutboundMessage] = []
            for row in rows:
                try:
                    messages.append(message_of((*row[:13], token)))
                except (TypeError, ValueError, OverflowError) as exc:
                    # Dead-lettered where it stands, repaired to a readable due time, so
                    # it neither fails every tick nor hides from dead_letters().
                    damage = DamagedRecord(
                        f"outbox row {row[0]!r} is damaged: {exc} (due_us holds {row[9]!r})"
                    )
                    log.error("%s; dead-lettered", damage)
                    db.execute(
                        "UPDATE outbox SET status = 'dead', due_us = ?, ready_us = ?, "
                        "last_error = ?, token = NULL WHERE id = ?",
                        (now_us, now_us, f"StorageError: {damage}", row[0]),
                    )
            db.executemany(
                "UPDATE outbox SET ready_us = ?, token = ? WHERE id = ?",
                [(now_us + lease // MICRO, token, m.id) for m in messages],
            )
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
                f"SELECT {MESSAGE_COLUMNS} FROM outbox WHERE id = ?", (message_id,)
            ).fetchone()
        )
        return message_of((*row[:13], None)) if row else None

    def list_messages(
        self, status: MessageStatus, limit: int = 100, stream_id: str | None = None
    ) -> list[OutboundMessage]:
        sql = f"SELECT {MESSAGE_COLUMNS} FROM outbox WHERE status = ?"
        args: list[Any] = [status.value]
        if stream_id is not None:
            sql += " AND stream_id = ?"
            args.append(stream_id)
        sql += " ORDER BY due_us, id LIMIT ?"
        args.append(limit)
        rows = self._read(lambda db: db.execute(sql, args).fetchall())
        return [message_of((*r[:13], None)) for r in rows]

    def retry_message(self, message_id: str, due_at: datetime) -> bool:
        due_us = to_us(due_at)
        with self._write() as db:
            changed = db.execute(
                "UPDATE outbox SET status = 'pending', attempts = 0, due_us = ?, ready_us = ?, "
                "token = NULL WHERE id = ? AND status = 'dead'",
                (due_us, due_us, message_id),
            ).rowcount
        return changed == 1
