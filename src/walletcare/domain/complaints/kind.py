"""Complaints as a kind of case: the facts rules read, what events do to the clocks, the
listing row, and the kind the kernel runs."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, Final

from walletcare.domain.cases.kind import (
    CaseKind,
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
)
from walletcare.domain.complaints import events as ev
from walletcare.domain.complaints.state import Complaint, apply_all, replay
from walletcare.domain.complaints.values import Direction
from walletcare.domain.events import SYSTEM, ActorRole, Event
from walletcare.domain.frozenmap import FrozenMap
from walletcare.domain.permissions import PermissionPolicy
from walletcare.domain.regulatory import DEFAULT_CHOICES
from walletcare.domain.rules import FactKind

__all__ = [
    "KIND",
    "COMPLAINT_FACTS",
    "COMPLAINTS",
    "COMPLAINT_PERMISSIONS",
    "complaint_facts",
    "clock_effects",
    "open_key",
    "intake_key",
]

KIND: Final = "complaint"

COMPLAINT_FACTS: Final[FrozenMap[str, FactKind]] = FrozenMap(
    {
        "category": FactKind.TEXT,
        "channel": FactKind.TEXT,
        "segment": FactKind.TEXT,
        "customer_id": FactKind.TEXT,
        "team": FactKind.TEXT,
        "severity": FactKind.SEVERITY,
        "amount_lost": FactKind.MONEY,
        "received_at": FactKind.INSTANT,
        "contact_count": FactKind.NUMBER,
        "information_requests": FactKind.NUMBER,
        "linked_duplicates": FactKind.NUMBER,
        "vulnerable": FactKind.FLAG,
        "linked_incident": FactKind.FLAG,
    }
)
"""What rules may read of a complaint, beyond the facts every case offers."""


def complaint_facts(c: Complaint, now: datetime) -> Mapping[str, Callable[[], Any]]:
    """The complaint's own facts, each computed only when a rule reads it."""
    return {
        "category": lambda: c.category.value,
        "channel": lambda: c.channel.value,
        "segment": lambda: c.segment,
        "customer_id": lambda: c.customer_id,
        "team": lambda: c.team,
        "severity": lambda: c.severity.value,
        "amount_lost": lambda: c.amount_lost,
        "received_at": lambda: c.received_at,
        "contact_count": lambda: len(c.contacts),
        "information_requests": lambda: c.information_requests,
        "linked_duplicates": lambda: c.linked_duplicates,
        "vulnerable": lambda: c.vulnerable,
        "linked_incident": lambda: bool(c.incident),
    }


def clock_effects(c: Complaint, event: Event) -> Sequence[ClockEffect]:  # noqa: PLR0911, PLR0912
    """What a complaint event does to its clocks."""
    match event:
        case ev.ComplaintReceived():
            return (StartClocks(),)
        case ev.ComplaintAcknowledged():
            return (StopClock("acknowledgement", "acknowledged"),)
        case ev.ContactRecorded(contact=contact) if (
            contact.direction is Direction.OUTBOUND and c.is_open
        ):
            return (
                StopClock("update", "customer updated"),
                RestartClock("update"),
                StopClock("next_reply", "agent replied"),
            )
        case ev.ContactRecorded(contact=contact) if (
            contact.direction is Direction.INBOUND and c.is_open
        ):
            return (StartClock("next_reply"),)
        case ev.InformationRequested():
            return (PauseClocks("customer"),)
        case ev.InformationProvided():
            return (ResumeClocks(),)
        case ev.ThirdPartyAwaited(party=party):
            return (PauseClocks(party),)
        case ev.ThirdPartyAnswered():
            return (ResumeClocks(),)
        case ev.FindingRecorded(error_found=error_found):
            return (
                StopClock("investigation", "finding recorded"),
                StartFindingClocks(error_found),
            )
        case (
            ev.ComplaintResolved()
            | ev.ComplaintClosed()
            | ev.ComplaintWithdrawn()
            | ev.ComplaintMerged()
        ):
            return (StopClocks(event.kind.split(".", 1)[1]),)
        case ev.FlagsAdded(reason=reason):
            return (RescheduleClocks(reason),)
        case ev.HoldingReplySent():
            return (
                RescheduleClocks("exceptional case: holding reply sent"),
                StopClock("holding_reply", "holding reply sent"),
            )
        case ev.ComplaintReopened():
            return (
                RestartClock("resolution", on_reopen=True),
                RestartClock("update", on_reopen=True),
            )
    return ()


