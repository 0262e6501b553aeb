"""Fees: (a) quotes per second, (b) audit throughput over many charges.

(a) walletcare's ``quote`` (a full breakdown as Money lines) against a hand-written
``Decimal`` function doing the same arithmetic (0.1 % with a CNY 0.10 minimum, three free
withdrawals a month, 6 % VAT on the fee) and returning only the total.
(b) walletcare's ``audit`` over N charges against a hand-written loop doing the same work:
the version in force, the local month, each customer's allowance count, the expected fee,
and the list of charges that differ.

Variants run interleaved, in an order rotated every round, for at least 5 rounds; the
ratio walletcare/hand-written of each round is reported as min / median / max.

Run: ``python benchmarks/bench_fees.py [quotes] [charges] [rounds]``.
"""

from __future__ import annotations

import statistics
import sys
from bisect import bisect_right
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from zoneinfo import ZoneInfo

from walletcare import Money
from walletcare.domain.fees import (
    PBOC_NOTICE,
    Charge,
    FeeRule,
    FeeSchedule,
    ScheduleVersion,
    Tax,
    audit,
    compile_schedule,
    quote,
)
from _timing import interleaved

D = Decimal
START = datetime(2026, 1, 1, tzinfo=UTC)
CHANGE = datetime(2026, 2, 1, tzinfo=UTC)
ZONE = ZoneInfo("Asia/Shanghai")
RULE = FeeRule(
    id="withdrawal",
    transaction_type="withdrawal",
    currency="CNY",
    percent=D("0.1"),
    minimum=D("0.10"),
    free_per_month=3,
    taxes=(Tax(name="VAT", percent=D("6")),),
)
RULE_V2 = FeeRule(
    id="withdrawal",
    transaction_type="withdrawal",
    currency="CNY",
    percent=D("0.15"),
    minimum=D("0.10"),
    free_per_month=3,
    taxes=(Tax(name="VAT", percent=D("6")),),
)
SCHEDULE = compile_schedule(
    FeeSchedule(
        name="bench",
        zone="Asia/Shanghai",
        notice=PBOC_NOTICE,
        versions=(
            ScheduleVersion(id="v1", effective_from=START, announced_at=START, rules=(RULE,)),
            ScheduleVersion(
                id="v2",
                effective_from=CHANGE,
                announced_at=CHANGE - timedelta(days=31),
                rules=(RULE_V2,),
            ),
        ),
    )
)

# -- hand-written baselines ----------------------------------------------------------------
CENT = D("0.01")
MINIMUM = D("0.10")
VAT = D("0.06")
FRACTIONS = {"v1": D("0.001"), "v2": D("0.0015")}


def plain_fee(amount: Decimal, used: int, fraction: Decimal = FRACTIONS["v1"]) -> Decimal:
    """The same arithmetic as the schedule, written out by hand."""
    if used < 3:
        return D("0.00")
    fee = (amount * fraction).quantize(CENT, ROUND_HALF_EVEN)
    if fee < MINIMUM:
        fee = MINIMUM
    return fee + (fee * VAT).quantize(CENT, ROUND_HALF_EVEN)


def plain_quote(amount: Decimal, used: int) -> dict[str, object]:
    """The same quote written out by hand: the breakdown's lines, the fees, paid and received."""
    lines = []
    fee = (amount * FRACTIONS["v1"]).quantize(CENT, ROUND_HALF_EVEN)
    lines.append(("percentage", fee))
    if fee < MINIMUM:
        lines.append(("minimum", MINIMUM - fee))
        fee = MINIMUM
    if used < 3:
        lines.append(("allowance", -fee))
        fee = D("0.00")
    tax = (fee * VAT).quantize(CENT, ROUND_HALF_EVEN)
    lines.append(("tax", tax))
    fees = fee + tax
    return {"lines": lines, "fees": fees, "total_paid": amount + fees, "recipient_gets": amount}


def plain_audit(charges: list[Charge]) -> list[tuple[str, Decimal, Decimal]]:
    """What a hand-written audit loop does: version, local month, allowance, fee, compare."""
    starts = [START, CHANGE]
    names = ["v1", "v2"]
    counts: dict[tuple[str, str, int, int], int] = {}
    wrong = []
    for c in charges:
        version = names[bisect_right(starts, c.at) - 1]
        local = c.at.astimezone(ZONE)
        key = (c.customer_id, c.transaction_type, local.year, local.month)
        used = counts.get(key, 0)
        counts[key] = used + 1
        expected = plain_fee(c.amount.amount, used, FRACTIONS[version])
        if c.fee.amount != expected:
            wrong.append((c.transaction_id, expected, c.fee.amount))
    return wrong


