"""Follow-ups end to end: triggers, contact rules, fallback, answers and what they lead to."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from tests.complaints_fixtures import EXPLANATION, intake
from walletcare import (
    Actor,
    ContactPoint,
    DeliveryReceipt,
    FollowupStatus,
    Money,
    OutboundMessage,
    Purpose,
    Settings,
    Trigger,
    TriggerKind,
    Walletcare,
    hookimpl,
)
from walletcare.config import CaseSettings, FollowupPolicy
from walletcare.errors import ConfigurationError, TransitionNotAllowed, ValidationError
from walletcare.ports import MessageStatus
from walletcare.testing import FixedClock, FlakyNotifier, RecordingNotifier

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday, 10:00 in Berlin
STAFF = Actor.staff("agent-1")


def make_app(notifier: object | None = None, **policy: object) -> tuple[Walletcare, FixedClock]:
    clock = FixedClock(T0)
    chosen = FollowupPolicy(follow_resolved_complaints=True, **policy)  # type: ignore[arg-type]
    app = Walletcare(
        Settings(storage_url="memory://", cases={"followup": CaseSettings(policy=chosen)}),
        plugins=[notifier or RecordingNotifier()],
        clock=clock,
    )
    return app, clock


def resolve_complaint(app: Walletcare, **changes: object) -> str:
    receipt = app.complaints.open(intake(**changes))
    cid = receipt.complaint_id
    app.complaints.acknowledge(cid, by=STAFF)
    app.complaints.resolve(cid, by=STAFF, outcome="upheld", explanation=EXPLANATION)
    return cid


def run_for(app: Walletcare, clock: FixedClock, hours: float, step_minutes: int = 10) -> None:
    """Advance the clock in steps, ticking at each, as a scheduler would."""
    end = clock.now() + timedelta(hours=hours)
    while clock.now() < end:
        clock.advance(timedelta(minutes=step_minutes))
        app.tick()


def test_a_resolved_complaint_is_followed_up_24_hours_later_by_push_then_sms() -> None:
    """Push is preferred; the push gateway gives up; the survey goes by SMS, once each."""
    notifier = FlakyNotifier(lambda m, _n: "raise" if m.channel == "push" else None)
    app, clock = make_app(notifier)
    app.followups.prefer_channels(
        "cust-1",
        [ContactPoint(channel="push", address="device-7"), ContactPoint(channel="sms", address="+4915100000000")],
    )
    cid = resolve_complaint(app, customer_zone="Europe/Berlin", jurisdiction="DE")
    app.tick()  # the resolution message itself
    fu = app.followups.get(f"fu:complaint_resolved:{cid}")
    assert fu.due_from == T0 + timedelta(hours=24)
    assert fu.due_until == T0 + timedelta(hours=48)
    run_for(app, clock, 23.5)
    assert [m.template for m in notifier.sent] == ["complaint.acknowledged", "complaint.resolved"]
    run_for(app, clock, 4)
    fu = app.followups.get(fu.id)
    surveys = [m for m in notifier.sent if m.template == "followup.csat"]
    assert [m.channel for m in surveys] == ["sms"]
    assert [(a.channel, bool(a.failed)) for a in fu.attempts] == [("push", True), ("sms", False)]
    assert notifier.attempts[f"{fu.id}/attempt/1"] == app.settings.retry.max_attempts
    assert fu.attempts[0].at == T0 + timedelta(hours=24)
    # One follow-up, counted once against the caps although it took two channels.
    history = app.followups.contact_history("cust-1")
    assert [(c.channel, c.attempt) for c in history] == [("push", 1), ("sms", 2)]
    body = surveys[0].body
    assert "password" in body and "STOP" in body and "used only" in body
    assert "+4915100000000" not in body


def test_one_follow_up_per_trigger_however_often_triggered() -> None:
    """A repeated trigger returns the same follow-up and arms no second one."""
    app, _clock = make_app()
    cid = resolve_complaint(app)
    again = app.followups.after_complaint_resolved(cid)
    assert again.id == f"fu:complaint_resolved:{cid}"
    assert len(app.followups.cases.list()) == 1


def test_follow_ups_of_resolved_complaints_are_off_unless_the_policy_turns_them_on() -> None:
    """Without follow_resolved_complaints, resolving a complaint schedules nothing."""
    app = Walletcare(Settings(storage_url="memory://"), plugins=[RecordingNotifier()], clock=FixedClock(T0))
    resolve_complaint(app)
    assert app.followups.cases.list() == []


def test_a_detractor_answer_reopens_the_complaint_with_the_answer_attached() -> None:
    """An NPS of 3 reopens the complaint days after its usual reopen window would allow."""
    from walletcare.config import TriggerPolicy
    from walletcare.domain.followups import DEFAULT_TRIGGERS, Survey

    triggers = dict(DEFAULT_TRIGGERS)
    triggers[TriggerKind.COMPLAINT_RESOLVED] = TriggerPolicy(
        purpose=Purpose.SURVEY, survey=Survey.NPS, reward=Money.of("5.00", "EUR")
    )
    notifier = RecordingNotifier()
    app, clock = make_app(notifier, triggers=triggers)
    cid = resolve_complaint(app)
    run_for(app, clock, 25, step_minutes=30)
    fid = f"fu:complaint_resolved:{cid}"
    assert app.followups.get(fid).status is FollowupStatus.QUEUED
    clock.advance(timedelta(days=16))  # past the 14-day reopen window, inside the 30-day one
    with pytest.raises(TransitionNotAllowed):
        app.complaints.reopen(cid, by=Actor.customer("cust-1"), reason="too late by hand")
    fu = app.followups.answer(fid, score=3, comment="took far too long", channel="sms")
    assert fu.actions == ("complaint_reopened",)
    assert fu.reward_granted == Money.of("5.00", "EUR")
    complaint = app.complaints.get(cid)
    assert complaint.is_open and complaint.reopen_count == 1
    reopened = [e for e in app.complaints.history(cid) if e.kind == "complaint.reopened"]
    assert len(reopened) == 1
    assert "nps 3 of 0-10: took far too long" in reopened[0].details["reason"]


def test_a_happy_answer_leaves_the_complaint_alone() -> None:
    """A CSAT of 4 is recorded and reopens nothing."""
    app, clock = make_app()
    cid = resolve_complaint(app)
    run_for(app, clock, 25, step_minutes=30)
    fid = f"fu:complaint_resolved:{cid}"
    with pytest.raises(ValidationError, match="score"):
        app.followups.answer(fid, score=6)  # CSAT is 1-5
    fu = app.followups.answer(fid, score=4)
    assert (fu.status, fu.score, fu.actions) == (FollowupStatus.ANSWERED, 4, ())
    assert app.complaints.get(cid).status.value == "resolved"
    with pytest.raises(TransitionNotAllowed):
        app.followups.answer(fu.id, score=5)


def test_not_me_opens_a_critical_security_complaint_and_alerts_staff_at_night() -> None:
    """'Not me' at 02:00 local: a critical security complaint linked to the transaction, and
    the staff alert goes at once while customer messages wait for the morning."""
    notifier = RecordingNotifier()
    app, clock = make_app(notifier)
    night = datetime(2026, 3, 3, 1, 0, tzinfo=UTC)  # 02:00 in Berlin
    clock.advance(night - clock.now())
    fu = app.followups.after_sensitive_transaction(
        "tx-98765432",
        customer_id="cust-9",
        amount=Money.of("950.00", "EUR"),
        completed_at=clock.now() - timedelta(hours=12),
        contact=ContactPoint(channel="sms", address="+4915199999999"),
        customer_zone="Europe/Berlin",
        jurisdiction="DE",
    )
    app.tick()
    assert app.followups.get(fu.id).status is FollowupStatus.SCHEDULED  # quiet hours
    assert app.followups.get(fu.id).deferrals
    clock.advance(timedelta(hours=6))  # 08:00 local
    app.tick()
    asked = [m for m in notifier.sent if m.template == "followup.confirmation"]
    assert len(asked) == 1 and "****5432" in asked[0].body and "tx-98765432" not in asked[0].body
    clock.advance(timedelta(hours=16))  # 00:00 local: quiet again
    fu = app.followups.answer(fu.id, score=0, channel="sms")
    assert fu.actions == ("security_complaint_opened",)
    complaint = app.complaints.get(f"sec:{fu.id}")
    assert (complaint.category.value, complaint.severity.value) == ("security", "critical")
    assert complaint.transactions == ("tx-98765432",)
    app.tick()
    alerts = [m for m in notifier.sent if m.channel == "staff" and m.template == "followup.staff_alert"]
    assert len(alerts) == 1 and alerts[0].recipient == "role:security"
    assert "tx-98765432" in alerts[0].body


@pytest.mark.parametrize(("local", "sent"), [("20:59", True), ("21:01", False)])
def test_a_us_user_at_20_59_is_contacted_and_at_21_01_is_not(local: str, sent: bool) -> None:
    """us_tcpa: 08:00-21:00 in the callee's zone; 21:01 waits for 08:00 the next day."""
    notifier = RecordingNotifier()
    app, clock = make_app(notifier)
    hour, minute = map(int, local.split(":"))
    at = datetime(2026, 3, 2, hour, minute, tzinfo=ZoneInfo("America/New_York"))
    clock.advance(at - clock.now())
    fu = app.followups.trigger(
        Trigger(
            kind=TriggerKind.DISPUTE_CLOSED,
            source_id="dsp-1",
            customer_id="cust-us",
            occurred_at=at - timedelta(hours=24),
            contact=ContactPoint(channel="sms", address="+12125550100"),
            customer_zone="America/New_York",
            jurisdiction="US",
        )
    )
    assert fu.profile == "us_tcpa"
    app.tick()
    surveys = [m for m in notifier.sent if m.template == "followup.csat"]
    assert len(surveys) == (1 if sent else 0)
    if not sent:
        fu = app.followups.get(fu.id)
        assert "quiet hours in America/New_York" in fu.deferrals[0]
        assert fu.deferrals == (fu.deferrals[0],)
        morning = datetime(2026, 3, 3, 8, 0, tzinfo=ZoneInfo("America/New_York"))
        clock.advance(morning - timedelta(minutes=1) - clock.now())
        app.tick()
        assert [m for m in notifier.sent if m.template == "followup.csat"] == []
        clock.advance(timedelta(minutes=1))
        app.tick()
        surveys = [m for m in notifier.sent if m.template == "followup.csat"]
        assert len(surveys) == 1


