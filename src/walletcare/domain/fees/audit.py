"""Audits: fees actually charged, checked against the version in force when they were charged.

The audit walks charges in time order, counts each customer's transactions of each type per
calendar month (in the schedule's zone) for the free allowances, works out the fee the
schedule expects exactly as a quote would, and records every charge that differs.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from attrs import field, frozen

from walletcare.domain.events import aware, non_empty
from walletcare.domain.fees.compiled import CompiledSchedule, CompiledVersion
from walletcare.domain.fees.exchange import ExchangeRate
from walletcare.domain.fees.quote import principal
from walletcare.domain.fees.schedule import ANY, TransactionType
from walletcare.domain.money import Money
from walletcare.errors import ValidationError

__all__ = ["Charge", "Finding", "Discrepancy", "AllowanceKey", "AuditReport", "audit"]

AllowanceKey = tuple[str, str, int, int]
"""(customer_id, transaction type, year, month): whose allowance, for what, in which month."""


def _transaction_type(value: Any) -> TransactionType:
    try:
        return TransactionType(value)
    except ValueError:
        raise ValidationError.of(
            "transaction_type", f"{value!r} is not a transaction type"
        ) from None


def _whole_money(_: object, attribute: Any, value: Any) -> None:
    if not isinstance(value, Money):
        raise ValidationError.of(attribute.name, f"must be Money, got {type(value).__name__}")
    if value.amount < 0 or not value.is_whole:
        raise ValidationError.of(
            attribute.name, f"must be a non-negative whole number of minor units, got {value}"
        )


@frozen(kw_only=True)
class Charge:
    """A transaction as the ledger recorded it, with the fee actually charged.

    ``fee`` is everything charged for it in the payer's currency (service fee, taxes and,
    for a payment abroad, the conversion mark-up), as a quote's ``fees``.
    """

    transaction_id: str = field(validator=non_empty)
    customer_id: str = field(validator=non_empty)
    at: datetime = field(validator=aware)
    transaction_type: TransactionType = field(converter=_transaction_type)
    amount: Money = field(validator=_whole_money)
    fee: Money = field(validator=_whole_money)
    channel: str = field(default=ANY, validator=non_empty)
    segment: str = field(default=ANY, validator=non_empty)
    rate: ExchangeRate | None = None
    pay_in: str | None = None
    pay_out: str | None = None


class Finding(enum.StrEnum):
    """What is wrong with a charge."""

    OVERCHARGE = "overcharge"
    UNDERCHARGE = "undercharge"
    UNLISTED = "unlisted"
    """A fee for a transaction the schedule lists no fee for (Order 768 Art. 34)."""
    CURRENCY = "currency"
    """A fee charged in a currency other than the payer's."""


REFUNDABLE = frozenset({Finding.OVERCHARGE, Finding.UNLISTED, Finding.CURRENCY})


@frozen(kw_only=True)
class Discrepancy:
    """A charge that differs from the schedule: expected and charged, and the rule at fault.

    ``rule`` is empty for an unlisted fee; ``used_before`` is how many transactions of the
    type the customer had made that month before this one.
    """

    charge: Charge
    finding: Finding
    expected: Money
    charged: Money
    schedule: str
    version: str
    rule: str
    used_before: int

    @property
    def refund(self) -> Money:
        """What the customer is owed: the excess, the whole unlisted fee, or nothing."""
        if self.finding is Finding.OVERCHARGE:
            return self.charged - self.expected
        if self.finding in (Finding.UNLISTED, Finding.CURRENCY):
            return self.charged
        return Money.zero(self.charged.currency)

    @property
    def is_refundable(self) -> bool:
        """Tell whether the customer paid too much."""
        return self.finding in REFUNDABLE

    @property
    def fingerprint(self) -> str:
        """What customers hit by the same fault share: schedule, version and rule."""
        return f"fees:{self.schedule}:{self.version}:{self.rule or '(unlisted)'}"


@frozen(kw_only=True)
class AuditReport:
    """What an audit found: how many charges it checked, every discrepancy, and the
    allowance counts at the end (pass them as ``used`` to audit the next batch)."""

    schedule: str
    checked: int
    discrepancies: tuple[Discrepancy, ...]
    used: tuple[tuple[AllowanceKey, int], ...]

    @property
    def refundable(self) -> tuple[Discrepancy, ...]:
        """The discrepancies where the customer paid too much."""
        return tuple(d for d in self.discrepancies if d.is_refundable)

    @property
    def undercharges(self) -> tuple[Discrepancy, ...]:
        """The discrepancies where the customer paid too little."""
        return tuple(d for d in self.discrepancies if not d.is_refundable)


