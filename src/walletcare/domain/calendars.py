"""Business calendars: opening hours in an IANA zone, public holidays, and time arithmetic on them.

All instants go in and come out timezone-aware. Opening hours are wall-clock times in the
calendar's zone, so a 09:00-17:00 day stays 09:00-17:00 across daylight-saving changes; a
boundary that falls in a DST gap is read the PEP 495 way (``fold=0``: shifted forward by the
gap), and one in a repeated hour means its first occurrence.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays as holiday_data
from attrs import field, frozen

from walletcare.domain.fieldtypes import as_frozenset, as_tuple, check_fields
from walletcare.errors import ValidationError

__all__ = ["BusinessCalendar", "Interval", "WEEKDAYS", "parse_hours", "require_aware"]

Interval = tuple[int, int]
"""Opening interval as minutes after local midnight, ``[start, end)``, ``end`` at most 1440."""

WEEKDAYS: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_MINUTES: Final = 24 * 60
# A calendar with no business day in ten years is a configuration mistake, not a long wait.
_MAX_CLOSED_DAYS: Final = 3660
_CACHE_LIMIT: Final = 50_000
_RANGE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


def require_aware(value: datetime, field_name: str) -> datetime:
    """Return ``value`` if it is a timezone-aware datetime, else raise ``ValidationError``."""
    if not isinstance(value, datetime):
        raise ValidationError.of(field_name, f"must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValidationError.of(field_name, "must be timezone-aware (naive datetime given)")
    return value


def _parse_range(text: str, where: str) -> Interval:
    match = _RANGE.match(text)
    if match is None:
        raise ValidationError.of(where, f"{text!r} is not of the form 'HH:MM-HH:MM'")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if m1 > 59 or m2 > 59 or h1 > 23 or h2 > 24 or (h2 == 24 and m2 != 0):
        raise ValidationError.of(where, f"{text!r} is not a valid time range")
    return (h1 * 60 + m1, h2 * 60 + m2)


def _weekday_keys(key: str) -> list[int]:
    key = key.strip().lower()
    if "-" in key:
        first, last = (k.strip() for k in key.split("-", 1))
        if first not in WEEKDAYS or last not in WEEKDAYS:
            raise ValidationError.of(f"hours.{key}", "weekdays are mon, tue, ... sun")
        a, b = WEEKDAYS.index(first), WEEKDAYS.index(last)
        if b < a:
            raise ValidationError.of(f"hours.{key}", "a weekday range must run forward")
        return list(range(a, b + 1))
    if key not in WEEKDAYS:
        raise ValidationError.of(f"hours.{key}", "weekdays are mon, tue, ... sun")
    return [WEEKDAYS.index(key)]


def parse_hours(
    spec: Mapping[str, str | Sequence[str]],
) -> tuple[tuple[Interval, ...], ...]:
    """Turn ``{"mon-fri": "09:00-12:00,13:00-17:00", "sat": "10:00-14:00"}`` into intervals.

    Days not named are closed; ``"closed"`` or ``""`` closes a day explicitly.
    """
    if not isinstance(spec, Mapping):
        raise ValidationError.of(
            "hours", f"must map weekdays to opening hours, got {type(spec).__name__}"
        )
    week: list[tuple[Interval, ...]] = [() for _ in WEEKDAYS]
    for key, value in spec.items():
        if not isinstance(key, str):
            raise ValidationError.of("hours", f"{key!r} is not a weekday (mon, tue, ... sun)")
        parts = value.split(",") if isinstance(value, str) else value
        if isinstance(parts, bytes | Mapping) or not isinstance(parts, Sequence):
            raise ValidationError.of(
                f"hours.{key}", f"must be 'HH:MM-HH:MM' text or a list of it, got {value!r}"
            )
        for part in parts:
            if not isinstance(part, str):
                raise ValidationError.of(f"hours.{key}", f"{part!r} is not 'HH:MM-HH:MM' text")
        intervals = tuple(
            _parse_range(p, f"hours.{key}") for p in parts if p.strip() not in ("", "closed")
        )
        for day in _weekday_keys(key):
            week[day] = intervals
    return tuple(week)


def _check_week(week: Any) -> None:
    if not isinstance(week, tuple) or len(week) != 7:
        raise ValidationError.of("hours", "must give intervals for each of the 7 weekdays")
    any_open = False
    for day, intervals in enumerate(week):
        where = f"hours.{WEEKDAYS[day]}"
        previous_end = -1
        for interval in intervals:
            start, end = interval
            if not (0 <= start < end <= _DAY_MINUTES):
                raise ValidationError.of(
                    where, f"interval {interval} must satisfy 0<=start<end<=1440"
                )
            if start < previous_end:
                raise ValidationError.of(where, "intervals must be sorted and must not overlap")
            previous_end = end
            any_open = True
    if not any_open:
        raise ValidationError.of("hours", "the calendar is never open")


def _check_zone(zone: str) -> None:
    try:
        ZoneInfo(str(zone))
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError.of("zone", f"{zone!r} is not an IANA time zone") from None


def _check_country(country: str | None, subdivision: str | None) -> None:
    if country is None:
        return
    try:
        holiday_data.country_holidays(country, subdiv=subdivision, years=())
    except NotImplementedError:
        raise ValidationError.of(
            "country", f"{country!r} (subdivision {subdivision!r}) has no holiday data"
        ) from None


def _check_market(market: str | None, country: str | None) -> None:
    if market is None:
        return
    if country is not None:
        raise ValidationError.of("market", "give a country or a market, not both")
    try:
        holiday_data.financial_holidays(market, years=())
    except NotImplementedError:
        raise ValidationError.of("market", f"{market!r} has no holiday data") from None


@frozen(kw_only=True)
class BusinessCalendar:
    """Weekly opening hours in a zone, minus public holidays and closed dates, plus open dates.

    Holidays come from the ``holidays`` package: a ``country`` (with an optional
    ``subdivision``, such as ``GB`` with ``SCT``) or a financial ``market`` (such as ``XECB``,
    the TARGET2 closing days). A country's official make-up working days (weekend days
    declared working days, as in China, Hungary or Latvia) open like any weekday.
    Extra ``open_dates`` open too, with the calendar's most common weekday hours (or the
    day's own, if it has any); ``closed_dates`` close, and outrank make-up days.
    """

    zone: str
    hours: tuple[tuple[Interval, ...], ...] = field(converter=as_tuple)
    subdivision: str | None = None
    country: str | None = None
    market: str | None = None
    closed_dates: frozenset[date] = field(default=frozenset(), converter=as_frozenset)
    open_dates: frozenset[date] = field(default=frozenset(), converter=as_frozenset)
    _tz: ZoneInfo = field(init=False, eq=False, repr=False)
    _spans: dict[date, tuple[tuple[datetime, datetime], ...]] = field(
        init=False, eq=False, repr=False, factory=dict
    )
    _holiday_years: dict[int, tuple[frozenset[date], frozenset[date]]] = field(
        init=False, eq=False, repr=False, factory=dict
    )

    def __attrs_post_init__(self) -> None:
        check_fields(self)
        _check_zone(self.zone)
        _check_week(self.hours)
        _check_country(self.country, self.subdivision)
        _check_market(self.market, self.country)
        object.__setattr__(self, "_tz", ZoneInfo(self.zone))

    @classmethod
    def build(
        cls,
        *,
        zone: str,
        hours: Mapping[str, str | Sequence[str]],
        country: str | None = None,
        subdivision: str | None = None,
        market: str | None = None,
        closed_dates: frozenset[date] | Sequence[date] = frozenset(),
        open_dates: frozenset[date] | Sequence[date] = frozenset(),
    ) -> BusinessCalendar:
        """Build from readable opening hours, e.g. ``{"mon-fri": "09:00-17:00"}``."""
        return cls(
            zone=zone,
            hours=parse_hours(hours),
            country=country,
            subdivision=subdivision,
            market=market,
            closed_dates=closed_dates,
            open_dates=open_dates,
        )

    @classmethod
    def always_open(cls, zone: str = "UTC") -> BusinessCalendar:
        """A 24/7 calendar with no holidays: business time equals elapsed time."""
        return cls(zone=zone, hours=tuple(((0, _DAY_MINUTES),) for _ in WEEKDAYS))

    @property
    def tz(self) -> ZoneInfo:
        """The calendar's zone."""
        return self._tz

    # -- days ------------------------------------------------------------------------------
    def is_holiday(self, day: date) -> bool:
        """Tell whether ``day`` is a public holiday or a closed date of this calendar."""
        return day in self.closed_dates or day in self._holiday_data(day.year)[0]

    def is_make_up_day(self, day: date) -> bool:
        """Tell whether ``day`` is an official make-up working day (a weekend day worked)."""
        return day in self._holiday_data(day.year)[1]

    def _holiday_data(self, year: int) -> tuple[frozenset[date], frozenset[date]]:
        """The year's public holidays and make-up working days, read once per year."""
        found = self._holiday_years.get(year)
        if found is None:
            found = (frozenset(), frozenset())
            if self.country is not None or self.market is not None:
                data = (
                    holiday_data.country_holidays(
                        self.country, subdiv=self.subdivision, years=[year]
                    )
                    if self.country is not None
                    else holiday_data.financial_holidays(str(self.market), years=[year])
                )
                # The package lists make-up days of neighbouring years too (a Spring
                # Festival day off in January can be worked off the December before).
                workdays = frozenset(d for d in data.weekend_workdays if d.year == year)
                found = (frozenset(data.keys()), workdays)
            self._holiday_years[year] = found
        return found

    def _intervals(self, day: date) -> tuple[Interval, ...]:
        if day in self.open_dates:
            return self.hours[day.weekday()] or self._usual_hours()
        if day in self.closed_dates:
            return ()
        # One lookup for both: this runs for every day a business-day count walks over.
        holidays, make_up_days = self._holiday_data(day.year)
        if day in holidays:
            return ()
        if day in make_up_days:
            return self.hours[day.weekday()] or self._usual_hours()
        return self.hours[day.weekday()]

    def _usual_hours(self) -> tuple[Interval, ...]:
        days = [h for h in self.hours if h]
        return max(days, key=days.count)

    def is_business_day(self, day: date) -> bool:
        """Tell whether the calendar opens at all on ``day``."""
        return bool(self._intervals(day))

    def next_business_day(self, day: date) -> date:
        """Return the first business day strictly after ``day``."""
        for _ in range(_MAX_CLOSED_DAYS):
            day += timedelta(days=1)
            if self.is_business_day(day):
                return day
        raise ValidationError.of("calendar", f"no business day within ten years after {day}")

    def local_date(self, at: datetime) -> date:
        """The calendar date of instant ``at`` in the calendar's zone."""
        return require_aware(at, "at").astimezone(self._tz).date()

    def business_day_of(self, at: datetime) -> date:
        """The business day an instant counts as received on.

        The regulatory day-count convention: something received on a business day before
        that day's closing counts from that day; received after closing, or on a weekend or
        holiday, it counts from the next business day.
        """
        day = self.local_date(at)
        spans = self._spans_of(day)
        if spans and at < spans[-1][1]:
            return day
        return self.next_business_day(day)

    def add_business_days(self, at: datetime, days: int) -> date:
        """The business day ``days`` business days after the day ``at`` counts as received."""
        if isinstance(days, bool) or not isinstance(days, int) or days < 0:
            raise ValidationError.of("days", f"must be a non-negative int, got {days!r}")
        day = self.business_day_of(at)
        for _ in range(days):
            day = self.next_business_day(day)
        return day

    def business_days_between(self, start: date, end: date) -> int:
        """Count business days after ``start`` up to and including ``end`` (negative if before)."""
        if end < start:
            return -self.business_days_between(end, start)
        count = 0
        day = start
        while day < end:
            day += timedelta(days=1)
            count += self.is_business_day(day)
        return count

    def close_of(self, day: date) -> datetime:
        """The closing instant of business day ``day`` (end of its last opening interval)."""
        spans = self._spans_of(day)
        if not spans:
            raise ValidationError.of("day", f"{day} is not a business day of this calendar")
        return spans[-1][1].astimezone(self._tz)

    def end_of_day(self, day: date) -> datetime:
        """The instant local ``day`` ends (next local midnight) in the calendar's zone."""
        return self._localize(day + timedelta(days=1), 0)

    # -- instants --------------------------------------------------------------------------
    def _localize(self, day: date, minute: int) -> datetime:
        if minute == _DAY_MINUTES:
            day, minute = day + timedelta(days=1), 0
        local = datetime.combine(day, time(minute // 60, minute % 60), tzinfo=self._tz)
        # Normalizing through UTC resolves a wall time in a DST gap (PEP 495, fold=0).
        return local.astimezone(UTC).astimezone(self._tz)

    def _spans_of(self, day: date) -> tuple[tuple[datetime, datetime], ...]:
        spans = self._spans.get(day)
        if spans is None:
            built = []
            for start, end in self._intervals(day):
                s = self._localize(day, start).astimezone(UTC)
                e = self._localize(day, end).astimezone(UTC)
                if e > s:
                    built.append((s, e))
            spans = tuple(built)
            if len(self._spans) >= _CACHE_LIMIT:
                self._spans.clear()
            self._spans[day] = spans
        return spans

    def _spans_from(self, at: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Opening spans (UTC) that end after ``at``, the first clipped to start at ``at``."""
        day = self.local_date(at)
        closed_run = 0
        while True:
            spans = self._spans_of(day)
            closed_run = closed_run + 1 if not spans else 0
            if closed_run > _MAX_CLOSED_DAYS:
                raise ValidationError.of("calendar", f"no opening within ten years after {at}")
            for start, end in spans:
                if end > at:
                    yield (max(start, at), end)
            day += timedelta(days=1)

    def is_open(self, at: datetime) -> bool:
        """Tell whether the calendar is open at instant ``at``."""
        at = require_aware(at, "at")
        return any(s <= at < e for s, e in self._spans_of(self.local_date(at)))

    def next_open(self, at: datetime) -> datetime:
        """Return ``at`` if open then, else the next instant the calendar opens."""
        at = require_aware(at, "at")
        start, _ = next(self._spans_from(at))
        return start.astimezone(self._tz)

    def add_business_time(self, at: datetime, duration: timedelta) -> datetime:
        """The instant at which ``duration`` of business time has passed since ``at``.

        The result always lies inside an opening interval or at its closing instant.
        """
        at = require_aware(at, "at")
        if not isinstance(duration, timedelta) or duration < timedelta(0):
            raise ValidationError.of(
                "duration", f"must be a non-negative timedelta, got {duration!r}"
            )
        if not duration:
            # No business time passes: stay put (keeps add(add(t, a), b) == add(t, a + b)).
            return at.astimezone(self._tz)
        remaining = duration
        for start, end in self._spans_from(at):
            available = end - start
            if remaining <= available:
                return (start + remaining).astimezone(self._tz)
            remaining -= available
        raise AssertionError("unreachable: _spans_from never ends")  # pragma: no cover

    def business_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Business time elapsed from ``start`` to ``end`` (negative if ``end`` is earlier)."""
        start, end = require_aware(start, "start"), require_aware(end, "end")
        if end < start:
            return -self.business_time_between(end, start)
        total = timedelta(0)
        for s, e in self._spans_from(start):
            if s >= end:
                break
            total += min(e, end) - s
        return total

    def add_calendar_days(self, at: datetime, days: int) -> datetime:
        """The same wall-clock time ``days`` local calendar days later, in the calendar's zone."""
        local = require_aware(at, "at").astimezone(self._tz)
        moved = datetime.combine(local.date() + timedelta(days=days), local.timetz())
        return moved.astimezone(UTC).astimezone(self._tz)