def test_a_chinese_user_who_opted_out_of_surveys_by_replying_gets_no_more_surveys() -> None:
    """cn_sms: consent first; the reply TD opts out of surveys (with its source), and the
    next survey is recorded as missed, not sent; security confirmations still go."""
    notifier = RecordingNotifier()
    app, clock = make_app(notifier)
    contact = ContactPoint(channel="sms", address="+8613800000000")

    def dispute(n: int) -> str:
        return app.followups.after_dispute_closed(
            f"dsp-{n}", customer_id="cust-cn", closed_at=clock.now(), contact=contact,
            language="zh", customer_zone="Asia/Shanghai", jurisdiction="CN",
        ).id

    first = dispute(1)
    run_for(app, clock, 25, step_minutes=60)
    assert app.followups.get(first).status is FollowupStatus.MISSED
    assert "no consent for survey" in app.followups.get(first).missed_reason
    app.followups.record_consent("cust-cn", "survey", granted=True, source="app settings")
    second = dispute(2)
    run_for(app, clock, 25, step_minutes=60)
    (survey,) = [m for m in notifier.sent if m.template == "followup.csat"]
    assert survey.locale.startswith("zh") and "回复 TD 退订" in survey.body
    app.followups.reply(second, text="TD", channel="sms")
    consent = app.followups.consent("cust-cn")[Purpose.SURVEY]
    assert not consent.granted and "TD" in consent.source and second in consent.source
    third = dispute(3)
    run_for(app, clock, 49, step_minutes=60)
    assert app.followups.get(third).status is FollowupStatus.MISSED
    assert "opted out of survey" in app.followups.get(third).missed_reason
    assert len([m for m in notifier.sent if m.template == "followup.csat"]) == 1


