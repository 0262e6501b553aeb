"""Incident commands: each checks the incident's invariants and returns the events to record."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal

from walletcare.domain.events import Actor, Event
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
from walletcare.domain.incidents.state import Customer, Incident
from walletcare.domain.incidents.values import Member, Payment, RemedyKind
from walletcare.domain.money import Money
from walletcare.errors import TransitionNotAllowed, ValidationError

__all__ = [
    "OUTCOMES",
    "open_incident",
    "link",
    "unlink",
    "assign_owner",
    "post_update",
    "send_update",
    "solve",
    "plan_remedy",
    "pay",
    "synced",
    "texts_by_language",
]

OUTCOMES = ("upheld", "partly_upheld", "rejected")
"""How a solved incident resolves its linked complaints."""


def _text(value: object, name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError.of(name, "is required")
    return value.strip()


def _require_open(incident: Incident, action: str) -> None:
    if not incident.is_open:
        raise TransitionNotAllowed(f"cannot {action} incident {incident.id}: it is solved")


def texts_by_language(texts: Mapping[str, str] | str, name: str) -> dict[str, str]:
    """Texts by language tag, English required; a plain string is the English text."""
    chosen = {"en": texts} if isinstance(texts, str) else texts
    if not isinstance(chosen, Mapping) or "en" not in chosen:
        raise ValidationError.of(name, "needs an English text ('en') at least")
    return {
        _text(lang, f"{name}.language"): _text(t, f"{name}.{lang}") for lang, t in chosen.items()
    }


def open_incident(
    incident_id: str,
    *,
    title: str,
    members: Sequence[Member],
    by: Actor,
    at: datetime,
    cluster: str = "",
    pattern: str = "",
    fingerprint: str = "",
) -> list[Event]:
    """Open an incident, detected from ``cluster`` or opened by staff, with its complaints."""
    opened: list[Event] = [
        IncidentOpened(
            incident_id=incident_id,
            at=at,
            by=by,
            title=_text(title, "title"),
            cluster=cluster,
            pattern=pattern,
            fingerprint=fingerprint,
        )
    ]
    unique = list({m.complaint_id: m for m in members}.values())
    if unique:
        opened.append(
            ComplaintsLinked(incident_id=incident_id, at=at, by=by, members=tuple(unique))
        )
    return opened


def link(incident: Incident, members: Sequence[Member], *, by: Actor, at: datetime) -> list[Event]:
    """Link complaints not linked yet; nothing when all of them are."""
    _require_open(incident, "link complaints to")
    new = {m.complaint_id: m for m in members if m.complaint_id not in incident.members}
    if not new:
        return []
    return [ComplaintsLinked(incident_id=incident.id, at=at, by=by, members=tuple(new.values()))]


def unlink(
    incident: Incident, complaint_id: str, *, by: Actor, at: datetime, reason: str
) -> list[Event]:
    """Take a linked complaint out of an open incident, saying why."""
    _require_open(incident, "unlink complaints from")
    if complaint_id not in incident.members:
        raise ValidationError.of(
            "complaint_id", f"{complaint_id!r} is not linked to incident {incident.id}"
        )
    return [
        ComplaintUnlinked(
            incident_id=incident.id,
            at=at,
            by=by,
            complaint_id=complaint_id,
            reason=_text(reason, "reason"),
        )
    ]


def assign_owner(incident: Incident, owner: str, *, by: Actor, at: datetime) -> list[Event]:
    """Give the incident an owner."""
    return [OwnerAssigned(incident_id=incident.id, at=at, by=by, owner=_text(owner, "owner"))]


def post_update(
    incident: Incident,
    texts: Mapping[str, str] | str,
    *,
    by: Actor,
    at: datetime,
    update_id: str = "",
) -> list[Event]:
    """Post a status update (the status page text and every affected customer's message);
    nothing if the update named ``update_id`` was posted already."""
    if update_id and update_id in incident.update_ids:
        return []
    _require_open(incident, "post an update to")
    if not isinstance(update_id, str):
        raise ValidationError.of("update_id", "must be a string")
    return [
        UpdatePosted(
            incident_id=incident.id,
            at=at,
            by=by,
            number=incident.update_number + 1,
            texts=texts_by_language(texts, "texts"),
            update_id=update_id,
        )
    ]


def send_update(
    incident: Incident, *, by: Actor, at: datetime, limit: int
) -> tuple[list[Event], list[Customer]]:
    """Queue the latest update to up to ``limit`` customers who have not had it yet."""
    number = incident.update_number
    if number == 0:
        return [], []
    due = [c for c in incident.customers().values() if incident.sent.get(c.customer_id, 0) < number]
    batch = due[:limit]
    if not batch:
        return [], []
    sent = UpdateSent(
        incident_id=incident.id,
        at=at,
        by=by,
        number=number,
        customers=tuple(c.customer_id for c in batch),
    )
    return [sent], batch


def solve(
    incident: Incident,
    *,
    outcome: str,
    explanation: Mapping[str, str] | str,
    by: Actor,
    at: datetime,
) -> list[Event]:
    """Solve the incident: every linked complaint is to be resolved with ``explanation``."""
    _require_open(incident, "solve")
    if outcome not in OUTCOMES:
        raise ValidationError.of("outcome", f"{outcome!r} is not one of {', '.join(OUTCOMES)}")
    texts = texts_by_language(explanation, "explanation")
    # The English text is measured (as a complaint's own explanation is); a Chinese one says
    # as much in far fewer characters.
    if len(texts["en"]) < 20:
        raise ValidationError.of(
            "explanation.en", "must explain the outcome (at least 20 characters)"
        )
    return [
        IncidentSolved(incident_id=incident.id, at=at, by=by, outcome=outcome, explanation=texts)
    ]


def plan_remedy(
    incident: Incident,
    *,
    remedy: RemedyKind,
    reason: str,
    by: Actor,
    at: datetime,
    each: Money | None = None,
    fund: Money | None = None,
    losses: bool = False,
    amount_for: Callable[[Customer], Money | None] | None = None,
) -> list[Event]:
    """Fix every affected customer's remedy once: ``each`` the same amount, ``losses`` what
    their complaints state they lost, ``amount_for`` the host's own figure, or a ``fund``
    split over them in proportion to their losses (equally when none states one) with
    ``Money.allocate``, so the parts sum to the fund exactly. Customers whose part is zero
    get nothing."""
    if incident.remedy is not None:
        raise TransitionNotAllowed(f"incident {incident.id} has its remedy planned already")
    chosen = sum(x is not None and x is not False for x in (each, fund, amount_for, losses))
    if chosen != 1:
        raise ValidationError.of("remedy", "give exactly one of each, fund, losses or amount_for")
    customers = list(incident.customers().values())
    if not customers:
        raise TransitionNotAllowed(f"incident {incident.id} has no affected customers")
    amounts = _amounts(customers, each=each, fund=fund, losses=losses, amount_for=amount_for)
    payments = tuple(
        Payment(customer_id=c.customer_id, amount=a)
        for c, a in zip(customers, amounts, strict=True)
        if a is not None and a and not a.is_negative
    )
    return [
        RemedyPlanned(
            incident_id=incident.id,
            at=at,
            by=by,
            remedy=RemedyKind(remedy),
            reason=_text(reason, "reason"),
            payments=payments,
        )
    ]


def _loss_in(customer: Customer, currency: str) -> Money:
    total = Money.zero(currency)
    for loss in customer.losses:
        if loss.currency == currency:
            total = total + loss
    return total


def _amounts(
    customers: Sequence[Customer],
    *,
    each: Money | None,
    fund: Money | None,
    losses: bool,
    amount_for: Callable[[Customer], Money | None] | None,
) -> list[Money | None]:
    if each is not None:
        if not isinstance(each, Money) or each.is_negative:
            raise ValidationError.of("each", "must be a non-negative Money")
        return [each for _ in customers]
    if fund is not None:
        if not isinstance(fund, Money) or fund.is_negative or not fund:
            raise ValidationError.of("fund", "must be a positive Money")
        weights = [_loss_in(c, fund.currency).amount for c in customers]
        if not any(weights):
            weights = [Decimal(1)] * len(customers)
        return list(fund.allocate(weights))
    if losses:
        return [_sum(c.losses) for c in customers]
    assert amount_for is not None
    found: list[Money | None] = []
    for c in customers:
        amount = amount_for(c)
        if amount is not None and not isinstance(amount, Money):
            raise ValidationError.of("amount_for", f"returned {amount!r} for {c.customer_id}")
        found.append(amount)
    return found


def _sum(losses: Sequence[Money]) -> Money | None:
    if not losses:
        return None
    currencies = {m.currency for m in losses}
    if len(currencies) > 1:
        raise ValidationError.of(
            "losses", f"a customer's losses are in {', '.join(sorted(currencies))}: use amount_for"
        )
    total = losses[0]
    for m in losses[1:]:
        total = total + m
    return total


def pay(
    incident: Incident, *, by: Actor, at: datetime, limit: int
) -> tuple[list[Event], list[Payment]]:
    """Pay up to ``limit`` planned customers not paid yet, in plan order."""
    due = [p for p in incident.planned if p.customer_id not in incident.paid][:limit]
    if not due:
        return [], []
    return [RemedyPaid(incident_id=incident.id, at=at, by=by, payments=tuple(due))], due


def synced(
    incident: Incident, *, links: int, resolved: Sequence[str], by: Actor, at: datetime
) -> list[Event]:
    """Record how far the linked complaints have caught up with the incident."""
    fresh = tuple(r for r in resolved if r not in incident.resolved)
    if links <= incident.links_synced and not fresh:
        return []
    return [
        ComplaintsSynced(
            incident_id=incident.id,
            at=at,
            by=by,
            links=max(links, incident.links_synced),
            resolved=fresh,
        )
    ]
