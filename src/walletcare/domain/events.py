"""The event vocabulary's base: who did what, when, under a stable kind name and version."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any, ClassVar

from attrs import field, frozen

from walletcare.domain.calendars import require_aware
from walletcare.domain.constructors import common_case
from walletcare.domain.fieldtypes import check_fields
from walletcare.errors import ValidationError

__all__ = ["ActorRole", "Actor", "Event", "aware", "non_empty", "SYSTEM"]


@common_case(
    "(type({v}) is _datetime and {v}.tzinfo is not None)",
    names={"_datetime": datetime},
    typed={datetime: None},
)
def aware(_: object, attribute: Any, value: Any) -> None:
    """attrs validator: the value must be a timezone-aware datetime."""
    if type(value) is not datetime or value.tzinfo is None:
        require_aware(value, getattr(attribute, "name", "at"))


@common_case(
    "(type({v}) is str and {v} and not {v}[0].isspace())",
    typed={str: "({v} and not {v}[0].isspace())"},
)
def non_empty(_: object, attribute: Any, value: Any) -> None:
    """attrs validator: the value must be a non-blank string."""
    if type(value) is str and value and not value[0].isspace():
        return
    if not isinstance(value, str) or not value.strip():
        raise ValidationError.of(getattr(attribute, "name", "value"), "must be a non-empty string")


class ActorRole(enum.StrEnum):
    """Who can act on a case."""

    CUSTOMER = "customer"
    STAFF = "staff"
    SYSTEM = "system"
    REGULATOR = "regulator"
    MERCHANT = "merchant"


def _role(value: Any) -> ActorRole:
    try:
        return ActorRole(value)
    except ValueError:
        roles = ", ".join(r.value for r in ActorRole)
        raise ValidationError.of("role", f"{value!r} is not one of {roles}") from None


@frozen
class Actor:
    """Someone (or something) that acted: a role and an id in the host's own terms."""

    role: ActorRole = field(converter=_role)
    id: str = field(validator=non_empty)

    @classmethod
    def customer(cls, id: str) -> Actor:
        """The customer with the host's id ``id``."""
        return cls(ActorRole.CUSTOMER, id)

    @classmethod
    def staff(cls, id: str) -> Actor:
        """The staff member with the host's id ``id``."""
        return cls(ActorRole.STAFF, id)

    def __str__(self) -> str:
        return f"{self.role.value}:{self.id}"


SYSTEM = Actor(ActorRole.SYSTEM, "walletcare")
"""The library itself, acting on timers (auto-close, escalation, reminders)."""


@common_case("type({v}) is _Actor", names={"_Actor": Actor}, typed={Actor: None})
def _actor(_: object, __: object, value: Any) -> None:
    if type(value) is not Actor and not isinstance(value, Actor):
        raise ValidationError.of("by", f"must be an Actor, got {type(value).__name__}")


@frozen(kw_only=True)
class Event:
    """Base of every domain event: an instant, an actor, a stable ``kind`` and a version.

    Subclasses set ``kind`` (a dotted name that never changes once shipped) and bump
    ``schema_version`` when their fields change, registering an upcaster for the old shape.
    """

    kind: ClassVar[str] = ""
    schema_version: ClassVar[int] = 1

    at: datetime = field(validator=aware)
    by: Actor = field(validator=_actor)

    def __attrs_post_init__(self) -> None:
        # What is written must read back: every field holds its declared type.
        check_fields(self)
