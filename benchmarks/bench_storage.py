"""One command (5 events + 1 timer + 1 message) appended through walletcare's SQLite storage.

Compared in the same run with the same rows, in the same tables and indexes, written by plain
sqlite3 statements at the same durability,
and with the eventsourcing library's SQLite recorder (5 events only: it has no timers or
outbox) where it is installed. Run: ``python benchmarks/bench_storage.py [commands]``.

When ``WALLETCARE_TEST_POSTGRES_URL`` names a PostgreSQL server, a PostgreSQL section follows
(``_postgres.py``): the same command against raw psycopg and eventsourcing's PostgreSQL
recorder, and tick throughput with 1, 2 and 4 worker processes. Its schemas are dropped after.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from walletcare.adapters.sqlite import MIGRATIONS, SQLiteStorage, to_us
from walletcare.ports import Commit, NewEvent, OutboundMessage, SetTimer

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
BODY = json.dumps({"by": {"role": "staff", "id": "agent-1"}, "note": "x" * 80})


def walletcare_commands(path: str, synchronous: str, count: int) -> None:
    storage = SQLiteStorage(path, synchronous=synchronous)
    events = [
        NewEvent(kind="complaint.noted", schema_version=1, at=T0, data=BODY) for _ in range(5)
    ]
    for i in range(count):
        stream = f"case-{i}"
        storage.append(
            Commit(
                stream_id=stream,
                expected_version=0,
                events=events,
                timers=[SetTimer(name="sla:ack", due_at=T0)],
                messages=[
                    OutboundMessage(
                        id=f"m-{i}",
                        stream_id=stream,
                        channel="sms",
                        recipient="+1",
                        template="t",
                        body="b",
                        due_at=T0,
                    )
                ],
            )
        )
    storage.close()


def walletcare_events_only(path: str, synchronous: str, count: int) -> None:
    """The same five events per command and nothing else: what eventsourcing's recorder writes."""
    storage = SQLiteStorage(path, synchronous=synchronous)
    events = [
        NewEvent(kind="complaint.noted", schema_version=1, at=T0, data=BODY) for _ in range(5)
    ]
    for i in range(count):
        storage.append(Commit(stream_id=f"case-{i}", expected_version=0, events=events))
    storage.close()


def raw_sqlite(path: str, synchronous: str, count: int) -> None:
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute(f"PRAGMA synchronous = {synchronous}")
    # The same tables and indexes walletcare keeps (due-time lookups need them), written by hand.
    db.executescript(MIGRATIONS[0])
    at = to_us(T0)
    for i in range(count):
        stream = f"case-{i}"
        db.execute("BEGIN IMMEDIATE")
        row = db.execute("SELECT version FROM streams WHERE stream_id = ?", (stream,)).fetchone()
        version = row[0] if row else 0
        for n in range(1, 6):
            db.execute(
                "INSERT INTO events (stream_id, version, kind, schema_version, at_us, data) VALUES (?, ?, ?, ?, ?, ?)",
                (stream, version + n, "complaint.noted", 1, at, BODY),
            )
        db.execute(
            "INSERT INTO streams (stream_id, version) VALUES (?, ?) ON CONFLICT (stream_id) DO UPDATE SET version = excluded.version",
            (stream, version + 5),
        )
        db.execute(
            "INSERT OR REPLACE INTO timers VALUES (?, ?, ?, ?, ?, ?, NULL)",
            (stream, "sla:ack", at, at, "{}", version + 5),
        )
        db.execute(
            "INSERT INTO outbox VALUES (?, ?, ?, ?, ?, '', ?, 'en', '{}', ?, ?, 0, 'pending', '', NULL)",
            (f"m-{i}", stream, "sms", "+1", "t", "b", at, at),
        )
        db.execute("COMMIT")
    db.close()


def eventsourcing_recorder(path: str, synchronous: str, count: int) -> None:
    from eventsourcing.persistence import StoredEvent
    from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteDatastore

    datastore = SQLiteDatastore(db_name=path)
    recorder = SQLiteApplicationRecorder(datastore)
    recorder.create_table()
    state = BODY.encode()
    for _ in range(count):
        originator = uuid.uuid4()
        recorder.insert_events(
            [
                StoredEvent(
                    originator_id=originator,
                    originator_version=n,
                    topic="complaint:Noted",
                    state=state,
                )
                for n in range(1, 6)
            ]
        )
    datastore.close()


def interleaved(
    fns: dict[str, object], synchronous: str, count: int, rounds: int = 4
) -> dict[str, float]:
    """Best rate of each writer, running them in turn each round so disk noise hits all alike."""
    best = dict.fromkeys(fns, 0.0)
    for _ in range(rounds):
        for name, fn in fns.items():
            with tempfile.TemporaryDirectory() as tmp:
                start = time.perf_counter()
                fn(str(Path(tmp) / "bench.db"), synchronous, count)  # type: ignore[operator]
                best[name] = max(best[name], count / (time.perf_counter() - start))
    return best


def main(count: int) -> None:
    try:
        import eventsourcing  # noqa: F401

        peers = True
    except ImportError:
        peers = False
    print(
        f"bench_storage: {count} commands of 5 events + 1 timer + 1 message, best of 4 interleaved rounds"
    )
    normal = interleaved({"walletcare": walletcare_commands, "raw": raw_sqlite}, "NORMAL", count)
    print(
        f"  synchronous=NORMAL  walletcare {normal['walletcare']:7.0f}/s  raw sqlite3 {normal['raw']:7.0f}/s"
        f"  walletcare/raw {normal['walletcare'] / normal['raw']:5.2f}"
    )
    fns: dict[str, object] = {"walletcare": walletcare_commands, "raw": raw_sqlite}
    if peers:
        fns["eventsourcing"] = eventsourcing_recorder
        fns["events_only"] = walletcare_events_only
    full = interleaved(fns, "FULL", count)
    line = (
        f"  synchronous=FULL    walletcare {full['walletcare']:7.0f}/s  raw sqlite3 {full['raw']:7.0f}/s"
        f"  walletcare/raw {full['walletcare'] / full['raw']:5.2f}"
    )
    if peers:
        line += (
            f"\n  eventsourcing SQLiteApplicationRecorder (its defaults: WAL, synchronous FULL; 5 events,"
            f" no timer or outbox) {full['eventsourcing']:7.0f}/s"
            f"  walletcare/eventsourcing {full['walletcare'] / full['eventsourcing']:5.2f}"
            f"\n  walletcare appending the same 5 events only {full['events_only']:7.0f}/s"
            f"  walletcare/eventsourcing {full['events_only'] / full['eventsourcing']:5.2f}"
        )
    print(line)
    print("  goal: walletcare/raw >= 0.80 and walletcare/eventsourcing > 1")
    url = os.environ.get("WALLETCARE_TEST_POSTGRES_URL")
    if url:
        from _postgres import section

        section(url, count, rounds=5, due=max(count // 2, 10))
    else:
        print("  (PostgreSQL section skipped: set WALLETCARE_TEST_POSTGRES_URL to a server's URL)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
