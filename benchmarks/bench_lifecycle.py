"""Complaint commands decided and applied (no storage), against transitions and a dict table.

Each lifecycle runs six commands: acknowledge, start investigation, request information,
provide information, resolve, close. walletcare decides each (checks, validated events,
messages ids passed in) and folds its events into a new frozen state; the transitions
library and a bare dict table only move a status. The variants run interleaved, in an order
rotated every round. Run: ``python benchmarks/bench_lifecycle.py [lifecycles] [rounds]``.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime

from _timing import interleaved, rate_line, ratio_line, speed_ratios

from walletcare import Actor, ContactPoint, Money
from walletcare.domain import complaints as c

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
STAFF, CUSTOMER = Actor.staff("agent-7"), Actor.customer("cust-1")
POLICY = c.ComplaintPolicy()
EXPLANATION = "The second debit was a processing error; we refunded it to your wallet."
COMMANDS = 6

START = c.replay(
    c.receive(
        "cmp-1",
        c.NewComplaint(
            customer_id="cust-1",
            category="transaction_failure",
            channel="in_app",
            description="Debited twice.",
            occurred_at=T0,
            transactions=("tx-1",),
            amount_lost=Money.of("42.00", "EUR"),
            contact=ContactPoint(channel="sms", address="+49"),
        ),
        by=CUSTOMER,
        at=T0,
        policy=POLICY,
    )
)
assert START is not None


def walletcare_lifecycles(n: int) -> None:
    apply = c.apply_all
    for _ in range(n):
        s = START
        s = apply(s, c.acknowledge(s, by=STAFF, at=T0, message_id="m1"))
        s = apply(s, c.start_investigation(s, by=STAFF, at=T0))
        s = apply(
            s, c.request_information(s, by=STAFF, at=T0, questions="receipt?", message_id="m2")
        )
        s = apply(
            s, c.provide_information(s, by=CUSTOMER, at=T0, summary="attached", channel="in_app")
        )
        s = apply(
            s,
            c.resolve(
                s, by=STAFF, at=T0, outcome="upheld", explanation=EXPLANATION, message_id="m3"
            ),
        )
        s = apply(s, c.close(s, by=STAFF, at=T0, reason="done"))
        assert s.status is c.Status.CLOSED


TRIGGERS = [
    "acknowledge",
    "start_investigation",
    "request_information",
    "provide_information",
    "resolve",
    "close",
]
TABLE = {
    ("received", "acknowledge"): "acknowledged",
    ("acknowledged", "start_investigation"): "investigating",
    ("investigating", "request_information"): "awaiting_customer",
    ("awaiting_customer", "provide_information"): "investigating",
    ("investigating", "resolve"): "resolved",
    ("acknowledged", "resolve"): "resolved",
    ("awaiting_customer", "resolve"): "resolved",
    ("resolved", "close"): "closed",
}


def dict_lifecycles(n: int) -> None:
    table = TABLE
    for _ in range(n):
        state = "received"
        for trigger in TRIGGERS:
            state = table[(state, trigger)]
        assert state == "closed"


def transitions_lifecycles_factory():  # type: ignore[no-untyped-def]
    from transitions import Machine

    class Case:
        state: str

    transitions = [{"trigger": t, "source": s, "dest": d} for (s, t), d in TABLE.items()]
    machine = Machine(
        model=None,
        states=sorted({*TABLE.values(), "received"}),
        transitions=transitions,
        initial="received",
        auto_transitions=False,
    )

    def per_case(n: int) -> None:
        # How a case store would use it: each loaded case becomes a model of the machine.
        for _ in range(n):
            case = Case()
            machine.add_model(case)
            for trigger in TRIGGERS:
                getattr(case, trigger)()
            assert case.state == "closed"
            machine.remove_model(case)

    long_lived = Case()
    machine.add_model(long_lived)

    def triggers_only(n: int) -> None:
        # The cheapest possible use: one model, reset between lifecycles; triggers only.
        for _ in range(n):
            long_lived.state = "received"
            for trigger in TRIGGERS:
                getattr(long_lived, trigger)()
            assert long_lived.state == "closed"

    return per_case, triggers_only


def main(lifecycles: int, rounds: int) -> None:
    variants = {
        "walletcare": lambda: walletcare_lifecycles(lifecycles),
        "dict": lambda: dict_lifecycles(lifecycles),
    }
    try:
        per_case, triggers_only = transitions_lifecycles_factory()
    except ImportError:
        per_case = triggers_only = None
        print("  transitions not installed (pip install '.[bench]')")
    if per_case is not None and triggers_only is not None:
        variants["transitions"] = lambda: per_case(lifecycles)
        variants["transitions-triggers"] = lambda: triggers_only(lifecycles)
    times = interleaved(variants, rounds)
    ops = lifecycles * COMMANDS
    print(
        f"bench_lifecycle: {lifecycles} lifecycles x {COMMANDS} commands, "
        f"{len(times['walletcare'])} interleaved rounds"
    )
    print(rate_line("walletcare decide + validated events + fold", times["walletcare"], ops, "commands"))
    print(rate_line("bare dict table", times["dict"], ops, "transitions"))
    if "transitions" in times:
        print(rate_line("transitions, a model per case", times["transitions"], ops, "transitions"))
        print(rate_line("transitions, one model, triggers only", times["transitions-triggers"], ops, "transitions"))
        print(ratio_line("walletcare/transitions (model per case)", speed_ratios(times, "walletcare", "transitions"), ">= 3"))
        print(ratio_line("walletcare/transitions (triggers only)", speed_ratios(times, "walletcare", "transitions-triggers")))
    print(ratio_line("walletcare/dict table (the limit)", speed_ratios(times, "walletcare", "dict")))


if __name__ == "__main__":
    main(
        int(sys.argv[1]) if len(sys.argv) > 1 else 2000,
        int(sys.argv[2]) if len(sys.argv) > 2 else 7,
    )