def test_an_attempt_that_cannot_be_made_in_the_window_is_recorded_as_missed() -> None:
    """A trigger reported after its window is missed, with the reason, and nothing is sent."""
    notifier = RecordingNotifier()
    app, clock = make_app(notifier)
    fu = app.followups.after_dispute_closed(
        "dsp-late", customer_id="c", closed_at=clock.now() - timedelta(hours=60),
        contact=ContactPoint(channel="sms", address="+4915100000001"),
    )
    app.tick()
    fu = app.followups.get(fu.id)
    assert fu.status is FollowupStatus.MISSED and "window ended" in fu.missed_reason
    assert notifier.sent == []


def test_caps_hold_across_a_customers_cases() -> None:
    """House profile: 2 follow-ups in 7 days; a third waits until the first drops out."""
    notifier = RecordingNotifier()
    app, clock = make_app(notifier)
    ids = [
        app.followups.after_dispute_closed(
            f"d{n}", customer_id="c", closed_at=clock.now() - timedelta(hours=24),
            contact=ContactPoint(channel="sms", address="+4915100000002"),
        ).id
        for n in range(3)
    ]
    app.tick()
    statuses = [app.followups.get(i).status for i in ids]
    assert statuses.count(FollowupStatus.QUEUED) == 2
    run_for(app, clock, 30, step_minutes=60)
    assert [app.followups.get(i).status for i in ids].count(FollowupStatus.MISSED) == 1
    missed = next(app.followups.get(i) for i in ids if app.followups.get(i).status is FollowupStatus.MISSED)
    assert "cap of 2" in missed.missed_reason


