"""Escalation: the ladder, the rules that move cases up it, and what a case records of both.

The ladder lives in ``walletcare.domain.ladder`` and the rules engine in
``walletcare.domain.rules``; both are re-exported here, where hosts configure escalation.
"""

from __future__ import annotations

from attrs import evolve, frozen

from walletcare.domain.events import Event
from walletcare.domain.ladder import DEFAULT_LADDER, Ladder, Tier
from walletcare.domain.money import Money
from walletcare.domain.rulebook import CompiledRule, Firing, RuleBook, compile_rules, evaluate
from walletcare.domain.rules import (
    SEVERITY_ORDER,
    Action,
    ActionKind,
    Condition,
    FactKind,
    Once,
    Rule,
    fact_kind,
)

__all__ = [
    "Tier",
    "DEFAULT_LADDER",
    "Ladder",
    "SEVERITY_ORDER",
    "FactKind",
    "fact_kind",
    "Condition",
    "ActionKind",
    "Action",
    "Once",
    "Rule",
    "CompiledRule",
    "RuleBook",
    "compile_rules",
    "Firing",
    "evaluate",
    "EscalationState",
    "EscalationEvent",
    "Escalated",
    "TierAssigned",
    "RuleFired",
    "RegulatorFlagged",
    "PenaltyAccrued",
    "apply_escalation_event",
]


# -- state and events ----------------------------------------------------------------------
@frozen(kw_only=True)
class EscalationState:
    """Where a case stands on the ladder, and what has fired for it."""

    tier: str = ""
    escalations: int = 0
    fired: frozenset[str] = frozenset()
    flagged_for_regulator: bool = False
    penalties: tuple[Money, ...] = ()
    compensation: tuple[tuple[str, Money], ...] = ()
    """Regulatory compensation accrued, by the clock metric it is for."""


@frozen(kw_only=True)
class EscalationEvent(Event):
    """Base of escalation events."""


@frozen(kw_only=True)
class Escalated(EscalationEvent):
    """The case moved up (or to) a tier: who, why, and from where."""

    kind = "escalation.escalated"
    from_tier: str
    to_tier: str
    reason: str
    rule: str = ""


@frozen(kw_only=True)
class TierAssigned(EscalationEvent):
    """The case took its place on the ladder when it opened: the ladder's start tier."""

    kind = "escalation.tier_assigned"
    tier: str


@frozen(kw_only=True)
class RuleFired(EscalationEvent):
    """A rule fired: its id, occurrence, matched conditions, readings and the actions taken."""

    kind = "escalation.rule_fired"
    rule: str
    occurrence: str
    matched: tuple[str, ...]
    readings: tuple[str, ...]
    actions: tuple[str, ...]


@frozen(kw_only=True)
class RegulatorFlagged(EscalationEvent):
    """The case is flagged for the next regulator report."""

    kind = "escalation.regulator_flagged"
    reason: str


@frozen(kw_only=True)
class PenaltyAccrued(EscalationEvent):
    """A penalty or compensation accrued to the customer."""

    kind = "escalation.penalty_accrued"
    amount: Money
    reason: str
    metric: str = ""
    """The clock metric a regulatory compensation is for; empty for a rule's own penalty."""


def apply_escalation_event(state: EscalationState, event: EscalationEvent) -> EscalationState:
    """The escalation state after ``event``."""
    match event:
        case Escalated(to_tier=tier):
            return evolve(state, tier=tier, escalations=state.escalations + 1)
        case TierAssigned(tier=tier):
            return evolve(state, tier=tier)
        case RuleFired(occurrence=key):
            return evolve(state, fired=state.fired | {key})
        case RegulatorFlagged():
            return evolve(state, flagged_for_regulator=True)
        case PenaltyAccrued(amount=amount, metric=metric):
            compensation = (*state.compensation, (metric, amount)) if metric else state.compensation
            return evolve(state, penalties=(*state.penalties, amount), compensation=compensation)
    return state
