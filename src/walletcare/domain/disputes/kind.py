"""Disputes as a kind of case: the facts rules read, what events do to the clocks, the
listing row, the unique keys, and the kind the kernel runs."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, Final

from walletcare.domain.cases.kind import CaseKind, ClockEffect, StartClock, StopClock, StopClocks
from walletcare.domain.disputes import events as ev
from walletcare.domain.disputes.state import Dispute, apply_all, replay
from walletcare.domain.disputes.texts import TEMPLATES
from walletcare.domain.disputes.values import OfferStatus, Party
from walletcare.domain.events import Event
from walletcare.domain.frozenmap import FrozenMap
from walletcare.domain.ladder import Ladder
from walletcare.domain.regulatory import DEFAULT_CHOICES
from walletcare.domain.rules import FactKind

__all__ = [
    "KIND",
    "DISPUTES",
    "DISPUTE_FACTS",
    "DISPUTE_CLOCKS",
    "DISPUTE_LADDER",
    "dispute_facts",
    "clock_effects",
    "open_key",
    "waiting_on",
]

KIND: Final = "dispute"

DISPUTE_CLOCKS: Final[tuple[str, ...]] = (
    "resolution",
    "investigation",
    "provisional_credit",
    "credit_notice",
    "evidence_customer",
    "evidence_merchant",
    "evidence_wallet",
)
"""A dispute's clocks: each party's regulatory deadline for the wallet's answer (``resolution``,
stopped by the first decision), the credit
rules' ``investigation``, ``provisional_credit`` and ``credit_notice``, and each party's
evidence window. Each is the kind's own clock (``StartClock`` with its deadlines): the
dispute computes them from its profile, its credit rules and each party's jurisdiction."""

_TIERS: tuple[str, ...] = ("agent", "senior_agent", "mediator", "arbitrator", "regulator")
DISPUTE_LADDER: Final = Ladder(tiers=_TIERS, start="agent")
"""The ladder disputes climb unless ``Settings.cases["dispute"]`` sets another: referrals go
to ``mediator`` or ``arbitrator``; ``regulator`` is above both."""

DISPUTE_FACTS: Final[FrozenMap[str, FactKind]] = FrozenMap(
    {
        "reason": FactKind.TEXT,
        "stage": FactKind.TEXT,
        "disputed_amount": FactKind.MONEY,
        "days_to_due_by": FactKind.NUMBER,
        "offer_count": FactKind.NUMBER,
        "party": FactKind.TEXT,
        "dispute_profile": FactKind.TEXT,
        "merchant": FactKind.TEXT,
        "cross_border": FactKind.FLAG,
        "credit_outstanding": FactKind.MONEY,
    }
)
"""What rules may read of a dispute, beyond the facts every case offers."""


def waiting_on(d: Dispute) -> str:
    """The party the dispute waits on: the earliest evidence still due, else the party an open
    offer was made to, else the wallet (to decide), or '' once it has ended."""
    if not d.is_open:
        return ""
    due = sorted((w.due_by, w.party.value) for w in d.evidence if not w.submitted)
    if due:
        return due[0][1]
    offers = sorted((o.expires_at, o.to.value) for o in d.offers if o.status is OfferStatus.OPEN)
    return offers[0][1] if offers else Party.WALLET.value


def _days_to_due_by(d: Dispute, now: datetime) -> int:
    due = [w.due_by for w in d.evidence if not w.submitted]
    if not due:
        return -1
    return (min(due) - now).days


def dispute_facts(d: Dispute, now: datetime) -> Mapping[str, Callable[[], Any]]:
    """The dispute's own facts, each computed only when a rule reads it.

    ``days_to_due_by`` is whole days to the earliest evidence deadline still open (negative
    once past; -1 when none is open); ``party`` is the party the dispute waits on.
    """
    return {
        "reason": lambda: d.reason.value,
        "stage": lambda: d.stage.value,
        "disputed_amount": lambda: d.disputed,
        "days_to_due_by": lambda: _days_to_due_by(d, now),
        "offer_count": lambda: len(d.offers),
        "party": lambda: waiting_on(d),
        "dispute_profile": lambda: d.profile,
        "merchant": lambda: d.merchant.id,
        "cross_border": lambda: d.cross_border,
        "credit_outstanding": lambda: d.credit_outstanding,
    }