def test_survey_results_come_from_listing_rows_by_category_team_and_channel() -> None:
    """CSAT is the top-2-box share; NPS promoters minus detractors; filters by attributes."""
    app, clock = make_app()
    scores = {"a": 5, "b": 4, "c": 3, "d": 1}
    for name, score in scores.items():
        fu = app.followups.after_dispute_closed(
            f"dsp-{name}", customer_id=f"cust-{name}", closed_at=clock.now() - timedelta(hours=24),
            contact=ContactPoint(channel="email", address=f"{name}@example.com"),
            category="fees" if name in "ab" else "service", team="payments",
        )
        app.tick()
        app.followups.answer(fu.id, score=score, channel="email")
    everything = app.followups.survey_results()
    assert (everything.csat_answers, everything.csat_satisfied, everything.csat) == (4, 2, Decimal("50.0"))
    fees = app.followups.survey_results(category="fees", channel="email", team="payments")
    assert (fees.csat_answers, fees.csat) == (2, Decimal("100.0"))
    assert app.followups.survey_results(channel="sms").csat is None


def test_a_wrong_followup_policy_is_refused_when_walletcare_starts() -> None:
    """settings.cases.followup.policy must be a FollowupPolicy."""
    with pytest.raises(ConfigurationError, match="FollowupPolicy"):
        Walletcare(Settings(storage_url="memory://", cases={"followup": CaseSettings(policy="x")}))


class Silent:
    """A channel plugin serving SMS that answers nothing yet (the message stays pending)."""

    @hookimpl
    def walletcare_channels(self) -> list[str]:
        return ["sms"]

    @hookimpl
    def walletcare_deliver(self, message: OutboundMessage) -> DeliveryReceipt | None:
        return None


def test_a_message_pending_at_the_check_is_checked_again_and_never_sent_twice() -> None:
    """A slow channel: the follow-up waits for it rather than falling back at once."""
    app, clock = make_app(Silent())
    fu = app.followups.after_dispute_closed(
        "dsp-slow", customer_id="c", closed_at=clock.now() - timedelta(hours=24),
        contact=ContactPoint(channel="sms", address="+4915100000003"),
    )
    app.timers.fire_due(clock.now(), 10)
    message = app.storage.get_message(f"{fu.id}/attempt/1")
    assert message is not None and message.status is MessageStatus.PENDING
    clock.advance(timedelta(minutes=31))
    app.timers.fire_due(clock.now(), 10)
    assert len(app.followups.get(fu.id).attempts) == 1


