"""What happens to a follow-up: scheduled, attempted, missed, answered, acted upon."""

from __future__ import annotations

from datetime import datetime

from attrs import field, frozen

from walletcare.domain.complaints.values import ContactPoint
from walletcare.domain.events import Event, aware, non_empty
from walletcare.domain.followups.values import Purpose, Survey, TriggerKind
from walletcare.domain.money import Money

__all__ = [
    "FollowupEvent",
    "FollowupScheduled",
    "AttemptQueued",
    "AttemptFailed",
    "AttemptDeferred",
    "FollowupMissed",
    "AnswerRecorded",
    "RewardGranted",
    "AnswerActedOn",
    "FOLLOWUP_EVENTS",
]


@frozen(kw_only=True)
class FollowupEvent(Event):
    """Base of the follow-up events."""

    followup_id: str = field(validator=non_empty)


@frozen(kw_only=True)
class FollowupScheduled(FollowupEvent):
    """A trigger was accepted: what to ask, of whom, and the window to ask it in."""

    kind = "followup.scheduled"
    trigger: TriggerKind
    source_id: str = field(validator=non_empty)
    customer_id: str = field(validator=non_empty)
    purpose: Purpose
    survey: Survey
    due_from: datetime = field(validator=aware)
    due_until: datetime = field(validator=aware)
    contact: ContactPoint
    language: str
    customer_zone: str
    jurisdiction: str
    profile: str
    category: str = ""
    team: str = ""
    transaction: str = ""
    amount: Money | None = None
    reward: Money | None = None


@frozen(kw_only=True)
class AttemptQueued(FollowupEvent):
    """A message passed the contact rules and was queued on ``channel``."""

    kind = "followup.attempt_queued"
    attempt: int
    channel: str = field(validator=non_empty)
    message_id: str = field(validator=non_empty)


@frozen(kw_only=True)
class AttemptFailed(FollowupEvent):
    """The channel gave the message up; the next channel is tried, if any."""

    kind = "followup.attempt_failed"
    attempt: int
    channel: str
    reason: str


@frozen(kw_only=True)
class AttemptDeferred(FollowupEvent):
    """The contact rules held the attempt back until ``until``; ``reason`` says which."""

    kind = "followup.attempt_deferred"
    reason: str = field(validator=non_empty)
    until: datetime = field(validator=aware)


@frozen(kw_only=True)
class FollowupMissed(FollowupEvent):
    """No attempt could be made inside the window; ``reason`` says why."""

    kind = "followup.missed"
    reason: str = field(validator=non_empty)


@frozen(kw_only=True)
class AnswerRecorded(FollowupEvent):
    """The customer answered: a score on the survey's scale (a confirmation: 1 me, 0 not me)."""

    kind = "followup.answer_recorded"
    score: int
    comment: str = ""
    channel: str = field(validator=non_empty)


@frozen(kw_only=True)
class RewardGranted(FollowupEvent):
    """The reward offered for the answer was granted."""

    kind = "followup.reward_granted"
    amount: Money


@frozen(kw_only=True)
class AnswerActedOn(FollowupEvent):
    """What the answer led to: the complaint reopened, a security complaint opened, staff told."""

    kind = "followup.answer_acted_on"
    action: str = field(validator=non_empty)
    case_id: str = ""
    detail: str = ""


FOLLOWUP_EVENTS: tuple[type[Event], ...] = (
    FollowupScheduled,
    AttemptQueued,
    AttemptFailed,
    AttemptDeferred,
    FollowupMissed,
    AnswerRecorded,
    RewardGranted,
    AnswerActedOn,
)
