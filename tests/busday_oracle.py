"""An independent business-day oracle: numpy's busday arithmetic over the ``holidays`` data.

It shares nothing with ``BusinessCalendar`` but the data: closed days are read straight from
the ``holidays`` package (public holidays, and weekend days that are not official make-up
working days), and numpy counts the days.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays
import numpy as np

Hours = Sequence[Sequence[tuple[int, int]]]
"""Opening intervals (minutes after midnight) for Monday to Sunday."""


def closed_days(
    weekly: Hours,
    years: range,
    *,
    country: str | None = None,
    subdivision: str | None = None,
    market: str | None = None,
) -> list[date]:
    """Every closed day of ``years``: holidays, and closed weekdays that are not make-up days."""
    if country is not None:
        data = holidays.country_holidays(country, subdiv=subdivision, years=list(years))
    elif market is not None:
        data = holidays.financial_holidays(market, years=list(years))
    else:
        data = holidays.HolidayBase()
    make_up = set(data.weekend_workdays)
    day, last = date(years.start, 1, 1), date(years.stop - 1, 12, 31)
    closed = []
    while day <= last:
        if day in data or (not weekly[day.weekday()] and day not in make_up):
            closed.append(day)
        day += timedelta(days=1)
    return closed


def business_day(
    at: datetime,
    days: int,
    *,
    zone: str,
    weekly: Hours,
    country: str | None = None,
    subdivision: str | None = None,
    market: str | None = None,
) -> date:
    """The business day ``days`` after the one ``at`` counts from (after closing: the next)."""
    local = at.astimezone(ZoneInfo(zone))
    closed = closed_days(
        weekly,
        range(local.year - 1, local.year + 3),
        country=country,
        subdivision=subdivision,
        market=market,
    )
    every_day = "1111111"
    today = np.datetime64(local.date())
    usual = max((h for h in weekly if h), key=lambda h: sum(1 for x in weekly if x == h))
    hours = weekly[local.weekday()] or usual
    open_today = bool(np.is_busday(today, weekmask=every_day, holidays=closed))
    before_close = local.hour * 60 + local.minute < hours[-1][1]
    first = (
        today
        if open_today and before_close
        else np.busday_offset(today, 1, roll="forward", weekmask=every_day, holidays=closed)
        if open_today
        else np.busday_offset(today, 0, roll="forward", weekmask=every_day, holidays=closed)
    )
    result = np.busday_offset(first, days, roll="forward", weekmask=every_day, holidays=closed)
    return date.fromisoformat(str(result))
