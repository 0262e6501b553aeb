"""Every event kind walletcare ships round-trips through the converter, for any instant and actor."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

import walletcare  # noqa: F401 (imports every shipped event kind)
from walletcare import Actor, ContactPoint, EvidenceRef, Money
from walletcare.domain import disputes as dv
from walletcare.domain.cases import KERNEL_EVENTS
from walletcare.domain.complaints import events as ce
from walletcare.domain.complaints.kind import COMPLAINTS
from walletcare.domain.complaints.values import (
    Category,
    Contact,
    Direction,
    IntakeChannel,
    Outcome,
    Resolution,
    Severity,
)
from walletcare.domain.disputes.kind import DISPUTES
from walletcare.domain.escalation import (
    Escalated,
    PenaltyAccrued,
    RegulatorFlagged,
    RuleFired,
    TierAssigned,
)
from walletcare.domain.fees import (
    FEE_EVENTS,
    PBOC_NOTICE,
    FeeDiscrepancyRemedied,
    FeeRule,
    FeeTier,
    FeeVersionPublished,
    Finding,
    ScheduleVersion,
    Tax,
)
from walletcare.domain.fees.exchange import ExchangeRate
from walletcare.domain.incidents import INCIDENT_EVENTS, Member, Payment, RemedyKind
from walletcare.domain.messages import MESSAGE_EVENTS
from walletcare.domain.regulatory import NoRegulatoryProfile
from walletcare.domain.sla import (
    ClockBreached,
    ClockPaused,
    ClockRescheduled,
    ClockResumed,
    ClockStarted,
    ClockStopped,
    ClockWarned,
)
from walletcare.serialization import make_converter

T = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

CONVERTER = make_converter(
    events=(*KERNEL_EVENTS, *COMPLAINTS.events, *DISPUTES.events, *FEE_EVENTS, *INCIDENT_EVENTS)
)
INC = {"incident_id": "inc-1"}
MEMBER = Member(
    complaint_id="cmp-1",
    customer_id="c",
    channel="sms",
    address="+1",
    language="zh",
    loss=Money.of("2.00", "CNY"),
    received_at=T,
)
PAYMENT = Payment(customer_id="c", amount=Money.of("2.00", "CNY"))
EVIDENCE = (EvidenceRef(kind="file", ref="files/1.pdf", description="statement"),)
C = {"complaint_id": "cmp-1"}

EUR = Money.of("80.00", "EUR")
OUTCOME = dv.Outcome(
    basis=dv.Basis.DECISION,
    in_favour_of=dv.Party.CUSTOMER,
    award=EUR,
    award_account=Money.of("625.00", "CNY"),
    payer=dv.Party.MERCHANT,
    explanation="no proof of delivery",
    decided_by="wallet",
    payments=(
        dv.Payment(
            payer=dv.Party.MERCHANT,
            payee=dv.Party.CUSTOMER,
            amount=EUR,
            account_amount=Money.of("625.00", "CNY"),
            why="refund",
        ),
    ),
)
DISPUTE_SAMPLES: dict[str, dict[str, Any]] = {
    "dispute.opened": {
        "customer": dv.Participant(party="customer", id="c", jurisdiction="CN"),
        "merchant": dv.Participant(party="merchant", id="m", jurisdiction="DE"),
        "wallet": dv.Participant(party="wallet", id="w", jurisdiction="CN"),
        "transactions": (dv.DisputedTransaction(id="tx", amount=EUR, disputed=EUR, occurred_at=T),),
        "reason": dv.Reason.NOT_RECEIVED,
        "profile": "visa",
        "description": "nothing came",
        "stage": dv.Stage.DISPUTE,
        "disputed": EUR,
        "account_currency": "CNY",
        "disputed_account": Money.of("625.00", "CNY"),
        "rate": ExchangeRate(base="EUR", quote="CNY", rate=Decimal("7.8125")),
        "contact_channel": "sms",
        "contact_address": "+86",
        "flags": ("new_account",),
        "complaint_id": "cmp-1",
        "identity_verified": False,
        "inquiry_until": T,
        "resolution_due": (dv.DueBy(source="cn_banking@CN:resolution", at=T),),
        "credit_rules": "reg_e",
        "credit_due": dv.DueBy(source="reg_e", at=T),
        "investigation_due": dv.DueBy(source="reg_e", at=T),
    },
    "dispute.inquiry_escalated": {"party": dv.Party.CUSTOMER, "reason": "no reply"},
    "dispute.evidence_requested": {
        "party": dv.Party.MERCHANT,
        "stage": dv.Stage.APPEAL,
        "due_by": T,
        "source": "visa:appeal 30 days (DE)",
        "warn_before": timedelta(days=2),
    },
    "dispute.evidence_staged": {
        "party": dv.Party.MERCHANT,
        "items": (dv.EvidenceItem(kind="shipping", reference="DHL-1", description="tracking"),),
        "text": "delivered",
    },
    "dispute.evidence_submitted": {"party": dv.Party.MERCHANT, "items": 1},
    "dispute.offer_made": {
        "offer_id": "offer-2",
        "party": dv.Party.CUSTOMER,
        "to": dv.Party.MERCHANT,
        "offer": dv.OfferKind.PARTIAL_REFUND,
        "amount": Money.of("35.00", "EUR"),
        "reasons": "broken",
        "expires_at": T,
        "counters": "offer-1",
    },
    "dispute.offer_accepted": {"offer_id": "offer-2", "party": dv.Party.MERCHANT},
    "dispute.offer_declined": {"offer_id": "offer-2", "party": dv.Party.MERCHANT, "reason": "no"},
    "dispute.offer_lapsed": {"offer_id": "offer-2"},
    "dispute.identity_verified": {"credit_due": dv.DueBy(source="reg_e", at=T)},
    "dispute.provisional_credit_given": {
        "credit_id": "credit-1",
        "amount": Money.of("625.00", "CNY"),
        "notice_due": dv.DueBy(source="reg_e", at=T),
    },
    "dispute.credit_notice_sent": {"credit_id": "credit-1", "message_id": "m-1"},
    "dispute.credit_made_final": {"credit_id": "credit-1", "amount": Money.of("1.00", "CNY")},
    "dispute.credit_reversal_noticed": {
        "credit_id": "credit-1",
        "amount": Money.of("624.00", "CNY"),
        "reverse_at": T,
    },
    "dispute.credit_reversed": {"credit_id": "credit-1", "amount": Money.of("624.00", "CNY")},
    "dispute.decided": {"outcome": OUTCOME, "appeal_until": T},
    "dispute.decision_appealed": {"party": dv.Party.MERCHANT, "reason": "delivered"},
    "dispute.referred": {
        "to": dv.Referral.ARBITRATION,
        "body": "CIETAC",
        "considered": ("customer@CN: CIETAC",),
        "party": dv.Party.CUSTOMER,
        "reason": "disagree",
    },
    "dispute.resolved": {"outcome": OUTCOME},
    "dispute.closed": {"basis": dv.Basis.WITHDRAWN, "reason": "settled elsewhere"},
}

SAMPLES: dict[str, dict[str, Any]] = {
    "complaint.received": {
        **C,
        "customer_id": "c",
        "category": Category.FEES,
        "channel": IntakeChannel.EMAIL,
        "description": "fee",
        "occurred_at": T,
        "transactions": ("tx",),
        "amount_lost": Money.of("1.50", "EUR"),
        "evidence": EVIDENCE,
        "contact": ContactPoint(channel="sms", address="+1"),
        "fallback_contacts": (ContactPoint(channel="email", address="c@example.com"),),
        "flags": ("new_account",),
        "severity": Severity.HIGH,
        "severity_reasons": ("why",),
    },
    "complaint.acknowledged": {**C, "message_id": "m"},
    "complaint.assigned": {**C, "team": "t", "agent": "a"},
    "complaint.investigation_started": C,
    "complaint.information_requested": {**C, "questions": "q", "message_id": "m"},
    "complaint.information_provided": {
        **C,
        "summary": "s",
        "channel": "in_app",
        "evidence": EVIDENCE,
    },
    "complaint.resolved": {
        **C,
        "resolution": Resolution(
            outcome=Outcome.PARTLY_UPHELD,
            explanation="because",
            remedy=Money.of("1", "JPY"),
            rate=ExchangeRate(base="EUR", quote="JPY", rate=Decimal("161.25"), source="ECB"),
        ),
        "message_id": "m",
    },
    "complaint.reopened": {**C, "reason": "r"},
    "complaint.closed": {**C, "reason": "r"},
    "complaint.withdrawn": {**C, "reason": "r"},
    "complaint.contact_recorded": {
        **C,
        "contact": Contact(at=T, channel="phone", direction=Direction.INBOUND, summary="called"),
    },
    "complaint.severity_changed": {**C, "severity": Severity.CRITICAL, "reason": "r"},
    "complaint.duplicate_linked": {
        **C,
        "channel": IntakeChannel.PHONE,
        "description": "again",
        "transactions": ("tx",),
        "evidence": EVIDENCE,
    },
    "complaint.merged": {**C, "into": "cmp-2"},
    "complaint.absorbed": {**C, "source": "cmp-3", "transactions": ("tx",), "evidence": EVIDENCE},
    "sla.clock_started": {
        "metric": "resolution",
        "policy": "p",
        "source": "psd2:resolution",
        "run": 2,
        "deadline": T,
        "house_deadline": T,
        "regulatory_deadline": T,
        "regulatory_source": "psd2:resolution",
        "warn_at": T,
        "candidates": ("a", "b"),
        "paused_by": ("customer", "merchant"),
    },
    "complaint.flags_added": {**C, "flags": ("extended",), "reason": "complex"},
    "complaint.holding_reply_sent": {
        **C,
        "reasons": "waiting on the bank",
        "expected_by": T,
        "message_id": "m",
    },
    "sla.clock_rescheduled": {
        "metric": "resolution",
        "regulatory_deadline": T,
        "regulatory_source": "psd2:resolution",
        "deadline": T,
        "source": "psd2:resolution",
        "reason": "exceptional",
    },
    "sla.clock_paused": {"metric": "resolution", "waiting_on": "network"},
    "sla.clock_resumed": {
        "metric": "resolution",
        "paused_for": timedelta(hours=3, microseconds=7),
        "deadline": T,
        "house_deadline": None,
        "warn_at": T,
        "source": "s",
        "regulatory_deadline": T,
    },
    "sla.clock_warned": {
        "metric": "update",
        "deadline": T,
        "business_time_left": timedelta(minutes=-5),
    },
    "sla.clock_breached": {"metric": "update", "deadline": T, "source": "house:p"},
    "sla.clock_stopped": {
        "metric": "update",
        "met": False,
        "reason": "resolved",
        "paused_total": timedelta(0),
        "elapsed": timedelta(hours=3),
    },
    "escalation.escalated": {
        "from_tier": "agent",
        "to_tier": "ombudsman",
        "reason": "r",
        "rule": "x",
    },
    "escalation.tier_assigned": {"tier": "agent"},
    "complaint.finding_recorded": {
        **C,
        "finding": "the transfer was debited twice",
        "error_found": True,
    },
    "complaint.third_party_awaited": {**C, "party": "merchant", "reason": "r"},
    "complaint.third_party_answered": {**C, "party": "network", "summary": "s"},
    "escalation.rule_fired": {
        "rule": "x",
        "occurrence": "x@reopen1",
        "matched": ("a eq b",),
        "readings": ("a=b",),
        "actions": ("escalate",),
    },
    "escalation.regulator_flagged": {"reason": "r"},
    "escalation.penalty_accrued": {"amount": Money.of("100", "INR"), "reason": "late"},
    "fees.version_published": {
        "schedule": "cn",
        "zone": "Asia/Shanghai",
        "notice": PBOC_NOTICE,
        "version": ScheduleVersion(
            id="v1",
            effective_from=T,
            announced_at=T,
            rules=(
                FeeRule(
                    id="wd",
                    transaction_type="withdrawal",
                    currency="CNY",
                    channel="app",
                    tiers=(
                        FeeTier(up_to=Decimal("1000"), percent=Decimal("1")),
                        FeeTier(up_to=None, percent=Decimal("0.5")),
                    ),
                    minimum=Decimal("0.10"),
                    maximum=Decimal("25.00"),
                    free_per_month=3,
                    fx_markup_percent=Decimal("3.5"),
                    taxes=(Tax(name="VAT", percent=Decimal("6")),),
                ),
            ),
        ),
    },
    "fees.discrepancy_remedied": {
        "transaction_id": "tx",
        "customer_id": "c",
        "charged_at": T,
        "finding": Finding.OVERCHARGE,
        "expected": Money.of("0.10", "CNY"),
        "charged": Money.of("1.10", "CNY"),
        "refund": Money.of("1.00", "CNY"),
        "schedule": "cn",
        "version": "v1",
        "rule": "wd",
        "fingerprint": "fees:cn:v1:wd",
        "refund_message_id": "m",
        "complaint_id": "fees-tx",
    },
    "regulatory.no_profile": {"jurisdiction": "BR", "product": "wallet", "reason": "unknown"},
    "complaint.incident_linked": {**C, "incident_id": "inc-1"},
    "complaint.incident_unlinked": {**C, "incident_id": "inc-1", "reason": "another cause"},
    "incident.opened": {**INC, "title": "t", "cluster": "p:f", "pattern": "p", "fingerprint": "f"},
    "incident.complaints_linked": {**INC, "members": (MEMBER,)},
    "incident.complaint_unlinked": {**INC, "complaint_id": "cmp-1", "reason": "r"},
    "incident.owner_assigned": {**INC, "owner": "ops"},
    "incident.update_posted": {**INC, "number": 1, "texts": {"en": "fixed", "zh": "已修复"}},
    "incident.update_sent": {**INC, "number": 1, "customers": ("c",)},
    "incident.solved": {**INC, "outcome": "upheld", "explanation": {"en": "x" * 20}},
    "incident.complaints_synced": {**INC, "links": 2, "resolved": ("cmp-1",)},
    "incident.remedy_planned": {
        **INC,
        "remedy": RemedyKind.CREDIT,
        "reason": "r",
        "payments": (PAYMENT,),
    },
    "incident.remedy_paid": {**INC, "payments": (PAYMENT,)},
    "complaint.dispute_linked": {**C, "dispute_id": "dsp-1"},
    **{kind: {"dispute_id": "dsp-1", **fields} for kind, fields in DISPUTE_SAMPLES.items()},
    "message.rerouted": {
        "message_id": "m",
        "new_message_id": "m>email",
        "from_channel": "push",
        "to_channel": "email",
        "reason": "gave up",
    },
    "message.undelivered": {"message_id": "m", "channel": "sms", "reason": "gave up"},
    "message.held": {
        "message_id": "m",
        "template": "complaint.resolved",
        "channel": "sms",
        "recipient": "+1",
        "subject": "s",
        "body": "b",
        "locale": "zh_CN",
        "data": "{}",
        "reasons": ("asks for a secret",),
    },
    "message.released": {"message_id": "m"},
}
CLASSES = {
    cls.kind: cls
    for cls in (
        *(getattr(ce, n) for n in ce.__all__ if n != "ComplaintEvent"),
        ClockStarted,
        ClockPaused,
        ClockResumed,
        ClockWarned,
        ClockBreached,
        ClockStopped,
        ClockRescheduled,
        Escalated,
        TierAssigned,
        RuleFired,
        RegulatorFlagged,
        PenaltyAccrued,
        FeeVersionPublished,
        FeeDiscrepancyRemedied,
        NoRegulatoryProfile,
        *INCIDENT_EVENTS,
        *DISPUTES.events,
        *MESSAGE_EVENTS,
    )
}


def test_every_shipped_kind_has_a_sample() -> None:
    """A new event kind must be added here, so its round trip is tested."""
    shipped = set(CONVERTER.event_types)
    assert shipped == set(SAMPLES) == set(CLASSES)


def _in_zone(instant: datetime, zone: Any) -> datetime:
    """The instant in ``zone``, as the fixed offset the wire keeps: an ambiguous local time
    (a DST fold) never compares equal across zones, by PEP 495, even to itself."""
    local = instant.astimezone(zone)
    return local.astimezone(timezone(local.utcoffset() or timedelta(0)))


instants = st.builds(
    _in_zone,
    st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
    ),
    st.timezones(),
)
actors = st.builds(
    Actor,
    st.sampled_from(["customer", "staff", "system", "regulator", "merchant"]),
    st.text(min_size=1).filter(str.strip),
)


@given(st.sampled_from(sorted(SAMPLES)), instants, actors)
def test_every_kind_round_trips(kind: str, at: datetime, by: Actor) -> None:
    """dump then load gives the same event back, through JSON text too."""
    event = CLASSES[kind](at=at, by=by, **SAMPLES[kind])
    assert CONVERTER.loads_event(CONVERTER.dumps_event(event)) == event
