"""A tick fires due timers many to a transaction: one failure loses no other timer, and no
timer fires twice."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

import pytest

from walletcare import Settings, Walletcare
from walletcare.config import CaseSettings, Oversight, SlaChoice
from walletcare.domain.sla import ClockBreached, ClockWarned
from walletcare.errors import StorageError
from walletcare.ports import Commit, SetTimer, Storage
from walletcare.services.commands import Decision
from walletcare.testing import FixedClock

from .conftest import T0, TOY_EVENTS, Reminded, add_note, remind
from .test_escalation import STAFF, STANDARD, de_intake, kinds

URLS = ["memory://", "sqlite"]


def _app(url: str, tmp_path: Path, clock: FixedClock, **settings: object) -> Walletcare:
    if url == "sqlite":
        url = f"sqlite:///{tmp_path / 'cases.db'}?synchronous=normal"
    return Walletcare(
        Settings(storage_url=url, load_entry_points=False, **settings),  # type: ignore[arg-type]
        clock=clock,
        events=TOY_EVENTS,
    )


def _spy(storage: Storage, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Record the size of every append_many, and fail the test on any single append."""
    sizes: list[int] = []
    many = storage.append_many

    def append_many(commits: Sequence[Commit]):  # type: ignore[no-untyped-def]
        sizes.append(len(commits))
        return many(commits)

    def append(commit: Commit):  # type: ignore[no-untyped-def]
        raise AssertionError("a tick appended a timer on its own")

    monkeypatch.setattr(storage, "append_many", append_many)
    monkeypatch.setattr(storage, "append", append)
    return sizes


def _reminders(app: Walletcare, stream_id: str) -> int:
    return sum(isinstance(e, Reminded) for e in app.events(stream_id))


