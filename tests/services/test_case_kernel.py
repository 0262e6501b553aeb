"""A second kind of case runs through the kernel with no change to it: clocks, rules,
escalation, messages, listing, history and timers routed by the stream's kind."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import attrs
import pytest

from tests.complaints_fixtures import intake
from tests.kinds.callbacks import CALLBACKS, CallbackService
from walletcare import Actor, ConfigurationError, Settings, ValidationError, Walletcare
from walletcare.config import (
    Action,
    ActionKind,
    BusinessCalendar,
    CaseSettings,
    Condition,
    FactKind,
    Once,
    Oversight,
    Rule,
    SlaChoice,
    SlaPolicy,
    SlaTarget,
)
from walletcare.ports import SummaryQuery
from walletcare.testing import FixedClock, RecordingNotifier

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # Monday, 10:00 in Berlin
HOURS = BusinessCalendar.build(zone="Europe/Berlin", hours={"mon-fri": "09:00-17:00"})
CALLBACK_SLA = SlaPolicy(
    name="callback",
    calendar=HOURS,
    targets=(SlaTarget(metric="callback", duration=timedelta(hours=2), pauses=False),),
)
LATE = Rule(
    id="late-callback",
    when=Condition(
        all=(
            Condition(fact="callback.breached", op="is", value="true"),
            Condition(fact="topic", op="eq", value="card blocked"),
        )
    ),
    then=(
        Action(kind=ActionKind.ESCALATE, tier="senior_agent"),
        Action(kind=ActionKind.NOTIFY, role="supervisors", channel="staff"),
    ),
    once=Once.CLOCK,
    metric="callback",
    description="call-back promised within two hours is late",
)


def _app(clock: FixedClock, notifier: RecordingNotifier) -> tuple[Walletcare, CallbackService]:
    oversight = Oversight(sla=(SlaChoice(policy=CALLBACK_SLA),), rules=(LATE,), regulatory=())
    app = Walletcare(
        Settings(storage_url="memory://", cases={"callback": CaseSettings(oversight=oversight)}),
        clock=clock,
        plugins=[notifier],
        kinds=[CALLBACKS],
    )
    return app, CallbackService(app.cases("callback"))


def test_second_kind_gets_its_clock_rule_escalation_and_alert() -> None:
    """A late call-back breaches its own clock, the kind's rule escalates it and alerts staff."""
    clock, staff = FixedClock(T0), RecordingNotifier(channels=["staff", "sms"])
    app, callbacks = _app(clock, staff)
    callbacks.request("cb-1", customer_id="alice", phone="+491511", topic="card blocked")
    (started,) = callbacks.cases.get("cb-1").clocks
    assert started.metric == "callback" and started.deadline == T0 + timedelta(hours=2)

    report = app.tick(T0 + timedelta(hours=3))
    assert report.timers_fired == 1 and report.errors == ()
    late = callbacks.cases.get("cb-1")
    assert late.clocks[0].breached and late.escalation.tier == "senior_agent"
    kinds = [e.kind for e in callbacks.cases.history("cb-1")]
    assert kinds.count("escalation.rule_fired") == 1 and "sla.clock_breached" in kinds
    app.tick(T0 + timedelta(hours=3))
    (alert,) = [m for m in staff.sent if m.channel == "staff"]
    assert "Case cb-1" in alert.subject and "late" in alert.body

    (row,) = callbacks.cases.list(attributes={"tier": "senior_agent"})
    assert row.stream_id == "cb-1" and row.kind == "callback" and row.get("topic") == "card blocked"


