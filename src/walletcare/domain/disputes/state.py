"""A dispute's state and its fold: ``apply_all`` is the only way that state changes."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, TypeVar

from attrs import field, frozen

from walletcare.domain.cases.kind import fold_kernel_event
from walletcare.domain.disputes import events as ev
from walletcare.domain.disputes.values import (
    OPEN_STAGES,
    Credit,
    CreditStatus,
    DisputedTransaction,
    Evidence,
    Offer,
    OfferStatus,
    Outcome,
    Participant,
    Party,
    Reason,
    Referral,
    Stage,
    zero,
)
from walletcare.domain.escalation import EscalationState
from walletcare.domain.events import Event
from walletcare.domain.fees.exchange import ExchangeRate
from walletcare.domain.money import Money
from walletcare.domain.sla import SlaClock
from walletcare.errors import DomainError

__all__ = ["Dispute", "apply_all", "replay"]


@frozen(kw_only=True, slots=False)
class Dispute:
    """A dispute as it stands: the fold of its events.

    Not slotted on purpose: folding a command's events copies the state once through its
    ``__dict__`` (see ``apply_all``).
    """

    id: str
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
    rate: ExchangeRate | None
    contact_channel: str
    contact_address: str
    language: str
    customer_zone: str
    product: str
    flags: tuple[str, ...]
    complaint_id: str
    identity_verified: bool
    opened_at: datetime
    updated_at: datetime
    inquiry_until: datetime | None = None
    credit_rules: str = ""
    evidence: tuple[Evidence, ...] = ()
    offers: tuple[Offer, ...] = ()
    credits: tuple[Credit, ...] = ()
    decision: Outcome | None = None
    decisions: int = 0
    appeal_until: datetime | None = None
    appealed: bool = False
    referral: Referral | None = None
    forum: str = ""
    outcome: Outcome | None = None
    closed_reason: str = ""
    reopen_count: int = 0
    clocks: tuple[SlaClock, ...] = ()
    escalation: EscalationState = field(factory=EscalationState)

    @property
    def is_open(self) -> bool:
        """Tell whether the dispute is still being handled."""
        return self.stage in OPEN_STAGES

    @property
    def jurisdiction(self) -> str:
        """The customer's jurisdiction: the case's, for oversight."""
        return self.customer.jurisdiction

    @property
    def customer_id(self) -> str:
        """The customer's id in the host's terms."""
        return self.customer.id

    @property
    def occurred_at(self) -> datetime:
        """When the earliest disputed transaction happened."""
        return min(t.occurred_at for t in self.transactions)

    @property
    def parties(self) -> tuple[Participant, ...]:
        """Customer, merchant and wallet."""
        return (self.customer, self.merchant, self.wallet)

    def participant(self, party: Party | str) -> Participant:
        """The participant playing ``party``."""
        if party == Party.CUSTOMER:
            return self.customer
        return self.merchant if party == Party.MERCHANT else self.wallet

    def evidence_of(self, party: Party | str) -> Evidence | None:
        """The party's evidence window in the current stage, if one is open."""
        for window in self.evidence:
            if window.party == party:
                return window
        return None

    def offer(self, offer_id: str) -> Offer | None:
        """The offer with ``offer_id``, if made."""
        for offer in self.offers:
            if offer.id == offer_id:
                return offer
        return None

    @property
    def open_offers(self) -> tuple[Offer, ...]:
        """Offers still waiting for an answer."""
        return tuple(o for o in self.offers if o.status is OfferStatus.OPEN)

    @property
    def credited(self) -> Money:
        """Every provisional credit given, in the account currency."""
        return self._total([c.amount for c in self.credits])

    @property
    def credit_outstanding(self) -> Money:
        """Provisional credit not yet made final or set for reversal."""
        return self._total([c.amount for c in self.credits if c.status is CreditStatus.PROVISIONAL])

    @property
    def credit_final(self) -> Money:
        """Provisional credit made the customer's for good."""
        return self._total([c.final for c in self.credits if c.final is not None])

    def _total(self, amounts: list[Money]) -> Money:
        if not amounts:
            return zero(self.account_currency)
        return amounts[0] if len(amounts) == 1 else sum(amounts[1:], amounts[0])

    @property
    def cross_border(self) -> bool:
        """Tell whether the parties are in more than one country."""
        return len({p.jurisdiction.split("-")[0] for p in self.parties}) > 1


# -- fold ----------------------------------------------------------------------------------
_T = TypeVar("_T")


