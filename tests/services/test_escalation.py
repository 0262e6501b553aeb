"""SLA clocks and escalation through Walletcare: once per occurrence, digests, tiers, penalties."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from walletcare import (
    Actor,
    BusinessCalendar,
    ContactPoint,
    Money,
    NewComplaint,
    Settings,
    Walletcare,
)
from walletcare.config import CaseSettings, Oversight, SlaChoice
from walletcare.domain.escalation import (
    Action,
    ActionKind,
    Condition,
    Escalated,
    Ladder,
    Once,
    PenaltyAccrued,
    Rule,
    RuleFired,
)
from walletcare.domain.sla import ClockBreached, ClockWarned, Measure, SlaPolicy, SlaTarget
from walletcare.testing import FixedClock, RecordingNotifier

from ..complaints_fixtures import intake

BERLIN = ZoneInfo("Europe/Berlin")
T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # Monday 09:00 in Berlin
STAFF = Actor.staff("agent-7")
CAL = BusinessCalendar.build(zone="Europe/Berlin", hours={"mon-fri": "09:00-17:00"}, country="DE")
STANDARD = SlaPolicy(
    name="standard",
    calendar=CAL,
    targets=(
        SlaTarget(metric="acknowledgement", duration=timedelta(hours=4), pauses=False),
        SlaTarget(metric="update", measure=Measure.BUSINESS_DAYS, days=2),
        SlaTarget(metric="resolution", duration=timedelta(hours=24), warn_at=Decimal("0.5")),
    ),
)
SENIOR = SlaPolicy(
    name="senior",
    calendar=CAL,
    targets=(SlaTarget(metric="resolution", duration=timedelta(hours=8)),),
)
BREACH_RULE = Rule(
    id="resolution-breach",
    description="resolution deadline missed",
    when=Condition(fact="resolution.breached", op="is", value="true"),
    then=(
        Action(kind=ActionKind.ESCALATE),
        Action(kind=ActionKind.NOTIFY, role="complaints_officer", channel="staff"),
        Action(kind=ActionKind.FLAG_REGULATOR),
    ),
    once=Once.CLOCK,
    metric="resolution",
)


def make_app(
    clock: FixedClock,
    notifier: RecordingNotifier | None = None,
    url: str = "memory://",
    **oversight: object,
) -> Walletcare:
    settings = Settings(
        storage_url=url,
        cases={
            "complaint": CaseSettings(
                oversight=Oversight(
                    sla=(SlaChoice(policy=STANDARD),), rules=(BREACH_RULE,), **oversight
                )
            )
        },  # type: ignore[arg-type]
    )
    return Walletcare(settings, plugins=[notifier] if notifier else [], clock=clock)


def de_intake(**changes: object) -> NewComplaint:
    fields: dict[str, object] = {
        "jurisdiction": "DE",
        "product": "wallet",
        "occurred_at": T0 - timedelta(hours=2),
    }
    fields.update(changes)
    return intake(**fields)


def kinds(app: Walletcare, cid: str, kind: type) -> list:  # type: ignore[type-arg]
    return [e for e in app.events(cid) if isinstance(e, kind)]


def test_clocks_start_with_house_and_regulatory_deadlines() -> None:
    """A German wallet complaint gets house clocks and PSD2's 15 days, each its own clock."""
    clock = FixedClock(T0)
    app = make_app(clock)
    cid = app.complaints.open(de_intake()).complaint_id
    clocks = {c.metric: c for c in app.complaints.get(cid).clocks}
    assert set(clocks) == {"acknowledgement", "update", "resolution", "regulatory:resolution"}
    assert clocks["resolution"].source == "house:standard"
    assert clocks["resolution"].regulatory_deadline is None
    psd2 = clocks["regulatory:resolution"]
    assert psd2.deadline == psd2.regulatory_deadline == datetime(2026, 3, 24, tzinfo=BERLIN)
    assert psd2.source == psd2.regulatory_source == "psd2:resolution"
    assert psd2.house_deadline is None and not psd2.pauses
    assert {t.name for t in app.storage.get_timers(cid)} == {
        "sla:acknowledgement",
        "sla:update",
        "sla:resolution",
        "sla:regulatory:resolution",
    }


