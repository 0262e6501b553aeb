"""Audits: charges checked against the version in force, with each customer's allowance."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from walletcare import Money
from walletcare.domain.fees import (
    PBOC_NOTICE,
    Charge,
    CompiledSchedule,
    FeeRule,
    FeeSchedule,
    Finding,
    ScheduleVersion,
    audit,
    collective_findings,
    compile_schedule,
)
from walletcare.errors import ValidationError

D = Decimal
T0 = datetime(2026, 1, 1, tzinfo=UTC)
CHANGE = datetime(2026, 3, 1, tzinfo=UTC)
V1 = FeeRule(
    id="wd",
    transaction_type="withdrawal",
    currency="CNY",
    percent=D("0.1"),
    minimum=D("0.10"),
    free_per_month=3,
)
V2 = FeeRule(id="wd", transaction_type="withdrawal", currency="CNY", percent=D("0.2"))


def schedule() -> CompiledSchedule:
    return compile_schedule(
        FeeSchedule(
            name="cn",
            zone="Asia/Shanghai",
            notice=PBOC_NOTICE,
            versions=(
                ScheduleVersion(id="v1", effective_from=T0, announced_at=T0, rules=(V1,)),
                ScheduleVersion(
                    id="v2",
                    effective_from=CHANGE,
                    announced_at=CHANGE - timedelta(days=30),
                    rules=(V2,),
                ),
            ),
        )
    )


def charge(
    n: int,
    at: datetime,
    fee: str,
    *,
    amount: str = "1000.00",
    customer: str = "alice",
    kind: str = "withdrawal",
) -> Charge:
    return Charge(
        transaction_id=f"tx{n}",
        customer_id=customer,
        at=at,
        transaction_type=kind,
        amount=Money.of(amount, "CNY"),
        fee=Money.of(fee, "CNY"),
    )


def test_the_allowance_resets_at_the_local_month_not_utc() -> None:
    """Three free a month in Shanghai: 17:00 UTC on 31 January is already February there."""
    start = datetime(2026, 1, 30, 1, tzinfo=UTC)
    charges = [charge(i, start + timedelta(minutes=i), "0") for i in range(3)]
    charges.append(charge(3, start + timedelta(minutes=3), "1.00"))  # the 4th in January
    charges.append(charge(4, datetime(2026, 1, 31, 16, 30, tzinfo=UTC), "1.00"))  # Feb 1, 00:30
    report = audit(schedule(), charges)
    assert report.checked == 5
    [found] = report.discrepancies
    assert found.charge.transaction_id == "tx4"
    assert found.finding is Finding.OVERCHARGE and found.used_before == 0
    assert found.expected == Money.of("0", "CNY") and found.refund == Money.of("1.00", "CNY")
    assert dict(report.used)[("alice", "withdrawal", 2026, 2)] == 1


def test_each_charge_is_checked_against_the_version_in_force_at_its_time() -> None:
    """A second before the change 0.1 % is right (the 4th that local month); from it, 0.2 %."""
    before = CHANGE - timedelta(seconds=1)
    charges = [charge(i, before - timedelta(minutes=3 - i), "0") for i in range(3)]
    charges += [charge(10, before, "1.00"), charge(11, CHANGE, "1.00")]
    [found] = audit(schedule(), charges).discrepancies
    assert (found.charge.transaction_id, found.version, found.finding) == (
        "tx11",
        "v2",
        Finding.UNDERCHARGE,
    )
    assert found.expected == Money.of("2.00", "CNY") and not found.is_refundable


def test_an_unlisted_fee_is_refunded_in_full() -> None:
    """The schedule lists no top-up fee, so any top-up fee is refunded whole (Order 768 Art. 34)."""
    [found] = audit(schedule(), [charge(1, T0, "0.50", kind="top_up")]).discrepancies
    assert found.finding is Finding.UNLISTED and found.rule == ""
    assert found.refund == Money.of("0.50", "CNY")
    assert found.fingerprint == "fees:cn:v1:(unlisted)"


def test_a_fee_in_the_wrong_currency_is_refunded_in_full() -> None:
    """A fee charged in USD for a CNY withdrawal is not the schedule's fee at all."""
    wrong = Charge(
        transaction_id="tx",
        customer_id="bob",
        at=T0,
        transaction_type="withdrawal",
        amount=Money.of("10", "CNY"),
        fee=Money.of("0.10", "USD"),
    )
    [found] = audit(schedule(), [wrong]).discrepancies
    assert found.finding is Finding.CURRENCY and found.refund == Money.of("0.10", "USD")


def test_charges_out_of_time_order_are_refused() -> None:
    """The allowance is counted in time order, so a charge earlier than the one before is refused."""
    with pytest.raises(ValidationError) as err:
        audit(schedule(), [charge(1, T0 + timedelta(hours=1), "0"), charge(2, T0, "0")])
    assert err.value.fields == ("charges[1].at",)


def test_a_charge_before_the_first_version_is_refused() -> None:
    """Nothing was in force before the schedule's first version."""
    with pytest.raises(ValidationError) as err:
        audit(schedule(), [charge(1, T0 - timedelta(days=1), "0")])
    assert err.value.fields == ("at",)


def test_batches_carry_the_allowance_over() -> None:
    """Auditing in two batches, passing ``used`` on, finds what one audit of all finds."""
    charges = [charge(i, T0 + timedelta(hours=i), "0" if i < 4 else "1.00") for i in range(6)]
    whole = audit(schedule(), charges)
    first = audit(schedule(), charges[:2])
    second = audit(schedule(), charges[2:], used=first.used)
    assert [d.charge.transaction_id for d in whole.discrepancies] == ["tx3"]
    assert second.discrepancies == whole.discrepancies
    assert second.used == whole.used


def test_one_overcharge_among_ten_thousand_is_found_exactly_once() -> None:
    """10,000 correct charges but one: the audit reports that one, with its rule and amounts."""
    s = schedule()
    charges = []
    for i in range(10_000):
        at = T0 + timedelta(minutes=4 * i)  # all inside January, Shanghai time
        customer = f"c{i % 500}"
        fee = "1.00" if i >= 1500 else "0"  # each customer's first 3 are in the first 1,500
        if i == 6_789:
            fee = "1.10"
        charges.append(charge(i, at, fee, customer=customer))
    report = audit(s, charges)
    assert report.checked == 10_000
    assert [
        (d.charge.transaction_id, d.rule, str(d.expected), str(d.charged))
        for d in report.discrepancies
    ] == [("tx6789", "wd", "CNY 1.00", "CNY 1.10")]


def test_collective_findings_count_distinct_customers() -> None:
    """A fault hitting 3 customers is collective at a threshold of 3, not at 4."""
    charges = [
        charge(i, T0 + timedelta(hours=i), "0.50", kind="top_up", customer=f"c{i % 3}")
        for i in range(6)
    ]
    found = audit(schedule(), charges).discrepancies
    [collective] = collective_findings(found, 3)
    assert collective.customers == ("c0", "c1", "c2")
    assert len(collective.transactions) == 6
    assert collective_findings(found, 4) == ()
