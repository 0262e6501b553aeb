"""A complaint's state and its fold: ``apply`` is the only way that state changes.

The fold copies the state once per command (a copy of its ``__dict__``) and moves the copy
by one small function per event kind.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from attrs import field, frozen

from walletcare.domain.cases.kind import fold_kernel_event
from walletcare.domain.complaints.events import (
    ComplaintAbsorbed,
    ComplaintAcknowledged,
    ComplaintAssigned,
    ComplaintClosed,
    ComplaintMerged,
    ComplaintReceived,
    ComplaintReopened,
    ComplaintResolved,
    ComplaintWithdrawn,
    ContactRecorded,
    DisputeLinked,
    DuplicateLinked,
    FindingRecorded,
    FlagsAdded,
    HoldingReplySent,
    IncidentLinked,
    IncidentUnlinked,
    InformationProvided,
    InformationRequested,
    InvestigationStarted,
    SeverityChanged,
    ThirdPartyAnswered,
    ThirdPartyAwaited,
)
from walletcare.domain.complaints.values import (
    OPEN_STATUSES,
    Category,
    Contact,
    ContactPoint,
    EvidenceRef,
    IntakeChannel,
    Outcome,
    Resolution,
    Severity,
    Status,
)
from walletcare.domain.escalation import EscalationState
from walletcare.domain.events import Event
from walletcare.domain.money import Money
from walletcare.domain.sla import SlaClock
from walletcare.errors import DomainError

__all__ = [
    "Complaint",
    "apply",
    "apply_all",
    "replay",
]


@frozen(kw_only=True, slots=False)
class Complaint:
    """A complaint as it stands: the fold of its events.

    Not slotted on purpose: folding a command's events copies the state once through its
    ``__dict__``, several times cheaper than copying forty slots.
    """

    id: str
    customer_id: str
    category: Category
    channel: IntakeChannel
    description: str
    occurred_at: datetime
    transactions: tuple[str, ...]
    amount_lost: Money | None
    evidence: tuple[EvidenceRef, ...]
    language: str
    customer_zone: str
    jurisdiction: str
    product: str
    contact: ContactPoint
    vulnerable: bool
    segment: str
    severity: Severity
    severity_reasons: tuple[str, ...]
    status: Status
    received_at: datetime
    updated_at: datetime
    acknowledged_at: datetime | None = None
    team: str = ""
    agent: str = ""
    resolution: Resolution | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    closed_reason: str = ""
    reopen_count: int = 0
    information_requests: int = 0
    contacts: tuple[Contact, ...] = ()
    linked_duplicates: int = 0
    merged_into: str = ""
    absorbed: tuple[str, ...] = ()
    received_transactions: tuple[str, ...] = ()
    """The transactions the complaint was received about (before any were linked or merged)."""
    linked_intakes: tuple[str, ...] = ()
    fallback_contacts: tuple[ContactPoint, ...] = ()
    """Further ways to reach the customer after ``contact``, in their order of preference."""
    """The host's ids of repeat intakes linked to this complaint."""
    flags: tuple[str, ...] = ()
    merchant: str = ""
    error_code: str = ""
    region: str = ""
    fee_rule: str = ""
    incident: str = ""
    """The incident the complaint is linked to, if any (one at most)."""
    disputes: tuple[str, ...] = ()
    """The disputes opened from this complaint."""
    clocks: tuple[SlaClock, ...] = ()
    escalation: EscalationState = field(factory=EscalationState)

    @property
    def is_open(self) -> bool:
        """Tell whether the complaint is still being handled."""
        return self.status in OPEN_STATUSES

    @property
    def opened_at(self) -> datetime:
        """When the complaint was received: when its case opened."""
        return self.received_at

    @property
    def assignee(self) -> str:
        """The agent if one is set, else the team."""
        return self.agent or self.team


# -- fold ----------------------------------------------------------------------------------
_new = object.__new__
_set = object.__setattr__

