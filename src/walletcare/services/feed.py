"""Following the shared event log: every process sees every commit, in commit order.

A ``LogFeed`` remembers the last position it read and pages through what was committed
since, by any process. A kind that derives something from other cases' events (incidents
from complaints) follows the log this way, so nothing it must see is lost when a process
dies between a commit and its reaction: the next read finds the event still there.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from walletcare.ports import Storage, StoredEvent

__all__ = ["LogFeed"]


class LogFeed:
    """Reads the events committed after ``position``, optionally of some kinds only."""

    def __init__(self, storage: Storage, *, kinds: Iterable[str] = (), page: int = 1000) -> None:
        self.storage = storage
        self.kinds = frozenset(kinds)
        self.page = page
        self.position = 0

    def seek(self, since: datetime) -> int:
        """Start from about the first event stamped ``since`` or later (positions are in
        commit order, times nearly so), in O(log n) reads; return the new position."""
        read = self.storage.read_all
        high = 1
        while read(high, 1):
            high *= 2
        low = 0
        while low < high:
            middle = (low + high) // 2
            first = read(middle, 1)
            if not first or first[0].at >= since:
                high = middle
            else:
                low = first[0].position
        self.position = low
        return low

    def read(self) -> list[StoredEvent]:
        """Every event committed since the last read (of the chosen kinds), in order."""
        found: list[StoredEvent] = []
        kinds = self.kinds
        while True:
            batch = self.storage.read_all(self.position, self.page)
            if not batch:
                return found
            self.position = batch[-1].position
            found.extend(r for r in batch if not kinds or r.kind in kinds)
            if len(batch) < self.page:
                return found
