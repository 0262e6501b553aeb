"""Clocks that start later than intake (Reg E's finding, a customer's reply), waits on a
merchant or network, and the requester-wait and agent-work measures."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from walletcare import Actor, BusinessCalendar, Settings, Walletcare
from walletcare.config import CaseSettings, Oversight, SlaChoice
from walletcare.domain.escalation import Action, ActionKind, Condition, Once, Rule, RuleFired
from walletcare.domain.sla import ClockBreached, ClockStarted, ClockStopped, SlaPolicy, SlaTarget
from walletcare.errors import TransitionNotAllowed, ValidationError
from walletcare.testing import FixedClock

from .. import busday_oracle as oracle
from ..complaints_fixtures import intake

NEW_YORK = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")
STAFF = Actor.staff("agent-7")
CUSTOMER = Actor.customer("cust-1")
US_WEEK = [[(0, 17 * 60)]] * 5 + [[], []]


def us_app(clock: FixedClock) -> Walletcare:
    return Walletcare(Settings(storage_url="memory://"), clock=clock)


def us_case(app: Walletcare, received: datetime) -> str:
    cid = app.complaints.open(
        intake(
            jurisdiction="US",
            product="wallet",
            occurred_at=received - timedelta(hours=1),
            customer_zone="America/New_York",
        )
    ).complaint_id
    app.complaints.acknowledge(cid, by=STAFF)
    app.complaints.start_investigation(cid, by=STAFF)
    return cid


def clocks(app: Walletcare, cid: str) -> dict[str, object]:
    return {c.metric: c for c in app.complaints.get(cid).clocks}


def oracle_due(found: datetime, days: int) -> datetime:
    last = oracle.business_day(found, days, zone="America/New_York", weekly=US_WEEK, country="US")
    return datetime.combine(last + timedelta(days=1), time(), tzinfo=NEW_YORK)


def test_reg_e_report_and_correction_count_from_a_finding_on_day_12() -> None:
    """Received 4 March, finding (an error) on day 12: the report is due 3 business days and the
    correction 1 business day after the finding, not after receipt, so neither is overdue."""
    received = datetime(2026, 3, 4, 10, 0, tzinfo=NEW_YORK)
    clock = FixedClock(received)
    app = us_app(clock)
    cid = us_case(app, received)
    assert {"regulatory:investigation", "regulatory:provisional_credit"} <= set(clocks(app, cid))
    assert "regulatory:report" not in clocks(app, cid)  # no finding, no report clock
    clock.set(received + timedelta(days=12, hours=1))  # Monday 16 March, 11:00
    app.complaints.record_finding(
        cid, by=STAFF, finding="The second debit was a processing error.", error_found=True
    )
    found = clocks(app, cid)
    report, correction = found["regulatory:report"], found["regulatory:correction"]
    assert report.deadline == oracle_due(clock.now(), 3) == datetime(2026, 3, 20, tzinfo=NEW_YORK)
    assert correction.deadline == oracle_due(clock.now(), 1)
    assert report.source == "reg_e:report" and correction.source == "reg_e:correction"
    assert report.deadline > clock.now() and not report.breached
    investigation = found["regulatory:investigation"]
    assert not investigation.running and investigation.met is True
    assert "error_found" in app.complaints.get(cid).flags
    with pytest.raises(TransitionNotAllowed):
        app.complaints.record_finding(cid, by=STAFF, finding="again", error_found=False)
    clock.set(datetime(2026, 3, 21, 9, 0, tzinfo=NEW_YORK))
    app.tick()
    breached = sorted(e.metric for e in app.events(cid) if isinstance(e, ClockBreached))
    assert "regulatory:report" in breached and "regulatory:correction" in breached


def test_a_finding_without_an_error_starts_no_correction_clock() -> None:
    """Only an error needs correcting: no finding of error, no correction deadline."""
    received = datetime(2026, 3, 4, 10, 0, tzinfo=NEW_YORK)
    clock = FixedClock(received)
    app = us_app(clock)
    cid = us_case(app, received)
    clock.set(received + timedelta(days=3))
    with pytest.raises(ValidationError):
        app.complaints.record_finding(cid, by=STAFF, finding="  ", error_found=False)
    app.complaints.record_finding(cid, by=STAFF, finding="No error occurred.", error_found=False)
    found = clocks(app, cid)
    assert "regulatory:report" in found and "regulatory:correction" not in found


@settings(max_examples=60, deadline=None)
@given(
    st.datetimes(
        min_value=datetime(2024, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
    ),
    st.integers(min_value=0, max_value=30 * 24 * 60),
)
def test_finding_clocks_agree_with_the_oracle(received: datetime, minutes_later: int) -> None:
    """Wherever the receipt and the finding fall (weekends, holidays, after closing, DST), the
    report and correction clocks end where numpy's busday arithmetic says."""
    clock = FixedClock(received)
    app = us_app(clock)
    cid = us_case(app, received)
    clock.set(received + timedelta(minutes=minutes_later))
    app.complaints.record_finding(cid, by=STAFF, finding="An error.", error_found=True)
    found = clocks(app, cid)
    assert found["regulatory:report"].deadline == oracle_due(clock.now(), 3)
    assert found["regulatory:correction"].deadline == oracle_due(clock.now(), 1)


CAL = BusinessCalendar.build(zone="Europe/Berlin", hours={"mon-fri": "09:00-17:00"}, country="DE")
T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # Monday 09:00 in Berlin
HOURS = timedelta(hours=200)
MEASURED = SlaPolicy(
    name="measured",
    calendar=CAL,
    targets=(
        SlaTarget(metric="next_reply", duration=timedelta(hours=2)),
        SlaTarget(metric="resolution", duration=HOURS, paused_by={"customer", "merchant"}),
        SlaTarget(metric="requester_wait", duration=HOURS),
        SlaTarget(metric="agent_work", duration=HOURS),
    ),
)


