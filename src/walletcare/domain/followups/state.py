"""A follow-up as it stands: the fold of its events."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import datetime

import attrs
from attrs import field, frozen

from walletcare.domain.cases.kind import fold_kernel_event
from walletcare.domain.complaints.values import ContactPoint
from walletcare.domain.escalation import EscalationState
from walletcare.domain.events import Event
from walletcare.domain.followups.events import (
    AnswerActedOn,
    AnswerRecorded,
    AttemptDeferred,
    AttemptFailed,
    AttemptQueued,
    FollowupMissed,
    FollowupScheduled,
    RewardGranted,
)
from walletcare.domain.followups.values import Purpose, Survey, TriggerKind
from walletcare.domain.money import Money
from walletcare.domain.sla import SlaClock

__all__ = ["FollowupStatus", "Attempt", "Followup", "replay", "apply_all"]


class FollowupStatus(enum.StrEnum):
    """Where a follow-up stands."""

    SCHEDULED = "scheduled"
    QUEUED = "queued"
    MISSED = "missed"
    ANSWERED = "answered"


@frozen(kw_only=True)
class Attempt:
    """One message of the follow-up: its channel, its id, and whether the channel gave up."""

    number: int
    channel: str
    message_id: str
    at: datetime
    failed: str = ""


@frozen(kw_only=True)
class Followup:
    """A follow-up: what triggered it, its window, attempts, answer and what came of it."""

    id: str
    trigger: TriggerKind
    source_id: str
    customer_id: str
    purpose: Purpose
    survey: Survey
    due_from: datetime
    due_until: datetime
    contact: ContactPoint
    language: str
    customer_zone: str
    jurisdiction: str
    profile: str
    category: str
    team: str
    transaction: str
    amount: Money | None
    reward: Money | None
    opened_at: datetime
    updated_at: datetime
    status: FollowupStatus = FollowupStatus.SCHEDULED
    attempts: tuple[Attempt, ...] = ()
    deferrals: tuple[str, ...] = ()
    missed_reason: str = ""
    score: int | None = None
    comment: str = ""
    answered_on: str = ""
    answered_at: datetime | None = None
    reward_granted: Money | None = None
    actions: tuple[str, ...] = ()
    product: str = "followup"
    flags: tuple[str, ...] = ()
    reopen_count: int = 0
    clocks: tuple[SlaClock, ...] = ()
    escalation: EscalationState = field(factory=EscalationState)

    @property
    def is_open(self) -> bool:
        """Still waiting to reach the customer or for their answer."""
        return self.status in (FollowupStatus.SCHEDULED, FollowupStatus.QUEUED)

    @property
    def occurred_at(self) -> datetime:
        """When the trigger happened (the window counts from there)."""
        return self.opened_at

    @property
    def channel(self) -> str:
        """The channel that carried the last attempt ("" before any)."""
        return self.attempts[-1].channel if self.attempts else ""


def _apply(f: Followup, e: Event) -> Followup:  # noqa: PLR0911 (one return per event kind)
    match e:
        case AttemptQueued():
            attempt = Attempt(number=e.attempt, channel=e.channel, message_id=e.message_id, at=e.at)
            return attrs.evolve(
                f, attempts=(*f.attempts, attempt), status=FollowupStatus.QUEUED, updated_at=e.at
            )
        case AttemptFailed():
            attempts = tuple(
                attrs.evolve(a, failed=e.reason or "failed") if a.number == e.attempt else a
                for a in f.attempts
            )
            return attrs.evolve(f, attempts=attempts, updated_at=e.at)
        case AttemptDeferred():
            return attrs.evolve(f, deferrals=(*f.deferrals, e.reason), updated_at=e.at)
        case FollowupMissed():
            return attrs.evolve(
                f, status=FollowupStatus.MISSED, missed_reason=e.reason, updated_at=e.at
            )
        case AnswerRecorded():
            return attrs.evolve(
                f,
                status=FollowupStatus.ANSWERED,
                score=e.score,
                comment=e.comment,
                answered_at=e.at,
                answered_on=e.at.date().isoformat(),
                updated_at=e.at,
            )
        case RewardGranted():
            return attrs.evolve(f, reward_granted=e.amount, updated_at=e.at)
        case AnswerActedOn():
            return attrs.evolve(f, actions=(*f.actions, e.action), updated_at=e.at)
    folded = fold_kernel_event(f.clocks, f.escalation, e)
    if folded is None:
        return f
    return attrs.evolve(f, clocks=folded[0], escalation=folded[1], updated_at=e.at)


def _start(e: FollowupScheduled) -> Followup:
    return Followup(
        id=e.followup_id,
        trigger=e.trigger,
        source_id=e.source_id,
        customer_id=e.customer_id,
        purpose=e.purpose,
        survey=e.survey,
        due_from=e.due_from,
        due_until=e.due_until,
        contact=e.contact,
        language=e.language,
        customer_zone=e.customer_zone,
        jurisdiction=e.jurisdiction,
        profile=e.profile,
        category=e.category,
        team=e.team,
        transaction=e.transaction,
        amount=e.amount,
        reward=e.reward,
        opened_at=e.at,
        updated_at=e.at,
    )


def apply_all(f: Followup, events: Sequence[Event]) -> Followup:
    """The follow-up after ``events``."""
    for e in events:
        f = _apply(f, e)
    return f


def replay(history: Sequence[Event]) -> Followup | None:
    """The follow-up from its whole history (None for an empty or foreign stream)."""
    if not history or not isinstance(history[0], FollowupScheduled):
        return None
    return apply_all(_start(history[0]), history[1:])