# -- workloads -----------------------------------------------------------------------------
def requests(n: int) -> list[tuple[Money, int]]:
    return [(Money.of(f"{10 + i % 9000}.{i % 100:02d}", "CNY"), i % 6) for i in range(n)]


def make_charges(n: int) -> tuple[list[Charge], int]:
    """n withdrawals over two months by 20,000 customers, every 9,973rd overcharged a fen."""
    amounts = [Money.of(f"{10 + i % 997}.{i % 100:02d}", "CNY") for i in range(997)]
    customers = [f"c{i}" for i in range(20_000)]
    step = (timedelta(days=59) / n) if n else timedelta(0)
    fees: dict[tuple[int, int, str], Money] = {}
    counts: dict[tuple[str, int, int], int] = {}
    charges = []
    bad = 0
    for i in range(n):
        at = START + step * i
        customer = customers[i % len(customers)]
        local = at.astimezone(ZONE)
        key = (customer, local.year, local.month)
        used = counts.get(key, 0)
        counts[key] = used + 1
        version = "v2" if at >= CHANGE else "v1"
        slot = (i % 997, min(used, 3), version)
        fee = fees.get(slot)
        if fee is None:
            fee = Money(plain_fee(amounts[i % 997].amount, used, FRACTIONS[version]), "CNY")
            fees[slot] = fee
        if i % 9973 == 9972:
            fee = fee + Money.of("0.01", "CNY")
            bad += 1
        charges.append(
            Charge(
                transaction_id=f"tx{i}",
                customer_id=customer,
                at=at,
                transaction_type="withdrawal",
                amount=amounts[i % 997],
                fee=fee,
            )
        )
    return charges, bad


def report(label: str, times: dict[str, list[float]], ops: int, unit: str, goal: float) -> None:
    wc, plain = times["walletcare"], times["hand-written"]
    ratios = [p / w for w, p in zip(wc, plain, strict=True)]  # rate ratio = inverse time ratio
    print(label)
    for name, secs in times.items():
        print(f"    {name:<14} {ops / min(secs):14,.0f} {unit}/s (best of {len(secs)})")
    print(
        f"    walletcare/hand-written  min {min(ratios):.2f}  median {statistics.median(ratios):.2f}"
        f"  max {max(ratios):.2f}   (goal >= {goal})"
    )


def part_a(n: int, rounds: int) -> None:
    v = SCHEDULE.versions[0]
    work = requests(n)
    for amount, used in work[:2000]:
        q = quote(v, transaction_type="withdrawal", amount=amount, used_this_month=used)
        plain = plain_quote(amount.amount, used)
        assert q.fees.amount == plain["fees"] == plain_fee(amount.amount, used), (amount, used)
        assert [(x.kind.value, x.amount.amount) for x in q.lines] == plain["lines"]

    def walletcare() -> None:
        for amount, used in work:
            quote(v, transaction_type="withdrawal", amount=amount, used_this_month=used)

    def hand_written() -> None:
        for amount, used in work:
            plain_quote(amount.amount, used)

    def total_only() -> None:
        for amount, used in work:
            plain_fee(amount.amount, used)

    times = interleaved(
        {"walletcare": walletcare, "hand-written": hand_written, "total only": total_only}, rounds
    )
    report(
        f"(a) quotes, {n:,} per round (hand-written: the same breakdown as plain tuples)",
        times,
        n,
        "quotes",
        0.5,
    )
    limit = [t / w for w, t in zip(times["walletcare"], times["total only"], strict=True)]
    print(f"    walletcare/total only (the limit)  median {statistics.median(limit):.2f}")


def part_b(n: int, rounds: int) -> None:
    print(f"(b) building {n:,} charges ...", flush=True)
    charges, bad = make_charges(n)
    found = audit(SCHEDULE, charges)
    plain = plain_audit(charges)
    assert len(found.discrepancies) == len(plain) == bad, (
        len(found.discrepancies),
        len(plain),
        bad,
    )
    assert [d.charge.transaction_id for d in found.discrepancies] == [t for t, _, _ in plain]
    times = interleaved(
        {
            "walletcare": lambda: audit(SCHEDULE, charges),
            "hand-written": lambda: plain_audit(charges),
        },
        rounds,
    )
    report(f"(b) audit of {n:,} charges ({bad:,} overcharged)", times, n, "charges", 0.5)


def main() -> None:
    quotes = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    charges = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
    rounds = max(int(sys.argv[3]) if len(sys.argv) > 3 else 5, 5)
    part_a(quotes, rounds)
    part_b(charges, rounds)


if __name__ == "__main__":
    main()
