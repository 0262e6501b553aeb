"""Regulatory profiles: a regulation's deadlines as data, and how their days are counted.

Each profile lists its deadlines with their source; ``docs/concepts/regulatory-profiles.md``
tabulates them. They are the library's reading of the rules, not legal advice.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from attrs import field, frozen

from walletcare.domain.calendars import BusinessCalendar, require_aware
from walletcare.domain.fieldtypes import as_frozenset, as_map, as_tuple, check_fields, to_enum
from walletcare.domain.frozenmap import FrozenMap
from walletcare.domain.money import Money
from walletcare.domain.sla import waits
from walletcare.errors import ValidationError

__all__ = [
    "DayCount",
    "CountFrom",
    "DayEnd",
    "ProfileDeadline",
    "DailyPenalty",
    "RegulatoryProfile",
    "Jurisdiction",
    "ProfileChoice",
    "normalise_jurisdiction",
    "Deadline",
    "deadline_for",
    "deadlines",
    "allowances",
    "late_days",
    "penalty_due",
]


class DayCount(enum.StrEnum):
    """How a deadline's days are counted."""

    BUSINESS_DAYS = "business_days"
    CALENDAR_DAYS = "calendar_days"


class CountFrom(enum.StrEnum):
    """The instant a deadline counts from."""

    RECEIPT = "receipt"  # when the complaint reached the provider
    OCCURRENCE = "occurrence"  # when the transaction happened (RBI's T)
    FINDING = "finding"  # when the investigation's finding was recorded (Reg E's report)


class DayEnd(enum.StrEnum):
    """Where the last day of a deadline ends."""

    MIDNIGHT = "midnight"  # the end of the local day
    CLOSE_OF_BUSINESS = "close_of_business"  # the calendar's closing time that day


