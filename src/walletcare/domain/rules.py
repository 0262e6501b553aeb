"""Rules as data: conditions over a case's facts, actions, and a compiler that explains firings.

A rule is a condition over a case's facts (all / any / not, comparisons of text, numbers,
money, durations, instants, flags, severities and tiers) and a list of actions. Rules are
compiled once into one generated matcher; a firing records the rule, the occurrence it
fired for (so it never fires twice for it) and every reading the condition looked at.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any, Final

from attrs import field, frozen

from walletcare.domain.fieldtypes import as_tuple, check_fields, to_enum
from walletcare.domain.money import Money
from walletcare.errors import ValidationError

__all__ = [
    "SEVERITY_ORDER",
    "FactKind",
    "fact_kind",
    "Condition",
    "ActionKind",
    "Action",
    "Once",
    "Rule",
    "CLOCK_FACT_KINDS",
    "OPERATORS",
]


SEVERITY_ORDER: Final = ("low", "medium", "high", "critical")


class FactKind(enum.StrEnum):
    """What a fact holds, which decides how its condition's value is read."""

    TEXT = "text"
    NUMBER = "number"
    MONEY = "money"
    DURATION = "duration"
    INSTANT = "instant"
    FLAG = "flag"
    SEVERITY = "severity"
    TIER = "tier"
    TAGS = "tags"  # a set of words (a case's flags): has, lacks, has_any, has_all


CLOCK_FACT_KINDS: Final[Mapping[str, FactKind]] = {
    "business_time_left": FactKind.DURATION,
    "deadline": FactKind.INSTANT,
    "running": FactKind.FLAG,
    "paused": FactKind.FLAG,
    "warned": FactKind.FLAG,
    "breached": FactKind.FLAG,
    "paused_total": FactKind.DURATION,
    "elapsed": FactKind.DURATION,
}
OPERATORS: Final[Mapping[FactKind, frozenset[str]]] = {
    FactKind.TEXT: frozenset({"eq", "ne", "in", "not_in"}),
    FactKind.NUMBER: frozenset({"eq", "ne", "lt", "le", "gt", "ge"}),
    FactKind.MONEY: frozenset({"eq", "ne", "lt", "le", "gt", "ge"}),
    FactKind.DURATION: frozenset({"eq", "ne", "lt", "le", "gt", "ge"}),
    FactKind.INSTANT: frozenset({"before", "after", "older_than", "newer_than"}),
    FactKind.FLAG: frozenset({"is"}),
    FactKind.SEVERITY: frozenset({"eq", "ne", "lt", "le", "gt", "ge", "in", "not_in"}),
    FactKind.TIER: frozenset({"eq", "ne", "lt", "le", "gt", "ge", "in", "not_in"}),
    FactKind.TAGS: frozenset({"has", "lacks", "has_any", "has_all"}),
}


def fact_kind(name: str, facts: Mapping[str, FactKind], where: str = "fact") -> FactKind:
    """The kind of fact ``name`` in the table ``facts`` (``<metric>.<reading>`` for clocks)."""
    kind = facts.get(name)
    if kind is not None:
        return kind
    metric, _, reading = name.rpartition(".")
    if metric and reading in CLOCK_FACT_KINDS:
        return CLOCK_FACT_KINDS[reading]
    known = ", ".join(sorted(facts)) + ", <metric>." + "|".join(sorted(CLOCK_FACT_KINDS))
    raise ValidationError.of(where, f"{name!r} is not a known fact ({known})")


@frozen(kw_only=True)
class Condition:
    """Exactly one of: ``all`` of these, ``any`` of these, ``negate`` this, or ``fact op value``.

    ``value`` is text read by the fact's kind: ``"EUR 1000"`` for money, ``"PT4H"`` for
    durations, ISO 8601 for instants, ``"true"`` for flags, comma lists for ``in``.
    ``older_than`` / ``newer_than`` compare an instant with now minus a duration.
    """

    all: tuple[Condition, ...] = field(default=(), converter=as_tuple)
    any: tuple[Condition, ...] = field(default=(), converter=as_tuple)
    negate: Condition | None = None
    fact: str = ""
    op: str = ""
    value: str = ""

    def __attrs_post_init__(self) -> None:
        check_fields(self)
        shapes = sum((bool(self.all), bool(self.any), self.negate is not None, bool(self.fact)))
        if shapes != 1:
            raise ValidationError.of("condition", "needs exactly one of all, any, negate or fact")


class ActionKind(enum.StrEnum):
    """What a fired rule does."""

    ESCALATE = "escalate"
    NOTIFY = "notify"
    RAISE_SEVERITY = "raise_severity"
    FLAG_REGULATOR = "flag_regulator"
    ACCRUE_PENALTY = "accrue_penalty"


def _action_kind(value: Any) -> Any:
    return to_enum(ActionKind, value)


def _once(value: Any) -> Any:
    return to_enum(Once, value)


@frozen(kw_only=True)
class Action:
    """One action: escalate (to ``tier``, or the next tier up), notify ``role`` or the customer
    on ``channel`` with ``template``, raise severity a level, flag for a regulator report, or
    accrue ``amount`` as a penalty."""

    kind: ActionKind = field(converter=_action_kind)
    tier: str = ""
    role: str = ""
    customer: bool = False
    channel: str = ""
    template: str = ""
    amount: Money | None = None
    reason: str = ""

    def __attrs_post_init__(self) -> None:
        check_fields(self)
        if self.kind is ActionKind.NOTIFY and not (self.role or self.customer):
            raise ValidationError.of("role", "a notify action needs a role or customer=true")
        if self.kind is ActionKind.NOTIFY and not self.channel:
            raise ValidationError.of("channel", "a notify action needs a channel")
        if self.kind is ActionKind.ACCRUE_PENALTY and self.amount is None:
            raise ValidationError.of("amount", "an accrue_penalty action needs an amount")


class Once(enum.StrEnum):
    """How often a rule may fire: once per case, per reopening, or per run of a clock."""

    CASE = "case"
    REOPEN = "reopen"
    CLOCK = "clock"


@frozen(kw_only=True)
class Rule:
    """Do ``then`` when ``when`` holds, at most once per ``once`` (``clock``: per clock run)."""

    id: str
    when: Condition
    then: tuple[Action, ...] = field(converter=as_tuple)
    once: Once = field(default=Once.CASE, converter=_once)
    metric: str = ""
    description: str = ""

    def __attrs_post_init__(self) -> None:
        check_fields(self)
        if not self.id.strip():
            raise ValidationError.of("id", "a rule needs an id")
        if self.once is Once.CLOCK and not self.metric:
            raise ValidationError.of("metric", "a once-per-clock rule names its clock's metric")