def measured_app(clock: FixedClock, *rules: Rule) -> Walletcare:
    oversight = Oversight(sla=(SlaChoice(policy=MEASURED),), rules=rules, regulatory=())
    settings = Settings(storage_url="memory://", cases={"complaint": CaseSettings(oversight=oversight)})
    return Walletcare(settings, clock=clock)


def test_next_reply_runs_from_a_customer_reply_to_the_next_agent_reply() -> None:
    """Intake starts no next-reply clock; a customer's reply does; a second reply before the
    agent answers changes nothing; the agent's reply stops it; a late one breaches."""
    clock = FixedClock(T0)
    late = Rule(
        id="slow-reply",
        when=Condition(fact="next_reply.breached", op="is", value="true"),
        then=(Action(kind=ActionKind.ESCALATE),),
        once=Once.CLOCK,
        metric="next_reply",
    )
    app = measured_app(clock, late)
    cid = app.complaints.open(intake(jurisdiction="DE")).complaint_id
    assert "next_reply" not in clocks(app, cid)
    app.complaints.acknowledge(cid, by=STAFF)
    app.complaints.start_investigation(cid, by=STAFF)
    app.complaints.request_information(cid, by=STAFF, questions="Which card?")
    clock.advance(timedelta(minutes=30))
    app.complaints.provide_information(cid, by=CUSTOMER, summary="The blue one.")
    first = clocks(app, cid)["next_reply"]
    assert first.running and first.started_at == clock.now()
    assert first.deadline == CAL.add_business_time(clock.now(), timedelta(hours=2))
    clock.advance(timedelta(minutes=30))
    app.complaints.record_contact(cid, by=CUSTOMER, channel="sms", direction="inbound", summary="?")
    assert clocks(app, cid)["next_reply"] == first  # still the same run
    clock.advance(timedelta(minutes=30))
    app.complaints.record_contact(cid, by=STAFF, channel="sms", direction="outbound", summary="On it.")
    stopped = [e for e in app.events(cid) if isinstance(e, ClockStopped) and e.metric == "next_reply"]
    assert len(stopped) == 1 and stopped[0].met and stopped[0].elapsed == timedelta(hours=1)
    app.complaints.record_contact(cid, by=CUSTOMER, channel="sms", direction="inbound", summary="??")
    assert clocks(app, cid)["next_reply"].run == 2
    clock.advance(timedelta(hours=3))
    app.tick()
    assert [e.rule for e in app.events(cid) if isinstance(e, RuleFired)] == ["slow-reply"]
    started = [e for e in app.events(cid) if isinstance(e, ClockStarted) and e.metric == "next_reply"]
    assert len(started) == 2


def test_waiting_on_a_merchant_pauses_what_its_targets_say() -> None:
    """Waiting on the merchant pauses resolution (paused_by merchant) and agent work (every
    wait), not the requester's wait (the customer only)."""
    clock = FixedClock(T0)
    app = measured_app(clock)
    cid = app.complaints.open(intake(jurisdiction="DE")).complaint_id
    app.complaints.acknowledge(cid, by=STAFF)
    app.complaints.start_investigation(cid, by=STAFF)
    app.complaints.await_third_party(cid, by=STAFF, party="merchant", reason="refund status")
    complaint = app.complaints.get(cid)
    assert complaint.status.value == "awaiting_merchant"
    found = {c.metric: c for c in complaint.clocks}
    assert found["resolution"].paused and found["resolution"].waiting_on == "merchant"
    assert found["agent_work"].paused
    assert not found["requester_wait"].paused
    clock.advance(timedelta(hours=2))
    app.complaints.third_party_answered(cid, by=STAFF, summary="Refund sent.")
    complaint = app.complaints.get(cid)
    assert complaint.status.value == "investigating"
    assert all(not c.paused for c in complaint.clocks)
    with pytest.raises(ValidationError):
        app.complaints.await_third_party(cid, by=STAFF, party="lunch", reason="r")


def test_requester_wait_and_agent_work_measure_the_case() -> None:
    """One business hour working, two waiting on the customer, one on the network, one more
    working: the requester waited 3 hours, the agents could work 2."""
    clock = FixedClock(T0)
    app = measured_app(clock)
    cid = app.complaints.open(intake(jurisdiction="DE")).complaint_id
    app.complaints.acknowledge(cid, by=STAFF)
    app.complaints.start_investigation(cid, by=STAFF)
    clock.advance(timedelta(hours=1))
    app.complaints.request_information(cid, by=STAFF, questions="Which card?")
    clock.advance(timedelta(hours=2))
    app.complaints.provide_information(cid, by=CUSTOMER, summary="The blue one.")
    app.complaints.await_third_party(cid, by=STAFF, party="network", reason="chargeback")
    clock.advance(timedelta(hours=1))
    app.complaints.third_party_answered(cid, by=STAFF, summary="Approved.")
    clock.advance(timedelta(hours=1))
    app.complaints.resolve(
        cid, by=STAFF, outcome="upheld", explanation="Refunded to your wallet."
    )
    stops = {e.metric: e for e in app.events(cid) if isinstance(e, ClockStopped)}
    assert stops["requester_wait"].elapsed == timedelta(hours=3)
    assert stops["requester_wait"].paused_total == timedelta(hours=2)
    assert stops["agent_work"].elapsed == timedelta(hours=2)
    assert stops["agent_work"].paused_total == timedelta(hours=3)
    assert {c.metric: c for c in app.complaints.get(cid).clocks}["agent_work"].paused_total == (
        timedelta(hours=3)
    )
