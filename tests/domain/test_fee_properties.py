"""Invariants of fee schedules, for any rule and amount hypothesis can think of."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from walletcare import Money
from walletcare.domain.fees import (
    PBOC_NOTICE,
    PSD2_NOTICE,
    Charge,
    CompiledVersion,
    ExchangeRate,
    FeeRule,
    FeeSchedule,
    FeeTier,
    LineKind,
    NoticePeriod,
    Quote,
    Rounding,
    ScheduleVersion,
    Tax,
    TierMode,
    audit,
    compile_schedule,
    quote,
)
from walletcare.errors import ValidationError

T0 = datetime(2026, 1, 1, tzinfo=UTC)
CURRENCIES = {"CNY": 2, "USD": 2, "JPY": 0, "KWD": 3}
SERVICE = {LineKind.FIXED, LineKind.PERCENTAGE, LineKind.TIERED, LineKind.MINIMUM, LineKind.MAXIMUM}


def units(currency: str, high: int = 10**9) -> st.SearchStrategy[Decimal]:
    return st.integers(0, high).map(lambda n: Decimal(n).scaleb(-CURRENCIES[currency]))


percents = st.decimals(min_value=0, max_value=10, places=3)


@st.composite
def rules(draw: st.DrawFn, currency: str | None = None, tiered: bool | None = None) -> FeeRule:
    cur = currency or draw(st.sampled_from(sorted(CURRENCIES)))
    use_tiers = draw(st.booleans()) if tiered is None else tiered
    tiers: tuple[FeeTier, ...] = ()
    if use_tiers:
        bounds = sorted(draw(st.sets(units(cur, 10**7).filter(bool), min_size=1, max_size=4)))
        tiers = (
            *tuple(FeeTier(up_to=b, percent=draw(percents)) for b in bounds),
            FeeTier(up_to=None, percent=draw(percents)),
        )
    low = draw(st.none() | units(cur, 10**5))
    high = draw(st.none() | units(cur, 10**7))
    if low is not None and high is not None and low > high:
        low, high = high, low
    return FeeRule(
        id="r",
        transaction_type="transfer",
        currency=cur,
        fixed=draw(units(cur, 10**4)),
        percent=Decimal(0) if use_tiers else draw(percents),
        tiers=tiers,
        tier_mode=draw(st.sampled_from(TierMode)),
        minimum=low,
        maximum=high,
        free_per_month=draw(st.integers(0, 3)),
        fx_markup_percent=draw(st.none() | percents),
        taxes=tuple(
            Tax(name=f"tax{i}", percent=p)
            for i, p in enumerate(draw(st.lists(percents, max_size=2)))
        ),
    )


def compiled(rule: FeeRule, rounding: Rounding = Rounding.HALF_EVEN) -> CompiledVersion:
    version = ScheduleVersion(
        id="v", effective_from=T0, announced_at=T0, rules=(rule,), rounding=rounding
    )
    return compile_schedule(
        FeeSchedule(name="s", zone="UTC", notice=PBOC_NOTICE, versions=(version,))
    ).versions[0]


def price(v: CompiledVersion, amount: Decimal, currency: str, used: int = 99) -> Quote:
    return quote(
        v, transaction_type="transfer", amount=Money(amount, currency), used_this_month=used
    )


def service_fee(q: Quote) -> Decimal:
    return sum((line.amount.amount for line in q.lines if line.kind in SERVICE), Decimal(0))


@given(st.data(), st.sampled_from(Rounding))
def test_caps_and_minimums_are_always_respected(data: st.DataObject, rounding: Rounding) -> None:
    """Outside the free allowance the service fee lies between the minimum and the maximum."""
    rule = data.draw(rules())
    q = price(compiled(rule, rounding), data.draw(units(rule.currency)), rule.currency)
    fee = service_fee(q)
    if rule.minimum is not None:
        assert fee >= rule.minimum
    if rule.maximum is not None:
        assert fee <= rule.maximum


@given(st.data())
def test_a_free_transaction_pays_no_service_fee_or_tax(data: st.DataObject) -> None:
    """Inside the allowance the service fee and its taxes are waived; only a mark-up remains."""
    rule = data.draw(rules())
    assume(rule.free_per_month > 0)
    used = data.draw(st.integers(0, rule.free_per_month - 1))
    q = price(compiled(rule), data.draw(units(rule.currency)), rule.currency, used)
    assert q.fees == Money.zero(rule.currency)
    assert q.is_free


@given(st.data())
def test_graduated_tiers_and_percentages_are_monotone(data: st.DataObject) -> None:
    """With graduated tiers (or one percentage), a larger amount never pays a smaller fee."""
    rule = data.draw(rules())
    assume(rule.tier_mode is TierMode.GRADUATED or not rule.tiers)
    v = compiled(rule, data.draw(st.sampled_from(Rounding)))
    a, b = sorted([data.draw(units(rule.currency)), data.draw(units(rule.currency))])
    assert price(v, a, rule.currency).fees <= price(v, b, rule.currency).fees


@given(st.data())
def test_whole_tiers_pay_less_only_across_a_band_edge_with_a_lower_rate(
    data: st.DataObject,
) -> None:
    """A volume discount drops the fee only where the schedule puts a cheaper band."""
    rule = data.draw(rules(tiered=True))
    assume(rule.tier_mode is TierMode.WHOLE)
    v = compiled(rule)
    a, b = sorted([data.draw(units(rule.currency, 10**7)), data.draw(units(rule.currency, 10**7))])
    if price(v, a, rule.currency).fees > price(v, b, rule.currency).fees:
        drops = [
            tier.up_to
            for tier, following in zip(rule.tiers, rule.tiers[1:], strict=False)
            if following.percent < tier.percent
        ]
        assert any(d is not None and a <= d < b for d in drops)


@st.composite
def conversions(draw: st.DrawFn, payer: str) -> dict[str, Any]:
    other = draw(st.sampled_from(sorted(set(CURRENCIES) - {payer})))
    rate = ExchangeRate(
        base=payer,
        quote=other,
        rate=draw(st.decimals(min_value=Decimal("0.0001"), max_value=10000, places=4)),
    )
    kind = draw(st.sampled_from(["none", "pay_in", "pay_out"]))
    if kind == "pay_in":
        return {"rate": rate, "pay_in": payer, "amount_in": other}
    if kind == "pay_out":
        return {"rate": rate, "pay_out": other, "amount_in": payer}
    return {"amount_in": payer}


def by_hand(rule: FeeRule, base: Decimal, free: bool, mode: str) -> tuple[Any, Decimal]:
    """The documented rounding, written out from the rule itself: the parts and the total."""
    q = Decimal(1).scaleb(-CURRENCIES[rule.currency])
    if not rule.tiers:
        variable = (base * rule.percent / 100).quantize(q, mode)
    elif rule.tier_mode is TierMode.WHOLE:
        band = next(t for t in rule.tiers if t.up_to is None or base <= t.up_to)
        variable = (base * band.percent / 100).quantize(q, mode)
    else:
        exact, lower = Decimal(0), Decimal(0)
        for tier in rule.tiers:
            top = base if tier.up_to is None else min(base, tier.up_to)
            if top > lower:
                exact += (top - lower) * tier.percent / 100
            lower = tier.up_to if tier.up_to is not None else lower
        variable = exact.quantize(q, mode)
    raw = rule.fixed + variable
    fee = raw
    if rule.minimum is not None:
        fee = max(fee, rule.minimum)
    if rule.maximum is not None:
        fee = min(fee, rule.maximum)
    charged = Decimal(0).quantize(q) if free else fee
    taxes = tuple((charged * t.percent / 100).quantize(q, mode) for t in rule.taxes)
    return (variable, raw, fee, charged, taxes), charged + sum(taxes, Decimal(0))


@given(st.data(), st.sampled_from(Rounding))
def test_each_rules_compiled_arithmetic_is_the_documented_one(
    data: st.DataObject, rounding: Rounding
) -> None:
    """Each rule's generated pricing gives, part by part and digit for digit, the hand sums."""
    rule = data.draw(rules())
    v = compiled(rule, rounding)
    base = data.draw(units(rule.currency))
    used = data.draw(st.integers(0, 4))
    free = used < rule.free_per_month
    parts, total = by_hand(rule, base, free, rounding.mode)
    q = price(v, base, rule.currency, used)
    assert q.priced == parts
    assert [str(x) for x in q.priced[:4]] == [str(x) for x in parts[:4]]  # the digits too
    assert q.fees == Money(total, rule.currency)
    compiled_rule = v.rule_for("transfer", rule.currency, "any", "any")
    assert compiled_rule is not None
    assert compiled_rule.fees(base, free) == total


