"""SLA clocks: promises with deadlines on a business calendar that pause, resume, warn and breach.

A clock runs from its start to its deadline. While it is paused (the case waits on the
customer, a merchant, a bank or network) its deadline moves out by exactly the business time
it was paused; the paused time is kept. Each deadline source has its own clock: the house
clock of a metric (``resolution``, from the SLA policy) and the regulatory one
(``regulatory:resolution``, its source naming the profile), each with its own warning,
breach and fulfilment. A regulatory clock pauses only for the waits its profile names.
Clocks stored before that split carry both deadlines, the earlier holding; they still fold.
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from attrs import Factory, field, frozen

from walletcare.domain.calendars import BusinessCalendar
from walletcare.domain.clock_events import (
    ClockBreached,
    ClockEvent,
    ClockPaused,
    ClockRescheduled,
    ClockResumed,
    ClockStarted,
    ClockStopped,
    ClockWarned,
    SlaClock,
    apply_clock_event,
    find_clock,
)
from walletcare.domain.clock_readings import (
    business_time_left,
    elapsed,
    next_checkpoint,
    next_due,
)
from walletcare.domain.events import Actor
from walletcare.domain.fieldtypes import as_tuple, check_fields, to_enum
from walletcare.errors import ValidationError

__all__ = [
    "REGULATORY",
    "WAITING_ON",
    "regulatory_metric",
    "measured_metric",
    "is_regulatory",
    "start_regulatory",
    "Measure",
    "SlaTarget",
    "SlaPolicy",
    "SlaClock",
    "ClockEvent",
    "ClockStarted",
    "ClockPaused",
    "ClockResumed",
    "ClockWarned",
    "ClockBreached",
    "ClockStopped",
    "ClockRescheduled",
    "reschedule",
    "apply_clock_event",
    "find_clock",
    "house_deadline",
    "warning_time",
    "start",
    "pause",
    "resume",
    "stop",
    "checkpoint",
    "late_breach",
    "next_checkpoint",
    "business_time_left",
    "elapsed",
    "default_waits",
    "next_due",
]


REGULATORY = "regulatory:"
"""The prefix of a regulatory clock's metric: ``regulatory:resolution``."""

WAITING_ON = frozenset({"customer", "merchant", "network"})
"""Who a case may wait on: the customer, a merchant, a bank or card network."""


def regulatory_metric(metric: str) -> str:
    """The metric of the regulatory clock measuring ``metric``."""
    return f"{REGULATORY}{metric}"


def measured_metric(metric: str) -> str:
    """What a clock measures, whatever its source: ``regulatory:resolution`` measures
    ``resolution``."""
    return metric.removeprefix(REGULATORY)


def is_regulatory(metric: str) -> bool:
    """Tell whether ``metric`` names a regulatory clock."""
    return metric.startswith(REGULATORY)


def waits(value: Any) -> frozenset[str]:
    """attrs converter: who a case may wait on, checked against ``WAITING_ON``."""
    if isinstance(value, str) or not hasattr(value, "__iter__"):
        raise ValidationError.of("paused_by", "must be a set of waits, such as {'customer'}")
    found = frozenset(value)
    unknown = sorted(found - WAITING_ON)
    if unknown:
        raise ValidationError.of(
            "paused_by",
            f"{', '.join(map(repr, unknown))} is not a wait ({', '.join(sorted(WAITING_ON))})",
        )
    return found


def default_waits(metric: str) -> frozenset[str]:
    """Which waits pause a house target unless it says: every wait for ``agent_work`` (time
    the agents could work on the case), the customer for any other metric."""
    return WAITING_ON if metric == "agent_work" else frozenset({"customer"})


class Measure(enum.StrEnum):
    """How a target is measured."""

    BUSINESS_TIME = "business_time"  # hours and minutes inside opening hours
    BUSINESS_DAYS = "business_days"  # to the end of the Nth business day
    CALENDAR_DAYS = "calendar_days"  # to the end of the Nth local day


def _measure(value: Any) -> Any:
    return to_enum(Measure, value)


def _non_negative(_: object, attribute: Any, value: Any) -> None:
    if value is not None and (not isinstance(value, timedelta) or value < timedelta(0)):
        raise ValidationError.of(attribute.name, "must be a non-negative duration")


