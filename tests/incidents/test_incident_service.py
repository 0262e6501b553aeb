"""Incidents through Walletcare: detection at intake, linking, updates, solving, remedies."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.incidents.builders import complaint, file, make_app, only_incident, policy
from walletcare import Actor, ContactPoint, Money, RemedyKind
from walletcare.config import Action, ActionKind, Condition, Once, Oversight, Pattern, Rule
from walletcare.domain.complaints.kind import COMPLAINTS
from walletcare.errors import (
    PermissionDenied,
    TransitionNotAllowed,
    UnsafeMessage,
    ValidationError,
)
from walletcare.ports import MessageStatus
from walletcare.testing import RecordingNotifier

OPS = Actor.staff("ops-1")
EXPLANATION = {
    "en": "A gateway fault declined payments after debiting them; fixed.",
    "zh": "网关故障导致扣款后支付失败，现已修复，款项将退回。",
}


def test_no_incident_below_the_threshold() -> None:
    """Four alike complaints in the window (threshold five) open nothing."""
    app, clock, _ = make_app()
    file(app, clock, 4)
    assert app.incidents.list() == []


def test_the_threshold_opens_one_incident_and_later_complaints_join_it() -> None:
    """The fifth alike complaint opens the incident with all five; the sixth links as it arrives."""
    app, clock, _ = make_app()
    file(app, clock, 5)
    incident_id = only_incident(app)
    assert sorted(app.incidents.get(incident_id).members) == [f"cmp-{n}" for n in range(5)]
    file(app, clock, 3, start=5)
    incident = app.incidents.get(incident_id)
    assert len(incident.members) == 8 and len(app.incidents.list()) == 1
    assert app.complaints.get("cmp-7").incident == incident_id
    assert incident.title == "Complaints about category=transaction_failure, error_code=E42"


def test_complaints_outside_the_window_do_not_count() -> None:
    """Five alike complaints spread over more than the window's hour open nothing."""
    app, clock, _ = make_app()
    for n in range(5):
        app.complaints.open(complaint(n), complaint_id=f"cmp-{n}")
        clock.advance(timedelta(minutes=20))
    assert app.incidents.list() == []


def test_other_fingerprints_stay_apart() -> None:
    """Complaints with another error code count in their own window."""
    app, clock, _ = make_app()
    file(app, clock, 3, error_code="E42")
    file(app, clock, 3, start=3, error_code="E77")
    assert app.incidents.list() == []
    file(app, clock, 2, start=6, error_code="E77")
    incident = app.incidents.get(only_incident(app))
    assert sorted(incident.members) == ["cmp-3", "cmp-4", "cmp-5", "cmp-6", "cmp-7"]


def test_complaints_without_codes_are_grouped_by_their_text() -> None:
    """Five complaints saying the same thing in other words, no codes, open a text incident."""
    app, _clock, _ = make_app()
    texts = [
        "The app crashes every time I open the transfer page on Android",
        "Every time I open the transfer page the app crashes (Android)",
        "App crashes when I open the transfer page, Android phone",
        "transfer page crashes the app every time I open it on android",
        "On Android the app crashes each time I open the transfer page",
    ]
    for n, text in enumerate(texts):
        app.complaints.open(
            complaint(
                n,
                category="usability",
                error_code="",
                description=text,
                transactions=(),
                amount_lost=None,
            ),
            complaint_id=f"cmp-{n}",
        )
    incident = app.incidents.get(only_incident(app))
    assert len(incident.members) == 5 and incident.pattern == "text"


def test_linked_complaints_record_it_in_their_own_history() -> None:
    """Each linked complaint's history has the link, and its rule fact reads true."""
    app, clock, _ = make_app()
    file(app, clock, 5)
    incident_id = only_incident(app)
    kinds = [e.kind for e in app.complaints.history("cmp-0")]
    assert kinds.count("complaint.incident_linked") == 1
    complaint_state = app.complaints.get("cmp-0")
    facts = COMPLAINTS.facts(complaint_state, clock.now())
    assert facts["linked_incident"]() is True and complaint_state.incident == incident_id


