"""The SQLite storage's timers and outbox: claimed by one worker at a time, by due time."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from typing import Any, TypeVar

from walletcare.adapters.sqlite.schema import MESSAGE_COLUMNS, MICRO, from_us, message_of, to_us
from walletcare.ports import MessageStatus, OutboundMessage, Timer

__all__ = ["QueueTables"]

T = TypeVar("T")


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
                f"SELECT {MESSAGE_COLUMNS} FROM outbox WHERE status = 'pending' AND ready_us <= ? "
                "ORDER BY ready_us LIMIT ?",
                (now_us, limit),
            ).fetchall()
            db.executemany(
                "UPDATE outbox SET ready_us = ?, token = ? WHERE id = ?",
                [(now_us + lease // MICRO, token, r[0]) for r in rows],
            )
        messages = [message_of((*r[:13], token)) for r in rows]
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
