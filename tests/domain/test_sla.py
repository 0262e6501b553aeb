"""SLA clocks: deadlines, exact pause accounting, composition with regulation, warnings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from walletcare import BusinessCalendar
from walletcare.domain import sla
from walletcare.domain.events import SYSTEM
from walletcare.errors import ValidationError

BERLIN = ZoneInfo("Europe/Berlin")
CAL = BusinessCalendar.build(
    zone="Europe/Berlin", hours={"mon-fri": "09:00-12:00,13:00-17:00"}, country="DE"
)
POLICY = sla.SlaPolicy(
    name="standard",
    calendar=CAL,
    targets=(
        sla.SlaTarget(
            metric="acknowledgement",
            duration=timedelta(hours=4),
            pauses=False,
            warn_before=timedelta(hours=1),
        ),
        sla.SlaTarget(metric="resolution", duration=timedelta(hours=40), warn_at=Decimal("0.75")),
    ),
)
START = datetime(2026, 3, 2, 10, 0, tzinfo=BERLIN)


def started(metric: str = "resolution") -> sla.SlaClock:
    event = sla.start(metric=metric, policy=POLICY, at=START, run=1, by=SYSTEM)
    assert event is not None
    (clock,) = sla.apply_clock_event((), event)
    return clock


def regulatory_clock(due: datetime, paused_by: frozenset[str] = frozenset()) -> sla.SlaClock:
    event = sla.start_regulatory(
        metric="resolution",
        source="psd2:resolution",
        due=due,
        paused_by=paused_by,
        warning=POLICY.target("resolution"),
        calendar=CAL,
        at=START,
        by=SYSTEM,
    )
    (clock,) = sla.apply_clock_event((), event)
    return clock


def test_business_time_target_skips_lunch_and_nights() -> None:
    """40 business hours from Monday 10:00 on 7-hour days with lunch end the next Monday at 16:00."""
    clock = started()
    assert clock.deadline == datetime(2026, 3, 9, 16, 0, tzinfo=BERLIN)
    assert clock.source == "house:standard"
    assert clock.regulatory_deadline is None


def test_a_regulatory_clock_is_its_own_and_names_its_source() -> None:
    """The regulatory clock measures the same metric under its own name, deadline and source,
    and warns as the house target of that metric does."""
    due = datetime(2026, 3, 5, 0, 0, tzinfo=BERLIN)
    clock = regulatory_clock(due)
    assert clock.metric == "regulatory:resolution"
    assert sla.measured_metric(clock.metric) == "resolution"
    assert (clock.deadline, clock.source, clock.policy) == (due, "psd2:resolution", "")
    allowed = CAL.business_time_between(START, due)
    assert clock.warn_at == CAL.add_business_time(START, allowed * 0.75)


def test_a_regulatory_clock_without_stop_the_clock_never_pauses() -> None:
    """PSD2 and DISP have no stop-the-clock: waiting on anyone leaves the clock running."""
    clock = regulatory_clock(datetime(2026, 3, 12, 0, 0, tzinfo=BERLIN))
    for waiting_on in ("customer", "merchant", "network"):
        assert sla.pause(clock, at=START, by=SYSTEM, waiting_on=waiting_on) is None


def test_a_regulatory_clock_whose_profile_pauses_moves_its_own_deadline() -> None:
    """A profile that stops the clock for the customer moves the regulatory deadline by the
    business time paused, and only for the waits it names."""
    due = datetime(2026, 3, 12, 0, 0, tzinfo=BERLIN)
    clock = regulatory_clock(due, frozenset({"customer"}))
    assert sla.pause(clock, at=START, by=SYSTEM, waiting_on="merchant") is None
    paused = sla.pause(clock, at=START, by=SYSTEM, waiting_on="customer")
    assert paused is not None and paused.waiting_on == "customer"
    (clock,) = sla.apply_clock_event((clock,), paused)
    assert clock.waiting_on == "customer"
    resumed = sla.resume(clock, at=START + timedelta(days=7), by=SYSTEM, calendar=CAL)
    assert resumed is not None
    week = CAL.business_time_between(START, START + timedelta(days=7))
    (clock,) = sla.apply_clock_event((clock,), resumed)
    assert clock.deadline == clock.regulatory_deadline == CAL.add_business_time(due, week)
    assert clock.source == "psd2:resolution" and clock.waiting_on == ""


def _merged(regulatory: tuple[str, datetime]) -> sla.SlaClock:
    """A clock as stored before each source had its own: both deadlines, the earlier held."""
    house = datetime(2026, 3, 9, 16, 0, tzinfo=BERLIN)
    deadline, source = min((house, "house:standard"), (regulatory[1], regulatory[0]))
    event = sla.ClockStarted(
        at=START,
        by=SYSTEM,
        metric="resolution",
        policy="standard",
        source=source,
        run=1,
        deadline=deadline,
        house_deadline=house,
        regulatory_deadline=regulatory[1],
        regulatory_source=regulatory[0],
        pauses=True,
    )
    (clock,) = sla.apply_clock_event((), event)
    return clock


def test_a_stored_merged_clock_still_folds_and_pauses_its_house_deadline_only() -> None:
    """Streams stored with one clock holding both deadlines still read and run: waiting for
    the customer moves the house deadline only; the regulation's holds once earlier."""
    regulatory = ("psd2:resolution", datetime(2026, 3, 12, 0, 0, tzinfo=BERLIN))
    clock = _merged(regulatory)
    assert clock.deadline == datetime(2026, 3, 9, 16, 0, tzinfo=BERLIN)
    assert clock.paused_by == ("customer",)
    paused = sla.pause(clock, at=START, by=SYSTEM)
    assert paused is not None
    (clock,) = sla.apply_clock_event((clock,), paused)
    resumed = sla.resume(clock, at=START + timedelta(days=7), by=SYSTEM, calendar=CAL)
    assert resumed is not None
    week = CAL.business_time_between(START, START + timedelta(days=7))
    assert resumed.house_deadline == CAL.add_business_time(
        datetime(2026, 3, 9, 16, 0, tzinfo=BERLIN), week
    )
    assert resumed.deadline == regulatory[1] and resumed.source == "psd2:resolution"