class _Months:
    """The (year, month) of instants in time order, re-deriving it only at a month's edge."""

    __slots__ = ("end", "key", "start", "zone")

    def __init__(self, schedule: CompiledSchedule) -> None:
        self.zone = schedule.zone
        self.start: datetime | None = None
        self.end: datetime | None = None
        self.key = (0, 0)

    def of(self, at: datetime) -> tuple[int, int]:
        if self.start is not None and self.end is not None and self.start <= at < self.end:
            return self.key
        local = at.astimezone(self.zone)
        first = datetime.combine(local.date().replace(day=1), time(), tzinfo=self.zone)
        following = (first + timedelta(days=32)).replace(day=1)
        # Bounds in UTC: charges stamped in UTC then compare without any zone arithmetic.
        self.start, self.end = first.astimezone(UTC), following.astimezone(UTC)
        self.key = (local.year, local.month)
        return self.key


def audit(
    schedule: CompiledSchedule,
    charges: Iterable[Charge],
    *,
    used: Mapping[AllowanceKey, int] | Iterable[tuple[AllowanceKey, int]] = (),
) -> AuditReport:
    """Check ``charges`` (in time order) against the version in force at each one's time.

    ``used`` gives the allowance counts already spent before the first charge (the ``used``
    of the previous batch's report), keyed by (customer, type, year, month).
    """
    if not isinstance(schedule, CompiledSchedule):
        raise ValidationError.of("schedule", "must be a CompiledSchedule (compile_schedule)")
    counts: dict[AllowanceKey, int] = dict(used.items() if isinstance(used, Mapping) else used)
    months = _Months(schedule)
    found: list[Discrepancy | None] = []
    versions = schedule.versions
    index = -1
    version: CompiledVersion | None = None
    next_start: datetime | None = None
    previous: datetime | None = None
    checked = 0
    for i, charge in enumerate(charges):
        if not isinstance(charge, Charge):
            raise ValidationError.of(f"charges[{i}]", "must be a Charge")
        at = charge.at
        if previous is not None and at < previous:
            raise ValidationError.of(f"charges[{i}].at", "charges must come in time order")
        previous = at
        if version is None or (next_start is not None and at >= next_start):
            version = schedule.in_force(at)
            index = versions.index(version)
            next_start = schedule.until(index)
        year, month = months.of(at)
        kind = charge.transaction_type
        key = (charge.customer_id, kind, year, month)
        before = counts.get(key, 0)
        counts[key] = before + 1
        checked += 1
        fee = charge.fee
        if charge.rate is None and charge.pay_in is None and charge.pay_out is None:
            # The common case, inlined: same currency, no conversion.
            amount = charge.amount
            rule = version.rule_for(kind, amount.currency, charge.channel, charge.segment)
            if rule is None:
                if fee.amount or fee.currency != amount.currency:
                    found.append(_discrepancy(schedule.name, version, charge, before))
                continue
            if fee.currency == rule.currency and fee.amount == rule.fees(
                amount.amount, before < rule.free_per_month
            ):
                continue
        found.append(_discrepancy(schedule.name, version, charge, before))
    return AuditReport(
        schedule=schedule.name,
        checked=checked,
        discrepancies=tuple(d for d in found if d is not None),
        used=tuple(counts.items()),
    )


def expected_fee(version: CompiledVersion, charge: Charge, used_before: int) -> tuple[str, Money]:
    """The rule (empty if none) and the fee ``version`` expects for ``charge``."""
    amount = charge.amount
    if charge.rate is None and charge.pay_in is None and charge.pay_out is None:
        currency, base = amount.currency, amount.amount
    else:
        currency, base = principal(amount, charge.rate, charge.pay_in, charge.pay_out)
    rule = version.rule_for(charge.transaction_type, currency, charge.channel, charge.segment)
    if rule is None:
        return "", Money.zero(currency)
    expected = rule.fees(base, used_before < rule.free_per_month)
    if charge.pay_in is not None:
        expected += (base * rule.markup).quantize(rule.quantum, rule.mode)
    return rule.id, Money(expected, currency)


def _discrepancy(
    schedule: str, version: CompiledVersion, charge: Charge, used_before: int
) -> Discrepancy | None:
    """The discrepancy of ``charge``, or None if it was charged as the schedule says."""
    rule, expected = expected_fee(version, charge, used_before)
    charged = charge.fee
    if charged.currency == expected.currency:
        difference: Decimal = charged.amount - expected.amount
        if not difference:
            return None
        if not rule:
            finding = Finding.UNLISTED
        else:
            finding = Finding.OVERCHARGE if difference > 0 else Finding.UNDERCHARGE
    elif not charged.amount and not expected.amount:
        return None
    else:
        finding = Finding.CURRENCY
    return Discrepancy(
        charge=charge,
        finding=finding,
        expected=expected,
        charged=charged,
        schedule=schedule,
        version=version.id,
        rule=rule,
        used_before=used_before,
    )
