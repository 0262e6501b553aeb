"""What a clock reads at an instant: its next checkpoint, the time it counted and has left,
and the earliest deadline among a case's clocks."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from walletcare.domain.calendars import BusinessCalendar
from walletcare.domain.clock_events import SlaClock

__all__ = ["next_checkpoint", "elapsed", "next_due", "business_time_left"]


def next_checkpoint(clock: SlaClock) -> datetime | None:
    """When the clock next needs looking at (its warning, then its deadline), or None.

    Once breached, nothing is left to look at: a warning skipped because the first look came
    after the deadline is never re-armed (it would lie in the past and fire on every tick).
    """
    if not clock.running or clock.paused or clock.breached:
        return None
    if not clock.warned and clock.warn_at is not None and clock.warn_at < clock.deadline:
        return clock.warn_at
    return clock.deadline


def elapsed(clock: SlaClock, at: datetime, calendar: BusinessCalendar) -> timedelta:
    """Business time the clock has counted by ``at`` (to its stop), its pauses left out:
    the requester's wait on a ``requester_wait`` clock, the agents' work on ``agent_work``."""
    end = clock.stopped_at or clock.paused_since or at
    return calendar.business_time_between(clock.started_at, end) - clock.paused_total


def next_due(clocks: Iterable[SlaClock]) -> tuple[datetime, str] | None:
    """The earliest deadline that can still breach, and its clock's metric: of the clocks
    running, not paused and not breached yet (None if there is none)."""
    return min(
        (
            (c.deadline, c.metric)
            for c in clocks
            if c.running and not c.paused and not c.breached
        ),
        default=None,
    )


def business_time_left(clock: SlaClock, at: datetime, calendar: BusinessCalendar) -> timedelta:
    """Business time until the deadline (negative once past); frozen while paused."""
    reference = clock.paused_since or clock.stopped_at or at
    return calendar.business_time_between(reference, clock.deadline)
