"""What follows a complaint command or a due clock: clock events, rule firings, notices, timers.

Pure: given the complaint before and after a command (or a due timer), the time and the
compiled oversight, it says what to append; the complaint service appends it in the same
commit as the command.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

import attrs

from walletcare.domain import sla
from walletcare.domain.complaints.events import (
    ComplaintAcknowledged,
    ComplaintClosed,
    ComplaintMerged,
    ComplaintReceived,
    ComplaintReopened,
    ComplaintResolved,
    ComplaintWithdrawn,
    ContactRecorded,
    FlagsAdded,
    HoldingReplySent,
    InformationProvided,
    InformationRequested,
    SeverityChanged,
)
from walletcare.domain.complaints.oversight import (
    HOUSE_METRICS,
    CompiledOversight,
    Notice,
    Outcome,
    calendar_of,
    facts_of,
    flags_of,
    jurisdiction_calendar,
    profile_of,
    sla_policy_for,
)
from walletcare.domain.complaints.state import Complaint, apply_all
from walletcare.domain.complaints.values import Direction
from walletcare.domain.escalation import (
    ActionKind,
    Escalated,
    Firing,
    Once,
    PenaltyAccrued,
    RegulatorFlagged,
    Rule,
    RuleFired,
    evaluate,
)
from walletcare.domain.events import SYSTEM, Event
from walletcare.domain.regulatory import (
    RegulatoryProfile,
    deadlines,
    late_days,
)
from walletcare.domain.sla import Clock, ClockEvent, SlaPolicy

__all__ = [
    "react",
    "on_timer",
    "metric_text",
]


def _regulatory(
    complaint: Complaint, compiled: CompiledOversight
) -> dict[str, tuple[str, datetime]]:
    """The regulatory deadlines that apply to the complaint with its current flags."""
    profile = profile_of(complaint, compiled)
    if profile is None:
        return {}
    found = deadlines(
        profile,
        flags=flags_of(complaint),
        received_at=complaint.received_at,
        occurred_at=complaint.occurred_at,
        calendar=jurisdiction_calendar(complaint, compiled),
    )
    return {metric: (f"{profile.name}:{metric}", d.due_at) for metric, d in found.items()}


def _rescheduled(
    complaint: Complaint,
    clocks: dict[str, Clock],
    now: datetime,
    compiled: CompiledOversight,
    reason: str,
) -> list[ClockEvent]:
    """Bring the clocks in line with the regulatory deadlines the complaint's flags now give."""
    policy = sla_policy_for(complaint, now, compiled)
    out: list[ClockEvent] = []
    for metric, regulatory in _regulatory(complaint, compiled).items():
        clock = clocks.get(metric)
        change: ClockEvent | None
        if clock is None:
            change = sla.start(
                metric=metric, policy=policy, regulatory=regulatory, at=now, run=1, by=SYSTEM
            )
        else:
            change = sla.reschedule(clock, regulatory=regulatory, at=now, by=SYSTEM, reason=reason)
        if change is not None:
            out.append(change)
    return out


def _start_all(
    complaint: Complaint, now: datetime, compiled: CompiledOversight
) -> list[ClockEvent]:
    policy = sla_policy_for(complaint, now, compiled)
    regulatory = _regulatory(complaint, compiled)
    metrics = [m for m in HOUSE_METRICS if policy is not None and policy.target(m) is not None]
    metrics += [m for m in regulatory if m not in metrics]
    started: list[ClockEvent] = []
    for metric in metrics:
        event = sla.start(
            metric=metric,
            policy=policy,
            regulatory=regulatory.get(metric),
            at=now,
            run=1,
            by=SYSTEM,
        )
        if event is not None:
            started.append(event)
    return started


def _restart(
    clock: Clock | None, metric: str, policy: SlaPolicy | None, now: datetime
) -> list[ClockEvent]:
    if policy is None or policy.target(metric) is None:
        return []
    run = clock.run + 1 if clock is not None else 1
    event = sla.start(metric=metric, policy=policy, regulatory=None, at=now, run=run, by=SYSTEM)
    return [event] if event is not None else []


