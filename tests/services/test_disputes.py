"""Disputes through ``Walletcare.disputes``: intake, evidence, offers, credit, stages, links,
listing, rules and configuration."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.disputes_fixtures import CUSTOMER, MERCHANT, STAFF, T0, make_app, new_dispute
from walletcare import Actor, ConfigurationError, Money, Settings, Walletcare
from walletcare.config import (
    Action,
    ActionKind,
    CaseSettings,
    Condition,
    DisputePolicy,
    DisputeProfile,
    Ladder,
    Oversight,
    Rule,
)
from walletcare.disputes import (
    DisputedTransaction,
    EvidenceItem,
    OfferStatus,
    Participant,
    Party,
    Stage,
)
from walletcare.domain.sla import find_clock
from walletcare.errors import (
    DomainError,
    KeyTaken,
    PermissionDenied,
    TransitionNotAllowed,
    UnsafeMessage,
    ValidationError,
)
from walletcare.testing import FixedClock

ITEM = EvidenceItem(kind="receipt", reference="files/receipt.pdf", description="order")


def _open(app, dispute_id: str = "dsp-1", **changes):  # type: ignore[no-untyped-def]
    return app.disputes.open(dispute_id, new_dispute(**changes), by=CUSTOMER)


# -- intake --------------------------------------------------------------------------------
def test_intake_lists_every_problem_at_once() -> None:
    """An incomplete dispute is refused with each missing or wrong field named."""
    app, _, _ = make_app()
    with pytest.raises(ValidationError) as refused:
        _open(
            app,
            reason="changed_my_mind",
            description=" ",
            contact_address="",
            profile="amex",
            transactions=(),
        )
    assert set(refused.value.fields) == {
        "reason",
        "description",
        "contact_address",
        "profile",
        "transactions",
    }
    assert app.events_since() == []


def test_intake_refuses_a_dispute_filed_after_the_profiles_window() -> None:
    """Mastercard's window depends on the reason: 45 days for a duplicate, 120 otherwise."""
    app, _, _ = make_app()
    old = DisputedTransaction(
        id="tx-old",
        amount=Money.of("10.00", "EUR"),
        disputed=Money.of("10.00", "EUR"),
        occurred_at=T0 - timedelta(days=60),
    )
    with pytest.raises(ValidationError, match="mastercard allows 45 days to file for duplicate"):
        _open(app, transactions=(old,), reason="duplicate", profile="mastercard")
    assert _open(app, transactions=(old,), reason="not_received", profile="mastercard").is_open


def test_intake_needs_a_rate_when_the_account_currency_differs() -> None:
    """Amounts are kept in both currencies, so a different account currency needs a rate."""
    app, _, _ = make_app()
    with pytest.raises(ValidationError) as refused:
        _open(app, account_currency="CNY")
    assert refused.value.fields == ("rate",)


def test_refund_never_exceeds_the_transaction() -> None:
    """A disputed amount above the transaction's own is refused when it is built."""
    with pytest.raises(ValidationError, match="disputed"):
        DisputedTransaction(
            id="tx",
            amount=Money.of("10.00", "EUR"),
            disputed=Money.of("10.01", "EUR"),
            occurred_at=T0,
        )


def test_one_open_dispute_per_customer_and_transaction() -> None:
    """A second open dispute about the same transaction is refused atomically."""
    app, _, _ = make_app()
    _open(app)
    with pytest.raises(KeyTaken):
        _open(app, "dsp-2")
    app.disputes.withdraw("dsp-1", by=CUSTOMER, reason="sorted it out with the shop")
    assert _open(app, "dsp-2").is_open  # the key is released when the first one ends


# -- evidence ------------------------------------------------------------------------------
def test_evidence_is_staged_edited_and_submitted_once() -> None:
    """Staging again replaces the staged evidence; submission fixes it; a second is refused."""
    app, _, _ = make_app()
    _open(app)
    app.disputes.stage_evidence("dsp-1", by=MERCHANT, party="merchant", text="first draft")
    app.disputes.stage_evidence("dsp-1", by=MERCHANT, party="merchant", items=[ITEM], text="v2")
    done = app.disputes.submit_evidence("dsp-1", by=MERCHANT, party="merchant")
    window = done.evidence_of(Party.MERCHANT)
    assert window is not None and (window.items, window.text) == ((ITEM,), "v2")
    with pytest.raises(TransitionNotAllowed, match="already submitted"):
        app.disputes.submit_evidence("dsp-1", by=MERCHANT, party="merchant")
    with pytest.raises(TransitionNotAllowed, match="already submitted"):
        app.disputes.stage_evidence("dsp-1", by=MERCHANT, party="merchant", text="v3")