def test_house_targets_pause_for_the_waits_they_name() -> None:
    """A target paused by the merchant only ignores waiting for the customer."""
    policy = sla.SlaPolicy(
        name="merchant",
        calendar=CAL,
        targets=(
            sla.SlaTarget(
                metric="resolution", duration=timedelta(hours=8), paused_by={"merchant"}
            ),
        ),
    )
    event = sla.start(metric="resolution", policy=policy, at=START, run=1, by=SYSTEM)
    assert event is not None and event.paused_by == ("merchant",)
    (clock,) = sla.apply_clock_event((), event)
    assert sla.pause(clock, at=START, by=SYSTEM, waiting_on="customer") is None
    assert sla.pause(clock, at=START, by=SYSTEM, waiting_on="merchant") is not None


def test_a_target_refuses_an_unknown_wait_and_a_regulatory_name() -> None:
    """Waits are customer, merchant or network; regulatory clocks are not house targets."""
    with pytest.raises(ValidationError, match="paused_by"):
        sla.SlaTarget(metric="resolution", duration=timedelta(hours=1), paused_by={"lunch"})
    with pytest.raises(ValidationError, match="metric"):
        sla.SlaTarget(metric="regulatory:resolution", duration=timedelta(hours=1))


def test_clocks_that_do_not_pause_keep_running() -> None:
    """The acknowledgement clock ignores waiting for the customer."""
    assert sla.pause(started("acknowledgement"), at=START, by=SYSTEM) is None


