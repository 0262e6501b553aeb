"""The tick: SLA timers of real complaints fired through ``Walletcare.tick``, on SQLite.

Every case is a real complaint (a German wallet complaint under a standard SLA, received and
acknowledged: its events, snapshot, listing row, attributes, unique key and timers). One is
made through the public API; the others are copies of its rows under new ids, written
straight into SQLite, because opening a million complaints through commands would take
hours. Per round, 1,000 cases have their resolution warning due; each tick warns them with
the real SLA handler (one ``sla.clock_warned`` event, the timer re-armed for the deadline,
the listing row and snapshot rewritten).

(a) walletcare's tick against a hand-written batch tick doing the same rows in the same
    run: claim through the due-time index, then per timer one snapshot read, one event
    insert, the stream's version, listing row and snapshot, one timer update; one
    transaction per batch. Goal: walletcare at least 0.3x.
(b) the same tick among 10,000 and among 1,000,000 open cases. Goal: t(1M) / t(10k) <= 1.5.

Variants run interleaved, in an order rotated every round.
Run: ``python benchmarks/bench_tick.py [small] [large] [rounds]``.
"""

from __future__ import annotations

import json
import logging
import shutil
import sqlite3
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from _timing import interleaved, ratio_line, speed_ratios, time_ratios

from walletcare import Actor, BusinessCalendar, ContactPoint, Money, NewComplaint, Settings, Walletcare
from walletcare.adapters.sqlite import to_us
from walletcare.config import CaseSettings, Oversight, SlaChoice, SlaPolicy, SlaTarget
from walletcare.testing import FixedClock

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # Monday 09:00 in Berlin
DUE = 1000
TEMPLATE_ID, TEMPLATE_CUSTOMER = "case-template", "customer-template"
CALENDAR = BusinessCalendar.build(zone="Europe/Berlin", hours={"mon-fri": "09:00-17:00"}, country="DE")
POLICY = SlaPolicy(
    name="standard",
    calendar=CALENDAR,
    targets=(
        SlaTarget(metric="acknowledgement", duration=timedelta(hours=4), pauses=False),
        SlaTarget(metric="resolution", duration=timedelta(hours=40), warn_at=Decimal("0.5")),
    ),
)
SETTINGS = {"complaint": CaseSettings(oversight=Oversight(sla=(SlaChoice(policy=POLICY),)))}
TABLES = ("events", "snapshots", "streams", "summary_attributes", "stream_keys", "timers")


def settings(path: str) -> Settings:
    return Settings(
        storage_url=f"sqlite:///{path}?synchronous=normal",
        tick_batch=DUE,
        load_entry_points=False,
        cases=SETTINGS,
    )


def template(path: str) -> tuple[dict[str, list[tuple[object, ...]]], datetime]:
    """One complaint through the public API; its rows, and when its warning falls due."""
    app = Walletcare(settings(path), clock=FixedClock(T0))
    app.complaints.open(
        NewComplaint(
            customer_id=TEMPLATE_CUSTOMER,
            category="transaction_failure",
            channel="in_app",
            description="Top-up debited twice.",
            occurred_at=T0 - timedelta(hours=1),
            transactions=("tx-1",),
            amount_lost=Money.of("40", "EUR"),
            contact=ContactPoint(channel="sms", address="+4915100000000"),
            jurisdiction="DE",
            product="wallet",
        ),
        complaint_id=TEMPLATE_ID,
    )
    app.complaints.acknowledge(TEMPLATE_ID, by=Actor.staff("agent-7"))
    clock = {c.metric: c for c in app.complaints.get(TEMPLATE_ID).clocks}["resolution"]
    assert clock.warn_at is not None
    db = sqlite3.connect(path)
    rows = {
        table: db.execute(f"SELECT * FROM {table} WHERE stream_id = ?", (TEMPLATE_ID,)).fetchall()
        for table in TABLES
    }
    db.close()
    app.close()
    return rows, clock.warn_at