def test_submission_after_due_by_is_refused() -> None:
    """Evidence due by the end of day 30 cannot be submitted a minute later."""
    app, clock, _ = make_app()
    opened = _open(app)
    app.disputes.stage_evidence("dsp-1", by=CUSTOMER, party="customer", items=[ITEM])
    window = opened.evidence_of(Party.CUSTOMER)
    assert window is not None
    clock.set(window.due_by + timedelta(minutes=1))
    with pytest.raises(TransitionNotAllowed, match="was due by"):
        app.disputes.submit_evidence("dsp-1", by=CUSTOMER, party="customer")


def test_evidence_clock_warns_before_due_by_and_breaches_after() -> None:
    """Each party's evidence deadline is a kernel clock: a warning two days before, a breach."""
    app, _, _ = make_app()
    window = _open(app).evidence_of(Party.MERCHANT)
    assert window is not None
    app.tick(window.due_by - timedelta(days=1))
    clock = find_clock(app.disputes.get("dsp-1").clocks, "evidence_merchant")
    assert clock is not None and (clock.warned, clock.breached) == (True, False)
    app.tick(window.due_by)
    clock = find_clock(app.disputes.get("dsp-1").clocks, "evidence_merchant")
    assert clock is not None and clock.breached


def test_a_customer_cannot_act_for_the_merchant() -> None:
    """Who may act for a party is checked: a customer only for the customer."""
    app, _, _ = make_app()
    _open(app)
    with pytest.raises(PermissionDenied, match="customer cannot act for the merchant"):
        app.disputes.stage_evidence("dsp-1", by=CUSTOMER, party="merchant", text="x")


OTHER_CUSTOMER = Actor.customer("cust-2")
OTHER_SHOP = Actor("merchant", "shop-x")
OWN_PARTY_COMMANDS = {
    "withdraw": lambda app, by: app.disputes.withdraw("dsp-1", by=by, reason="changed my mind"),
    "stage_evidence": lambda app, by: app.disputes.stage_evidence(
        "dsp-1", by=by, party=by.role.value, text="receipt"
    ),
    "submit_evidence": lambda app, by: app.disputes.submit_evidence(
        "dsp-1", by=by, party=by.role.value
    ),
    "offer": lambda app, by: app.disputes.offer(
        "dsp-1", by=by, party=by.role.value, offer="full_refund",
        to="merchant" if by.role.value == "customer" else "customer",
    ),
}  # fmt: skip


@pytest.mark.parametrize("command", sorted(OWN_PARTY_COMMANDS))
@pytest.mark.parametrize("stranger", [OTHER_CUSTOMER, OTHER_SHOP], ids=["customer", "merchant"])
def test_customers_and_merchants_act_on_their_own_disputes_only(command: str, stranger: Actor) -> None:
    """Another customer, or another shop, acting on cust-1's dispute with shop-9 is refused
    with ``PermissionDenied`` and nothing is written; the dispute's own party may."""
    if command == "withdraw" and stranger is OTHER_SHOP:
        return  # withdrawing is the customer's alone, whoever the merchant
    app, _, _ = make_app()
    _open(app)
    before = len(app.events("dsp-1"))
    with pytest.raises(PermissionDenied, match="their own disputes only"):
        OWN_PARTY_COMMANDS[command](app, stranger)
    assert len(app.events("dsp-1")) == before
    own = CUSTOMER if stranger is OTHER_CUSTOMER else MERCHANT
    if command == "submit_evidence":
        OWN_PARTY_COMMANDS["stage_evidence"](app, own)
    OWN_PARTY_COMMANDS[command](app, own)
    assert len(app.events("dsp-1")) > before