def test_no_policy_and_no_profile_means_no_clocks() -> None:
    """A case may have no SLA at all: no clocks, no timers."""
    app = Walletcare(Settings(storage_url="memory://"), clock=FixedClock(T0))
    cid = app.complaints.open(intake(jurisdiction="BR")).complaint_id
    assert app.complaints.get(cid).clocks == ()
    assert app.storage.get_timers(cid) == []


def test_policy_chosen_by_condition() -> None:
    """SLA policies are chosen by conditions over the case; the first match wins."""
    vip = SlaPolicy(
        name="vip",
        calendar=CAL,
        targets=(SlaTarget(metric="resolution", duration=timedelta(hours=2)),),
    )
    choices = (
        SlaChoice(policy=vip, when=Condition(fact="segment", op="eq", value="vip")),
        SlaChoice(policy=STANDARD),
    )
    app = Walletcare(
        Settings(
            storage_url="memory://",
            cases={"complaint": CaseSettings(oversight=Oversight(sla=choices, regulatory=()))},
        ),
        clock=FixedClock(T0),
    )
    vip_case = app.complaints.open(de_intake(segment="vip")).complaint_id
    other = app.complaints.open(de_intake(transactions=("tx-2",))).complaint_id
    assert [c.policy for c in app.complaints.get(vip_case).clocks] == ["vip"]
    assert {c.policy for c in app.complaints.get(other).clocks} == {"standard"}


def test_breach_escalates_once_however_often_tick_runs() -> None:
    """Warning, breach, one escalation and one notification, even with many ticks."""
    clock, notifier = FixedClock(T0), RecordingNotifier()
    app = make_app(clock, notifier)
    cid = app.complaints.open(de_intake()).complaint_id
    app.complaints.acknowledge(cid, by=STAFF)
    for _ in range(6 * 24):
        clock.advance(timedelta(hours=1))
        app.tick()
    assert len(kinds(app, cid, ClockWarned)) == 1
    assert len(kinds(app, cid, ClockBreached)) == 2  # resolution, and the unanswered update
    (escalated,) = kinds(app, cid, Escalated)
    assert (escalated.from_tier, escalated.to_tier, escalated.rule) == (
        "agent",
        "senior_agent",
        "resolution-breach",
    )
    (fired,) = kinds(app, cid, RuleFired)
    assert fired.matched == ("resolution.breached is true",)
    assert any(r.startswith("resolution.breached=") for r in fired.readings)
    assert [m.recipient for m in notifier.sent if m.recipient.startswith("role:")] == [
        "role:complaints_officer"
    ]
    assert app.complaints.get(cid).escalation.flagged_for_regulator


def test_a_once_per_clock_rule_fires_again_for_the_next_run_of_its_clock() -> None:
    """Breached, resolved, reopened (a new run of the resolution clock) and breached again:
    the once-per-clock rule fires once for each run, two escalations in all."""
    clock = FixedClock(T0)
    app = make_app(clock)
    cid = app.complaints.open(de_intake()).complaint_id
    app.complaints.acknowledge(cid, by=STAFF)

    def tick_for(days: int) -> None:
        for _ in range(days * 24):
            clock.advance(timedelta(hours=1))
            app.tick()

    tick_for(5)
    assert len(kinds(app, cid, Escalated)) == 1
    app.complaints.resolve(
        cid, by=STAFF, outcome="rejected", explanation="The charge matches the receipt."
    )
    app.complaints.reopen(cid, by=Actor.customer("cust-1"), reason="I disagree")
    runs = [c.run for c in app.complaints.get(cid).clocks if c.metric == "resolution"]
    assert runs == [2]
    tick_for(5)
    fired = [e.occurrence for e in kinds(app, cid, RuleFired) if e.rule == "resolution-breach"]
    assert fired == ["resolution-breach@resolution#1", "resolution-breach@resolution#2"]
    assert [(e.from_tier, e.to_tier) for e in kinds(app, cid, Escalated)] == [
        ("agent", "senior_agent"),
        ("senior_agent", "complaints_officer"),
    ]


