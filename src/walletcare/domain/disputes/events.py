"""A dispute's events: each with a stable ``kind`` name that never changes once shipped."""

from __future__ import annotations

from datetime import datetime, timedelta

from attrs import field, frozen

from walletcare.domain.disputes.values import (
    Basis,
    DisputedTransaction,
    EvidenceItem,
    OfferKind,
    Outcome,
    Participant,
    Party,
    Reason,
    Referral,
    Stage,
)
from walletcare.domain.events import Event, aware
from walletcare.domain.fees.exchange import ExchangeRate
from walletcare.domain.money import Money

__all__ = [
    "DueBy",
    "DisputeEvent",
    "DisputeOpened",
    "InquiryEscalated",
    "EvidenceRequested",
    "EvidenceStaged",
    "EvidenceSubmitted",
    "OfferMade",
    "OfferAccepted",
    "OfferDeclined",
    "OfferLapsed",
    "IdentityVerified",
    "ProvisionalCreditGiven",
    "CreditNoticeSent",
    "CreditMadeFinal",
    "CreditReversalNoticed",
    "CreditReversed",
    "DisputeDecided",
    "DecisionAppealed",
    "DisputeReferred",
    "DisputeResolved",
    "DisputeClosed",
    "DISPUTE_EVENTS",
]


@frozen(kw_only=True)
class DueBy:
    """A deadline and where it comes from (``"visa:dispute 30 days (DE)"``, ``"reg_e:..."``)."""

    source: str
    at: datetime = field(validator=aware)


@frozen(kw_only=True)
class DisputeEvent(Event):
    """Base of every dispute event: names the dispute it belongs to."""

    dispute_id: str


@frozen(kw_only=True)
class DisputeOpened(DisputeEvent):
    """A dispute was opened, with everything intake checked and the deadlines it starts under.

    ``resolution_due``: each party's jurisdiction's deadline for an answer (the stricter holds);
    ``credit_due`` / ``investigation_due``: the credit rules' deadlines, when they apply.
    """

    kind = "dispute.opened"
    customer: Participant
    merchant: Participant
    wallet: Participant
    transactions: tuple[DisputedTransaction, ...]
    reason: Reason
    profile: str
    description: str
    stage: Stage
    disputed: Money
    account_currency: str
    disputed_account: Money
    rate: ExchangeRate | None = None
    contact_channel: str
    contact_address: str
    language: str = "en"
    customer_zone: str = "UTC"
    product: str = "wallet"
    flags: tuple[str, ...] = ()
    complaint_id: str = ""
    identity_verified: bool = True
    inquiry_until: datetime | None = None
    resolution_due: tuple[DueBy, ...] = ()
    credit_rules: str = ""
    credit_due: DueBy | None = None
    investigation_due: DueBy | None = None


@frozen(kw_only=True)
class InquiryEscalated(DisputeEvent):
    """A party escalated the inquiry into a formal dispute, inside the inquiry window."""

    kind = "dispute.inquiry_escalated"
    party: Party
    reason: str


@frozen(kw_only=True)
class EvidenceRequested(DisputeEvent):
    """A stage opened an evidence window for ``party``, due by ``due_by``."""

    kind = "dispute.evidence_requested"
    party: Party
    stage: Stage
    due_by: datetime = field(validator=aware)
    source: str
    warn_before: timedelta = timedelta(0)


@frozen(kw_only=True)
class EvidenceStaged(DisputeEvent):
    """A party staged (or replaced) its evidence for the stage: not yet submitted."""

    kind = "dispute.evidence_staged"
    party: Party
    items: tuple[EvidenceItem, ...]
    text: str


@frozen(kw_only=True)
class EvidenceSubmitted(DisputeEvent):
    """A party submitted its staged evidence: fixed from now on."""

    kind = "dispute.evidence_submitted"
    party: Party
    items: int


@frozen(kw_only=True)
class OfferMade(DisputeEvent):
    """A party offered a settlement (``counters``: the offer it answers, if a counter-offer)."""

    kind = "dispute.offer_made"
    offer_id: str
    party: Party
    to: Party
    offer: OfferKind
    amount: Money | None = None
    reasons: str = ""
    expires_at: datetime = field(validator=aware)
    counters: str = ""


