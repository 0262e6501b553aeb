"""The PostgreSQL section of bench_storage.py: appends against raw psycopg and eventsourcing,
and tick throughput with several worker processes.

Every variant writes into a schema of its own on the server the URL names, created before
its clock starts and dropped afterwards. Variants run in rotated order, round after round.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
import tempfile

import psycopg
from attrs import frozen

from walletcare import Actor, Event, Settings, Walletcare, hookimpl
from walletcare.adapters.postgres.address import PostgresAddress
from walletcare.adapters.postgres.schema import migrate
from walletcare.adapters.postgres.storage import PostgresStorage
from walletcare.ports import Commit, DeliveryReceipt, NewEvent, OutboundMessage, SetTimer, Timer
from walletcare.services.commands import Decision

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
BODY = json.dumps({"by": {"role": "staff", "id": "agent-1"}, "note": "x" * 80})
EVENTS = [NewEvent(kind="complaint.noted", schema_version=1, at=T0, data=BODY) for _ in range(5)]


def with_schema(url: str, schema: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}schema={schema}"


def _connect(url: str) -> psycopg.Connection:
    return psycopg.connect(PostgresAddress.from_url(url).conninfo, autocommit=True)


def _drop(url: str, schema: str) -> None:
    with _connect(url) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'.encode())


def _command(i: int) -> Commit:
    stream = f"case-{i}"
    return Commit(
        stream_id=stream,
        expected_version=0,
        events=EVENTS,
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


def walletcare_commands(url: str, schema: str, count: int) -> float:
    storage = PostgresStorage.from_url(with_schema(url, schema))
    commits = [_command(i) for i in range(count)]
    start = time.perf_counter()
    for commit in commits:
        storage.append(commit)
    elapsed = time.perf_counter() - start
    storage.close()
    return elapsed


def walletcare_events_only(url: str, schema: str, count: int) -> float:
    """The same five events per command and nothing else: what eventsourcing's recorder writes."""
    storage = PostgresStorage.from_url(with_schema(url, schema))
    commits = [
        Commit(stream_id=f"case-{i}", expected_version=0, events=EVENTS) for i in range(count)
    ]
    start = time.perf_counter()
    for commit in commits:
        storage.append(commit)
    elapsed = time.perf_counter() - start
    storage.close()
    return elapsed


def raw_psycopg(url: str, schema: str, count: int) -> float:
    """The same rows in walletcare's tables, by plain statements, one transaction per command.

    Positions come from the same counter row, so readers get the same commit-order guarantee.
    """
    conn = _connect(url)
    migrate(conn, schema)
    s = f'"{schema}"'
    select_version = f"SELECT version FROM {s}.streams WHERE stream_id = %s FOR UPDATE".encode()
    upsert_stream = (
        f"INSERT INTO {s}.streams (stream_id, version) VALUES (%s, %s) "
        "ON CONFLICT (stream_id) DO UPDATE SET version = excluded.version"
    ).encode()
    upsert_timer = (
        f"INSERT INTO {s}.timers (stream_id, name, due_at, ready_at, payload, generation) "
        "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (stream_id, name) DO UPDATE SET "
        "due_at = excluded.due_at, ready_at = excluded.ready_at, payload = excluded.payload, "
        "generation = excluded.generation, token = NULL"
    ).encode()
    insert_message = (
        f"INSERT INTO {s}.outbox (id, stream_id, channel, recipient, template, subject, body, "
        "locale, data, due_at, attempts, status, last_error, ready_at) "
        "VALUES (%s, %s, %s, %s, %s, '', %s, 'en', '{}', %s, 0, 'pending', '', %s)"
    ).encode()
    take_positions = f"UPDATE {s}.positions SET last = last + %s RETURNING last".encode()
    insert_event = (
        f"INSERT INTO {s}.events (position, stream_id, version, kind, schema_version, at, data) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s)"
    ).encode()
    start = time.perf_counter()
    for i in range(count):
        stream = f"case-{i}"
        with conn.transaction():
            row = conn.execute(select_version, (stream,)).fetchone()
            version = row[0] if row else 0
            conn.execute(upsert_stream, (stream, version + 5))
            conn.execute(upsert_timer, (stream, "sla:ack", T0, T0, "{}", version + 5))
            conn.execute(insert_message, (f"m-{i}", stream, "sms", "+1", "t", "b", T0, T0))
            (last,) = conn.execute(take_positions, (5,)).fetchone()  # type: ignore[misc]
            conn.cursor().executemany(
                insert_event,
                [
                    (last - 5 + n, stream, version + n, "complaint.noted", 1, T0, BODY)
                    for n in range(1, 6)
                ],
            )
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed


def eventsourcing_recorder(url: str, schema: str, count: int) -> float:
    from eventsourcing.persistence import StoredEvent
    from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore

    params = psycopg.conninfo.conninfo_to_dict(PostgresAddress.from_url(url).conninfo)
    with _connect(url) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"'.encode())
    datastore = PostgresDatastore(
        dbname=str(params.get("dbname", "postgres")),
        host=str(params.get("host", "")),
        port=str(params.get("port", "5432")),
        user=str(params.get("user", "")),
        password=str(params.get("password", "")),
        schema=schema,
    )
    recorder = PostgresApplicationRecorder(datastore)
    recorder.create_table()
    state = BODY.encode()
    batches = []
    for _ in range(count):
        originator = uuid.uuid4()
        batches.append(
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
    start = time.perf_counter()
    for batch in batches:
        recorder.insert_events(batch)
    elapsed = time.perf_counter() - start
    datastore.close()
    return elapsed


def rotated(
    variants: dict[str, Callable[[str, str, int], float]], url: str, count: int, rounds: int
) -> dict[str, list[float]]:
    """Commands per second of each variant, per round; each round starts with the next variant."""
    names = list(variants)
    rates: dict[str, list[float]] = {name: [] for name in names}
    for r in range(rounds):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            schema = f"bench_{uuid.uuid4().hex[:12]}"
            try:
                rates[name].append(count / variants[name](url, schema, count))
            finally:
                _drop(url, schema)
    return rates


def spread(values: list[float], digits: int = 2) -> str:
    low, mid, high = min(values), statistics.median(values), max(values)
    return f"min {low:7.{digits}f}  median {mid:7.{digits}f}  max {high:7.{digits}f}"


def ratios(rates: dict[str, list[float]], top: str, bottom: str) -> list[float]:
    return [a / b for a, b in zip(rates[top], rates[bottom], strict=True)]


# -- ticking -------------------------------------------------------------------------------
@frozen(kw_only=True)
class Fired(Event):
    """A due timer fired (the benchmark's only event)."""

    kind = "bench.fired"


class Accepting:
    """A channel that accepts every message at once."""

    @hookimpl
    def walletcare_channels(self) -> list[str]:
        return ["sms"]

    @hookimpl
    def walletcare_deliver(self, message: OutboundMessage) -> DeliveryReceipt | None:
        return DeliveryReceipt(message_id=message.id, channel=message.channel)


def tick_worker(url: str, worker: str, out_dir: str) -> None:
    """A ticking process: fires each due timer into one event and sends messages nowhere."""

    app = Walletcare(
        Settings(storage_url=url, tick_batch=100, command_retries=1000, load_entry_points=False),
        plugins=[Accepting()],
        events=(Fired,),
    )

    def fire(history: Sequence[Event], timer: Timer, now: datetime) -> Decision:
        return Decision(events=[Fired(at=now, by=Actor("system", worker))])

    app.on_timer("due", fire)
    (Path(out_dir) / f"ready-{worker}").touch()
    go = Path(out_dir) / "go"
    while not go.exists():
        time.sleep(0.005)
    idle = 0
    while idle < 3:
        report = app.tick()
        busy = report.timers_fired + report.messages_delivered + report.timers_failed
        idle = 0 if busy else idle + 1
        if not busy:
            time.sleep(0.01)
    app.close()


def seed_due(url: str, streams: int) -> None:
    """One due timer and one due message on each of ``streams`` new cases."""
    storage = PostgresStorage.from_url(url)
    for s in range(streams):
        stream = f"case-{s}"
        storage.append(
            Commit(
                stream_id=stream,
                expected_version=0,
                timers=[SetTimer(name="due:ack", due_at=T0)],
                messages=[
                    OutboundMessage(
                        id=f"m-{s}",
                        stream_id=stream,
                        channel="sms",
                        recipient="r",
                        template="t",
                        body="b",
                        due_at=T0,
                    )
                ],
            )
        )
    storage.close()


def tick_seconds(url: str, workers: int, due: int) -> float:
    """Seconds ``workers`` processes take to fire ``due`` timers and send ``due`` messages."""
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    schema_url = with_schema(url, schema)
    try:
        seed_due(schema_url, due)
        with tempfile.TemporaryDirectory() as out:
            children = [
                subprocess.Popen(
                    [sys.executable, __file__, "tick-worker", schema_url, f"w{w}", out]
                )
                for w in range(workers)
            ]
            while not all((Path(out) / f"ready-w{w}").exists() for w in range(workers)):
                if any(child.poll() is not None for child in children):
                    raise RuntimeError("a tick worker died starting")
                time.sleep(0.01)
            start = time.perf_counter()
            (Path(out) / "go").touch()
            for child in children:
                if child.wait(timeout=600) != 0:
                    raise RuntimeError("a tick worker failed")
            elapsed = time.perf_counter() - start
        storage = PostgresStorage.from_url(schema_url)
        fired = sum(1 for e in storage.read_all(0, limit=due * 2 + 1) if e.kind == "bench.fired")
        storage.close()
        if fired != due:
            raise RuntimeError(f"{fired} timers fired, expected {due}")
        return elapsed
    finally:
        _drop(url, schema)


def section(url: str, count: int, rounds: int, due: int) -> None:
    """Print the PostgreSQL figures."""
    try:
        import eventsourcing  # noqa: F401

        peers = True
    except ImportError:
        peers = False
    variants: dict[str, Callable[[str, str, int], float]] = {
        "walletcare": walletcare_commands,
        "raw": raw_psycopg,
    }
    if peers:
        variants["eventsourcing"] = eventsourcing_recorder
        variants["events_only"] = walletcare_events_only
    with _connect(url) as conn:
        version = conn.execute("SHOW server_version").fetchone()[0]  # type: ignore[index]
        fsync = conn.execute("SHOW fsync").fetchone()[0]  # type: ignore[index]
    print(
        f"bench_storage PostgreSQL {version} (fsync={fsync}): {count} commands of 5 events "
        f"+ 1 timer + 1 message, {rounds} rounds in rotated order"
    )
    # The durable figures first; then the same with commits not waiting for the disk (libpq
    # reads PGOPTIONS for every connection, eventsourcing's too), which shows the software.
    for sync in ("on", "off"):
        os.environ["PGOPTIONS"] = f"-c synchronous_commit={sync}"
        try:
            rates = rotated(variants, url, count, rounds)
        finally:
            del os.environ["PGOPTIONS"]
        print(f"  synchronous_commit={sync}")
        for name, values in rates.items():
            print(f"    {name:13s} commands/s  {spread(values, 0)}")
        print(
            "    walletcare/raw psycopg (same rows, one transaction per command): "
            f"{spread(ratios(rates, 'walletcare', 'raw'))}   goal >= 0.80"
        )
        if peers:
            print(
                "    walletcare/eventsourcing PostgresApplicationRecorder (its 5 events only): "
                f"{spread(ratios(rates, 'events_only', 'eventsourcing'))}   goal > 1"
            )
            print(
                "    walletcare whole command/eventsourcing 5 events: "
                f"{spread(ratios(rates, 'walletcare', 'eventsourcing'))}"
            )
    print(
        f"  tick (synchronous_commit=on): {due} due timers and {due} due messages, "
        "worker processes ticking one schema"
    )
    seconds: dict[int, list[float]] = {1: [], 2: [], 4: []}
    for r in range(max(rounds // 2, 3)):
        order = list(seconds)
        for workers in order[r % 3 :] + order[: r % 3]:
            seconds[workers].append(tick_seconds(url, workers, due))
    for workers, values in seconds.items():
        per_second = [2 * due / v for v in values]
        print(f"  tick with {workers} worker(s): timers+messages/s  {spread(per_second, 0)}")
    for workers in (2, 4):
        speedup = [a / b for a, b in zip(seconds[1], seconds[workers], strict=True)]
        print(f"  tick speed-up {workers} workers/1: {spread(speedup)}")


if __name__ == "__main__" and sys.argv[1:2] == ["tick-worker"]:
    tick_worker(sys.argv[2], sys.argv[3], sys.argv[4])