def _positive(_: object, attribute: Any, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValidationError.of(attribute.name, f"must be a positive int, got {value!r}")


def _waits(value: Any) -> frozenset[str]:
    return waits(value)


def _words(value: Any) -> Any:
    """attrs converter: words as a frozenset; a single string (or anything not a collection)
    as it is, for ``check_fields`` to refuse naming the field."""
    return as_frozenset(value)


def _day_count(value: Any) -> Any:
    return to_enum(DayCount, value)


def _count_from(value: Any) -> Any:
    return to_enum(CountFrom, value)


def _day_end(value: Any) -> Any:
    return to_enum(DayEnd, value)


@frozen(kw_only=True)
class ProfileDeadline:
    """One deadline of a profile: ``count`` days after the start, to the end of the last day.

    It applies when all ``when`` flags are on the case, none of the ``unless`` flags, and,
    if ``products`` names any, the case's product is one of them. Several deadlines for one
    metric may apply; the earliest holds. An ``allowance`` is not a deadline: it says until
    when something may still be done (DISP's summary resolution), so it starts no clock and
    nothing breaches when it ends.
    """

    metric: str
    count: int = field(validator=_positive)
    unit: DayCount = field(converter=_day_count)
    count_from: CountFrom = field(default=CountFrom.RECEIPT, converter=_count_from)
    when: frozenset[str] = field(default=frozenset(), converter=_words)
    unless: frozenset[str] = field(default=frozenset(), converter=_words)
    products: frozenset[str] = field(default=frozenset(), converter=_words)
    ends: DayEnd = field(default=DayEnd.MIDNIGHT, converter=_day_end)
    allowance: bool = False
    note: str = ""

    def __attrs_post_init__(self) -> None:
        check_fields(self)
        if self.ends is DayEnd.CLOSE_OF_BUSINESS and self.unit is not DayCount.BUSINESS_DAYS:
            raise ValidationError.of(
                "ends", f"{self.metric}: only a business-day count ends at close of business"
            )

    def applies(self, flags: frozenset[str], product: str) -> bool:
        """Tell whether this deadline applies to a case with ``flags`` and ``product``."""
        return (
            self.when <= flags
            and not self.unless & flags
            and (not self.products or product in self.products)
        )


@frozen(kw_only=True)
class DailyPenalty:
    """Compensation accruing for each calendar day a deadline is missed."""

    metric: str
    amount: Money

    def __attrs_post_init__(self) -> None:
        check_fields(self)


@frozen(kw_only=True)
class RegulatoryProfile:
    """A regulation's complaint deadlines, where they come from, and how they are counted."""

    name: str
    title: str
    deadlines: tuple[ProfileDeadline, ...] = field(converter=as_tuple)
    sources: tuple[str, ...] = field(converter=as_tuple)
    penalty: DailyPenalty | None = None
    notes: str = ""
    notice: str = ""
    """The catalogue id of what the final response must tell the customer (the ombudsman,
    the out-of-court body); ``notice.<name>`` when ``final_response_notice`` is given."""
    final_response_notice: FrozenMap[str, str] = field(factory=FrozenMap, converter=as_map)
    """A host profile's notice texts by language (the catalogue's defaults for ``notice``)."""
    paused_by: frozenset[str] = field(default=frozenset(), converter=_waits)
    """The waits (``customer``, ``merchant``, ``network``) that stop this regulation's clocks;
    none by default: PSD2, DISP, Reg E and the others have no stop-the-clock."""

    def __attrs_post_init__(self) -> None:
        check_fields(self)
        if self.final_response_notice and not self.notice:
            object.__setattr__(self, "notice", f"notice.{self.name}")
        if not self.name.strip():
            raise ValidationError.of("name", "a profile needs a name")
        if not self.sources:
            raise ValidationError.of("sources", f"{self.name}: say where the deadlines come from")

    def applicable(self, flags: Iterable[str], product: str = "") -> tuple[ProfileDeadline, ...]:
        """The deadlines and allowances that apply to a case with ``flags`` and ``product``."""
        present = frozenset(flags)
        return tuple(d for d in self.deadlines if d.applies(present, product))


@frozen(kw_only=True)
class Jurisdiction:
    """Where deadlines are counted: the zone, the holidays and the closing time.

    Holidays come from a ``country`` (and ``subdivision``, such as ``SCT`` for Scotland) or
    from a financial ``market`` (``XECB``: the TARGET2 closing days).
    """

    code: str
    zone: str
    country: str | None = None
    subdivision: str | None = None
    market: str | None = None
    closing: str = "17:00"

    def __attrs_post_init__(self) -> None:
        # The calendar is built (and its zone, holidays and closing time checked) at start.
        check_fields(self)
        if (self.country is None) == (self.market is None):
            raise ValidationError.of(
                "country", f"{self.code}: give the country or the market whose holidays count"
            )

    def calendar(self) -> BusinessCalendar:
        """Monday to Friday until closing, minus the holidays, plus official make-up days."""
        return BusinessCalendar.build(
            zone=self.zone,
            hours={"mon-fri": f"00:00-{self.closing}"},
            country=self.country,
            subdivision=self.subdivision,
            market=self.market,
        )


def normalise_jurisdiction(code: str) -> str:
    """A jurisdiction code as walletcare keeps it: trimmed, upper case, ``-`` before a subdivision.

    ``" gb_sct "`` becomes ``"GB-SCT"``; aliases (``UK``, ``EL``) are resolved by ``Regulation``.
    """
    if not isinstance(code, str):
        raise ValidationError.of("jurisdiction", f"must be a code such as 'DE', got {code!r}")
    return code.strip().upper().replace("_", "-")


def _codes(value: Any) -> Any:
    words = _words(value)
    if not isinstance(words, frozenset) or not all(isinstance(c, str) for c in words):
        return words  # refused by check_fields, naming the field
    return frozenset(normalise_jurisdiction(c) for c in words)


@frozen(kw_only=True)
class ProfileChoice:
    """Pick ``profile`` for cases in ``jurisdictions`` (and, if given, these products).

    A country's code also covers its subdivisions: ``GB`` covers ``GB-SCT``.
    """

    profile: str
    jurisdictions: frozenset[str] = field(converter=_codes)
    products: frozenset[str] = field(default=frozenset(), converter=_words)

    def __attrs_post_init__(self) -> None:
        check_fields(self)

    def fits(self, jurisdiction: str, product: str) -> bool:
        """Tell whether this choice covers a case in ``jurisdiction`` with ``product``."""
        covered = (
            jurisdiction in self.jurisdictions
            or jurisdiction.split("-", 1)[0] in self.jurisdictions
        )
        return covered and (not self.products or product in self.products)


@frozen(kw_only=True)
class Deadline:
    """A deadline (or allowance) applied to a case, with where it comes from."""

    metric: str
    due_at: datetime
    profile: str
    note: str


def deadline_for(
    rule: ProfileDeadline,
    *,
    received_at: datetime,
    occurred_at: datetime,
    calendar: BusinessCalendar,
    found_at: datetime | None = None,
) -> datetime:
    """The instant a deadline ends: the end (or the close of business) of its last local day.

    Business days count from the business day the start counts as received on (after
    closing, or on a holiday, that is the next business day); calendar days from the
    local date of the start.
    """
    starts = {
        CountFrom.RECEIPT: received_at,
        CountFrom.OCCURRENCE: occurred_at,
        CountFrom.FINDING: found_at,
    }
    chosen = starts[rule.count_from]
    if chosen is None:
        raise ValidationError.of("found_at", f"{rule.metric} counts from the finding: give it")
    start = require_aware(chosen, "start")
    last: date
    if rule.unit is DayCount.BUSINESS_DAYS:
        last = calendar.add_business_days(start, rule.count)
    else:
        last = calendar.local_date(start) + timedelta(days=rule.count)
    if rule.ends is DayEnd.CLOSE_OF_BUSINESS:
        return calendar.close_of(last)
    return calendar.end_of_day(last)


def _earliest(
    profile: RegulatoryProfile,
    rules: Iterable[ProfileDeadline],
    *,
    received_at: datetime,
    occurred_at: datetime,
    calendar: BusinessCalendar,
    found_at: datetime | None = None,
) -> dict[str, Deadline]:
    found: dict[str, Deadline] = {}
    for rule in rules:
        if rule.count_from is CountFrom.FINDING and found_at is None:
            continue  # counts from a finding not recorded (yet)
        due = deadline_for(
            rule,
            received_at=received_at,
            occurred_at=occurred_at,
            calendar=calendar,
            found_at=found_at,
        )
        current = found.get(rule.metric)
        if current is None or due < current.due_at:
            found[rule.metric] = Deadline(
                metric=rule.metric, due_at=due, profile=profile.name, note=rule.note
            )
    return found


def deadlines(
    profile: RegulatoryProfile,
    *,
    flags: Iterable[str],
    received_at: datetime,
    occurred_at: datetime,
    calendar: BusinessCalendar,
    product: str = "",
    found_at: datetime | None = None,
) -> dict[str, Deadline]:
    """The profile's deadlines for a case, one per metric (the earliest if several apply).

    Deadlines counting from the investigation's finding apply once ``found_at`` is given.
    """
    rules = (r for r in profile.applicable(flags, product) if not r.allowance)
    return _earliest(
        profile,
        rules,
        received_at=received_at,
        occurred_at=occurred_at,
        calendar=calendar,
        found_at=found_at,
    )


def allowances(
    profile: RegulatoryProfile,
    *,
    flags: Iterable[str],
    received_at: datetime,
    occurred_at: datetime,
    calendar: BusinessCalendar,
    product: str = "",
) -> dict[str, Deadline]:
    """The profile's allowances for a case: until when each may still be used."""
    rules = (r for r in profile.applicable(flags, product) if r.allowance)
    return _earliest(
        profile, rules, received_at=received_at, occurred_at=occurred_at, calendar=calendar
    )


def late_days(deadline: datetime, done_at: datetime, calendar: BusinessCalendar) -> int:
    """Local calendar days begun from ``deadline`` (a local midnight) to ``done_at``; 0 if on time.

    RBI's example: due by the end of T+1, reversed on T+4, is late on T+2, T+3 and T+4.
    """
    if done_at <= deadline:
        return 0
    return (calendar.local_date(done_at) - calendar.local_date(deadline)).days + 1


def penalty_due(
    profile: RegulatoryProfile, deadline: datetime, done_at: datetime, calendar: BusinessCalendar
) -> Money | None:
    """The compensation a case late until ``done_at`` is owed (None if the profile has none)."""
    if profile.penalty is None:
        return None
    return profile.penalty.amount * late_days(deadline, done_at, calendar)