def _received(event: ComplaintReceived) -> Complaint:
    return Complaint(
        id=event.complaint_id,
        customer_id=event.customer_id,
        category=event.category,
        channel=event.channel,
        description=event.description,
        occurred_at=event.occurred_at,
        transactions=event.transactions,
        received_transactions=event.transactions,
        amount_lost=event.amount_lost,
        evidence=event.evidence,
        language=event.language,
        customer_zone=event.customer_zone,
        jurisdiction=event.jurisdiction,
        product=event.product,
        contact=event.contact,
        fallback_contacts=event.fallback_contacts,
        vulnerable=event.vulnerable,
        segment=event.segment,
        flags=event.flags,
        severity=event.severity,
        severity_reasons=event.severity_reasons,
        merchant=event.merchant,
        error_code=event.error_code,
        region=event.region,
        fee_rule=event.fee_rule,
        status=Status.RECEIVED,
        received_at=event.at,
        updated_at=event.at,
    )


def apply(complaint: Complaint | None, event: Event) -> Complaint:
    """The complaint after ``event``: the only way a complaint's state changes."""
    return apply_all(complaint, (event,))


def apply_all(complaint: Complaint | None, events: Iterable[Event]) -> Complaint:
    """The complaint after ``events``, built once at the end (a command's events, a replay)."""
    if complaint is None:
        iterator = iter(events)
        first = next(iterator, None)
        if not isinstance(first, ComplaintReceived):
            kind = first.kind if first is not None else "nothing"
            raise DomainError(f"a complaint's first event must be complaint.received, not {kind}")
        complaint, events = _received(first), iterator
    # A private copy, changed in place below before anyone can see it: frozen to every
    # reader, and one copy per command instead of one per field change.
    d = complaint.__dict__.copy()
    steps, moved = _STEPS, False
    for event in events:
        moved = True
        d["updated_at"] = event.at
        step = steps.get(type(event))
        if step is not None:
            step(d, event)
        elif (kernel := fold_kernel_event(d["clocks"], d["escalation"], event)) is not None:
            d["clocks"], d["escalation"] = kernel
        else:
            raise DomainError(f"{event.kind} is not a complaint event")
    if not moved:
        return complaint
    draft = _new(Complaint)
    _set(draft, "__dict__", d)
    return draft


def replay(events: Iterable[Event]) -> Complaint | None:
    """Fold a complaint's history into its state (None for no history)."""
    events = list(events)
    return apply_all(None, events) if events else None


def _acknowledged(d: dict[str, Any], e: ComplaintAcknowledged) -> None:
    d["status"], d["acknowledged_at"] = Status.ACKNOWLEDGED, e.at


def _assigned(d: dict[str, Any], e: ComplaintAssigned) -> None:
    d["team"], d["agent"] = e.team, e.agent


def _investigating(d: dict[str, Any], e: InvestigationStarted) -> None:
    d["status"] = Status.INVESTIGATING


def _information_requested(d: dict[str, Any], e: InformationRequested) -> None:
    d["status"] = Status.AWAITING_CUSTOMER
    d["information_requests"] += 1


def _information_provided(d: dict[str, Any], e: InformationProvided) -> None:
    d["status"] = Status.INVESTIGATING
    d["evidence"] += e.evidence


def _resolved(d: dict[str, Any], e: ComplaintResolved) -> None:
    d["status"], d["resolution"], d["resolved_at"] = Status.RESOLVED, e.resolution, e.at


def _reopened(d: dict[str, Any], e: ComplaintReopened) -> None:
    d["status"], d["closed_at"], d["closed_reason"] = Status.INVESTIGATING, None, ""
    d["reopen_count"] += 1


def _closed(d: dict[str, Any], e: ComplaintClosed) -> None:
    d["status"], d["closed_at"], d["closed_reason"] = Status.CLOSED, e.at, e.reason


