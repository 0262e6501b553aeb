"""The commands that move a complaint along its lifecycle.

received -> acknowledged -> investigating <-> awaiting_customer -> resolved -> closed, with
reopen inside a window after resolution, withdrawal before it, and auto-close after a quiet
period. Commands check and return events; ``state.apply`` is the only thing that changes
state.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from walletcare.domain.complaints.events import (
    ComplaintAcknowledged,
    ComplaintAssigned,
    ComplaintClosed,
    ComplaintReopened,
    ComplaintResolved,
    ComplaintWithdrawn,
    ContactRecorded,
    FlagsAdded,
    HoldingReplySent,
    InformationProvided,
    InformationRequested,
    InvestigationStarted,
    SeverityChanged,
)
from walletcare.domain.complaints.guards import (
    evidence_refs,
    optional_text,
    require_status,
    required_text,
    role_of,
)
from walletcare.domain.complaints.intake import ComplaintPolicy, choices
from walletcare.domain.complaints.remedies import remedy_rate
from walletcare.domain.complaints.state import Complaint
from walletcare.domain.complaints.values import (
    OPEN_STATUSES,
    WAITING_STATUSES,
    Contact,
    Direction,
    EvidenceRef,
    Outcome,
    Resolution,
    Severity,
    Status,
)
from walletcare.domain.events import Actor, ActorRole, Event
from walletcare.domain.fees.exchange import ExchangeRate
from walletcare.domain.money import Money
from walletcare.errors import DomainError, TransitionNotAllowed, ValidationError

__all__ = [
    "acknowledge",
    "assign",
    "start_investigation",
    "request_information",
    "provide_information",
    "resolve",
    "reopen_deadline",
    "reopen",
    "close",
    "withdraw",
    "record_contact",
    "change_severity",
    "add_flags",
    "send_holding_reply",
]

_new = object.__new__
_set = object.__setattr__

# Statuses each command starts from, built once (a set literal per call costs more than the check).
_RECEIVED = frozenset({Status.RECEIVED})
_ACKNOWLEDGED = frozenset({Status.ACKNOWLEDGED})
_INVESTIGATING = frozenset({Status.INVESTIGATING})
_AWAITING_CUSTOMER = frozenset({Status.AWAITING_CUSTOMER})
_RESOLVED = frozenset({Status.RESOLVED})
_RESOLVED_OR_CLOSED = frozenset({Status.RESOLVED, Status.CLOSED})
_OPEN_OR_RESOLVED = OPEN_STATUSES | {Status.RESOLVED}
_RESOLVABLE = frozenset({Status.ACKNOWLEDGED, Status.INVESTIGATING, *WAITING_STATUSES})


# -- commands ------------------------------------------------------------------------------
def acknowledge(complaint: Complaint, *, by: Actor, at: datetime, message_id: str) -> list[Event]:
    """Tell the customer their complaint was received."""
    require_status(complaint, _RECEIVED, "acknowledge")
    return [
        ComplaintAcknowledged(complaint_id=complaint.id, at=at, by=by, message_id=message_id),
        _sent(complaint, by, at, message_id, "acknowledgement sent"),
    ]


def _sent(
    complaint: Complaint, by: Actor, at: datetime, message_id: str, summary: str
) -> ContactRecorded:
    """The outbound contact a message to the customer makes."""
    # The channel was checked at intake and ``at`` by the command's own event.
    contact = Contact.outbound(
        at=at, channel=complaint.contact.channel, summary=summary, message_id=message_id
    )
    return _recorded(complaint, by, at, contact)


def _recorded(complaint: Complaint, by: Actor, at: datetime, contact: Contact) -> ContactRecorded:
    """A contact the command's own event goes with, as an event of its own.

    Every part was checked already: ``at`` and ``by`` by the command's event, built first
    with the same values, and the contact when it was built; so the fields are set as they
    are, as ``Contact.outbound`` does.
    """
    event = _new(ContactRecorded)
    _set(event, "at", at)
    _set(event, "by", by)
    _set(event, "complaint_id", complaint.id)
    _set(event, "contact", contact)
    return event


def assign(
    complaint: Complaint, *, by: Actor, at: datetime, team: str, agent: str = ""
) -> list[Event]:
    """Give the complaint to a team and, optionally, an agent."""
    require_status(complaint, OPEN_STATUSES, "assign")
    return [
        ComplaintAssigned(
            complaint_id=complaint.id,
            at=at,
            by=by,
            team=required_text(team, "team"),
            agent=optional_text(agent, "agent"),
        )
    ]


def start_investigation(complaint: Complaint, *, by: Actor, at: datetime) -> list[Event]:
    """Start working an acknowledged complaint."""
    require_status(complaint, _ACKNOWLEDGED, "start investigating")
    return [InvestigationStarted(complaint_id=complaint.id, at=at, by=by)]


def request_information(
    complaint: Complaint, *, by: Actor, at: datetime, questions: str, message_id: str
) -> list[Event]:
    """Ask the customer for more information; the complaint waits for them."""
    require_status(complaint, _INVESTIGATING, "request information on")
    return [
        InformationRequested(
            complaint_id=complaint.id,
            at=at,
            by=by,
            questions=required_text(questions, "questions"),
            message_id=message_id,
        ),
        _sent(complaint, by, at, message_id, "information requested"),
    ]


def provide_information(
    complaint: Complaint,
    *,
    by: Actor,
    at: datetime,
    summary: str,
    channel: str,
    evidence: Sequence[EvidenceRef] = (),
) -> list[Event]:
    """Record the customer's answer (a contact too) and resume the investigation."""
    require_status(complaint, _AWAITING_CUSTOMER, "record information on")
    text = required_text(summary, "summary")
    return [
        InformationProvided(
            complaint_id=complaint.id,
            at=at,
            by=by,
            summary=text,
            channel=required_text(channel, "channel"),
            evidence=evidence_refs(evidence),
        ),
        _recorded(
            complaint,
            by,
            at,
            Contact(at=at, channel=channel, direction=Direction.INBOUND, summary=text),
        ),
    ]


