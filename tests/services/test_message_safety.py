"""Outbound safety: internal text never reaches a customer, PII is masked, phishing-shaped
staff text is refused or held, regulatory notices, remedy currency."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.complaints_fixtures import EXPLANATION
from tests.services.messages_fixtures import STAFF, investigating, make_app
from walletcare import Actor, Money
from walletcare.config import (
    Action,
    ActionKind,
    CaseSettings,
    Condition,
    Oversight,
    Rule,
)
from walletcare.domain.fees.exchange import ExchangeRate
from walletcare.domain.messages import MessagePolicy, PhishingAction
from walletcare.errors import PermissionDenied, UnsafeMessage, ValidationError
from walletcare.settings import MessageSettings

CANARY = "INTERNAL-7f3a"
ADDRESS = "+4915100000000"

# What a kind may put in a customer template: the case, words from the catalogue, and text
# written for the customer. Nothing here is an internal note, a rule or a staff summary.
CUSTOMER_FIELDS = frozenset(
    {
        "ref",
        "category",
        "questions",
        "outcome",
        "explanation",
        "remedy",
        "reopen_until",
        "notice",
        "reasons",
        "expected_by",
        # follow-ups: the opt-out keyword, the payment being confirmed
        "stop",
        "amount",
        "transaction",
        # incidents: the public title and status, counts, the remedy and its reason
        "title",
        # disputes: amounts, dates, the offer and outcome written for the customer
        "date",
        "honour",
        "reverse_at",
        "due_by",
        "expires_at",
        "offer",
        "party",
        "next_step",
        "award",
        "basis",
        "paid_by",
        "account",
        "status",
        "state",
        "customers",
        "complaints",
        "customer",
        "reason",
    }
)
# Templates whose ``summary`` is customer text: an incident's posted update, or the neutral
# catalogue summary the kernel gives a rule's customer notice (``case.update.summary``).
CUSTOMER_SUMMARIES = frozenset({"incident.notice", "dispute.update"})


def _every_action_rule() -> Rule:
    """One rule taking every kind of action, its description and reasons marked."""
    return Rule(
        id=f"rule-{CANARY}",
        description=f"loss over threshold, call the customer {CANARY}",
        when=Condition(fact="status", op="eq", value="investigating"),
        then=(
            Action(kind=ActionKind.NOTIFY, customer=True, channel="sms", reason=f"why {CANARY}"),
            # a kind's update template with a {summary}: it gets the neutral one
            Action(
                kind=ActionKind.NOTIFY,
                customer=True,
                channel="sms",
                template="dispute.update",
                reason=f"why {CANARY}",
            ),
            Action(kind=ActionKind.NOTIFY, role="complaints_officer", channel="staff"),
            Action(kind=ActionKind.ESCALATE, reason=f"escalated {CANARY}"),
            Action(kind=ActionKind.RAISE_SEVERITY, reason=f"raised {CANARY}"),
            Action(kind=ActionKind.FLAG_REGULATOR, reason=f"flagged {CANARY}"),
            Action(
                kind=ActionKind.ACCRUE_PENALTY, amount=Money.of("1", "EUR"), reason=f"p {CANARY}"
            ),
        ),
    )


def test_internal_text_never_reaches_a_customer() -> None:
    """Rule descriptions and reasons, staff notes, teams, severity reasons and flags reach
    staff alerts but no customer message, in any language, over the whole lifecycle."""
    settings = CaseSettings(oversight=Oversight(rules=(_every_action_rule(),)))
    app, notifier, _clock = make_app(cases={"complaint": settings})
    for language in ("en", "zh"):
        cid = investigating(app, language=language, customer_id=f"c-{language}")
        app.complaints.assign(cid, by=STAFF, team=f"team-{CANARY}", agent=f"agent-{CANARY}")
        app.complaints.change_severity(cid, by=STAFF, severity="high", reason=f"sev {CANARY}")
        app.complaints.add_flags(cid, by=STAFF, flags=["extended"], reason=f"flag {CANARY}")
        app.complaints.record_contact(
            cid, by=STAFF, channel="phone", direction="outbound", summary=f"call {CANARY}"
        )
        app.complaints.escalate(cid, by=STAFF, reason=f"manual {CANARY}")
        app.complaints.request_information(cid, by=STAFF, questions="the receipt")
        app.complaints.provide_information(cid, by=STAFF, summary=f"note {CANARY}")
        app.complaints.resolve(cid, by=STAFF, outcome="upheld", explanation=EXPLANATION)
    app.tick()
    customer = [m for m in notifier.sent if m.recipient == ADDRESS]
    staff = [m for m in notifier.sent if m.recipient.startswith("role:")]
    # acknowledgement, the rule's two updates, question, resolution; for each language
    assert len(customer) == 10
    summaries = [m.body for m in customer if m.template == "dispute.update"]
    assert "We are still working on it" in summaries[0] and "我们仍在处理" in summaries[1]
    assert {m.template for m in customer} >= {"complaint.update", "complaint.resolved"}
    assert all(CANARY not in m.subject + m.body for m in customer)
    assert staff and all(CANARY in m.subject + m.body for m in staff)


def test_customer_templates_offer_only_customer_fields() -> None:
    """Every customer template in the catalogue uses only values meant for the customer;
    every other template is a staff template."""
    app, _, _ = make_app()
    catalogue = app.catalogue
    for template in catalogue.templates():
        if catalogue.is_staff(template):
            continue
        allowed = CUSTOMER_FIELDS | ({"summary"} if template in CUSTOMER_SUMMARIES else set())
        assert catalogue.fields(template) <= allowed, template


def test_personal_data_in_staff_text_is_masked_in_the_message_and_the_audit_line() -> None:
    """A card number a member of staff typed reaches the customer and the audit trail
    masked, its last four digits kept."""
    app, notifier, _ = make_app()
    cid = investigating(app)
    app.complaints.request_information(
        cid, by=STAFF, questions="a photo of the receipt for card 4111 1111 1111 1111"
    )
    app.tick()
    (question,) = [m for m in notifier.sent if m.template == "complaint.information_requested"]
    assert "************1111" in question.body and "4111 1111" not in question.body
    line = app.complaints.history(cid)[-2].line
    assert "************1111" in line and "4111 1111" not in line


def test_audit_lines_keep_personal_data_when_the_policy_says_so() -> None:
    """mask_audit=False leaves audit lines as written; messages are still masked."""
    policy = MessagePolicy(mask_audit=False)
    app, notifier, _ = make_app(messages=MessageSettings(policy=policy))
    cid = investigating(app)
    app.complaints.request_information(cid, by=STAFF, questions="card 4111 1111 1111 1111?")
    app.tick()
    assert "4111 1111 1111 1111" in app.complaints.history(cid)[-2].line
    assert "4111 1111" not in notifier.sent[-1].body


@pytest.mark.parametrize(
    "explanation",
    [
        "To finish the refund please send us your SMS code and full card number today.",
        "为完成退款，请回复您收到的短信验证码，谢谢配合处理。",
        "We refunded you; confirm at https://wallet-refunds.example.net/login to receive it.",
    ],
)
def test_phishing_shaped_staff_text_is_refused_and_nothing_is_written(explanation: str) -> None:
    """The resolution is refused with UnsafeMessage naming the field; the case is unchanged."""
    app, _notifier, _ = make_app(
        messages=MessageSettings(policy=MessagePolicy(allowed_domains=("wallet.example",)))
    )
    cid = investigating(app)
    before = len(app.events(cid))
    with pytest.raises(UnsafeMessage) as refused:
        app.complaints.resolve(cid, by=STAFF, outcome="upheld", explanation=explanation)
    assert refused.value.field == "explanation"
    assert str(refused.value).startswith("explanation: ")
    assert "explanation: explanation" not in str(refused.value)  # the field is named once
    assert len(app.events(cid)) == before
    assert app.complaints.get(cid).status == "investigating"


def test_phishing_shaped_staff_text_is_held_for_review_when_the_policy_holds() -> None:
    """Held: the case records the message and alerts the reviewers; the customer gets it
    only when staff release it, and a customer cannot release it."""
    policy = MessagePolicy(phishing=PhishingAction.HOLD)
    app, notifier, _ = make_app(messages=MessageSettings(policy=policy))
    cid = investigating(app)
    app.complaints.resolve(
        cid, by=STAFF, outcome="upheld", explanation="Reply with your PIN so we can refund you."
    )
    app.tick()
    assert not [m for m in notifier.sent if m.template == "complaint.resolved"]
    (alert,) = [m for m in notifier.sent if m.template == "case.message_held"]
    assert alert.recipient == "role:complaints_officer" and "asks for a secret" in alert.body
    held = [e for e in app.complaints.history(cid) if e.kind == "message.held"]
    assert len(held) == 1
    message_id = held[0].details["message_id"]
    with pytest.raises(PermissionDenied):
        app.complaints.release_held(cid, message_id, by=Actor.customer("cust-1"))
    app.complaints.release_held(cid, message_id, by=Actor.staff("reviewer-2"))
    app.tick()
    (sent,) = [m for m in notifier.sent if m.template == "complaint.resolved"]
    assert sent.id == message_id and "PIN" in sent.body


def test_psd2_final_response_names_the_configured_adr_body() -> None:
    """A German complaint's resolution names the host's out-of-court body, in the
    customer's language; without one configured, the generic pointer."""
    body = "the Schlichtungsstelle bei der Deutschen Bundesbank"
    app, notifier, _ = make_app(messages=MessageSettings(adr_bodies={"DE": body}))
    plain, plain_notifier, _ = make_app()
    for each in (app, plain):
        cid = investigating(each, jurisdiction="DE")
        each.complaints.resolve(cid, by=STAFF, outcome="upheld", explanation=EXPLANATION)
        each.tick()
    assert f"take your complaint to {body}" in notifier.sent[-1].body
    assert "named in your framework contract" in plain_notifier.sent[-1].body


