"""Case states kept in memory between commands, and when a commit writes a new snapshot.

A command needs the case as it stands. Storage keeps, with every few commits, a snapshot of
the case's state in the same atomic write as the events it folds; this process also keeps the
states it last decided on, by the stream version they fold. A command on a case held here
reads only the events after that version (none, unless another process wrote meanwhile)
and folds them: it never decodes the snapshot, and never replays the stream. Events stay the
truth: a state is cached only once its commit is durable, at exactly the version it folds,
and a stream's events never change once written, so a cached state is never stale, only
behind.

The snapshot of a large case costs in proportion to its size to write. A commit writes one
when the events folded since the last snapshot number at least its size in 2 KiB units
(``SNAPSHOT_BYTES_PER_EVENT``): every commit for a case under 2 KiB, every 60th for one of
120 KiB (a thousand contacts). Writing snapshots then costs about 2 KiB of JSON per event
whatever the case's size (no more than a small case writes on every commit), and a reader
without the state in memory folds at most that many events after the snapshot.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import datetime
from typing import Any

from attrs import frozen

__all__ = ["CachedState", "StateCache", "SNAPSHOT_BYTES_PER_EVENT", "CACHED_CASES", "snapshot_due"]

SNAPSHOT_BYTES_PER_EVENT = 2048
"""A new snapshot is due once (events since the last one) x this >= its size in characters."""

CACHED_CASES = 1024
"""How many cases' states a process keeps in memory, the least recently used dropped first."""


@frozen(kw_only=True)
class CachedState:
    """A case's state as of ``version``, and what this process knows of its latest snapshot."""

    kind: str
    state: Any
    version: int
    snapshot_version: int
    snapshot_size: int
    last_at: datetime | None = None
    """When the newest event it folds happened."""


def snapshot_due(*, version: int, snapshot_version: int, snapshot_size: int) -> bool:
    """Tell whether a commit leaving the stream at ``version`` writes a new snapshot.

    ``snapshot_version`` is 0 when the stream has none (then one is always due).
    """
    if snapshot_version <= 0:
        return True
    folded_since = version - snapshot_version
    return folded_since * SNAPSHOT_BYTES_PER_EVENT >= snapshot_size


class StateCache:
    """The last ``capacity`` case states this process committed or loaded, by stream id."""

    def __init__(self, capacity: int = CACHED_CASES) -> None:
        self.capacity = capacity
        self._lock = threading.Lock()
        self._states: OrderedDict[str, CachedState] = OrderedDict()

    def get(self, stream_id: str) -> CachedState | None:
        """The cached state of ``stream_id``, if held (it may be behind the stream)."""
        with self._lock:
            found = self._states.get(stream_id)
            if found is not None:
                self._states.move_to_end(stream_id)
            return found

    def put(self, stream_id: str, entry: CachedState) -> None:
        """Keep ``entry`` unless a newer state of the stream is held already."""
        with self._lock:
            held = self._states.get(stream_id)
            if held is not None and held.version > entry.version:
                return
            self._states[stream_id] = entry
            self._states.move_to_end(stream_id)
            while len(self._states) > self.capacity:
                self._states.popitem(last=False)

    def clear(self) -> None:
        """Forget every state (the storage they came from is gone)."""
        with self._lock:
            self._states.clear()

    def __len__(self) -> int:
        return len(self._states)
