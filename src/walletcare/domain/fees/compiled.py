"""A schedule compiled once for quoting and auditing: exact fractions, one table probe per rule.

Compiling turns percentages into fractions, resolves which rule covers every known
(type, currency, channel, segment) ahead of time, and indexes versions by when they take
effect, so pricing a transaction does arithmetic and a dictionary lookup, nothing more.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from walletcare.domain.fees.schedule import (
    ANY,
    FeeCharging,
    FeeRule,
    FeeSchedule,
    ScheduleVersion,
    TierMode,
    TransactionType,
)
from walletcare.domain.money import minor_units
from walletcare.errors import ValidationError

__all__ = ["CompiledRule", "CompiledVersion", "CompiledSchedule", "compile_schedule", "Priced"]

_ZERO = Decimal(0)
_HUNDRED = Decimal(100)

Priced = tuple[Decimal, Decimal, Decimal, Decimal, tuple[Decimal, ...]]
"""A service fee's parts: (variable, before limits, after limits, charged, taxes)."""

PriceFunction = Callable[[Decimal, bool], tuple[Priced, Decimal]]
"""A rule's service fee for an amount (free or not): its parts, and it with its taxes."""

FeesFunction = Callable[[Decimal, bool], Decimal]
"""A rule's service fee with its taxes for an amount (free or not): what an audit expects."""


class CompiledRule:
    """One rule ready to price amounts in its currency (see ``docs/concepts/fees.md``)."""

    __slots__ = (
        "bands",
        "currency",
        "deducted",
        "fees",
        "fixed",
        "fraction",
        "free_per_month",
        "id",
        "markup",
        "maximum",
        "minimum",
        "mode",
        "price",
        "quantum",
        "rule",
        "taxes",
        "uppers",
        "whole",
        "zero",
    )

    def __init__(self, rule: FeeRule, mode: str) -> None:
        self.rule = rule
        self.id = rule.id
        self.currency = rule.currency
        self.quantum = Decimal(1).scaleb(-minor_units(rule.currency))
        self.zero = _ZERO.quantize(self.quantum)
        self.mode = mode
        self.fixed = rule.fixed
        self.fraction = rule.percent / _HUNDRED
        lower = _ZERO
        bands: list[tuple[Decimal, Decimal | None, Decimal]] = []
        for tier in rule.tiers:
            bands.append((lower, tier.up_to, tier.percent / _HUNDRED))
            lower = tier.up_to if tier.up_to is not None else lower
        self.bands = tuple(bands)
        self.uppers = tuple(b[1] for b in bands if b[1] is not None)
        self.whole = rule.tier_mode is TierMode.WHOLE
        self.minimum = rule.minimum
        self.maximum = rule.maximum
        self.free_per_month = rule.free_per_month
        self.markup = (
            rule.fx_markup_percent / _HUNDRED if rule.fx_markup_percent is not None else _ZERO
        )
        self.taxes = tuple(t.percent / _HUNDRED for t in rule.taxes)
        self.deducted = rule.charging is FeeCharging.DEDUCTED
        self.price, self.fees = _generate(self)

    def variable(self, base: Decimal) -> Decimal:
        """The percentage (or tiered) part for ``base``, rounded once."""
        if not self.bands:
            return (base * self.fraction).quantize(self.quantum, self.mode)
        if self.whole:
            fraction = self.bands[bisect_left(self.uppers, base)][2]
            return (base * fraction).quantize(self.quantum, self.mode)
        exact = _ZERO
        for lower, upper, fraction in self.bands:
            if base <= lower:
                break
            top = base if upper is None or base < upper else upper
            exact += (top - lower) * fraction
        return exact.quantize(self.quantum, self.mode)


def _generate(rule: CompiledRule) -> tuple[PriceFunction, FeesFunction]:
    """Write ``price`` and ``fees`` for one rule: only the steps it has, its constants bound.

    The generated code does what a hand-written function for this one rule would: no test
    for a minimum the rule lacks, no loop over its taxes, no attribute lookups.
    """
    names: dict[str, object] = {
        "Q": rule.quantum,
        "MODE": rule.mode,
        "FIXED": rule.fixed,
        "FRACTION": rule.fraction,
        "MINIMUM": rule.minimum,
        "MAXIMUM": rule.maximum,
        "ZERO": rule.zero,
        "VARIABLE": rule.variable,
    }
    variable = "VARIABLE(base)" if rule.bands else "(base * FRACTION).quantize(Q, MODE)"
    # Adding a zero fixed fee to an amount at the quantum changes neither value nor digits.
    fixed = bool(rule.fixed) or str(rule.fixed + rule.zero) != str(rule.zero)
    limits = []
    if rule.minimum is not None:
        limits.append("    if fee < MINIMUM:\n        fee = MINIMUM\n")
    if rule.maximum is not None:
        limits.append("    if fee > MAXIMUM:\n        fee = MAXIMUM\n")
    taxes = [f"T{i}" for i in range(len(rule.taxes))]
    names.update(zip(taxes, rule.taxes, strict=True))
    # Inside the free allowance nothing is charged, so every tax is a constant.
    free_taxes = [(rule.zero * t).quantize(rule.quantum, rule.mode) for t in rule.taxes]
    names["FREE_TAXES"] = tuple(free_taxes)
    names["FREE_TOTAL"] = sum(free_taxes, rule.zero)
    taxed = "".join(f"    {t.lower()} = (fee * {t}).quantize(Q, MODE)\n" for t in taxes)
    price = (
        "def price(base, free):\n"
        f"    variable = {variable}\n"
        + ("    raw = FIXED + variable\n" if fixed else "    raw = variable\n")
        + "    fee = raw\n"
        + "".join(limits)
        + "    if free:\n"
        + "        return (variable, raw, fee, ZERO, FREE_TAXES), FREE_TOTAL\n"
        + taxed
        + "    return (variable, raw, fee, fee, ("
        + "".join(f"{t.lower()}, " for t in taxes)
        + ")), fee"
        + "".join(f" + {t.lower()}" for t in taxes)
        + "\n"
    )
    fees = (
        "def fees(base, free):\n"
        "    if free:\n"
        "        return FREE_TOTAL\n"
        f"    fee = {'FIXED + ' if fixed else ''}{variable}\n"
        + "".join(limits)
        + "    return fee"
        + "".join(f" + (fee * {t}).quantize(Q, MODE)" for t in taxes)
        + "\n"
    )
    exec(compile(price + fees, f"<fee rule {rule.id!r}>", "exec"), names)  # noqa: S102 (generated names only; values are bound, not written)
    return names["price"], names["fees"]  # type: ignore[return-value]