def test_a_customer_opens_their_own_disputes_only_and_a_merchant_none() -> None:
    """Opening in another customer's name, or as a merchant, is refused; nothing is written."""
    app, _, _ = make_app()
    with pytest.raises(PermissionDenied, match="their own disputes only"):
        app.disputes.open("dsp-1", new_dispute(), by=OTHER_CUSTOMER)
    with pytest.raises(PermissionDenied, match="customers, staff and the system"):
        app.disputes.open("dsp-1", new_dispute(), by=MERCHANT)
    assert app.disputes.list() == []
    assert app.disputes.open("dsp-1", new_dispute(), by=CUSTOMER).customer.id == "cust-1"


# -- negotiation ---------------------------------------------------------------------------
def test_an_offer_lapses_by_timer_at_its_expiry() -> None:
    """An unanswered offer lapses when its timer fires, not before."""
    app, _, _ = make_app()
    _open(app)
    made = app.disputes.offer(
        "dsp-1", by=MERCHANT, party="merchant", offer="replacement", reasons="a new pair"
    )
    expires = made.offers[0].expires_at
    assert expires == T0 + timedelta(days=10)  # visa: offers stand 10 days
    app.tick(expires - timedelta(minutes=1))
    assert app.disputes.get("dsp-1").offers[0].status is OfferStatus.OPEN
    app.tick(expires)
    lapsed = app.disputes.get("dsp-1")
    assert lapsed.offers[0].status is OfferStatus.LAPSED and lapsed.stage is Stage.DISPUTE
    with pytest.raises(TransitionNotAllowed):
        app.disputes.accept("dsp-1", "offer-1", by=CUSTOMER, party="customer")


def test_an_ignored_offer_closes_a_paypal_like_dispute() -> None:
    """paypal_like: an offer the customer ignores for 10 days closes the dispute, no award."""
    app, _, _ = make_app()
    _open(app, profile="paypal_like")
    made = app.disputes.offer(
        "dsp-1",
        by=MERCHANT,
        party="merchant",
        offer="partial_refund",
        amount=Money.of("10.00", "EUR"),
    )
    app.tick(made.offers[0].expires_at)
    closed = app.disputes.get("dsp-1")
    assert closed.stage is Stage.CLOSED and "did not answer the offer" in closed.closed_reason


def test_an_ignored_offer_can_count_as_accepted() -> None:
    """A host profile may say an ignored offer counts as accepted: it resolves on its terms."""
    deemed = DisputeProfile(
        name="deemed",
        title="ignored offers accepted",
        filing_days=60,
        respond_days=10,
        appeal_days=10,
        ignored_offer="accept",
        sources=("house rules",),
    )
    app, _, _ = make_app(
        cases={"dispute": CaseSettings(policy=DisputePolicy(profiles={"deemed": deemed}))}
    )
    _open(app, profile="deemed")
    made = app.disputes.offer("dsp-1", by=MERCHANT, party="merchant", offer="full_refund")
    app.tick(made.offers[0].expires_at)
    resolved = app.disputes.get("dsp-1")
    assert resolved.stage is Stage.RESOLVED and resolved.outcome is not None
    assert resolved.outcome.award == Money.of("80.00", "EUR")
    assert resolved.offers[0].status is OfferStatus.ACCEPTED


@pytest.mark.parametrize(
    ("offer", "amount", "problem"),
    [
        ("partial_refund", "80.00", "less than the amount disputed"),
        ("partial_refund", "80.01", "more than the EUR 80.00 disputed"),
        ("credit", "0.00", "more than zero"),
        ("replacement", "5.00", "moves no money"),
        ("rejection", None, "says why"),
        ("bribe", None, "is not one of"),
    ],
)
def test_offers_are_checked(offer: str, amount: str | None, problem: str) -> None:
    """An offer's amount fits its kind and never exceeds what was disputed."""
    app, _, _ = make_app()
    _open(app)
    money = Money.of(amount, "EUR") if amount is not None else None
    with pytest.raises(ValidationError, match=problem):
        app.disputes.offer("dsp-1", by=MERCHANT, party="merchant", offer=offer, amount=money)


def test_a_merchant_offer_asking_for_the_customer_code_is_refused_and_nothing_written() -> None:
    """Offer reasons reach the customer: a merchant asking for their SMS code through them is
    refused (the phishing policy's default), and the dispute records no offer."""
    app, _, _ = make_app()
    _open(app)
    before = len(app.events("dsp-1"))
    with pytest.raises(UnsafeMessage) as refused:
        app.disputes.offer(
            "dsp-1", by=MERCHANT, party="merchant", offer="full_refund",
            reasons="To receive the refund, reply with the SMS code you just got.",
        )  # fmt: skip
    assert refused.value.field == "reasons"
    assert len(app.events("dsp-1")) == before and app.disputes.get("dsp-1").offers == ()