def test_a_rule_can_hold_escalation_for_linked_complaints() -> None:
    """A complaint rule reading linked_incident escalates the lone complaint, not the linked ones."""
    from tests.incidents.builders import T0
    from walletcare import Settings, Walletcare
    from walletcare.config import CaseSettings
    from walletcare.testing import FixedClock

    lone = Rule(
        id="lone-loss",
        when=Condition(
            all=(
                Condition(fact="linked_incident", op="is", value="false"),
                Condition(fact="age", op="gt", value="PT1H"),
            )
        ),
        then=(Action(kind=ActionKind.ESCALATE, tier="senior_agent"),),
        once=Once.CASE,
    )
    clock = FixedClock(T0)
    app = Walletcare(
        Settings(
            storage_url="memory://",
            load_entry_points=False,
            cases={
                "complaint": CaseSettings(
                    oversight=Oversight(rules=(lone,), review_every=timedelta(minutes=30))
                ),
                "incident": CaseSettings(policy=policy()),
            },
        ),
        clock=clock,
    )
    file(app, clock, 5)
    app.complaints.open(
        complaint(9, error_code="", description="Something else entirely went wrong here."),
        complaint_id="cmp-9",
    )
    app.tick(clock.now() + timedelta(hours=3))
    assert app.complaints.get("cmp-9").escalation.tier == "senior_agent"
    assert app.complaints.get("cmp-0").escalation.escalations == 0


def test_staff_link_and_unlink_by_hand() -> None:
    """Staff open an incident by hand, link a complaint, unlink it with a reason."""
    app, clock, _ = make_app(chosen=policy(patterns=(), text=()))
    file(app, clock, 3)
    opened = app.incidents.open("Card top-ups failing", ["cmp-0", "cmp-1"], by=OPS)
    assert sorted(opened.members) == ["cmp-0", "cmp-1"]
    app.incidents.link(opened.id, ["cmp-2"], by=OPS)
    assert app.complaints.get("cmp-2").incident == opened.id
    app.incidents.unlink(opened.id, "cmp-2", by=OPS, reason="a different top-up problem")
    assert "cmp-2" not in app.incidents.get(opened.id).members
    assert app.complaints.get("cmp-2").incident == ""
    assert [e.kind for e in app.complaints.history("cmp-2")][-1] == "complaint.incident_unlinked"


def test_a_complaint_in_one_incident_cannot_join_another() -> None:
    """Linking a complaint another incident holds is refused, naming it."""
    app, clock, _ = make_app(chosen=policy(patterns=(), text=()))
    file(app, clock, 2)
    first = app.incidents.open("First", ["cmp-0"], by=OPS)
    second = app.incidents.open("Second", ["cmp-1"], by=OPS)
    with pytest.raises(ValidationError, match="cmp-0"):
        app.incidents.link(second.id, ["cmp-0"], by=OPS)
    assert app.complaints.get("cmp-0").incident == first.id


def test_an_unlinked_complaint_is_not_linked_again_by_detection() -> None:
    """After staff unlink a complaint, later alike complaints do not pull it back in."""
    app, clock, _ = make_app()
    file(app, clock, 5)
    incident_id = only_incident(app)
    app.incidents.unlink(incident_id, "cmp-2", by=OPS, reason="a card problem, not E42")
    file(app, clock, 6, start=5)
    assert "cmp-2" not in app.incidents.get(incident_id).members
    assert len(app.incidents.get(incident_id).members) == 10


def test_an_update_reaches_each_customer_once_in_their_language() -> None:
    """Two posts of the same named update and a resend: one message per customer, in zh or en."""
    app, clock, channel = make_app()
    file(app, clock, 5, language="zh")
    file(app, clock, 2, start=5)
    incident_id = only_incident(app)
    for _ in range(2):
        app.incidents.post_update(
            incident_id,
            {"en": "We found the fault.", "zh": "我们已找到故障。"},
            by=OPS,
            update_id="found",
        )
    app.incidents.send_updates(incident_id)
    app.tick()
    updates = [m for m in channel.sent if m.template == "incident.update"]
    assert sorted(m.recipient for m in updates) == sorted(f"+49151{n:07d}" for n in range(7))
    assert sum("我们已找到故障" in m.body for m in updates) == 5
    assert sum("We found the fault." in m.body for m in updates) == 2


def test_a_customer_linked_after_an_update_gets_the_latest_one() -> None:
    """A complaint that joins after the update was sent is sent that update once."""
    app, clock, _ = make_app()
    file(app, clock, 5)
    incident_id = only_incident(app)
    app.incidents.post_update(incident_id, "We are on it.", by=OPS)
    file(app, clock, 1, start=5)
    queued = [m for m in app.messages(incident_id) if m.template == "incident.update"]
    assert sorted(m.id for m in queued) == sorted(
        f"{incident_id}/update/1/cust-{n}" for n in range(6)
    )


