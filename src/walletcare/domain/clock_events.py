"""An SLA clock's state and events, and the fold from one to the other.

``walletcare.domain.sla`` decides when a clock starts, pauses, resumes, warns, breaches and
stops; this module records what it decided and folds it into the clock's state.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

import attrs
from attrs import field, frozen

from walletcare.domain.events import Event, aware

__all__ = [
    "SlaClock",
    "ClockEvent",
    "ClockStarted",
    "ClockPaused",
    "ClockResumed",
    "ClockWarned",
    "ClockBreached",
    "ClockStopped",
    "ClockRescheduled",
    "apply_clock_event",
    "find_clock",
]


@frozen(kw_only=True)
class SlaClock:
    """A clock's state: the fold of its events."""

    metric: str
    policy: str
    source: str
    run: int
    started_at: datetime
    deadline: datetime
    house_deadline: datetime | None
    regulatory_deadline: datetime | None
    warn_at: datetime | None
    pauses: bool
    regulatory_source: str = ""
    paused_by: tuple[str, ...] = ("customer",)
    waiting_on: str = ""
    paused_since: datetime | None = None
    paused_total: timedelta = timedelta(0)
    warned: bool = False
    breached: bool = False
    stopped_at: datetime | None = None
    met: bool | None = None

    @property
    def running(self) -> bool:
        """Started and not stopped (it may be paused)."""
        return self.stopped_at is None

    @property
    def paused(self) -> bool:
        """Waiting on someone else (``waiting_on``)."""
        return self.paused_since is not None


# -- events --------------------------------------------------------------------------------
@frozen(kw_only=True)
class ClockEvent(Event):
    """Base of clock events: names the clock's metric."""

    metric: str


@frozen(kw_only=True)
class ClockStarted(ClockEvent):
    """A clock started; ``candidates`` lists each deadline considered, ``source`` the one held."""

    kind = "sla.clock_started"
    policy: str
    source: str
    run: int
    deadline: datetime = field(validator=aware)
    house_deadline: datetime | None = None
    regulatory_deadline: datetime | None = None
    regulatory_source: str = ""
    warn_at: datetime | None = None
    pauses: bool = True
    candidates: tuple[str, ...] = ()
    paused_by: tuple[str, ...] = ("customer",)
    """The waits that pause it (a clock stored before waits were named: the customer)."""


@frozen(kw_only=True)
class ClockPaused(ClockEvent):
    """The clock stopped counting: the case waits on ``waiting_on``."""

    kind = "sla.clock_paused"
    waiting_on: str = "customer"


@frozen(kw_only=True)
class ClockResumed(ClockEvent):
    """The clock counts again; its deadline moved out by the business time paused."""

    kind = "sla.clock_resumed"
    paused_for: timedelta
    deadline: datetime = field(validator=aware)
    house_deadline: datetime | None = None
    warn_at: datetime | None = None
    source: str = ""
    regulatory_deadline: datetime | None = None
    """A pausing regulatory clock's moved deadline (None: unchanged)."""


@frozen(kw_only=True)
class ClockWarned(ClockEvent):
    """The deadline is near: ``business_time_left`` on the clock's calendar."""

    kind = "sla.clock_warned"
    deadline: datetime = field(validator=aware)
    business_time_left: timedelta


@frozen(kw_only=True)
class ClockBreached(ClockEvent):
    """The deadline passed with the promise unmet."""

    kind = "sla.clock_breached"
    deadline: datetime = field(validator=aware)
    source: str


@frozen(kw_only=True)
class ClockStopped(ClockEvent):
    """The promise was met (or the case ended); ``met`` says whether in time."""

    kind = "sla.clock_stopped"
    met: bool
    reason: str
    paused_total: timedelta
    elapsed: timedelta | None = None
    """Business time counted from start to stop, pauses left out (None if stored before)."""


@frozen(kw_only=True)
class ClockRescheduled(ClockEvent):
    """The regulatory deadline changed (an extension, an exceptional case): a regulatory
    clock's own; on a clock stored with both sources, the earlier of it and the house one
    holds."""

    kind = "sla.clock_rescheduled"
    regulatory_deadline: datetime = field(validator=aware)
    regulatory_source: str
    deadline: datetime = field(validator=aware)
    source: str
    reason: str


def apply_clock_event(clocks: tuple[SlaClock, ...], event: ClockEvent) -> tuple[SlaClock, ...]:
    """The clocks after ``event``."""
    if isinstance(event, ClockStarted):
        clock = SlaClock(
            metric=event.metric,
            policy=event.policy,
            source=event.source,
            run=event.run,
            started_at=event.at,
            deadline=event.deadline,
            house_deadline=event.house_deadline,
            regulatory_deadline=event.regulatory_deadline,
            warn_at=event.warn_at,
            pauses=event.pauses,
            regulatory_source=event.regulatory_source,
            paused_by=event.paused_by,
        )
        return (*(c for c in clocks if c.metric != event.metric), clock)
    return tuple(_apply_one(c, event) if c.metric == event.metric else c for c in clocks)


def _apply_one(clock: SlaClock, event: ClockEvent) -> SlaClock:  # noqa: PLR0911 (one return per event)
    evolve = attrs.evolve
    match event:
        case ClockPaused():
            return evolve(clock, paused_since=event.at, waiting_on=event.waiting_on)
        case ClockResumed():
            return evolve(
                clock,
                paused_since=None,
                waiting_on="",
                paused_total=clock.paused_total + event.paused_for,
                deadline=event.deadline,
                house_deadline=event.house_deadline,
                regulatory_deadline=event.regulatory_deadline or clock.regulatory_deadline,
                warn_at=event.warn_at,
                source=event.source or clock.source,
            )
        case ClockRescheduled():
            return evolve(
                clock,
                regulatory_deadline=event.regulatory_deadline,
                regulatory_source=event.regulatory_source,
                deadline=event.deadline,
                source=event.source,
                breached=clock.breached and event.deadline <= event.at,
            )
        case ClockWarned():
            return evolve(clock, warned=True)
        case ClockBreached():
            return evolve(clock, breached=True)
        case ClockStopped():
            return evolve(
                clock,
                stopped_at=event.at,
                met=event.met,
                paused_since=None,
                waiting_on="",
                paused_total=event.paused_total,
            )
    return clock


def find_clock(clocks: Iterable[SlaClock], metric: str) -> SlaClock | None:
    """The clock for ``metric``, if one was ever started."""
    return next((c for c in clocks if c.metric == metric), None)


# -- decisions -----------------------------------------------------------------------------
