"""Fee schedules and quotes: validation, loading with paths, rule choice, and worked examples."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from walletcare import Money
from walletcare.domain.fees import (
    PBOC_NOTICE,
    PSD2_NOTICE,
    ExchangeRate,
    FeeCharging,
    FeeRule,
    FeeSchedule,
    FeeTier,
    LineKind,
    NoticePeriod,
    Rounding,
    ScheduleVersion,
    Tax,
    TierMode,
    compile_schedule,
    quote,
)
from walletcare.errors import ValidationError
from walletcare.serialization import make_converter

D = Decimal
T0 = datetime(2026, 1, 1, tzinfo=UTC)
CONVERTER = make_converter()


def version(*rules: FeeRule, id: str = "v1", at: datetime = T0, **kw: Any) -> ScheduleVersion:
    return ScheduleVersion(id=id, effective_from=at, announced_at=at, rules=rules, **kw)


def schedule(*versions: ScheduleVersion, notice: NoticePeriod = PBOC_NOTICE) -> FeeSchedule:
    return FeeSchedule(name="s", zone="Asia/Shanghai", notice=notice, versions=versions)


def compiled(*rules: FeeRule, **kw: Any):  # type: ignore[no-untyped-def]
    return compile_schedule(schedule(version(*rules, **kw))).versions[0]


CN_WITHDRAWAL = FeeRule(
    id="cn-withdrawal",
    transaction_type="withdrawal",
    currency="CNY",
    percent=D("0.1"),
    minimum=D("0.10"),
    free_per_month=3,
)


# -- worked examples -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("used", "amount", "fee", "kinds"),
    [
        (0, "800.00", "0.00", ["percentage", "allowance"]),
        (2, "800.00", "0.00", ["percentage", "allowance"]),
        (3, "800.00", "0.80", ["percentage"]),
        (3, "50.00", "0.10", ["percentage", "minimum"]),
        (7, "12345.67", "12.35", ["percentage"]),
    ],
)
def test_cn_withdrawal_three_free_then_a_tenth_of_a_percent_minimum_ten_fen(
    used: int, amount: str, fee: str, kinds: list[str]
) -> None:
    """The first 3 withdrawals a month are free, then 0.1 % with a CNY 0.10 minimum."""
    q = quote(
        compiled(CN_WITHDRAWAL),
        transaction_type="withdrawal",
        amount=Money.of(amount, "CNY"),
        used_this_month=used,
    )
    assert q.fees == Money.of(fee, "CNY")
    assert [line.kind.value for line in q.lines] == kinds
    assert q.total_paid == Money.of(amount, "CNY") + q.fees
    assert q.recipient_gets == Money.of(amount, "CNY")
    assert q.rule == "cn-withdrawal" and q.is_free is (used < 3)


def test_cn_withdrawal_half_even_rounding_of_the_percentage() -> None:
    """0.1 % of CNY 12,345.65 is 12.34565, rounded half to even to 12.35 (and 12,344.50 -> 12.34)."""
    v = compiled(CN_WITHDRAWAL)
    fee = lambda a: (
        quote(v, transaction_type="withdrawal", amount=Money.of(a, "CNY"), used_this_month=3).fees
    )
    assert fee("12345.65") == Money.of("12.35", "CNY")
    assert fee("12344.50") == Money.of("12.34", "CNY")
    assert fee("12345.50") == Money.of("12.35", "CNY")


ECB_DKK = ExchangeRate(base="EUR", quote="DKK", rate=D("7.4570"), source="ECB")
EU_CARD = FeeRule(
    id="card-abroad",
    transaction_type="merchant_payment",
    currency="EUR",
    fx_markup_percent=D("3.5"),
)


@pytest.mark.parametrize("rate", ["7.4569", "7.4570", "7.4571", "7.4572"])
def test_eu_card_payment_in_dkk_at_a_three_and_a_half_percent_markup(rate: str) -> None:
    """DKK 1,375 at the ECB rate is EUR 184.39; a 3.5 % mark-up on it is EUR 6.45 (any rate from
    7.4569 to 7.4572 DKK per EUR gives these figures)."""
    q = quote(
        compiled(EU_CARD),
        transaction_type="merchant_payment",
        amount=Money.of("1375", "DKK"),
        pay_in="EUR",
        rate=ExchangeRate(base="EUR", quote="DKK", rate=D(rate)),
    )
    assert q.conversion is not None
    assert q.conversion.at_reference == Money.of("184.39", "EUR")
    assert q.conversion.markup == Money.of("6.45", "EUR")
    assert [(line.kind, line.amount) for line in q.lines] == [
        (LineKind.FX_MARKUP, Money.of("6.45", "EUR"))
    ]
    assert q.total_paid == Money.of("190.84", "EUR")
    assert q.recipient_gets == Money.of("1375.00", "DKK")


def test_a_rate_outside_the_documented_range_gives_other_figures() -> None:
    """At 7.4573 DKK per EUR the converted amount is EUR 184.38, so the example pins the rate."""
    q = quote(
        compiled(EU_CARD),
        transaction_type="merchant_payment",
        amount=Money.of("1375", "DKK"),
        pay_in="EUR",
        rate=ExchangeRate(base="EUR", quote="DKK", rate=D("7.4573")),
    )
    assert q.conversion is not None and q.conversion.at_reference == Money.of("184.38", "EUR")


US_REMITTANCE = FeeRule(
    id="us-mx",
    transaction_type="cross_border",
    currency="USD",
    fixed=D("4.99"),
    fx_markup_percent=D("2"),
    taxes=(Tax(name="State tax", percent=D("1")),),
)


def test_us_remittance_quote_gives_total_to_recipient() -> None:
    """USD 100 to Mexico: USD 4.99 fee, USD 0.05 tax, USD 105.04 in all; MXN 1,680.70 arrives."""
    q = quote(
        compiled(US_REMITTANCE),
        transaction_type="cross_border",
        amount=Money.of("100.00", "USD"),
        pay_out="MXN",
        rate=ExchangeRate(base="USD", quote="MXN", rate=D("17.15")),
    )
    assert [(line.kind.value, str(line.amount)) for line in q.lines] == [
        ("fixed", "USD 4.99"),
        ("tax", "USD 0.05"),
    ]
    assert q.total_paid == Money.of("105.04", "USD")
    assert q.conversion is not None
    assert q.conversion.at_reference == Money.of("1715.00", "MXN")
    assert q.conversion.markup == Money.of("34.30", "MXN")
    assert q.conversion.applied_rate == D("16.807")
    assert q.recipient_gets == Money.of("1680.70", "MXN")


# -- rules and components -------------------------------------------------------------------
def test_graduated_tiers_charge_each_band_at_its_rate() -> None:
    """1 % of the first 1,000 and 0.5 % of the rest: 2,000 pays 10 + 5."""
    rule = FeeRule(
        id="t",
        transaction_type="transfer",
        currency="USD",
        tiers=(FeeTier(up_to=D("1000"), percent=D("1")), FeeTier(up_to=None, percent=D("0.5"))),
    )
    fee = lambda a: (
        quote(compiled(rule), transaction_type="transfer", amount=Money.of(a, "USD")).fees
    )
    assert fee("2000") == Money.of("15.00", "USD")
    assert fee("1000") == Money.of("10.00", "USD")
    assert fee("500") == Money.of("5.00", "USD")


def test_whole_tiers_charge_the_whole_amount_at_its_band_rate() -> None:
    """A volume discount: 1,000 pays 1 % (10.00) but 1,000.01 pays 0.5 % of it all (5.00)."""
    rule = FeeRule(
        id="t",
        transaction_type="transfer",
        currency="USD",
        tier_mode=TierMode.WHOLE,
        tiers=(FeeTier(up_to=D("1000"), percent=D("1")), FeeTier(up_to=None, percent=D("0.5"))),
    )
    fee = lambda a: (
        quote(compiled(rule), transaction_type="transfer", amount=Money.of(a, "USD")).fees
    )
    assert fee("1000") == Money.of("10.00", "USD")
    assert fee("1000.01") == Money.of("5.00", "USD")


def test_maximum_caps_the_service_fee_before_tax() -> None:
    """1 % of 10,000 capped at 25, then 6 % VAT on the 25."""
    rule = FeeRule(
        id="t",
        transaction_type="top_up",
        currency="CNY",
        percent=D("1"),
        maximum=D("25"),
        taxes=(Tax(name="VAT", percent=D("6")),),
    )
    q = quote(compiled(rule), transaction_type="top_up", amount=Money.of("10000", "CNY"))
    assert [(line.kind.value, str(line.amount)) for line in q.lines] == [
        ("percentage", "CNY 100.00"),
        ("maximum", "CNY -75.00"),
        ("tax", "CNY 1.50"),
    ]
    assert q.fees == Money.of("26.50", "CNY")


def test_deducted_fee_comes_out_of_the_amount() -> None:
    """A deducted fee: the payer pays the amount, the recipient gets it less the fee."""
    rule = FeeRule(
        id="t",
        transaction_type="withdrawal",
        currency="EUR",
        fixed=D("1.00"),
        charging=FeeCharging.DEDUCTED,
    )
    q = quote(compiled(rule), transaction_type="withdrawal", amount=Money.of("50", "EUR"))
    assert q.total_paid == Money.of("50.00", "EUR")
    assert q.recipient_gets == Money.of("49.00", "EUR")
    with pytest.raises(ValidationError) as err:
        quote(compiled(rule), transaction_type="withdrawal", amount=Money.of("0.50", "EUR"))
    assert err.value.fields == ("amount",)


def test_the_most_specific_rule_wins_channel_before_segment() -> None:
    """Exact channel and segment, then channel, then segment, then the catch-all rule."""
    base = {"transaction_type": "p2p", "currency": "EUR"}
    rules = (
        FeeRule(id="any", fixed=D("1"), **base),  # type: ignore[arg-type]
        FeeRule(id="seg", segment="vip", fixed=D("2"), **base),  # type: ignore[arg-type]
        FeeRule(id="chan", channel="atm", fixed=D("3"), **base),  # type: ignore[arg-type]
        FeeRule(id="both", channel="atm", segment="vip", fixed=D("4"), **base),  # type: ignore[arg-type]
    )
    v = compiled(*rules)
    pick = lambda c, s: (
        quote(v, transaction_type="p2p", amount=Money.of("10", "EUR"), channel=c, segment=s).rule
    )
    assert pick("atm", "vip") == "both"
    assert pick("atm", "basic") == "chan"
    assert pick("app", "vip") == "seg"
    assert pick("app", "basic") == "any"


def test_an_unlisted_transaction_costs_nothing() -> None:
    """No rule for the type (or currency): the quote is free and names no rule."""
    q = quote(compiled(CN_WITHDRAWAL), transaction_type="top_up", amount=Money.of("9", "CNY"))
    assert q.rule == "" and q.lines == () and q.fees == Money.of("0", "CNY")
    q = quote(compiled(CN_WITHDRAWAL), transaction_type="withdrawal", amount=Money.of("9", "EUR"))
    assert q.rule == "" and q.fees.currency == "EUR"


def test_rounding_mode_is_the_versions() -> None:
    """A version rounding up charges 0.01 for 0.1 % of 0.50; half to even charges 0.00."""
    rule = FeeRule(id="t", transaction_type="transfer", currency="USD", percent=D("0.1"))
    amount = Money.of("0.50", "USD")
    up = compiled(rule, rounding=Rounding.UP)
    even = compiled(rule)
    assert quote(up, transaction_type="transfer", amount=amount).fees == Money.of("0.01", "USD")
    assert quote(even, transaction_type="transfer", amount=amount).fees == Money.of("0", "USD")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"amount": Money.of("-1", "CNY")}, "amount"),
        ({"amount": Money.of("1.001", "CNY")}, "amount"),
        ({"used_this_month": -1}, "used_this_month"),
        ({"transaction_type": "gift"}, "transaction_type"),
        ({"channel": ""}, "channel"),
        ({"pay_in": "EUR"}, "rate"),
        ({"rate": ECB_DKK}, "rate"),
        ({"pay_in": "EUR", "rate": ECB_DKK}, "rate"),
        ({"pay_in": "EUR", "pay_out": "USD", "rate": ECB_DKK}, "pay_out"),
        ({"pay_in": "CNY"}, "pay_in"),
    ],
)
def test_quote_refuses_bad_requests_naming_the_field(kwargs: dict[str, Any], field: str) -> None:
    """Negative or sub-minor-unit amounts, unknown types and half-given conversions are refused."""
    request: dict[str, Any] = {"transaction_type": "withdrawal", "amount": Money.of("1", "CNY")}
    request.update(kwargs)
    with pytest.raises(ValidationError) as err:
        quote(compiled(CN_WITHDRAWAL), **request)
    assert err.value.fields == (field,)


# -- schedules ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"percent": D("100.1")}, "percent"),
        ({"minimum": D("0.105")}, "minimum"),
        ({"minimum": D("5"), "maximum": D("1")}, "maximum"),
        ({"currency": "XXY"}, "currency"),
        ({"free_per_month": -1}, "free_per_month"),
        ({"tiers": (FeeTier(up_to=D("5"), percent=D("1")),)}, "tiers"),
        ({"fx_markup_percent": D("1"), "charging": FeeCharging.DEDUCTED}, "charging"),
        ({"taxes": (Tax(name="VAT", percent=D("6")), Tax(name="VAT", percent=D("1")))}, "taxes"),
        ({"id": " x"}, "id"),
    ],
)
def test_rules_refuse_bad_components(changes: dict[str, Any], field: str) -> None:
    """Each component is checked where the rule is built, and the error names it."""
    values: dict[str, Any] = {
        "id": "r",
        "transaction_type": "withdrawal",
        "currency": "CNY",
        "percent": D(0) if "tiers" in changes else D("0.1"),
        **changes,
    }
    with pytest.raises(ValidationError) as err:
        FeeRule(**values)
    assert field in err.value.fields


def test_two_rules_for_the_same_key_are_refused() -> None:
    """A version cannot list two rules for one type, currency, channel and segment."""
    with pytest.raises(ValidationError) as err:
        version(CN_WITHDRAWAL, FeeRule(id="other", transaction_type="withdrawal", currency="CNY"))
    assert err.value.fields == ("rules[1]",)


def test_a_change_announced_29_days_ahead_is_refused_under_pboc() -> None:
    """PBoC: 30 days' notice; 29 days is refused on the later version's effective date."""
    first = version(CN_WITHDRAWAL)
    change = ScheduleVersion(
        id="v2",
        effective_from=T0 + timedelta(days=60),
        announced_at=T0 + timedelta(days=31),
        rules=(CN_WITHDRAWAL,),
    )
    with pytest.raises(ValidationError) as err:
        schedule(first, change)
    assert err.value.fields == ("versions[1].effective_from",)
    assert "PBoC" in str(err.value)
    ok = ScheduleVersion(
        id="v2",
        effective_from=T0 + timedelta(days=60),
        announced_at=T0 + timedelta(days=30),
        rules=(CN_WITHDRAWAL,),
    )
    assert schedule(first, ok).versions[1] is ok


def test_psd2_counts_two_calendar_months_on_the_local_clock() -> None:
    """Announced 31 December in Shanghai, a PSD2 change may apply from 28 February, not before."""
    announced = datetime(2025, 12, 31, 10, tzinfo=UTC)
    earliest = PSD2_NOTICE.earliest_effective(announced, schedule(version()).tz)
    assert earliest.isoformat() == "2026-02-28T18:00:00+08:00"


def test_versions_must_take_effect_in_order() -> None:
    """A later version must take effect after the one before it."""
    with pytest.raises(ValidationError) as err:
        schedule(version(id="a"), version(id="b"))
    assert err.value.fields == ("versions[1].effective_from",)


def test_version_in_force_is_found_by_time() -> None:
    """The version in force is the last to take effect at or before the instant."""
    later = T0 + timedelta(days=40)
    s = compile_schedule(
        schedule(
            version(id="a"),
            ScheduleVersion(id="b", effective_from=later, announced_at=T0, rules=()),
        )
    )
    assert s.in_force(T0).id == "a"
    assert s.in_force(later - timedelta(microseconds=1)).id == "a"
    assert s.in_force(later).id == "b"
    with pytest.raises(ValidationError):
        s.in_force(T0 - timedelta(seconds=1))


# -- as data --------------------------------------------------------------------------------
SCHEDULE_DATA: dict[str, Any] = {
    "name": "cn-wallet",
    "zone": "Asia/Shanghai",
    "notice": {"days": 30, "source": "PBoC Announcement No. 43 Art. 30"},
    "versions": [
        {
            "id": "2026-01",
            "effective_from": "2026-01-01T00:00:00+08:00",
            "announced_at": "2025-11-20T09:00:00+08:00",
            "rules": [
                {
                    "id": "withdrawal",
                    "transaction_type": "withdrawal",
                    "currency": "CNY",
                    "percent": "0.1",
                    "minimum": "0.10",
                    "free_per_month": 3,
                    "taxes": [{"name": "VAT", "percent": "6"}],
                }
            ],
        }
    ],
}


def test_a_schedule_round_trips_as_data() -> None:
    """Loaded from plain data, dumped and loaded again, it is the same schedule."""
    loaded = CONVERTER.load(SCHEDULE_DATA, FeeSchedule)
    assert loaded.versions[0].rules[0].minimum == D("0.10")
    assert CONVERTER.load(CONVERTER.dump(loaded), FeeSchedule) == loaded


@pytest.mark.parametrize(
    ("edit", "path"),
    [
        (
            lambda d: d["versions"][0]["rules"][0].update(minimum="0.105"),
            "versions[0].rules[0].minimum",
        ),
        (
            lambda d: d["versions"][0]["rules"][0].update(percent=0.1),
            "versions[0].rules[0].percent",
        ),
        (
            lambda d: d["versions"][0]["rules"][0].update(transaction_type="withdraw"),
            "versions[0].rules[0].transaction_type",
        ),
        (
            lambda d: d["versions"][0]["rules"][0]["taxes"][0].update(percent="-6"),
            "versions[0].rules[0].taxes[0].percent",
        ),
        (
            lambda d: d["versions"][0].update(effective_from="2026-01-01T00:00:00"),
            "versions[0].effective_from",
        ),
        (lambda d: d["versions"][0]["rules"][0].update(fee="1"), "versions[0].rules[0].fee"),
        (lambda d: d.update(zone="Mars/Base"), "zone"),
        (lambda d: d["notice"].update(days=-1), "notice.days"),
        (
            lambda d: d["versions"].append(
                {
                    **d["versions"][0],
                    "id": "2026-03",
                    "effective_from": "2026-03-01T00:00:00+08:00",
                    "announced_at": "2026-02-10T00:00:00+08:00",
                }
            ),
            "versions[1].effective_from",
        ),
    ],
)
def test_loading_errors_name_the_path(edit: Any, path: str) -> None:
    """Every bad value in schedule data is reported at its path, down to the component."""
    import copy

    data = copy.deepcopy(SCHEDULE_DATA)
    edit(data)
    with pytest.raises(ValidationError) as err:
        CONVERTER.load(data, FeeSchedule)
    assert path in err.value.fields, err.value.problems