def test_pause_moves_the_resolution_deadline() -> None:
    """Waiting for the customer pauses the clock; the paused time is kept and visible."""
    clock = FixedClock(T0)
    app = make_app(clock)
    cid = app.complaints.open(de_intake()).complaint_id
    app.complaints.acknowledge(cid, by=STAFF)
    app.complaints.start_investigation(cid, by=STAFF)
    before = {c.metric: c for c in app.complaints.get(cid).clocks}["resolution"].deadline
    app.complaints.request_information(cid, by=STAFF, questions="the receipt")
    assert "sla:resolution" not in {t.name for t in app.storage.get_timers(cid)}
    clock.advance(timedelta(days=2))  # Wednesday 09:00: 16 business hours paused
    app.complaints.provide_information(cid, by=Actor.customer("cust-1"), summary="attached")
    after = {c.metric: c for c in app.complaints.get(cid).clocks}["resolution"]
    assert after.paused_total == timedelta(hours=16)
    assert after.deadline == CAL.add_business_time(before, timedelta(hours=16))
    assert "sla:resolution" in {t.name for t in app.storage.get_timers(cid)}


def test_resolution_stops_clocks_and_reopen_restarts_them() -> None:
    """Resolving stops every clock (met); reopening starts a new resolution run."""
    clock = FixedClock(T0)
    app = make_app(clock)
    cid = app.complaints.open(de_intake()).complaint_id
    app.complaints.acknowledge(cid, by=STAFF)
    app.complaints.resolve(
        cid,
        by=STAFF,
        outcome="upheld",
        explanation="We refunded the double debit to your wallet.",
        remedy=Money.of("42", "EUR"),
    )
    assert all(not c.running and c.met for c in app.complaints.get(cid).clocks)
    clock.advance(timedelta(days=1))
    app.complaints.reopen(cid, by=Actor.customer("cust-1"), reason="still missing")
    resolution = {c.metric: c for c in app.complaints.get(cid).clocks}["resolution"]
    assert resolution.running and resolution.run == 2


def test_escalating_to_a_tier_starts_its_sla() -> None:
    """A tier with its own SLA starts a clock for it when the case arrives there."""
    clock = FixedClock(T0)
    ladder = Ladder(tier_sla={"senior_agent": "senior"})
    app = Walletcare(
        Settings(
            storage_url="memory://",
            cases={
                "complaint": CaseSettings(
                    oversight=Oversight(
                        sla=(SlaChoice(policy=STANDARD), SlaChoice(policy=SENIOR)),
                        rules=(BREACH_RULE,),
                        ladder=ladder,
                    )
                )
            },
        ),
        clock=clock,
    )
    cid = app.complaints.open(de_intake()).complaint_id
    clock.advance(timedelta(days=6))
    app.tick()
    tier_clock = {c.metric: c for c in app.complaints.get(cid).clocks}["tier_senior_agent"]
    assert tier_clock.policy == "senior" and tier_clock.running


def test_repeated_reopening_escalates_once_per_reopen() -> None:
    """A rule on reopen_count fires once for each reopening, not on every command."""
    clock = FixedClock(T0)
    rule = Rule(
        id="reopened",
        when=Condition(fact="reopen_count", op="ge", value="1"),
        then=(Action(kind=ActionKind.ESCALATE),),
        once=Once.REOPEN,
    )
    app = Walletcare(
        Settings(
            storage_url="memory://",
            cases={"complaint": CaseSettings(oversight=Oversight(rules=(rule,)))},
        ),
        clock=clock,
    )
    cid = app.complaints.open(intake()).complaint_id
    app.complaints.acknowledge(cid, by=STAFF)
    for _ in range(2):
        app.complaints.resolve(
            cid,
            by=STAFF,
            outcome="rejected",
            explanation="The charge matches the merchant's receipt.",
        )
        app.complaints.reopen(cid, by=Actor.customer("cust-1"), reason="I disagree")
        app.complaints.record_contact(
            cid, by=STAFF, channel="phone", direction="outbound", summary="called back"
        )
    tiers = [(e.from_tier, e.to_tier) for e in kinds(app, cid, Escalated)]
    assert tiers == [("agent", "senior_agent"), ("senior_agent", "complaints_officer")]


