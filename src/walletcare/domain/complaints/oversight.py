"""Oversight of complaints: the SLA policies, regulatory profiles, ladder and rules that
apply, compiled once, and the facts rules read about a complaint.

What follows from a command or a due timer is in ``walletcare.domain.complaints.reactions``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, timedelta
from typing import Any

from attrs import field, frozen

from walletcare.domain import sla
from walletcare.domain.calendars import BusinessCalendar
from walletcare.domain.complaints.state import Complaint
from walletcare.domain.escalation import (
    Action,
    CompiledRule,
    Condition,
    Escalated,
    Ladder,
    Rule,
    RuleBook,
    compile_rules,
)
from walletcare.domain.events import Actor, ActorRole, Event
from walletcare.domain.regulatory import (
    DEFAULT_CHOICES,
    JURISDICTIONS,
    Jurisdiction,
    ProfileChoice,
    RegulatoryProfile,
    choose_profile,
)
from walletcare.domain.sla import Clock, SlaPolicy
from walletcare.errors import DomainError, TransitionNotAllowed, ValidationError

__all__ = [
    "SlaChoice",
    "Oversight",
    "CompiledOversight",
    "Notice",
    "Outcome",
    "HOUSE_METRICS",
    "PAYMENT_PRODUCTS",
    "facts_of",
    "final_response_notice",
    "escalate",
    "profile_of",
    "sla_policy_for",
    "flags_of",
    "jurisdiction_calendar",
    "calendar_of",
]

HOUSE_METRICS = ("acknowledgement", "update", "resolution")
PAYMENT_PRODUCTS = frozenset({"payment", "e_money", "wallet", "ppi", "remittance"})
"""Products whose complaints count as payment or e-money complaints (UK DISP 1.6.2AR)."""


@frozen(kw_only=True)
class SlaChoice:
    """Use ``policy`` for cases matching ``when`` (every case if None); the first match wins."""

    policy: SlaPolicy
    when: Condition | None = None


def _jurisdictions() -> dict[str, Jurisdiction]:
    return dict(JURISDICTIONS)


@frozen(kw_only=True)
class Oversight:
    """SLA policies, regulatory profiles, the ladder and the escalation rules for complaints.

    ``review_every``: re-evaluate the rules of every open complaint this often (a timer per
    case), for conditions on age alone. Clock conditions need no review: every clock arms a
    timer for its warning and its deadline.
    """

    sla: tuple[SlaChoice, ...] = ()
    regulatory: tuple[ProfileChoice, ...] = DEFAULT_CHOICES
    jurisdictions: dict[str, Jurisdiction] = field(factory=_jurisdictions)
    ladder: Ladder = field(factory=Ladder)
    rules: tuple[Rule, ...] = ()
    review_every: timedelta | None = None

    def compile(self) -> CompiledOversight:
        """Check and compile everything once (calendars, conditions, rules)."""
        choices = tuple(
            (
                choice.policy,
                compile_rules([Rule(id=f"sla-choice-{i}", when=choice.when, then=())], self.ladder)[
                    0
                ]
                if choice.when is not None
                else None,
            )
            for i, choice in enumerate(self.sla)
        )
        policies = {choice.policy.name: choice.policy for choice in self.sla}
        for tier, name in self.ladder.tier_sla.items():
            if name not in policies:
                raise ValidationError.of(
                    f"ladder.tier_sla.{tier}", f"{name!r} is not one of the SLA policies"
                )
        return CompiledOversight(
            source=self,
            choices=choices,
            policies=policies,
            calendars={code: j.calendar() for code, j in self.jurisdictions.items()},
            rules=compile_rules(self.rules, self.ladder),
        )


@frozen(kw_only=True)
class CompiledOversight:
    """``Oversight`` checked and compiled, ready for the hot path."""

    source: Oversight
    choices: tuple[tuple[SlaPolicy, CompiledRule | None], ...]
    policies: dict[str, SlaPolicy]
    calendars: dict[str, BusinessCalendar]
    rules: RuleBook

    @property
    def ladder(self) -> Ladder:
        """The escalation ladder."""
        return self.source.ladder


@frozen(kw_only=True)
class Notice:
    """A notification a rule asked for; the service renders and queues it."""

    rule: str
    action: Action
    summary: str
    matched: tuple[str, ...] = ()
    readings: tuple[str, ...] = ()


@frozen(kw_only=True)
class Outcome:
    """What oversight adds to a commit: events, notices, and timers to set (or cancel: None)."""

    events: tuple[Event, ...] = ()
    notices: tuple[Notice, ...] = ()
    timers: dict[str, datetime | None] = field(factory=dict)


# -- facts ---------------------------------------------------------------------------------
class _Facts(Mapping[str, Any]):
    """A complaint's facts at an instant, each computed only when a rule reads it."""

    def __init__(self, getters: dict[str, Callable[[], Any]]) -> None:
        self._getters = getters
        self._cache: dict[str, Any] = {}

    def __getitem__(self, key: str) -> Any:
        if key not in self._cache:
            self._cache[key] = self._getters[key]()
        return self._cache[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._getters)

    def __len__(self) -> int:
        return len(self._getters)


