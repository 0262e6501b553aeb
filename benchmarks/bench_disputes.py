"""Dispute commands decided and applied per second (no storage), against a hand-written dict
state machine doing the same steps.

Each dispute runs ten commands from the state it opened in (a US Reg E dispute over a
USD 60 transfer): the customer and the merchant each stage and submit evidence, the merchant
offers a partial refund, the customer counters, the merchant declines, the wallet credits
USD 60 provisionally, decides USD 25 for the customer (25 of the credit made final, 35 set
for reversal after the honour period), and the decision becomes final with its payments.
walletcare decides each with its checks and validated events and folds them into a new frozen
state; the hand-written machine keeps the dispute in dicts, checks the same things (stage,
who acts, due_by, amounts never above what was disputed, exact Decimal cents), records an
event dict per step and settles the credit the same way.

Variants run interleaved, in an order rotated every round, for at least 5 rounds; the ratio
walletcare/hand-written of each round is printed as min / median / max with its goal.

Run: ``python benchmarks/bench_disputes.py [disputes] [rounds]``.
"""

from __future__ import annotations

import statistics
import sys
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from walletcare import Actor, Money
from walletcare.domain import disputes as d
from walletcare.domain.disputes.kind import DISPUTES
from walletcare.domain.regulatory import DEFAULT_CHOICES, default_regulation
from _timing import interleaved

T0 = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
STAFF, CUSTOMER, MERCHANT = Actor.staff("agent-7"), Actor.customer("c-1"), Actor("merchant", "m-1")
RULES = d.DisputePolicy().compile(default_regulation(), DEFAULT_CHOICES)
US = {"jurisdiction": "US"}
NEW = d.NewDispute(
    customer=d.Participant(party="customer", id="c-1", **US),
    merchant=d.Participant(party="merchant", id="m-1", **US),
    wallet=d.Participant(party="wallet", id="w", **US),
    transactions=(
        d.DisputedTransaction(
            id="tx-1",
            amount=Money.of("60.00", "USD"),
            disputed=Money.of("60.00", "USD"),
            occurred_at=T0 - timedelta(days=2),
        ),
    ),
    reason="unauthorized",
    description="I did not send this.",
    contact_channel="sms",
    contact_address="+1",
    profile="wallet",
)
START = d.replay(d.open_dispute("dsp-1", NEW, by=CUSTOMER, at=T0, rules=RULES))
assert START is not None
ITEM = d.EvidenceItem(kind="receipt", reference="files/1")
COMMANDS = 10
USD = Money.of


def walletcare_disputes(n: int) -> None:
    apply = DISPUTES.apply_all
    at, rules = T0 + timedelta(hours=1), RULES
    later = at + timedelta(days=20)
    for _ in range(n):
        s = START
        s = apply(
            s, d.stage_evidence(s, by=CUSTOMER, party="customer", items=(ITEM,), text="x", at=at)
        )
        s = apply(s, d.submit_evidence(s, by=CUSTOMER, party="customer", at=at))
        s = apply(
            s, d.stage_evidence(s, by=MERCHANT, party="merchant", items=(ITEM,), text="y", at=at)
        )
        s = apply(s, d.submit_evidence(s, by=MERCHANT, party="merchant", at=at))
        s = apply(
            s,
            d.make_offer(
                s, offer_id="o-1", by=MERCHANT, party="merchant", to="customer",
                offer="partial_refund", amount=USD("20.00", "USD"), reasons="goodwill",
                expires_at=later, at=at,
            ),
        )  # fmt: skip
        s = apply(
            s,
            d.make_offer(
                s, offer_id="o-2", by=CUSTOMER, party="customer", to="merchant",
                offer="partial_refund", amount=USD("35.00", "USD"), reasons="half",
                expires_at=later, at=at, counters="o-1",
            ),
        )  # fmt: skip
        s = apply(
            s, d.decline_offer(s, offer_id="o-2", by=MERCHANT, party="merchant", reason="no", at=at)
        )
        s = apply(s, d.give_credit(s, credit_id="k-1", by=STAFF, amount=None, at=at, rules=rules))
        s = apply(
            s,
            d.decide(
                s, by=STAFF, award=USD("25.00", "USD"), payer="wallet",
                explanation="part authorised", at=at, rules=rules,
            ),
        )  # fmt: skip
        s = apply(s, d.finalize(s, at=later, rules=rules))
        assert s.stage is d.Stage.RESOLVED


