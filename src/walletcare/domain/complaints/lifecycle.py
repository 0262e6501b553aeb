"""A complaint's state, its fold, and the commands that move it.

received -> acknowledged -> investigating <-> awaiting_customer -> resolved -> closed, with
reopen inside a window after resolution, withdrawal before it, and auto-close after a quiet
period. Commands check and return events; ``apply`` is the only thing that changes state.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from attrs import field, frozen

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
    DuplicateLinked,
    FlagsAdded,
    HoldingReplySent,
    InformationProvided,
    InformationRequested,
    InvestigationStarted,
    SeverityChanged,
)
from walletcare.domain.complaints.severity import SeverityFacts, SeverityPolicy, derive_severity
from walletcare.domain.complaints.values import (
    OPEN_STATUSES,
    OUTBOUND_CHANNELS,
    Category,
    Contact,
    ContactPoint,
    Direction,
    EvidenceRef,
    IntakeChannel,
    Outcome,
    Resolution,
    Severity,
    Status,
)
from walletcare.domain.escalation import EscalationEvent, EscalationState, apply_escalation_event
from walletcare.domain.events import Actor, ActorRole, Event
from walletcare.domain.money import Money
from walletcare.domain.sla import Clock, ClockEvent, apply_clock_event
from walletcare.errors import DomainError, TransitionNotAllowed, ValidationError

__all__ = [
    "Complaint",
    "NewComplaint",
    "ComplaintPolicy",
    "DuplicateHandling",
    "check_intake",
    "receive",
    "apply",
    "apply_all",
    "replay",
    "acknowledge",
    "assign",
    "start_investigation",
    "request_information",
    "provide_information",
    "resolve",
    "reopen",
    "close",
    "withdraw",
    "record_contact",
    "change_severity",
    "link_duplicate",
    "add_flags",
    "send_holding_reply",
    "merge_into",
    "absorb",
    "reopen_deadline",
    "MONEY_CATEGORIES",
]

MONEY_CATEGORIES = frozenset({Category.SECURITY, Category.TRANSACTION_FAILURE})
"""Categories whose complaints must name the transactions and the amount lost."""


class DuplicateHandling(enum.StrEnum):
    """What intake does with a second open complaint about the same transaction."""

    LINK = "link"
    REFUSE = "refuse"


@frozen(kw_only=True)
class ComplaintPolicy:
    """House rules for complaints: reopen window, quiet period before auto-close, duplicates.

    ``repeat_lookback`` is how far back earlier complaints of the same customer count
    towards the severity policy's repeat rule.
    """

    reopen_window: timedelta = timedelta(days=14)
    auto_close_after: timedelta = timedelta(days=7)
    duplicates: DuplicateHandling = DuplicateHandling.LINK
    repeat_lookback: timedelta = timedelta(days=90)
    severity: SeverityPolicy = field(factory=SeverityPolicy)


@frozen(kw_only=True)
class NewComplaint:
    """What a customer (or staff on their behalf) files. ``check_intake`` says what is wrong."""

    customer_id: str
    category: str
    channel: str
    description: str
    occurred_at: datetime
    contact: ContactPoint
    transactions: Sequence[str] = ()
    amount_lost: Money | None = None
    evidence: Sequence[EvidenceRef] = ()
    language: str = "en"
    customer_zone: str = "UTC"
    jurisdiction: str = ""
    product: str = ""
    vulnerable: bool = False
    segment: str = ""
    flags: Sequence[str] = ()


def _choices(kind: type[enum.Enum]) -> str:
    return ", ".join(str(m.value) for m in kind)


def check_intake(intake: NewComplaint, now: datetime) -> None:  # noqa: PLR0912 (one check per field)
    """Raise one ``ValidationError`` listing every missing or wrong field of ``intake``."""
    problems: dict[str, str] = {}
    if not isinstance(intake.customer_id, str) or not intake.customer_id.strip():
        problems["customer_id"] = "is required"
    category = None
    try:
        category = Category(intake.category)
    except ValueError:
        problems["category"] = f"{intake.category!r} is not one of {_choices(Category)}"
    try:
        IntakeChannel(intake.channel)
    except ValueError:
        problems["channel"] = f"{intake.channel!r} is not one of {_choices(IntakeChannel)}"
    if not isinstance(intake.description, str) or not intake.description.strip():
        problems["description"] = "is required: say what happened"
    occurred = intake.occurred_at
    if not isinstance(occurred, datetime) or occurred.utcoffset() is None:
        problems["occurred_at"] = "must be a timezone-aware datetime"
    elif occurred > now:
        problems["occurred_at"] = f"{occurred.isoformat()} is in the future"
    if intake.amount_lost is not None:
        if not isinstance(intake.amount_lost, Money):
            problems["amount_lost"] = "must be Money"
        elif intake.amount_lost.is_negative:
            problems["amount_lost"] = f"must not be negative, got {intake.amount_lost}"
    if category in MONEY_CATEGORIES:
        if not intake.transactions:
            problems["transactions"] = f"a {category} complaint must name the transactions involved"
        if intake.amount_lost is None:
            problems["amount_lost"] = f"a {category} complaint must state the amount lost"
    for i, tx in enumerate(intake.transactions):
        if not isinstance(tx, str) or not tx.strip():
            problems[f"transactions[{i}]"] = "must be a non-empty transaction id"
    if not isinstance(intake.contact, ContactPoint):
        problems["contact"] = "must be a ContactPoint (channel and address)"
    elif intake.contact.channel not in OUTBOUND_CHANNELS:
        problems["contact.channel"] = (
            f"{intake.contact.channel!r} is not one of {', '.join(sorted(OUTBOUND_CHANNELS))}"
        )
    if not isinstance(intake.language, str) or not (2 <= len(intake.language) <= 8):
        problems["language"] = "must be a language tag such as 'en' or 'zh'"
    for i, flag in enumerate(intake.flags):
        if not isinstance(flag, str) or not flag.strip() or flag != flag.strip():
            problems[f"flags[{i}]"] = "must be a non-empty word such as 'new_account'"
    try:
        ZoneInfo(str(intake.customer_zone))
    except (ZoneInfoNotFoundError, ValueError):
        problems["customer_zone"] = f"{intake.customer_zone!r} is not an IANA time zone"
    if problems:
        raise ValidationError(problems)


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
    flags: tuple[str, ...] = ()
    clocks: tuple[Clock, ...] = ()
    escalation: EscalationState = field(factory=EscalationState)

    @property
    def is_open(self) -> bool:
        """Tell whether the complaint is still being handled."""
        return self.status in OPEN_STATUSES

    @property
    def assignee(self) -> str:
        """The agent if one is set, else the team."""
        return self.agent or self.team


# -- fold ----------------------------------------------------------------------------------
def _received(event: ComplaintReceived) -> Complaint:
    return Complaint(
        id=event.complaint_id,
        customer_id=event.customer_id,
        category=event.category,
        channel=event.channel,
        description=event.description,
        occurred_at=event.occurred_at,
        transactions=event.transactions,
        amount_lost=event.amount_lost,
        evidence=event.evidence,
        language=event.language,
        customer_zone=event.customer_zone,
        jurisdiction=event.jurisdiction,
        product=event.product,
        contact=event.contact,
        vulnerable=event.vulnerable,
        segment=event.segment,
        flags=event.flags,
        severity=event.severity,
        severity_reasons=event.severity_reasons,
        status=Status.RECEIVED,
        received_at=event.at,
        updated_at=event.at,
    )


def apply(complaint: Complaint | None, event: Event) -> Complaint:
    """The complaint after ``event``: the only way a complaint's state changes."""
    return apply_all(complaint, (event,))