def test_solving_resolves_every_linked_complaint_with_the_explanation() -> None:
    """Each linked complaint is resolved, with the explanation in its customer's language."""
    app, clock, _ = make_app()
    file(app, clock, 3, language="zh")
    file(app, clock, 2, start=3)
    incident_id = only_incident(app)
    app.complaints.acknowledge("cmp-3", by=OPS)
    app.incidents.solve(incident_id, outcome="upheld", explanation=EXPLANATION, by=OPS)
    for n in range(5):
        c = app.complaints.get(f"cmp-{n}")
        assert c.status.value == "resolved" and c.resolution is not None
        wanted = EXPLANATION["zh"] if n < 3 else EXPLANATION["en"]
        assert c.resolution.explanation.startswith(wanted)
        assert "complaint.resolved" in [e.kind for e in app.complaints.history(f"cmp-{n}")]
    assert app.incidents.get(incident_id).resolved == tuple(f"cmp-{n}" for n in range(5))
    with pytest.raises(TransitionNotAllowed):
        app.incidents.post_update(incident_id, "too late", by=OPS)


def test_a_new_cluster_after_solving_opens_a_new_incident() -> None:
    """Once solved, the cluster's key is free: the next burst opens a second incident."""
    app, clock, _ = make_app()
    file(app, clock, 5)
    first = only_incident(app)
    app.incidents.solve(first, outcome="upheld", explanation=EXPLANATION, by=OPS)
    file(app, clock, 5, start=5)
    rows = app.incidents.list()
    assert len(rows) == 2
    second = next(r.stream_id for r in rows if r.stream_id != first)
    assert sorted(app.incidents.get(second).members) == [f"cmp-{n}" for n in range(5, 10)]


def test_a_fund_is_split_exactly_in_proportion_to_losses() -> None:
    """A EUR 100 fund over losses 10, 20, 10, 10, 10 gives 16.67, 33.33, 16.67, 16.67, 16.66."""
    app, clock, _ = make_app()
    file(app, clock, 1)
    file(app, clock, 1, start=1, amount_lost=Money.of("20.00", "EUR"))
    file(app, clock, 3, start=2)
    incident_id = only_incident(app)
    app.incidents.remedy(
        incident_id, by=OPS, reason="goodwill", remedy="credit", fund=Money.of("100.00", "EUR")
    )
    incident = app.incidents.get(incident_id)
    assert sum((p.amount for p in incident.planned), Money.zero("EUR")) == Money.of("100", "EUR")
    assert incident.paid["cust-1"] == Money.of("33.33", "EUR")
    payments = [m for m in app.messages(incident_id) if m.channel == "payments"]
    assert sorted(m.id for m in payments) == sorted(
        f"{incident_id}/remedy/cust-{n}" for n in range(5)
    )
    assert incident.remedy is RemedyKind.CREDIT


def test_remedy_twice_pays_once() -> None:
    """A second remedy call plans nothing new and queues no payment again."""
    app, clock, _ = make_app()
    file(app, clock, 7)
    incident_id = only_incident(app)
    for _ in range(2):
        app.incidents.remedy(incident_id, by=OPS, reason="refund", each=Money.of("5", "EUR"))
    payments = [m for m in app.messages(incident_id) if m.channel == "payments"]
    assert len(payments) == 7
    assert {m.status for m in payments} == {MessageStatus.PENDING}


def test_remedy_needs_exactly_one_way_to_compute_it() -> None:
    """Giving both an amount each and a fund is refused, naming the field."""
    app, clock, _ = make_app()
    file(app, clock, 5)
    with pytest.raises(ValidationError, match="remedy"):
        app.incidents.remedy(
            only_incident(app),
            by=OPS,
            reason="r",
            each=Money.of("1", "EUR"),
            fund=Money.of("9", "EUR"),
        )


def test_a_rule_flags_a_large_incident_for_the_regulator() -> None:
    """Past six customers the incident's rule raises the regulator-report flag."""
    big = Rule(
        id="big",
        when=Condition(fact="affected_customers", op="ge", value="6"),
        then=(Action(kind=ActionKind.FLAG_REGULATOR, reason="collective complaint"),),
    )
    app, clock, _ = make_app(oversight=Oversight(rules=(big,)))
    file(app, clock, 5)
    incident_id = only_incident(app)
    assert not app.incidents.get(incident_id).escalation.flagged_for_regulator
    file(app, clock, 1, start=5)
    assert app.incidents.get(incident_id).escalation.flagged_for_regulator
    assert app.incidents.report(incident_id).flagged_for_regulator


