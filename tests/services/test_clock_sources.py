"""Each deadline source its own clock, through Walletcare: the house clock and the regulation's,
each with its own breach, pausing as its own source says; rules tell them apart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from walletcare import Actor, BusinessCalendar, Settings, Walletcare
from walletcare.config import CaseSettings, Oversight, SlaChoice
from walletcare.domain.escalation import (
    Action,
    ActionKind,
    Condition,
    Escalated,
    Once,
    RegulatorFlagged,
    Rule,
)
from walletcare.domain.sla import ClockBreached, ClockPaused, SlaPolicy, SlaTarget
from walletcare.errors import ConfigurationError
from walletcare.ports import SummaryQuery
from walletcare.testing import FixedClock

from ..complaints_fixtures import intake

BERLIN = ZoneInfo("Europe/Berlin")
T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # Monday 09:00 in Berlin
STAFF = Actor.staff("agent-7")
CAL = BusinessCalendar.build(zone="Europe/Berlin", hours={"mon-fri": "09:00-17:00"}, country="DE")
HOUSE = SlaPolicy(
    name="house",
    calendar=CAL,
    targets=(SlaTarget(metric="resolution", duration=timedelta(hours=32)),),
)
HOUSE_MISS = Rule(
    id="house-miss",
    when=Condition(fact="resolution.breached", op="is", value="true"),
    then=(Action(kind=ActionKind.ESCALATE),),
    once=Once.CLOCK,
    metric="resolution",
)
REGULATOR = Rule(
    id="psd2-miss",
    description="regulatory resolution deadline missed",
    when=Condition(fact="regulatory:resolution.breached", op="is", value="true"),
    then=(Action(kind=ActionKind.FLAG_REGULATOR),),
    once=Once.CLOCK,
    metric="regulatory:resolution",
)


def make_app(clock: FixedClock, *rules: Rule, policy: SlaPolicy = HOUSE) -> Walletcare:
    oversight = Oversight(sla=(SlaChoice(policy=policy),), rules=rules)
    settings = Settings(storage_url="memory://", cases={"complaint": CaseSettings(oversight=oversight)})
    return Walletcare(settings, clock=clock)


def de_case(app: Walletcare) -> str:
    return app.complaints.open(
        intake(jurisdiction="DE", product="wallet", occurred_at=T0 - timedelta(hours=2))
    ).complaint_id


def of(app: Walletcare, cid: str, kind: type) -> list:  # type: ignore[type-arg]
    return [e for e in app.events(cid) if isinstance(e, kind)]


def test_house_stricter_than_psd2_records_both_breaches_and_flags_only_the_regulatory_one() -> None:
    """House resolution due 5 March, PSD2 due 24 March, 40 daily ticks: two breaches, each on
    its own clock; the regulator is flagged once, on PSD2's breach, not on the house miss."""
    clock = FixedClock(T0)
    app = make_app(clock, HOUSE_MISS, REGULATOR)
    cid = de_case(app)
    clocks = {c.metric: c for c in app.complaints.get(cid).clocks}
    assert clocks["resolution"].deadline == datetime(2026, 3, 5, 17, 0, tzinfo=BERLIN)
    assert clocks["regulatory:resolution"].deadline == datetime(2026, 3, 24, tzinfo=BERLIN)
    flagged_after_house_miss: bool | None = None
    for _ in range(40):
        clock.advance(timedelta(days=1))
        app.tick()
        if clock.now() < datetime(2026, 3, 24, tzinfo=BERLIN) and of(app, cid, ClockBreached):
            flagged_after_house_miss = bool(of(app, cid, RegulatorFlagged))
    breaches = [(e.metric, e.deadline, e.source) for e in of(app, cid, ClockBreached)]
    assert breaches == [
        ("resolution", datetime(2026, 3, 5, 17, 0, tzinfo=BERLIN), "house:house"),
        ("regulatory:resolution", datetime(2026, 3, 24, tzinfo=BERLIN), "psd2:resolution"),
    ]
    assert flagged_after_house_miss is False
    (flag,) = of(app, cid, RegulatorFlagged)
    assert flag.at >= datetime(2026, 3, 24, tzinfo=BERLIN)
    assert flag.reason == "regulatory resolution deadline missed"
    assert [e.rule for e in of(app, cid, Escalated)] == ["house-miss"]


