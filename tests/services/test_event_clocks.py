"""Kernel clocks a kind starts on its own events, with deadlines it computes (``StartClock``),
and a kind's own default ladder."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import attrs

from tests.kinds.callbacks import CALLBACKS, CallbackRequested, CallbackService, CalledBack
from walletcare import Actor, Settings, Walletcare
from walletcare.config import (
    CaseSettings,
    Ladder,
    Oversight,
)
from walletcare.domain.sla import ClockBreached, ClockStarted, ClockWarned
from walletcare.kinds import StartClock, StopClock
from walletcare.testing import FixedClock, RecordingNotifier

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday
PROMISE = ("promise@DE", T0 + timedelta(days=2))
LAW = ("law@CN", T0 + timedelta(days=1))


def _effects(state, event):  # type: ignore[no-untyped-def]
    if isinstance(event, CallbackRequested):
        return (StartClock("follow_up", deadlines=(PROMISE, LAW), warn_before=timedelta(hours=2)),)
    if isinstance(event, CalledBack):
        if event.outcome == "again":
            return (StartClock("follow_up", deadlines=(PROMISE,)),)
        return (StopClock("follow_up", "called back"),)
    return ()


KIND = attrs.evolve(CALLBACKS, clock_effects=_effects, event_metrics=("follow_up",))


def _app(oversight: Oversight | None = None) -> tuple[Walletcare, CallbackService, FixedClock]:
    clock = FixedClock(T0)
    cases = {"callback": CaseSettings(oversight=oversight)} if oversight else {}
    app = Walletcare(
        Settings(storage_url="memory://", cases=cases),
        clock=clock,
        plugins=[RecordingNotifier(channels=["sms"])],
        kinds=[KIND],
    )
    return app, CallbackService(app.cases("callback")), clock


def test_a_kind_clock_holds_the_earliest_deadline_and_records_every_one() -> None:
    """The stricter of the kind's deadlines holds; the log names it and lists both."""
    app, callbacks, _ = _app()
    callbacks.request("cb-1", customer_id="a", phone="+1", topic="x")
    clock = next(c for c in callbacks.cases.get("cb-1").clocks if c.metric == "follow_up")
    assert (clock.metric, clock.deadline, clock.source) == ("follow_up", LAW[1], "law@CN")
    assert clock.warn_at == LAW[1] - timedelta(hours=2)
    (started,) = [e for e in app.events("cb-1") if isinstance(e, ClockStarted)]
    assert started.candidates == (
        f"law@CN={LAW[1].isoformat()}",
        f"promise@DE={PROMISE[1].isoformat()}",
    )


def test_a_kind_clock_warns_then_breaches_on_tick() -> None:
    """Its warning and its breach come from the kernel's timers, once each."""
    app, callbacks, _ = _app()
    callbacks.request("cb-1", customer_id="a", phone="+1", topic="x")
    app.tick(LAW[1] - timedelta(hours=1))
    app.tick(LAW[1] + timedelta(minutes=1))
    app.tick(LAW[1] + timedelta(hours=5))
    kinds = [type(e) for e in app.events("cb-1")]
    assert (kinds.count(ClockWarned), kinds.count(ClockBreached)) == (1, 1)


def test_a_later_event_starts_a_new_run_from_its_own_time() -> None:
    """Starting a clock that ran before starts run 2, counted from the later event."""
    _, callbacks, clock = _app()
    callbacks.request("cb-1", customer_id="a", phone="+1", topic="x")
    clock.advance(timedelta(hours=3))
    callbacks.cases.run(
        "cb-1",
        lambda c, now, v: ([CalledBack(at=now, by=Actor.staff("s"), outcome="again")], [], []),
    )
    again = next(c for c in callbacks.cases.get("cb-1").clocks if c.metric == "follow_up")
    assert (again.run, again.started_at, again.deadline) == (2, T0 + timedelta(hours=3), PROMISE[1])
    assert again.warn_at is None and not again.pauses  # no warn_before; never paused


def test_a_kinds_own_ladder_stands_in_for_the_default_one() -> None:
    """``CaseKind.ladder`` replaces the default ladder, never one the host configured."""
    ladder = Ladder(tiers=("agent", "mediator", "arbitrator"), start="agent")
    app = Walletcare(
        Settings(storage_url="memory://"),
        clock=FixedClock(T0),
        kinds=[attrs.evolve(KIND, ladder=ladder)],
    )
    assert app.cases("callback").oversight.ladder == ladder
    defaults = Walletcare(
        Settings(storage_url="memory://", cases={"callback": CaseSettings()}),
        clock=FixedClock(T0),
        kinds=[attrs.evolve(KIND, ladder=ladder)],
    )
    assert defaults.cases("callback").oversight.ladder == ladder
    own = Ladder(tiers=("agent", "supervisor"), start="agent")
    configured = Walletcare(
        Settings(
            storage_url="memory://",
            cases={"callback": CaseSettings(oversight=Oversight(ladder=own))},
        ),
        clock=FixedClock(T0),
        kinds=[attrs.evolve(KIND, ladder=ladder)],
    )
    assert configured.cases("callback").oversight.ladder == own