def _clock_events(  # noqa: PLR0912 (one branch per kind of case event)
    after: Complaint,
    events: Sequence[Event],
    now: datetime,
    compiled: CompiledOversight,
) -> list[ClockEvent]:
    out: list[ClockEvent] = []
    clocks = {c.metric: c for c in after.clocks}
    policy_of: Callable[[Clock], SlaPolicy | None] = lambda c: compiled.policies.get(c.policy)  # noqa: E731
    for event in events:
        applied = len(out)
        match event:
            case ComplaintReceived():
                out += _start_all(after, now, compiled)
            case ComplaintAcknowledged():
                if (c := clocks.get("acknowledgement")) is not None:
                    acked = sla.stop(
                        c, at=now, by=SYSTEM, reason="acknowledged", policy=policy_of(c)
                    )
                    out += [acked] if acked else []
            case ContactRecorded(contact=contact) if (
                contact.direction is Direction.OUTBOUND and after.is_open
            ):
                c = clocks.get("update")
                if c is not None:
                    stopped = sla.stop(
                        c, at=now, by=SYSTEM, reason="customer updated", policy=policy_of(c)
                    )
                    out += [stopped] if stopped else []
                    out += _restart(c, "update", policy_of(c), now)
            case InformationRequested():
                out += [p for c in clocks.values() if (p := sla.pause(c, at=now, by=SYSTEM))]
            case InformationProvided():
                out += [
                    r
                    for c in clocks.values()
                    if (pol := policy_of(c)) is not None
                    and (r := sla.resume(c, at=now, by=SYSTEM, policy=pol))
                ]
            case ComplaintResolved() | ComplaintClosed() | ComplaintWithdrawn() | ComplaintMerged():
                reason = event.kind.split(".", 1)[1]
                out += [
                    st
                    for c in clocks.values()
                    if c.running
                    and (st := sla.stop(c, at=now, by=SYSTEM, reason=reason, policy=policy_of(c)))
                ]
            case FlagsAdded(reason=reason):
                out += _rescheduled(after, clocks, now, compiled, reason)
            case HoldingReplySent():
                changes = _rescheduled(
                    after, clocks, now, compiled, "exceptional case: holding reply sent"
                )
                out += changes
                holding = clocks.get("holding_reply")
                for change in changes:
                    if change.metric == "holding_reply" and isinstance(change, sla.ClockStarted):
                        (holding,) = sla.apply_clock_event((), change)
                if holding is not None:
                    stopped = sla.stop(
                        holding,
                        at=now,
                        by=SYSTEM,
                        reason="holding reply sent",
                        policy=policy_of(holding),
                    )
                    out += [stopped] if stopped else []
            case ComplaintReopened():
                policy = sla_policy_for(after, now, compiled)
                if policy is not None and policy.reopen_restarts:
                    out += _restart(clocks.get("resolution"), "resolution", policy, now)
                    out += _restart(clocks.get("update"), "update", policy, now)
            case Escalated(to_tier=tier):
                name = compiled.ladder.tier_sla.get(tier)
                if name is not None:
                    policy = compiled.policies[name]
                    metric = f"tier_{tier}"
                    target = policy.target("resolution")
                    if target is not None:
                        tier_policy = SlaPolicy(
                            name=policy.name,
                            calendar=policy.calendar,
                            targets=(attrs.evolve(target, metric=metric),),
                        )
                        out += _restart(clocks.get(metric), metric, tier_policy, now)
        for change in out[applied:]:
            clocks = {c.metric: c for c in sla.apply_clock_event(tuple(clocks.values()), change)}
    return out


def _occurrence(complaint: Complaint) -> Callable[[Rule], str | None]:
    def key(rule: Rule) -> str | None:
        if rule.once is Once.CASE:
            return rule.id
        if rule.once is Once.REOPEN:
            return f"{rule.id}@reopen{complaint.reopen_count}"
        clock = sla.find_clock(complaint.clocks, rule.metric)
        return None if clock is None else f"{rule.id}@{rule.metric}#{clock.run}"

    return key


def _act(
    complaint: Complaint, firings: Sequence[Firing], now: datetime, compiled: CompiledOversight
) -> tuple[list[Event], list[Notice]]:
    events: list[Event] = []
    notices: list[Notice] = []
    tier = complaint.escalation.tier or compiled.ladder.start
    severity = complaint.severity
    for firing in firings:
        taken: list[str] = []
        acted: list[Event] = []
        for action in firing.rule.then:
            reason = action.reason or firing.rule.description or f"rule {firing.rule.id}"
            if action.kind is ActionKind.ESCALATE:
                target = action.tier or compiled.ladder.above(tier)
                if target is None or compiled.ladder.rank(target) <= compiled.ladder.rank(tier):
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
                raised = severity.raised()
                if raised is not severity:
                    acted.append(
                        SeverityChanged(
                            complaint_id=complaint.id,
                            at=now,
                            by=SYSTEM,
                            severity=raised,
                            reason=f"rule {firing.rule.id}: {reason}",
                        )
                    )
                    severity = raised
                taken.append(f"severity {raised.value}")
            elif action.kind is ActionKind.FLAG_REGULATOR:
                if not complaint.escalation.flagged_for_regulator:
                    acted.append(RegulatorFlagged(at=now, by=SYSTEM, reason=reason))
                taken.append("flag for regulator report")
            elif action.kind is ActionKind.ACCRUE_PENALTY:
                assert action.amount is not None
                acted.append(PenaltyAccrued(at=now, by=SYSTEM, amount=action.amount, reason=reason))
                taken.append(f"penalty {action.amount}")
            elif action.kind is ActionKind.NOTIFY:
                who = "customer" if action.customer else f"role:{action.role}"
                notices.append(
                    Notice(
                        rule=firing.rule.id,
                        action=action,
                        summary=reason,
                        matched=firing.matched,
                        readings=firing.readings,
                    )
                )
                taken.append(f"notify {who} on {action.channel}")
        events.append(
            RuleFired(
                at=now,
                by=SYSTEM,
                rule=firing.rule.id,
                occurrence=firing.occurrence,
                matched=firing.matched,
                readings=firing.readings,
                actions=tuple(taken),
            )
        )
        events += acted
    return events, notices


