"""The fee service: publishing, quoting, disclosing in two languages, auditing and remedying."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from walletcare import (
    PBOC_NOTICE,
    Charge,
    ContactPoint,
    ExchangeRate,
    FeeCharging,
    FeeCustomer,
    FeeRule,
    FeeSchedule,
    Money,
    RemediationPolicy,
    ScheduleVersion,
    Settings,
    Tax,
    Walletcare,
)
from walletcare.domain.fees import compile_schedule, quote
from walletcare.errors import DomainError, NotFound, ValidationError
from walletcare.ports import MessageStatus
from walletcare.testing import FixedClock, RecordingNotifier

D = Decimal
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
START = datetime(2026, 1, 1, tzinfo=UTC)  # 08:00 in Shanghai
WITHDRAWAL = FeeRule(
    id="withdrawal",
    transaction_type="withdrawal",
    currency="CNY",
    percent=D("0.1"),
    minimum=D("0.10"),
    free_per_month=3,
)
CARD = FeeRule(
    id="card-abroad",
    transaction_type="merchant_payment",
    currency="EUR",
    fx_markup_percent=D("3.5"),
)
REMIT = FeeRule(
    id="us-mx",
    transaction_type="cross_border",
    currency="USD",
    fixed=D("4.99"),
    fx_markup_percent=D("2"),
    taxes=(Tax(name="State tax", percent=D("1")),),
)
V1 = ScheduleVersion(
    id="2026-01",
    effective_from=START,
    announced_at=START - timedelta(days=40),
    rules=(WITHDRAWAL, CARD, REMIT),
)
SCHEDULE = FeeSchedule(name="wallet", zone="Asia/Shanghai", notice=PBOC_NOTICE, versions=(V1,))


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def payments() -> RecordingNotifier:
    return RecordingNotifier(channels=("payments", "in_app", "sms"))


@pytest.fixture
def app(clock: FixedClock, payments: RecordingNotifier) -> Walletcare:
    wc = Walletcare(Settings(storage_url="memory://"), plugins=[payments], clock=clock)
    wc.fees.publish(SCHEDULE)
    return wc


def change(days_ahead: int, announced: datetime = NOW, id: str = "2026-04") -> ScheduleVersion:
    rule = FeeRule(id="withdrawal", transaction_type="withdrawal", currency="CNY", percent=D("0.2"))
    return ScheduleVersion(
        id=id,
        effective_from=announced + timedelta(days=days_ahead),
        announced_at=announced,
        rules=(rule,),
    )


# -- publishing ------------------------------------------------------------------------------
def test_publishing_again_records_nothing_new(app: Walletcare) -> None:
    """Publishing the same schedule twice leaves one recorded version."""
    app.fees.publish(SCHEDULE)
    assert len(app.events("fee-schedule:wallet")) == 1
    assert app.fees.schedule("wallet") == SCHEDULE


def test_a_change_is_recorded_and_quotes_follow_it(app: Walletcare) -> None:
    """A change with 30 days' notice is added; quotes after it take effect use it."""
    changed = FeeSchedule(
        name="wallet", zone="Asia/Shanghai", notice=PBOC_NOTICE, versions=(V1, change(30))
    )
    app.fees.publish(changed)
    assert [v.id for v in app.fees.schedule("wallet").versions] == ["2026-01", "2026-04"]
    amount = Money.of("1000", "CNY")
    before = app.fees.quote(
        "wallet", transaction_type="withdrawal", amount=amount, used_this_month=3
    )
    after = app.fees.quote(
        "wallet",
        transaction_type="withdrawal",
        amount=amount,
        at=NOW + timedelta(days=30),
    )
    assert (before.version, before.fees) == ("2026-01", Money.of("1.00", "CNY"))
    assert (after.version, after.fees) == ("2026-04", Money.of("2.00", "CNY"))


def test_the_compiled_schedule_is_reused_until_a_version_is_added(app: Walletcare) -> None:
    """Compiling happens once per published state, not once per quote."""
    first = app.fees.compiled("wallet")
    assert app.fees.compiled("wallet") is first
    app.fees.publish(
        FeeSchedule(
            name="wallet", zone="Asia/Shanghai", notice=PBOC_NOTICE, versions=(V1, change(30))
        )
    )
    assert app.fees.compiled("wallet") is not first


def test_a_change_with_too_little_notice_cannot_even_be_built() -> None:
    """29 days' notice under PBoC is refused when the schedule is built, naming the version."""
    with pytest.raises(ValidationError) as err:
        FeeSchedule(
            name="wallet", zone="Asia/Shanghai", notice=PBOC_NOTICE, versions=(V1, change(29))
        )
    assert err.value.fields == ("versions[1].effective_from",)