def test_an_unknown_incident_fact_is_refused_at_start() -> None:
    """A rule on a fact incidents do not offer is a ConfigurationError when Walletcare starts."""
    from walletcare.errors import ConfigurationError

    bad = Rule(
        id="bad",
        when=Condition(fact="nonsense", op="eq", value="x"),
        then=(Action(kind=ActionKind.FLAG_REGULATOR),),
    )
    with pytest.raises(ConfigurationError, match="nonsense"):
        make_app(oversight=Oversight(rules=(bad,)))


def test_a_wrong_policy_type_is_refused_at_start() -> None:
    """settings.cases.incident.policy must be an IncidentPolicy."""
    from walletcare import Settings, Walletcare
    from walletcare.config import CaseSettings
    from walletcare.errors import ConfigurationError

    with pytest.raises(ConfigurationError, match="IncidentPolicy"):
        Walletcare(
            Settings(
                storage_url="memory://",
                load_entry_points=False,
                cases={"incident": CaseSettings(policy=object())},
            )
        )


def test_the_report_counts_money_remedies_and_open_complaints() -> None:
    """The report holds counts, the money at stake, what was paid and what is open."""
    app, clock, _ = make_app()
    file(app, clock, 6)
    incident_id = only_incident(app)
    app.incidents.assign(incident_id, owner="payments-ops", by=OPS)
    app.incidents.remedy(incident_id, by=OPS, reason="refund", losses=True)
    report = app.incidents.report(incident_id)
    assert (report.complaints_linked, report.customers_affected) == (6, 6)
    assert report.money_at_stake == (Money.of("60.00", "EUR"),)
    assert report.remedies_paid_total == (Money.of("60.00", "EUR"),)
    assert report.open_complaints == tuple(sorted(f"cmp-{n}" for n in range(6)))
    markdown = report.to_markdown()
    assert "| Remedies paid | 6 of 6 |" in markdown and "| Owner | payments-ops |" in markdown


def test_the_status_page_is_in_english_and_chinese() -> None:
    """The status page shows the latest update and the counts, in zh and en."""
    app, clock, _ = make_app()
    file(app, clock, 5)
    incident_id = only_incident(app)
    app.incidents.post_update(
        incident_id, {"en": "Fixed at 10:00.", "zh": "已于10:00修复。"}, by=OPS
    )
    _, zh = app.incidents.status_page(incident_id, "zh")
    _, en = app.incidents.status_page(incident_id, "en")
    assert "已于10:00修复。" in zh and "受影响用户：5 位" in zh
    assert "Fixed at 10:00." in en and "customers affected: 5" in en


def test_a_pattern_is_validated_when_built() -> None:
    """A pattern on an unknown field, or with threshold 1, is refused naming the field."""
    with pytest.raises(ValidationError, match="fields"):
        Pattern(name="p", fields=("colour",), window=timedelta(hours=1), threshold=3)
    with pytest.raises(ValidationError, match="threshold"):
        Pattern(name="p", fields=("merchant",), window=timedelta(hours=1), threshold=1)


def test_fingerprint_fields_must_be_text() -> None:
    """A NewComplaint whose error code is not text is refused, naming the field."""
    with pytest.raises(ValidationError, match="error_code"):
        complaint(1, error_code=42)


def test_a_fee_finding_opens_an_incident_for_the_fee_complaints() -> None:
    """A collective fee finding opens one incident linking the fee complaints, and again
    grows that same incident."""
    from walletcare import CollectiveFinding

    app, _clock, _ = make_app(chosen=policy(patterns=(), text=()))
    for n in range(3):
        app.complaints.open(complaint(n, category="fees"), complaint_id=f"fees-tx-{n}")
    finding = CollectiveFinding(
        fingerprint="fees:cn:v1:wd",
        schedule="cn",
        version="v1",
        rule="wd",
        customers=("cust-0", "cust-1", "cust-2"),
        transactions=("tx-0", "tx-1", "tx-2"),
    )
    incident = app.incidents.from_fee_finding(finding)
    assert sorted(incident.members) == ["fees-tx-0", "fees-tx-1", "fees-tx-2"]
    again = app.incidents.from_fee_finding(finding)
    assert again.id == incident.id and len(app.incidents.list()) == 1