@frozen(kw_only=True)
class OfferAccepted(DisputeEvent):
    """The party an offer was made to accepted it (or the profile deemed an ignored one so)."""

    kind = "dispute.offer_accepted"
    offer_id: str
    party: Party


@frozen(kw_only=True)
class OfferDeclined(DisputeEvent):
    """The party an offer was made to declined it, saying why."""

    kind = "dispute.offer_declined"
    offer_id: str
    party: Party
    reason: str


@frozen(kw_only=True)
class OfferLapsed(DisputeEvent):
    """An offer expired unanswered."""

    kind = "dispute.offer_lapsed"
    offer_id: str


@frozen(kw_only=True)
class IdentityVerified(DisputeEvent):
    """The customer's identity was verified; provisional credit may now be given."""

    kind = "dispute.identity_verified"
    credit_due: DueBy | None = None


@frozen(kw_only=True)
class ProvisionalCreditGiven(DisputeEvent):
    """The customer's account was credited provisionally while the dispute is investigated."""

    kind = "dispute.provisional_credit_given"
    credit_id: str
    amount: Money
    notice_due: DueBy


@frozen(kw_only=True)
class CreditNoticeSent(DisputeEvent):
    """The customer was told of the provisional credit."""

    kind = "dispute.credit_notice_sent"
    credit_id: str
    message_id: str


@frozen(kw_only=True)
class CreditMadeFinal(DisputeEvent):
    """``amount`` of a provisional credit became the customer's for good."""

    kind = "dispute.credit_made_final"
    credit_id: str
    amount: Money


@frozen(kw_only=True)
class CreditReversalNoticed(DisputeEvent):
    """After a finding, the customer was told ``amount`` will be taken back at ``reverse_at``;
    until then it is honoured."""

    kind = "dispute.credit_reversal_noticed"
    credit_id: str
    amount: Money
    reverse_at: datetime = field(validator=aware)


@frozen(kw_only=True)
class CreditReversed(DisputeEvent):
    """``amount`` of a provisional credit was taken back, after the honour period."""

    kind = "dispute.credit_reversed"
    credit_id: str
    amount: Money


@frozen(kw_only=True)
class DisputeDecided(DisputeEvent):
    """A decision (a finding): ``appeal_until`` says until when it may be appealed or referred
    (None: it is final and a ``DisputeResolved`` follows)."""

    kind = "dispute.decided"
    outcome: Outcome
    appeal_until: datetime | None = None


@frozen(kw_only=True)
class DecisionAppealed(DisputeEvent):
    """A party appealed the decision (pre-arbitration), inside the appeal window."""

    kind = "dispute.decision_appealed"
    party: Party
    reason: str


@frozen(kw_only=True)
class DisputeReferred(DisputeEvent):
    """The dispute went to a third party: ``body`` is the one named; ``considered`` lists each
    party's forum, so the log says why that one."""

    kind = "dispute.referred"
    to: Referral
    body: str
    considered: tuple[str, ...]
    party: Party
    reason: str


@frozen(kw_only=True)
class DisputeResolved(DisputeEvent):
    """The outcome is final: who pays what to whom, and why."""

    kind = "dispute.resolved"
    outcome: Outcome


@frozen(kw_only=True)
class DisputeClosed(DisputeEvent):
    """The dispute ended without an award: a lapsed inquiry, a withdrawal."""

    kind = "dispute.closed"
    basis: Basis
    reason: str


DISPUTE_EVENTS: tuple[type[Event], ...] = (
    DisputeOpened,
    InquiryEscalated,
    EvidenceRequested,
    EvidenceStaged,
    EvidenceSubmitted,
    OfferMade,
    OfferAccepted,
    OfferDeclined,
    OfferLapsed,
    IdentityVerified,
    ProvisionalCreditGiven,
    CreditNoticeSent,
    CreditMadeFinal,
    CreditReversalNoticed,
    CreditReversed,
    DisputeDecided,
    DecisionAppealed,
    DisputeReferred,
    DisputeResolved,
    DisputeClosed,
)
"""Every dispute event class, in the order they are documented."""