@given(st.data())
def test_the_breakdown_sums_exactly_to_the_total(data: st.DataObject) -> None:
    """Lines add up to the fees; payer pays amount plus fees; conversions add up too."""
    rule = data.draw(rules())
    v = compiled(rule, data.draw(st.sampled_from(Rounding)))
    conv = data.draw(conversions(rule.currency))
    currency = conv.pop("amount_in")
    amount = Money(data.draw(units(currency)), currency)
    q = quote(
        v,
        transaction_type="transfer",
        amount=amount,
        used_this_month=data.draw(st.integers(0, 5)),
        **conv,
    )
    assert sum((line.amount for line in q.lines), Money.zero(rule.currency)) == q.fees
    assert all(line.amount.is_whole for line in q.lines)
    if q.conversion is None or "pay_out" in conv:
        assert q.total_paid == amount + q.fees
    else:
        assert q.total_paid == q.conversion.at_reference + q.fees
    if q.conversion is not None and "pay_out" in conv:
        assert q.recipient_gets + q.conversion.markup == q.conversion.at_reference


@given(st.data())
def test_a_quote_equals_the_audits_expectation(data: st.DataObject) -> None:
    """A charge billed exactly as quoted (allowance, conversion and all) passes the audit."""
    rule = data.draw(rules())
    v = compiled(rule, data.draw(st.sampled_from(Rounding)))
    conv = data.draw(conversions(rule.currency))
    currency = conv.pop("amount_in")
    amount = Money(data.draw(units(currency)), currency)
    used = data.draw(st.integers(0, 5))
    at = T0 + timedelta(days=data.draw(st.integers(0, 300)))
    q = quote(v, transaction_type="transfer", amount=amount, used_this_month=used, **conv)
    charge = Charge(
        transaction_id="t",
        customer_id="c",
        at=at,
        transaction_type="transfer",
        amount=amount,
        fee=q.fees,
        **conv,
    )
    schedule = compile_schedule(
        FeeSchedule(name="s", zone="UTC", notice=PBOC_NOTICE, versions=(v.version,))
    )
    key = ("c", "transfer", at.year, at.month)
    report = audit(schedule, [charge], used={key: used})
    assert report.discrepancies == ()
    wrong = Charge(
        transaction_id="t",
        customer_id="c",
        at=at,
        transaction_type="transfer",
        amount=amount,
        fee=q.fees + Money.from_minor_units(1, q.fees.currency),
        **conv,
    )
    [found] = audit(schedule, [wrong], used={key: used}).discrepancies
    assert found.expected == q.fees and found.refund == Money.from_minor_units(1, q.fees.currency)


