"""The events of a complaint's life. Kinds are stable names: never rename a shipped one."""

from __future__ import annotations

from datetime import datetime

from attrs import field, frozen

from walletcare.domain.complaints.values import (
    Category,
    Contact,
    ContactPoint,
    EvidenceRef,
    IntakeChannel,
    Resolution,
    Severity,
)
from walletcare.domain.events import Event, aware
from walletcare.domain.money import Money

__all__ = [
    "ComplaintReceived",
    "ComplaintAcknowledged",
    "ComplaintAssigned",
    "InvestigationStarted",
    "InformationRequested",
    "InformationProvided",
    "ComplaintResolved",
    "ComplaintReopened",
    "ComplaintClosed",
    "ComplaintWithdrawn",
    "ContactRecorded",
    "SeverityChanged",
    "DuplicateLinked",
    "ComplaintMerged",
    "ComplaintAbsorbed",
    "ComplaintEvent",
    "FlagsAdded",
    "HoldingReplySent",
    "FindingRecorded",
    "ThirdPartyAwaited",
    "ThirdPartyAnswered",
    "IncidentLinked",
    "IncidentUnlinked",
    "DisputeLinked",
]


@frozen(kw_only=True)
class ComplaintEvent(Event):
    """Base of every complaint event: names the complaint it belongs to."""

    complaint_id: str


@frozen(kw_only=True)
class ComplaintReceived(ComplaintEvent):
    """A complaint was filed, with everything the intake checked, and its derived severity."""

    kind = "complaint.received"
    customer_id: str
    category: Category
    channel: IntakeChannel
    description: str
    occurred_at: datetime = field(validator=aware)
    transactions: tuple[str, ...] = ()
    amount_lost: Money | None = None
    evidence: tuple[EvidenceRef, ...] = ()
    language: str = "en"
    customer_zone: str = "UTC"
    jurisdiction: str = ""
    product: str = ""
    contact: ContactPoint
    vulnerable: bool = False
    segment: str = ""
    flags: tuple[str, ...] = ()
    severity: Severity
    severity_reasons: tuple[str, ...] = ()
    merchant: str = ""
    error_code: str = ""
    region: str = ""
    fee_rule: str = ""
    fallback_contacts: tuple[ContactPoint, ...] = ()
    """Further ways to reach the customer, in their order of preference."""


@frozen(kw_only=True)
class ComplaintAcknowledged(ComplaintEvent):
    """The customer was told the complaint was received; ``message_id`` is that message."""

    kind = "complaint.acknowledged"
    message_id: str


@frozen(kw_only=True)
class ComplaintAssigned(ComplaintEvent):
    """The complaint was given to a team and, optionally, an agent."""

    kind = "complaint.assigned"
    team: str
    agent: str = ""


@frozen(kw_only=True)
class InvestigationStarted(ComplaintEvent):
    """Someone started (or resumed) working the complaint."""

    kind = "complaint.investigation_started"


@frozen(kw_only=True)
class InformationRequested(ComplaintEvent):
    """The customer was asked for more information; the case waits for them."""

    kind = "complaint.information_requested"
    questions: str
    message_id: str


@frozen(kw_only=True)
class InformationProvided(ComplaintEvent):
    """The customer answered; work resumes."""

    kind = "complaint.information_provided"
    summary: str
    channel: str
    evidence: tuple[EvidenceRef, ...] = ()


@frozen(kw_only=True)
class ComplaintResolved(ComplaintEvent):
    """The complaint was resolved with an explicit outcome, remedy and explanation."""

    kind = "complaint.resolved"
    resolution: Resolution
    message_id: str


@frozen(kw_only=True)
class ComplaintReopened(ComplaintEvent):
    """The customer reopened a resolved complaint inside the reopen window."""

    kind = "complaint.reopened"
    reason: str


@frozen(kw_only=True)
class ComplaintClosed(ComplaintEvent):
    """The complaint was closed (by staff, or automatically after the quiet period)."""

    kind = "complaint.closed"
    reason: str


@frozen(kw_only=True)
class ComplaintWithdrawn(ComplaintEvent):
    """The customer withdrew the complaint before it was resolved."""

    kind = "complaint.withdrawn"
    reason: str


@frozen(kw_only=True)
class ContactRecorded(ComplaintEvent):
    """A contact with the customer happened (inbound or outbound, any channel)."""

    kind = "complaint.contact_recorded"
    contact: Contact


@frozen(kw_only=True)
class SeverityChanged(ComplaintEvent):
    """Staff overrode the derived severity, with a reason."""

    kind = "complaint.severity_changed"
    severity: Severity
    reason: str


@frozen(kw_only=True)
class DuplicateLinked(ComplaintEvent):
    """The same customer complained again about the same transactions; linked, not reopened."""

    kind = "complaint.duplicate_linked"
    channel: IntakeChannel
    description: str
    transactions: tuple[str, ...] = ()
    evidence: tuple[EvidenceRef, ...] = ()
    intake_id: str = ""
    """The host's id for the repeat intake, when it gave one (a retry then links nothing)."""


@frozen(kw_only=True)
class ComplaintMerged(ComplaintEvent):
    """Staff merged this complaint into another; this one is closed."""

    kind = "complaint.merged"
    into: str


@frozen(kw_only=True)
class ComplaintAbsorbed(ComplaintEvent):
    """Another complaint was merged into this one, bringing its transactions and evidence."""

    kind = "complaint.absorbed"
    source: str
    transactions: tuple[str, ...] = ()
    evidence: tuple[EvidenceRef, ...] = ()


@frozen(kw_only=True)
class FlagsAdded(ComplaintEvent):
    """Staff added flags that change which regulatory deadlines apply (e.g. ``extended``)."""

    kind = "complaint.flags_added"
    flags: tuple[str, ...]
    reason: str


@frozen(kw_only=True)
class HoldingReplySent(ComplaintEvent):
    """The customer was told why the final reply is late and when it will come (exceptional)."""

    kind = "complaint.holding_reply_sent"
    reasons: str
    expected_by: datetime = field(validator=aware)
    message_id: str


@frozen(kw_only=True)
class FindingRecorded(ComplaintEvent):
    """The investigation reached its finding (``error_found``: an error occurred); deadlines
    counting from the finding (Reg E's report and correction) start here."""

    kind = "complaint.finding_recorded"
    finding: str
    error_found: bool


@frozen(kw_only=True)
class ThirdPartyAwaited(ComplaintEvent):
    """The case waits on a ``party`` other than the customer: ``merchant`` or ``network``
    (the bank or card network)."""

    kind = "complaint.third_party_awaited"
    party: str
    reason: str


@frozen(kw_only=True)
class ThirdPartyAnswered(ComplaintEvent):
    """The awaited merchant, bank or network answered; work resumes."""

    kind = "complaint.third_party_answered"
    party: str
    summary: str


@frozen(kw_only=True)
class IncidentLinked(ComplaintEvent):
    """The complaint was linked to an incident: one root cause shared with other customers."""

    kind = "complaint.incident_linked"
    incident_id: str


@frozen(kw_only=True)
class IncidentUnlinked(ComplaintEvent):
    """The complaint was taken out of the incident it was linked to, with the reason."""

    kind = "complaint.incident_unlinked"
    incident_id: str
    reason: str


@frozen(kw_only=True)
class DisputeLinked(ComplaintEvent):
    """A dispute was opened from this complaint; the dispute names the complaint too."""

    kind = "complaint.dispute_linked"
    dispute_id: str