def test_psd2_passes_while_the_case_waits_on_the_customer() -> None:
    """PSD2 has no stop-the-clock: 18 days into awaiting_customer its deadline breaches,
    on a timer, while the house clock stays paused and unbreached."""
    clock = FixedClock(T0)
    app = make_app(clock, REGULATOR)
    cid = de_case(app)
    app.complaints.acknowledge(cid, by=STAFF)
    app.complaints.start_investigation(cid, by=STAFF)
    app.complaints.request_information(cid, by=STAFF, questions="Which card?")
    # only the house clock pauses; PSD2's keeps running
    assert [e.metric for e in of(app, cid, ClockPaused)] == ["resolution"]
    timers = {t.name: t.due_at for t in app.storage.get_timers(cid)}
    assert timers["sla:regulatory:resolution"] == datetime(2026, 3, 24, tzinfo=BERLIN)
    assert "sla:resolution" not in timers  # paused: disarmed
    for _ in range(24):
        clock.advance(timedelta(days=1))
        app.tick()
    complaint = app.complaints.get(cid)
    assert complaint.status.value == "awaiting_customer"
    clocks = {c.metric: c for c in complaint.clocks}
    assert clocks["resolution"].paused and not clocks["resolution"].breached
    assert clocks["regulatory:resolution"].breached
    (breach,) = of(app, cid, ClockBreached)
    assert breach.metric == "regulatory:resolution"
    assert breach.at - breach.deadline < timedelta(days=1)
    assert len(of(app, cid, RegulatorFlagged)) == 1


def test_a_profile_that_stops_the_clock_pauses_its_regulatory_clock() -> None:
    """A host profile whose clocks stop while the customer is asked pauses its regulatory clock
    and moves its deadline out by the business time waited."""
    from walletcare.config import ProfileChoice, Regulation, RegulatoryProfile
    from walletcare.domain.regulatory import DayCount, ProfileDeadline

    stops = RegulatoryProfile(
        name="stops",
        title="a regulation with stop-the-clock",
        deadlines=(ProfileDeadline(metric="resolution", count=10, unit=DayCount.BUSINESS_DAYS),),
        sources=("test",),
        paused_by={"customer"},
    )
    settings = Settings(
        storage_url="memory://",
        regulation=Regulation(profiles=(stops,), jurisdictions=()),
        cases={
            "complaint": CaseSettings(
                oversight=Oversight(
                    regulatory=(ProfileChoice(profile="stops", jurisdictions=frozenset({"DE"})),)
                )
            )
        },
    )
    clock = FixedClock(T0)
    app = Walletcare(settings, clock=clock)
    cid = de_case(app)
    before = {c.metric: c for c in app.complaints.get(cid).clocks}["regulatory:resolution"]
    app.complaints.acknowledge(cid, by=STAFF)
    app.complaints.start_investigation(cid, by=STAFF)
    app.complaints.request_information(cid, by=STAFF, questions="Which card?")
    clock.advance(timedelta(days=7))
    app.complaints.provide_information(cid, by=Actor.customer("cust-1"), summary="The blue one.")
    after = {c.metric: c for c in app.complaints.get(cid).clocks}["regulatory:resolution"]
    calendar = app.complaints.oversight.regulation.calendar("DE")
    assert calendar is not None
    waited = calendar.business_time_between(T0, clock.now())
    assert after.deadline == calendar.add_business_time(before.deadline, waited)
    assert after.paused_total == waited and not after.paused


def test_a_rule_naming_an_unknown_template_is_refused_at_start() -> None:
    """A notice with a template nobody defines stops Walletcare from starting, naming its path."""
    rule = Rule(
        id="tell",
        when=Condition(fact="resolution.breached", op="is", value="true"),
        then=(
            Action(kind=ActionKind.ESCALATE),
            Action(kind=ActionKind.NOTIFY, customer=True, channel="sms", template="nope.sorry"),
        ),
        once=Once.CLOCK,
        metric="resolution",
    )
    with pytest.raises(ConfigurationError) as err:
        make_app(FixedClock(T0), HOUSE_MISS, REGULATOR, rule)
    assert "settings.cases.complaint.oversight: rules[2].then[1].template" in str(err.value)
    assert "'nope.sorry'" in str(err.value)


