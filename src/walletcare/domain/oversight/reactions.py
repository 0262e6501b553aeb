"""What follows a case command or a due clock: clock events, rule firings, notices, timers.

Pure: given the case before and after a command (or a due timer), the time, its kind and the
compiled oversight, it says what to append; the case service appends it in the same commit
as the command.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from attrs import field, frozen

from walletcare.domain import sla
from walletcare.domain.cases.kind import CaseKind, CaseState
from walletcare.domain.escalation import (
    Action,
    ActionKind,
    Escalated,
    Firing,
    Once,
    PenaltyAccrued,
    RegulatorFlagged,
    Rule,
    RuleFired,
    TierAssigned,
    evaluate,
)
from walletcare.domain.events import SYSTEM, Actor, ActorRole, Event
from walletcare.domain.ladder import Ladder
from walletcare.domain.oversight.clocks import clock_events
from walletcare.domain.oversight.config import CompiledOversight
from walletcare.domain.oversight.facts import (
    calendar_of,
    facts_of,
    jurisdiction_calendar,
    profile_of,
)
from walletcare.domain.regulatory import NoRegulatoryProfile, RegulatoryProfile, late_days
from walletcare.domain.sla import SlaClock
from walletcare.errors import DomainError, TransitionNotAllowed, ValidationError

__all__ = ["RuleNotice", "Reaction", "react", "on_timer", "escalate", "metric_text"]


@frozen(kw_only=True)
class RuleNotice:
    """A notification a rule asked for; the case service renders and queues it."""

    rule: str
    action: Action
    summary: str
    matched: tuple[str, ...] = ()
    readings: tuple[str, ...] = ()


@frozen(kw_only=True)
class Reaction:
    """What oversight adds to a commit: events, notices, and timers to set (or cancel: None)."""

    events: tuple[Event, ...] = ()
    notices: tuple[RuleNotice, ...] = ()
    timers: dict[str, datetime | None] = field(factory=dict)


def _occurrence(case: CaseState) -> Callable[[Rule], str | None]:
    def key(rule: Rule) -> str | None:
        if rule.once is Once.CASE:
            return rule.id
        if rule.once is Once.REOPEN:
            return f"{rule.id}@reopen{case.reopen_count}"
        clock = sla.find_clock(case.clocks, rule.metric)
        return None if clock is None else f"{rule.id}@{rule.metric}#{clock.run}"

    return key


def _act(
    kind: CaseKind[Any],
    case: CaseState,
    firings: Sequence[Firing],
    now: datetime,
    compiled: CompiledOversight,
) -> tuple[list[Event], list[RuleNotice]]:
    events: list[Event] = []
    notices: list[RuleNotice] = []
    ladder = compiled.ladder
    tier = case.escalation.tier or ladder.start
    raised_state: Any = case
    for firing in firings:
        taken: list[str] = []
        acted: list[Event] = []
        matched, readings = firing.matched, firing.readings  # worked out on each reading
        for action in firing.rule.then:
            reason = action.reason or firing.rule.description or f"rule {firing.rule.id}"
            if action.kind is ActionKind.ESCALATE:
                target = action.tier or ladder.above(tier)
                if target is None or ladder.rank(target) <= ladder.rank(tier):
                    taken.append(f"escalate: already at {tier}")
                    continue
                acted.append(
                    Escalated(
                        at=now,
                        by=SYSTEM,
                        from_tier=tier,
                        to_tier=target,
                        reason=reason,
                        rule=firing.rule.id,
                    )
                )
                taken.append(f"escalate {tier} -> {target}")
                tier = target
            elif action.kind is ActionKind.RAISE_SEVERITY:
                raised, level = kind.raise_severity(
                    raised_state, now, f"rule {firing.rule.id}: {reason}"
                )
                if raised:
                    acted += raised
                    raised_state = kind.apply_all(raised_state, raised)
                taken.append(f"severity {level}" if level else "severity: not kept by this kind")
            elif action.kind is ActionKind.FLAG_REGULATOR:
                if not case.escalation.flagged_for_regulator:
                    acted.append(RegulatorFlagged(at=now, by=SYSTEM, reason=reason))
                taken.append("flag for regulator report")
            elif action.kind is ActionKind.ACCRUE_PENALTY:
                assert action.amount is not None
                acted.append(PenaltyAccrued(at=now, by=SYSTEM, amount=action.amount, reason=reason))
                taken.append(f"penalty {action.amount}")
            elif action.kind is ActionKind.NOTIFY:
                who = "customer" if action.customer else f"role:{action.role}"
                notices.append(
                    RuleNotice(
                        rule=firing.rule.id,
                        action=action,
                        summary=reason,
                        matched=matched,
                        readings=readings,
                    )
                )
                taken.append(f"notify {who} on {action.channel}")
        events.append(
            RuleFired(
                at=now,
                by=SYSTEM,
                rule=firing.rule.id,
                occurrence=firing.occurrence,
                matched=matched,
                readings=readings,
                actions=tuple(taken),
            )
        )
        events += acted
    return events, notices


def _timers(
    before: CaseState | None, after: CaseState, compiled: CompiledOversight, now: datetime
) -> dict[str, datetime | None]:
    timers: dict[str, datetime | None] = {}
    old = {c.metric: c for c in (before.clocks if before is not None else ())}
    for clock in after.clocks:
        if old.get(clock.metric) == clock:
            continue
        timers[f"sla:{clock.metric}"] = sla.next_checkpoint(clock)
    every = compiled.source.review_every
    if every is not None:
        was_open = before is not None and before.is_open
        if after.is_open and not was_open:
            timers["escalation:review"] = now + every
        elif was_open and not after.is_open:
            timers["escalation:review"] = None
    return timers


def _rules(
    kind: CaseKind[Any], case: CaseState, now: datetime, compiled: CompiledOversight
) -> tuple[list[Event], list[RuleNotice]]:
    if not compiled.rules:
        return [], []
    firings = evaluate(
        compiled.rules,
        facts_of(kind, case, now, compiled),
        now=now,
        fired=case.escalation.fired,
        occurrence=_occurrence(case),
    )
    return _act(kind, case, firings, now, compiled) if firings else ([], [])


def _follow_up(
    kind: CaseKind[Any], state: Any, now: datetime, compiled: CompiledOversight
) -> tuple[Any, list[Event], list[RuleNotice]]:
    """Rules on the state the clocks left, then the clocks their escalations start."""
    rule_events, notices = _rules(kind, state, now, compiled)
    final = kind.apply_all(state, rule_events) if rule_events else state
    escalations = [e for e in rule_events if isinstance(e, Escalated)]
    tier_clocks = clock_events(kind, final, escalations, now, compiled) if escalations else []
    final = kind.apply_all(final, tier_clocks) if tier_clocks else final
    return final, [*rule_events, *tier_clocks], notices


def react(  # noqa: PLR0917 (the kind, the case before and after, its events, time, config)
    kind: CaseKind[Any],
    before: CaseState | None,
    after: CaseState,
    events: Sequence[Event],
    now: datetime,
    compiled: CompiledOversight,
) -> Reaction:
    """What follows a command: clock events, rule firings and their actions, timers."""
    clocked: list[Event] = []
    if before is None and not after.escalation.tier:
        # The case starts at the ladder's start tier: its state, listing and facts say so.
        clocked.append(TierAssigned(at=now, by=SYSTEM, tier=compiled.ladder.start))
    clocked += clock_events(kind, after, events, now, compiled)
    if before is None:
        clocked += _unregulated(after, compiled)
    state = kind.apply_all(after, clocked) if clocked else after
    settled, settled_timers = _settle_compensation(kind, state, clocked, compiled)
    if settled:
        clocked += settled
        state = kind.apply_all(state, settled)
    final, followed, notices = _follow_up(kind, state, now, compiled)
    timers = {**_timers(before, final, compiled, now), **settled_timers}
    return Reaction(events=(*clocked, *followed), notices=tuple(notices), timers=timers)


def _settle_compensation(
    kind: CaseKind[Any], case: CaseState, events: Sequence[Event], compiled: CompiledOversight
) -> tuple[list[Event], dict[str, datetime | None]]:
    """Top compensation up to the instant a late penalised clock stopped (RBI: the reversal).

    Penalty timers accrue it day by day while the clock runs; the stop settles the rest from
    the stop's own instant, so the sum is the same whether or not any tick ran in between.
    """
    out: list[Event] = []
    timers: dict[str, datetime | None] = {}
    stopped = [e for e in events if isinstance(e, sla.ClockStopped)]
    if not stopped:
        return out, timers  # most commands stop no clock: no profile to look up
    profile = profile_of(case, compiled)
    for event in stopped:
        clock = sla.find_clock(case.clocks, event.metric)
        if clock is not None and _penalised(profile, clock):
            so_far = kind.apply_all(case, out) if out else case
            out += _accrue(so_far, clock, profile, event.at, compiled)
            timers[f"penalty:{event.metric}"] = None
    return out, timers


def _unregulated(case: CaseState, compiled: CompiledOversight) -> list[Event]:
    """Say so, when a case opens, if no regulatory profile (so no regulatory clock) applies."""
    if not compiled.regulatory:
        return []  # no regulation covers this kind of case: nothing to explain
    why = compiled.regulation.unapplied(case.jurisdiction, case.product, compiled.regulatory)
    if not why:
        return []
    return [
        NoRegulatoryProfile(
            at=case.opened_at,
            by=SYSTEM,
            jurisdiction=case.jurisdiction,
            product=case.product,
            reason=why,
        )
    ]


def on_timer(
    kind: CaseKind[Any], case: CaseState, name: str, now: datetime, compiled: CompiledOversight
) -> Reaction:
    """What a due ``sla:<metric>``, ``penalty:<metric>`` or ``escalation:review`` timer does."""
    family, _, metric = name.partition(":")
    clocked: list[Event] = []
    timers: dict[str, datetime | None] = {}
    profile = profile_of(case, compiled)
    if family == "sla":
        clock = sla.find_clock(case.clocks, metric)
        if clock is not None:
            clocked += sla.checkpoint(
                clock, at=now, by=SYSTEM, calendar=calendar_of(clock, case, compiled)
            )
            if any(isinstance(e, sla.ClockBreached) for e in clocked) and _penalised(
                profile, clock
            ):
                clocked += _accrue(case, clock, profile, now, compiled)
                timers[f"penalty:{metric}"] = _next_midnight(case, now, compiled)
    elif family == "penalty":
        clock = sla.find_clock(case.clocks, metric)
        if clock is not None and clock.running and _penalised(profile, clock):
            clocked += _accrue(case, clock, profile, now, compiled)
            timers[name] = _next_midnight(case, now, compiled)
    state = kind.apply_all(case, clocked) if clocked else case
    final, followed, notices = _follow_up(kind, state, now, compiled)
    timers = {**_timers(case, final, compiled, now), **timers}
    if family == "sla" and f"sla:{metric}" not in timers:
        clock = sla.find_clock(final.clocks, metric)
        timers[f"sla:{metric}"] = sla.next_checkpoint(clock) if clock is not None else None
    if family == "escalation" and final.is_open and compiled.source.review_every is not None:
        timers[name] = now + compiled.source.review_every
    return Reaction(events=(*clocked, *followed), notices=tuple(notices), timers=timers)


def _penalised(profile: RegulatoryProfile | None, clock: SlaClock) -> bool:
    """Whether the profile's penalty follows ``clock``: its regulatory clock of the metric
    (or a clock stored with both sources, before each had its own)."""
    if profile is None or profile.penalty is None:
        return False
    if sla.is_regulatory(clock.metric):
        return sla.measured_metric(clock.metric) == profile.penalty.metric
    return clock.metric == profile.penalty.metric and bool(clock.regulatory_source)


def _accrue(
    case: CaseState,
    clock: SlaClock,
    profile: RegulatoryProfile | None,
    now: datetime,
    compiled: CompiledOversight,
) -> list[Event]:
    """Bring the accrued compensation up to the days begun late so far (never twice)."""
    assert profile is not None and profile.penalty is not None
    calendar = jurisdiction_calendar(case, compiled)
    days = late_days(clock.deadline, now, calendar)
    unit = profile.penalty.amount
    # Only this metric's compensation counts: a rule's own penalty is not part of it.
    accrued = sum(
        (m.minor_units for metric, m in case.escalation.compensation if metric == clock.metric),
        0,
    )
    owed = unit.minor_units * days - accrued
    if owed <= 0:
        return []
    amount = type(unit).from_minor_units(owed, unit.currency)
    return [
        PenaltyAccrued(
            at=now,
            by=SYSTEM,
            amount=amount,
            metric=clock.metric,
            reason=(
                f"{profile.name}: {metric_text(sla.measured_metric(clock.metric))} "
                f"{days} day(s) late at {unit} a day"
            ),
        )
    ]


def metric_text(metric: str) -> str:
    """A metric name for people."""
    return metric.replace("_", " ")


def _next_midnight(case: CaseState, now: datetime, compiled: CompiledOversight) -> datetime:
    """The next local midnight in the case's jurisdiction: when another day begins late."""
    calendar = jurisdiction_calendar(case, compiled)
    return calendar.end_of_day(calendar.local_date(now))


def escalate(
    case: CaseState, *, by: Actor, at: datetime, reason: str, ladder: Ladder, to_tier: str = ""
) -> list[Event]:
    """Staff move an open case up the ladder (to ``to_tier``, or the next tier), saying why."""
    if not case.is_open:
        raise TransitionNotAllowed(f"case {case.id} is closed or resolved; reopen it first")
    if not isinstance(by, Actor) or by.role is not ActorRole.STAFF:
        raise DomainError("only staff escalate by hand; rules escalate as the system")
    if not isinstance(reason, str) or not reason.strip():
        raise ValidationError.of("reason", "say why the case is escalated")
    if not isinstance(to_tier, str):
        raise ValidationError.of("to_tier", "must be a tier name")
    current = case.escalation.tier or ladder.start
    target = to_tier or ladder.above(current)
    if target is None or target not in ladder.tiers:
        raise ValidationError.of(
            "to_tier", f"{to_tier or 'the next tier'} is not above {current} on the ladder"
        )
    if ladder.rank(target) <= ladder.rank(current):
        raise ValidationError.of("to_tier", f"{target} is not above the current tier {current}")
    return [Escalated(at=at, by=by, from_tier=current, to_tier=target, reason=reason.strip())]
