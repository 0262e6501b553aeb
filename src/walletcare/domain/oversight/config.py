"""Oversight configuration: SLA policies, regulatory profiles, the ladder and the rules that
apply to a kind of case, and their compiled form for the hot path."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from attrs import field, frozen

from walletcare.domain.fieldtypes import as_tuple, check_fields
from walletcare.domain.frozenmap import FrozenMap
from walletcare.domain.ladder import Ladder
from walletcare.domain.permissions import PermissionPolicy
from walletcare.domain.regulatory import (
    CompiledRegulation,
    ProfileChoice,
    default_regulation,
)
from walletcare.domain.rulebook import CompiledRule, RuleBook, compile_rules
from walletcare.domain.rules import CLOCK_FACT_KINDS, Condition, FactKind, Rule
from walletcare.domain.sla import SlaPolicy, regulatory_metric
from walletcare.errors import ValidationError

__all__ = ["SlaChoice", "Oversight", "CompiledOversight", "CaseSettings", "as_tuple"]


def _optional_tuple(value: Any) -> Any:
    return None if value is None else as_tuple(value)


@frozen(kw_only=True)
class SlaChoice:
    """Use ``policy`` for cases matching ``when`` (every case if None); the first match wins."""

    policy: SlaPolicy
    when: Condition | None = None

    def __attrs_post_init__(self) -> None:
        check_fields(self)


@frozen(kw_only=True)
class Oversight:
    """SLA policies, regulatory choices, the ladder and the escalation rules for a kind of case.

    ``review_every``: re-evaluate the rules of every open case this often (a timer per
    case), for conditions on age alone. Clock conditions need no review: every clock arms a
    timer for its warning and its deadline.
    """

    sla: tuple[SlaChoice, ...] = field(default=(), converter=as_tuple)
    regulatory: tuple[ProfileChoice, ...] | None = field(default=None, converter=_optional_tuple)
    """Which regulatory profile applies to which case; None: the kind's default (complaints:
    the shipped choices, every other kind: none). Profiles and jurisdictions themselves are
    ``Settings.regulation``."""
    ladder: Ladder = field(factory=Ladder)
    rules: tuple[Rule, ...] = field(default=(), converter=as_tuple)
    review_every: timedelta | None = None

    def __attrs_post_init__(self) -> None:
        check_fields(self)
        if self.review_every is not None and self.review_every <= timedelta(0):
            raise ValidationError.of("review_every", "must be a positive duration")

    def compile(
        self,
        facts: Mapping[str, FactKind],
        *,
        metrics: tuple[str, ...] = (),
        regulatory: tuple[ProfileChoice, ...] = (),
        regulation: CompiledRegulation | None = None,
    ) -> CompiledOversight:
        """Check and compile everything once against what a kind offers: the facts its rules
        may read, the house metrics its clocks start, its default regulatory choices; and
        against ``regulation`` (``Settings.regulation`` compiled; the built-ins if None).

        A clock metric that no clock of the kind can have (a misspelled ``resolution`` in a
        target, a rule's fact or a once-per-clock rule) is refused here, not left to never fire;
        so is a choice naming a profile or a jurisdiction the regulation does not know.
        """
        regulation = regulation or default_regulation()
        given = self.regulatory is not None
        chosen = regulation.choose(
            self.regulatory if self.regulatory is not None else regulatory,
            "regulatory" if given else "kind.regulatory",
        )
        known = _known_metrics(self, metrics, chosen, regulation)
        _check_metrics(self, metrics, known)
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
            regulatory=chosen,
            choices=choices,
            policies=FrozenMap(policies),
            regulation=regulation,
            rules=compile_rules(self.rules, self.ladder, facts),
        )


def _known_metrics(
    oversight: Oversight,
    metrics: tuple[str, ...],
    regulatory: tuple[ProfileChoice, ...],
    regulation: CompiledRegulation,
) -> frozenset[str]:
    """Every clock metric a case under this oversight can have: the house clocks, each
    profile deadline's own regulatory clock (``regulatory:<metric>``), the tiers' clocks."""
    known = set(metrics)
    for choice in regulatory:
        profile = regulation.profiles.get(choice.profile)
        if profile is not None:
            known |= {
                regulatory_metric(d.metric) for d in profile.deadlines if not d.allowance
            }
    known |= {f"tier_{tier}" for tier in oversight.ladder.tier_sla}
    return frozenset(known)


def _check_metrics(oversight: Oversight, metrics: tuple[str, ...], known: frozenset[str]) -> None:
    tier_policies = set(oversight.ladder.tier_sla.values())
    for i, choice in enumerate(oversight.sla):
        for j, target in enumerate(choice.policy.targets):
            usable = target.metric in metrics or (
                target.metric == "resolution" and choice.policy.name in tier_policies
            )
            if not usable:
                raise ValidationError.of(
                    f"sla[{i}].policy.targets[{j}].metric",
                    f"{target.metric!r} is not a clock of this kind "
                    f"({', '.join(metrics) or 'it has no house clocks'})",
                )
    for i, rule in enumerate(oversight.rules):
        if rule.metric and rule.metric not in known:
            raise ValidationError.of(
                f"rules[{i}].metric", f"{rule.metric!r} is not a clock of this kind"
            )
        for path, fact in _clock_facts(rule.when, f"rules[{i}].when"):
            metric = fact.rpartition(".")[0]
            if metric not in known:
                known_list = ", ".join(sorted(known)) or "none"
                raise ValidationError.of(
                    path, f"{fact!r} reads a clock this kind has not got (clocks: {known_list})"
                )


def _clock_facts(condition: Condition, where: str) -> list[tuple[str, str]]:
    if condition.fact:
        reading = condition.fact.rpartition(".")[2]
        dotted = "." in condition.fact and reading in CLOCK_FACT_KINDS
        return [(f"{where}.fact", condition.fact)] if dotted else []
    found: list[tuple[str, str]] = []
    for i, part in enumerate(condition.all):
        found += _clock_facts(part, f"{where}.all[{i}]")
    for i, part in enumerate(condition.any):
        found += _clock_facts(part, f"{where}.any[{i}]")
    if condition.negate is not None:
        found += _clock_facts(condition.negate, f"{where}.negate")
    return found


class CompiledOversight:
    """``Oversight`` checked and compiled, ready for the hot path."""

    __slots__ = ("choices", "policies", "regulation", "regulatory", "rules", "source")

    def __init__(
        self,
        *,
        source: Oversight,
        regulatory: tuple[ProfileChoice, ...],
        choices: tuple[tuple[SlaPolicy, CompiledRule | None], ...],
        policies: FrozenMap[str, SlaPolicy],
        regulation: CompiledRegulation,
        rules: RuleBook,
    ) -> None:
        self.source = source
        self.regulatory = regulatory
        self.choices = choices
        self.policies = policies
        self.regulation = regulation
        self.rules = rules

    @property
    def ladder(self) -> Ladder:
        """The escalation ladder."""
        return self.source.ladder


@frozen(kw_only=True)
class CaseSettings:
    """One kind's configuration: its own ``policy`` (``ComplaintPolicy`` for complaints; None
    for the kind's default), the ``oversight`` its cases are held to, and who may run which
    command (``permissions``; None for the kind's own policy)."""

    policy: object = None
    oversight: Oversight = field(factory=Oversight)
    permissions: PermissionPolicy | None = None

    def __attrs_post_init__(self) -> None:
        check_fields(self)
        if self.permissions is not None and not isinstance(self.permissions, PermissionPolicy):
            raise ValidationError.of(
                "permissions",
                f"must be a PermissionPolicy, got {type(self.permissions).__name__}",
            )
