"""What an investigation records besides the customer's answers: its finding, and waits on a
merchant, a bank or a card network."""

from __future__ import annotations

from datetime import datetime
from typing import Final

from walletcare.domain.complaints.events import (
    FindingRecorded,
    ThirdPartyAnswered,
    ThirdPartyAwaited,
)
from walletcare.domain.complaints.guards import require_status, required_text, role_of
from walletcare.domain.complaints.state import Complaint
from walletcare.domain.complaints.values import Status
from walletcare.domain.events import Actor, ActorRole, Event
from walletcare.errors import DomainError, TransitionNotAllowed, ValidationError

__all__ = ["THIRD_PARTIES", "record_finding", "await_third_party", "third_party_answered"]

THIRD_PARTIES: Final = {"merchant": Status.AWAITING_MERCHANT, "network": Status.AWAITING_NETWORK}
"""Who else a complaint may wait on, and the status it waits in."""

FINISHED: Final = "investigation_finished"


def record_finding(
    complaint: Complaint, *, by: Actor, at: datetime, finding: str, error_found: bool
) -> list[Event]:
    """Record the investigation's finding, once; the deadlines counting from it start now."""
    require_status(
        complaint,
        {Status.ACKNOWLEDGED, Status.INVESTIGATING, Status.AWAITING_MERCHANT,
         Status.AWAITING_NETWORK},
        "record a finding on",
    )
    if role_of(by) is not ActorRole.STAFF:
        raise DomainError("only staff record an investigation's finding")
    if not isinstance(error_found, bool):
        raise ValidationError.of("error_found", "must be true or false")
    if FINISHED in complaint.flags:
        raise TransitionNotAllowed(f"complaint {complaint.id} already has its finding")
    return [
        FindingRecorded(
            complaint_id=complaint.id,
            at=at,
            by=by,
            finding=required_text(finding, "finding"),
            error_found=error_found,
        )
    ]


def await_third_party(
    complaint: Complaint, *, by: Actor, at: datetime, party: str, reason: str
) -> list[Event]:
    """The investigation waits on a ``merchant`` or the ``network`` (bank or card network)."""
    require_status(complaint, {Status.INVESTIGATING}, "wait on a third party for")
    if party not in THIRD_PARTIES:
        raise ValidationError.of("party", f"must be one of {', '.join(THIRD_PARTIES)}")
    return [
        ThirdPartyAwaited(
            complaint_id=complaint.id,
            at=at,
            by=by,
            party=party,
            reason=required_text(reason, "reason"),
        )
    ]


def third_party_answered(
    complaint: Complaint, *, by: Actor, at: datetime, summary: str
) -> list[Event]:
    """The awaited merchant or network answered; the investigation resumes."""
    require_status(complaint, set(THIRD_PARTIES.values()), "record a third party's answer on")
    party = next(p for p, s in THIRD_PARTIES.items() if s is complaint.status)
    return [
        ThirdPartyAnswered(
            complaint_id=complaint.id,
            at=at,
            by=by,
            party=party,
            summary=required_text(summary, "summary"),
        )
    ]