@frozen(kw_only=True)
class SlaTarget:
    """One promise: ``metric`` met within ``duration`` (business time) or ``days``.

    Warn at ``warn_at`` (a fraction of the time allowed) and/or ``warn_before`` the deadline.
    ``pauses``: whether waiting stops this clock at all; ``paused_by``: which waits do
    (``customer``, ``merchant``, ``network``; the customer only by default).
    """

    metric: str
    measure: Measure = field(default=Measure.BUSINESS_TIME, converter=_measure)
    duration: timedelta | None = field(default=None, validator=_non_negative)
    days: int | None = None
    warn_at: Decimal | None = None
    warn_before: timedelta | None = field(default=None, validator=_non_negative)
    pauses: bool = True
    paused_by: frozenset[str] = field(
        default=Factory(lambda self: default_waits(self.metric), takes_self=True),
        converter=waits,
    )

    def __attrs_post_init__(self) -> None:
        check_fields(self)
        if is_regulatory(self.metric):
            raise ValidationError.of(
                "metric", f"{self.metric}: a house target cannot name a regulatory clock"
            )
        if self.measure is Measure.BUSINESS_TIME and self.duration is None:
            raise ValidationError.of(
                "duration", f"{self.metric}: a business_time target needs a duration"
            )
        if self.measure is not Measure.BUSINESS_TIME and (self.days is None or self.days < 0):
            raise ValidationError.of(
                "days", f"{self.metric}: a {self.measure.value} target needs days >= 0"
            )
        if self.warn_at is not None and not (
            self.warn_at.is_finite() and Decimal(0) < self.warn_at < Decimal(1)
        ):
            raise ValidationError.of(
                "warn_at", f"{self.metric}: must be a fraction between 0 and 1"
            )


@frozen(kw_only=True)
class SlaPolicy:
    """A named set of targets on a calendar; ``reopen_restarts`` restarts resolution on reopen."""

    name: str
    calendar: BusinessCalendar
    targets: tuple[SlaTarget, ...] = field(converter=as_tuple)
    reopen_restarts: bool = True

    def __attrs_post_init__(self) -> None:
        check_fields(self)

    def target(self, metric: str) -> SlaTarget | None:
        """This policy's target for ``metric``."""
        return next((t for t in self.targets if t.metric == metric), None)


def house_deadline(target: SlaTarget, calendar: BusinessCalendar, start_at: datetime) -> datetime:
    """When ``target`` falls due for a clock started at ``start_at``."""
    if target.measure is Measure.BUSINESS_TIME:
        assert target.duration is not None
        return calendar.add_business_time(start_at, target.duration)
    days = target.days or 0
    if target.measure is Measure.BUSINESS_DAYS:
        return calendar.end_of_day(calendar.add_business_days(start_at, days))
    return calendar.end_of_day(calendar.local_date(start_at) + timedelta(days=days))


def warning_time(
    target: SlaTarget | None, calendar: BusinessCalendar, start_at: datetime, deadline: datetime
) -> datetime | None:
    """The earlier of the fraction and lead-time warnings, never before the start."""
    if target is None:
        return None
    options = []
    if target.warn_at is not None:
        allowed = calendar.business_time_between(start_at, deadline)
        options.append(calendar.add_business_time(start_at, allowed * float(target.warn_at)))
    if target.warn_before is not None:
        options.append(max(start_at, deadline - target.warn_before))
    return min(options) if options else None


def start(
    *,
    metric: str,
    policy: SlaPolicy | None,
    at: datetime,
    run: int,
    by: Actor,
) -> ClockStarted | None:
    """Start the house clock ``metric`` from the policy's target (None if it has none)."""
    target = policy.target(metric) if policy is not None else None
    if target is None or policy is None:
        return None
    deadline = house_deadline(target, policy.calendar, at)
    source = f"house:{policy.name}"
    return ClockStarted(
        at=at,
        by=by,
        metric=metric,
        policy=policy.name,
        source=source,
        run=run,
        deadline=deadline,
        house_deadline=deadline,
        warn_at=warning_time(target, policy.calendar, at, deadline),
        pauses=target.pauses and bool(target.paused_by),
        paused_by=tuple(sorted(target.paused_by)) if target.pauses else (),
        candidates=(f"{source}={deadline.isoformat()}",),
    )


def start_regulatory(
    *,
    metric: str,
    source: str,
    due: datetime,
    paused_by: frozenset[str],
    warning: SlaTarget | None,
    calendar: BusinessCalendar,
    at: datetime,
    by: Actor,
) -> ClockStarted:
    """Start the regulatory clock measuring ``metric``, due at ``due`` under ``source``.

    It warns as the house target of the same metric does (``warning``), on the
    jurisdiction's ``calendar``; it pauses only for the waits its profile names.
    """
    return ClockStarted(
        at=at,
        by=by,
        metric=regulatory_metric(metric),
        policy="",
        source=source,
        run=1,
        deadline=due,
        regulatory_deadline=due,
        regulatory_source=source,
        warn_at=warning_time(warning, calendar, at, due) if due > at else None,
        pauses=bool(paused_by),
        paused_by=tuple(sorted(paused_by)),
        candidates=(f"{source}={due.isoformat()}",),
    )


