"""A clock that only moves when told to."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from walletcare.domain.calendars import require_aware

__all__ = ["FixedClock"]


class FixedClock:
    """A settable clock for tests: ``now()`` returns what was set until moved."""

    def __init__(self, start: datetime) -> None:
        self._now = require_aware(start, "start")
        self._lock = threading.Lock()

    def now(self) -> datetime:
        """The instant the clock is set to."""
        with self._lock:
            return self._now

    def advance(self, delta: timedelta) -> datetime:
        """Move forward by ``delta`` and return the new instant."""
        with self._lock:
            self._now += delta
            return self._now

    def set(self, instant: datetime) -> None:
        """Jump to ``instant``."""
        with self._lock:
            self._now = require_aware(instant, "instant")
