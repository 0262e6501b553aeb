"""Business calendars: hours, holidays, DST, and agreement with numpy's business-day oracle."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from walletcare import BusinessCalendar
from walletcare.errors import ValidationError

from .. import busday_oracle as oracle

BERLIN = ZoneInfo("Europe/Berlin")
LUNCH = BusinessCalendar.build(
    zone="Europe/Berlin", hours={"mon-fri": "09:00-12:00,13:00-17:00"}, country="DE"
)

# (zone, country, hours): every zone has DST changes or none, every country real holidays.
PLACES = [
    ("Europe/Berlin", "DE", {"mon-fri": "09:00-12:00,13:00-17:30"}),
    ("America/New_York", "US", {"mon-fri": "08:30-17:00", "sat": "10:00-14:00"}),
    ("Europe/London", "GB", {"mon-fri": "09:00-17:00"}),
    ("Asia/Shanghai", "CN", {"mon-fri": "09:00-18:00"}),
    ("Asia/Kolkata", "IN", {"mon-sat": "10:00-16:00"}),
    ("Australia/Sydney", "AU", {"mon-fri": "09:00-17:00"}),
]
CALENDARS = [BusinessCalendar.build(zone=z, hours=h, country=c) for z, c, h in PLACES]
INSTANTS = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)
)
DURATIONS = st.integers(min_value=0, max_value=400 * 3600).map(lambda s: timedelta(seconds=s))


def test_refuses_naive_datetimes() -> None:
    """A naive datetime is refused with the field named."""
    with pytest.raises(ValidationError) as err:
        LUNCH.is_open(datetime(2026, 3, 2, 10))
    assert err.value.fields == ("at",)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"zone": "Mars/Olympus", "hours": {"mon": "09:00-17:00"}}, "zone"),
        ({"zone": "UTC", "hours": {"mon": "17:00-09:00"}}, "hours.mon"),
        ({"zone": "UTC", "hours": {"mon": "09:00-12:00,11:00-13:00"}}, "hours.mon"),
        ({"zone": "UTC", "hours": {"funday": "09:00-17:00"}}, "hours.funday"),
        ({"zone": "UTC", "hours": {}}, "hours"),
        ({"zone": "UTC", "hours": {"mon": "09:00-17:00"}, "country": "XX"}, "country"),
    ],
)
def test_bad_calendars_are_refused(kwargs: dict[str, object], field: str) -> None:
    """Unknown zones, backwards or overlapping hours, no hours at all, unknown countries."""
    with pytest.raises(ValidationError) as err:
        BusinessCalendar.build(**kwargs)  # type: ignore[arg-type]
    assert field in err.value.fields


def test_lunch_break_is_skipped() -> None:
    """3h30 of work from 10:00 on a Monday with a 12-13 lunch ends at 14:30."""
    start = datetime(2026, 3, 2, 10, 0, tzinfo=BERLIN)
    assert LUNCH.add_business_time(start, timedelta(hours=3, minutes=30)) == datetime(
        2026, 3, 2, 14, 30, tzinfo=BERLIN
    )
    assert not LUNCH.is_open(datetime(2026, 3, 2, 12, 30, tzinfo=BERLIN))
    assert LUNCH.next_open(datetime(2026, 3, 2, 12, 30, tzinfo=BERLIN)) == datetime(
        2026, 3, 2, 13, 0, tzinfo=BERLIN
    )


def test_received_after_closing_counts_from_next_business_day() -> None:
    """Something received after closing, or on a holiday, counts from the next business day."""
    assert LUNCH.business_day_of(datetime(2026, 3, 2, 16, 59, tzinfo=BERLIN)) == date(2026, 3, 2)
    assert LUNCH.business_day_of(datetime(2026, 3, 2, 7, 0, tzinfo=BERLIN)) == date(2026, 3, 2)
    assert LUNCH.business_day_of(datetime(2026, 3, 2, 17, 0, tzinfo=BERLIN)) == date(2026, 3, 3)
    assert LUNCH.business_day_of(datetime(2026, 12, 25, 10, 0, tzinfo=BERLIN)) == date(2026, 12, 28)


def test_friday_evening_before_whit_monday() -> None:
    """Received Friday 22 May 2026 19:00 in Berlin, day 15 is Tuesday 16 June (Whit Monday skipped)."""
    received = datetime(2026, 5, 22, 19, 0, tzinfo=BERLIN)
    assert LUNCH.business_day_of(received) == date(2026, 5, 26)
    assert LUNCH.add_business_days(received, 15) == date(2026, 6, 16)


def test_weekend_holiday_is_observed_on_a_weekday() -> None:
    """Christmas 2021 fell on a Saturday; England's substitute days close 27 and 28 December."""
    london = BusinessCalendar.build(
        zone="Europe/London", hours={"mon-fri": "09:00-17:00"}, country="GB"
    )
    assert not london.is_business_day(date(2021, 12, 27))
    assert not london.is_business_day(date(2021, 12, 28))
    assert london.is_business_day(date(2021, 12, 29))


