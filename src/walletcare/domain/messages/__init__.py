"""Outbound messages in the domain: values, masking, anti-phishing, quiet hours, policy."""

from walletcare.domain.messages.events import (
    MESSAGE_EVENTS,
    MessageEvent,
    MessageHeld,
    MessageReleased,
    MessageRerouted,
    MessageUndelivered,
)
from walletcare.domain.messages.masking import (
    Finding,
    PiiKind,
    find_pii,
    iban_valid,
    luhn_valid,
    mask_details,
    mask_pii,
    mask_reference,
    resident_id_valid,
)
from walletcare.domain.messages.phishing import foreign_links, phishing_reasons
from walletcare.domain.messages.policy import MessagePolicy, PhishingAction
from walletcare.domain.messages.quiet_hours import DAYTIME, ContactWindow
from walletcare.domain.messages.values import StaffText, Term

__all__ = [
    "PiiKind",
    "Finding",
    "find_pii",
    "mask_pii",
    "mask_details",
    "mask_reference",
    "luhn_valid",
    "resident_id_valid",
    "iban_valid",
    "phishing_reasons",
    "foreign_links",
    "MessagePolicy",
    "PhishingAction",
    "ContactWindow",
    "DAYTIME",
    "Term",
    "StaffText",
    "MessageEvent",
    "MessageRerouted",
    "MessageUndelivered",
    "MessageHeld",
    "MessageReleased",
    "MESSAGE_EVENTS",
]
