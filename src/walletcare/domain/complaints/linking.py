"""Linking a complaint to an incident: one root cause shared with other customers' complaints."""

from __future__ import annotations

from datetime import datetime

from walletcare.domain.complaints.events import IncidentLinked, IncidentUnlinked
from walletcare.domain.complaints.state import Complaint
from walletcare.domain.events import Actor, Event
from walletcare.errors import TransitionNotAllowed, ValidationError

__all__ = ["link_incident", "unlink_incident"]


def link_incident(
    complaint: Complaint, incident_id: str, *, by: Actor, at: datetime
) -> list[Event]:
    """Link the complaint to ``incident_id``; nothing if it is linked there already.

    A complaint is linked to one incident at most: linking it to another is refused.
    """
    if not isinstance(incident_id, str) or not incident_id.strip():
        raise ValidationError.of("incident_id", "must be a non-empty string")
    if complaint.incident == incident_id:
        return []
    if complaint.incident:
        raise TransitionNotAllowed(
            f"complaint {complaint.id} is linked to incident {complaint.incident} already"
        )
    return [IncidentLinked(complaint_id=complaint.id, at=at, by=by, incident_id=incident_id)]


def unlink_incident(
    complaint: Complaint, incident_id: str, *, by: Actor, at: datetime, reason: str
) -> list[Event]:
    """Take the complaint out of ``incident_id``; nothing if it is not linked there."""
    if complaint.incident != incident_id:
        return []
    if not isinstance(reason, str) or not reason.strip():
        raise ValidationError.of("reason", "say why the complaint leaves the incident")
    return [
        IncidentUnlinked(
            complaint_id=complaint.id, at=at, by=by, incident_id=incident_id, reason=reason.strip()
        )
    ]
