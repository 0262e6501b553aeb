"""Listing rows in PostgreSQL: how a commit writes its stream's summary and how queries read it.

The summary's fixed fields live on the stream's row, its attributes in ``summary_attributes``
(indexed on name, value, stream); both are written in the commit's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from walletcare.ports import StreamSummary, SummaryQuery

__all__ = ["SummarySQL", "summary_from_row"]

_COLUMNS: Final = (
    "st.stream_id, st.kind, st.status, st.opened_at, st.updated_at, st.next_deadline, "
    "st.summary_version, (SELECT json_object_agg(a.name, a.value) "
    "FROM {s}.summary_attributes AS a WHERE a.stream_id = st.stream_id)"
)


class SummarySQL:
    """The summary statements for the schema whose quoted name is ``s``."""

    def __init__(self, s: str) -> None:
        self.write = (
            f"UPDATE {s}.streams SET kind = %s, status = %s, opened_at = %s, updated_at = %s, "
            "next_deadline = %s, summary_version = version WHERE stream_id = %s"
        ).encode()
        self.clear_attributes = f"DELETE FROM {s}.summary_attributes WHERE stream_id = %s".encode()
        self.add_attribute = (
            f"INSERT INTO {s}.summary_attributes (stream_id, name, value) VALUES (%s, %s, %s)"
        ).encode()
        columns = _COLUMNS.format(s=s)
        self.get = (
            f"SELECT {columns} FROM {s}.streams AS st "
            "WHERE st.stream_id = %s AND st.opened_at IS NOT NULL"
        ).encode()
        self._select = f"SELECT {columns} FROM {s}.streams AS st "
        self._attributes = f"{s}.summary_attributes"

    def writes(
        self, stream_id: str, summary: StreamSummary
    ) -> list[tuple[bytes, Sequence[Sequence[Any]]]]:
        """The statements writing ``summary``, each with the rows of parameters it runs with."""
        fixed = (
            summary.kind,
            summary.status,
            summary.opened_at,
            summary.updated_at,
            summary.next_deadline,
            stream_id,
        )
        writes: list[tuple[bytes, Sequence[Sequence[Any]]]] = [
            (self.write, [fixed]),
            (self.clear_attributes, [(stream_id,)]),
        ]
        if summary.attributes:
            rows = [(stream_id, name, value) for name, value in summary.attributes.items()]
            writes.append((self.add_attribute, rows))
        return writes

    def select(self, query: SummaryQuery) -> tuple[bytes, list[Any]] | None:
        """The statement listing what ``query`` asks for, or None when nothing can match."""
        joins: list[str] = []
        where = ["st.opened_at IS NOT NULL"]
        args: list[Any] = []
        # Each attribute filter drives from the (name, value, stream_id) index.
        for i, (name, values) in enumerate(query.attributes.items()):
            if not values:
                return None
            joins.append(
                f"JOIN {self._attributes} AS a{i} ON a{i}.stream_id = st.stream_id "
                f"AND a{i}.name = %s AND a{i}.value = ANY(%s)"
            )
            args.extend([name, list(values)])
        if query.kind is not None:
            where.append("st.kind = %s")
            args.append(query.kind)
        if query.status is not None:
            statuses = list(query.status)
            if not statuses:
                return None
            where.append("st.status = ANY(%s)")
            args.append(statuses)
        for clause, value in (
            ("st.opened_at < %s", query.opened_before),
            ("st.opened_at >= %s", query.opened_after),
            ("st.next_deadline < %s", query.deadline_before),
        ):
            if value is not None:
                where.append(clause)
                args.append(value)
        if query.order_by == "deadline":
            where.append("st.next_deadline IS NOT NULL")
            order = "st.next_deadline, st.stream_id"
        else:
            order = "st.opened_at, st.stream_id"
        statement = (
            f"{self._select}{' '.join(joins)} WHERE {' AND '.join(where)} "
            f"ORDER BY {order} LIMIT %s OFFSET %s"
        )
        args.extend([query.limit, query.offset])
        return statement.encode(), args


def summary_from_row(row: Sequence[Any]) -> StreamSummary:
    """A summary from a row of the ``get`` or ``select`` statements."""
    return StreamSummary(
        stream_id=row[0],
        kind=row[1],
        status=row[2],
        opened_at=row[3],
        updated_at=row[4],
        next_deadline=row[5],
        version=row[6],
        attributes=row[7] or {},
    )
