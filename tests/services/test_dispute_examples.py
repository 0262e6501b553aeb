"""The four worked examples of docs/concepts/disputes.md, end to end through ``Walletcare``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from tests.disputes_fixtures import CUSTOMER, MERCHANT, STAFF, T0, make_app, new_dispute
from walletcare import Money
from walletcare.domain.disputes import (
    Basis,
    CreditStatus,
    DisputedTransaction,
    EvidenceItem,
    OfferStatus,
    Participant,
    Party,
    Payment,
    Stage,
)
from walletcare.domain.fees import ExchangeRate
from walletcare.domain.sla import ClockStarted, find_clock


def _kinds(app, dispute_id: str) -> list[str]:  # type: ignore[no-untyped-def]
    return [e.kind for e in app.events(dispute_id)]


def test_visa_not_received_won_with_evidence() -> None:
    """The customer proves non-delivery in time; the merchant stays silent; the decision
    stands after the 30-day pre-arbitration window and the merchant pays the full amount."""
    app, clock, channel = make_app()
    us = {"jurisdiction": "US"}
    opened = app.disputes.open(
        "dsp-visa",
        new_dispute(
            customer=Participant(party="customer", id="cust-1", **us),
            merchant=Participant(party="merchant", id="shop-9", **us),
            wallet=Participant(party="wallet", id="wallet", **us),
            transactions=(
                DisputedTransaction(
                    id="tx-1",
                    amount=Money.of("80.00", "USD"),
                    disputed=Money.of("80.00", "USD"),
                    occurred_at=T0 - timedelta(days=20),
                ),
            ),
        ),
        by=CUSTOMER,
    )
    assert opened.stage is Stage.DISPUTE
    merchant_window = opened.evidence_of(Party.MERCHANT)
    assert merchant_window is not None
    assert merchant_window.due_by == datetime(2026, 4, 2, 4, 0, tzinfo=UTC)  # 30 days, New York
    app.disputes.stage_evidence(
        "dsp-visa",
        by=CUSTOMER,
        party="customer",
        items=[EvidenceItem(kind="shipping", reference="tracking/none-found")],
        text="The carrier has no record of a parcel.",
    )
    app.disputes.submit_evidence("dsp-visa", by=CUSTOMER, party="customer")
    clock.advance(timedelta(days=31))
    app.tick()  # the merchant's window closes unanswered: its clock breaches
    late = app.disputes.get("dsp-visa")
    merchant_clock = find_clock(late.clocks, "evidence_merchant")
    assert merchant_clock is not None and merchant_clock.breached
    decided = app.disputes.decide(
        "dsp-visa",
        by=STAFF,
        award=Money.of("80.00", "USD"),
        payer="merchant",
        explanation="The merchant sent no proof of delivery; the carrier has no record.",
    )
    assert decided.stage is Stage.DECIDED
    clock.advance(timedelta(days=31))
    app.tick()
    won = app.disputes.get("dsp-visa")
    assert won.stage is Stage.RESOLVED and won.outcome is not None
    assert won.outcome.in_favour_of is Party.CUSTOMER
    assert won.outcome.payments == (
        Payment(
            payer=Party.MERCHANT,
            payee=Party.CUSTOMER,
            amount=Money.of("80.00", "USD"),
            account_amount=Money.of("80.00", "USD"),
            why="The merchant sent no proof of delivery; the carrier has no record.",
        ),
    )
    app.tick()
    assert channel.sent[-1].body.startswith("Outcome (decided): The merchant sent no proof")
    assert "This outcome is final." in channel.sent[-1].body


def test_paypal_like_inquiry_settled_by_a_partial_refund_counter_offer() -> None:
    """An inquiry: the merchant offers EUR 20, the customer counters with EUR 35, the merchant
    accepts; the dispute resolves on the counter-offer with its history kept."""
    app, clock, channel = make_app()
    opened = app.disputes.open("dsp-pp", new_dispute(profile="paypal_like"), by=CUSTOMER)
    assert opened.stage is Stage.INQUIRY and opened.evidence == ()
    assert opened.inquiry_until == datetime(2026, 3, 23, 0, 0, tzinfo=UTC) - timedelta(hours=1)
    app.disputes.offer(
        "dsp-pp",
        by=MERCHANT,
        party="merchant",
        offer="partial_refund",
        amount=Money.of("20.00", "EUR"),
        reasons="The headphones shipped late; we can refund the shipping and more.",
    )
    clock.advance(timedelta(days=2))
    app.disputes.counter(
        "dsp-pp",
        "offer-1",
        by=CUSTOMER,
        party="customer",
        offer="partial_refund",
        amount=Money.of("35.00", "EUR"),
        reasons="They arrived broken; I keep them for parts.",
    )
    clock.advance(timedelta(days=1))
    settled = app.disputes.accept("dsp-pp", "offer-2", by=MERCHANT, party="merchant")
    assert settled.stage is Stage.RESOLVED
    assert [(o.id, o.by, o.status) for o in settled.offers] == [
        ("offer-1", Party.MERCHANT, OfferStatus.COUNTERED),
        ("offer-2", Party.CUSTOMER, OfferStatus.ACCEPTED),
    ]
    assert settled.outcome is not None and settled.outcome.basis is Basis.AGREEMENT
    assert [(p.payer, p.payee, p.amount) for p in settled.outcome.payments] == [
        (Party.MERCHANT, Party.CUSTOMER, Money.of("35.00", "EUR"))
    ]
    kinds = _kinds(app, "dsp-pp")
    assert kinds.count("dispute.offer_made") == 2 and kinds.count("dispute.offer_accepted") == 1
    clock.advance(timedelta(days=30))
    assert app.tick().timers_fired == 0  # the inquiry and offer timers were cancelled
    assert app.disputes.get("dsp-pp").stage is Stage.RESOLVED
    (offer,) = [m for m in channel.sent if m.template == "dispute.offer"]  # to the customer only
    assert "The merchant offers a partial refund (€20.00)." in offer.body


def test_reg_e_unauthorized_credit_on_day_10_reversed_with_5_business_days_honour() -> None:
    """A US customer's unauthorised transfer: provisional credit on business day 10 (the
    deadline met), the customer told at once; a finding against them, noticed, and the credit
    taken back only after 5 business days."""
    app, clock, channel = make_app()
    us = {"jurisdiction": "US"}
    opened = app.disputes.open(
        "dsp-rege",
        new_dispute(
            customer=Participant(party="customer", id="cust-1", **us),
            merchant=Participant(party="merchant", id="p2p-payee", **us),
            wallet=Participant(party="wallet", id="wallet", **us),
            transactions=(
                DisputedTransaction(
                    id="tx-7",
                    amount=Money.of("250.00", "USD"),
                    disputed=Money.of("250.00", "USD"),
                    occurred_at=T0 - timedelta(days=3),
                ),
            ),
            reason="unauthorized",
            profile="wallet",
        ),
        by=CUSTOMER,
    )
    credit_clock = find_clock(opened.clocks, "provisional_credit")
    investigation = find_clock(opened.clocks, "investigation")
    assert credit_clock is not None and investigation is not None
    # Business day 10 from Monday 2 March 2026 in New York is Monday 16 March.
    assert credit_clock.deadline == datetime(2026, 3, 17, 4, 0, tzinfo=UTC)
    assert credit_clock.source == "reg_e:provisional_credit 10 business days"
    assert investigation.deadline == datetime(2026, 4, 17, 4, 0, tzinfo=UTC)  # 45 days
    clock.set(datetime(2026, 3, 16, 15, 0, tzinfo=UTC))
    credited = app.disputes.credit("dsp-rege", by=STAFF)
    (credit,) = credited.credits
    assert credit.amount == Money.of("250.00", "USD") and credit.noticed_at == clock.now()
    met = find_clock(credited.clocks, "provisional_credit")
    assert met is not None and met.met is True
    app.tick()
    assert "we credited $250.00 to your account on March 16, 2026" in channel.sent[-1].body
    clock.set(datetime(2026, 3, 25, 15, 0, tzinfo=UTC))  # a Wednesday
    found = app.disputes.decide(
        "dsp-rege",
        by=STAFF,
        award=Money.of("0.00", "USD"),
        explanation="Our logs show the transfer was made from your own device after login.",
    )
    (reversing,) = found.credits
    assert reversing.status is CreditStatus.REVERSING
    # Five business days after Wednesday 25 March: the end of Wednesday 1 April.
    assert reversing.reverse_at == datetime(2026, 4, 2, 4, 0, tzinfo=UTC)
    app.tick(datetime(2026, 4, 1, 20, 0, tzinfo=UTC))
    assert app.disputes.get("dsp-rege").credits[0].status is CreditStatus.REVERSING  # honoured
    assert "We will take back $250.00 of the provisional credit on April 2, 2026" in (
        next(m.body for m in channel.sent if m.template == "dispute.credit_reversal")
    )
    app.tick(datetime(2026, 4, 2, 4, 0, tzinfo=UTC))
    (reversed_credit,) = app.disputes.get("dsp-rege").credits
    assert reversed_credit.status is CreditStatus.REVERSED and reversed_credit.settled
    assert _kinds(app, "dsp-rege").count("dispute.credit_reversed") == 1


def test_cross_border_cn_customer_eu_merchant_goes_to_arbitration_in_both_currencies() -> None:
    """A CN customer with a CNY account disputes an EUR payment to a German merchant: the
    stricter of the two jurisdictions' deadlines holds and says so; the dispute goes to
    international arbitration; every amount is kept in EUR and CNY at the opening rate."""
    app, clock, channel = make_app()
    rate = ExchangeRate(base="EUR", quote="CNY", rate=Decimal("7.8125"), source="ECB 2026-03-02")
    opened = app.disputes.open(
        "dsp-xb",
        new_dispute(
            customer=Participant(party="customer", id="cust-1", jurisdiction="CN"),
            merchant=Participant(party="merchant", id="shop-de", jurisdiction="DE"),
            wallet=Participant(party="wallet", id="wallet", jurisdiction="CN"),
            transactions=(
                DisputedTransaction(
                    id="tx-9",
                    amount=Money.of("200.00", "EUR"),
                    disputed=Money.of("160.00", "EUR"),
                    occurred_at=T0 - timedelta(days=10),
                ),
            ),
            reason="not_as_described",
            profile="wallet",
            account_currency="CNY",
            rate=rate,
            language="zh",
            customer_zone="Asia/Shanghai",
        ),
        by=CUSTOMER,
    )
    assert (opened.disputed, opened.disputed_account) == (
        Money.of("160.00", "EUR"),
        Money.of("1250.00", "CNY"),
    )
    resolution = find_clock(opened.clocks, "resolution")
    assert resolution is not None and resolution.source == "cn_banking@CN:resolution"
    (started,) = [
        e for e in app.events("dsp-xb") if isinstance(e, ClockStarted) and e.metric == "resolution"
    ]
    assert [c.split("=")[0] for c in started.candidates] == [
        "cn_banking@CN:resolution",
        "psd2@DE:resolution",
    ]
    app.disputes.decide(
        "dsp-xb",
        by=STAFF,
        award=Money.of("0.00", "EUR"),
        explanation="The merchant's photos match the listing.",
    )
    referred = app.disputes.refer(
        "dsp-xb", by=CUSTOMER, party="customer", to="arbitration", reason="不同意裁决"
    )
    assert referred.stage is Stage.ARBITRATION and referred.escalation.tier == "arbitrator"
    assert referred.forum == (
        "China International Economic and Trade Arbitration Commission (CIETAC)"
    )
    assert {w.party for w in referred.evidence} == {Party.CUSTOMER, Party.MERCHANT, Party.WALLET}
    clock.advance(timedelta(days=40))
    final = app.disputes.decide(
        "dsp-xb",
        by=STAFF,
        award=Money.of("96.00", "EUR"),
        payer="merchant",
        explanation="The item was partly as described: 60% is refunded.",
    )
    assert final.stage is Stage.RESOLVED and final.outcome is not None
    assert final.outcome.basis is Basis.THIRD_PARTY
    assert final.outcome.decided_by == referred.forum
    assert (final.outcome.award, final.outcome.award_account) == (
        Money.of("96.00", "EUR"),
        Money.of("750.00", "CNY"),
    )
    assert final.rate == rate
    app.tick()
    body = channel.sent[-1].body
    assert body.startswith("处理结果（第三方裁决）") and "€96.00 (¥750.00)" in body