def test_second_kind_commands_stop_its_clock_and_message_the_customer() -> None:
    """The kind's own command stops its clock in time and sends its own template."""
    clock, sms = FixedClock(T0), RecordingNotifier(channels=["sms", "staff"])
    app, callbacks = _app(clock, sms)
    callbacks.request("cb-2", customer_id="bob", phone="+491522", topic="fees")
    clock.advance(timedelta(minutes=30))
    done = callbacks.called_back("cb-2", by=Actor.staff("agent-1"), outcome="fee refunded")
    assert done.status == "done" and done.clocks[0].met is True
    app.tick(T0 + timedelta(hours=4))
    (message,) = sms.sent
    assert message.recipient == "+491522" and "fee refunded" in message.body
    assert callbacks.cases.list(order_by="deadline") == []  # no running deadline left


def test_timers_are_routed_by_the_streams_kind() -> None:
    """A complaint and a call-back due at once each fire through their own kind's oversight."""
    clock = FixedClock(T0)
    app, callbacks = _app(clock, RecordingNotifier(channels=["sms", "staff"]))
    complaint = app.complaints.open(intake(jurisdiction="DE", product="wallet")).complaint_id
    callbacks.request("cb-3", customer_id="carol", phone="+491533", topic="card blocked")
    report = app.tick(T0 + timedelta(days=40))
    assert report.errors == () and report.timers_failed == 0
    assert callbacks.cases.get("cb-3").escalation.tier == "senior_agent"
    # the callback rule is not its: the complaint stays at the ladder's start
    assert app.complaints.get(complaint).escalation.tier == "agent"
    assert {r.kind for r in app.storage.list_summaries(SummaryQuery())} == {
        "complaint",
        "callback",
    }


def test_settings_for_an_unknown_kind_are_refused_at_start() -> None:
    """Configuring a kind that is not registered is a ConfigurationError naming it."""
    with pytest.raises(ConfigurationError, match=r"cases\.callback"):
        Walletcare(Settings(storage_url="memory://", cases={"callback": CaseSettings()}))


def test_a_kinds_rules_may_read_only_its_facts() -> None:
    """A complaint fact in a call-back rule is refused when Walletcare starts."""
    bad = Rule(
        id="bad",
        when=Condition(fact="amount_lost", op="ge", value="EUR 10"),
        then=(Action(kind=ActionKind.RAISE_SEVERITY),),
    )
    settings = Settings(
        storage_url="memory://",
        cases={"callback": CaseSettings(oversight=Oversight(rules=(bad,)))},
    )
    with pytest.raises(ConfigurationError, match=r"rules\[0\]\.when\.fact"):
        Walletcare(settings, kinds=[CALLBACKS])


@pytest.mark.parametrize(
    ("oversight", "path"),
    [
        (
            Oversight(rules=(attrs.evolve(LATE, metric="calback"),)),
            r"rules\[0\]\.metric",
        ),
        (
            Oversight(
                rules=(
                    attrs.evolve(
                        LATE, when=Condition(fact="calback.breached", op="is", value="true")
                    ),
                )
            ),
            r"rules\[0\]\.when\.fact",
        ),
        (
            Oversight(
                rules=(
                    attrs.evolve(
                        LATE,
                        when=Condition(
                            any=(Condition(fact="resolution.breached", op="is", value="true"),)
                        ),
                        metric="callback",
                    ),
                )
            ),
            r"rules\[0\]\.when\.any\[0\]\.fact",
        ),
        (
            Oversight(
                sla=(
                    SlaChoice(
                        policy=attrs.evolve(
                            CALLBACK_SLA,
                            targets=(attrs.evolve(CALLBACK_SLA.targets[0], metric="callbak"),),
                        )
                    ),
                )
            ),
            r"sla\[0\]\.policy\.targets\[0\]\.metric",
        ),
    ],
)
def test_a_clock_the_kind_cannot_have_is_refused_at_start(oversight: Oversight, path: str) -> None:
    """A misspelled clock in a rule's fact, a once-per-clock rule or an SLA target is refused."""
    settings = Settings(
        storage_url="memory://", cases={"callback": CaseSettings(oversight=oversight)}
    )
    with pytest.raises(ConfigurationError, match=path):
        Walletcare(settings, kinds=[CALLBACKS])


