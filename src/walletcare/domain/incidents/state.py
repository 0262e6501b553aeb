"""An incident's state and its fold: the only way an incident changes."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

import attrs
from attrs import field, frozen

from walletcare.domain.cases.kind import fold_kernel_event
from walletcare.domain.escalation import EscalationState
from walletcare.domain.events import Event
from walletcare.domain.frozenmap import FrozenMap
from walletcare.domain.incidents.events import (
    ComplaintsLinked,
    ComplaintsSynced,
    ComplaintUnlinked,
    IncidentOpened,
    IncidentSolved,
    OwnerAssigned,
    RemedyPaid,
    RemedyPlanned,
    UpdatePosted,
    UpdateSent,
)
from walletcare.domain.incidents.values import IncidentStatus, Member, Payment, RemedyKind
from walletcare.domain.money import Money
from walletcare.domain.sla import SlaClock
from walletcare.errors import DomainError

__all__ = ["Incident", "Customer", "apply_all", "replay"]


@frozen(kw_only=True)
class Customer:
    """An affected customer: how to reach them, their linked complaints and what they lost."""

    customer_id: str
    channel: str
    address: str
    language: str
    complaints: tuple[str, ...]
    losses: tuple[Money, ...]
    zone: str = "UTC"
    jurisdiction: str = ""
    fallback: tuple[tuple[str, str], ...] = ()
    """Further ``(channel, address)`` pairs, in order of preference."""


@frozen(kw_only=True)
class Incident:
    """An incident as it stands: the fold of its events."""

    id: str
    title: str
    cluster: str
    pattern: str
    fingerprint: str
    status: IncidentStatus
    opened_at: datetime
    updated_at: datetime
    owner: str = ""
    members: FrozenMap[str, Member] = field(factory=FrozenMap)
    """The complaints linked now, by complaint id."""
    link_changes: tuple[tuple[str, bool], ...] = ()
    """Every link (True) and unlink (False), in order, for the complaints to record."""
    links_synced: int = 0
    updates: tuple[FrozenMap[str, str], ...] = ()
    update_ids: tuple[str, ...] = ()
    sent: FrozenMap[str, int] = field(factory=FrozenMap)
    """The last update each customer was sent."""
    solved_at: datetime | None = None
    outcome: str = ""
    explanation: FrozenMap[str, str] = field(factory=FrozenMap)
    resolved: tuple[str, ...] = ()
    """Linked complaints that recorded the incident's resolution."""
    remedy: RemedyKind | None = None
    remedy_reason: str = ""
    planned: tuple[Payment, ...] = ()
    paid: FrozenMap[str, Money] = field(factory=FrozenMap)
    jurisdiction: str = ""
    product: str = ""
    flags: tuple[str, ...] = ()
    customer_zone: str = "UTC"
    language: str = "en"
    reopen_count: int = 0
    clocks: tuple[SlaClock, ...] = ()
    escalation: EscalationState = field(factory=EscalationState)

    @property
    def is_open(self) -> bool:
        """Tell whether the incident is still being handled."""
        return self.status is IncidentStatus.OPEN

    @property
    def occurred_at(self) -> datetime:
        """When the first linked complaint came in (the incident's opening without any)."""
        return min((m.received_at for m in self.members.values()), default=self.opened_at)

    def customers(self) -> dict[str, Customer]:
        """The affected customers, in the order their first complaint was linked."""
        found: dict[str, Customer] = {}
        for m in self.members.values():
            seen = found.get(m.customer_id)
            losses = (m.loss,) if m.loss is not None else ()
            if seen is None:
                found[m.customer_id] = Customer(
                    customer_id=m.customer_id,
                    channel=m.channel,
                    address=m.address,
                    language=m.language,
                    complaints=(m.complaint_id,),
                    losses=losses,
                    zone=m.zone,
                    jurisdiction=m.jurisdiction,
                    fallback=tuple((p.channel, p.address) for p in m.fallback),
                )
            else:
                found[m.customer_id] = attrs.evolve(
                    seen,
                    complaints=(*seen.complaints, m.complaint_id),
                    losses=(*seen.losses, *losses),
                )
        return found

    def stakes(self) -> dict[str, Money]:
        """The money at stake (the losses the linked complaints state), per currency."""
        totals: dict[str, Money] = {}
        for m in self.members.values():
            if m.loss is not None:
                held = totals.get(m.loss.currency)
                totals[m.loss.currency] = m.loss if held is None else held + m.loss
        return totals

    @property
    def update_number(self) -> int:
        """The number of the latest update (0 before the first)."""
        return len(self.updates)

    @property
    def remedy_complete(self) -> bool:
        """Tell whether a remedy was planned and every planned payment has left."""
        return self.remedy is not None and len(self.paid) == len(self.planned)


