"""The facts rules read about any case, and the choices oversight makes from them: the
regulatory profile, the SLA policy, the calendars deadlines are counted on."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from typing import Any, Final

from walletcare.domain import sla
from walletcare.domain.calendars import BusinessCalendar
from walletcare.domain.cases.kind import CASE_FACT_NAMES, CaseKind, CaseState
from walletcare.domain.frozenmap import FrozenMap
from walletcare.domain.oversight.config import CompiledOversight
from walletcare.domain.regulatory import Deadline, RegulatoryProfile, allowances
from walletcare.domain.rules import FactKind
from walletcare.domain.sla import SlaClock, SlaPolicy

__all__ = [
    "CASE_FACTS",
    "PAYMENT_PRODUCTS",
    "Facts",
    "facts_of",
    "fact_table",
    "calendar_of",
    "jurisdiction_calendar",
    "profile_of",
    "allowances_of",
    "final_response_notice",
    "sla_policy_for",
    "flags_of",
]

PAYMENT_PRODUCTS = frozenset({"payment", "e_money", "wallet", "ppi", "remittance"})
"""Products whose cases count as payment or e-money cases (UK DISP 1.6.2AR)."""

CASE_FACTS: Final[FrozenMap[str, FactKind]] = FrozenMap(
    {
        "status": FactKind.TEXT,
        "jurisdiction": FactKind.TEXT,
        "product": FactKind.TEXT,
        "profile": FactKind.TEXT,
        "tier": FactKind.TIER,
        "age": FactKind.DURATION,
        "business_age": FactKind.DURATION,
        "opened_at": FactKind.INSTANT,
        "occurred_at": FactKind.INSTANT,
        "reopen_count": FactKind.NUMBER,
        "escalations": FactKind.NUMBER,
        "flagged_for_regulator": FactKind.FLAG,
        "flags": FactKind.TAGS,
    }
)
"""Facts every kind of case offers; a kind adds its own (``CaseKind.fact_kinds``)."""
assert frozenset(CASE_FACTS) == CASE_FACT_NAMES, "the two lists of case facts differ"


def fact_table(kind: CaseKind[Any]) -> FrozenMap[str, FactKind]:
    """Every fact rules may read about cases of ``kind``: the case facts and the kind's own."""
    return FrozenMap({**CASE_FACTS, **kind.fact_kinds})


class Facts(Mapping[str, Any]):
    """A case's facts at an instant, each computed only when a rule reads it."""

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


def facts_of(
    kind: CaseKind[Any], case: CaseState, now: datetime, compiled: CompiledOversight
) -> Facts:
    """The facts rules read about ``case`` at ``now`` (see docs/concepts/escalation.md)."""
    state = case.escalation
    getters: dict[str, Callable[[], Any]] = {
        "status": lambda: kind.status(case),
        "jurisdiction": lambda: case.jurisdiction,
        "product": lambda: case.product,
        "profile": lambda: p.name if (p := profile_of(case, compiled)) is not None else "",
        "tier": lambda: state.tier or compiled.ladder.start,
        "age": lambda: now - case.opened_at,
        "business_age": lambda: jurisdiction_calendar(case, compiled).business_time_between(
            case.opened_at, now
        ),
        "opened_at": lambda: case.opened_at,
        "occurred_at": lambda: case.occurred_at,
        "reopen_count": lambda: case.reopen_count,
        "escalations": lambda: state.escalations,
        "flagged_for_regulator": lambda: state.flagged_for_regulator,
        "flags": lambda: frozenset(flags_of(case)),
    }
    getters.update(kind.facts(case, now))
    for clock in case.clocks:
        getters.update(_clock_facts(clock, calendar_of(clock, case, compiled), now))
    return Facts(getters)


def _clock_facts(
    clock: SlaClock, calendar: BusinessCalendar, now: datetime
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
        f"{m}.elapsed": lambda: sla.elapsed(clock, now, calendar),
    }


def calendar_of(
    clock: SlaClock | None, case: CaseState, compiled: CompiledOversight
) -> BusinessCalendar:
    """The calendar a clock counts on: its SLA policy's, else the case's jurisdiction's."""
    if clock is not None and clock.policy in compiled.policies:
        return compiled.policies[clock.policy].calendar
    return jurisdiction_calendar(case, compiled)


def jurisdiction_calendar(case: CaseState, compiled: CompiledOversight) -> BusinessCalendar:
    """The business calendar of the case's jurisdiction (always open if it has none)."""
    calendar = compiled.regulation.calendar(case.jurisdiction)
    return calendar if calendar is not None else BusinessCalendar.always_open(case.customer_zone)


def profile_of(case: CaseState, compiled: CompiledOversight) -> RegulatoryProfile | None:
    """The regulatory profile for the case's jurisdiction and product, if any."""
    return compiled.regulation.profile(case.jurisdiction, case.product, compiled.regulatory)


def allowances_of(case: CaseState, compiled: CompiledOversight) -> dict[str, Deadline]:
    """Until when the profile's allowances (DISP's summary resolution) may still be used."""
    profile = profile_of(case, compiled)
    if profile is None:
        return {}
    return allowances(
        profile,
        flags=flags_of(case),
        product=case.product,
        received_at=case.opened_at,
        occurred_at=case.occurred_at,
        calendar=jurisdiction_calendar(case, compiled),
    )


def final_response_notice(case: CaseState, compiled: CompiledOversight) -> str:
    """The catalogue id of what the case's regulation wants its final response to tell the
    customer (the ombudsman, the out-of-court body), or '' if nothing."""
    profile = profile_of(case, compiled)
    return profile.notice if profile is not None else ""


def sla_policy_for(
    kind: CaseKind[Any], case: CaseState, now: datetime, compiled: CompiledOversight
) -> SlaPolicy | None:
    """The first SLA policy whose condition the case meets, or None."""
    facts: Mapping[str, Any] | None = None
    for policy, condition in compiled.choices:
        if condition is None:
            return policy
        facts = facts if facts is not None else facts_of(kind, case, now, compiled)
        if condition.check(facts, now):
            return policy
    return None


def flags_of(case: CaseState) -> set[str]:
    """The case's flags, with ``payment_or_emoney`` for payment and e-money products."""
    flags = set(case.flags)
    if case.product in PAYMENT_PRODUCTS:
        flags.add("payment_or_emoney")
    return flags