def resolve(
    complaint: Complaint,
    *,
    by: Actor,
    at: datetime,
    outcome: Outcome | str,
    explanation: str,
    remedy: Money | None = None,
    message_id: str,
    rate: ExchangeRate | None = None,
) -> list[Event]:
    """Resolve with an explicit outcome, remedy (or none) and an explanation for the customer.

    A remedy in another currency than the loss needs ``rate`` (converting between the two),
    which is recorded with the resolution; the loss cap is checked in the loss's currency.
    """
    require_status(
        complaint, _RESOLVABLE, "resolve"
    )
    try:
        chosen = outcome if type(outcome) is Outcome else Outcome(outcome)
    except ValueError:
        raise ValidationError.of(
            "outcome", f"{outcome!r} is not one of {choices(Outcome)}"
        ) from None
    if chosen is Outcome.WITHDRAWN:
        raise ValidationError.of("outcome", "withdrawn is the customer's: use withdraw")
    if not isinstance(explanation, str) or len(explanation.strip()) < 20:
        raise ValidationError.of(
            "explanation", "must explain the outcome to the customer (at least 20 characters)"
        )
    if remedy is not None:
        if not isinstance(remedy, Money) or remedy.is_negative or not remedy:
            raise ValidationError.of("remedy", "must be a positive Money amount, or None")
        if chosen is Outcome.REJECTED:
            raise ValidationError.of("remedy", "a rejected complaint carries no remedy")
        rate = remedy_rate(
            complaint.amount_lost, remedy, rate, capped=chosen is not Outcome.UPHELD
        )
    elif rate is not None:
        raise ValidationError.of("rate", "a rate converts a remedy; there is none")
    resolution = Resolution(
        outcome=chosen, explanation=explanation.strip(), remedy=remedy, rate=rate
    )
    return [
        ComplaintResolved(
            complaint_id=complaint.id, at=at, by=by, resolution=resolution, message_id=message_id
        ),
        _sent(complaint, by, at, message_id, f"resolution sent: {chosen.value}"),
    ]


def reopen_deadline(
    complaint: Complaint, policy: ComplaintPolicy, *, after_feedback: bool = False
) -> datetime | None:
    """When the customer can no longer reopen (None if the complaint is not resolved); an
    unhappy follow-up answer has the longer ``feedback_reopen_window``."""
    if complaint.resolved_at is None:
        return None
    window = max(policy.reopen_window, policy.feedback_reopen_window) if after_feedback else (
        policy.reopen_window
    )
    return complaint.resolved_at + window


def reopen(
    complaint: Complaint,
    *,
    by: Actor,
    at: datetime,
    reason: str,
    policy: ComplaintPolicy,
    after_feedback: bool = False,
) -> list[Event]:
    """Reopen a resolved (or closed) complaint, only inside the reopen window (the feedback
    window when an unhappy follow-up answer reopens it)."""
    require_status(complaint, _RESOLVED_OR_CLOSED, "reopen")
    if complaint.merged_into or (
        complaint.resolution and complaint.resolution.outcome is Outcome.WITHDRAWN
    ):
        raise TransitionNotAllowed(
            f"complaint {complaint.id} was withdrawn or merged; file a new one"
        )
    if role_of(by) not in (ActorRole.CUSTOMER, ActorRole.STAFF):
        raise DomainError("only the customer, or staff on their behalf, can reopen a complaint")
    deadline = reopen_deadline(complaint, policy, after_feedback=after_feedback)
    if deadline is None or at > deadline:
        raise TransitionNotAllowed(
            f"the reopen window of complaint {complaint.id} ended at "
            f"{deadline.isoformat() if deadline else 'its resolution'}"
        )
    return [
        ComplaintReopened(
            complaint_id=complaint.id, at=at, by=by, reason=required_text(reason, "reason")
        )
    ]


