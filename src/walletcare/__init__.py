"""walletcare: complaints, disputes, fees, follow-up and escalation for digital-wallet backends."""

from walletcare import errors
from walletcare.app import SystemClock, TickReport, Walletcare
from walletcare.domain.calendars import BusinessCalendar
from walletcare.domain.complaints import (
    Category,
    Complaint,
    ComplaintPolicy,
    ContactPoint,
    Direction,
    DuplicateHandling,
    EvidenceRef,
    IntakeChannel,
    NewComplaint,
    Outcome,
    Severity,
    SeverityPolicy,
    Status,
)
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
from walletcare.services.complaints import AuditEntry, ComplaintReceipt, DuplicateComplaint
from walletcare.settings import RetryPolicy, Settings

__all__ = [
    "Walletcare",
    "Settings",
    "RetryPolicy",
    "TickReport",
    "SystemClock",
    "hookimpl",
    "Money",
    "NewComplaint",
    "ContactPoint",
    "EvidenceRef",
    "Category",
    "IntakeChannel",
    "Status",
    "Severity",
    "Outcome",
    "Direction",
    "Complaint",
    "ComplaintPolicy",
    "SeverityPolicy",
    "DuplicateHandling",
    "ComplaintReceipt",
    "AuditEntry",
    "DuplicateComplaint",
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