def test_a_kind_gets_no_regulation_unless_it_says_so() -> None:
    """A call-back in Germany has its own clock, not PSD2's complaint deadline."""
    clock = FixedClock(T0)
    _, callbacks = _app(clock, RecordingNotifier(channels=["sms", "staff"]))
    callbacks.request("cb-9", customer_id="dora", phone="+491599", topic="fees")
    assert [c.metric for c in callbacks.cases.get("cb-9").clocks] == ["callback"]


def test_a_fold_that_drops_kernel_events_is_refused() -> None:
    """A kind whose fold ignores clock events would never breach: its first command says so."""
    from tests.kinds.callbacks import Callback, _apply_all

    def forgetful(state: Callback | None, events):  # type: ignore[no-untyped-def]
        kept = [e for e in events if e.kind.startswith("callback.")]
        return _apply_all(state, kept) if kept else state

    kind = attrs.evolve(CALLBACKS, apply_all=forgetful)
    oversight = Oversight(sla=(SlaChoice(policy=CALLBACK_SLA),), regulatory=())
    app = Walletcare(
        Settings(storage_url="memory://", cases={"callback": CaseSettings(oversight=oversight)}),
        kinds=[kind],
        clock=FixedClock(T0),
    )
    with pytest.raises(ConfigurationError, match="fold_kernel_event"):
        CallbackService(app.cases("callback")).request(
            "cb-1", customer_id="c", phone="+1", topic="x"
        )
    assert app.storage.read_stream("cb-1") == []


def test_a_step_of_the_wrong_shape_is_a_configuration_error() -> None:
    """A command that returns one event instead of (events, messages, timers) is refused clearly."""
    _, callbacks = _app(FixedClock(T0), RecordingNotifier(channels=["sms"]))
    callbacks.request("cb-1", customer_id="c", phone="+1", topic="x")
    with pytest.raises(ConfigurationError, match=r"\(events, messages, timer changes\)"):
        callbacks.cases.run("cb-1", lambda c, now, v: [])  # type: ignore[arg-type,return-value]


@pytest.mark.parametrize(
    ("templates", "match"),
    [
        ({"callback.x": {"zh": ("s", "b")}}, "needs an 'en' text"),
        ({"callback.x": {"en": ("s {a}", "b"), "zh": ("s {b}", "b")}}, "in 'zh' uses"),
        ({"complaint.resolved": {"en": ("s", "b")}}, "defined twice"),
    ],
)
def test_templates_are_checked_at_start(templates: dict, match: str) -> None:  # type: ignore[type-arg]
    """A template without English, with different placeholders per language, or a taken name."""
    kind = attrs.evolve(CALLBACKS, templates=templates)
    with pytest.raises(ConfigurationError, match=match):
        Walletcare(Settings(storage_url="memory://"), kinds=[kind])


def test_a_missing_template_value_names_the_template() -> None:
    """Rendering without a value the template needs is a ConfigurationError naming both."""
    _, callbacks = _app(FixedClock(T0), RecordingNotifier(channels=["sms"]))
    case = callbacks.request("cb-1", customer_id="c", phone="+1", topic="x")
    with pytest.raises(ConfigurationError, match=r"callback\.done.*'outcome'"):
        callbacks.cases.message(case, "callback.done", {"topic": "x"}, 1, T0)


def test_a_kind_cannot_take_the_complaint_name_or_a_case_fact() -> None:
    """The built-in complaint name and the facts every case offers are not a kind's to take."""
    with pytest.raises(ConfigurationError, match="built-in complaint kind"):
        Walletcare(
            Settings(storage_url="memory://"), kinds=[attrs.evolve(CALLBACKS, name="complaint")]
        )
    with pytest.raises(ValidationError, match="status"):
        attrs.evolve(CALLBACKS, fact_kinds={"status": FactKind.TEXT})