def close(complaint: Complaint, *, by: Actor, at: datetime, reason: str) -> list[Event]:
    """Close a resolved complaint (staff, or the auto-close timer)."""
    require_status(complaint, _RESOLVED, "close")
    return [
        ComplaintClosed(
            complaint_id=complaint.id, at=at, by=by, reason=required_text(reason, "reason")
        )
    ]


def withdraw(complaint: Complaint, *, by: Actor, at: datetime, reason: str) -> list[Event]:
    """The customer withdraws a complaint that is still open."""
    require_status(complaint, OPEN_STATUSES, "withdraw")
    if role_of(by) not in (ActorRole.CUSTOMER, ActorRole.STAFF):
        raise DomainError("only the customer, or staff on their behalf, can withdraw a complaint")
    return [
        ComplaintWithdrawn(
            complaint_id=complaint.id, at=at, by=by, reason=required_text(reason, "reason")
        )
    ]


def record_contact(
    complaint: Complaint,
    *,
    by: Actor,
    at: datetime,
    channel: str,
    direction: Direction | str,
    summary: str,
    message_id: str | None = None,
) -> list[Event]:
    """Record a contact with the customer; a closed complaint changes only by reopening."""
    require_status(complaint, _OPEN_OR_RESOLVED, "record a contact on")
    try:
        way = Direction(direction)
    except ValueError:
        raise ValidationError.of("direction", f"{direction!r} is not inbound or outbound") from None
    contact = Contact(
        at=at,
        channel=required_text(channel, "channel"),
        direction=way,
        summary=required_text(summary, "summary"),
        message_id=message_id,
    )
    return [ContactRecorded(complaint_id=complaint.id, at=at, by=by, contact=contact)]


def change_severity(
    complaint: Complaint, *, by: Actor, at: datetime, severity: Severity | str, reason: str
) -> list[Event]:
    """Staff override of the derived severity, with a reason."""
    require_status(complaint, OPEN_STATUSES, "change the severity of")
    if role_of(by) is not ActorRole.STAFF:
        raise DomainError("only staff can override a complaint's severity")
    try:
        level = Severity(severity)
    except ValueError:
        raise ValidationError.of(
            "severity", f"{severity!r} is not one of {choices(Severity)}"
        ) from None
    return [
        SeverityChanged(
            complaint_id=complaint.id,
            at=at,
            by=by,
            severity=level,
            reason=required_text(reason, "reason"),
        )
    ]


def _flag_words(flags: Sequence[str]) -> tuple[str, ...]:
    if isinstance(flags, str | bytes) or not isinstance(flags, Sequence):
        raise ValidationError.of("flags", "must be a list of flags, not a single string")
    words = tuple(flags)
    if not words:
        raise ValidationError.of("flags", "name at least one flag")
    for i, flag in enumerate(words):
        if not isinstance(flag, str) or not flag.strip() or flag != flag.strip():
            raise ValidationError.of(f"flags[{i}]", "must be a non-empty word such as 'extended'")
    return words


def add_flags(
    complaint: Complaint, *, by: Actor, at: datetime, flags: Sequence[str], reason: str
) -> list[Event]:
    """Staff flag an open complaint (``extended``, ``approved_extension``, ``new_account``...)."""
    require_status(complaint, OPEN_STATUSES, "flag")
    if role_of(by) is not ActorRole.STAFF:
        raise DomainError("only staff change a complaint's regulatory flags")
    words = _flag_words(flags)
    new = tuple(f for f in words if f not in complaint.flags)
    if not new:
        return []
    return [
        FlagsAdded(
            complaint_id=complaint.id,
            at=at,
            by=by,
            flags=new,
            reason=required_text(reason, "reason"),
        )
    ]


def send_holding_reply(
    complaint: Complaint,
    *,
    by: Actor,
    at: datetime,
    reasons: str,
    expected_by: datetime,
    message_id: str,
) -> list[Event]:
    """Tell the customer why the final reply is late and when it will come (an exceptional case)."""
    require_status(complaint, OPEN_STATUSES, "send a holding reply on")
    if role_of(by) is not ActorRole.STAFF:
        raise DomainError("only staff send holding replies")
    if (
        not isinstance(expected_by, datetime)
        or expected_by.utcoffset() is None
        or expected_by <= at
    ):
        raise ValidationError.of("expected_by", "must be a timezone-aware date after now")
    return [
        HoldingReplySent(
            complaint_id=complaint.id,
            at=at,
            by=by,
            reasons=required_text(reasons, "reasons"),
            expected_by=expected_by,
            message_id=message_id,
        ),
        _sent(complaint, by, at, message_id, "holding reply sent"),
    ]
