"""What a case's events do to its SLA clocks, through the effects its kind declares."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import attrs

from walletcare.domain import sla
from walletcare.domain.cases.kind import (
    CaseKind,
    CaseState,
    ClockEffect,
    PauseClocks,
    RescheduleClocks,
    RestartClock,
    ResumeClocks,
    StartClocks,
    StopClock,
    StopClocks,
)
from walletcare.domain.escalation import Escalated
from walletcare.domain.events import SYSTEM, Event
from walletcare.domain.oversight.config import CompiledOversight
from walletcare.domain.oversight.facts import (
    flags_of,
    jurisdiction_calendar,
    profile_of,
    sla_policy_for,
)
from walletcare.domain.regulatory import deadlines
from walletcare.domain.sla import ClockEvent, SlaClock, SlaPolicy

__all__ = ["clock_events", "regulatory_deadlines"]


def regulatory_deadlines(
    case: CaseState, compiled: CompiledOversight
) -> dict[str, tuple[str, datetime]]:
    """The regulatory deadlines that apply to the case with its current flags."""
    profile = profile_of(case, compiled)
    if profile is None:
        return {}
    found = deadlines(
        profile,
        flags=flags_of(case),
        product=case.product,
        received_at=case.opened_at,
        occurred_at=case.occurred_at,
        calendar=jurisdiction_calendar(case, compiled),
    )
    return {metric: (f"{profile.name}:{metric}", d.due_at) for metric, d in found.items()}


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

    def policy_of(self, clock: SlaClock) -> SlaPolicy | None:
        return self.compiled.policies.get(clock.policy)

    def house_policy(self) -> SlaPolicy | None:
        return sla_policy_for(self.kind, self.case, self.now, self.compiled)

    def restart(self, metric: str, policy: SlaPolicy | None) -> None:
        if policy is None or policy.target(metric) is None:
            return
        clock = self.clocks.get(metric)
        run = clock.run + 1 if clock is not None else 1
        self.emit(
            sla.start(
                metric=metric, policy=policy, regulatory=None, at=self.now, run=run, by=SYSTEM
            )
        )

    def start_all(self) -> None:
        policy = self.house_policy()
        regulatory = regulatory_deadlines(self.case, self.compiled)
        metrics = [
            m for m in self.kind.metrics if policy is not None and policy.target(m) is not None
        ]
        metrics += [m for m in regulatory if m not in metrics]
        for metric in metrics:
            self.emit(
                sla.start(
                    metric=metric,
                    policy=policy,
                    regulatory=regulatory.get(metric),
                    at=self.now,
                    run=1,
                    by=SYSTEM,
                )
            )

    def reschedule(self, reason: str) -> None:
        policy = self.house_policy()
        for metric, regulatory in regulatory_deadlines(self.case, self.compiled).items():
            clock = self.clocks.get(metric)
            if clock is None:
                self.emit(
                    sla.start(
                        metric=metric,
                        policy=policy,
                        regulatory=regulatory,
                        at=self.now,
                        run=1,
                        by=SYSTEM,
                    )
                )
            else:
                self.emit(
                    sla.reschedule(
                        clock, regulatory=regulatory, at=self.now, by=SYSTEM, reason=reason
                    )
                )

    def apply(self, effect: ClockEffect) -> None:  # noqa: PLR0912 (one branch per effect)
        now = self.now
        match effect:
            case StartClocks():
                self.start_all()
            case StopClock(metric=metric, reason=reason):
                if (clock := self.clocks.get(metric)) is not None:
                    self.emit(
                        sla.stop(
                            clock, at=now, by=SYSTEM, reason=reason, policy=self.policy_of(clock)
                        )
                    )
            case StopClocks(reason=reason):
                for clock in list(self.clocks.values()):
                    if clock.running:
                        self.emit(
                            sla.stop(
                                clock,
                                at=now,
                                by=SYSTEM,
                                reason=reason,
                                policy=self.policy_of(clock),
                            )
                        )
            case RestartClock(metric=metric, on_reopen=on_reopen):
                clock = self.clocks.get(metric)
                if on_reopen:
                    policy = self.house_policy()
                    if policy is None or not policy.reopen_restarts:
                        return
                else:
                    policy = self.policy_of(clock) if clock is not None else self.house_policy()
                self.restart(metric, policy)
            case PauseClocks():
                for clock in list(self.clocks.values()):
                    self.emit(sla.pause(clock, at=now, by=SYSTEM))
            case ResumeClocks():
                for clock in list(self.clocks.values()):
                    if (policy := self.policy_of(clock)) is not None:
                        self.emit(sla.resume(clock, at=now, by=SYSTEM, policy=policy))
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