def test_a_published_version_cannot_be_rewritten(app: Walletcare) -> None:
    """Audits rely on what was published: a recorded version never changes."""
    rewritten = ScheduleVersion(
        id="2026-01", effective_from=START, announced_at=V1.announced_at, rules=(WITHDRAWAL,)
    )
    with pytest.raises(DomainError):
        app.fees.publish(
            FeeSchedule(
                name="wallet", zone="Asia/Shanghai", notice=PBOC_NOTICE, versions=(rewritten,)
            )
        )
    assert app.fees.schedule("wallet") == SCHEDULE


def test_a_version_announced_in_the_future_is_refused(app: Walletcare) -> None:
    """A version is published when it is announced, not before."""
    later = change(30, announced=NOW + timedelta(days=1))
    with pytest.raises(ValidationError) as err:
        app.fees.publish(
            FeeSchedule(
                name="wallet", zone="Asia/Shanghai", notice=PBOC_NOTICE, versions=(V1, later)
            )
        )
    assert err.value.fields == ("versions[1].announced_at",)


def test_a_change_cannot_take_effect_in_the_past(app: Walletcare) -> None:
    """A backdated change (announced long ago, effective yesterday) is refused."""
    backdated = change(30, announced=NOW - timedelta(days=31))
    with pytest.raises(ValidationError) as err:
        app.fees.publish(
            FeeSchedule(
                name="wallet", zone="Asia/Shanghai", notice=PBOC_NOTICE, versions=(V1, backdated)
            )
        )
    assert err.value.fields == ("versions[1].effective_from",)


def test_an_unknown_schedule_is_not_found(app: Walletcare) -> None:
    """Quoting from a schedule never published says so."""
    with pytest.raises(NotFound):
        app.fees.quote("nope", transaction_type="withdrawal", amount=Money.of("1", "CNY"))


def test_a_schedule_loads_from_data_and_survives_sqlite(tmp_path: object) -> None:
    """Data in, schedule published on SQLite, read back by a second instance unchanged."""
    url = f"sqlite:///{tmp_path}/fees.db"
    with Walletcare(Settings(storage_url=url), clock=FixedClock(NOW)) as first:
        data = json.loads(json.dumps(first.fees.dump(SCHEDULE)))
        first.fees.publish(first.fees.load(data))
    with Walletcare(Settings(storage_url=url), clock=FixedClock(NOW)) as second:
        assert second.fees.schedule("wallet") == SCHEDULE


# -- disclosures ---------------------------------------------------------------------------
def test_the_schedule_is_disclosed_in_english_and_chinese(app: Walletcare) -> None:
    """Both languages list the rule in words, say nothing else is charged, and work examples."""
    en = app.fees.disclose_schedule("wallet", "en")
    zh = app.fees.disclose_schedule("wallet", "zh_CN")
    assert (
        "- [withdrawal] Withdrawal (any channel, all customers): 0.1% of the amount, minimum "
        "CN¥0.10, the first 3 each calendar month are free"
    ) in en
    assert "- [withdrawal] Withdrawal, CN¥10,000.00: fee CN¥10.00 (after the free ones)" in en
    assert "No other fees are charged." in en
    assert (
        "- [withdrawal] 提现（所有渠道，所有客户）：按金额的0.1%收取，最低¥0.10，每个自然月前3笔免费"
        in zh
    )
    assert "- [withdrawal] 提现，¥100.00：手续费¥0.10（免费笔数用完后）" in zh
    assert "除上述费用外，不收取任何其他费用。" in zh
    assert "自2026年1月1日起施行" in zh and "in force from January 1, 2026" in en


def test_a_quote_is_disclosed_line_by_line(app: Walletcare) -> None:
    """A small withdrawal shows the percentage, the top-up to the minimum, and the total."""
    q = app.fees.quote(
        "wallet", transaction_type="withdrawal", amount=Money.of("50", "CNY"), used_this_month=3
    )
    assert app.fees.disclose_quote(q, "en").splitlines() == [
        "Withdrawal: CN¥50.00",
        "- 0.1% of the amount: CN¥0.05",
        "- Raised to the minimum fee: CN¥0.05",
        "Fees: CN¥0.10",
        "You pay: CN¥50.10",
        "Recipient gets: CN¥50.00",
    ]
    assert app.fees.disclose_quote(q, "zh_CN").splitlines()[1:4] == [
        "- 金额的0.1%：¥0.05",
        "- 按最低收费补足：¥0.05",
        "费用合计：¥0.10",
    ]


