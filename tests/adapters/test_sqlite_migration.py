"""A file written by the previous release opens, migrates in place and keeps its data."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from tests.complaints_fixtures import T0
from walletcare import Actor, Settings, Walletcare
from walletcare.testing import FixedClock

RELEASE_0_1 = Path(__file__).parent / "data" / "release-0.1.0.db"


def _open(path: Path) -> Walletcare:
    settings = Settings(storage_url=f"sqlite:///{path}", load_entry_points=False)
    return Walletcare(settings, clock=FixedClock(T0))


def test_release_0_1_file_migrates_and_keeps_its_cases(tmp_path: Path) -> None:
    """Complaints, listing columns, timers and messages written by 0.1 survive the migration."""
    path = tmp_path / "old.db"
    shutil.copy(RELEASE_0_1, path)
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == 1
    with _open(path) as app:
        listed = {s.stream_id: s for s in app.complaints.list(limit=10)}
        assert set(listed) == {"cmp-release-1", "cmp-release-2"}
        first = listed["cmp-release-1"]
        assert first.get("customer_id") == "cust-1"
        assert first.get("category") == "transaction_failure"
        assert first.get("assignee") == "agent-1"
        assert [s.stream_id for s in app.complaints.list(assignee="agent-1")] == ["cmp-release-1"]
        assert [s.stream_id for s in app.complaints.list(category="fees")] == ["cmp-release-2"]
        assert app.complaints.get("cmp-release-2").status.value == "resolved"
        assert len(app.complaints.history("cmp-release-1")) >= 5
        assert app.storage.get_timers("cmp-release-1")
        assert app.messages("cmp-release-1")
        # The migrated case takes new commands, and its listing row follows them.
        app.complaints.start_investigation("cmp-release-1", by=Actor.staff("agent-1"))
        assert app.complaints.list(status="investigating")[0].stream_id == "cmp-release-1"
    columns = {r[1] for r in sqlite3.connect(path).execute("PRAGMA table_info(streams)")}
    assert "customer_id" not in columns and "deadline_us" in columns


def test_a_clock_stored_with_the_merged_shape_still_runs_and_breaches(tmp_path: Path) -> None:
    """Release 0.1 kept one resolution clock holding the earlier of the house and PSD2
    deadlines; it still folds, and a tick past its deadline breaches it, once, under its
    old name and source, while new cases get one clock per source."""
    from datetime import timedelta

    from walletcare.domain.sla import ClockBreached

    path = tmp_path / "old.db"
    shutil.copy(RELEASE_0_1, path)
    with _open(path) as app:
        (old,) = app.complaints.get("cmp-release-1").clocks
        assert (old.metric, old.source, old.regulatory_source) == (
            "resolution",
            "psd2:resolution",
            "psd2:resolution",
        )
        assert isinstance(app.clock, FixedClock)
        app.clock.set(old.deadline + timedelta(hours=1))
        app.tick()
        app.tick()
        breaches = [e for e in app.events("cmp-release-1") if isinstance(e, ClockBreached)]
        assert [(e.metric, e.source, e.deadline) for e in breaches] == [
            ("resolution", "psd2:resolution", old.deadline)
        ]
