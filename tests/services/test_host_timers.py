"""A host's own timer on a complaint: its handler reads the case's whole history, whether
this process holds the case's state or a restarted one reads it from its snapshot."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from walletcare import Actor, Settings, Walletcare
from walletcare.domain.events import Event
from walletcare.ports import SetTimer, Timer
from walletcare.services.commands import Decision
from walletcare.testing import FixedClock

from ..complaints_fixtures import T0, intake

STAFF = Actor.staff("agent-7")


def _app(url: str, clock: FixedClock, seen: list[list[str]]) -> Walletcare:
    app = Walletcare(Settings(storage_url=url, load_entry_points=False), clock=clock)

    def check(history: Sequence[Event], timer: Timer, now: datetime) -> Decision:
        seen.append([e.kind for e in history])
        return Decision()

    app.on_timer("host-check", check)
    return app


@pytest.mark.parametrize("restart", [False, True], ids=["held", "restarted"])
def test_a_host_timer_handler_reads_the_whole_history(tmp_path: Path, restart: bool) -> None:
    """The handler is given every event of the complaint, from its receipt on."""
    url = f"sqlite:///{tmp_path / 'cases.db'}"
    clock = FixedClock(T0)
    seen: list[list[str]] = []
    app = _app(url, clock, seen)
    cid = app.complaints.open(intake()).complaint_id
    app.complaints.acknowledge(cid, by=STAFF)
    app.execute(
        cid,
        lambda history, now: Decision(
            timers=[SetTimer(name="host-check", due_at=now + timedelta(hours=1))]
        ),
    )
    expected = [e.kind for e in app.complaints.history(cid)]
    assert expected[0] == "complaint.received" and "complaint.acknowledged" in expected
    if restart:
        app = _app(url, clock, seen)
    report = app.tick(T0 + timedelta(hours=1))
    assert report.timers_fired >= 1
    assert seen == [expected]
