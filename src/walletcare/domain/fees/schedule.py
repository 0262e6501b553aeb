"""A published fee schedule: versions with notice, and rules made of fee components.

Every amount in a rule is in the rule's currency and must be a whole number of that
currency's minor units; percentages are written as percent (``"0.1"`` is 0.1 %).
"""

from __future__ import annotations

import enum
from datetime import date, datetime, timedelta
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, ROUND_UP, Decimal
from typing import Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from attrs import field, frozen

from walletcare.domain.events import aware
from walletcare.domain.fieldtypes import as_tuple, check_fields, to_enum
from walletcare.domain.frozenmap import FrozenMap
from walletcare.domain.money import is_currency, minor_units
from walletcare.errors import ValidationError

__all__ = [
    "ANY",
    "TransactionType",
    "TierMode",
    "Rounding",
    "FeeCharging",
    "FeeTier",
    "Tax",
    "FeeRule",
    "NoticePeriod",
    "PBOC_NOTICE",
    "PSD2_NOTICE",
    "NOTICE_PERIODS",
    "ScheduleVersion",
    "FeeSchedule",
]

ANY: Final = "*"
"""A rule's channel or segment that matches every channel or segment."""

_HUNDRED = Decimal(100)


class TransactionType(enum.StrEnum):
    """What the customer does; fee rules are listed per type."""

    TOP_UP = "top_up"
    WITHDRAWAL = "withdrawal"
    TRANSFER = "transfer"
    P2P = "p2p"
    MERCHANT_PAYMENT = "merchant_payment"
    CROSS_BORDER = "cross_border"
    FX_CONVERSION = "fx_conversion"


class TierMode(enum.StrEnum):
    """How volume tiers apply to an amount."""

    GRADUATED = "graduated"
    """Each band of the amount at its own percentage: a larger amount never pays less."""
    WHOLE = "whole"
    """The whole amount at the percentage of the band it falls in: a volume discount, so
    the fee may drop where a band with a lower percentage begins (the schedule says so)."""


class Rounding(enum.StrEnum):
    """How each fee line is rounded to the currency's minor units."""

    HALF_EVEN = "half_even"
    HALF_UP = "half_up"
    UP = "up"
    DOWN = "down"

    @property
    def mode(self) -> str:
        """The ``decimal`` rounding constant."""
        return _MODES[self]


_MODES: Final = {
    Rounding.HALF_EVEN: ROUND_HALF_EVEN,
    Rounding.HALF_UP: ROUND_HALF_UP,
    Rounding.UP: ROUND_UP,
    Rounding.DOWN: ROUND_DOWN,
}


class FeeCharging(enum.StrEnum):
    """Whether the fee is paid on top of the amount or taken out of it."""

    ON_TOP = "on_top"
    DEDUCTED = "deducted"


def _decimal(value: Any) -> bool:
    return isinstance(value, Decimal) and value.is_finite()


def _whole_units(value: Any, currency: str) -> bool:
    if not _decimal(value) or value < 0:
        return False
    scaled = value.scaleb(minor_units(currency)) if is_currency(currency) else value
    return bool(scaled == scaled.to_integral_value())


def _check_percent(value: Any, name: str, problems: dict[str, str]) -> None:
    if not _decimal(value) or not (0 <= value <= _HUNDRED):
        problems[name] = f"must be a percentage from 0 to 100 (a Decimal), got {value!r}"


def _check_name(value: Any, name: str, problems: dict[str, str]) -> None:
    if not isinstance(value, str) or not value.strip() or value != value.strip():
        problems[name] = f"must be a non-empty name without surrounding spaces, got {value!r}"


def _fee_charging(value: Any) -> Any:
    return to_enum(FeeCharging, value)


def _rounding(value: Any) -> Any:
    return to_enum(Rounding, value)


def _tier_mode(value: Any) -> Any:
    return to_enum(TierMode, value)


def _transaction_type(value: Any) -> Any:
    return to_enum(TransactionType, value)


@frozen(kw_only=True)
class FeeTier:
    """A band of the amount, from the previous tier's ``up_to`` (exclusive) to this one's
    (inclusive), charged ``percent``; the last tier has no ``up_to``."""

    up_to: Decimal | None
    percent: Decimal

    def __attrs_post_init__(self) -> None:
        check_fields(self)
        problems: dict[str, str] = {}
        if self.up_to is not None and (not _decimal(self.up_to) or self.up_to <= 0):
            problems["up_to"] = f"must be a positive Decimal or None, got {self.up_to!r}"
        _check_percent(self.percent, "percent", problems)
        if problems:
            raise ValidationError(problems)


@frozen(kw_only=True)
class Tax:
    """A tax on the service fee (fixed, percentage, minimum and maximum), e.g. VAT."""

    name: str
    percent: Decimal

    def __attrs_post_init__(self) -> None:
        check_fields(self)
        problems: dict[str, str] = {}
        _check_name(self.name, "name", problems)
        _check_percent(self.percent, "percent", problems)
        if problems:
            raise ValidationError(problems)


