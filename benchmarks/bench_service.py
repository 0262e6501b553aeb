"""The service layer on ``memory://`` against the domain layer on the same commands, and the
cost of intake against the number of cases already stored.

(a) A complaint's life through ``Walletcare.complaints`` on ``memory://`` (open, acknowledge,
    start the investigation, request and receive information, resolve, close: seven commands,
    each loaded, decided, overseen and committed with its listing row, snapshot, messages
    and keys) against the same seven decisions and folds in the domain layer alone.
    Goal: the domain layer at most 5x faster.
(b) Opening complaints for new customers in a store holding ``small`` cases and in one
    holding ``large`` cases. Goal: t(large) / t(small) <= 1.5 (intake does not grow with
    the number of cases).

Variants run interleaved, in an order rotated every round.
Run: ``python benchmarks/bench_service.py [lifecycles] [small] [large] [rounds]``.
"""

from __future__ import annotations

import itertools
import logging
import sys
import time
from datetime import UTC, datetime, timedelta

from _timing import interleaved, rate_line, ratio_line, speed_ratios, time_ratios

from walletcare import Actor, ContactPoint, Money, NewComplaint, Settings, Walletcare
from walletcare.domain import complaints as c
from walletcare.testing import FixedClock

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
STAFF, CUSTOMER = Actor.staff("agent-7"), Actor.customer("cust-1")
POLICY = c.ComplaintPolicy()
EXPLANATION = "The second debit was a processing error; we refunded it to your wallet."
COMMANDS = 7
ids = itertools.count()


def intake(customer: str) -> NewComplaint:
    return NewComplaint(
        customer_id=customer,
        category="transaction_failure",
        channel="in_app",
        description="Debited twice.",
        occurred_at=T0 - timedelta(hours=1),
        transactions=("tx-1",),
        amount_lost=Money.of("42.00", "EUR"),
        contact=ContactPoint(channel="sms", address="+49"),
    )


def service_lifecycles(app: Walletcare, n: int) -> None:
    s = app.complaints
    for _ in range(n):
        customer = f"cust-{next(ids)}"
        cid = s.open(intake(customer)).complaint_id
        s.acknowledge(cid, by=STAFF)
        s.start_investigation(cid, by=STAFF)
        s.request_information(cid, by=STAFF, questions="receipt?")
        # Customers add information to their own complaints only.
        s.provide_information(cid, by=Actor.customer(customer), summary="attached")
        s.resolve(cid, by=STAFF, outcome="upheld", explanation=EXPLANATION)
        assert s.close(cid, by=STAFF).status is c.Status.CLOSED


def domain_lifecycles(n: int) -> None:
    apply = c.apply_all
    for _ in range(n):
        cid = f"cmp-{next(ids)}"
        s = c.replay(c.receive(cid, intake("cust-1"), by=CUSTOMER, at=T0, policy=POLICY))
        assert s is not None
        s = apply(s, c.acknowledge(s, by=STAFF, at=T0, message_id="m1"))
        s = apply(s, c.start_investigation(s, by=STAFF, at=T0))
        s = apply(s, c.request_information(s, by=STAFF, at=T0, questions="receipt?", message_id="m2"))
        s = apply(s, c.provide_information(s, by=CUSTOMER, at=T0, summary="attached", channel="in_app"))
        s = apply(s, c.resolve(s, by=STAFF, at=T0, outcome="upheld", explanation=EXPLANATION, message_id="m3"))
        s = apply(s, c.close(s, by=STAFF, at=T0, reason="done"))
        assert s.status is c.Status.CLOSED


def stocked(cases: int) -> Walletcare:
    app = Walletcare(Settings(storage_url="memory://", load_entry_points=False), clock=FixedClock(T0))
    for i in range(cases):
        app.complaints.open(intake(f"stock-{i}"))
    return app


def main(lifecycles: int, small: int, large: int, rounds: int) -> None:
    logging.disable(logging.CRITICAL)
    app = Walletcare(Settings(storage_url="memory://", load_entry_points=False), clock=FixedClock(T0))
    times = interleaved(
        {
            "service": lambda: service_lifecycles(app, lifecycles),
            "domain": lambda: domain_lifecycles(lifecycles),
        },
        rounds,
    )
    ops = lifecycles * COMMANDS
    print(f"bench_service: (a) {lifecycles} lifecycles x {COMMANDS} commands, {len(times['service'])} interleaved rounds")
    print(rate_line("walletcare service layer on memory://", times["service"], ops, "commands"))
    print(rate_line("walletcare domain layer, same decisions", times["domain"], ops, "commands"))
    print(ratio_line("domain layer/service layer", speed_ratios(times, "domain", "service"), "<= 5"))

    start = time.perf_counter()
    stores = {"small": stocked(small), "large": stocked(large)}
    print(f"  (b) stocked {small:,} and {large:,} cases through the API in {time.perf_counter() - start:.0f} s")
    opens = max(lifecycles, 50)

    def open_many(which: str) -> None:
        s = stores[which].complaints
        for _ in range(opens):
            s.open(intake(f"new-{next(ids)}"))

    times = interleaved({"small": lambda: open_many("small"), "large": lambda: open_many("large")}, rounds)
    print(rate_line(f"intake among {small:,} cases", times["small"], opens, "complaints"))
    print(rate_line(f"intake among {large:,} cases", times["large"], opens, "complaints"))
    print(ratio_line(f"walletcare intake t({large:,}) / t({small:,})", time_ratios(times, "large", "small"), "<= 1.5"))


if __name__ == "__main__":
    main(
        int(sys.argv[1]) if len(sys.argv) > 1 else 300,
        int(sys.argv[2]) if len(sys.argv) > 2 else 1_000,
        int(sys.argv[3]) if len(sys.argv) > 3 else 50_000,
        int(sys.argv[4]) if len(sys.argv) > 4 else 5,
    )