def test_only_the_party_offered_to_answers_and_counters() -> None:
    """The merchant cannot accept its own offer, nor counter an offer made to the customer."""
    app, _, _ = make_app()
    _open(app)
    app.disputes.offer("dsp-1", by=MERCHANT, party="merchant", offer="full_refund")
    with pytest.raises(DomainError, match="made to the customer"):
        app.disputes.accept("dsp-1", "offer-1", by=MERCHANT, party="merchant")
    with pytest.raises(ValidationError, match="counters"):
        app.disputes.offer(
            "dsp-1", by=STAFF, party="wallet", offer="credit",
            amount=Money.of("5.00", "EUR"), to="merchant", counters="offer-1",
        )  # fmt: skip
    declined = app.disputes.decline(
        "dsp-1", "offer-1", by=CUSTOMER, party="customer", reason="I want the goods"
    )
    assert (declined.offers[0].status, declined.offers[0].answer) == (
        OfferStatus.DECLINED,
        "I want the goods",
    )


# -- provisional credit --------------------------------------------------------------------
def _us(**changes):  # type: ignore[no-untyped-def]
    us = {"jurisdiction": "US"}
    return new_dispute(
        customer=Participant(party="customer", id="cust-1", **us),
        merchant=Participant(party="merchant", id="shop-9", **us),
        wallet=Participant(party="wallet", id="wallet", **us),
        transactions=(
            DisputedTransaction(
                id="tx-1",
                amount=Money.of("100.00", "USD"),
                disputed=Money.of("60.00", "USD"),
                occurred_at=T0 - timedelta(days=2),
            ),
        ),
        reason="unauthorized",
        profile="wallet",
        **changes,
    )


def test_wallet_credit_waits_for_identity_verification() -> None:
    """No provisional credit on an unverified wallet; its clock starts at verification."""
    app, clock, _ = make_app()
    opened = app.disputes.open("dsp-1", _us(identity_verified=False), by=CUSTOMER)
    assert find_clock(opened.clocks, "provisional_credit") is None
    with pytest.raises(TransitionNotAllowed, match="identity is not verified"):
        app.disputes.credit("dsp-1", by=STAFF)
    clock.advance(timedelta(days=3))
    verified = app.disputes.verify_identity("dsp-1", by=STAFF)
    due = find_clock(verified.clocks, "provisional_credit")
    assert due is not None and due.started_at == clock.now()
    assert app.disputes.credit("dsp-1", by=STAFF).credited == Money.of("60.00", "USD")


def test_credit_notice_clock_breaches_when_the_customer_is_not_told() -> None:
    """Crediting without notice starts a 2-business-day clock; the notice stops it."""
    app, _, channel = make_app()
    app.disputes.open("dsp-1", _us(), by=CUSTOMER)
    credited = app.disputes.credit("dsp-1", by=STAFF, notify=False)
    notice = find_clock(credited.clocks, "credit_notice")
    assert notice is not None and notice.running
    app.tick(notice.deadline)
    late = find_clock(app.disputes.get("dsp-1").clocks, "credit_notice")
    assert late is not None and late.breached
    told = app.disputes.send_credit_notice("dsp-1", "credit-1", by=STAFF)
    assert told.credits[0].noticed_at is not None
    for hours in range(25):  # the notice waits for the customer's daytime (quiet hours)
        app.tick(notice.deadline + timedelta(hours=hours))
    assert [m.template for m in channel.sent].count("dispute.credit_notice") == 1


def test_credit_never_exceeds_what_was_disputed() -> None:
    """Credit beyond the disputed amount (in the account currency) is refused."""
    app, _, _ = make_app()
    app.disputes.open("dsp-1", _us(), by=CUSTOMER)
    app.disputes.credit("dsp-1", by=STAFF, amount=Money.of("50.00", "USD"))
    with pytest.raises(ValidationError, match="not yet credited"):
        app.disputes.credit("dsp-1", by=STAFF, amount=Money.of("10.01", "USD"))