@frozen(kw_only=True)
class FeeRule:
    """The fee for one transaction type, in one currency, on a channel, for a segment.

    The service fee is ``fixed`` plus ``percent`` of the amount (or its ``tiers``), raised to
    ``minimum`` and capped at ``maximum``; the first ``free_per_month`` transactions of the
    type in a calendar month cost no service fee; ``taxes`` apply to the service fee; a
    currency conversion adds ``fx_markup_percent`` over the reference rate.
    """

    id: str
    transaction_type: TransactionType = field(converter=_transaction_type)
    currency: str
    channel: str = ANY
    segment: str = ANY
    fixed: Decimal = Decimal(0)
    percent: Decimal = Decimal(0)
    tiers: tuple[FeeTier, ...] = field(default=(), converter=as_tuple)
    tier_mode: TierMode = field(default=TierMode.GRADUATED, converter=_tier_mode)
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    free_per_month: int = 0
    fx_markup_percent: Decimal | None = None
    taxes: tuple[Tax, ...] = field(default=(), converter=as_tuple)
    charging: FeeCharging = field(default=FeeCharging.ON_TOP, converter=_fee_charging)

    def __attrs_post_init__(self) -> None:
        check_fields(self)
        problems: dict[str, str] = {}
        _check_name(self.id, "id", problems)
        try:
            TransactionType(self.transaction_type)
        except ValueError:
            kinds = ", ".join(t.value for t in TransactionType)
            problems["transaction_type"] = f"{self.transaction_type!r} is not one of {kinds}"
        if not isinstance(self.currency, str) or not is_currency(self.currency):
            problems["currency"] = f"{self.currency!r} is not an ISO 4217 currency"
        _check_name(self.channel, "channel", problems)
        _check_name(self.segment, "segment", problems)
        self._check_amounts(problems)
        self._check_variable(problems)
        if isinstance(self.free_per_month, bool) or not isinstance(self.free_per_month, int):
            problems["free_per_month"] = f"must be an int, got {self.free_per_month!r}"
        elif self.free_per_month < 0:
            problems["free_per_month"] = f"must not be negative, got {self.free_per_month}"
        if self.fx_markup_percent is not None:
            _check_percent(self.fx_markup_percent, "fx_markup_percent", problems)
            if self.charging is FeeCharging.DEDUCTED:
                problems["charging"] = "a conversion's fee is paid on top, not deducted"
        names = [t.name for t in self.taxes]
        if len(set(names)) != len(names):
            problems["taxes"] = f"tax names must be unique, got {names}"
        if problems:
            raise ValidationError(problems)

    def _check_amounts(self, problems: dict[str, str]) -> None:
        where = f"whole {self.currency} minor units" if is_currency(self.currency) else "exact"
        for name in ("fixed", "minimum", "maximum"):
            value = getattr(self, name)
            if value is None and name != "fixed":
                continue
            if not _whole_units(value, self.currency):
                problems[name] = f"must be a non-negative amount in {where}, got {value!r}"
        low, high = self.minimum, self.maximum
        limits = "minimum" not in problems and "maximum" not in problems
        if limits and low is not None and high is not None and low > high:
            problems["maximum"] = f"must not be below the minimum {low}, got {high}"

    def _check_variable(self, problems: dict[str, str]) -> None:
        _check_percent(self.percent, "percent", problems)
        if not self.tiers:
            return
        if "percent" not in problems and self.percent != 0:
            problems["tiers"] = "give either percent or tiers, not both"
            return
        bounds = [t.up_to for t in self.tiers]
        if bounds[-1] is not None or None in bounds[:-1]:
            problems["tiers"] = "only the last tier, and it always, has no up_to"
            return
        closed = [b for b in bounds if b is not None]
        if any(b >= a for a, b in zip(closed[1:], closed, strict=False)):
            problems["tiers"] = f"up_to must increase from tier to tier, got {closed}"

    @property
    def key(self) -> tuple[TransactionType, str, str, str]:
        """What the rule is chosen by: type, currency, channel, segment."""
        return (self.transaction_type, self.currency, self.channel, self.segment)