# -- the hand-written machine ---------------------------------------------------------------
# The same deadlines need the same holiday calendar: the plain machine counts business days
# on the US calendar walletcare counts them on (New York time, US federal holidays).
NY = ZoneInfo("America/New_York")
CAL = default_regulation().calendar("US")
assert CAL is not None
CENT = Decimal("0.01")


def end_of_day(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=NY) + timedelta(days=1)


def business_days_after(at: datetime, days: int) -> date:
    return CAL.add_business_days(at, days)


def plain_start() -> dict[str, object]:
    due = end_of_day(T0.astimezone(NY).date() + timedelta(days=10))
    return {
        "stage": "dispute",
        "disputed": Decimal("60.00"),
        "credited": Decimal("0.00"),
        "evidence": {
            "customer": {"due_by": due, "items": (), "text": "", "submitted": None},
            "merchant": {"due_by": due, "items": (), "text": "", "submitted": None},
        },
        "offers": {},
        "credits": [],
        "events": [],
        "decision": None,
        "outcome": None,
    }


def plain_event(s: dict, kind: str, by: Actor, at: datetime, **fields: object) -> None:
    s["events"].append({"kind": kind, "by": by, "at": at, **fields})


def plain_stage(s: dict, party: str, by: Actor, items: tuple, text: str, at: datetime) -> None:
    if s["stage"] not in ("dispute", "appeal"):
        raise ValueError("stage")
    if by.role.value == "customer" and party != "customer":
        raise ValueError("by")
    w = s["evidence"][party]
    if w["submitted"] is not None or at > w["due_by"]:
        raise ValueError("window")
    w["items"], w["text"] = items, text
    plain_event(s, "evidence_staged", by, at, party=party, items=items, text=text)


def plain_submit(s: dict, party: str, by: Actor, at: datetime) -> None:
    w = s["evidence"][party]
    if w["submitted"] is not None or at > w["due_by"] or not (w["items"] or w["text"]):
        raise ValueError("window")
    w["submitted"] = at
    plain_event(s, "evidence_submitted", by, at, party=party, items=len(w["items"]))


def plain_offer(
    s: dict, oid: str, by: Actor, party: str, to: str, amount: Decimal, expires: datetime,
    at: datetime, counters: str = "",
) -> None:  # fmt: skip
    if s["stage"] in ("resolved", "closed") or party == to:
        raise ValueError("offer")
    amount = amount.quantize(CENT)
    if not (0 < amount < s["disputed"]) or expires <= at or oid in s["offers"]:
        raise ValueError("amount")
    if counters:
        c = s["offers"][counters]
        if c["status"] != "open" or c["to"] != party or at > c["expires"]:
            raise ValueError("counter")
        c["status"] = "countered"
    s["offers"][oid] = {
        "by": party,
        "to": to,
        "amount": amount,
        "expires": expires,
        "status": "open",
    }
    plain_event(s, "offer_made", by, at, offer_id=oid, amount=amount, counters=counters)


def plain_decline(s: dict, oid: str, by: Actor, party: str, reason: str, at: datetime) -> None:
    o = s["offers"][oid]
    if o["status"] != "open" or o["to"] != party or at > o["expires"] or not reason:
        raise ValueError("decline")
    o["status"], o["answer"] = "declined", reason
    plain_event(s, "offer_declined", by, at, offer_id=oid, reason=reason)