def _timers(
    before: Complaint | None, after: Complaint, compiled: CompiledOversight, now: datetime
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


def _apply(complaint: Complaint, events: Sequence[Event]) -> Complaint:
    return apply_all(complaint, events) if events else complaint


def _rules_and_penalties(
    complaint: Complaint, now: datetime, compiled: CompiledOversight
) -> tuple[list[Event], list[Notice]]:
    if not compiled.rules:
        return [], []
    firings = evaluate(
        compiled.rules,
        facts_of(complaint, now, compiled),
        now=now,
        fired=complaint.escalation.fired,
        occurrence=_occurrence(complaint),
    )
    return _act(complaint, firings, now, compiled) if firings else ([], [])


def _follow_up(
    state: Complaint, now: datetime, compiled: CompiledOversight
) -> tuple[Complaint, list[Event], list[Notice]]:
    """Rules on the state the clocks left, then the clocks their escalations start."""
    rule_events, notices = _rules_and_penalties(state, now, compiled)
    final = _apply(state, rule_events)
    escalations = [e for e in rule_events if isinstance(e, Escalated)]
    tier_clocks = _clock_events(final, escalations, now, compiled) if escalations else []
    return _apply(final, tier_clocks), [*rule_events, *tier_clocks], notices


def react(
    before: Complaint | None,
    after: Complaint,
    events: Sequence[Event],
    now: datetime,
    compiled: CompiledOversight,
) -> Outcome:
    """What follows a command: clock events, rule firings and their actions, timers."""
    clock_events = _clock_events(after, events, now, compiled)
    final, followed, notices = _follow_up(_apply(after, clock_events), now, compiled)
    timers = _timers(before, final, compiled, now)
    return Outcome(events=(*clock_events, *followed), notices=tuple(notices), timers=timers)


def on_timer(
    complaint: Complaint, name: str, now: datetime, compiled: CompiledOversight
) -> Outcome:
    """What a due ``sla:<metric>``, ``penalty:<metric>`` or ``escalation:review`` timer does."""
    family, _, metric = name.partition(":")
    clock_events: list[Event] = []
    timers: dict[str, datetime | None] = {}
    profile = profile_of(complaint, compiled)
    if family == "sla":
        clock = sla.find_clock(complaint.clocks, metric)
        if clock is not None:
            clock_events += sla.checkpoint(
                clock, at=now, by=SYSTEM, calendar=calendar_of(clock, complaint, compiled)
            )
            if any(isinstance(e, sla.ClockBreached) for e in clock_events) and _penalised(
                profile, metric
            ):
                clock_events += _accrue(complaint, clock, profile, now, compiled)
                timers[f"penalty:{metric}"] = _next_midnight(complaint, now, compiled)
    elif family == "penalty":
        clock = sla.find_clock(complaint.clocks, metric)
        if clock is not None and clock.running and _penalised(profile, metric):
            clock_events += _accrue(complaint, clock, profile, now, compiled)
            timers[name] = _next_midnight(complaint, now, compiled)
    final, followed, notices = _follow_up(_apply(complaint, clock_events), now, compiled)
    timers = {**_timers(complaint, final, compiled, now), **timers}
    if family == "sla" and f"sla:{metric}" not in timers:
        clock = sla.find_clock(final.clocks, metric)
        timers[f"sla:{metric}"] = sla.next_checkpoint(clock) if clock is not None else None
    if family == "escalation" and final.is_open and compiled.source.review_every is not None:
        timers[name] = now + compiled.source.review_every
    return Outcome(events=(*clock_events, *followed), notices=tuple(notices), timers=timers)


def _penalised(profile: RegulatoryProfile | None, metric: str) -> bool:
    return profile is not None and profile.penalty is not None and profile.penalty.metric == metric


def _accrue(
    complaint: Complaint,
    clock: Clock,
    profile: RegulatoryProfile | None,
    now: datetime,
    compiled: CompiledOversight,
) -> list[Event]:
    """Bring the accrued compensation up to the days begun late so far (never twice)."""
    assert profile is not None and profile.penalty is not None
    calendar = jurisdiction_calendar(complaint, compiled)
    days = late_days(clock.deadline, now, calendar)
    unit = profile.penalty.amount
    # Only this metric's compensation counts: a rule's own penalty is not part of it.
    accrued = sum(
        (
            m.minor_units
            for metric, m in complaint.escalation.compensation
            if metric == clock.metric
        ),
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
                f"{profile.name}: {metric_text(clock.metric)} {days} day(s) late at {unit} a day"
            ),
        )
    ]


def metric_text(metric: str) -> str:
    """A metric name for people."""
    return metric.replace("_", " ")


def _next_midnight(complaint: Complaint, now: datetime, compiled: CompiledOversight) -> datetime:
    """The next local midnight in the complaint's jurisdiction: when another day begins late."""
    calendar = jurisdiction_calendar(complaint, compiled)
    return calendar.end_of_day(calendar.local_date(now))
