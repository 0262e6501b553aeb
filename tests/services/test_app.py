"""The Walletcare spine: commands, observers, timers, outbox, settings and plugins."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from walletcare import Settings, Walletcare, hookimpl
from walletcare.errors import ConcurrencyConflict, ConfigurationError, NotFound, ValidationError
from walletcare.ports import Commit, MessageStatus, NewEvent, StoredEvent
from walletcare.testing import FixedClock, FlakyNotifier, RecordingNotifier

from .conftest import T0, TOY_EVENTS, NoteAdded, Reminded, add_note


def test_command_appends_and_returns_result(app: Walletcare) -> None:
    """A command's events are stored and its result returned."""
    done = app.execute("toy-1", add_note("hello"))
    assert done.result == 1 and done.version == 1
    (event,) = app.events("toy-1")
    assert isinstance(event, NoteAdded) and event.text == "hello" and event.at == T0
    summary = app.storage.get_summary("toy-1")
    assert summary is not None and summary.status == "open"


def test_refused_command_changes_nothing(app: Walletcare) -> None:
    """A decide that raises leaves no events, timers or messages."""
    with pytest.raises(ValidationError):
        app.execute("toy-1", add_note(""))
    with pytest.raises(NotFound):
        app.events("toy-1")


def test_conflict_is_retried_with_fresh_history(app: Walletcare) -> None:
    """Another writer between load and append makes the command decide again on the new history."""
    calls: list[int] = []
    inner = add_note("mine")

    def decide(history: Sequence[object], now: datetime):  # type: ignore[no-untyped-def]
        calls.append(len(history))
        if len(calls) == 1:  # another process appends meanwhile
            app.storage.append(
                Commit(
                    stream_id="toy-1",
                    expected_version=0,
                    events=[
                        app.commands.to_record(NoteAdded(at=now, by=app_actor(), text="theirs"))
                    ],
                )
            )
        return inner(history, now)  # type: ignore[arg-type]

    app.execute("toy-1", decide)
    assert calls == [0, 1]
    assert [e.text for e in app.events("toy-1")] == ["theirs", "mine"]  # type: ignore[attr-defined]


def app_actor():  # type: ignore[no-untyped-def]
    from .conftest import ALICE

    return ALICE


def test_conflicts_past_the_retry_budget_raise(app: Walletcare) -> None:
    """A stream that always moves underneath gives up with ConcurrencyConflict."""
    inner = add_note("mine")

    def decide(history, now):  # type: ignore[no-untyped-def]
        version = len(history)
        app.storage.append(
            Commit(
                stream_id="toy-1",
                expected_version=version,
                events=[
                    NewEvent(
                        kind="toy.note_added",
                        schema_version=1,
                        at=now,
                        data='{"at":"2026-03-02T09:00:00+00:00","by":{"role":"system","id":"x"},"text":"x"}',
                    )
                ],
            )
        )
        return inner(history, now)

    with pytest.raises(ConcurrencyConflict):
        app.execute("toy-1", decide)


class Observer:
    def __init__(self) -> None:
        self.seen: list[StoredEvent] = []

    @hookimpl
    def walletcare_events_committed(self, events: Sequence[StoredEvent]) -> None:
        self.seen.extend(events)


class BrokenObserver:
    @hookimpl
    def walletcare_events_committed(self, events: Sequence[StoredEvent]) -> None:
        raise RuntimeError("analytics is down")


def test_observer_failure_is_isolated(clock: FixedClock) -> None:
    """A failing observer never undoes the commit and does not stop other observers."""
    good = Observer()
    app = Walletcare(
        Settings(storage_url="memory://"),
        plugins=[BrokenObserver(), good],
        clock=clock,
        events=TOY_EVENTS,
    )
    app.execute("toy-1", add_note("hi"))
    assert len(app.events("toy-1")) == 1
    assert [e.kind for e in good.seen] == ["toy.note_added"]
    assert app.plugins.observer_failures == 1