def test_a_rule_on_a_regulatory_deadline_the_kind_cannot_have_is_refused() -> None:
    """Profile deadlines are read as regulatory clocks: ``reversal.breached`` names no clock."""
    rule = Rule(
        id="late", when=Condition(fact="reversal.breached", op="is", value="true"), then=()
    )
    with pytest.raises(ConfigurationError, match=r"rules\[0\]\.when\.fact"):
        make_app(FixedClock(T0), rule)
    fine = Rule(
        id="late",
        when=Condition(fact="regulatory:reversal.breached", op="is", value="true"),
        then=(),
    )
    make_app(FixedClock(T0), fine).close()


def test_a_case_starts_at_the_ladders_start_tier() -> None:
    """At intake the case is at ``agent`` (Ladder.start) in its state and its listing row."""
    app = make_app(FixedClock(T0))
    cid = de_case(app)
    assert app.complaints.get(cid).escalation.tier == "agent"
    assert app.complaints.get(cid).escalation.escalations == 0
    (row,) = app.storage.list_summaries(SummaryQuery(attributes={"tier": "agent"}))
    assert row.stream_id == cid


def _oracle_end(received: datetime, days: int, zone: str, country: str, subdivision: str | None) -> datetime:
    from datetime import time as clock_time

    from .. import busday_oracle as oracle

    week = [[(0, 17 * 60)]] * 5 + [[], []]
    last = oracle.business_day(
        received, days, zone=zone, weekly=week, country=country, subdivision=subdivision
    )
    return datetime.combine(last + timedelta(days=1), clock_time(), tzinfo=ZoneInfo(zone))


@settings(max_examples=60, deadline=None)
@given(
    st.datetimes(
        min_value=datetime(2024, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
    ),
    st.sampled_from(
        [
            ("DE", "Europe/Berlin", "DE", None),
            ("GB", "Europe/London", "GB", "ENG"),
            ("GB-SCT", "Europe/London", "GB", "SCT"),
        ]
    ),
)
def test_regulatory_clocks_agree_with_the_oracle(
    received: datetime, where: tuple[str, str, str, str | None]
) -> None:
    """A wallet complaint's own PSD2 or DISP clock ends 15 business days after receipt where
    numpy's busday arithmetic over the same holidays says, whatever the house policy."""
    code, zone, country, subdivision = where
    clock = FixedClock(received)
    app = make_app(clock)
    cid = app.complaints.open(
        intake(jurisdiction=code, product="wallet", occurred_at=received - timedelta(hours=1))
    ).complaint_id
    found = {c.metric: c for c in app.complaints.get(cid).clocks}
    regulatory = found["regulatory:resolution"]
    assert regulatory.deadline == _oracle_end(received, 15, zone, country, subdivision)
    assert found["resolution"].source == "house:house"


def test_resolving_while_waiting_judges_the_house_clock_on_its_moved_deadline() -> None:
    """Resolved straight from awaiting_customer after a long wait: the house clock resumes at
    the stop, its deadline moved by the wait, so it is met and records no breach."""
    clock = FixedClock(T0)
    app = make_app(clock)
    cid = de_case(app)
    app.complaints.acknowledge(cid, by=STAFF)
    app.complaints.start_investigation(cid, by=STAFF)
    app.complaints.request_information(cid, by=STAFF, questions="Which card?")
    clock.advance(timedelta(days=9))  # far past the 32-hour house deadline, all of it waiting
    app.complaints.resolve(
        cid, by=STAFF, outcome="upheld", explanation="The double debit was refunded to you."
    )
    house = {c.metric: c for c in app.complaints.get(cid).clocks}["resolution"]
    assert house.met is True and not house.breached and not house.paused
    assert house.paused_total == CAL.business_time_between(T0, clock.now())
    assert of(app, cid, ClockBreached) == []