def plain_credit(s: dict, cid: str, by: Actor, at: datetime) -> None:
    if s["decision"] is not None or by.role.value != "staff":
        raise ValueError("credit")
    amount = s["disputed"] - s["credited"]
    if amount <= 0:
        raise ValueError("amount")
    s["credited"] += amount
    notice = end_of_day(business_days_after(at, 2))
    s["credits"].append(
        {"id": cid, "amount": amount, "status": "provisional", "notice_due": notice}
    )
    plain_event(s, "credit_given", by, at, credit_id=cid, amount=amount, notice_due=notice)


def plain_decide(s: dict, by: Actor, award: Decimal, payer: str, why: str, at: datetime) -> None:
    if s["stage"] not in ("dispute", "appeal") or by.role.value != "staff":
        raise ValueError("decide")
    award = award.quantize(CENT)
    if not (0 <= award <= s["disputed"]) or (award and payer not in ("merchant", "wallet")):
        raise ValueError("award")
    s["decision"] = {"award": award, "payer": payer, "why": why}
    s["appeal_until"] = end_of_day(at.astimezone(NY).date() + timedelta(days=10))
    s["stage"] = "decided"
    plain_event(s, "decided", by, at, award=award, payer=payer)
    left = award
    reverse_at = end_of_day(business_days_after(at, 5))
    for c in s["credits"]:
        if c["status"] != "provisional":
            continue
        final = min(c["amount"], left)
        left -= final
        c["final"], c["reversing"] = final, c["amount"] - final
        c["status"] = "reversing" if c["reversing"] else "final"
        c["reverse_at"] = reverse_at
        plain_event(s, "credit_settled", by, at, credit_id=c["id"], final=final)


def plain_finalize(s: dict, at: datetime) -> None:
    if s["stage"] != "decided" or at < s["appeal_until"]:
        return
    decision = s["decision"]
    final = sum((c.get("final", Decimal(0)) for c in s["credits"]), Decimal(0))
    payments = []
    if final:
        payments.append(("wallet", "customer", final))
    if decision["award"] - final:
        payments.append((decision["payer"], "customer", decision["award"] - final))
    s["outcome"], s["stage"] = {**decision, "payments": payments}, "resolved"
    plain_event(s, "resolved", STAFF, at, payments=payments)


def hand_written_disputes(n: int) -> None:
    at = T0 + timedelta(hours=1)
    later = at + timedelta(days=20)
    for _ in range(n):
        s = plain_start()
        plain_stage(s, "customer", CUSTOMER, (ITEM,), "x", at)
        plain_submit(s, "customer", CUSTOMER, at)
        plain_stage(s, "merchant", MERCHANT, (ITEM,), "y", at)
        plain_submit(s, "merchant", MERCHANT, at)
        plain_offer(s, "o-1", MERCHANT, "merchant", "customer", Decimal("20.00"), later, at)
        plain_offer(s, "o-2", CUSTOMER, "customer", "merchant", Decimal("35.00"), later, at, "o-1")
        plain_decline(s, "o-2", MERCHANT, "merchant", "no", at)
        plain_credit(s, "k-1", STAFF, at)
        plain_decide(s, STAFF, Decimal("25.00"), "wallet", "part authorised", at)
        plain_finalize(s, later)
        assert s["stage"] == "resolved"


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2_000
    rounds = max(int(sys.argv[2]) if len(sys.argv) > 2 else 5, 5)
    times = interleaved(
        {
            "walletcare": lambda: walletcare_disputes(n),
            "hand-written": lambda: hand_written_disputes(n),
        },
        rounds,
    )
    ops = n * COMMANDS
    print(f"dispute commands decided and applied, {n:,} disputes x {COMMANDS} commands per round")
    for name, secs in times.items():
        print(f"    {name:<14} {ops / min(secs):12,.0f} commands/s (best of {len(secs)})")
    ratios = [p / w for w, p in zip(times["walletcare"], times["hand-written"], strict=True)]
    print(
        f"    walletcare/hand-written  min {min(ratios):.2f}  median {statistics.median(ratios):.2f}"
        f"  max {max(ratios):.2f}   (goal >= 0.3)"
    )


if __name__ == "__main__":
    main()
