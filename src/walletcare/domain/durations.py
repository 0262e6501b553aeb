"""Durations as ISO 8601 text (``P1DT2H30M``): how policies write them in configuration."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

__all__ = ["format_duration", "parse_duration"]

_DURATION = re.compile(
    r"^(?P<sign>-)?P(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+(?:\.\d{1,6})?)S)?)?$"
)


def format_duration(value: timedelta) -> str:
    """Render a timedelta as an ISO 8601 duration (``P1DT2H30M``)."""
    sign = "-" if value < timedelta(0) else ""
    value = abs(value)
    days, seconds, micros = value.days, value.seconds, value.microseconds
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    time_part = ""
    if hours:
        time_part += f"{hours}H"
    if minutes:
        time_part += f"{minutes}M"
    if secs or micros:
        time_part += f"{secs}.{micros:06d}S".replace(".000000S", "S")
    text = f"{sign}P{f'{days}D' if days else ''}{'T' + time_part if time_part else ''}"
    return text if text not in ("P", "-P") else "PT0S"


def parse_duration(value: object) -> timedelta:
    """Parse an ISO 8601 duration of weeks, days, hours, minutes and seconds."""
    match = _DURATION.match(value) if isinstance(value, str) else None
    if match is None or value in ("P", "-P") or str(value).endswith("T"):
        raise ValueError(f"{value!r} is not an ISO 8601 duration like 'P1DT2H'")
    parts = {k: v for k, v in match.groupdict().items() if v and k != "sign"}
    result = timedelta(
        weeks=int(parts.get("weeks", 0)),
        days=int(parts.get("days", 0)),
        hours=int(parts.get("hours", 0)),
        minutes=int(parts.get("minutes", 0)),
        microseconds=int(Decimal(parts.get("seconds", "0")) * 1_000_000),
    )
    return -result if match.group("sign") else result