@pytest.mark.parametrize("url", URLS)
def test_due_timers_are_fired_in_one_transaction(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Twenty due timers: one append_many of twenty commits, each timer fired once."""
    clock = FixedClock(T0)
    app = _app(url, tmp_path, clock)
    app.on_timer("remind", remind)
    for i in range(20):
        app.execute(f"toy-{i}", add_note("hi", remind_in=timedelta(hours=1)))
    sizes = _spy(app.storage, monkeypatch)
    report = app.tick(T0 + timedelta(hours=1))
    assert (report.timers_fired, report.timers_failed, report.claims_lost) == (20, 0, 0)
    assert sizes == [20]
    assert [_reminders(app, f"toy-{i}") for i in range(20)] == [1] * 20
    assert app.tick(T0 + timedelta(hours=2)).timers_fired == 0


@pytest.mark.parametrize("url", URLS)
def test_a_failing_handler_loses_no_other_timer_and_fires_once_later(
    url: str, tmp_path: Path
) -> None:
    """One handler raising: the other timers of the batch fire; it fires once after the lease."""
    clock = FixedClock(T0)
    app = _app(url, tmp_path, clock)
    broken = {"toy-3"}

    def flaky(history, timer, now):  # type: ignore[no-untyped-def]
        if timer.stream_id in broken:
            raise RuntimeError("dependency down")
        return remind(history, timer, now)

    app.on_timer("remind", flaky)
    for i in range(6):
        app.execute(f"toy-{i}", add_note("hi", remind_in=timedelta(hours=1)))
    report = app.tick(T0 + timedelta(hours=1))
    assert (report.timers_fired, report.timers_failed) == (5, 1)
    assert report.errors == ("toy-3/remind: RuntimeError: dependency down",)
    assert [_reminders(app, f"toy-{i}") for i in range(6)] == [1, 1, 1, 0, 1, 1]
    broken.clear()
    assert app.tick(T0 + timedelta(hours=1, seconds=1)).timers_fired == 0  # still leased
    assert app.tick(T0 + timedelta(hours=2)).timers_fired == 1
    assert [_reminders(app, f"toy-{i}") for i in range(6)] == [1] * 6


@pytest.mark.parametrize("url", URLS)
def test_a_commit_refused_in_the_batch_is_fired_alone_once(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another writer moves a case between the decision and the batch's write: that timer's
    commit is refused (and only it), then decided again on the case as it stands, once."""
    clock = FixedClock(T0)
    app = _app(url, tmp_path, clock)
    app.on_timer("remind", remind)
    for i in range(4):
        app.execute(f"toy-{i}", add_note("hi", remind_in=timedelta(hours=1)))
    many = app.storage.append_many

    def racing(commits: Sequence[Commit]):  # type: ignore[no-untyped-def]
        app.execute("toy-2", add_note("meanwhile"))  # moves toy-2 past the decided version
        monkeypatch.setattr(app.storage, "append_many", many)
        return many(commits)

    monkeypatch.setattr(app.storage, "append_many", racing)
    report = app.tick(T0 + timedelta(hours=1))
    assert (report.timers_fired, report.timers_failed, report.claims_lost) == (4, 0, 0)
    assert [_reminders(app, f"toy-{i}") for i in range(4)] == [1, 1, 1, 1]
    assert [type(e).__name__ for e in app.events("toy-2")] == [
        "NoteAdded",
        "NoteAdded",
        "Reminded",
    ]
    # Fired alone at the tick's time (not the clock's), and its claim consumed for good.
    assert app.events("toy-2")[-1].at == T0 + timedelta(hours=1)
    assert app.tick(T0 + timedelta(days=1)).timers_fired == 0
    assert _reminders(app, "toy-2") == 1


@pytest.mark.parametrize("url", URLS)
def test_a_case_that_fails_when_fired_alone_is_released_and_counted_once(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Refused in the batch and then failing on its own: counted failed once, with its error,
    released, and fired once after the lease."""
    clock = FixedClock(T0)
    app = _app(url, tmp_path, clock)
    broken: set[str] = set()

    def flaky(history, timer, now):  # type: ignore[no-untyped-def]
        if timer.stream_id in broken:
            raise RuntimeError("dependency down")
        return remind(history, timer, now)

    app.on_timer("remind", flaky)
    for i in range(3):
        app.execute(f"toy-{i}", add_note("hi", remind_in=timedelta(hours=1)))
    many = app.storage.append_many

    def racing(commits: Sequence[Commit]):  # type: ignore[no-untyped-def]
        app.execute("toy-1", add_note("meanwhile"))
        broken.add("toy-1")  # deciding again, on its own, fails
        monkeypatch.setattr(app.storage, "append_many", many)
        return many(commits)

    monkeypatch.setattr(app.storage, "append_many", racing)
    report = app.tick(T0 + timedelta(hours=1))
    assert (report.timers_fired, report.timers_failed, report.claims_lost) == (2, 1, 0)
    assert report.errors == ("toy-1/remind: RuntimeError: dependency down",)
    broken.clear()
    assert app.tick(T0 + timedelta(hours=1, seconds=1)).timers_fired == 0  # still leased
    assert app.tick(T0 + timedelta(hours=2)).timers_fired == 1
    assert [_reminders(app, f"toy-{i}") for i in range(3)] == [1, 1, 1]


@pytest.mark.parametrize("url", URLS)
def test_a_failed_batch_write_fires_nothing_and_every_timer_later_once(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The storage failing the whole batch: nothing written, every timer released and fired
    once by a later tick."""
    clock = FixedClock(T0)
    app = _app(url, tmp_path, clock)
    app.on_timer("remind", remind)
    for i in range(3):
        app.execute(f"toy-{i}", add_note("hi", remind_in=timedelta(hours=1)))
    many = app.storage.append_many

    def down(commits: Sequence[Commit]):  # type: ignore[no-untyped-def]
        raise StorageError("disk full")

    monkeypatch.setattr(app.storage, "append_many", down)
    report = app.tick(T0 + timedelta(hours=1))
    assert (report.timers_fired, report.timers_failed) == (0, 3)
    assert report.errors == tuple(f"toy-{i}/remind: StorageError: disk full" for i in range(3))
    assert [_reminders(app, f"toy-{i}") for i in range(3)] == [0, 0, 0]
    assert app.tick(T0 + timedelta(hours=1, seconds=1)).timers_fired == 0  # still leased
    monkeypatch.setattr(app.storage, "append_many", many)
    assert app.tick(T0 + timedelta(hours=2)).timers_fired == 3
    assert app.tick(T0 + timedelta(hours=3)).timers_fired == 0
    assert [_reminders(app, f"toy-{i}") for i in range(3)] == [1, 1, 1]


@pytest.mark.parametrize("url", URLS)
def test_two_timers_of_one_case_fire_in_successive_batches(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A case with two due timers: each fires, the second on the state the first left."""
    clock = FixedClock(T0)
    app = _app(url, tmp_path, clock)
    app.on_timer("remind", remind)
    app.execute(
        "toy-1",
        lambda h, now: Decision(
            timers=[
                SetTimer(name="remind:a", due_at=now + timedelta(minutes=1)),
                SetTimer(name="remind:b", due_at=now + timedelta(minutes=2)),
            ]
        ),
    )
    app.execute("toy-2", add_note("hi", remind_in=timedelta(minutes=1)))
    sizes = _spy(app.storage, monkeypatch)
    assert app.tick(T0 + timedelta(hours=1)).timers_fired == 3
    assert sizes == [2, 1]
    assert [e.timer for e in app.events("toy-1") if isinstance(e, Reminded)] == [  # type: ignore[attr-defined]
        "remind:a",
        "remind:b",
    ]


@pytest.mark.parametrize("url", URLS)
def test_sla_timers_fire_in_batches_with_the_real_handler(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Complaints under an SLA: their warning timers fire in one batch, one warning each."""
    clock = FixedClock(T0)
    app = _app(
        url,
        tmp_path,
        clock,
        cases={"complaint": CaseSettings(oversight=Oversight(sla=(SlaChoice(policy=STANDARD),)))},
    )
    cids = [
        app.complaints.open(de_intake(customer_id=f"c-{i}")).complaint_id for i in range(8)
    ]
    for cid in cids:
        app.complaints.acknowledge(cid, by=STAFF)
    warn_at = {c.metric: c.warn_at for c in app.complaints.get(cids[0]).clocks}["resolution"]
    assert warn_at is not None
    clock.advance(warn_at - T0)
    sizes = _spy(app.storage, monkeypatch)
    report = app.tick()
    assert report.timers_fired == 8 and report.timers_failed == 0
    assert sizes == [8]
    for cid in cids:
        assert [e.metric for e in kinds(app, cid, ClockWarned)] == ["resolution"]
        assert kinds(app, cid, ClockBreached) == []
        assert app.complaints.get(cid).clocks == app.complaints.cases.kind.replay(
            app.events(cid)
        ).clocks  # type: ignore[union-attr]
