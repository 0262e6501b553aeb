"""Child processes for the crash and concurrency tests (run as scripts, not collected).

Each takes a storage URL, so the same child runs against SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from attrs import frozen

from walletcare import Actor, Event, Settings, Walletcare, hookimpl
from walletcare.errors import ConcurrencyConflict
from walletcare.plugins import Plugins, make_plugin_manager
from walletcare.ports import (
    Commit,
    DeliveryReceipt,
    NewEvent,
    OutboundMessage,
    SetTimer,
    Storage,
    Timer,
)
from walletcare.services.commands import Decision

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def open_storage(url: str) -> Storage:
    """The storage ``url`` names, opened by the built-in plugins."""
    plugins = Plugins(make_plugin_manager(load_entry_points=False))
    return plugins.open_storage(Settings(storage_url=url, load_entry_points=False))


def crash_loop(url: str, tag: str) -> None:
    """Append 5 events + 1 timer + 1 message per command forever, printing each acknowledged tag."""
    storage = open_storage(url)
    i = 0
    while True:
        name = f"{tag}-{i}"
        stream = f"stream-{i % 7}"
        while True:
            version = storage.stream_version(stream)
            try:
                storage.append(
                    Commit(
                        stream_id=stream,
                        expected_version=version,
                        events=[
                            NewEvent(
                                kind="crash.step",
                                schema_version=1,
                                at=T0,
                                data=json.dumps({"tag": name, "n": n}),
                            )
                            for n in range(5)
                        ],
                        timers=[SetTimer(name=f"t:{name}", due_at=T0)],
                        messages=[
                            OutboundMessage(
                                id=name,
                                stream_id=stream,
                                channel="sms",
                                recipient="x",
                                template="t",
                                body="b",
                                due_at=T0,
                            )
                        ],
                    )
                )
                break
            except ConcurrencyConflict:
                continue
        print(name, flush=True)
        i += 1


@frozen(kw_only=True)
class Noted(Event):
    kind = "race.noted"
    worker: str
    n: int


@frozen(kw_only=True)
class Fired(Event):
    kind = "race.fired"
    timer: str


class FileChannel:
    """Delivers by appending the message id to this worker's file (no de-duplication: we count)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @hookimpl
    def walletcare_channels(self) -> list[str]:
        return ["sms", "email", "push", "in_app", "staff"]

    @hookimpl
    def walletcare_deliver(self, message: OutboundMessage) -> DeliveryReceipt | None:
        with self.path.open("a") as out:
            out.write(message.id + "\n")
        return DeliveryReceipt(message_id=message.id, channel=message.channel)


def race(url: str, worker: str, count: int, out_dir: str) -> None:
    """Append to shared streams and tick the same storage as the other workers."""
    app = Walletcare(
        Settings(storage_url=url, command_retries=1000, load_entry_points=False),
        plugins=[FileChannel(Path(out_dir) / f"delivered-{worker}.txt")],
        events=(Noted, Fired),
    )

    def fire(history: Sequence[Event], timer: Timer, now: datetime) -> Decision:
        return Decision(events=[Fired(at=now, by=Actor("system", worker), timer=timer.name)])

    app.on_timer("race", fire)
    acked = Path(out_dir) / f"acked-{worker}.txt"
    for n in range(count):
        stream = f"case-{n % 4}"

        def decide(
            history: Sequence[Event], now: datetime, n: int = n, stream: str = stream
        ) -> Decision:
            tag = f"{worker}-{n}"
            return Decision(
                events=[Noted(at=now, by=Actor("staff", worker), worker=worker, n=n)],
                timers=[SetTimer(name=f"race:{tag}", due_at=now - timedelta(seconds=1))],
                messages=[
                    OutboundMessage(
                        id=tag,
                        stream_id=stream,
                        channel="sms",
                        recipient="r",
                        template="t",
                        body="b",
                        due_at=now,
                    )
                ],
            )

        app.execute(stream, decide)
        with acked.open("a") as out:
            out.write(f"{worker}-{n}\n")
        if n % 5 == 0:
            app.tick()
    for _ in range(20):
        app.tick()
    app.close()