def test_timer_fires_once(app: Walletcare, clock: FixedClock) -> None:
    """A due timer fires exactly once however often tick runs, and not before it is due."""
    app.execute("toy-1", add_note("hi", remind_in=timedelta(hours=1)))
    assert app.tick(T0 + timedelta(minutes=59)).timers_fired == 0
    assert app.tick(T0 + timedelta(hours=1)).timers_fired == 1
    assert app.tick(T0 + timedelta(hours=5)).timers_fired == 0
    reminded = [e for e in app.events("toy-1") if isinstance(e, Reminded)]
    assert len(reminded) == 1 and reminded[0].at == T0 + timedelta(hours=1)
    assert app.storage.get_timers("toy-1") == []


def test_rearmed_timer_fires_at_its_new_time(app: Walletcare, clock: FixedClock) -> None:
    """Re-arming replaces the old due time."""
    app.execute("toy-1", add_note("a", remind_in=timedelta(hours=1)))
    clock.advance(timedelta(minutes=30))
    app.execute("toy-1", add_note("b", remind_in=timedelta(hours=1)))
    assert app.tick(T0 + timedelta(hours=1)).timers_fired == 0
    assert app.tick(T0 + timedelta(hours=1, minutes=30)).timers_fired == 1


def test_failing_timer_handler_is_retried_after_the_lease(app: Walletcare) -> None:
    """A handler that raises leaves the timer armed; it fires on a later tick."""
    failures = {"left": 1}

    def flaky(history, timer, now):  # type: ignore[no-untyped-def]
        if failures["left"]:
            failures["left"] -= 1
            raise RuntimeError("dependency down")
        from .conftest import remind

        return remind(history, timer, now)

    app.on_timer("flaky", flaky)
    from walletcare.ports import SetTimer
    from walletcare.services.commands import Decision

    app.execute("toy-2", lambda h, now: Decision(timers=[SetTimer(name="flaky:1", due_at=now)]))
    report = app.tick(T0)
    assert report.timers_failed == 1 and "dependency down" in report.errors[0]
    assert app.tick(T0 + timedelta(seconds=30)).timers_fired == 0
    assert app.tick(T0 + timedelta(minutes=1)).timers_fired == 1


def test_timer_without_handler_is_reported(app: Walletcare) -> None:
    """A timer whose family has no handler is reported, not lost."""
    from walletcare.ports import SetTimer
    from walletcare.services.commands import Decision

    app.execute("toy-3", lambda h, now: Decision(timers=[SetTimer(name="mystery", due_at=now)]))
    report = app.tick(T0)
    assert report.timers_failed == 1 and "no handler" in report.errors[0]
    assert [t.name for t in app.storage.get_timers("toy-3")] == ["mystery"]


def test_timer_families_are_checked(app: Walletcare) -> None:
    """Registering a family twice, or with a colon, is a ConfigurationError."""
    with pytest.raises(ConfigurationError):
        app.on_timer("remind", lambda h, t, n: None)  # type: ignore[arg-type, return-value]
    with pytest.raises(ConfigurationError):
        app.on_timer("a:b", lambda h, t, n: None)  # type: ignore[arg-type, return-value]


def test_message_is_delivered_once(app: Walletcare, notifier: RecordingNotifier) -> None:
    """A queued message is delivered on tick and marked delivered; later ticks leave it."""
    app.execute("toy-1", add_note("hi", channel="sms"))
    assert app.tick(T0).messages_delivered == 1
    assert app.tick(T0 + timedelta(hours=1)).messages_delivered == 0
    assert [m.body for m in notifier.sent] == ["hi"]
    (message,) = app.messages("toy-1")
    assert message.status is MessageStatus.DELIVERED and message.attempts == 1


