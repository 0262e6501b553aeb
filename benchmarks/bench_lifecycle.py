"""Complaint commands decided and applied (no storage), against transitions and a dict table.

Each lifecycle runs six commands: acknowledge, start investigation, request information,
provide information, resolve, close. walletcare decides each (checks, validated events,
messages ids passed in) and folds its events into a new frozen state; the transitions
library and a bare dict table only move a status. Run: ``python benchmarks/bench_lifecycle.py``.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime

from _timing import best_rate

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


def main(lifecycles: int) -> None:
    wc = best_rate(walletcare_lifecycles, lifecycles) * COMMANDS
    plain = best_rate(dict_lifecycles, lifecycles) * COMMANDS
    print(f"bench_lifecycle: {lifecycles} lifecycles x {COMMANDS} commands, best of 5")
    print(f"  walletcare decide+apply  {wc:12,.0f} commands/s")
    print(
        f"  bare dict table          {plain:12,.0f} transitions/s   walletcare/dict {wc / plain:6.3f}"
    )
    try:
        per_case, triggers_only = transitions_lifecycles_factory()
    except ImportError:
        print("  transitions not installed (pip install '.[bench]')")
        return
    peer = best_rate(per_case, lifecycles) * COMMANDS
    bare = best_rate(triggers_only, lifecycles) * COMMANDS
    print(
        f"  transitions, model/case  {peer:12,.0f} transitions/s   walletcare/transitions {wc / peer:6.2f}"
    )
    print(
        f"  transitions, triggers    {bare:12,.0f} transitions/s   walletcare/transitions {wc / bare:6.2f}"
    )
    print("  goal: walletcare/transitions >= 3")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