def test_dst_days_are_shorter_and_longer() -> None:
    """A 24/7 Berlin calendar has 23 business hours on the spring change day and 25 in autumn."""
    always = BusinessCalendar.always_open("Europe/Berlin")
    spring = datetime(2026, 3, 29, tzinfo=BERLIN)
    autumn = datetime(2026, 10, 25, tzinfo=BERLIN)
    assert always.business_time_between(spring, always.add_calendar_days(spring, 1)) == timedelta(
        hours=23
    )
    assert always.business_time_between(autumn, always.add_calendar_days(autumn, 1)) == timedelta(
        hours=25
    )


def test_opening_hours_keep_wall_clock_across_dst() -> None:
    """A 09:00 opening is 09:00 local on both sides of the change (08:00 UTC, then 07:00 UTC)."""
    cal = BusinessCalendar.build(zone="Europe/Berlin", hours={"mon-sun": "09:00-17:00"})
    before = cal.next_open(datetime(2026, 3, 28, 5, 0, tzinfo=UTC))
    after = cal.next_open(datetime(2026, 3, 29, 5, 0, tzinfo=UTC))
    assert before.astimezone(UTC).hour == 8 and after.astimezone(UTC).hour == 7


def test_leap_day_counts() -> None:
    """29 February 2028 is a Tuesday and a business day."""
    cal = BusinessCalendar.build(zone="UTC", hours={"mon-fri": "00:00-24:00"})
    assert cal.add_business_days(datetime(2028, 2, 28, 12, tzinfo=UTC), 1) == date(2028, 2, 29)
    assert cal.add_calendar_days(datetime(2028, 2, 28, 12, tzinfo=UTC), 2) == datetime(
        2028, 3, 1, 12, tzinfo=UTC
    )


def test_closed_and_extra_open_dates() -> None:
    """Closed dates shut a weekday; open dates open a weekend day with the usual hours."""
    cal = BusinessCalendar.build(
        zone="Asia/Shanghai",
        hours={"mon-fri": "09:00-18:00"},
        closed_dates=[date(2026, 10, 8)],
        open_dates=[date(2026, 10, 10)],
    )
    assert not cal.is_business_day(date(2026, 10, 8))
    assert cal.is_business_day(date(2026, 10, 10))
    saturday = datetime(2026, 10, 10, 8, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert cal.next_open(saturday).hour == 9


def test_year_end_rollover() -> None:
    """Business days run across New Year's Day (a German holiday)."""
    received = datetime(2026, 12, 30, 10, 0, tzinfo=BERLIN)
    assert LUNCH.add_business_days(received, 2) == date(2027, 1, 4)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(range(len(CALENDARS))), INSTANTS, DURATIONS)
def test_adding_then_measuring_gives_the_duration_back(
    index: int, start: datetime, duration: timedelta
) -> None:
    """business_time_between(start, add_business_time(start, d)) == d."""
    cal = CALENDARS[index]
    end = cal.add_business_time(start, duration)
    assert cal.business_time_between(start, end) == duration
    assert cal.business_time_between(end, start) == -duration


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(range(len(CALENDARS))), INSTANTS, DURATIONS.filter(bool))
def test_results_never_land_in_a_closed_period(
    index: int, start: datetime, duration: timedelta
) -> None:
    """A positive business duration ends inside an opening interval or at its closing instant."""
    cal = CALENDARS[index]
    end = cal.add_business_time(start, duration)
    assert cal.is_open(end) or cal.is_open(end - timedelta(microseconds=1))


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(range(len(CALENDARS))), INSTANTS, st.integers(0, 30 * 24 * 3600), DURATIONS)
def test_results_are_monotonic_in_the_start(
    index: int, start: datetime, gap_s: int, duration: timedelta
) -> None:
    """A later start never gives an earlier result, for times and for business days."""
    cal = CALENDARS[index]
    later = start + timedelta(seconds=gap_s)
    assert cal.add_business_time(start, duration) <= cal.add_business_time(later, duration)
    assert cal.add_business_days(start, 5) <= cal.add_business_days(later, 5)


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(range(len(PLACES))), INSTANTS, st.integers(0, 60))
def test_business_days_agree_with_numpy(index: int, at: datetime, days: int) -> None:
    """add_business_days matches numpy.busday_offset with the same holidays, across zones and DST."""
    zone, country, _ = PLACES[index]
    cal = CALENDARS[index]
    expected = oracle.business_day(at, days, zone=zone, weekly=cal.hours, country=country)
    assert cal.add_business_days(at, days) == expected


