"""Checks every complaint command makes of its inputs and of the complaint's status."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from walletcare.domain.complaints.state import Complaint
from walletcare.domain.complaints.values import EvidenceRef, Status
from walletcare.domain.events import Actor, ActorRole
from walletcare.errors import TransitionNotAllowed, ValidationError

__all__ = ["require_status", "role_of", "required_text", "optional_text", "evidence_refs"]


def require_status(complaint: Complaint, allowed: Collection[Status], action: str) -> None:
    if complaint.status not in allowed:
        wanted = ", ".join(sorted(s.value for s in allowed))
        raise TransitionNotAllowed(
            f"cannot {action} complaint {complaint.id}: it is {complaint.status.value} "
            f"(allowed from: {wanted})"
        )


def role_of(by: Actor) -> ActorRole:
    """The role of the actor ``by``, refused as a ``ValidationError`` if it is not an Actor."""
    if not isinstance(by, Actor):
        raise ValidationError.of("by", f"must be an Actor, got {type(by).__name__}")
    return by.role


def required_text(value: str, name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError.of(name, "is required")
    return value.strip()


def optional_text(value: str, name: str) -> str:
    if not isinstance(value, str):
        raise ValidationError.of(name, f"must be a string, got {type(value).__name__}")
    return value.strip()


def evidence_refs(evidence: Sequence[EvidenceRef]) -> tuple[EvidenceRef, ...]:
    if isinstance(evidence, str | bytes) or not isinstance(evidence, Sequence):
        raise ValidationError.of("evidence", "must be a list of EvidenceRef")
    for i, ref in enumerate(evidence):
        if not isinstance(ref, EvidenceRef):
            raise ValidationError.of(f"evidence[{i}]", "must be an EvidenceRef")
    return tuple(evidence)
