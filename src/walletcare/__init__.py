"""walletcare: complaints, disputes, fees, follow-up and escalation for digital-wallet backends."""

from walletcare import errors
from walletcare.app import SystemClock, TickReport, Walletcare
from walletcare.domain.calendars import BusinessCalendar
from walletcare.domain.events import Actor, ActorRole, Event
from walletcare.domain.money import Money
from walletcare.errors import (
    ConcurrencyConflict,
    ConfigurationError,
    DeliveryFailed,
    DomainError,
    NotFound,
    StorageError,
    TransitionNotAllowed,
    ValidationError,
    WalletcareError,
)
from walletcare.hookspecs import hookimpl
from walletcare.ports import DeliveryReceipt, MessageStatus, OutboundMessage
from walletcare.settings import RetryPolicy, Settings

__all__ = [
    "Walletcare",
    "Settings",
    "RetryPolicy",
    "TickReport",
    "SystemClock",
    "hookimpl",
    "Money",
    "BusinessCalendar",
    "Actor",
    "ActorRole",
    "Event",
    "OutboundMessage",
    "DeliveryReceipt",
    "MessageStatus",
    "errors",
    "WalletcareError",
    "ValidationError",
    "DomainError",
    "TransitionNotAllowed",
    "NotFound",
    "ConfigurationError",
    "StorageError",
    "ConcurrencyConflict",
    "DeliveryFailed",
]

__version__ = "0.1.0.dev0"