def test_warning_then_breach_then_nothing_more() -> None:
    """Checkpoints give the warning at 75%, the breach at the deadline, and never repeat."""
    clock = started()
    assert clock.warn_at == CAL.add_business_time(START, timedelta(hours=30))
    assert sla.next_checkpoint(clock) == clock.warn_at
    (warned,) = sla.checkpoint(clock, at=clock.warn_at, by=SYSTEM, calendar=CAL)
    assert isinstance(warned, sla.ClockWarned) and warned.business_time_left == timedelta(hours=10)
    (clock,) = sla.apply_clock_event((clock,), warned)
    assert sla.next_checkpoint(clock) == clock.deadline
    (breached,) = sla.checkpoint(clock, at=clock.deadline, by=SYSTEM, calendar=CAL)
    (clock,) = sla.apply_clock_event((clock,), breached)
    assert (
        sla.checkpoint(clock, at=clock.deadline + timedelta(days=1), by=SYSTEM, calendar=CAL) == []
    )
    assert sla.next_checkpoint(clock) is None


def test_stopping_records_whether_met() -> None:
    """A clock stopped before its deadline is met; after, it is not."""
    clock = started()
    on_time = sla.stop(clock, at=clock.deadline, by=SYSTEM, reason="resolved", calendar=CAL)
    late = sla.stop(
        clock, at=clock.deadline + timedelta(seconds=1), by=SYSTEM, reason="resolved", calendar=CAL
    )
    assert on_time is not None and on_time.met
    assert late is not None and not late.met


def test_targets_are_validated() -> None:
    """A business-time target needs a duration; warn_at is a fraction."""
    with pytest.raises(ValidationError):
        sla.SlaTarget(metric="x")
    with pytest.raises(ValidationError):
        sla.SlaTarget(metric="x", duration=timedelta(hours=1), warn_at=Decimal("1.5"))
    with pytest.raises(ValidationError):
        sla.SlaTarget(metric="x", measure=sla.Measure.BUSINESS_DAYS)


gaps = st.lists(st.tuples(st.integers(0, 72 * 60), st.integers(0, 96 * 60)), min_size=1, max_size=6)


