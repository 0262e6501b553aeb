"""A command on a long case against the same command on a short one, through the public API.

Two complaints on one SQLite file (``synchronous=normal``) and on ``memory://``: one with 10
events, one with 1,000 (contacts recorded one by one, so its state grows with its stream).
Each round records a contact on each, in an order rotated every round; the ratio is the
long case's time over the short one's.

Run: ``python benchmarks/bench_snapshot.py [commands] [rounds]``.
"""

from __future__ import annotations

import logging
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from _timing import interleaved, ratio_line, time_ratios

from walletcare import Actor, ContactPoint, Money, NewComplaint, Settings, Walletcare
from walletcare.testing import FixedClock

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
STAFF = Actor.staff("agent-7")


def grown(app: Walletcare, customer: str, events: int) -> str:
    cid = app.complaints.open(
        NewComplaint(
            customer_id=customer,
            category="transaction_failure",
            channel="in_app",
            description="Top-up debited twice.",
            occurred_at=T0 - timedelta(hours=1),
            transactions=("tx-1",),
            amount_lost=Money.of("40", "EUR"),
            contact=ContactPoint(channel="sms", address="+4915100000000"),
            jurisdiction="DE",
            product="wallet",
        )
    ).complaint_id
    while app.storage.stream_version(cid) < events:
        contact(app, cid)
    return cid


def contact(app: Walletcare, cid: str) -> None:
    app.complaints.record_contact(
        cid, by=STAFF, channel="phone", direction="inbound", summary="called about the refund"
    )


def main(commands: int, rounds: int) -> None:
    logging.disable(logging.CRITICAL)
    with tempfile.TemporaryDirectory() as tmp:
        urls = {
            "sqlite": f"sqlite:///{Path(tmp) / 'cases.db'}?synchronous=normal",
            "memory": "memory://",
        }
        print(
            f"bench_snapshot: {commands} commands (record a contact) per variant per round, "
            "on a 10-event and on a 1,000-event complaint"
        )
        for name, url in urls.items():
            app = Walletcare(Settings(storage_url=url, load_entry_points=False), clock=FixedClock(T0))
            short, long = grown(app, "short", 10), grown(app, "long", 1000)
            sizes = {
                cid: len(app.storage.read_snapshot(cid).data)  # type: ignore[union-attr]
                for cid in (short, long)
            }

            def run(cid: str, app: Walletcare = app) -> float:
                start = time.perf_counter()
                for _ in range(commands):
                    contact(app, cid)
                return time.perf_counter() - start

            times = interleaved(
                {"short": lambda s=short: run(s), "long": lambda s=long: run(s)}, rounds
            )
            print(
                f"  {name}: {len(times['short'])} interleaved rounds; snapshots of "
                f"{sizes[short]:,} and {sizes[long]:,} characters"
            )
            for which in ("short", "long"):
                per = min(times[which]) / commands * 1e6
                print(f"    {which} case: {per:8.0f} us per command (best of {len(times[which])})")
            print(
                ratio_line(
                    f"walletcare t(1,000 events) / t(10 events), {name}",
                    time_ratios(times, "long", "short"),
                    "<= 1.5",
                )
            )
            app.close()


if __name__ == "__main__":
    main(
        int(sys.argv[1]) if len(sys.argv) > 1 else 200,
        int(sys.argv[2]) if len(sys.argv) > 2 else 5,
    )
