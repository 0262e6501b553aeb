"""Quiet hours: customers are contacted in their local daytime only.

A ``ContactWindow`` is the local time of day a non-urgent message may leave (08:00 to 21:00
unless the host says otherwise, per jurisdiction). Times are walked in the customer's own
zone, so a daylight-saving change moves the window with the clock on the wall.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from attrs import field, frozen

from walletcare.domain.calendars import require_aware
from walletcare.errors import ValidationError

__all__ = ["ContactWindow", "DAYTIME"]


_CLOCK = re.compile(r"([01]\d|2[0-3]):[0-5]\d")


def _clock(name: str, value: Any) -> str:
    if type(value) is time:
        if value.tzinfo is not None:
            raise ValidationError.of(name, "a time of day carries no zone: the customer's")
        return value.strftime("%H:%M")
    if isinstance(value, str) and _CLOCK.fullmatch(value):
        return value
    raise ValidationError.of(name, f"must be a time of day such as '08:00', got {value!r}")


def _opens(value: Any) -> str:
    return _clock("opens", value)


def _closes(value: Any) -> str:
    return _clock("closes", value)


@frozen(kw_only=True)
class ContactWindow:
    """When, in the customer's local time, a non-urgent message may leave: ``opens`` to
    ``closes`` (``"HH:MM"``, or a ``datetime.time``; ``closes`` before ``opens`` spans
    midnight). Kept as text, so a host's configuration file holds it as written."""

    opens: str = field(default="08:00", converter=_opens)
    closes: str = field(default="21:00", converter=_closes)

    def __attrs_post_init__(self) -> None:
        if self.opens == self.closes:
            raise ValidationError.of("closes", "must differ from opens (an empty window)")

    @property
    def opening(self) -> time:
        """``opens`` as a time of day."""
        return time.fromisoformat(self.opens)

    @property
    def closing(self) -> time:
        """``closes`` as a time of day."""
        return time.fromisoformat(self.closes)

    def is_open(self, at: datetime, zone: str) -> bool:
        """Tell whether ``at`` falls inside the window in ``zone``."""
        local = require_aware(at, "at").astimezone(ZoneInfo(zone)).time().replace(tzinfo=None)
        opens, closes = self.opening, self.closing
        if opens < closes:
            return opens <= local < closes
        return local >= opens or local < closes

    def next_open(self, at: datetime, zone: str) -> datetime:
        """``at`` if the window is open then, else the instant it next opens (aware, UTC)."""
        if self.is_open(at, zone):
            return at
        tz = ZoneInfo(zone)
        local = at.astimezone(tz)
        for days in range(3):
            day = (local + timedelta(days=days)).date()
            # Wall time in the zone; a gap at the opening hour (DST) resolves forwards.
            candidate = datetime.combine(day, self.opening, tzinfo=tz)
            candidate = candidate.astimezone(ZoneInfo("UTC"))
            if candidate > at and self.is_open(candidate, zone):
                return candidate
        raise ValidationError.of("window", f"no opening after {at.isoformat()} in {zone}")


DAYTIME = ContactWindow()
"""08:00 to 21:00 local time, the default contact window."""