def test_staff_alerts_from_many_cases_arrive_as_one_digest() -> None:
    """Breaches of several cases in one tick reach the officer as one digest."""
    clock, notifier = FixedClock(T0), RecordingNotifier(channels=["staff", "sms"])
    app = make_app(clock, notifier)
    cases = [
        app.complaints.open(de_intake(customer_id=f"c{i}", transactions=(f"tx-{i}",))).complaint_id
        for i in range(5)
    ]
    app.tick()
    clock.advance(timedelta(days=6))
    app.tick()
    staff = [m for m in notifier.sent if m.channel == "staff"]
    assert len(staff) == 1
    assert staff[0].subject == "5 case alerts"
    assert all(cid in staff[0].body for cid in cases)
    assert all(
        m.status == "delivered"
        for cid in cases
        for m in app.messages(cid)
        if m.recipient.startswith("role:")
    )


def test_rbi_t_plus_1_reversal_three_days_late_accrues_inr_300() -> None:
    """A UPI P2P failure reversed three days after its T+1 deadline accrues INR 100 a day, automatically."""
    kolkata = ZoneInfo("Asia/Kolkata")
    failed = datetime(2026, 3, 2, 14, 0, tzinfo=kolkata)
    clock = FixedClock(datetime(2026, 3, 2, 18, 0, tzinfo=kolkata))
    app = Walletcare(Settings(storage_url="memory://"), clock=clock)
    cid = app.complaints.open(
        intake(
            jurisdiction="IN",
            product="upi",
            flags=("tat_t1",),
            occurred_at=failed,
            amount_lost=Money.of("2500", "INR"),
            contact=ContactPoint(channel="sms", address="+91"),
            customer_zone="Asia/Kolkata",
        )
    ).complaint_id
    reversal = {c.metric: c for c in app.complaints.get(cid).clocks}["regulatory:reversal"]
    assert reversal.deadline == datetime(2026, 3, 4, tzinfo=kolkata)
    for _ in range(4 * 24):
        if clock.now() >= datetime(2026, 3, 6, 11, 0, tzinfo=kolkata):
            break
        clock.advance(timedelta(hours=1))
        app.tick()
    app.complaints.acknowledge(cid, by=STAFF)
    app.complaints.resolve(
        cid,
        by=STAFF,
        outcome="upheld",
        explanation="The failed UPI transfer was reversed to your account.",
        remedy=Money.of("2500", "INR"),
    )
    for _ in range(5):
        clock.advance(timedelta(days=1))
        app.tick()
    accrued = kinds(app, cid, PenaltyAccrued)
    assert sum((p.amount for p in accrued), Money.zero("INR")) == Money.of("300", "INR")
    assert app.complaints.get(cid).escalation.penalties == tuple(p.amount for p in accrued)


def test_rule_penalties_do_not_count_towards_regulatory_compensation() -> None:
    """A rule's own INR penalty leaves RBI's compensation owed in full."""
    kolkata = ZoneInfo("Asia/Kolkata")
    failed = datetime(2026, 3, 2, 14, 0, tzinfo=kolkata)
    clock = FixedClock(datetime(2026, 3, 2, 18, 0, tzinfo=kolkata))
    fine = Rule(
        id="goodwill",
        when=Condition(fact="category", op="eq", value="transaction_failure"),
        then=(Action(kind=ActionKind.ACCRUE_PENALTY, amount=Money.of("500", "INR")),),
    )
    app = Walletcare(
        Settings(
            storage_url="memory://",
            cases={"complaint": CaseSettings(oversight=Oversight(rules=(fine,)))},
        ),
        clock=clock,
    )
    cid = app.complaints.open(
        intake(
            jurisdiction="IN",
            product="upi",
            flags=("tat_t1",),
            occurred_at=failed,
            amount_lost=Money.of("2500", "INR"),
            customer_zone="Asia/Kolkata",
        )
    ).complaint_id
    clock.set(datetime(2026, 3, 6, 11, 0, tzinfo=kolkata))
    app.tick()
    amounts = [p.amount for p in kinds(app, cid, PenaltyAccrued)]
    assert amounts == [Money.of("500", "INR"), Money.of("300", "INR")]
    assert app.complaints.get(cid).escalation.compensation == (
        ("regulatory:reversal", Money.of("300", "INR")),
    )