CN_MAKE_UP_DAYS_2026 = [
    date(2026, 1, 4),
    date(2026, 2, 14),
    date(2026, 2, 28),
    date(2026, 5, 9),
    date(2026, 9, 20),
    date(2026, 10, 10),
]


def test_chinas_make_up_working_days_are_business_days() -> None:
    """All six weekend days China works in 2026 open with the usual hours; other weekends stay shut."""
    shanghai = BusinessCalendar.build(
        zone="Asia/Shanghai", hours={"mon-fri": "09:00-18:00"}, country="CN"
    )
    year = [date(2026, 1, 1) + timedelta(days=i) for i in range(365)]
    worked_weekends = [d for d in year if d.weekday() >= 5 and shanghai.is_business_day(d)]
    assert worked_weekends == CN_MAKE_UP_DAYS_2026
    assert all(shanghai.is_make_up_day(d) for d in CN_MAKE_UP_DAYS_2026)
    saturday = datetime(2026, 2, 28, 8, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert shanghai.next_open(saturday) == datetime(2026, 2, 28, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    # Spring Festival: 16-20 and 23 February are days off.
    assert not any(shanghai.is_business_day(date(2026, 2, d)) for d in (16, 17, 18, 19, 20, 23))


def test_a_make_up_day_of_january_is_read_from_the_year_it_falls_in() -> None:
    """A make-up day worked in December for a January break counts in its own year."""
    shanghai = BusinessCalendar.build(
        zone="Asia/Shanghai", hours={"mon-fri": "09:00-18:00"}, country="CN"
    )
    assert shanghai.is_business_day(date(2001, 12, 29))  # worked for the 2002 New Year break
    assert not shanghai.is_business_day(date(2002, 1, 2))


def test_closed_dates_outrank_make_up_days() -> None:
    """A host that stays shut on a make-up Saturday says so with closed_dates."""
    shut = BusinessCalendar.build(
        zone="Asia/Shanghai",
        hours={"mon-fri": "09:00-18:00"},
        country="CN",
        closed_dates=[date(2026, 2, 28)],
    )
    assert not shut.is_business_day(date(2026, 2, 28))


def test_uk_calendars_follow_the_nation() -> None:
    """Easter Monday closes England, Wales and Northern Ireland, not Scotland; St Andrew's Day only Scotland."""
    nations = {
        sub: BusinessCalendar.build(
            zone="Europe/London", hours={"mon-fri": "09:00-17:00"}, country="GB", subdivision=sub
        )
        for sub in ("ENG", "WLS", "SCT", "NIR")
    }
    easter_monday, st_andrew, st_patrick = date(2026, 4, 6), date(2026, 11, 30), date(2026, 3, 17)
    assert [n for n, c in nations.items() if not c.is_business_day(easter_monday)] == ["ENG", "WLS", "NIR"]
    assert [n for n, c in nations.items() if not c.is_business_day(st_andrew)] == ["SCT"]
    assert [n for n, c in nations.items() if not c.is_business_day(st_patrick)] == ["NIR"]


def test_a_market_calendar_uses_the_markets_closing_days() -> None:
    """market="XECB": TARGET2 closes on 1 May and 26 December, not on national holidays."""
    target = BusinessCalendar.build(zone="Europe/Brussels", hours={"mon-fri": "09:00-17:00"}, market="XECB")
    assert not target.is_business_day(date(2026, 5, 1))
    assert target.is_business_day(date(2026, 7, 21))  # Belgian National Day
    with pytest.raises(ValidationError) as err:
        BusinessCalendar.build(zone="UTC", hours={"mon": "09:00-17:00"}, market="NOPE")
    assert err.value.fields == ("market",)
    with pytest.raises(ValidationError) as err:
        BusinessCalendar.build(zone="UTC", hours={"mon": "09:00-17:00"}, country="DE", market="XECB")
    assert err.value.fields == ("market",)


# Countries with official make-up working days, on Monday-to-Friday hours.
MAKE_UP_PLACES = [
    ("Asia/Shanghai", "CN", {"mon-fri": "09:00-17:30"}),
    ("Europe/Budapest", "HU", {"mon-fri": "08:00-16:00"}),
    ("Europe/Riga", "LV", {"mon-fri": "09:00-18:00"}),
]
MAKE_UP_CALENDARS = [BusinessCalendar.build(zone=z, hours=h, country=c) for z, c, h in MAKE_UP_PLACES]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(range(len(MAKE_UP_PLACES))), INSTANTS, st.integers(0, 40))
def test_make_up_days_agree_with_numpy(index: int, at: datetime, days: int) -> None:
    """Business days over China's, Hungary's and Latvia's make-up days match the numpy oracle."""
    zone, country, _ = MAKE_UP_PLACES[index]
    cal = MAKE_UP_CALENDARS[index]
    expected = oracle.business_day(at, days, zone=zone, weekly=cal.hours, country=country)
    assert cal.add_business_days(at, days) == expected
