"""One command's write through walletcare's SQLite storage, against plain sqlite3 writing the
same rows, and against the eventsourcing library's SQLite recorder.

Each command writes what a real complaint command writes: five events (encoded from the
domain's event objects on every command, not reused), the stream's listing row and its
indexed attributes, the case's snapshot (encoded from its state on every command), a timer,
an outbox message and the case's unique key. The plain sqlite3 baseline writes the same
rows in the same tables and indexes, encoding hand-built dicts with the standard library's
``json``; eventsourcing's recorder writes the five events only (it has no timers, outbox,
listing or snapshots in one transaction). Variants run interleaved, in an order rotated
every round.

When ``WALLETCARE_TEST_POSTGRES_URL`` names a PostgreSQL server, a PostgreSQL section follows
(``_postgres.py``): the same command against raw psycopg and eventsourcing's PostgreSQL
recorder, and tick throughput with 1, 2 and 4 worker processes. Its schemas are dropped after.

Run: ``python benchmarks/bench_storage.py [commands] [rounds]``.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import sys
import tempfile
import uuid
from datetime import UTC, datetime
from pathlib import Path

from _timing import interleaved, rate_line, ratio_line, speed_ratios

from walletcare import Actor, Walletcare
from walletcare.adapters.sqlite import MIGRATIONS, SQLiteStorage, to_us
from walletcare.domain.complaints import Contact, Direction
from walletcare.domain.complaints.events import ContactRecorded
from walletcare.ports import Commit, OutboundMessage, SetTimer, Snapshot

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
STAFF = Actor.staff("agent-7")


def setup() -> tuple[Walletcare, object]:
    from bench_codec import busy_complaint

    app, state, _ = busy_complaint()
    return app, state


def events_for(case: str, n: int) -> list[ContactRecorded]:
    return [
        ContactRecorded(
            complaint_id=case,
            at=T0,
            by=STAFF,
            contact=Contact(
                at=T0, channel="phone", direction=Direction.INBOUND, summary=f"call {i} about {n}"
            ),
        )
        for i in range(5)
    ]


def walletcare_commands(app: Walletcare, state: object, path: str, sync: str, count: int) -> None:
    storage = SQLiteStorage(path, synchronous=sync)
    runner, cases, conv = app.commands, app.complaints.cases, app.converter
    summary = cases.summary(state)  # type: ignore[arg-type]
    for i in range(count):
        case = f"case-{i}"
        storage.append(
            Commit(
                stream_id=case,
                expected_version=0,
                events=[runner.to_record(e) for e in events_for(case, i)],
                timers=[SetTimer(name="sla:resolution", due_at=T0)],
                messages=[
                    OutboundMessage(
                        id=f"m-{i}", stream_id=case, channel="sms", recipient="+1",
                        template="t", body="b", due_at=T0,
                    )
                ],
                summary=summary,
                snapshot=Snapshot(kind="complaint", schema=1, data=conv.dumps(state)),
                take_keys=[f"complaint:open:cust-{i}:tx-1"],
            )
        )
    storage.close()


def walletcare_events_only(app: Walletcare, path: str, sync: str, count: int) -> None:
    storage = SQLiteStorage(path, synchronous=sync)
    runner = app.commands
    for i in range(count):
        case = f"case-{i}"
        storage.append(
            Commit(
                stream_id=case,
                expected_version=0,
                events=[runner.to_record(e) for e in events_for(case, i)],
            )
        )
    storage.close()


def raw_sqlite(app: Walletcare, state: object, path: str, sync: str, count: int) -> None:
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute(f"PRAGMA synchronous = {sync}")
    for script in MIGRATIONS:  # the same tables and indexes, written by hand
        for statement in script.split(";"):
            if statement.strip():
                db.execute(statement)
    summary = app.complaints.cases.summary(state)  # type: ignore[arg-type]
    plain_state = app.converter.dump(state)
    at = to_us(T0)
    for i in range(count):
        case = f"case-{i}"
        bodies = [
            json.dumps(
                {
                    "complaint_id": e.complaint_id,
                    "at": e.at.isoformat(),
                    "by": {"role": e.by.role.value, "id": e.by.id},
                    "contact": {
                        "at": e.contact.at.isoformat(),
                        "channel": e.contact.channel,
                        "direction": e.contact.direction.value,
                        "summary": e.contact.summary,
                        "message_id": e.contact.message_id,
                    },
                },
                separators=(",", ":"),
            )
            for e in events_for(case, i)
        ]
        snapshot = json.dumps(plain_state, separators=(",", ":"))
        db.execute("BEGIN IMMEDIATE")
        row = db.execute("SELECT version FROM streams WHERE stream_id = ?", (case,)).fetchone()
        version = row[0] if row else 0
        db.executemany(
            "INSERT INTO events (stream_id, version, kind, schema_version, at_us, data) "
            "VALUES (?, ?, 'complaint.contact_recorded', 1, ?, ?)",
            [(case, version + n, at, body) for n, body in enumerate(bodies, start=1)],
        )
        db.execute(
            "INSERT OR REPLACE INTO streams (stream_id, version, kind, status, opened_us, "
            "updated_us, deadline_us, summary_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (case, version + 5, summary.kind, summary.status, at, at, at, version + 5),
        )
        db.execute("DELETE FROM summary_attributes WHERE stream_id = ?", (case,))
        db.executemany(
            "INSERT INTO summary_attributes (stream_id, name, value) VALUES (?, ?, ?)",
            [(case, k, v) for k, v in summary.attributes.items()],
        )
        db.execute(
            "INSERT INTO stream_keys (key, stream_id) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
            (f"complaint:open:cust-{i}:tx-1", case),
        )
        db.execute(
            "INSERT OR REPLACE INTO snapshots (stream_id, kind, schema, version, data) "
            "VALUES (?, 'complaint', 1, ?, ?)",
            (case, version + 5, snapshot),
        )
        db.execute(
            "INSERT OR REPLACE INTO timers VALUES (?, 'sla:resolution', ?, ?, '{}', ?, NULL)",
            (case, at, at, version + 5),
        )
        db.execute(
            "INSERT INTO outbox VALUES (?, ?, 'sms', '+1', 't', '', 'b', 'en', '{}', ?, ?, 0, "
            "'pending', '', NULL)",
            (f"m-{i}", case, at, at),
        )
        db.execute("COMMIT")
    db.close()


def eventsourcing_recorder(app: Walletcare, path: str, sync: str, count: int) -> None:
    from eventsourcing.persistence import StoredEvent
    from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteDatastore

    datastore = SQLiteDatastore(db_name=path)
    recorder = SQLiteApplicationRecorder(datastore)
    recorder.create_table()
    runner = app.commands
    for i in range(count):
        originator = uuid.uuid4()
        recorder.insert_events(
            [
                StoredEvent(
                    originator_id=originator,
                    originator_version=n,
                    topic="complaint:ContactRecorded",
                    state=runner.to_record(e).data.encode(),
                )
                for n, e in enumerate(events_for(f"case-{i}", i), start=1)
            ]
        )
    datastore.close()


def main(count: int, rounds: int) -> None:
    logging.disable(logging.CRITICAL)
    app, state = setup()
    try:
        import eventsourcing  # noqa: F401

        peers = True
    except ImportError:
        peers = False
    tmp = tempfile.TemporaryDirectory()

    def fresh() -> str:
        return str(Path(tmp.name) / f"{uuid.uuid4().hex}.db")

    print(
        f"bench_storage: {count} commands, each 5 events + listing row + snapshot + timer + "
        f"message + key, encoded per command"
    )
    for sync in ("NORMAL", "FULL"):
        variants = {
            "walletcare": lambda s=sync: walletcare_commands(app, state, fresh(), s, count),
            "raw": lambda s=sync: raw_sqlite(app, state, fresh(), s, count),
        }
        if peers and sync == "FULL":
            variants["eventsourcing"] = lambda: eventsourcing_recorder(app, fresh(), "FULL", count)
            variants["events only"] = lambda: walletcare_events_only(app, fresh(), "FULL", count)
        times = interleaved(variants, rounds)
        print(f"  synchronous={sync}, {len(times['walletcare'])} interleaved rounds")
        print(rate_line("walletcare, whole command", times["walletcare"], count, "commands"))
        print(rate_line("plain sqlite3, the same rows", times["raw"], count, "commands"))
        print(ratio_line("walletcare/plain sqlite3", speed_ratios(times, "walletcare", "raw"), ">= 0.8"))
        if "eventsourcing" in times:
            print(rate_line("eventsourcing recorder, 5 events", times["eventsourcing"], count, "commands"))
            print(rate_line("walletcare, the same 5 events only", times["events only"], count, "commands"))
            print(ratio_line("walletcare/eventsourcing, 5 events", speed_ratios(times, "events only", "eventsourcing"), ">= 1"))
            print(ratio_line("walletcare whole command/eventsourcing", speed_ratios(times, "walletcare", "eventsourcing")))
    tmp.cleanup()
    url = os.environ.get("WALLETCARE_TEST_POSTGRES_URL")
    if url:
        from _postgres import section

        section(url, count, rounds=max(rounds, 5), due=max(count // 2, 10))
    else:
        print("  (PostgreSQL section skipped: set WALLETCARE_TEST_POSTGRES_URL to a server's URL)")


if __name__ == "__main__":
    main(
        int(sys.argv[1]) if len(sys.argv) > 1 else 2000,
        int(sys.argv[2]) if len(sys.argv) > 2 else 5,
    )