def test_review_timer_reevaluates_age_rules() -> None:
    """Age-only rules are re-checked by a per-case review timer, not by scanning cases."""
    clock = FixedClock(T0)
    rule = Rule(
        id="stale",
        when=Condition(fact="age", op="gt", value="P3D"),
        then=(Action(kind=ActionKind.RAISE_SEVERITY),),
    )
    app = Walletcare(
        Settings(
            storage_url="memory://",
            cases={
                "complaint": CaseSettings(
                    oversight=Oversight(rules=(rule,), review_every=timedelta(days=1))
                )
            },
        ),
        clock=clock,
    )
    cid = app.complaints.open(intake()).complaint_id
    assert app.complaints.get(cid).severity.value == "medium"
    for _ in range(5):
        clock.advance(timedelta(days=1))
        app.tick()
    assert app.complaints.get(cid).severity.value == "high"
    assert len(kinds(app, cid, RuleFired)) == 1


@pytest.mark.slow
def test_concurrent_tickers_and_restarts_never_repeat_an_escalation(tmp_path: Path) -> None:
    """Two Walletcare instances ticking one SQLite file, then a restart: one firing per case."""
    url = f"sqlite:///{tmp_path}/cases.db"
    clock = FixedClock(T0)
    first = make_app(clock, url=url)
    cases = [
        first.complaints.open(
            de_intake(customer_id=f"c{i}", transactions=(f"tx-{i}",))
        ).complaint_id
        for i in range(20)
    ]
    second = make_app(clock, url=url)
    clock.advance(timedelta(days=6))
    threads = [threading.Thread(target=app.tick) for app in (first, second, first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    first.close()
    second.close()
    restarted = make_app(clock, url=url)
    restarted.tick()
    for cid in cases:
        assert len(kinds(restarted, cid, Escalated)) == 1
        assert (
            len([e for e in kinds(restarted, cid, RuleFired) if e.rule == "resolution-breach"]) == 1
        )


def test_staff_escalate_by_hand_with_a_reason() -> None:
    """Staff escalation records who, why and from which tier; bad targets are refused."""
    from walletcare.errors import DomainError, ValidationError

    app = make_app(FixedClock(T0))
    cid = app.complaints.open(de_intake()).complaint_id
    app.complaints.escalate(cid, by=STAFF, reason="customer threatens to go to the press")
    app.complaints.escalate(cid, by=STAFF, reason="legal review", to_tier="ombudsman")
    moves = [(e.from_tier, e.to_tier, str(e.by), e.reason) for e in kinds(app, cid, Escalated)]
    assert moves == [
        ("agent", "senior_agent", "staff:agent-7", "customer threatens to go to the press"),
        ("senior_agent", "ombudsman", "staff:agent-7", "legal review"),
    ]
    with pytest.raises(ValidationError):
        app.complaints.escalate(cid, by=STAFF, reason="down", to_tier="agent")
    with pytest.raises(ValidationError):
        app.complaints.escalate(cid, by=STAFF, reason="  ")
    with pytest.raises(DomainError):
        app.complaints.escalate(cid, by=Actor.customer("cust-1"), reason="me")


def test_psd2_holding_reply_moves_the_final_deadline_to_day_35() -> None:
    """An exceptional case: the holding reply is sent by day 15, the final deadline becomes day 35."""
    clock, notifier = FixedClock(datetime(2026, 5, 22, 17, 0, tzinfo=UTC)), RecordingNotifier()
    app = Walletcare(Settings(storage_url="memory://"), plugins=[notifier], clock=clock)
    cid = app.complaints.open(de_intake(occurred_at=clock.now() - timedelta(hours=1))).complaint_id
    resolution = {c.metric: c for c in app.complaints.get(cid).clocks}["regulatory:resolution"]
    assert resolution.deadline == datetime(2026, 6, 17, tzinfo=BERLIN)
    clock.advance(timedelta(days=10))
    app.complaints.send_holding_reply(
        cid,
        by=STAFF,
        reasons="the merchant's bank has not answered",
        expected_by=datetime(2026, 7, 10, tzinfo=BERLIN),
    )
    complaint = app.complaints.get(cid)
    clocks = {c.metric: c for c in complaint.clocks}
    assert "exceptional" in complaint.flags
    assert clocks["regulatory:resolution"].deadline == datetime(2026, 7, 15, tzinfo=BERLIN)
    assert clocks["regulatory:resolution"].source == "psd2:resolution"
    assert clocks["regulatory:holding_reply"].met is True
    app.tick()
    assert notifier.sent[-1].template == "complaint.holding_reply"
    assert "merchant's bank" in notifier.sent[-1].body


def test_cn_extension_flags_reschedule_the_deadline() -> None:
    """China: 15 days, 30 when extended, 60 with approval; each flag moves the clock."""
    shanghai = ZoneInfo("Asia/Shanghai")
    clock = FixedClock(datetime(2026, 3, 2, 2, 0, tzinfo=UTC))
    app = Walletcare(Settings(storage_url="memory://"), clock=clock)
    cid = app.complaints.open(
        intake(
            jurisdiction="CN",
            product="wallet",
            customer_zone="Asia/Shanghai",
            occurred_at=clock.now() - timedelta(hours=1),
        )
    ).complaint_id
    due = lambda: {c.metric: c for c in app.complaints.get(cid).clocks}[
        "regulatory:resolution"
    ].deadline
    assert due() == datetime(2026, 3, 18, tzinfo=shanghai)
    app.complaints.add_flags(cid, by=STAFF, flags=["extended"], reason="complex case")
    assert due() == datetime(2026, 4, 2, tzinfo=shanghai)
    app.complaints.add_flags(
        cid, by=STAFF, flags=["approved_extension"], reason="approved by the complaints officer"
    )
    assert due() == datetime(2026, 5, 2, tzinfo=shanghai)
    from walletcare.domain.sla import ClockRescheduled

    assert [e.reason for e in kinds(app, cid, ClockRescheduled)] == [
        "complex case",
        "approved by the complaints officer",
    ]


def test_uk_final_response_tells_of_the_ombudsman() -> None:
    """Under DISP the resolution message carries the Financial Ombudsman notice, in the customer's language."""
    notifier = RecordingNotifier()
    app = Walletcare(Settings(storage_url="memory://"), plugins=[notifier], clock=FixedClock(T0))
    uk = app.complaints.open(intake(jurisdiction="GB", product="wallet")).complaint_id
    zh = app.complaints.open(
        intake(jurisdiction="GB", product="wallet", language="zh", transactions=("tx-2",))
    ).complaint_id
    for cid in (uk, zh):
        app.complaints.acknowledge(cid, by=STAFF)
        app.complaints.resolve(
            cid,
            by=STAFF,
            outcome="rejected",
            explanation="The charge matches the merchant's receipt.",
        )
    app.tick()
    sent = [m for m in notifier.sent if m.template == "complaint.resolved"]
    assert sorted(m.stream_id for m in sent) == sorted([uk, zh])  # one offer each
    resolved = {m.stream_id: m for m in sent}
    assert "Financial Ombudsman Service" in resolved[uk].body and "six months" in resolved[uk].body
    assert "六个月" in resolved[zh].body
    us = app.complaints.open(intake(jurisdiction="US", transactions=("tx-3",))).complaint_id
    app.complaints.acknowledge(us, by=STAFF)
    app.complaints.resolve(
        us, by=STAFF, outcome="rejected", explanation="The charge matches the merchant's receipt."
    )
    app.tick()
    assert (
        "Ombudsman"
        not in next(
            m for m in notifier.sent if m.stream_id == us and m.template == "complaint.resolved"
        ).body
    )