def test_catch_up_follows_up_resolutions_the_commit_hook_missed_once() -> None:
    """With the hook off (as after a crash between commits), catch_up schedules the
    follow-up, and running it again schedules nothing more."""
    app = Walletcare(Settings(storage_url="memory://"), plugins=[RecordingNotifier()], clock=FixedClock(T0))
    cid = resolve_complaint(app)
    assert app.followups.cases.list() == []
    last = app.events_since(0)[-1].position
    assert app.followups.catch_up() == last
    (row,) = app.followups.cases.list()
    assert row.stream_id == f"fu:complaint_resolved:{cid}"
    app.followups.catch_up()
    assert len(app.followups.cases.list()) == 1


def test_an_unhappy_answer_after_the_feedback_window_alerts_staff_with_the_answer() -> None:
    """Past the 30-day feedback window the complaint stays closed; staff get the answer."""
    notifier = RecordingNotifier()
    app, clock = make_app(notifier)
    cid = resolve_complaint(app)
    run_for(app, clock, 25, step_minutes=30)
    clock.advance(timedelta(days=31))
    app.tick()
    fu = app.followups.answer(f"fu:complaint_resolved:{cid}", score=1, comment="awful")
    assert fu.actions == ("staff_alerted",)
    assert not app.complaints.get(cid).is_open
    app.tick()
    (alert,) = [m for m in notifier.sent if m.channel == "staff"]
    assert "csat 1 of 1-5: awful" in alert.body and "could not reopen" in alert.body


def test_triggers_and_channels_are_checked_where_they_are_given() -> None:
    """An unknown zone, an unknown channel, a transaction without its amount: each a
    ValidationError naming the field, before anything is written."""
    app, clock = make_app()
    sms = ContactPoint(channel="sms", address="+4915100000009")
    with pytest.raises(ValidationError, match="customer_zone"):
        app.followups.after_dispute_closed("d", customer_id="c", closed_at=clock.now(), contact=sms, customer_zone="Mars/Base")
    with pytest.raises(ValidationError, match="contact: no registered plugin serves 'fax'"):
        app.followups.after_dispute_closed("d", customer_id="c", closed_at=clock.now(), contact=ContactPoint(channel="fax", address="1"))
    with pytest.raises(ValidationError, match="transaction"):
        app.followups.trigger(Trigger(kind=TriggerKind.SENSITIVE_TRANSACTION, source_id="tx", customer_id="c", occurred_at=clock.now(), contact=sms))
    with pytest.raises(ValidationError, match="channels: pigeon: no registered plugin serves it"):
        app.followups.prefer_channels("c", [ContactPoint(channel="pigeon", address="roof")])
    with pytest.raises(ValidationError, match="channels: must be a list of ContactPoint, got ContactPoint"):
        app.followups.prefer_channels("c", sms)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="purpose"):
        app.followups.record_consent("c", "spam", granted=False, source="x")
    assert app.followups.cases.list() == []


def test_a_confirmation_goes_out_as_any_customer_message_on_a_channel_a_plugin_serves() -> None:
    """A zh_CN customer on WeChat (a channel only a plugin knows): the amount in the locale's
    currency format, the transaction masked, and the verification hint at the end."""
    notifier = RecordingNotifier(channels=["wechat", "staff"])
    app, clock = make_app(notifier)
    clock.advance(timedelta(hours=1))  # 10:00 UTC, 18:00 in Shanghai
    fu = app.followups.after_sensitive_transaction(
        "tx-12345678",
        customer_id="cust-8",
        amount=Money.of("1234.50", "CNY"),
        completed_at=clock.now() - timedelta(hours=12),
        contact=ContactPoint(channel="wechat", address="wx-openid-8"),
        language="zh_CN",
        customer_zone="Asia/Shanghai",
        jurisdiction="CN",
    )
    app.tick()
    (asked,) = [m for m in notifier.sent if m.template == "followup.confirmation"]
    assert asked.id == f"{fu.id}/attempt/1" and asked.channel == "wechat"
    assert "¥1,234.50" in asked.body and "CNY" not in asked.body
    assert "****5678" in asked.body and "tx-12345678" not in asked.body
    assert asked.body.endswith("我们绝不会向您索要密码、验证码、短信码、支付密码或完整卡号。如有疑问，请自行打开应用核实本消息。")