class CompiledVersion:
    """A schedule version with every rule compiled and every known key resolved."""

    __slots__ = ("_channels", "_segments", "_table", "id", "mode", "rules", "schedule", "version")

    def __init__(self, schedule: str, version: ScheduleVersion) -> None:
        self.schedule = schedule
        self.version = version
        self.id = version.id
        self.mode = version.rounding.mode
        self.rules = {r.id: CompiledRule(r, self.mode) for r in version.rules}
        self._channels = frozenset(r.channel for r in version.rules) | {ANY}
        self._segments = frozenset(r.segment for r in version.rules) | {ANY}
        exact = {r.key: self.rules[r.id] for r in version.rules}
        table: dict[tuple[str, str, str, str], CompiledRule] = {}
        for kind, currency in {(r.transaction_type, r.currency) for r in version.rules}:
            for channel in self._channels:
                for segment in self._segments:
                    # Most specific first; a channel-specific rule beats a segment-specific one.
                    for key in (
                        (kind, currency, channel, segment),
                        (kind, currency, channel, ANY),
                        (kind, currency, ANY, segment),
                        (kind, currency, ANY, ANY),
                    ):
                        found = exact.get(key)
                        if found is not None:
                            table[(kind, currency, channel, segment)] = found
                            break
        self._table = table

    def rule_for(
        self, kind: TransactionType | str, currency: str, channel: str, segment: str
    ) -> CompiledRule | None:
        """The rule covering this transaction, or None when the schedule lists no fee for it."""
        found = self._table.get((kind, currency, channel, segment))
        if found is not None or (channel in self._channels and segment in self._segments):
            return found
        return self._table.get(
            (
                kind,
                currency,
                channel if channel in self._channels else ANY,
                segment if segment in self._segments else ANY,
            )
        )


class CompiledSchedule:
    """Every version of a schedule, found by the instant a transaction happens."""

    __slots__ = ("_by_id", "_starts", "name", "schedule", "versions", "zone")

    def __init__(self, schedule: FeeSchedule) -> None:
        self.schedule = schedule
        self.name = schedule.name
        self.zone = ZoneInfo(schedule.zone)
        self.versions = tuple(CompiledVersion(schedule.name, v) for v in schedule.versions)
        self._starts = [v.effective_from for v in schedule.versions]
        self._by_id = {v.id: v for v in self.versions}

    def in_force(self, at: datetime) -> CompiledVersion:
        """The version in force at ``at``."""
        index = bisect_right(self._starts, at) - 1
        if index < 0:
            raise ValidationError.of(
                "at",
                f"no version of schedule {self.name!r} is in force at {at.isoformat()} "
                f"(the first takes effect {self._starts[0].isoformat()})",
            )
        return self.versions[index]

    def until(self, index: int) -> datetime | None:
        """When the version at ``index`` stops being in force (None for the latest)."""
        return self._starts[index + 1] if index + 1 < len(self._starts) else None

    def version(self, version_id: str) -> CompiledVersion:
        """The compiled version with id ``version_id``."""
        try:
            return self._by_id[version_id]
        except KeyError:
            raise ValidationError.of(
                "version", f"{self.name!r} has no version {version_id!r}"
            ) from None

    def month_of(self, at: datetime) -> tuple[int, int]:
        """The (year, month) ``at`` falls in, in the schedule's zone: the allowance month."""
        local = at.astimezone(self.zone)
        return local.year, local.month


def compile_schedule(schedule: FeeSchedule) -> CompiledSchedule:
    """Compile a schedule once, for quotes and audits."""
    if not isinstance(schedule, FeeSchedule):
        raise ValidationError.of(
            "schedule", f"must be a FeeSchedule, got {type(schedule).__name__}"
        )
    return CompiledSchedule(schedule)