@given(
    st.sampled_from([PBOC_NOTICE, PSD2_NOTICE, NoticePeriod(days=10, months=1)]),
    st.datetimes(
        min_value=datetime(2025, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC)
    ),
    st.integers(0, 24 * 80),
    st.sampled_from(["UTC", "Asia/Shanghai", "Europe/Berlin", "America/New_York"]),
)
def test_no_version_takes_effect_before_its_notice_period(
    notice: NoticePeriod, announced: datetime, hours: int, zone: str
) -> None:
    """A change either loads with its notice period respected, or is refused for it."""
    first = ScheduleVersion(
        id="v1",
        effective_from=announced - timedelta(days=1),
        announced_at=announced - timedelta(days=1),
        rules=(),
    )
    change = ScheduleVersion(
        id="v2",
        effective_from=announced + timedelta(hours=hours),
        announced_at=announced,
        rules=(),
    )
    earliest = notice.earliest_effective(announced, ZoneInfo(zone))
    if change.effective_from < earliest:
        with pytest.raises(ValidationError) as err:
            FeeSchedule(name="s", zone=zone, notice=notice, versions=(first, change))
        assert err.value.fields == ("versions[1].effective_from",)
        return
    schedule = FeeSchedule(name="s", zone=zone, notice=notice, versions=(first, change))
    for later in schedule.versions[1:]:
        assert later.effective_from >= notice.earliest_effective(later.announced_at, schedule.tz)
        assert later.effective_from - later.announced_at >= timedelta(
            days=28 * notice.months + notice.days - 1
        )