def apply_all(complaint: Complaint | None, events: Iterable[Event]) -> Complaint:
    """The complaint after ``events``, built once at the end (a command's events, a replay)."""
    iterator = iter(events)
    if complaint is None:
        first = next(iterator, None)
        if not isinstance(first, ComplaintReceived):
            kind = first.kind if first is not None else "nothing"
            raise DomainError(f"a complaint's first event must be complaint.received, not {kind}")
        complaint = _received(first)
    draft: Complaint | None = None
    for event in iterator:
        if draft is None:
            # A private copy, changed in place below before anyone can see it: frozen to
            # every reader, and one copy per command instead of one per field change.
            draft = object.__new__(Complaint)
            draft.__dict__.update(complaint.__dict__)
        _step(draft.__dict__, event)
    return draft if draft is not None else complaint


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


_STEPS: dict[type[Event], Callable[[dict[str, Any], Any], None]] = {
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
}


def _step(d: dict[str, Any], event: Event) -> None:
    """Move the fields of a private draft of a complaint by one event."""
    d["updated_at"] = event.at
    step = _STEPS.get(type(event))
    if step is not None:
        step(d, event)
    elif isinstance(event, ClockEvent):
        d["clocks"] = apply_clock_event(d["clocks"], event)
    elif isinstance(event, EscalationEvent):
        d["escalation"] = apply_escalation_event(d["escalation"], event)
    else:
        raise DomainError(f"{event.kind} is not a complaint event")


# -- commands ------------------------------------------------------------------------------
def _require(complaint: Complaint, allowed: Iterable[Status], action: str) -> None:
    allowed = frozenset(allowed)
    if complaint.status not in allowed:
        wanted = ", ".join(sorted(s.value for s in allowed))
        raise TransitionNotAllowed(
            f"cannot {action} complaint {complaint.id}: it is {complaint.status.value} "
            f"(allowed from: {wanted})"
        )