def _raise_severity(c: Complaint, at: datetime, reason: str) -> tuple[Sequence[Event], str]:
    raised = c.severity.raised()
    if raised is c.severity:
        return (), raised.value
    changed = ev.SeverityChanged(
        complaint_id=c.id, at=at, by=SYSTEM, severity=raised, reason=reason
    )
    return (changed,), raised.value


def _attributes(c: Complaint) -> Mapping[str, str]:
    return {
        "customer_id": c.customer_id,
        "category": c.category.value,
        "assignee": c.assignee,
        "team": c.team,
        "severity": c.severity.value,
        "tier": c.escalation.tier,
        "jurisdiction": c.jurisdiction,
        "incident": c.incident,
    }


def open_key(customer_id: str, transaction: str) -> str:
    """The key an open complaint holds for each transaction it was received about."""
    return f"complaint:open:{customer_id}:{transaction}"


def intake_key(intake_id: str) -> str:
    """The key a complaint holds for each host intake id it was opened or linked under."""
    return f"complaint:intake:{intake_id}"


def _keys(c: Complaint) -> frozenset[str]:
    held = {intake_key(i) for i in c.linked_intakes}
    if c.is_open:
        held |= {open_key(c.customer_id, t) for t in c.received_transactions}
    return frozenset(held)


_CUSTOMER, _STAFF, _SYSTEM = ActorRole.CUSTOMER, ActorRole.STAFF, ActorRole.SYSTEM

COMPLAINT_PERMISSIONS: Final[PermissionPolicy] = PermissionPolicy(
    grants={
        "open": (_CUSTOMER, _STAFF, _SYSTEM),
        "provide_information": (_CUSTOMER, _STAFF),
        "reopen": (_CUSTOMER, _STAFF),
        "withdraw": (_CUSTOMER, _STAFF),
        "acknowledge": (_STAFF, _SYSTEM),
        "assign": (_STAFF,),
        "start_investigation": (_STAFF,),
        "request_information": (_STAFF,),
        "resolve": (_STAFF, _SYSTEM),
        "await_third_party": (_STAFF,),
        "third_party_answered": (_STAFF,),
        "record_finding": (_STAFF,),
        "link_incident": (_STAFF, _SYSTEM),
        "unlink_incident": (_STAFF, _SYSTEM),
        "close": (_STAFF, _SYSTEM),
        "record_contact": (_CUSTOMER, _STAFF),
        "change_severity": (_STAFF,),
        "send_holding_reply": (_STAFF,),
        "add_flags": (_STAFF,),
        "escalate": (_STAFF,),
        "merge": (_STAFF,),
        "release_held": (_STAFF,),
    }
)
"""Who may run which complaint command: customers open, add information (answers and
their own messages: ``provide_information``, ``record_contact``), reopen and withdraw their
own complaints; staff run every command; the system acts for its timers and automations: it
opens (a fee audit's remediation), closes (auto-close), and acknowledges, links and resolves
the members of an incident. Rules escalate through oversight, not the escalate command."""


def _contacts(c: Complaint) -> Sequence[tuple[str, str]]:
    return [(p.channel, p.address) for p in (c.contact, *c.fallback_contacts)]


def _apply_all(c: Complaint, events: Sequence[Event]) -> Complaint:
    return apply_all(c, events) if events else c


COMPLAINTS: Final[CaseKind[Complaint]] = CaseKind(
    name=KIND,
    events=tuple(getattr(ev, name) for name in ev.__all__ if getattr(ev, name).kind),
    replay=replay,
    apply_all=_apply_all,
    status=lambda c: c.status.value,
    attributes=_attributes,
    facts=complaint_facts,
    fact_kinds=COMPLAINT_FACTS,
    contact=lambda c: (c.contact.channel, c.contact.address),
    contacts=_contacts,
    customer=lambda c: c.customer_id,
    permissions=COMPLAINT_PERMISSIONS,
    clock_effects=clock_effects,
    raise_severity=_raise_severity,
    update_template="complaint.update",
    staff_template="escalation.staff_alert",
    staff_values=lambda c: {"severity": c.severity.value},
    keys=_keys,
    event_metrics=("next_reply",),
    state_type=Complaint,
    regulatory=DEFAULT_CHOICES,
)
"""The complaint kind, as the case kernel runs it."""
