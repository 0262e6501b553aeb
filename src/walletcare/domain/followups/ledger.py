"""A customer's contact ledger: consent per purpose, preferred channels, contacts made.

One stream per customer, so the contact rules see every follow-up of every case, and a
contact is checked and queued in one commit guarded by the ledger's version.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import attrs
from attrs import field, frozen

from walletcare.domain.complaints.values import ContactPoint
from walletcare.domain.events import Event, non_empty
from walletcare.domain.followups.values import Purpose

__all__ = [
    "LEDGER_EVENTS",
    "ConsentRecorded",
    "ChannelsPreferred",
    "ContactQueued",
    "ConversationHeld",
    "Consent",
    "ContactRecord",
    "ContactLedger",
    "fold_ledger",
    "ledger_stream",
]


def ledger_stream(customer_id: str) -> str:
    """The id of a customer's contact ledger stream."""
    return f"contact-ledger:{customer_id}"


@frozen(kw_only=True)
class ConsentRecorded(Event):
    """The customer gave or withdrew consent for one purpose; ``source`` says how."""

    kind = "contact.consent_recorded"
    customer_id: str = field(validator=non_empty)
    purpose: Purpose
    granted: bool
    source: str = field(validator=non_empty)


@frozen(kw_only=True)
class ChannelsPreferred(Event):
    """The customer's channels, most preferred first."""

    kind = "contact.channels_preferred"
    customer_id: str = field(validator=non_empty)
    channels: tuple[ContactPoint, ...]


@frozen(kw_only=True)
class ContactQueued(Event):
    """A follow-up message passed the contact rules and was queued, in the same commit."""

    kind = "contact.queued"
    customer_id: str = field(validator=non_empty)
    followup_id: str = field(validator=non_empty)
    purpose: Purpose
    channel: str = field(validator=non_empty)
    message_id: str = field(validator=non_empty)
    attempt: int


@frozen(kw_only=True)
class ConversationHeld(Event):
    """Staff and the customer spoke (the cool-down after a conversation starts here)."""

    kind = "contact.conversation_held"
    customer_id: str = field(validator=non_empty)
    channel: str = field(validator=non_empty)


LEDGER_EVENTS: tuple[type[Event], ...] = (
    ConsentRecorded,
    ChannelsPreferred,
    ContactQueued,
    ConversationHeld,
)


@frozen(kw_only=True)
class Consent:
    """Where one purpose stands: granted or not, since when, and how it was given."""

    purpose: Purpose
    granted: bool
    at: datetime
    source: str


@frozen(kw_only=True)
class ContactRecord:
    """One message queued to the customer: which follow-up, why, on what channel, when."""

    at: datetime
    followup_id: str
    purpose: Purpose
    channel: str
    message_id: str
    attempt: int


@frozen(kw_only=True)
class ContactLedger:
    """The fold of a customer's ledger."""

    customer_id: str
    consents: tuple[Consent, ...] = ()
    channels: tuple[ContactPoint, ...] = ()
    contacts: tuple[ContactRecord, ...] = ()
    conversations: tuple[datetime, ...] = ()

    def consent(self, purpose: Purpose) -> Consent | None:
        """The latest consent record for ``purpose`` (None if the customer never said)."""
        for c in reversed(self.consents):
            if c.purpose is purpose:
                return c
        return None

    def attempt_of(self, followup_id: str, attempt: int) -> ContactRecord | None:
        """The contact queued for a follow-up's attempt, if it was."""
        for c in self.contacts:
            if c.followup_id == followup_id and c.attempt == attempt:
                return c
        return None


def fold_ledger(customer_id: str, events: Sequence[Event]) -> ContactLedger:
    """The ledger as its events leave it."""
    ledger = ContactLedger(customer_id=customer_id)
    for e in events:
        match e:
            case ConsentRecorded():
                consent = Consent(purpose=e.purpose, granted=e.granted, at=e.at, source=e.source)
                ledger = attrs.evolve(ledger, consents=(*ledger.consents, consent))
            case ChannelsPreferred():
                ledger = attrs.evolve(ledger, channels=e.channels)
            case ContactQueued():
                record = ContactRecord(
                    at=e.at,
                    followup_id=e.followup_id,
                    purpose=e.purpose,
                    channel=e.channel,
                    message_id=e.message_id,
                    attempt=e.attempt,
                )
                ledger = attrs.evolve(ledger, contacts=(*ledger.contacts, record))
            case ConversationHeld():
                ledger = attrs.evolve(ledger, conversations=(*ledger.conversations, e.at))
    return ledger