def calendar_of(
    clock: Clock | None, complaint: Complaint, compiled: CompiledOversight
) -> BusinessCalendar:
    if clock is not None and clock.policy in compiled.policies:
        return compiled.policies[clock.policy].calendar
    return jurisdiction_calendar(complaint, compiled)


def jurisdiction_calendar(complaint: Complaint, compiled: CompiledOversight) -> BusinessCalendar:
    calendar = compiled.calendars.get(complaint.jurisdiction)
    return (
        calendar if calendar is not None else BusinessCalendar.always_open(complaint.customer_zone)
    )


def facts_of(complaint: Complaint, now: datetime, compiled: CompiledOversight) -> Mapping[str, Any]:
    """The facts rules read about ``complaint`` at ``now`` (see docs/concepts/escalation.md)."""
    state = complaint.escalation
    profile = profile_of(complaint, compiled)
    getters: dict[str, Callable[[], Any]] = {
        "category": lambda: complaint.category.value,
        "status": lambda: complaint.status.value,
        "channel": lambda: complaint.channel.value,
        "jurisdiction": lambda: complaint.jurisdiction,
        "product": lambda: complaint.product,
        "segment": lambda: complaint.segment,
        "customer_id": lambda: complaint.customer_id,
        "profile": lambda: profile.name if profile else "",
        "severity": lambda: complaint.severity.value,
        "tier": lambda: state.tier or compiled.ladder.start,
        "amount_lost": lambda: complaint.amount_lost,
        "age": lambda: now - complaint.received_at,
        "business_age": lambda: jurisdiction_calendar(complaint, compiled).business_time_between(
            complaint.received_at, now
        ),
        "received_at": lambda: complaint.received_at,
        "occurred_at": lambda: complaint.occurred_at,
        "reopen_count": lambda: complaint.reopen_count,
        "contact_count": lambda: len(complaint.contacts),
        "information_requests": lambda: complaint.information_requests,
        "linked_duplicates": lambda: complaint.linked_duplicates,
        "escalations": lambda: state.escalations,
        "vulnerable": lambda: complaint.vulnerable,
        "flagged_for_regulator": lambda: state.flagged_for_regulator,
    }
    for clock in complaint.clocks:
        getters.update(_clock_facts(clock, calendar_of(clock, complaint, compiled), now))
    return _Facts(getters)


def _clock_facts(
    clock: Clock, calendar: BusinessCalendar, now: datetime
) -> dict[str, Callable[[], Any]]:
    m = clock.metric
    return {
        f"{m}.business_time_left": lambda: sla.business_time_left(clock, now, calendar),
        f"{m}.deadline": lambda: clock.deadline,
        f"{m}.running": lambda: clock.running,
        f"{m}.paused": lambda: clock.paused,
        f"{m}.warned": lambda: clock.warned,
        f"{m}.breached": lambda: clock.breached,
        f"{m}.paused_total": lambda: clock.paused_total,
    }


# -- choosing ------------------------------------------------------------------------------
def profile_of(complaint: Complaint, compiled: CompiledOversight) -> RegulatoryProfile | None:
    return choose_profile(complaint.jurisdiction, complaint.product, compiled.source.regulatory)


def final_response_notice(complaint: Complaint, compiled: CompiledOversight) -> str:
    """What the regulation wants the final response to tell the customer, in their language."""
    profile = profile_of(complaint, compiled)
    return profile.notice_in(complaint.language) if profile is not None else ""


def sla_policy_for(
    complaint: Complaint, now: datetime, compiled: CompiledOversight
) -> SlaPolicy | None:
    facts: Mapping[str, Any] | None = None
    for policy, condition in compiled.choices:
        if condition is None:
            return policy
        facts = facts if facts is not None else facts_of(complaint, now, compiled)
        if condition.check(facts, now):
            return policy
    return None


def flags_of(complaint: Complaint) -> set[str]:
    flags = set(complaint.flags)
    if complaint.product in PAYMENT_PRODUCTS:
        flags.add("payment_or_emoney")
    return flags


def escalate(
    complaint: Complaint, *, by: Actor, at: datetime, reason: str, ladder: Ladder, to_tier: str = ""
) -> list[Event]:
    """Staff move an open complaint up the ladder (to ``to_tier``, or the next tier), saying why."""
    if not complaint.is_open:
        raise TransitionNotAllowed(
            f"complaint {complaint.id} is {complaint.status.value}; reopen it first"
        )
    if by.role is not ActorRole.STAFF:
        raise DomainError("only staff escalate by hand; rules escalate as the system")
    if not isinstance(reason, str) or not reason.strip():
        raise ValidationError.of("reason", "say why the complaint is escalated")
    current = complaint.escalation.tier or ladder.start
    target = to_tier or ladder.above(current)
    if target is None or target not in ladder.tiers:
        raise ValidationError.of(
            "to_tier", f"{to_tier or 'the next tier'} is not above {current} on the ladder"
        )
    if ladder.rank(target) <= ladder.rank(current):
        raise ValidationError.of("to_tier", f"{target} is not above the current tier {current}")
    return [Escalated(at=at, by=by, from_tier=current, to_tier=target, reason=reason.strip())]