@pytest.mark.parametrize(
    "profile", ["psd2", "uk_disp", "cn_banking", "rbi_ombudsman", "reg_e", "reg_z"]
)
def test_profiles_requiring_a_final_notice_have_it_in_both_shipped_languages(profile: str) -> None:
    """Each profile whose regulation requires a notice names a catalogue text in en and zh."""
    from walletcare.config import PROFILES

    app, _, _ = make_app()
    key = PROFILES[profile].notice
    assert key == f"notice.{profile}"
    assert app.catalogue.text(key, "en") != app.catalogue.text(key, "zh_CN")


def test_a_remedy_in_another_currency_needs_a_rate_and_stays_within_the_loss() -> None:
    """EUR on a CNY loss is refused without a rate; with one it is recorded; converted above
    the loss of a partly upheld complaint, refused."""
    app, _, _ = make_app()
    cid = investigating(app, amount_lost=Money.of("35.00", "CNY"))
    with pytest.raises(ValidationError) as refused:
        app.complaints.resolve(
            cid,
            by=STAFF,
            outcome="partly_upheld",
            explanation=EXPLANATION,
            remedy=Money.of("35.00", "EUR"),
        )
    assert refused.value.fields == ("remedy",)
    rate = ExchangeRate(base="EUR", quote="CNY", rate=Decimal("7.80"), source="ECB 2026-03-02")
    with pytest.raises(ValidationError, match="more than"):
        app.complaints.resolve(
            cid,
            by=STAFF,
            outcome="partly_upheld",
            explanation=EXPLANATION,
            remedy=Money.of("5.00", "EUR"),
            rate=rate,
        )
    resolved = app.complaints.resolve(
        cid,
        by=STAFF,
        outcome="partly_upheld",
        explanation=EXPLANATION,
        remedy=Money.of("4.00", "EUR"),
        rate=rate,
    )
    assert resolved.resolution is not None and resolved.resolution.rate == rate
    assert app.complaints.get(cid).resolution == resolved.resolution
