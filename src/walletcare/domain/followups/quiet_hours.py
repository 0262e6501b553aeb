"""Quiet hours in the recipient's zone: when a customer may be contacted, and when next.

One small module on purpose: it is the seam where the customer-messages work (channels,
masking, quiet hours for every message) can take over, with the same two functions.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

__all__ = ["is_quiet", "next_open"]


def is_quiet(at: datetime, zone: str, opens: time, closes: time) -> bool:
    """True if ``at`` falls outside ``[opens, closes)`` on the recipient's local clock."""
    local = at.astimezone(ZoneInfo(zone)).time().replace(tzinfo=None)
    if opens <= closes:
        return not (opens <= local < closes)
    return closes <= local < opens  # a window across midnight (opens 22:00, closes 06:00)


def next_open(at: datetime, zone: str, opens: time, closes: time) -> datetime:
    """The first instant at or after ``at`` outside quiet hours (``at`` itself if open)."""
    if not is_quiet(at, zone, opens, closes):
        return at
    tz = ZoneInfo(zone)
    local = at.astimezone(tz)
    for days in range(3):
        day = (local + timedelta(days=days)).date()
        candidate = datetime.combine(day, opens, tzinfo=tz)
        # A wall time skipped by a DST change comes back normalised past the gap.
        candidate = candidate.astimezone(tz).astimezone(at.tzinfo)
        if candidate >= at and not is_quiet(candidate, zone, opens, closes):
            return candidate
    raise AssertionError("a daily window opens within three days")  # pragma: no cover