def intake(url: str, worker: str, policy: str, start_file: str, out_dir: str) -> None:
    """Open the same complaint as the other workers, all at once, and record the receipt."""
    import time

    from walletcare import ContactPoint, DuplicateComplaint, Money, NewComplaint
    from walletcare.config import CaseSettings, ComplaintPolicy, DuplicateHandling

    chosen = ComplaintPolicy(duplicates=DuplicateHandling(policy))
    app = Walletcare(
        Settings(
            storage_url=url,
            load_entry_points=False,
            cases={"complaint": CaseSettings(policy=chosen)},
        )
    )
    complaint = NewComplaint(
        customer_id="cust-race",
        category="transaction_failure",
        channel="in_app",
        description=f"Debited twice for the same payment ({worker}).",
        occurred_at=datetime(2026, 3, 1, tzinfo=UTC),
        transactions=["tx-race"],
        amount_lost=Money.of("10.00", "EUR"),
        contact=ContactPoint(channel="sms", address="+491500"),
    )
    while not Path(start_file).exists():  # every worker starts its intake at the same moment
        time.sleep(0.001)
    try:
        receipt = app.complaints.open(complaint)
        result = f"{receipt.complaint_id} {'linked' if receipt.linked else 'opened'}"
    except DuplicateComplaint as refused:
        result = f"{refused.existing_id} refused"
    (Path(out_dir) / f"intake-{worker}.txt").write_text(result)


def ticker(url: str, worker: str, out_dir: str) -> None:
    """Tick a storage others tick too, from when ``go`` appears until three ticks find nothing."""
    app = Walletcare(
        Settings(storage_url=url, tick_batch=25, command_retries=1000, load_entry_points=False),
        plugins=[FileChannel(Path(out_dir) / f"delivered-{worker}.txt")],
        events=(Fired,),
    )

    def fire(history: Sequence[Event], timer: Timer, now: datetime) -> Decision:
        return Decision(events=[Fired(at=now, by=Actor("system", worker), timer=timer.name)])

    app.on_timer("due", fire)
    (Path(out_dir) / f"ready-{worker}").touch()
    go = Path(out_dir) / "go"
    while not go.exists():
        time.sleep(0.01)
    idle = 0
    while idle < 3:
        report = app.tick()
        busy = report.timers_fired + report.messages_delivered + report.timers_failed
        idle = 0 if busy else idle + 1
        if not busy:
            time.sleep(0.05)
    app.close()


def incidents(db: str, worker: str, count: int, start_file: str) -> None:
    """File ``count`` alike complaints into the shared file while the other worker does too."""
    import time

    from walletcare import ContactPoint, Money, NewComplaint
    from walletcare.config import CaseSettings, IncidentPolicy, Pattern

    pattern = Pattern(name="errors", fields=("error_code",), window=timedelta(hours=1), threshold=6)
    app = Walletcare(
        Settings(
            storage_url=f"sqlite:///{db}",
            load_entry_points=False,
            command_retries=1000,
            cases={"incident": CaseSettings(policy=IncidentPolicy(patterns=(pattern,)))},
        )
    )
    while not Path(start_file).exists():
        time.sleep(0.001)
    for n in range(count):
        app.complaints.open(
            NewComplaint(
                customer_id=f"{worker}-cust-{n}",
                category="transaction_failure",
                channel="in_app",
                description="Payment failed with E500 but I was debited.",
                occurred_at=datetime(2026, 3, 1, tzinfo=UTC),
                transactions=[f"{worker}-tx-{n}"],
                amount_lost=Money.of("10.00", "EUR"),
                contact=ContactPoint(channel="sms", address=f"+49{n}"),
                error_code="E500",
            ),
            complaint_id=f"{worker}-cmp-{n}",
        )
    app.incidents.detect()
    app.close()


if __name__ == "__main__":
    if sys.argv[1] == "incidents":
        incidents(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5])
    elif sys.argv[1] == "intake":
        intake(*sys.argv[2:7])
    elif sys.argv[1] == "crash":
        crash_loop(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "tick":
        ticker(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        race(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5])
