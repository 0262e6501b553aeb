"""Commands under contention: a conflict is retried after a random, growing, bounded wait."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import pytest

from walletcare import Event, Settings, Walletcare
from walletcare.errors import ConcurrencyConflict
from walletcare.ports import Commit, StoredEvent
from walletcare.services.commands import BACKOFF_BASE, BACKOFF_CAP, Decision
from walletcare.testing import FixedClock

from .conftest import ALICE, T0, TOY_EVENTS, NoteAdded


def note(history: Sequence[Event], now: datetime) -> Decision[int]:
    """Add a note."""
    return Decision(events=[NoteAdded(at=now, by=ALICE, text="n")], result=len(history))


class Contended:
    """A storage whose next ``conflicts`` appends lose to another writer."""

    def __init__(self, storage: object, conflicts: int) -> None:
        self.storage = storage
        self.left = conflicts

    def __getattr__(self, name: str) -> object:
        return getattr(self.storage, name)

    def append(self, commit: Commit) -> list[StoredEvent]:
        if self.left > 0:
            self.left -= 1
            raise ConcurrencyConflict("another writer got there first")
        return self.storage.append(commit)  # type: ignore[attr-defined, no-any-return]


def contended(app: Walletcare, conflicts: int) -> list[float]:
    """Make the next ``conflicts`` appends conflict; the list of waits the runner takes."""
    waits: list[float] = []
    app.commands.storage = Contended(app.storage, conflicts)  # type: ignore[assignment]
    app.commands.sleep = waits.append
    return waits


def test_conflicts_are_retried_after_jittered_growing_waits() -> None:
    """Each retry waits a random time below a ceiling that doubles, up to the cap."""
    app = Walletcare(Settings(storage_url="memory://"), clock=FixedClock(T0), events=TOY_EVENTS)
    waits = contended(app, 8)
    assert app.execute("s", note).result == 0
    assert len(waits) == 8
    ceilings = [min(BACKOFF_CAP, BACKOFF_BASE * 2**i).total_seconds() for i in range(8)]
    assert all(0 <= w <= c for w, c in zip(waits, ceilings, strict=True))
    assert len(set(waits)) == 8, "waits are drawn at random, so two writers fall apart"


def test_two_instances_do_not_wait_in_step() -> None:
    """Two instances draw different waits, so writers that collided do not collide again."""
    apps = [
        Walletcare(Settings(storage_url="memory://"), clock=FixedClock(T0), events=TOY_EVENTS)
        for _ in range(2)
    ]
    waits = [contended(app, 3) for app in apps]
    for app in apps:
        app.execute("s", note)
    assert waits[0] != waits[1]


def test_conflicts_past_the_budget_still_raise() -> None:
    """A stream that never quietens raises ConcurrencyConflict after the configured retries."""
    app = Walletcare(
        Settings(storage_url="memory://", command_retries=3),
        clock=FixedClock(T0),
        events=TOY_EVENTS,
    )
    waits = contended(app, 100)
    with pytest.raises(ConcurrencyConflict):
        app.execute("s", note)
    assert len(waits) == 3