@settings(max_examples=200, deadline=None)
@given(
    st.datetimes(
        min_value=datetime(2024, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
    ),
    gaps,
)
def test_pause_accounting_sums_exactly(
    start_at: datetime, intervals: list[tuple[int, int]]
) -> None:
    """Paused time is the exact business time of every pause, and the deadline moves by exactly that."""
    event = sla.start(
        metric="resolution", policy=POLICY, at=start_at, run=1, by=SYSTEM
    )
    assert event is not None
    (clock,) = sla.apply_clock_event((), event)
    original = clock.house_deadline
    assert original is not None
    now, expected = start_at, timedelta(0)
    for run_minutes, pause_minutes in intervals:
        now += timedelta(minutes=run_minutes)
        paused = sla.pause(clock, at=now, by=SYSTEM)
        assert paused is not None
        (clock,) = sla.apply_clock_event((clock,), paused)
        resume_at = now + timedelta(minutes=pause_minutes)
        expected += CAL.business_time_between(now, resume_at)
        resumed = sla.resume(clock, at=resume_at, by=SYSTEM, calendar=CAL)
        assert resumed is not None
        (clock,) = sla.apply_clock_event((clock,), resumed)
        now = resume_at
    assert clock.paused_total == expected
    assert clock.deadline == CAL.add_business_time(original, expected)
    active = CAL.business_time_between(start_at, clock.deadline) - clock.paused_total
    assert active == timedelta(hours=40)


def _paused_at(at: datetime) -> sla.SlaClock:
    clock = started()
    paused = sla.pause(clock, at=at, by=SYSTEM)
    assert paused is not None
    (clock,) = sla.apply_clock_event((clock,), paused)
    return clock


def test_stopping_a_paused_clock_counts_the_open_pause() -> None:
    """A clock stopped while paused ends its pause there: the paused time includes it."""
    clock = _paused_at(START)
    end = START + timedelta(days=2)  # Monday 10:00 to Wednesday 10:00: 14 business hours
    stopped = sla.stop(clock, at=end, by=SYSTEM, reason="withdrawn", calendar=CAL)
    assert stopped is not None
    assert stopped.paused_total == timedelta(hours=14)
    (clock,) = sla.apply_clock_event((clock,), stopped)
    assert clock.paused_total == timedelta(hours=14) and not clock.running


def test_resume_moves_the_warning_by_the_pause() -> None:
    """Resuming moves the coming warning out by the business time paused, like the deadline."""
    clock = _paused_at(START)
    warn_at = clock.warn_at
    assert warn_at is not None
    resume_at = START + timedelta(days=1)  # 7 business hours later
    resumed = sla.resume(clock, at=resume_at, by=SYSTEM, calendar=CAL)
    assert resumed is not None
    assert resumed.warn_at == CAL.add_business_time(warn_at, timedelta(hours=7))
    (clock,) = sla.apply_clock_event((clock,), resumed)
    assert sla.next_checkpoint(clock) == resumed.warn_at
    assert sla.checkpoint(clock, at=warn_at, by=SYSTEM, calendar=CAL) == []


# -- what mutation testing found unchecked -------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({}, "duration"),
        ({"duration": timedelta(-1)}, "duration"),
        ({"duration": timedelta(1), "warn_before": timedelta(-1)}, "warn_before"),
        ({"duration": timedelta(1), "warn_at": Decimal(0)}, "warn_at"),
        ({"duration": timedelta(1), "warn_at": Decimal(1)}, "warn_at"),
        ({"measure": sla.Measure.BUSINESS_DAYS}, "days"),
        ({"measure": sla.Measure.CALENDAR_DAYS, "days": -1}, "days"),
    ],
)
def test_a_target_names_exactly_the_field_it_refuses(changes: dict[str, object], field: str) -> None:
    """Each refusal names its one field, with a reason."""
    with pytest.raises(ValidationError) as err:
        sla.SlaTarget(metric="x", **changes)  # type: ignore[arg-type]
    assert err.value.fields == (field,) and err.value.problems[field]


def test_boundary_targets_are_accepted() -> None:
    """Zero days, a zero duration and a fraction just inside (0, 1) are allowed."""
    sla.SlaTarget(metric="x", measure=sla.Measure.BUSINESS_DAYS, days=0)
    sla.SlaTarget(metric="x", duration=timedelta(0), warn_at=Decimal("0.99"))
    sla.SlaTarget(metric="x", duration=timedelta(1), warn_at=Decimal("0.01"))


def test_day_targets_end_at_the_end_of_their_last_day() -> None:
    """Two business days from Friday end Tuesday night; three calendar days end Monday night;
    zero days end tonight."""
    friday = datetime(2026, 3, 6, 15, 0, tzinfo=BERLIN)
    end = {}
    for measure, days in ((sla.Measure.BUSINESS_DAYS, 2), (sla.Measure.CALENDAR_DAYS, 3)):
        target = sla.SlaTarget(metric="x", measure=measure, days=days)
        end[measure] = sla.house_deadline(target, CAL, friday)
    assert end[sla.Measure.BUSINESS_DAYS] == CAL.end_of_day(datetime(2026, 3, 10).date())
    assert end[sla.Measure.CALENDAR_DAYS] == CAL.end_of_day(datetime(2026, 3, 9).date())
    today = sla.SlaTarget(metric="x", measure=sla.Measure.CALENDAR_DAYS, days=0)
    assert sla.house_deadline(today, CAL, friday) == CAL.end_of_day(friday.date())


def test_a_lead_time_warning_comes_that_long_before_the_deadline() -> None:
    """warn_before warns that long before the deadline, never before the start."""
    target = sla.SlaTarget(metric="x", duration=timedelta(hours=4), warn_before=timedelta(hours=1))
    deadline = START + timedelta(hours=10)
    assert sla.warning_time(target, CAL, START, deadline) == deadline - timedelta(hours=1)
    assert sla.warning_time(target, CAL, START, START + timedelta(minutes=30)) == START


