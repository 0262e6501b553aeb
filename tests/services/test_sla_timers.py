"""SLA timers through Walletcare: a breached clock stops asking, and no clock writes into the past."""

from __future__ import annotations

from datetime import timedelta

from walletcare import Settings, Walletcare
from walletcare.config import CaseSettings, Oversight, SlaChoice
from walletcare.domain.sla import ClockBreached, ClockWarned
from walletcare.testing import FixedClock

from .test_escalation import BREACH_RULE, STAFF, STANDARD, T0, de_intake, kinds


def make_app(clock: FixedClock, tick_batch: int = 500) -> Walletcare:
    oversight = Oversight(sla=(SlaChoice(policy=STANDARD),), rules=(BREACH_RULE,))
    settings = Settings(
        storage_url="memory://",
        tick_batch=tick_batch,
        cases={"complaint": CaseSettings(oversight=oversight)},
    )
    return Walletcare(settings, clock=clock)


def _late_first_tick(app: Walletcare, clock: FixedClock) -> str:
    """A complaint whose first tick comes days after every deadline, warning skipped."""
    cid = app.complaints.open(de_intake()).complaint_id
    app.complaints.acknowledge(cid, by=STAFF)
    clock.advance(timedelta(days=10))
    app.tick()
    return cid


def test_breached_clock_leaves_no_timer_in_the_past() -> None:
    """Once a clock breached, its skipped warning is moot: no timer is re-armed for it."""
    clock = FixedClock(T0)
    app = make_app(clock)
    cid = _late_first_tick(app, clock)
    # PSD2's own clock (15 business days) has only reached its warning.
    assert [e.metric for e in kinds(app, cid, ClockWarned)] == ["regulatory:resolution"]
    assert {e.metric for e in kinds(app, cid, ClockBreached)} == {"resolution", "update"}
    due = [t for t in app.storage.get_timers(cid) if t.name.startswith("sla:")]
    psd2 = {c.metric: c for c in app.complaints.get(cid).clocks}["regulatory:resolution"]
    assert [(t.name, t.due_at) for t in due] == [("sla:regulatory:resolution", psd2.deadline)]
    assert psd2.deadline > clock.now()


def test_breached_clock_fires_no_more() -> None:
    """Later ticks fire nothing for a breached clock: the tick after the breach is idle."""
    clock = FixedClock(T0)
    app = make_app(clock)
    _late_first_tick(app, clock)
    for _ in range(3):
        clock.advance(timedelta(minutes=1))
        assert app.tick().timers_fired == 0


def test_breached_clocks_do_not_starve_new_timers() -> None:
    """With a batch of one, ten breached cases still let a fresh case's timer fire on time."""
    clock = FixedClock(T0)
    app = make_app(clock, tick_batch=1)
    for i in range(10):
        cid = app.complaints.open(de_intake(transactions=(f"tx-{i}",))).complaint_id
        app.complaints.acknowledge(cid, by=STAFF)
    clock.advance(timedelta(days=10))
    for _ in range(60):
        app.tick()
    fresh = app.complaints.open(de_intake(transactions=("tx-new",))).complaint_id
    clock.advance(timedelta(hours=5))  # past the 4-hour acknowledgement target
    for _ in range(3):
        app.tick()
    assert [e.metric for e in kinds(app, fresh, ClockBreached)] == ["acknowledgement"]


def test_lagging_ticker_writes_no_warning_after_the_breach() -> None:
    """A ticker whose clock is behind neither warns a breached clock nor dates events back."""
    clock = FixedClock(T0)
    app = make_app(clock)
    cid = _late_first_tick(app, clock)
    app.tick(T0 + timedelta(hours=30))  # behind: between the warning and the deadline
    # the only warning is PSD2's own clock's, written by the on-time tick
    assert [e.metric for e in kinds(app, cid, ClockWarned)] == ["regulatory:resolution"]
    times = [e.at for e in app.events(cid)]
    assert times == sorted(times)