def pause(
    clock: SlaClock, *, at: datetime, by: Actor, waiting_on: str = "customer"
) -> ClockPaused | None:
    """Pause a running clock that pauses while the case waits on ``waiting_on``."""
    if not clock.running or clock.paused or not clock.pauses:
        return None
    if waiting_on not in clock.paused_by:
        return None
    return ClockPaused(at=at, by=by, metric=clock.metric, waiting_on=waiting_on)


def resume(
    clock: SlaClock, *, at: datetime, by: Actor, calendar: BusinessCalendar, policy: str = ""
) -> ClockResumed | None:
    """Resume a paused clock; its own deadline and warning move out by the business time
    paused on ``calendar``.

    A clock stored with both a house and a regulatory deadline (before each source had its
    own clock) moves its house deadline only; if the regulatory one is now the earlier, it
    holds.
    """
    if not clock.running or clock.paused_since is None:
        return None
    paused_for = calendar.business_time_between(clock.paused_since, at)
    house = (
        calendar.add_business_time(clock.house_deadline, paused_for)
        if clock.house_deadline
        else None
    )
    regulatory = clock.regulatory_deadline
    if is_regulatory(clock.metric) and regulatory is not None:
        regulatory = calendar.add_business_time(regulatory, paused_for)
    options = []
    if house is not None:
        options.append((house, f"house:{policy or clock.policy}"))
    if regulatory is not None:
        options.append((regulatory, clock.regulatory_source))
    deadline, source = min(options) if options else (clock.deadline, clock.source)
    warn = None
    if not clock.warned and clock.warn_at is not None:
        warn = min(calendar.add_business_time(clock.warn_at, paused_for), deadline)
    return ClockResumed(
        at=at,
        by=by,
        metric=clock.metric,
        paused_for=paused_for,
        deadline=deadline,
        house_deadline=house,
        regulatory_deadline=regulatory if is_regulatory(clock.metric) else None,
        warn_at=warn,
        source=source,
    )


def stop(
    clock: SlaClock, *, at: datetime, by: Actor, reason: str, calendar: BusinessCalendar
) -> ClockStopped | None:
    """Stop a running clock; met if before its deadline. A paused clock's pause ends here."""
    if not clock.running:
        return None
    paused = clock.paused_total
    if clock.paused_since is not None:
        paused += calendar.business_time_between(clock.paused_since, at)
    return ClockStopped(
        at=at,
        by=by,
        metric=clock.metric,
        met=at <= clock.deadline and not clock.breached,
        reason=reason,
        paused_total=paused,
        elapsed=calendar.business_time_between(clock.started_at, at) - paused,
    )


def reschedule(
    clock: SlaClock, *, regulatory: tuple[str, datetime], at: datetime, by: Actor, reason: str
) -> ClockRescheduled | None:
    """Give a running clock a new regulatory deadline (a regulatory clock's own; on a clock
    stored with both sources, the earlier of it and the house one holds)."""
    source_name, due = regulatory
    if not clock.running or (
        due == clock.regulatory_deadline and source_name == clock.regulatory_source
    ):
        return None
    options = [(due, source_name)]
    if clock.house_deadline is not None:
        options.append((clock.house_deadline, f"house:{clock.policy}"))
    deadline, source = min(options)
    return ClockRescheduled(
        at=at,
        by=by,
        metric=clock.metric,
        regulatory_deadline=due,
        regulatory_source=source_name,
        deadline=deadline,
        source=source,
        reason=reason,
    )


def late_breach(clock: SlaClock, *, at: datetime, by: Actor) -> ClockBreached | None:
    """The breach of a clock about to stop past its deadline with no look in between."""
    if not clock.running or clock.breached or at <= clock.deadline:
        return None
    return ClockBreached(
        at=at, by=by, metric=clock.metric, deadline=clock.deadline, source=clock.source
    )


def checkpoint(
    clock: SlaClock, *, at: datetime, by: Actor, calendar: BusinessCalendar
) -> list[ClockEvent]:
    """The warning and breach a running, unpaused clock has reached by ``at``.

    A breached clock's warning is moot: a ticker whose clock lags behind the breach adds none.
    """
    if not clock.running or clock.paused:
        return []
    events: list[ClockEvent] = []
    if (
        not clock.warned
        and not clock.breached
        and clock.warn_at is not None
        and at >= clock.warn_at
        and at < clock.deadline
    ):
        events.append(
            ClockWarned(
                at=at,
                by=by,
                metric=clock.metric,
                deadline=clock.deadline,
                business_time_left=calendar.business_time_between(at, clock.deadline),
            )
        )
    if not clock.breached and at >= clock.deadline:
        events.append(
            ClockBreached(
                at=at, by=by, metric=clock.metric, deadline=clock.deadline, source=clock.source
            )
        )
    return events