def test_a_regulatory_clock_has_no_house_side() -> None:
    """A regulatory clock runs on the regulation alone: no policy, no house deadline, no
    pausing unless its profile says; a house clock has no regulatory side."""
    due = datetime(2026, 3, 20, tzinfo=BERLIN)
    clock = regulatory_clock(due)
    assert (clock.policy, clock.house_deadline, clock.pauses) == ("", None, False)
    assert (clock.deadline, clock.source) == (due, "psd2:resolution")
    house = sla.start(metric="resolution", policy=POLICY, at=START, run=1, by=SYSTEM)
    assert house is not None and house.regulatory_source == "" and house.pauses is True
    assert sla.start(metric="nothing", policy=POLICY, at=START, run=1, by=SYSTEM) is None


def test_pausing_twice_and_stopping_after_an_earlier_pause() -> None:
    """A paused clock does not pause again; stopped while paused, its paused time is the
    earlier pause plus the open one."""
    clock = _paused_at(START)
    assert sla.pause(clock, at=START + timedelta(hours=1), by=SYSTEM) is None
    resumed = sla.resume(clock, at=START + timedelta(days=1), by=SYSTEM, calendar=CAL)
    assert resumed is not None
    (clock,) = sla.apply_clock_event((clock,), resumed)
    again = sla.pause(clock, at=START + timedelta(days=1), by=SYSTEM)
    assert again is not None
    (clock,) = sla.apply_clock_event((clock,), again)
    stopped = sla.stop(clock, at=START + timedelta(days=2), by=SYSTEM, reason="done", calendar=CAL)
    assert stopped is not None and stopped.paused_total == timedelta(hours=14)
    (clock,) = sla.apply_clock_event((clock,), stopped)
    assert sla.checkpoint(clock, at=clock.deadline + timedelta(days=9), by=SYSTEM, calendar=CAL) == []
    assert sla.pause(clock, at=START + timedelta(days=3), by=SYSTEM) is None


def test_a_warned_clock_gets_no_new_warning_when_resumed() -> None:
    """Resuming a clock that already warned leaves it without a warning to come."""
    clock = _paused_at(START)
    clock = attrs.evolve(clock, warned=True)
    resumed = sla.resume(clock, at=START + timedelta(hours=2), by=SYSTEM, calendar=CAL)
    assert resumed is not None and resumed.warn_at is None


def test_rescheduling_sets_the_new_regulatory_deadline_once() -> None:
    """A regulatory clock takes a new deadline, earlier or later; the same one again, or any
    on a stopped clock, changes nothing; a new source alone does."""
    clock = regulatory_clock(datetime(2026, 3, 20, tzinfo=BERLIN))
    early = datetime(2026, 3, 4, tzinfo=BERLIN)
    moved = sla.reschedule(clock, regulatory=("psd2:x", early), at=START, by=SYSTEM, reason="r")
    assert moved is not None and (moved.deadline, moved.source) == (early, "psd2:x")
    late = datetime(2026, 4, 30, tzinfo=BERLIN)
    later = sla.reschedule(clock, regulatory=("psd2:x", late), at=START, by=SYSTEM, reason="r")
    assert later is not None and later.deadline == late
    same = ("psd2:resolution", datetime(2026, 3, 20, tzinfo=BERLIN))
    assert sla.reschedule(clock, regulatory=same, at=START, by=SYSTEM, reason="r") is None
    renamed = ("psd2:other", same[1])
    assert sla.reschedule(clock, regulatory=renamed, at=START, by=SYSTEM, reason="r") is not None
    stopped = sla.stop(clock, at=START, by=SYSTEM, reason="done", calendar=CAL)
    assert stopped is not None
    (done,) = sla.apply_clock_event((clock,), stopped)
    assert sla.reschedule(done, regulatory=("psd2:x", early), at=START, by=SYSTEM, reason="r") is None


