"""Everything a host or a library module needs to write a kind of case for the kernel.

See docs/guides/adding-a-case-kind.md: a kind brings its values, events, fold, facts and a
thin command table; the kernel brings clocks, rules, the ladder, penalties, messages,
history, listing and the atomic append.
"""

from walletcare.domain.cases import (
    HOUSE_METRICS,
    KERNEL_EVENTS,
    CaseKind,
    CaseState,
    ClockEffect,
    PauseClocks,
    RescheduleClocks,
    RestartClock,
    ResumeClocks,
    StartClock,
    StartClocks,
    StartFindingClocks,
    StopClock,
    StopClocks,
    Templates,
    fold_kernel_event,
)
from walletcare.domain.escalation import EscalationState
from walletcare.domain.rules import FactKind
from walletcare.domain.sla import SlaClock
from walletcare.services.cases import AuditEntry, CaseService, KindTimer, Opening, Step, StepResult

__all__ = [
    "CaseKind",
    "CaseState",
    "CaseService",
    "Step",
    "StepResult",
    "KindTimer",
    "Opening",
    "AuditEntry",
    "ClockEffect",
    "StartClocks",
    "StartClock",
    "StopClock",
    "StopClocks",
    "RestartClock",
    "PauseClocks",
    "ResumeClocks",
    "RescheduleClocks",
    "StartFindingClocks",
    "Templates",
    "HOUSE_METRICS",
    "KERNEL_EVENTS",
    "fold_kernel_event",
    "FactKind",
    "EscalationState",
    "SlaClock",
]
