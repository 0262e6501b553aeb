"""Severity: derived by a documented, configurable policy, explained by its reasons."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from attrs import field, frozen

from walletcare.domain.complaints.values import Category, Severity
from walletcare.domain.fieldtypes import as_map, check_fields, to_enum
from walletcare.domain.frozenmap import FrozenMap
from walletcare.domain.money import Money

__all__ = ["SeverityPolicy", "SeverityFacts", "derive_severity"]

_BASE: Mapping[Category, Severity] = {
    Category.SECURITY: Severity.HIGH,
    Category.TRANSACTION_FAILURE: Severity.MEDIUM,
    Category.FEES: Severity.MEDIUM,
    Category.PRIVACY: Severity.HIGH,
    Category.RECORDS: Severity.MEDIUM,
    Category.SERVICE: Severity.LOW,
    Category.USABILITY: Severity.LOW,
    Category.OTHER: Severity.LOW,
}


def _severity(value: Any) -> Any:
    return to_enum(Severity, value)


def _base_default() -> FrozenMap[Category, Severity]:
    return FrozenMap(_BASE)


def _base(value: object) -> object:
    """attrs converter: category and severity names as their members, in a ``FrozenMap``."""
    table = as_map(value)
    if not isinstance(table, FrozenMap):
        return table
    return FrozenMap((to_enum(Category, k), to_enum(Severity, v)) for k, v in table.items())


@frozen(kw_only=True)
class SeverityPolicy:
    """How severity is derived at intake. Every rule that applies adds a reason.

    - ``base``: the starting severity of each category;
    - ``security_loss``: a security complaint with money lost is at least this;
    - ``large_amounts``: a loss at or above the amount for its currency is at least
      ``large_amount_severity``;
    - ``vulnerable_raise`` / ``repeat_raise``: levels added for a customer flagged vulnerable,
      and for one with ``repeat_threshold`` or more complaints in the look-back the host counts.
    """

    base: FrozenMap[Category, Severity] = field(factory=_base_default, converter=_base)
    security_loss: Severity = field(default=Severity.CRITICAL, converter=_severity)
    large_amounts: FrozenMap[str, Decimal] = field(
        converter=as_map,
        factory=lambda: FrozenMap(
            {
                "USD": Decimal(1000),
                "EUR": Decimal(1000),
                "GBP": Decimal(1000),
                "CNY": Decimal(5000),
                "INR": Decimal(50000),
                "JPY": Decimal(100000),
            }
        ),
    )
    large_amount_severity: Severity = field(default=Severity.HIGH, converter=_severity)
    vulnerable_raise: int = 1
    repeat_threshold: int = 2
    repeat_raise: int = 1

    def __attrs_post_init__(self) -> None:
        check_fields(self)


@frozen(kw_only=True)
class SeverityFacts:
    """What severity is derived from."""

    category: Category
    amount_lost: Money | None
    vulnerable: bool
    prior_complaints: int


def derive_severity(
    facts: SeverityFacts, policy: SeverityPolicy
) -> tuple[Severity, tuple[str, ...]]:
    """The severity the policy gives these facts, and the reasons, in the order applied."""
    severity = policy.base.get(facts.category, Severity.LOW)
    reasons = [f"category {facts.category.value} starts at {severity.value}"]
    lost = facts.amount_lost
    if facts.category is Category.SECURITY and lost is not None and lost.amount > 0:
        if policy.security_loss.rank > severity.rank:
            severity = policy.security_loss
        reasons.append(
            f"security complaint with {lost} lost: at least {policy.security_loss.value}"
        )
    threshold = policy.large_amounts.get(lost.currency) if lost is not None else None
    if lost is not None and threshold is not None and lost.amount >= threshold:
        if policy.large_amount_severity.rank > severity.rank:
            severity = policy.large_amount_severity
        reasons.append(
            f"loss {lost} at or above {lost.currency} {threshold}: "
            f"at least {policy.large_amount_severity.value}"
        )
    if facts.vulnerable and policy.vulnerable_raise:
        severity = severity.raised(policy.vulnerable_raise)
        reasons.append(f"vulnerable customer: raised to {severity.value}")
    if policy.repeat_raise and facts.prior_complaints >= policy.repeat_threshold:
        severity = severity.raised(policy.repeat_raise)
        reasons.append(f"{facts.prior_complaints} earlier complaints: raised to {severity.value}")
    return severity, tuple(reasons)
