"""Who may act for which party of a dispute, and the checks every dispute command shares."""

from __future__ import annotations

from datetime import datetime

from walletcare.domain.disputes.state import Dispute
from walletcare.domain.disputes.values import Party, Stage
from walletcare.domain.events import Actor, ActorRole
from walletcare.domain.money import Money
from walletcare.errors import PermissionDenied, TransitionNotAllowed, ValidationError

__all__ = ["party_of", "require_open", "require_stage", "require_actor", "require_amount"]


def party_of(value: object, field_name: str = "party") -> Party:
    """``value`` as a ``Party``, or a ``ValidationError`` naming the field."""
    if type(value) is Party:
        return value
    try:
        return Party(value if isinstance(value, str) else str(value))
    except ValueError:
        choices = ", ".join(p.value for p in Party)
        raise ValidationError.of(field_name, f"{value!r} is not one of {choices}") from None


def require_actor(by: object, party: Party, d: Dispute | None = None) -> Actor:
    """A customer acts only as the customer and a merchant only as the merchant, each on
    their own disputes (``d``'s customer or merchant, by id); staff and the system act for any
    party (recording what it sent through them). Anything else is a ``PermissionDenied``."""
    if not isinstance(by, Actor):
        raise ValidationError.of("by", f"must be an Actor, got {type(by).__name__}")
    what = f"act for the {party.value}"
    if by.role is ActorRole.CUSTOMER and party is not Party.CUSTOMER:
        raise PermissionDenied(what, by, f"a customer cannot act for the {party.value}")
    if by.role is ActorRole.MERCHANT and party is not Party.MERCHANT:
        raise PermissionDenied(what, by, f"a merchant cannot act for the {party.value}")
    if by.role is ActorRole.REGULATOR:
        raise PermissionDenied(what, by, "a regulator is not a party to the dispute")
    if d is not None and by.role in (ActorRole.CUSTOMER, ActorRole.MERCHANT):
        own = d.participant(party).id
        if by.id != own:
            raise PermissionDenied(
                what, by, f"{by.role.value}s act on their own disputes only ({d.id} is {own}'s)"
            )
    return by


def require_staff(by: object) -> Actor:
    """Only the wallet's staff (or the system) decide and give credit."""
    if not isinstance(by, Actor):
        raise ValidationError.of("by", f"must be an Actor, got {type(by).__name__}")
    if by.role not in (ActorRole.STAFF, ActorRole.SYSTEM):
        raise PermissionDenied("decide for the wallet", by, "only the wallet's staff do this")
    return by


def require_open(d: Dispute) -> None:
    """Refuse a command on a dispute that has ended."""
    if not d.is_open:
        raise TransitionNotAllowed(f"dispute {d.id} is {d.stage.value}")


def require_stage(d: Dispute, *stages: Stage) -> None:
    """Refuse a command the dispute's stage does not allow."""
    if d.stage not in stages:
        allowed = ", ".join(s.value for s in stages)
        raise TransitionNotAllowed(f"dispute {d.id} is {d.stage.value}, not {allowed}")


def require_before(deadline: datetime | None, at: datetime, what: str) -> None:
    """Refuse what comes after its deadline."""
    if deadline is not None and at > deadline:
        raise TransitionNotAllowed(f"{what} closed at {deadline.isoformat()}")


def require_amount(d: Dispute, amount: object, field_name: str, *, allow_zero: bool) -> Money:
    """An amount in the disputed currency, never more than was disputed."""
    if not isinstance(amount, Money):
        raise ValidationError.of(field_name, f"must be Money, got {type(amount).__name__}")
    if amount.currency != d.disputed.currency:
        raise ValidationError.of(field_name, f"must be in {d.disputed.currency}")
    if not amount.is_whole:
        raise ValidationError.of(field_name, f"{amount.amount} is finer than minor units")
    if amount.is_negative or (not allow_zero and not amount):
        raise ValidationError.of(field_name, "must be more than zero")
    if amount > d.disputed:
        raise ValidationError.of(field_name, f"{amount} is more than the {d.disputed} disputed")
    return amount