def test_business_time_left_counts_down_freezes_while_paused_and_goes_negative() -> None:
    """Left: the business time to the deadline from now, from the pause while paused, and
    below zero once past."""
    clock = started()
    assert sla.business_time_left(clock, START + timedelta(hours=1), CAL) == timedelta(hours=39)
    paused = _paused_at(START + timedelta(hours=1))
    assert sla.business_time_left(paused, START + timedelta(days=3), CAL) == timedelta(hours=39)
    late = clock.deadline + timedelta(hours=1)
    assert sla.business_time_left(clock, late, CAL) == -CAL.business_time_between(clock.deadline, late)


def test_at_the_deadline_exactly_a_clock_breaches_without_a_warning_and_is_not_late() -> None:
    """The deadline's own instant is the breach, never a warning; a clock stopped at it
    was on time, so it owes no late breach."""
    clock = started()
    (breached,) = sla.checkpoint(clock, at=clock.deadline, by=SYSTEM, calendar=CAL)
    assert isinstance(breached, sla.ClockBreached)
    assert sla.late_breach(clock, at=clock.deadline, by=SYSTEM) is None
    late = sla.late_breach(clock, at=clock.deadline + timedelta(seconds=1), by=SYSTEM)
    assert late is not None and late.deadline == clock.deadline
    stopped = sla.apply_clock_event(
        (clock,), sla.stop(clock, at=START, by=SYSTEM, reason="resolved", calendar=CAL)
    )[0]
    assert sla.late_breach(stopped, at=clock.deadline + timedelta(days=1), by=SYSTEM) is None
    (gone,) = sla.apply_clock_event((clock,), breached)
    assert sla.late_breach(gone, at=clock.deadline + timedelta(days=1), by=SYSTEM) is None


def test_only_agent_work_waits_for_everyone_by_default() -> None:
    """Waiting for the merchant or the network pauses agent work; other clocks pause only
    for the customer, unless their target says otherwise."""
    assert sla.default_waits("agent_work") == sla.WAITING_ON
    assert sla.default_waits("resolution") == frozenset({"customer"})
    assert sla.default_waits("acknowledgement") == frozenset({"customer"})


def test_a_wait_list_is_refused_word_for_word() -> None:
    """A single string, or an unknown wait, names paused_by and says what waits there are."""
    with pytest.raises(ValidationError) as err:
        sla.waits("customer")
    assert str(err.value) == "paused_by: must be a set of waits, such as {'customer'}"
    with pytest.raises(ValidationError) as err:
        sla.waits(5)
    assert err.value.fields == ("paused_by",)
    with pytest.raises(ValidationError) as err:
        sla.waits({"lunch", "customer"})
    assert str(err.value) == "paused_by: 'lunch' is not a wait (customer, merchant, network)"
    with pytest.raises(ValidationError) as err:
        sla.SlaTarget(metric="regulatory:resolution", duration=timedelta(hours=1))
    assert str(err.value) == (
        "metric: regulatory:resolution: a house target cannot name a regulatory clock"
    )


def test_a_regulatory_clock_starts_on_its_first_run_with_its_candidate_and_waits() -> None:
    """It is run 1, lists its source's deadline, pauses for what its profile names, and has
    no warning when it is due at once."""
    due = START + timedelta(days=15)
    event = sla.start_regulatory(
        metric="resolution",
        source="psd2:resolution",
        due=due,
        paused_by=frozenset({"network", "customer"}),
        warning=POLICY.target("resolution"),
        calendar=CAL,
        at=START,
        by=SYSTEM,
    )
    assert event.run == 1
    assert event.paused_by == ("customer", "network")
    assert event.candidates == (f"psd2:resolution={due.isoformat()}",)
    assert event.warn_at is not None
    assert regulatory_clock(START).warn_at is None