def test_us_remittance_disclosure_ends_with_total_to_recipient(app: Walletcare) -> None:
    """The Reg E order: amount, fees, taxes, total, rate, amount abroad, Total to Recipient."""
    q = app.fees.quote(
        "wallet",
        transaction_type="cross_border",
        amount=Money.of("100", "USD"),
        pay_out="MXN",
        rate=ExchangeRate(base="USD", quote="MXN", rate=D("17.15")),
    )
    assert app.fees.remittance_disclosure(q).splitlines() == [
        "Transfer Amount     $100.00",
        "Transfer Fees       +$4.99",
        "Transfer Taxes      +$0.05",
        "Total               $105.04",
        "Exchange Rate       $1.00 = 16.8070 MXN",
        "Transfer Amount     MX$1,680.70",
        "Other Fees          -MX$0.00",
        "Total to Recipient  MX$1,680.70",
        "Recipient may receive less due to fees charged by the recipient's bank and foreign taxes.",
    ]
    assert "收款人实收金额  MX$1,680.70" in app.fees.remittance_disclosure(q, "zh_CN")


def test_markup_statement_gives_the_percentage_over_the_ecb_rate(app: Walletcare) -> None:
    """CBPR: DKK 1,375 is EUR 184.39 at the ECB rate, and the charges a 3.5 % mark-up, EUR 6.45."""
    q = app.fees.quote(
        "wallet",
        transaction_type="merchant_payment",
        amount=Money.of("1375", "DKK"),
        pay_in="EUR",
        rate=ExchangeRate(base="EUR", quote="DKK", rate=D("7.4570"), source="ECB 2026-03-02"),
    )
    assert app.fees.markup_statement(q) == (
        "DKK1,375.00 converted at the reference rate 7.4570 DKK/EUR, ECB 2026-03-02 is €184.39. "
        "Our currency conversion charges are €6.45, a mark-up of 3.5% over that rate. "
        "Total: €190.84."
    )
    assert "加价3.5%" in app.fees.markup_statement(q, "zh_CN")
    with pytest.raises(ValidationError):
        app.fees.remittance_disclosure(q)


def test_an_unknown_locale_is_refused(app: Walletcare) -> None:
    """A locale Babel does not know is a ValidationError naming ``locale``."""
    with pytest.raises(ValidationError) as err:
        app.fees.disclose_schedule("wallet", "xx_QQ")
    assert err.value.fields == ("locale",)


def test_money_shows_iso_minor_units_where_cldr_shows_fewer(app: Walletcare) -> None:
    """Iraqi dinars have 3 decimals in ISO 4217 (CLDR shows 0): the disclosure keeps all three."""
    from walletcare.services.disclosures import format_money

    assert format_money(Money.of("1.250", "IQD"), "en") == "IQD1.250"
    assert format_money(Money.of("1000", "JPY"), "zh_CN") == "JP¥1,000"


# -- audit and remedy ------------------------------------------------------------------------
def correct_charges(n: int) -> list[Charge]:
    """``n`` withdrawals by 400 customers inside January, each billed as quoted."""
    schedule = compile_schedule(SCHEDULE)
    used: dict[tuple[str, int, int], int] = {}
    charges = []
    for i in range(n):
        at = START + timedelta(minutes=4 * i)
        customer = f"c{i % 400}"
        year, month = schedule.month_of(at)
        count = used.get((customer, year, month), 0)
        used[(customer, year, month)] = count + 1
        amount = Money.of(f"{100 + i % 997}.{i % 100:02d}", "CNY")
        fee = quote(
            schedule.in_force(at),
            transaction_type="withdrawal",
            amount=amount,
            used_this_month=count,
        ).fees
        charges.append(
            Charge(
                transaction_id=f"tx{i}",
                customer_id=customer,
                at=at,
                transaction_type="withdrawal",
                amount=amount,
                fee=fee,
            )
        )
    return charges


def overcharge(charges: list[Charge], index: int, extra: str) -> list[Charge]:
    bad = charges[index]
    changed = Charge(
        transaction_id=bad.transaction_id,
        customer_id=bad.customer_id,
        at=bad.at,
        transaction_type=bad.transaction_type,
        amount=bad.amount,
        fee=bad.fee + Money.of(extra, "CNY"),
    )
    return [*charges[:index], changed, *charges[index + 1 :]]