def _add_months(moment: datetime, months: int) -> datetime:
    """The same local wall time ``months`` later, on the last day of a shorter month."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    first_of_next = date(year + month // 12, month % 12 + 1, 1)
    last_day = (first_of_next - timedelta(days=1)).day
    return moment.replace(year=year, month=month, day=min(moment.day, last_day))


@frozen(kw_only=True)
class NoticePeriod:
    """How long before it takes effect a fee change must be announced, and where that rule is."""

    days: int = 0
    months: int = 0
    source: str = ""

    def __attrs_post_init__(self) -> None:
        check_fields(self)
        problems: dict[str, str] = {}
        for name in ("days", "months"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                problems[name] = f"must be a non-negative int, got {value!r}"
        if problems:
            raise ValidationError(problems)

    def earliest_effective(self, announced_at: datetime, zone: ZoneInfo) -> datetime:
        """The first instant a change announced at ``announced_at`` may take effect.

        Counted on the local wall clock of ``zone`` (a month is a calendar month, a day a
        calendar day), so summer time does not shift the answer by an hour.
        """
        local = announced_at.astimezone(zone)
        return _add_months(local, self.months) + timedelta(days=self.days)


PBOC_NOTICE: Final = NoticePeriod(
    days=30, source="PBoC Announcement No. 43 (2021) Art. 30: fee changes announced 30 days ahead"
)
PSD2_NOTICE: Final = NoticePeriod(
    months=2,
    source="PSD2 (Directive 2015/2366) Art. 54(1): framework contract changes 2 months ahead",
)
NOTICE_PERIODS: Final = FrozenMap({"cn_pboc": PBOC_NOTICE, "psd2": PSD2_NOTICE})
"""Notice periods by regulatory profile name."""


@frozen(kw_only=True)
class ScheduleVersion:
    """One version of a schedule: its rules, when it takes effect and when it was announced."""

    id: str
    effective_from: datetime = field(validator=aware)
    announced_at: datetime = field(validator=aware)
    rules: tuple[FeeRule, ...] = field(converter=as_tuple)
    rounding: Rounding = field(default=Rounding.HALF_EVEN, converter=_rounding)

    def __attrs_post_init__(self) -> None:
        check_fields(self)
        problems: dict[str, str] = {}
        _check_name(self.id, "id", problems)
        if self.announced_at > self.effective_from:
            problems["announced_at"] = "a version cannot take effect before it is announced"
        seen_ids: set[str] = set()
        seen_keys: dict[tuple[TransactionType, str, str, str], str] = {}
        for i, rule in enumerate(self.rules):
            if not isinstance(rule, FeeRule):
                problems[f"rules[{i}]"] = f"must be a FeeRule, got {type(rule).__name__}"
                continue
            if rule.id in seen_ids:
                problems[f"rules[{i}].id"] = f"{rule.id!r} is used by an earlier rule"
            other = seen_keys.get(rule.key)
            if other is not None:
                problems[f"rules[{i}]"] = (
                    f"covers the same type, currency, channel and segment as rule {other!r}"
                )
            seen_ids.add(rule.id)
            seen_keys[rule.key] = rule.id
        if problems:
            raise ValidationError(problems)


@frozen(kw_only=True)
class FeeSchedule:
    """A named, versioned fee schedule.

    ``zone`` is where calendar months (free allowances) and notice periods are counted.
    The first version is the initial publication; every later one is a change and must be
    announced at least ``notice`` before it takes effect.
    """

    name: str
    zone: str
    notice: NoticePeriod
    versions: tuple[ScheduleVersion, ...] = field(converter=as_tuple)

    def __attrs_post_init__(self) -> None:
        check_fields(self)
        problems: dict[str, str] = {}
        _check_name(self.name, "name", problems)
        zone = None
        try:
            zone = ZoneInfo(str(self.zone))
        except (ZoneInfoNotFoundError, ValueError):
            problems["zone"] = f"{self.zone!r} is not an IANA time zone"
        if not self.versions:
            problems["versions"] = "a schedule needs at least one version"
        ids: set[str] = set()
        for i, version in enumerate(self.versions):
            if version.id in ids:
                problems[f"versions[{i}].id"] = f"{version.id!r} is used by an earlier version"
            ids.add(version.id)
            if i == 0:
                continue
            before = self.versions[i - 1]
            if version.effective_from <= before.effective_from:
                problems[f"versions[{i}].effective_from"] = (
                    f"must be after version {before.id!r} takes effect "
                    f"({before.effective_from.isoformat()})"
                )
            elif zone is not None:
                earliest = self.notice.earliest_effective(version.announced_at, zone)
                if version.effective_from < earliest:
                    problems[f"versions[{i}].effective_from"] = (
                        f"{version.effective_from.isoformat()} is less than the notice period "
                        f"after the announcement on {version.announced_at.isoformat()}; "
                        f"earliest {earliest.isoformat()} ({self.notice.source or 'notice'})"
                    )
        if problems:
            raise ValidationError(problems)

    @property
    def tz(self) -> ZoneInfo:
        """The schedule's zone."""
        return ZoneInfo(self.zone)

    def version(self, version_id: str) -> ScheduleVersion:
        """The version with id ``version_id``."""
        for version in self.versions:
            if version.id == version_id:
                return version
        raise ValidationError.of("version", f"{self.name!r} has no version {version_id!r}")
