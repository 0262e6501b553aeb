"""The events of an incident's life. Kinds are stable names: never rename a shipped one."""

from __future__ import annotations

from attrs import field, frozen

from walletcare.domain.events import Event
from walletcare.domain.frozenmap import FrozenMap, frozen_map
from walletcare.domain.incidents.values import Member, Payment, RemedyKind

__all__ = [
    "IncidentEvent",
    "IncidentOpened",
    "ComplaintsLinked",
    "ComplaintUnlinked",
    "OwnerAssigned",
    "UpdatePosted",
    "UpdateSent",
    "IncidentSolved",
    "ComplaintsSynced",
    "RemedyPlanned",
    "RemedyPaid",
    "INCIDENT_EVENTS",
]


@frozen(kw_only=True)
class IncidentEvent(Event):
    """Base of every incident event: names the incident it belongs to."""

    incident_id: str


@frozen(kw_only=True)
class IncidentOpened(IncidentEvent):
    """An incident opened: detected from a cluster (``cluster`` names it) or by staff."""

    kind = "incident.opened"
    title: str
    cluster: str = ""
    pattern: str = ""
    fingerprint: str = ""


@frozen(kw_only=True)
class ComplaintsLinked(IncidentEvent):
    """Complaints were linked to the incident (by detection or by hand)."""

    kind = "incident.complaints_linked"
    members: tuple[Member, ...]


@frozen(kw_only=True)
class ComplaintUnlinked(IncidentEvent):
    """Staff took a complaint out of the incident, saying why."""

    kind = "incident.complaint_unlinked"
    complaint_id: str
    reason: str


@frozen(kw_only=True)
class OwnerAssigned(IncidentEvent):
    """Someone owns the incident now."""

    kind = "incident.owner_assigned"
    owner: str


@frozen(kw_only=True)
class UpdatePosted(IncidentEvent):
    """A status update, by language (English always): the status page and every customer's
    next message."""

    kind = "incident.update_posted"
    number: int
    texts: FrozenMap[str, str] = field(converter=frozen_map)
    update_id: str = ""
    """The host's id for the update, if it gave one: posting it again posts nothing."""


@frozen(kw_only=True)
class UpdateSent(IncidentEvent):
    """Update ``number`` was queued to these customers (each message in the same commit)."""

    kind = "incident.update_sent"
    number: int
    customers: tuple[str, ...]


@frozen(kw_only=True)
class IncidentSolved(IncidentEvent):
    """The root cause is fixed; every linked complaint is resolved with this explanation."""

    kind = "incident.solved"
    outcome: str
    explanation: FrozenMap[str, str] = field(converter=frozen_map)


@frozen(kw_only=True)
class ComplaintsSynced(IncidentEvent):
    """Linked complaints recorded their link (the first ``links`` link changes), and these
    complaints recorded their resolution."""

    kind = "incident.complaints_synced"
    links: int
    resolved: tuple[str, ...] = ()


@frozen(kw_only=True)
class RemedyPlanned(IncidentEvent):
    """Each affected customer's remedy, fixed once: paid in batches, each customer once."""

    kind = "incident.remedy_planned"
    remedy: RemedyKind
    reason: str
    payments: tuple[Payment, ...]


@frozen(kw_only=True)
class RemedyPaid(IncidentEvent):
    """Payment instructions for these customers left through the outbox in this commit."""

    kind = "incident.remedy_paid"
    payments: tuple[Payment, ...]


INCIDENT_EVENTS: tuple[type[Event], ...] = (
    IncidentOpened,
    ComplaintsLinked,
    ComplaintUnlinked,
    OwnerAssigned,
    UpdatePosted,
    UpdateSent,
    IncidentSolved,
    ComplaintsSynced,
    RemedyPlanned,
    RemedyPaid,
)