def _text(value: str, name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError.of(name, "is required")
    return value.strip()


def receive(
    complaint_id: str,
    intake: NewComplaint,
    *,
    by: Actor,
    at: datetime,
    policy: ComplaintPolicy,
    prior_complaints: int = 0,
) -> list[Event]:
    """File a complaint: check the intake (all problems at once) and derive its severity."""
    check_intake(intake, at)
    category = Category(intake.category)
    severity, reasons = derive_severity(
        SeverityFacts(
            category=category,
            amount_lost=intake.amount_lost,
            vulnerable=intake.vulnerable,
            prior_complaints=prior_complaints,
        ),
        policy.severity,
    )
    return [
        ComplaintReceived(
            complaint_id=complaint_id,
            at=at,
            by=by,
            customer_id=intake.customer_id,
            category=category,
            channel=IntakeChannel(intake.channel),
            description=intake.description.strip(),
            occurred_at=intake.occurred_at,
            transactions=tuple(intake.transactions),
            amount_lost=intake.amount_lost,
            evidence=tuple(intake.evidence),
            language=intake.language,
            customer_zone=intake.customer_zone,
            jurisdiction=intake.jurisdiction,
            product=intake.product,
            contact=intake.contact,
            vulnerable=intake.vulnerable,
            segment=intake.segment,
            flags=tuple(sorted(set(intake.flags))),
            severity=severity,
            severity_reasons=reasons,
        )
    ]


def acknowledge(complaint: Complaint, *, by: Actor, at: datetime, message_id: str) -> list[Event]:
    """Tell the customer their complaint was received."""
    _require(complaint, {Status.RECEIVED}, "acknowledge")
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
    return ContactRecorded(complaint_id=complaint.id, at=at, by=by, contact=contact)


def assign(
    complaint: Complaint, *, by: Actor, at: datetime, team: str, agent: str = ""
) -> list[Event]:
    """Give the complaint to a team and, optionally, an agent."""
    _require(complaint, OPEN_STATUSES, "assign")
    return [
        ComplaintAssigned(
            complaint_id=complaint.id, at=at, by=by, team=_text(team, "team"), agent=agent.strip()
        )
    ]


def start_investigation(complaint: Complaint, *, by: Actor, at: datetime) -> list[Event]:
    """Start working an acknowledged complaint."""
    _require(complaint, {Status.ACKNOWLEDGED}, "start investigating")
    return [InvestigationStarted(complaint_id=complaint.id, at=at, by=by)]


def request_information(
    complaint: Complaint, *, by: Actor, at: datetime, questions: str, message_id: str
) -> list[Event]:
    """Ask the customer for more information; the complaint waits for them."""
    _require(complaint, {Status.INVESTIGATING}, "request information on")
    return [
        InformationRequested(
            complaint_id=complaint.id,
            at=at,
            by=by,
            questions=_text(questions, "questions"),
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
    _require(complaint, {Status.AWAITING_CUSTOMER}, "record information on")
    text = _text(summary, "summary")
    return [
        InformationProvided(
            complaint_id=complaint.id,
            at=at,
            by=by,
            summary=text,
            channel=_text(channel, "channel"),
            evidence=tuple(evidence),
        ),
        ContactRecorded(
            complaint_id=complaint.id,
            at=at,
            by=by,
            contact=Contact(at=at, channel=channel, direction=Direction.INBOUND, summary=text),
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
) -> list[Event]:
    """Resolve with an explicit outcome, remedy (or none) and an explanation for the customer."""
    _require(
        complaint, {Status.ACKNOWLEDGED, Status.INVESTIGATING, Status.AWAITING_CUSTOMER}, "resolve"
    )
    try:
        chosen = Outcome(outcome)
    except ValueError:
        raise ValidationError.of(
            "outcome", f"{outcome!r} is not one of {_choices(Outcome)}"
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
        lost = complaint.amount_lost
        if (
            lost is not None
            and lost.currency == remedy.currency
            and remedy > lost
            and chosen is not Outcome.UPHELD
        ):
            raise ValidationError.of(
                "remedy", f"{remedy} exceeds the {lost} lost for a partly upheld complaint"
            )
    resolution = Resolution(outcome=chosen, explanation=explanation.strip(), remedy=remedy)
    return [
        ComplaintResolved(
            complaint_id=complaint.id, at=at, by=by, resolution=resolution, message_id=message_id
        ),
        _sent(complaint, by, at, message_id, f"resolution sent: {chosen.value}"),
    ]


def reopen_deadline(complaint: Complaint, policy: ComplaintPolicy) -> datetime | None:
    """When the customer can no longer reopen (None if the complaint is not resolved)."""
    if complaint.resolved_at is None:
        return None
    return complaint.resolved_at + policy.reopen_window


def reopen(
    complaint: Complaint, *, by: Actor, at: datetime, reason: str, policy: ComplaintPolicy
) -> list[Event]:
    """Reopen a resolved (or closed) complaint, only inside the reopen window."""
    _require(complaint, {Status.RESOLVED, Status.CLOSED}, "reopen")
    if complaint.merged_into or (
        complaint.resolution and complaint.resolution.outcome is Outcome.WITHDRAWN
    ):
        raise TransitionNotAllowed(
            f"complaint {complaint.id} was withdrawn or merged; file a new one"
        )
    if by.role not in (ActorRole.CUSTOMER, ActorRole.STAFF):
        raise DomainError("only the customer, or staff on their behalf, can reopen a complaint")
    deadline = reopen_deadline(complaint, policy)
    if deadline is None or at > deadline:
        raise TransitionNotAllowed(
            f"the reopen window of complaint {complaint.id} ended at "
            f"{deadline.isoformat() if deadline else 'its resolution'}"
        )
    return [
        ComplaintReopened(complaint_id=complaint.id, at=at, by=by, reason=_text(reason, "reason"))
    ]


def close(complaint: Complaint, *, by: Actor, at: datetime, reason: str) -> list[Event]:
    """Close a resolved complaint (staff, or the auto-close timer)."""
    _require(complaint, {Status.RESOLVED}, "close")
    return [
        ComplaintClosed(complaint_id=complaint.id, at=at, by=by, reason=_text(reason, "reason"))
    ]


def withdraw(complaint: Complaint, *, by: Actor, at: datetime, reason: str) -> list[Event]:
    """The customer withdraws a complaint that is still open."""
    _require(complaint, OPEN_STATUSES, "withdraw")
    if by.role not in (ActorRole.CUSTOMER, ActorRole.STAFF):
        raise DomainError("only the customer, or staff on their behalf, can withdraw a complaint")
    return [
        ComplaintWithdrawn(complaint_id=complaint.id, at=at, by=by, reason=_text(reason, "reason"))
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
    _require(complaint, OPEN_STATUSES | {Status.RESOLVED}, "record a contact on")
    try:
        way = Direction(direction)
    except ValueError:
        raise ValidationError.of("direction", f"{direction!r} is not inbound or outbound") from None
    contact = Contact(
        at=at,
        channel=_text(channel, "channel"),
        direction=way,
        summary=_text(summary, "summary"),
        message_id=message_id,
    )
    return [ContactRecorded(complaint_id=complaint.id, at=at, by=by, contact=contact)]


def change_severity(
    complaint: Complaint, *, by: Actor, at: datetime, severity: Severity | str, reason: str
) -> list[Event]:
    """Staff override of the derived severity, with a reason."""
    _require(complaint, OPEN_STATUSES, "change the severity of")
    if by.role is not ActorRole.STAFF:
        raise DomainError("only staff can override a complaint's severity")
    try:
        level = Severity(severity)
    except ValueError:
        raise ValidationError.of(
            "severity", f"{severity!r} is not one of {_choices(Severity)}"
        ) from None
    return [
        SeverityChanged(
            complaint_id=complaint.id, at=at, by=by, severity=level, reason=_text(reason, "reason")
        )
    ]


def _flag_words(flags: Sequence[str]) -> tuple[str, ...]:
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
    _require(complaint, OPEN_STATUSES, "flag")
    if by.role is not ActorRole.STAFF:
        raise DomainError("only staff change a complaint's regulatory flags")
    words = _flag_words(flags)
    new = tuple(f for f in words if f not in complaint.flags)
    if not new:
        return []
    return [
        FlagsAdded(
            complaint_id=complaint.id, at=at, by=by, flags=new, reason=_text(reason, "reason")
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
    _require(complaint, OPEN_STATUSES, "send a holding reply on")
    if by.role is not ActorRole.STAFF:
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
            reasons=_text(reasons, "reasons"),
            expected_by=expected_by,
            message_id=message_id,
        ),
        _sent(complaint, by, at, message_id, "holding reply sent"),
    ]


def link_duplicate(
    complaint: Complaint, intake: NewComplaint, *, by: Actor, at: datetime
) -> list[Event]:
    """Attach a repeat complaint about the same transactions to this open one."""
    _require(complaint, OPEN_STATUSES, "link a duplicate to")
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
    if by.role is not ActorRole.STAFF:
        raise DomainError("only staff can merge complaints")
    if source.id == target.id:
        raise ValidationError.of("into", "a complaint cannot be merged into itself")
    if source.customer_id != target.customer_id:
        raise ValidationError.of("into", "complaints of different customers cannot be merged")
    _require(source, OPEN_STATUSES, "merge")
    _require(target, OPEN_STATUSES, "merge into")