def _replace(value: _T, **changes: Any) -> _T:
    """A copy of a frozen part of the state with ``changes``: what ``attrs.evolve`` does, less
    its checks, which the events the changes come from have passed already. (Evidence, offers
    and credits keep a ``__dict__`` for this: copying one is a dict update.)"""
    copy: _T = object.__new__(type(value))
    fields = copy.__dict__
    fields.update(value.__dict__)
    fields.update(changes)
    return copy


def _opened(e: ev.DisputeOpened) -> Dispute:
    return Dispute(
        id=e.dispute_id,
        customer=e.customer,
        merchant=e.merchant,
        wallet=e.wallet,
        transactions=e.transactions,
        reason=e.reason,
        profile=e.profile,
        description=e.description,
        stage=e.stage,
        disputed=e.disputed,
        account_currency=e.account_currency,
        disputed_account=e.disputed_account,
        rate=e.rate,
        contact_channel=e.contact_channel,
        contact_address=e.contact_address,
        language=e.language,
        customer_zone=e.customer_zone,
        product=e.product,
        flags=e.flags,
        complaint_id=e.complaint_id,
        identity_verified=e.identity_verified,
        opened_at=e.at,
        updated_at=e.at,
        inquiry_until=e.inquiry_until,
        credit_rules=e.credit_rules,
    )


def _escalated(d: dict[str, Any], e: ev.InquiryEscalated) -> None:
    d["stage"] = Stage.DISPUTE


def _requested(d: dict[str, Any], e: ev.EvidenceRequested) -> None:
    window = Evidence(party=e.party, stage=e.stage, due_by=e.due_by)
    d["evidence"] = (*(w for w in d["evidence"] if w.party is not e.party), window)


def _with_evidence(d: dict[str, Any], party: Party, change: Callable[[Evidence], Evidence]) -> None:
    d["evidence"] = tuple(change(w) if w.party is party else w for w in d["evidence"])


def _staged(d: dict[str, Any], e: ev.EvidenceStaged) -> None:
    _with_evidence(d, e.party, lambda w: _replace(w, items=e.items, text=e.text))


def _submitted(d: dict[str, Any], e: ev.EvidenceSubmitted) -> None:
    _with_evidence(d, e.party, lambda w: _replace(w, submitted_at=e.at))


def _with_offer(d: dict[str, Any], offer_id: str, **changes: Any) -> None:
    d["offers"] = tuple(_replace(o, **changes) if o.id == offer_id else o for o in d["offers"])


def _offered(d: dict[str, Any], e: ev.OfferMade) -> None:
    if e.counters:
        _with_offer(
            d, e.counters, status=OfferStatus.COUNTERED, answered_at=e.at, answer=e.offer_id
        )
    offer = Offer(
        id=e.offer_id,
        by=e.party,
        to=e.to,
        kind=e.offer,
        amount=e.amount,
        reasons=e.reasons,
        made_at=e.at,
        expires_at=e.expires_at,
        counters=e.counters,
    )
    d["offers"] = (*d["offers"], offer)


def _accepted(d: dict[str, Any], e: ev.OfferAccepted) -> None:
    _with_offer(d, e.offer_id, status=OfferStatus.ACCEPTED, answered_at=e.at)


def _declined(d: dict[str, Any], e: ev.OfferDeclined) -> None:
    _with_offer(d, e.offer_id, status=OfferStatus.DECLINED, answered_at=e.at, answer=e.reason)


def _lapsed(d: dict[str, Any], e: ev.OfferLapsed) -> None:
    _with_offer(d, e.offer_id, status=OfferStatus.LAPSED, answered_at=e.at)


def _verified(d: dict[str, Any], e: ev.IdentityVerified) -> None:
    d["identity_verified"] = True


def _with_credit(d: dict[str, Any], credit_id: str, **changes: Any) -> None:
    d["credits"] = tuple(_replace(c, **changes) if c.id == credit_id else c for c in d["credits"])


def _credited(d: dict[str, Any], e: ev.ProvisionalCreditGiven) -> None:
    d["credits"] = (*d["credits"], Credit(id=e.credit_id, amount=e.amount, given_at=e.at))


def _noticed(d: dict[str, Any], e: ev.CreditNoticeSent) -> None:
    _with_credit(d, e.credit_id, noticed_at=e.at)


def _credit_of(d: dict[str, Any], credit_id: str) -> Credit:
    credits: tuple[Credit, ...] = d["credits"]
    return next(c for c in credits if c.id == credit_id)