def _due(*found: ev.DueBy | None) -> tuple[tuple[str, datetime], ...]:
    return tuple((d.source, d.at) for d in found if d is not None)


def clock_effects(d: Dispute, event: Event) -> Sequence[ClockEffect]:  # noqa: PLR0911
    """What a dispute event does to its clocks."""
    match event:
        case ev.DisputeOpened():
            effects: list[ClockEffect] = [StartClock("resolution", _due(*event.resolution_due))]
            if event.investigation_due is not None:
                effects.append(StartClock("investigation", _due(event.investigation_due)))
            if event.credit_due is not None:
                effects.append(StartClock("provisional_credit", _due(event.credit_due)))
            return effects
        case ev.EvidenceRequested(party=party, due_by=due_by, source=source):
            return (
                StartClock(
                    f"evidence_{party.value}", ((source, due_by),), warn_before=event.warn_before
                ),
            )
        case ev.EvidenceSubmitted(party=party):
            return (StopClock(f"evidence_{party.value}", "evidence submitted"),)
        case ev.IdentityVerified(credit_due=due) if due is not None:
            return (StartClock("provisional_credit", _due(due)),)
        case ev.ProvisionalCreditGiven(notice_due=due):
            return (
                StopClock("provisional_credit", "credited"),
                StartClock("credit_notice", _due(due)),
            )
        case ev.CreditNoticeSent():
            return (StopClock("credit_notice", "customer told"),)
        case ev.DisputeDecided():
            return tuple(
                StopClock(m, "finding made")
                for m in ("resolution", "investigation", "provisional_credit", *DISPUTE_CLOCKS[4:])
            )
        case ev.DisputeResolved() | ev.DisputeClosed():
            return (StopClocks(event.kind.split(".", 1)[1]),)
    return ()


def open_key(customer_id: str, transaction: str) -> str:
    """The key an open dispute holds for each of its transactions: one at a time."""
    return f"dispute:open:{customer_id}:{transaction}"


def _keys(d: Dispute) -> frozenset[str]:
    if not d.is_open:
        return frozenset()
    return frozenset(open_key(d.customer.id, t.id) for t in d.transactions)


def _attributes(d: Dispute) -> Mapping[str, str]:
    return {
        "customer_id": d.customer.id,
        "merchant": d.merchant.id,
        "reason": d.reason.value,
        "stage": d.stage.value,
        "profile": d.profile,
        "jurisdiction": d.jurisdiction,
        "complaint_id": d.complaint_id,
        "waiting_on": waiting_on(d),
    }


def _apply_all(d: Dispute, events: Sequence[Event]) -> Dispute:
    return apply_all(d, events) if events else d


DISPUTES: Final[CaseKind[Dispute]] = CaseKind(
    name=KIND,
    events=ev.DISPUTE_EVENTS,
    replay=replay,
    apply_all=_apply_all,
    status=lambda d: d.stage.value,
    attributes=_attributes,
    facts=dispute_facts,
    fact_kinds=DISPUTE_FACTS,
    contact=lambda d: (d.contact_channel, d.contact_address),
    clock_effects=clock_effects,
    metrics=(),
    event_metrics=DISPUTE_CLOCKS,
    update_template="dispute.update",
    staff_values=lambda d: {"stage": d.stage.value, "reason": d.reason.value},
    keys=_keys,
    state_type=Dispute,
    templates=TEMPLATES,
    regulatory=DEFAULT_CHOICES,
    ladder=DISPUTE_LADDER,
)
"""The dispute kind, as the case kernel runs it."""
