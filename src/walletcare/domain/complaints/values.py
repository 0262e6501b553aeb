"""What a complaint is made of: categories, channels, statuses, evidence, contacts, outcomes."""

from __future__ import annotations

import enum
from datetime import datetime

from attrs import field, frozen
from attrs.validators import instance_of, optional

from walletcare.domain.events import aware, non_empty
from walletcare.domain.fees.exchange import ExchangeRate
from walletcare.domain.fieldtypes import check_fields
from walletcare.domain.money import Money

__all__ = [
    "Category",
    "IntakeChannel",
    "Status",
    "Severity",
    "Direction",
    "Outcome",
    "EvidenceRef",
    "ContactPoint",
    "Contact",
    "Resolution",
    "OPEN_STATUSES",
    "WAITING_STATUSES",
    "OUTBOUND_CHANNELS",
]


class Category(enum.StrEnum):
    """Why the customer complains (see docs/concepts/complaints.md)."""

    SECURITY = "security"
    TRANSACTION_FAILURE = "transaction_failure"
    FEES = "fees"
    SERVICE = "service"
    USABILITY = "usability"
    PRIVACY = "privacy"
    RECORDS = "records"
    OTHER = "other"


class IntakeChannel(enum.StrEnum):
    """Where the complaint came in; ``regulator`` is a referral."""

    IN_APP = "in_app"
    PHONE = "phone"
    EMAIL = "email"
    CHAT = "chat"
    CHATBOT = "chatbot"
    SOCIAL = "social"
    REGULATOR = "regulator"


class Status(enum.StrEnum):
    """Where a complaint stands in its lifecycle."""

    RECEIVED = "received"
    ACKNOWLEDGED = "acknowledged"
    INVESTIGATING = "investigating"
    AWAITING_CUSTOMER = "awaiting_customer"
    AWAITING_MERCHANT = "awaiting_merchant"
    AWAITING_NETWORK = "awaiting_network"  # the bank or card network
    RESOLVED = "resolved"
    CLOSED = "closed"


WAITING_STATUSES = frozenset(
    {Status.AWAITING_CUSTOMER, Status.AWAITING_MERCHANT, Status.AWAITING_NETWORK}
)
"""Statuses in which the complaint waits on someone else (clocks may pause)."""

OPEN_STATUSES = frozenset(
    {Status.RECEIVED, Status.ACKNOWLEDGED, Status.INVESTIGATING, *WAITING_STATUSES}
)
"""Statuses in which the complaint is still being handled."""


class Severity(enum.StrEnum):
    """How urgent a complaint is; ``rank`` orders them (low 0 ... critical 3)."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        """Position in the order low < medium < high < critical."""
        return _SEVERITY_ORDER.index(self)

    def raised(self, steps: int = 1) -> Severity:
        """This severity moved up ``steps`` levels, capped at critical."""
        return _SEVERITY_ORDER[min(self.rank + steps, len(_SEVERITY_ORDER) - 1)]


_SEVERITY_ORDER = (Severity.LOW, Severity.MEDIUM, Severity.HIGH, Severity.CRITICAL)


class Direction(enum.StrEnum):
    """Which way a contact went."""

    INBOUND = "inbound"
    OUTBOUND = "outbound"


class Outcome(enum.StrEnum):
    """The explicit outcome of a complaint."""

    UPHELD = "upheld"
    PARTLY_UPHELD = "partly_upheld"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


OUTBOUND_CHANNELS = frozenset({"sms", "email", "push", "in_app", "phone", "post"})
"""Channels follow-ups may contact a customer on (complaints take any channel a plugin serves)."""


@frozen(kw_only=True)
class EvidenceRef:
    """A reference to evidence kept elsewhere (transaction record, message, file), not the blob."""

    kind: str = field(validator=non_empty)
    ref: str = field(validator=non_empty)
    description: str = ""

    def __attrs_post_init__(self) -> None:
        check_fields(self)


@frozen(kw_only=True)
class ContactPoint:
    """How the customer wants to be reached: a channel and an address on it."""

    channel: str = field(validator=non_empty)
    address: str = field(validator=non_empty)

    def __attrs_post_init__(self) -> None:
        check_fields(self)


@frozen(kw_only=True)
class Contact:
    """One contact with the customer, either way, on any channel."""

    at: datetime = field(validator=aware)
    channel: str = field(validator=non_empty)
    direction: Direction
    summary: str = field(validator=non_empty)
    message_id: str | None = None

    def __attrs_post_init__(self) -> None:
        check_fields(self)

    @classmethod
    def outbound(cls, *, at: datetime, channel: str, summary: str, message_id: str) -> Contact:
        """A message walletcare itself sent; its parts were checked where they came from."""
        contact = object.__new__(cls)
        setattr_ = object.__setattr__
        setattr_(contact, "at", at)
        setattr_(contact, "channel", channel)
        setattr_(contact, "direction", Direction.OUTBOUND)
        setattr_(contact, "summary", summary)
        setattr_(contact, "message_id", message_id)
        return contact


_money_or_none = optional(instance_of(Money))


@frozen(kw_only=True)
class Resolution:
    """How the complaint ended: outcome, remedy (or none) and an explanation the customer reads.

    ``rate`` is the exchange rate a remedy in another currency than the loss was checked
    against the loss at, recorded with it.
    """

    outcome: Outcome
    explanation: str = field(validator=non_empty)
    remedy: Money | None = field(default=None, validator=_money_or_none)
    rate: ExchangeRate | None = None

    def __attrs_post_init__(self) -> None:
        check_fields(self)
