"""Repeat complaints linked to an open one, and complaints merged into another."""

from __future__ import annotations

from datetime import datetime

from walletcare.domain.complaints.events import (
    ComplaintAbsorbed,
    ComplaintMerged,
    DisputeLinked,
    DuplicateLinked,
)
from walletcare.domain.complaints.guards import require_status, role_of
from walletcare.domain.complaints.intake import NewComplaint, check_intake
from walletcare.domain.complaints.state import Complaint
from walletcare.domain.complaints.values import OPEN_STATUSES, IntakeChannel
from walletcare.domain.events import Actor, ActorRole, Event
from walletcare.errors import DomainError, ValidationError

__all__ = ["link_duplicate", "merge_into", "absorb", "link_dispute"]


def link_duplicate(
    complaint: Complaint,
    intake: NewComplaint,
    *,
    by: Actor,
    at: datetime,
    intake_id: str = "",
) -> list[Event]:
    """Attach a repeat complaint about the same transactions to this open one (once per
    host intake id: linking the same ``intake_id`` again changes nothing)."""
    if intake_id and intake_id in complaint.linked_intakes:
        return []
    require_status(complaint, OPEN_STATUSES, "link a duplicate to")
    check_intake(intake, at)
    return [
        DuplicateLinked(
            complaint_id=complaint.id,
            at=at,
            by=by,
            channel=IntakeChannel(intake.channel),
            description=intake.description.strip(),
            transactions=tuple(intake.transactions),
            evidence=tuple(intake.evidence),
            intake_id=intake_id,
        )
    ]


def merge_into(complaint: Complaint, target: Complaint, *, by: Actor, at: datetime) -> list[Event]:
    """Close ``complaint`` as merged into ``target`` (staff only, same customer, both open)."""
    _check_merge(complaint, target, by)
    return [ComplaintMerged(complaint_id=complaint.id, at=at, by=by, into=target.id)]


def absorb(target: Complaint, source: Complaint, *, by: Actor, at: datetime) -> list[Event]:
    """Take ``source``'s transactions and evidence into ``target``."""
    _check_merge(source, target, by)
    return [
        ComplaintAbsorbed(
            complaint_id=target.id,
            at=at,
            by=by,
            source=source.id,
            transactions=source.transactions,
            evidence=source.evidence,
        )
    ]


def _check_merge(source: Complaint, target: Complaint, by: Actor) -> None:
    if role_of(by) is not ActorRole.STAFF:
        raise DomainError("only staff can merge complaints")
    if source.id == target.id:
        raise ValidationError.of("into", "a complaint cannot be merged into itself")
    if source.customer_id != target.customer_id:
        raise ValidationError.of("into", "complaints of different customers cannot be merged")
    require_status(source, OPEN_STATUSES, "merge")
    require_status(target, OPEN_STATUSES, "merge into")


def link_dispute(complaint: Complaint, dispute_id: str, *, by: Actor, at: datetime) -> list[Event]:
    """Record a dispute opened from this complaint (once: linking it again changes nothing)."""
    if dispute_id in complaint.disputes:
        return []
    return [DisputeLinked(complaint_id=complaint.id, at=at, by=by, dispute_id=dispute_id)]
