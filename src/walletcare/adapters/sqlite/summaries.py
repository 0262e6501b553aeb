"""The SQLite storage's listing rows, unique keys and snapshots."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any, Final, TypeVar

from walletcare.adapters.sqlite.schema import summary_of, to_us
from walletcare.ports import Snapshot, StreamSummary, SummaryQuery

__all__ = ["SummaryTables"]

T = TypeVar("T")


class SummaryTables:
    """Reading listing rows, keys and snapshots, over ``SQLiteStorage``'s read helper."""

    def _read(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        raise NotImplementedError

    _SUMMARY_COLUMNS: Final = (
        "s.stream_id, s.kind, s.status, s.opened_us, s.updated_us, s.deadline_us, "
        "s.summary_version, (SELECT json_group_object(a.name, a.value) "
        "FROM summary_attributes a WHERE a.stream_id = s.stream_id)"
    )

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
        names = list(summary.attributes)
        # Most commits leave most attributes as they were: only changed rows are written, so
        # the (name, value) index is not rewritten on every commit.
        db.execute(
            "DELETE FROM summary_attributes WHERE stream_id = ? "
            f"AND name NOT IN ({', '.join('?' for _ in names)})",
            (stream_id, *names),
        )
        if names:
            db.executemany(
                "INSERT INTO summary_attributes (stream_id, name, value) VALUES (?, ?, ?) "
                "ON CONFLICT (stream_id, name) DO UPDATE SET value = excluded.value "
                "WHERE summary_attributes.value <> excluded.value",
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
        return summary_of(row) if row else None

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
        return [summary_of(r) for r in rows]