def _withdrawn(d: dict[str, Any], e: ComplaintWithdrawn) -> None:
    d["status"], d["closed_at"], d["closed_reason"] = Status.CLOSED, e.at, "withdrawn"
    d["resolution"] = Resolution(outcome=Outcome.WITHDRAWN, explanation=e.reason)
    d["resolved_at"] = e.at


def _contacted(d: dict[str, Any], e: ContactRecorded) -> None:
    d["contacts"] += (e.contact,)


def _severity(d: dict[str, Any], e: SeverityChanged) -> None:
    d["severity"] = e.severity
    d["severity_reasons"] += (f"staff: {e.reason}",)


def _add_transactions(
    d: dict[str, Any], txs: tuple[str, ...], evidence: tuple[EvidenceRef, ...]
) -> None:
    d["transactions"] += tuple(t for t in txs if t not in d["transactions"])
    d["evidence"] += evidence


def _duplicate(d: dict[str, Any], e: DuplicateLinked) -> None:
    d["linked_duplicates"] += 1
    if e.intake_id:
        d["linked_intakes"] = (*d["linked_intakes"], e.intake_id)
    _add_transactions(d, e.transactions, e.evidence)


def _merged(d: dict[str, Any], e: ComplaintMerged) -> None:
    d["status"], d["merged_into"] = Status.CLOSED, e.into
    d["closed_at"], d["closed_reason"] = e.at, f"merged into {e.into}"


def _absorbed(d: dict[str, Any], e: ComplaintAbsorbed) -> None:
    d["absorbed"] += (e.source,)
    _add_transactions(d, e.transactions, e.evidence)


def _flagged(d: dict[str, Any], e: FlagsAdded) -> None:
    d["flags"] = tuple(sorted({*d["flags"], *e.flags}))


def _holding_reply(d: dict[str, Any], e: HoldingReplySent) -> None:
    d["flags"] = tuple(sorted({*d["flags"], "exceptional"}))


def _dispute_linked(d: dict[str, Any], e: DisputeLinked) -> None:
    d["disputes"] = (*d["disputes"], e.dispute_id)


def _finding(d: dict[str, Any], e: FindingRecorded) -> None:
    found = {"investigation_finished", *(("error_found",) if e.error_found else ())}
    d["flags"] = tuple(sorted({*d["flags"], *found}))


def _third_party_awaited(d: dict[str, Any], e: ThirdPartyAwaited) -> None:
    d["status"] = Status(f"awaiting_{e.party}")


def _third_party_answered(d: dict[str, Any], e: ThirdPartyAnswered) -> None:
    d["status"] = Status.INVESTIGATING


def _incident_linked(d: dict[str, Any], e: IncidentLinked) -> None:
    d["incident"] = e.incident_id


def _incident_unlinked(d: dict[str, Any], e: IncidentUnlinked) -> None:
    d["incident"] = ""


_STEPS: dict[type[Event], Callable[[dict[str, Any], Any], None]] = {
    FindingRecorded: _finding,
    ThirdPartyAwaited: _third_party_awaited,
    ThirdPartyAnswered: _third_party_answered,
    DisputeLinked: _dispute_linked,
    FlagsAdded: _flagged,
    HoldingReplySent: _holding_reply,
    ComplaintAcknowledged: _acknowledged,
    ComplaintAssigned: _assigned,
    InvestigationStarted: _investigating,
    InformationRequested: _information_requested,
    InformationProvided: _information_provided,
    ComplaintResolved: _resolved,
    ComplaintReopened: _reopened,
    ComplaintClosed: _closed,
    ComplaintWithdrawn: _withdrawn,
    ContactRecorded: _contacted,
    SeverityChanged: _severity,
    DuplicateLinked: _duplicate,
    ComplaintMerged: _merged,
    ComplaintAbsorbed: _absorbed,
    IncidentLinked: _incident_linked,
    IncidentUnlinked: _incident_unlinked,
}