def test_no_credit_rules_outside_their_jurisdiction() -> None:
    """A German dispute has no Reg E credit and no credit clocks."""
    app, _, _ = make_app()
    opened = _open(app, reason="unauthorized")
    assert opened.credit_rules == "" and find_clock(opened.clocks, "investigation") is None
    with pytest.raises(DomainError, match="no provisional-credit rules"):
        app.disputes.credit("dsp-1", by=STAFF)


def test_a_partial_award_makes_part_of_the_credit_final_and_reverses_the_rest() -> None:
    """Award USD 25 against a USD 60 credit: 25 final, 35 taken back after honour; the
    customer ends with exactly the award."""
    app, clock, _ = make_app()
    app.disputes.open("dsp-1", _us(), by=CUSTOMER)
    app.disputes.credit("dsp-1", by=STAFF)
    decided = app.disputes.decide(
        "dsp-1",
        by=STAFF,
        award=Money.of("25.00", "USD"),
        payer="wallet",
        explanation="Part of the amount was authorised.",
    )
    (credit,) = decided.credits
    assert (credit.final, credit.reversing) == (Money.of("25.00", "USD"), Money.of("35.00", "USD"))
    clock.advance(timedelta(days=30))
    app.tick()
    done = app.disputes.get("dsp-1")
    assert done.stage is Stage.RESOLVED and done.credits[0].settled
    assert done.outcome is not None
    to_customer = sum(
        (p.account_amount for p in done.outcome.payments if p.payee is Party.CUSTOMER),
        Money.zero("USD"),
    )
    assert to_customer == Money.of("25.00", "USD")


# -- stages --------------------------------------------------------------------------------
def test_an_unescalated_inquiry_closes_by_itself() -> None:
    """paypal_like: nobody escalates within 20 days, so the inquiry closes."""
    app, _, _ = make_app()
    opened = _open(app, profile="paypal_like")
    assert opened.inquiry_until is not None
    app.tick(opened.inquiry_until)
    assert app.disputes.get("dsp-1").stage is Stage.CLOSED


def test_an_escalated_inquiry_becomes_a_dispute_with_evidence_windows() -> None:
    """Escalation inside the window opens the dispute stage and each party's window."""
    app, _, _ = make_app()
    _open(app, profile="paypal_like")
    escalated = app.disputes.escalate_inquiry(
        "dsp-1", by=CUSTOMER, party="customer", reason="no answer from the shop"
    )
    assert escalated.stage is Stage.DISPUTE
    assert {w.party for w in escalated.evidence} == {Party.CUSTOMER, Party.MERCHANT}


def test_appeal_once_then_refer() -> None:
    """A decision may be appealed once (pre-arbitration), then referred to mediation."""
    app, _, _ = make_app()
    _open(app)
    app.disputes.decide("dsp-1", by=STAFF, award=Money.of("0.00", "EUR"), explanation="Delivered.")
    appealed = app.disputes.appeal("dsp-1", by=CUSTOMER, party="customer", reason="not me")
    assert appealed.stage is Stage.APPEAL and appealed.appealed
    app.disputes.decide("dsp-1", by=STAFF, award=Money.of("0.00", "EUR"), explanation="Still.")
    with pytest.raises(TransitionNotAllowed, match="appealed once already"):
        app.disputes.appeal("dsp-1", by=CUSTOMER, party="customer", reason="again")
    referred = app.disputes.refer(
        "dsp-1", by=CUSTOMER, party="customer", to="mediation", reason="want a mediator"
    )
    assert referred.stage is Stage.MEDIATION and referred.escalation.tier == "mediator"
    assert referred.forum == "FIN-NET (cross-border financial ADR network)"


def test_decisions_award_no_more_than_was_disputed() -> None:
    """An award above the disputed amount is refused, and nothing changes."""
    app, _, _ = make_app()
    _open(app)
    before = app.events("dsp-1")
    with pytest.raises(ValidationError, match=r"more than the EUR 80\.00 disputed"):
        app.disputes.decide(
            "dsp-1", by=STAFF, award=Money.of("80.01", "EUR"), payer="merchant", explanation="x"
        )
    assert app.events("dsp-1") == before


