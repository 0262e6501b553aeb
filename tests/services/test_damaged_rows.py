"""A damaged stored event is reported as a StorageError naming its stream; other cases read."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from walletcare import Actor, Settings, Walletcare
from walletcare.errors import StorageError
from walletcare.testing import FixedClock, RecordingNotifier

from ..complaints_fixtures import T0, intake


def test_event_body_that_is_not_json_names_its_stream(tmp_path: Path) -> None:
    """Reading a case whose stored event is not JSON raises StorageError naming the stream."""
    url = f"sqlite:///{tmp_path / 'd.db'}"
    app = Walletcare(Settings(storage_url=url, load_entry_points=False), clock=FixedClock(T0))
    bad = app.complaints.open(intake()).complaint_id
    good = app.complaints.open(intake(transactions=("tx-2",))).complaint_id
    with sqlite3.connect(tmp_path / "d.db") as db:
        db.execute("UPDATE events SET data = 'not json' WHERE stream_id = ?", (bad,))
    db.close()
    with pytest.raises(StorageError, match=bad):
        app.complaints.history(bad)
    assert app.complaints.get(good).id == good
    app.close()


STAFF = Actor.staff("agent-1")


def _app(path: Path) -> Walletcare:
    url = f"sqlite:///{path / 'd.db'}"
    return Walletcare(Settings(storage_url=url, load_entry_points=False), clock=FixedClock(T0))


def test_text_in_a_timer_due_column_is_set_aside_and_every_other_timer_fires(
    tmp_path: Path,
) -> None:
    """A timer whose due time is text is reported as a StorageError naming it, set aside
    (listed by set_aside_timers), and the other case's timers keep firing, tick after tick."""
    app = _app(tmp_path)
    bad = app.complaints.open(intake(jurisdiction="DE")).complaint_id
    good = app.complaints.open(intake(transactions=("tx-2",), jurisdiction="DE")).complaint_id
    with sqlite3.connect(tmp_path / "d.db") as db:
        names = [r[0] for r in db.execute("SELECT name FROM timers WHERE stream_id = ?", (bad,))]
        db.execute("UPDATE timers SET due_us = 'soon' WHERE stream_id = ?", (bad,))
    db.close()
    assert names
    armed = app.storage.get_timers(good)
    later = T0 + timedelta(days=60)
    report = app.tick(later)
    assert app.storage.get_timers(good) != armed  # the other case's timers fired
    damaged = [e for e in report.errors if bad in e]
    assert len(damaged) == len(names) and all("StorageError" in e for e in damaged)
    assert report.timers_failed == len(names)
    assert report.timers_fired >= 1
    aside = app.set_aside_timers()
    assert sorted((t.stream_id, t.name) for t in aside) == sorted((bad, n) for n in names)
    assert all("soon" in t.reason for t in aside)
    again = app.tick(later + timedelta(days=1))
    assert again.errors == () and again.timers_failed == 0
    assert app.storage.get_timers(bad) == []
    app.close()


def test_text_in_a_message_due_column_is_dead_lettered_and_the_rest_go_out(
    tmp_path: Path,
) -> None:
    """A message whose due time is text is dead-lettered with the damage as its reason;
    every other due message is still delivered, and later ticks do not raise."""
    notifier = RecordingNotifier()
    url = f"sqlite:///{tmp_path / 'd.db'}"
    app = Walletcare(
        Settings(storage_url=url, load_entry_points=False),
        clock=FixedClock(T0),
        plugins=[notifier],
    )
    bad = app.complaints.open(intake(jurisdiction="DE")).complaint_id
    good = app.complaints.open(intake(transactions=("tx-2",), jurisdiction="DE")).complaint_id
    for complaint_id in (bad, good):
        app.complaints.acknowledge(complaint_id, by=STAFF)
    with sqlite3.connect(tmp_path / "d.db") as db:
        db.execute("UPDATE outbox SET due_us = 'now' WHERE stream_id = ?", (bad,))
        damaged = db.execute("SELECT count(*) FROM outbox WHERE stream_id = ?", (bad,)).fetchone()[0]
        fine = db.execute("SELECT count(*) FROM outbox WHERE stream_id = ?", (good,)).fetchone()[0]
    db.close()
    assert damaged >= 1 and fine >= 1
    report = app.tick(T0 + timedelta(minutes=1))
    assert report.messages_delivered == fine
    assert len(notifier.sent) == fine
    assert {m.stream_id for m in notifier.sent} == {good}
    dead = app.dead_letters()
    assert len(dead) == damaged and all(m.stream_id == bad for m in dead)
    assert all("StorageError" in m.last_error and "'now'" in m.last_error for m in dead)
    app.tick(T0 + timedelta(minutes=2))
    assert app.retry_dead_letter(dead[0].id)
    app.close()


def test_a_timer_whose_stream_cannot_be_read_is_set_aside_with_the_reason(
    tmp_path: Path,
) -> None:
    """A stream with an unreadable event does not fail its timer on every tick: the timer is
    set aside, naming the damaged event, and the other case's timers fire."""
    app = _app(tmp_path)
    bad = app.complaints.open(intake(jurisdiction="DE")).complaint_id
    good = app.complaints.open(intake(transactions=("tx-2",), jurisdiction="DE")).complaint_id
    with sqlite3.connect(tmp_path / "d.db") as db:
        db.execute("UPDATE events SET data = 'not json' WHERE stream_id = ?", (bad,))
        db.execute("DELETE FROM snapshots WHERE stream_id = ?", (bad,))
        names = [r[0] for r in db.execute("SELECT name FROM timers WHERE stream_id = ?", (bad,))]
    db.close()
    # A process that holds the cases in memory never reads the damaged rows again; one that
    # starts afresh (as after a restart) must read them.
    app.close()
    app = _app(tmp_path)
    later = T0 + timedelta(days=60)
    first = app.tick(later)
    assert first.timers_failed == len(names) and first.timers_fired >= 1
    aside = app.set_aside_timers()
    assert sorted(t.name for t in aside if t.stream_id == bad) == sorted(names)
    assert all("damaged" in t.reason and bad in t.reason for t in aside)
    second = app.tick(later + timedelta(hours=1))
    assert second.timers_failed == 0 and second.errors == ()
    assert app.complaints.get(good).id == good
    app.close()