def _opened(e: IncidentOpened) -> Incident:
    return Incident(
        id=e.incident_id,
        title=e.title,
        cluster=e.cluster,
        pattern=e.pattern,
        fingerprint=e.fingerprint,
        status=IncidentStatus.OPEN,
        opened_at=e.at,
        updated_at=e.at,
    )


def _step(i: Incident, e: Event) -> Incident:  # noqa: PLR0911
    match e:
        case ComplaintsLinked(members=members):
            merged = dict(i.members)
            merged.update((m.complaint_id, m) for m in members)
            changes = tuple((m.complaint_id, True) for m in members)
            return attrs.evolve(i, members=FrozenMap(merged), link_changes=i.link_changes + changes)
        case ComplaintUnlinked(complaint_id=cid):
            kept = {k: v for k, v in i.members.items() if k != cid}
            return attrs.evolve(
                i, members=FrozenMap(kept), link_changes=(*i.link_changes, (cid, False))
            )
        case OwnerAssigned(owner=owner):
            return attrs.evolve(i, owner=owner)
        case UpdatePosted(texts=texts, update_id=update_id):
            return attrs.evolve(
                i, updates=(*i.updates, texts), update_ids=(*i.update_ids, update_id)
            )
        case UpdateSent(number=number, customers=customers):
            sent = dict(i.sent)
            sent.update((c, number) for c in customers)
            return attrs.evolve(i, sent=FrozenMap(sent))
        case IncidentSolved(outcome=outcome, explanation=explanation):
            return attrs.evolve(
                i,
                status=IncidentStatus.SOLVED,
                solved_at=e.at,
                outcome=outcome,
                explanation=explanation,
            )
        case ComplaintsSynced(links=links, resolved=resolved):
            return attrs.evolve(
                i, links_synced=max(i.links_synced, links), resolved=i.resolved + resolved
            )
        case RemedyPlanned(remedy=remedy, reason=reason, payments=payments):
            return attrs.evolve(i, remedy=remedy, remedy_reason=reason, planned=payments)
        case RemedyPaid(payments=payments):
            paid = dict(i.paid)
            paid.update((p.customer_id, p.amount) for p in payments)
            return attrs.evolve(i, paid=FrozenMap(paid))
    kernel = fold_kernel_event(i.clocks, i.escalation, e)
    if kernel is None:
        raise DomainError(f"{e.kind} is not an incident event")
    return attrs.evolve(i, clocks=kernel[0], escalation=kernel[1])


def apply_all(incident: Incident | None, events: Iterable[Event]) -> Incident:
    """The incident after ``events`` (the first must open it when ``incident`` is None)."""
    iterator = iter(events)
    if incident is None:
        first = next(iterator, None)
        if not isinstance(first, IncidentOpened):
            kind = first.kind if first is not None else "nothing"
            raise DomainError(f"an incident's first event must be incident.opened, not {kind}")
        incident = _opened(first)
    for event in iterator:
        incident = attrs.evolve(_step(incident, event), updated_at=event.at)
    return incident


def replay(events: Sequence[Event]) -> Incident | None:
    """Fold an incident's history into its state (None for no history)."""
    return apply_all(None, events) if events else None
