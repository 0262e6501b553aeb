"""Oversight configuration: SLA policies, regulatory profiles, the ladder and the rules that
apply to a kind of case, and their compiled form for the hot path."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from attrs import field, frozen

from walletcare.domain.calendars import BusinessCalendar
from walletcare.domain.frozenmap import FrozenMap, frozen_map
from walletcare.domain.ladder import Ladder
from walletcare.domain.regulatory import (
    DEFAULT_CHOICES,
    JURISDICTIONS,
    Jurisdiction,
    ProfileChoice,
)
from walletcare.domain.rulebook import CompiledRule, RuleBook, compile_rules
from walletcare.domain.rules import Condition, FactKind, Rule
from walletcare.domain.sla import SlaPolicy
from walletcare.errors import ValidationError

__all__ = ["SlaChoice", "Oversight", "CompiledOversight", "CaseSettings", "as_tuple"]


def as_tuple(value: Any) -> tuple[Any, ...]:
    """attrs converter: a list or tuple as a tuple (frozen config holds no lists)."""
    if isinstance(value, tuple):
        return value
    if isinstance(value, str | bytes | Mapping) or not hasattr(value, "__iter__"):
        raise ValidationError.of("value", f"must be a sequence, got {type(value).__name__}")
    return tuple(value)


@frozen(kw_only=True)
class SlaChoice:
    """Use ``policy`` for cases matching ``when`` (every case if None); the first match wins."""

    policy: SlaPolicy
    when: Condition | None = None


def _jurisdictions() -> FrozenMap[str, Jurisdiction]:
    return FrozenMap(JURISDICTIONS)


@frozen(kw_only=True)
class Oversight:
    """SLA policies, regulatory profiles, the ladder and the escalation rules for a kind of case.

    ``review_every``: re-evaluate the rules of every open case this often (a timer per
    case), for conditions on age alone. Clock conditions need no review: every clock arms a
    timer for its warning and its deadline.
    """

    sla: tuple[SlaChoice, ...] = field(default=(), converter=as_tuple)
    regulatory: tuple[ProfileChoice, ...] = field(default=DEFAULT_CHOICES, converter=as_tuple)
    jurisdictions: FrozenMap[str, Jurisdiction] = field(
        factory=_jurisdictions, converter=frozen_map
    )
    ladder: Ladder = field(factory=Ladder)
    rules: tuple[Rule, ...] = field(default=(), converter=as_tuple)
    review_every: timedelta | None = None

    def compile(self, facts: Mapping[str, FactKind]) -> CompiledOversight:
        """Check and compile everything once against the facts a kind offers to rules."""
        choices = tuple(
            (
                choice.policy,
                compile_rules(
                    [Rule(id=f"sla-choice-{i}", when=choice.when, then=())], self.ladder, facts
                )[0]
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
            policies=FrozenMap(policies),
            calendars=FrozenMap({code: j.calendar() for code, j in self.jurisdictions.items()}),
            rules=compile_rules(self.rules, self.ladder, facts),
        )


class CompiledOversight:
    """``Oversight`` checked and compiled, ready for the hot path."""

    __slots__ = ("calendars", "choices", "policies", "rules", "source")

    def __init__(
        self,
        *,
        source: Oversight,
        choices: tuple[tuple[SlaPolicy, CompiledRule | None], ...],
        policies: FrozenMap[str, SlaPolicy],
        calendars: FrozenMap[str, BusinessCalendar],
        rules: RuleBook,
    ) -> None:
        self.source = source
        self.choices = choices
        self.policies = policies
        self.calendars = calendars
        self.rules = rules

    @property
    def ladder(self) -> Ladder:
        """The escalation ladder."""
        return self.source.ladder


@frozen(kw_only=True)
class CaseSettings:
    """One kind's configuration: its own ``policy`` (``ComplaintPolicy`` for complaints; None
    for the kind's default) and the ``oversight`` its cases are held to."""

    policy: object = None
    oversight: Oversight = field(factory=Oversight)

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.oversight, Oversight):
            raise ValidationError.of(
                "oversight", f"must be an Oversight, got {type(self.oversight).__name__}"
            )