def test_an_update_asking_for_codes_is_refused_and_nothing_is_posted() -> None:
    """Staff text in a broadcast that asks for an SMS code is refused before anything is written."""
    app, clock, channel = make_app()
    file(app, clock, 5)
    incident_id = only_incident(app)
    before = len(app.events(incident_id))
    with pytest.raises(UnsafeMessage) as refused:
        app.incidents.post_update(
            incident_id,
            {
                "en": "Fixed. Reply with the SMS code we sent you to get your refund.",
                "zh": "已修复。",
            },
            by=OPS,
        )
    assert refused.value.field == "texts[en]"
    assert len(app.events(incident_id)) == before
    app.tick()
    assert [m for m in channel.sent if m.template == "incident.update"] == []


def test_an_update_waits_for_each_customer_daytime_masks_and_carries_the_hint() -> None:
    """At 09:00 UTC, a Shanghai customer (17:00) gets the update now, a Los Angeles one (01:00)
    at 08:00 their time; each body is masked and ends with the verification hint."""
    app, clock, channel = make_app()
    file(app, clock, 3, customer_zone="Asia/Shanghai")
    file(app, clock, 2, start=3, customer_zone="America/Los_Angeles")
    incident_id = only_incident(app)
    app.incidents.post_update(incident_id, "Card 4111 1111 1111 1111 was not affected.", by=OPS)
    app.tick()
    sent = [m for m in channel.sent if m.template == "incident.update"]
    assert sorted(m.recipient for m in sent) == [f"+49151{n:07d}" for n in range(3)]
    assert all("4111 1111 1111 1111" not in m.body for m in sent)
    assert all(m.body.rstrip().endswith("check this message there.") for m in sent)
    clock.advance(timedelta(hours=6))  # 15:05 UTC: 07:05 in Los Angeles (PST), still night
    app.tick()
    later = [m for m in channel.sent if m.template == "incident.update"]
    assert len(later) == 3
    clock.advance(timedelta(hours=1))  # 08:05 there
    app.tick()
    later = [m for m in channel.sent if m.template == "incident.update"]
    assert sorted(m.recipient for m in later) == [f"+49151{n:07d}" for n in range(5)]


def test_an_update_goes_on_the_customer_next_channel_when_the_first_is_not_served() -> None:
    """A customer whose SMS no plugin serves gets the update on their next channel, e-mail."""
    app, clock, channel = make_app(
        channel=RecordingNotifier(channels=["email", "payments", "staff"])
    )
    file(app, clock, 5, fallback=(ContactPoint(channel="email", address="c@example.com"),))
    incident_id = only_incident(app)
    app.incidents.post_update(incident_id, "We are on it.", by=OPS)
    app.tick()
    sent = [m for m in channel.sent if m.template == "incident.update"]
    assert len(sent) == 5 and {m.channel for m in sent} == {"email"}


INCIDENT_COMMANDS = {
    "open": lambda app, i, by: app.incidents.open("Outage", ["cmp-0"], by=by),
    "link": lambda app, i, by: app.incidents.link(i, ["cmp-9"], by=by),
    "unlink": lambda app, i, by: app.incidents.unlink(i, "cmp-0", by=by, reason="not the fault"),
    "assign": lambda app, i, by: app.incidents.assign(i, owner="payments-ops", by=by),
    "escalate": lambda app, i, by: app.incidents.escalate(i, by=by, reason="growing"),
    "post_update": lambda app, i, by: app.incidents.post_update(i, "We are on it.", by=by),
    "solve": lambda app, i, by: app.incidents.solve(
        i, outcome="upheld", explanation=EXPLANATION, by=by
    ),
    "remedy": lambda app, i, by: app.incidents.remedy(
        i, by=by, reason="fault", each=Money.of("5.00", "EUR")
    ),
}


@pytest.mark.parametrize("command", sorted(INCIDENT_COMMANDS))
@pytest.mark.parametrize(
    "actor",
    [Actor.customer("cust-0"), Actor("merchant", "shop-9"), Actor("regulator", "bafin")],
    ids=["customer", "merchant", "regulator"],
)
def test_only_staff_and_the_system_run_an_incident(command: str, actor: Actor) -> None:
    """Every incident command is refused to a customer (even an affected one), a merchant and
    a regulator with ``PermissionDenied``, writing nothing; staff may."""
    app, clock, _ = make_app()
    file(app, clock, 5)
    app.complaints.open(complaint(9, error_code="E77"), complaint_id="cmp-9")
    incident_id = only_incident(app)
    before = len(app.events(incident_id))
    with pytest.raises(PermissionDenied):
        INCIDENT_COMMANDS[command](app, incident_id, actor)
    assert len(app.events(incident_id)) == before and len(app.incidents.list()) == 1
    INCIDENT_COMMANDS[command](app, incident_id, OPS)
