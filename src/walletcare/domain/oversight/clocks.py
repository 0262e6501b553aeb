"""What a case's events do to its SLA clocks, through the effects its kind declares."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import attrs

from walletcare.domain import sla
from walletcare.domain.calendars import BusinessCalendar
from walletcare.domain.cases.kind import (
    CaseKind,
    CaseState,
    ClockEffect,
    PauseClocks,
    RescheduleClocks,
    RestartClock,
    ResumeClocks,
    StartClock,
    StartClocks,
    StartFindingClocks,
    StopClock,
    StopClocks,
)
from walletcare.domain.escalation import Escalated
from walletcare.domain.events import SYSTEM, Event
from walletcare.domain.oversight.config import CompiledOversight
from walletcare.domain.oversight.facts import (
    calendar_of,
    flags_of,
    jurisdiction_calendar,
    profile_of,
    sla_policy_for,
)
from walletcare.domain.regulatory import CountFrom, deadlines
from walletcare.domain.sla import ClockEvent, SlaClock, SlaPolicy

__all__ = ["clock_events", "regulatory_deadlines"]


def regulatory_deadlines(
    case: CaseState,
    compiled: CompiledOversight,
    *,
    found_at: datetime | None = None,
    error_found: bool = False,
) -> dict[str, tuple[str, datetime]]:
    """The regulatory deadlines that apply to the case with its current flags, by the metric
    each measures: ``(source, due)``.

    Without ``found_at``, those counting from receipt or occurrence; with it, only those
    counting from the investigation's finding (``error_found``: the finding was an error).
    """
    profile = profile_of(case, compiled)
    if profile is None:
        return {}
    flags = flags_of(case)
    if error_found:
        flags.add("error_found")
    found = deadlines(
        profile,
        flags=flags,
        product=case.product,
        received_at=case.opened_at,
        occurred_at=case.occurred_at,
        calendar=jurisdiction_calendar(case, compiled),
        found_at=found_at,
    )
    finding = {d.metric for d in profile.deadlines if d.count_from is CountFrom.FINDING}
    return {
        metric: (f"{profile.name}:{metric}", d.due_at)
        for metric, d in found.items()
        if (metric in finding) == (found_at is not None)
    }


class _Clocks:
    """The clocks as effects move them, one effect after another, within one command."""

    def __init__(
        self, kind: CaseKind[Any], case: CaseState, now: datetime, compiled: CompiledOversight
    ) -> None:
        self.kind = kind
        self.case = case
        self.now = now
        self.compiled = compiled
        self.clocks = {c.metric: c for c in case.clocks}
        self.out: list[ClockEvent] = []

    def emit(self, change: ClockEvent | None) -> None:
        if change is None:
            return
        self.out.append(change)
        moved = sla.apply_clock_event(tuple(self.clocks.values()), change)
        self.clocks = {c.metric: c for c in moved}

    def calendar(self, clock: SlaClock) -> BusinessCalendar:
        return calendar_of(clock, self.case, self.compiled)

    def house_policy(self) -> SlaPolicy | None:
        return sla_policy_for(self.kind, self.case, self.now, self.compiled)

    def restart(self, metric: str, policy: SlaPolicy | None) -> None:
        clock = self.clocks.get(metric)
        run = clock.run + 1 if clock is not None else 1
        self.emit(sla.start(metric=metric, policy=policy, at=self.now, run=run, by=SYSTEM))

    def start_regulatory(
        self, metric: str, source: str, due: datetime, policy: SlaPolicy | None
    ) -> None:
        profile = profile_of(self.case, self.compiled)
        self.emit(
            sla.start_regulatory(
                metric=metric,
                source=source,
                due=due,
                paused_by=profile.paused_by if profile is not None else frozenset(),
                warning=policy.target(metric) if policy is not None else None,
                calendar=jurisdiction_calendar(self.case, self.compiled),
                at=self.now,
                by=SYSTEM,
            )
        )

    def start_all(self) -> None:
        """Each source its own clock: the house clocks, then the regulatory ones."""
        policy = self.house_policy()
        for metric in self.kind.metrics:
            self.emit(sla.start(metric=metric, policy=policy, at=self.now, run=1, by=SYSTEM))
        for metric, (source, due) in regulatory_deadlines(self.case, self.compiled).items():
            self.start_regulatory(metric, source, due, policy)

    def start_from_finding(self, error_found: bool) -> None:
        policy = self.house_policy()
        found = regulatory_deadlines(
            self.case, self.compiled, found_at=self.now, error_found=error_found
        )
        for metric, (source, due) in found.items():
            clock = self.clocks.get(sla.regulatory_metric(metric))
            if clock is not None and clock.running:
                continue  # a finding already started it: a second one changes nothing
            self.start_regulatory(metric, source, due, policy)

    def start_given(self, effect: StartClock) -> None:
        """A new run of a kind's own clock from now, due at the earliest deadline it gives."""
        given = sorted((due, source) for source, due in effect.deadlines)
        due, source = given[0]
        clock = self.clocks.get(effect.metric)
        warn_at = None
        if effect.warn_before is not None and due - effect.warn_before < due:
            warn_at = max(self.now, due - effect.warn_before)
        self.emit(
            sla.ClockStarted(
                at=self.now,
                by=SYSTEM,
                metric=effect.metric,
                policy="",
                source=source,
                run=clock.run + 1 if clock is not None else 1,
                deadline=due,
                regulatory_deadline=due,
                regulatory_source=source,
                warn_at=warn_at if warn_at is not None and warn_at < due else None,
                pauses=False,
                paused_by=(),
                candidates=tuple(f"{s}={d.isoformat()}" for d, s in given),
            )
        )

    def reschedule(self, reason: str) -> None:
        policy = self.house_policy()
        for metric, regulatory in regulatory_deadlines(self.case, self.compiled).items():
            clock = self.clocks.get(sla.regulatory_metric(metric))
            legacy = self.clocks.get(metric)
            if clock is None and legacy is not None and legacy.regulatory_source:
                clock = legacy  # stored with both sources on one clock
            if clock is None:
                self.start_regulatory(metric, *regulatory, policy)
            else:
                self.emit(
                    sla.reschedule(
                        clock, regulatory=regulatory, at=self.now, by=SYSTEM, reason=reason
                    )
                )

    def stop(self, clock: SlaClock, reason: str) -> None:
        """Stop a clock; one stopping past its deadline with no look since records its breach.

        A paused clock resumes first, so its deadline has moved out by the pause before it
        is judged met or late.
        """
        if not clock.running:
            return
        if clock.paused:
            self.emit(sla.resume(clock, at=self.now, by=SYSTEM, calendar=self.calendar(clock)))
            clock = self.clocks[clock.metric]
        self.emit(sla.late_breach(clock, at=self.now, by=SYSTEM))
        clock = self.clocks[clock.metric]
        self.emit(
            sla.stop(clock, at=self.now, by=SYSTEM, reason=reason, calendar=self.calendar(clock))
        )

    def apply(self, effect: ClockEffect) -> None:  # noqa: PLR0912 (one branch per effect)
        now = self.now
        match effect:
            case StartClocks():
                self.start_all()
            case StartClock(metric=metric, deadlines=()):
                clock = self.clocks.get(metric)
                if clock is None or not clock.running:
                    self.restart(metric, self.house_policy())
            case StartClock():
                self.start_given(effect)
            case StartFindingClocks(error_found=error_found):
                self.start_from_finding(error_found)
            case StopClock(metric=metric, reason=reason):
                for name in (metric, sla.regulatory_metric(metric)):
                    if (clock := self.clocks.get(name)) is not None:
                        self.stop(clock, reason)
            case StopClocks(reason=reason):
                for clock in list(self.clocks.values()):
                    self.stop(clock, reason)
            case RestartClock(metric=metric, on_reopen=on_reopen):
                clock = self.clocks.get(metric)
                if on_reopen:
                    policy = self.house_policy()
                    if policy is None or not policy.reopen_restarts:
                        return
                else:
                    policy = (
                        self.compiled.policies.get(clock.policy)
                        if clock is not None
                        else self.house_policy()
                    )
                self.restart(metric, policy)
            case PauseClocks(waiting_on=waiting_on):
                for clock in list(self.clocks.values()):
                    self.emit(sla.pause(clock, at=now, by=SYSTEM, waiting_on=waiting_on))
            case ResumeClocks():
                for clock in list(self.clocks.values()):
                    self.emit(sla.resume(clock, at=now, by=SYSTEM, calendar=self.calendar(clock)))
            case RescheduleClocks(reason=reason):
                self.reschedule(reason)

    def escalated(self, tier: str) -> None:
        """A tier with its own SLA starts a ``tier_<tier>`` clock from its resolution target."""
        name = self.compiled.ladder.tier_sla.get(tier)
        if name is None:
            return
        policy = self.compiled.policies[name]
        metric = f"tier_{tier}"
        target = policy.target("resolution")
        if target is None:
            return
        tier_policy = SlaPolicy(
            name=policy.name,
            calendar=policy.calendar,
            targets=(attrs.evolve(target, metric=metric),),
        )
        self.restart(metric, tier_policy)


def clock_events(
    kind: CaseKind[Any],
    after: CaseState,
    events: Sequence[Event],
    now: datetime,
    compiled: CompiledOversight,
) -> list[ClockEvent]:
    """The clock events that follow ``events`` on the case as it stands after them."""
    clocks = _Clocks(kind, after, now, compiled)
    for event in events:
        if isinstance(event, Escalated):
            clocks.escalated(event.to_tier)
            continue
        for effect in kind.clock_effects(after, event):
            clocks.apply(effect)
    return clocks.out