def test_escalation_to_the_regulator_goes_through_the_ladder() -> None:
    """Staff escalate a dispute to the regulator tier of the dispute ladder."""
    app, _, _ = make_app()
    _open(app)
    up = app.disputes.escalate("dsp-1", by=STAFF, reason="systemic issue", to_tier="regulator")
    assert up.escalation.tier == "regulator"


# -- links, listing, rules, configuration --------------------------------------------------
def test_a_dispute_opened_from_a_complaint_is_linked_both_ways() -> None:
    """The dispute names the complaint; the complaint lists the dispute, once, on retry too."""
    from tests.complaints_fixtures import intake

    app, _, _ = make_app()
    complaint = app.complaints.open(intake(customer_id="cust-1"))
    args = (complaint.complaint_id, "dsp-1", new_dispute())
    dispute = app.disputes.open_from_complaint(*args, by=STAFF)
    assert dispute.complaint_id == complaint.complaint_id
    app.disputes.open_from_complaint(*args, by=STAFF)  # a retry completes, links nothing twice
    assert app.complaints.get(complaint.complaint_id).disputes == ("dsp-1",)


def test_listing_by_merchant_and_whom_it_waits_on() -> None:
    """Disputes are listed from their summaries by merchant and by whom they wait on."""
    app, _, _ = make_app()
    _open(app)
    app.disputes.stage_evidence("dsp-1", by=CUSTOMER, party="customer", items=[ITEM])
    app.disputes.submit_evidence("dsp-1", by=CUSTOMER, party="customer")
    (row,) = app.disputes.list(merchant="shop-9", waiting_on="merchant")
    assert (row.stream_id, row.kind, row.status) == ("dsp-1", "dispute", "dispute")
    assert app.disputes.list(merchant="other") == []


def test_a_rule_reads_dispute_facts_and_escalates() -> None:
    """A rule on offer count and stage fires once and escalates, explaining itself."""
    rule = Rule(
        id="haggling",
        when=Condition(
            all=(
                Condition(fact="offer_count", op="ge", value="2"),
                Condition(fact="stage", op="eq", value="dispute"),
            )
        ),
        then=(Action(kind=ActionKind.ESCALATE, tier="senior_agent"),),
        description="two offers without agreement",
    )
    app, _, _ = make_app(
        cases={"dispute": CaseSettings(oversight=Oversight(rules=(rule,), ladder=_ladder()))}
    )
    _open(app)
    app.disputes.offer("dsp-1", by=MERCHANT, party="merchant", offer="replacement")
    up = app.disputes.offer(
        "dsp-1", by=CUSTOMER, party="customer", offer="full_refund", counters="offer-1"
    )
    assert up.escalation.tier == "senior_agent"
    assert [e.kind for e in app.events("dsp-1")].count("escalation.rule_fired") == 1


def _ladder() -> Ladder:
    from walletcare.config import DISPUTE_LADDER

    return DISPUTE_LADDER


def test_configuration_mistakes_are_refused_at_start() -> None:
    """A wrong policy type, or a ladder without mediator and arbitrator, stops Walletcare."""
    with pytest.raises(ConfigurationError, match="DisputePolicy"):
        Walletcare(
            Settings(storage_url="memory://", cases={"dispute": CaseSettings(policy=object())}),
            clock=FixedClock(T0),
        )
    plain = Oversight(ladder=Ladder(tiers=("agent", "ombudsman"), start="agent"))
    with pytest.raises(ConfigurationError, match="mediator, arbitrator"):
        Walletcare(
            Settings(storage_url="memory://", cases={"dispute": CaseSettings(oversight=plain)}),
            clock=FixedClock(T0),
        )
    with pytest.raises(ValidationError, match="default_profile"):
        DisputePolicy(default_profile="nope")


def test_messages_reach_the_customer_in_chinese() -> None:
    """A zh customer is told in Chinese, with the reason in words."""
    app, _, channel = make_app()
    _open(app, language="zh-CN")
    app.tick()
    (opened,) = channel.sent
    assert opened.locale == "zh_CN" and "未收到商品或服务" in opened.body


def test_merchant_actor_may_not_decide() -> None:
    """Only the wallet's staff decide."""
    app, _, _ = make_app()
    _open(app)
    with pytest.raises(PermissionDenied, match="only the wallet's staff"):
        app.disputes.decide(
            "dsp-1", by=Actor("merchant", "shop-9"), award=Money.of("0", "EUR"), explanation="no"
        )