def seed(
    template_db: str,
    path: str,
    rows: dict[str, list[tuple[object, ...]]],
    cases: int,
    due: int,
    warn: datetime,
) -> None:
    """``cases`` copies of the template; the first ``due`` have their warning due, 1,000 per
    round at one second apart; the others' timers are due in a year."""
    shutil.copy(template_db, path)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode = DELETE")  # no write-ahead log of the whole seed
    db.execute("PRAGMA synchronous = OFF")
    db.execute("BEGIN")
    later = to_us(warn + timedelta(days=365))

    def copies(table: str):  # type: ignore[no-untyped-def]
        for i in range(cases):
            case, customer = f"case-{i:07d}", f"customer-{i:07d}"
            for row in rows[table]:
                out = [
                    v.replace(TEMPLATE_ID, case).replace(TEMPLATE_CUSTOMER, customer)
                    if isinstance(v, str)
                    else v
                    for v in row
                ]
                if table == "timers":
                    ready = to_us(warn) + (i // DUE) * 1_000_000 if i < due and out[1] == "sla:resolution" else later
                    out[2] = out[3] = ready
                yield out

    for table in TABLES:
        if table == "events":
            db.executemany(
                "INSERT INTO events (stream_id, version, kind, schema_version, at_us, data) VALUES (?, ?, ?, ?, ?, ?)",
                ([r[1], r[2], r[3], r[4], r[5], r[6]] for r in copies(table)),
            )
        else:
            width = len(rows[table][0])
            db.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' * width)})", copies(table))
    db.execute("COMMIT")
    db.execute("PRAGMA journal_mode = WAL")
    db.close()


def walletcare_tick(app: Walletcare, at: datetime) -> float:
    start = time.perf_counter()
    report = app.tick(at)
    elapsed = time.perf_counter() - start
    assert report.timers_fired == DUE and report.timers_failed == 0, report
    return elapsed


def hand_written_tick(db: sqlite3.Connection, at: datetime) -> float:
    """The same rows by hand: claim by the index, then per timer one snapshot read, one
    event, the stream's version, listing row and snapshot, one timer update; one transaction."""
    start = time.perf_counter()
    now_us = to_us(at)
    token = uuid.uuid4().hex
    db.execute("BEGIN IMMEDIATE")
    claimed = db.execute(
        "SELECT stream_id, name FROM timers WHERE ready_us <= ? ORDER BY ready_us LIMIT ?",
        (now_us, DUE),
    ).fetchall()
    db.executemany(
        "UPDATE timers SET ready_us = ?, token = ? WHERE stream_id = ? AND name = ?",
        [(now_us + 300_000_000, token, s, n) for s, n in claimed],
    )
    db.execute("COMMIT")
    db.execute("BEGIN IMMEDIATE")
    for stream_id, name in claimed:
        version, data = db.execute(
            "SELECT version, data FROM snapshots WHERE stream_id = ?", (stream_id,)
        ).fetchone()
        state = json.loads(data)
        clock = next(c for c in state["clocks"] if c["metric"] == "resolution")
        clock["warned"] = True
        deadline = datetime.fromisoformat(clock["deadline"])
        state["updated_at"] = at.isoformat()
        body = json.dumps(
            {
                "at": at.isoformat(),
                "by": {"role": "system", "id": "walletcare"},
                "metric": "resolution",
                "deadline": clock["deadline"],
                "business_time_left": str(deadline - at),
            }
        )
        new = version + 1
        db.execute(
            "INSERT INTO events (stream_id, version, kind, schema_version, at_us, data) VALUES (?, ?, 'sla.clock_warned', 1, ?, ?)",
            (stream_id, new, now_us, body),
        )
        db.execute(
            "UPDATE streams SET version = ?, updated_us = ?, summary_version = ? WHERE stream_id = ?",
            (new, now_us, new, stream_id),
        )
        db.execute(
            "INSERT OR REPLACE INTO snapshots (stream_id, kind, schema, version, data) VALUES (?, 'complaint', 1, ?, ?)",
            (stream_id, new, json.dumps(state)),
        )
        deadline_us = to_us(deadline)
        db.execute(
            "UPDATE timers SET due_us = ?, ready_us = ?, generation = ?, token = NULL WHERE stream_id = ? AND name = ?",
            (deadline_us, deadline_us, new, stream_id, name),
        )
    db.execute("COMMIT")
    return time.perf_counter() - start


def main(small: int, large: int, rounds: int) -> None:
    logging.disable(logging.CRITICAL)
    rounds = max(rounds, 5)
    due = DUE * rounds
    with tempfile.TemporaryDirectory() as tmp:
        template_db = str(Path(tmp) / "template.db")
        rows, warn = template(template_db)
        db = sqlite3.connect(template_db, isolation_level=None)
        for table in TABLES:
            db.execute(f"DELETE FROM {table}")
        db.execute("DELETE FROM outbox")
        db.close()
        paths = {}
        for name, cases in (("walletcare", small), ("hand", small), ("small", small), ("large", large)):
            if name in ("walletcare", "hand") and "walletcare" in paths:
                paths[name] = str(Path(tmp) / f"{name}.db")
                shutil.copy(paths["walletcare"], paths[name])
                continue
            paths[name] = str(Path(tmp) / f"{name}.db")
            start = time.perf_counter()
            seed(template_db, paths[name], rows, max(cases, due), due, warn)
            print(f"  seeded {max(cases, due):,} cases in {time.perf_counter() - start:.0f} s", flush=True)
        at = [warn + timedelta(seconds=r) for r in range(rounds)]
        apps = {name: Walletcare(settings(paths[name])) for name in ("walletcare", "small", "large")}
        hand = sqlite3.connect(paths["hand"], isolation_level=None)
        hand.execute("PRAGMA journal_mode = WAL")
        hand.execute("PRAGMA synchronous = NORMAL")
        turn = {"walletcare": 0, "hand": 0, "small": 0, "large": 0}

        def next_at(name: str) -> datetime:
            turn[name] += 1
            return at[turn[name] - 1]

        times = interleaved(
            {
                "walletcare": lambda: walletcare_tick(apps["walletcare"], next_at("walletcare")),
                "hand-written": lambda: hand_written_tick(hand, next_at("hand")),
                "10k": lambda: walletcare_tick(apps["small"], next_at("small")),
                "1M": lambda: walletcare_tick(apps["large"], next_at("large")),
            },
            rounds,
        )
        for app in apps.values():
            app.close()
        hand.close()
    print(f"bench_tick: {DUE:,} due SLA warnings per tick, real complaints, {rounds} interleaved rounds")
    for name, label in (("walletcare", f"walletcare tick, {small:,} open"), ("hand-written", "hand-written batch tick, same rows"), ("10k", f"walletcare tick, {small:,} open"), ("1M", f"walletcare tick, {large:,} open")):
        print(f"    {label:<44} {min(times[name]) * 1000:9.1f} ms (best of {len(times[name])})")
    print(ratio_line("(a) walletcare/hand-written batch tick", speed_ratios(times, "walletcare", "hand-written"), ">= 0.3"))
    print(ratio_line(f"(b) walletcare t({large:,}) / t({small:,})", time_ratios(times, "1M", "10k"), "<= 1.5"))


if __name__ == "__main__":
    main(
        int(sys.argv[1]) if len(sys.argv) > 1 else 10_000,
        int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000,
        int(sys.argv[3]) if len(sys.argv) > 3 else 5,
    )