def _made_final(d: dict[str, Any], e: ev.CreditMadeFinal) -> None:
    credit = _credit_of(d, e.credit_id)
    final = e.amount if credit.final is None else credit.final + e.amount
    reversing = credit.reversing is not None
    status = CreditStatus.REVERSING if reversing else CreditStatus.FINAL
    _with_credit(d, e.credit_id, final=final, status=status)


def _reversal_noticed(d: dict[str, Any], e: ev.CreditReversalNoticed) -> None:
    _with_credit(
        d, e.credit_id, reversing=e.amount, reverse_at=e.reverse_at, status=CreditStatus.REVERSING
    )


def _reversed(d: dict[str, Any], e: ev.CreditReversed) -> None:
    credit = _credit_of(d, e.credit_id)
    status = CreditStatus.FINAL if credit.final else CreditStatus.REVERSED
    _with_credit(d, e.credit_id, reversed_at=e.at, status=status)


def _decided(d: dict[str, Any], e: ev.DisputeDecided) -> None:
    d["decision"], d["decisions"] = e.outcome, d["decisions"] + 1
    d["appeal_until"], d["evidence"] = e.appeal_until, ()
    if e.appeal_until is not None:
        d["stage"] = Stage.DECIDED


def _appealed(d: dict[str, Any], e: ev.DecisionAppealed) -> None:
    d["stage"], d["appealed"], d["appeal_until"] = Stage.APPEAL, True, None


def _referred(d: dict[str, Any], e: ev.DisputeReferred) -> None:
    d["stage"] = Stage.MEDIATION if e.to is Referral.MEDIATION else Stage.ARBITRATION
    d["referral"], d["forum"], d["appeal_until"] = e.to, e.body, None


def _resolved(d: dict[str, Any], e: ev.DisputeResolved) -> None:
    d["stage"], d["outcome"], d["evidence"], d["appeal_until"] = Stage.RESOLVED, e.outcome, (), None


def _closed(d: dict[str, Any], e: ev.DisputeClosed) -> None:
    d["stage"], d["closed_reason"], d["evidence"] = Stage.CLOSED, e.reason, ()


_STEPS: dict[type[Event], Callable[[dict[str, Any], Any], None]] = {
    ev.InquiryEscalated: _escalated,
    ev.EvidenceRequested: _requested,
    ev.EvidenceStaged: _staged,
    ev.EvidenceSubmitted: _submitted,
    ev.OfferMade: _offered,
    ev.OfferAccepted: _accepted,
    ev.OfferDeclined: _declined,
    ev.OfferLapsed: _lapsed,
    ev.IdentityVerified: _verified,
    ev.ProvisionalCreditGiven: _credited,
    ev.CreditNoticeSent: _noticed,
    ev.CreditMadeFinal: _made_final,
    ev.CreditReversalNoticed: _reversal_noticed,
    ev.CreditReversed: _reversed,
    ev.DisputeDecided: _decided,
    ev.DecisionAppealed: _appealed,
    ev.DisputeReferred: _referred,
    ev.DisputeResolved: _resolved,
    ev.DisputeClosed: _closed,
}


def apply_all(dispute: Dispute | None, events: Iterable[Event]) -> Dispute:
    """The dispute after ``events``, copied once however many there are."""
    iterator = iter(events)
    if dispute is None:
        first = next(iterator, None)
        if not isinstance(first, ev.DisputeOpened):
            kind = first.kind if first is not None else "nothing"
            raise DomainError(f"a dispute's first event must be dispute.opened, not {kind}")
        dispute = _opened(first)
    draft: Dispute | None = None
    for event in iterator:
        if draft is None:
            # A private copy, changed in place before anyone sees it: frozen to every reader.
            draft = object.__new__(Dispute)
            draft.__dict__.update(dispute.__dict__)
        _step(draft.__dict__, event)
    return draft if draft is not None else dispute


def replay(events: Iterable[Event]) -> Dispute | None:
    """Fold a dispute's history into its state (None for no history)."""
    events = list(events)
    return apply_all(None, events) if events else None


def _step(d: dict[str, Any], event: Event) -> None:
    d["updated_at"] = event.at
    step = _STEPS.get(type(event))
    if step is not None:
        step(d, event)
    elif (kernel := fold_kernel_event(d["clocks"], d["escalation"], event)) is not None:
        d["clocks"], d["escalation"] = kernel
    else:
        raise DomainError(f"{event.kind} is not a dispute event")