def test_channel_without_plugin_is_parked_not_dropped(app: Walletcare) -> None:
    """No plugin for a channel dead-letters the message with that reason; it can be retried."""
    app.execute("toy-1", add_note("hi", channel="carrier_pigeon"))
    assert app.tick(T0).messages_dead == 1
    (dead,) = app.dead_letters()
    assert "carrier_pigeon" in dead.last_error
    assert app.retry_dead_letter(dead.id)
    assert app.messages("toy-1")[0].status is MessageStatus.PENDING


def test_failures_back_off_then_dead_letter(clock: FixedClock) -> None:
    """A channel that always fails is retried with exponential backoff, then dead-lettered."""
    flaky = FlakyNotifier(lambda m, n: "raise")
    from walletcare.settings import RetryPolicy

    app = Walletcare(
        Settings(
            storage_url="memory://",
            retry=RetryPolicy(max_attempts=3, first_delay=timedelta(seconds=10)),
        ),
        plugins=[flaky],
        clock=clock,
        events=TOY_EVENTS,
    )
    app.execute("toy-1", add_note("hi", channel="sms"))
    now = T0
    assert app.tick(now).messages_retried == 1
    (m,) = app.messages("toy-1")
    assert m.due_at == now + timedelta(seconds=10) and m.last_error == "gateway said no"
    assert app.tick(now + timedelta(seconds=9)).messages_retried == 0
    assert app.tick(now + timedelta(seconds=10)).messages_retried == 1
    (m,) = app.messages("toy-1")
    assert m.due_at == now + timedelta(seconds=30)
    assert app.tick(now + timedelta(seconds=30)).messages_dead == 1
    (dead,) = app.dead_letters()
    assert dead.attempts == 3 and "gave up after 3 attempts" in dead.last_error


@pytest.mark.parametrize("mode", ["odd", "garbage", "hang"])
def test_misbehaving_plugins_never_stop_the_tick(clock: FixedClock, mode: str) -> None:
    """Odd exceptions, wrong return types and hangs count as failed attempts; the tick goes on."""
    flaky = FlakyNotifier(lambda m, n: mode if n == 1 else None, hang_seconds=1.0)
    app = Walletcare(
        Settings(storage_url="memory://", delivery_timeout=timedelta(seconds=0.2)),
        plugins=[flaky],
        clock=clock,
        events=TOY_EVENTS,
    )
    app.execute("toy-1", add_note("hi", channel="sms"))
    report = app.tick(T0)
    assert report.messages_retried == 1
    assert app.tick(T0 + timedelta(minutes=1)).messages_delivered == 1
    assert len(flaky.sent) == 1


def test_unknown_storage_scheme_is_a_configuration_error() -> None:
    """A URL no plugin opens is a ConfigurationError naming the scheme."""
    with pytest.raises(ConfigurationError, match="'redis'"):
        Walletcare(Settings(storage_url="redis://localhost"))


def test_bad_settings_name_the_field() -> None:
    """Settings refuse bad values with the field named."""
    with pytest.raises(ValidationError) as err:
        Settings(zone="Nowhere/Land")
    assert err.value.fields == ("zone",)
    with pytest.raises(ValidationError) as err:
        Settings(delivery_timeout=timedelta(minutes=10), claim_lease=timedelta(minutes=5))
    assert err.value.fields == ("claim_lease",)


def test_sqlite_url_opens_a_file(tmp_path: Path, clock: FixedClock) -> None:
    """sqlite:///path stores cases in that file, readable after reopening."""
    url = f"sqlite:///{tmp_path}/cases.db"
    with Walletcare(Settings(storage_url=url), clock=clock, events=TOY_EVENTS) as app:
        app.execute("toy-1", add_note("kept"))
    with Walletcare(Settings(storage_url=url), clock=clock, events=TOY_EVENTS) as app:
        assert [e.text for e in app.events("toy-1")] == ["kept"]  # type: ignore[attr-defined]
    assert (tmp_path / "cases.db").exists()


def test_naive_tick_time_is_refused(app: Walletcare) -> None:
    """tick(now) needs an aware datetime."""
    with pytest.raises(ValidationError):
        app.tick(datetime(2026, 1, 1))