def test_one_overcharge_in_ten_thousand_is_remedied_once(
    app: Walletcare, payments: RecordingNotifier
) -> None:
    """Found once, refunded once on the payments channel, one fees complaint; a re-run pays nothing."""
    charges = overcharge(correct_charges(10_000), 4321, "2.00")
    report = app.fees.audit("wallet", charges)
    assert report.checked == 10_000 and len(report.discrepancies) == 1
    first = app.fees.remedy(report)
    assert first.remedied == ("tx4321",) and first.already_remedied == ()
    [refund] = first.refunds
    assert (refund.channel, refund.id, refund.recipient) == (
        "payments",
        "fee-refund/tx4321",
        "c321",
    )
    assert json.loads(refund.data)["amount"] == "2.00"
    assert first.complaints == ("fees-tx4321",)

    again = app.fees.remedy(app.fees.audit("wallet", charges))
    assert again.remedied == () and again.already_remedied == ("tx4321",) and again.refunds == ()

    app.tick()
    app.tick(NOW + timedelta(hours=1))
    paid = [m for m in payments.sent if m.channel == "payments"]
    assert [m.id for m in paid] == ["fee-refund/tx4321"]
    assert len(app.messages("fee-remedy:tx4321", MessageStatus.DELIVERED)) == 1
    complaint = app.complaints.get("fees-tx4321")
    assert complaint.category.value == "fees"
    assert complaint.customer_id == "c321" and complaint.transactions == ("tx4321",)
    assert complaint.amount_lost == Money.of("2.00", "CNY")
    assert len(app.complaints.list(customer_id="c321")) == 1
    remedy = app.fees.remedy_of("tx4321")
    assert remedy is not None and remedy.complaint_id == "fees-tx4321"
    assert len(app.events("fee-remedy:tx4321")) == 1


def test_remedy_reaches_the_customer_through_contact_for(app: Walletcare) -> None:
    """The complaint is filed with the host's contact, language and zone for the customer."""
    charges = overcharge(correct_charges(10), 5, "1.00")
    contact = FeeCustomer(
        contact=ContactPoint(channel="sms", address="+8613800000000"),
        language="zh",
        zone="Asia/Shanghai",
    )
    app.fees.remedy(app.fees.audit("wallet", charges), contact_for=lambda _: contact)
    complaint = app.complaints.get("fees-tx5")
    assert complaint.contact == contact.contact and complaint.language == "zh"


def test_policy_can_refund_without_opening_complaints(app: Walletcare) -> None:
    """With open_complaints off, the refund still leaves once and no complaint is filed."""
    charges = overcharge(correct_charges(10), 5, "1.00")
    report = app.fees.remedy(
        app.fees.audit("wallet", charges), policy=RemediationPolicy(open_complaints=False)
    )
    assert report.complaints == () and len(report.refunds) == 1
    assert app.complaints.list() == []


def test_undercharges_are_reported_but_not_remedied(app: Walletcare) -> None:
    """Charging too little is the provider's loss: nothing is refunded or filed."""
    charges = correct_charges(1210)
    bad = charges[1207]  # customer c7's fourth withdrawal in January: not free
    charges[1207] = Charge(
        transaction_id=bad.transaction_id,
        customer_id=bad.customer_id,
        at=bad.at,
        transaction_type="withdrawal",
        amount=Money.of("100000", "CNY"),
        fee=Money.of("0.10", "CNY"),
    )
    report = app.fees.audit("wallet", charges)
    assert len(report.undercharges) == 1 and report.refundable == ()
    assert app.fees.remedy(report).remedied == ()


def test_a_fault_hitting_many_customers_is_reported_as_collective(app: Walletcare) -> None:
    """Twenty customers overcharged by one rule pass the default threshold; the fingerprint says which."""
    charges = correct_charges(400)
    for i in range(380, 400):
        charges = overcharge(charges, i, "0.01")
    report = app.fees.remedy(app.fees.audit("wallet", charges))
    assert len(report.remedied) == 20
    [collective] = report.collective
    assert collective.fingerprint == "fees:wallet:2026-01:withdrawal"
    assert len(collective.customers) == 20
    assert app.complaints.get("fees-tx390").product == "fees:wallet:2026-01:withdrawal"


def test_bad_remediation_settings_are_refused_at_start() -> None:
    """A threshold of zero is refused when the policy is built; a wrong type when Settings is."""
    with pytest.raises(ValidationError) as err:
        RemediationPolicy(collective_threshold=0)
    assert err.value.fields == ("collective_threshold",)
    with pytest.raises(ValidationError) as err:
        Settings(fee_remediation="refund everything")  # type: ignore[arg-type]
    assert err.value.fields == ("fee_remediation",)


def test_worked_examples_skip_amounts_a_deducted_fee_would_swallow(clock: FixedClock) -> None:
    """A deducted CNY 500 fee gives no example at CNY 100, and one at CNY 1,000."""
    rule = FeeRule(
        id="big",
        transaction_type="withdrawal",
        currency="CNY",
        fixed=D("500"),
        charging=FeeCharging.DEDUCTED,
    )
    version = ScheduleVersion(id="v", effective_from=START, announced_at=START, rules=(rule,))
    app = Walletcare(Settings(storage_url="memory://"), clock=clock)
    app.fees.publish(
        FeeSchedule(name="big", zone="Asia/Shanghai", notice=PBOC_NOTICE, versions=(version,))
    )
    text = app.fees.disclose_schedule("big", "en")
    assert "CN¥100.00: fee" not in text
    assert "- [big] Withdrawal, CN¥1,000.00: fee CN¥500.00" in text
