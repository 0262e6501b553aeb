"""Follow-up commands: pure functions from the follow-up, the time and the facts to events."""

from __future__ import annotations

from datetime import datetime

from walletcare.domain.complaints.values import ContactPoint
from walletcare.domain.events import Actor, Event
from walletcare.domain.followups.events import (
    AnswerRecorded,
    AttemptDeferred,
    AttemptFailed,
    AttemptQueued,
    FollowupMissed,
    FollowupScheduled,
)
from walletcare.domain.followups.state import Followup, FollowupStatus
from walletcare.domain.followups.values import Trigger, TriggerPolicy
from walletcare.errors import TransitionNotAllowed, ValidationError

__all__ = ["schedule", "channels_left", "queue", "fail", "defer", "miss", "answer"]


def schedule(
    followup_id: str,
    trigger: Trigger,
    policy: TriggerPolicy,
    *,
    profile: str,
    by: Actor,
    at: datetime,
) -> list[Event]:
    """Accept a trigger: the first attempt ``delay`` after it, every attempt inside the window."""
    return [
        FollowupScheduled(
            followup_id=followup_id,
            at=at,
            by=by,
            trigger=trigger.kind,
            source_id=trigger.source_id,
            customer_id=trigger.customer_id,
            purpose=policy.purpose,
            survey=policy.survey,
            due_from=max(at, trigger.occurred_at + policy.delay),
            due_until=trigger.occurred_at + policy.window,
            contact=trigger.contact,
            language=trigger.language,
            customer_zone=trigger.customer_zone,
            jurisdiction=trigger.jurisdiction,
            profile=profile,
            category=trigger.category,
            team=trigger.team,
            transaction=trigger.transaction,
            amount=trigger.amount,
            reward=policy.reward,
        )
    ]


def channels_left(f: Followup, preferred: tuple[ContactPoint, ...]) -> list[ContactPoint]:
    """The channels still to try, in order: the customer's preference, else the case's
    contact, less those that already failed for this follow-up."""
    order = preferred or (f.contact,)
    failed = {a.channel for a in f.attempts if a.failed}
    return [c for c in order if c.channel not in failed]


def _require_open(f: Followup, what: str) -> None:
    if not f.is_open:
        raise TransitionNotAllowed(f"follow-up {f.id} is {f.status.value}; cannot {what}")


def queue(f: Followup, *, channel: str, message_id: str, by: Actor, at: datetime) -> list[Event]:
    """Record a message queued for the next attempt (inside the window only)."""
    _require_open(f, "queue an attempt")
    if at > f.due_until:
        raise TransitionNotAllowed(f"follow-up {f.id}: the window ended at {f.due_until}")
    return [
        AttemptQueued(
            followup_id=f.id,
            at=at,
            by=by,
            attempt=len(f.attempts) + 1,
            channel=channel,
            message_id=message_id,
        )
    ]


def fail(f: Followup, *, reason: str, by: Actor, at: datetime) -> list[Event]:
    """The last attempt's channel gave its message up."""
    last = f.attempts[-1]
    return [
        AttemptFailed(
            followup_id=f.id,
            at=at,
            by=by,
            attempt=last.number,
            channel=last.channel,
            reason=reason or "failed",
        )
    ]


def defer(f: Followup, *, reason: str, until: datetime, by: Actor, at: datetime) -> list[Event]:
    """The contact rules hold the attempt back until ``until`` (inside the window)."""
    return [AttemptDeferred(followup_id=f.id, at=at, by=by, reason=reason, until=until)]


def miss(f: Followup, *, reason: str, by: Actor, at: datetime) -> list[Event]:
    """No attempt can be made inside the window: record it, with the reason."""
    _require_open(f, "be missed")
    return [FollowupMissed(followup_id=f.id, at=at, by=by, reason=reason)]


def answer(
    f: Followup, *, score: int, comment: str, channel: str, by: Actor, at: datetime
) -> list[Event]:
    """The customer's answer, on the survey's scale, to a follow-up that reached them."""
    if f.status is FollowupStatus.ANSWERED:
        raise TransitionNotAllowed(f"follow-up {f.id} was answered already")
    if f.status is not FollowupStatus.QUEUED:
        raise TransitionNotAllowed(f"follow-up {f.id} has not asked anything yet")
    low, high = f.survey.scale
    if isinstance(score, bool) or not isinstance(score, int) or not low <= score <= high:
        raise ValidationError.of("score", f"must be an int from {low} to {high}, got {score!r}")
    if not isinstance(comment, str):
        raise ValidationError.of("comment", "must be a string")
    return [
        AnswerRecorded(
            followup_id=f.id, at=at, by=by, score=score, comment=comment.strip(), channel=channel
        )
    ]
