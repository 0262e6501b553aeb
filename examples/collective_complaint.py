"""A fee change goes wrong: 300 customers complain, one incident answers and pays them all.

A withdrawal fee rule is misconfigured after a fee change, and customers are charged twice.
Their complaints share a fingerprint (category ``fees``, fee rule ``withdrawal-2026``), so
walletcare opens one incident once 20 of them arrive within an hour, links the rest as they
come, sends every affected customer each status update once (in their language), solves the
incident, which resolves every linked complaint with its explanation, and pays each customer
their stated loss once through the outbox. Run it: ``python examples/collective_complaint.py``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from walletcare import Actor, ContactPoint, Money, NewComplaint, Settings, Walletcare
from walletcare.config import (
    Action,
    ActionKind,
    CaseSettings,
    Condition,
    IncidentPolicy,
    Oversight,
    Pattern,
    Rule,
)
from walletcare.testing import FixedClock, RecordingNotifier

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
COMPLAINTS = 300


def main() -> None:
    policy = IncidentPolicy(
        patterns=(
            Pattern(
                name="fee_rule",
                fields=("category", "fee_rule"),
                window=timedelta(hours=1),
                threshold=20,
            ),
        )
    )
    # Past 100 customers or CNY 1,000 at stake, the incident goes into the regulator report.
    report_it = Rule(
        id="regulator-report",
        when=Condition(
            any=(
                Condition(fact="affected_customers", op="ge", value="100"),
                Condition(fact="money_at_stake", op="ge", value="CNY 1000"),
            )
        ),
        then=(Action(kind=ActionKind.FLAG_REGULATOR, reason="collective complaint"),),
        description="a large incident is reported to the regulator",
    )
    clock = FixedClock(START)
    channels = RecordingNotifier(channels=["sms", "push", "payments", "staff"])
    app = Walletcare(
        Settings(
            storage_url="memory://",
            cases={
                "incident": CaseSettings(policy=policy, oversight=Oversight(rules=(report_it,)))
            },
        ),
        plugins=[channels],
        clock=clock,
    )

    # 300 customers complain over 50 minutes; a third of them in Chinese.
    for n in range(COMPLAINTS):
        chinese = n % 3 == 0
        said = "提现手续费被重复扣除" if chinese else "I was charged the withdrawal fee twice"
        app.complaints.open(
            NewComplaint(
                customer_id=f"cust-{n:03d}",
                category="fees",
                channel="in_app",
                description=said,
                occurred_at=START - timedelta(hours=1),
                amount_lost=Money.of("3.50", "CNY"),
                contact=ContactPoint(channel="push" if chinese else "sms", address=f"dev-{n:03d}"),
                language="zh" if chinese else "en",
                fee_rule="withdrawal-2026",
            ),
            complaint_id=f"cmp-{n:03d}",
        )
        clock.advance(timedelta(seconds=10))

    (row,) = app.incidents.list()
    incident_id = row.stream_id
    incident = app.incidents.get(incident_id)
    print(f"detected {incident_id}: {incident.title!r}, {len(incident.members)} complaints linked")
    assert len(incident.members) == COMPLAINTS and len(incident.customers()) == COMPLAINTS
    assert app.complaints.get("cmp-150").incident == incident_id
    assert incident.escalation.flagged_for_regulator

    ops = Actor.staff("incident-lead")
    app.incidents.assign(incident_id, owner="payments-ops", by=ops)
    app.incidents.post_update(
        incident_id,
        {
            "en": "A fee change charged some withdrawal fees twice. We have stopped it.",
            "zh": "一次费用调整导致部分提现手续费被重复扣除，我们已停止该问题。",
        },
        by=ops,
    )
    # A host that retries a command names the update: the retry posts and sends nothing again.
    app.incidents.post_update(incident_id, "Everyone affected is refunded.", by=ops, update_id="u2")
    app.incidents.post_update(incident_id, "Everyone affected is refunded.", by=ops, update_id="u2")
    print(app.incidents.status_page(incident_id, "zh")[1])

    app.incidents.solve(
        incident_id,
        outcome="upheld",
        explanation={
            "en": "The duplicate withdrawal fee came from a misconfigured fee rule, now fixed.",
            "zh": "重复收取的提现手续费源于费用规则配置错误，现已修复。",
        },
        by=ops,
    )
    app.incidents.remedy(incident_id, by=ops, reason="duplicate withdrawal fee", losses=True)
    app.incidents.remedy(incident_id, by=ops, reason="duplicate withdrawal fee", losses=True)
    while app.tick().messages_delivered:  # the outbox drains in batches
        pass

    updates = [m for m in channels.sent if m.template == "incident.update"]
    payments = [m for m in channels.sent if m.channel == "payments"]
    resolved = [m for m in channels.sent if m.template == "complaint.resolved"]
    print(f"updates sent: {len(updates)}, payments: {len(payments)}, resolutions: {len(resolved)}")
    assert len(updates) == 2 * COMPLAINTS  # two updates, each customer once per update
    assert len(payments) == COMPLAINTS and len({m.recipient for m in payments}) == COMPLAINTS
    assert all(app.complaints.get(f"cmp-{n:03d}").status.value == "resolved" for n in range(300))

    report = app.incidents.report(incident_id)
    assert report.remedies_paid == COMPLAINTS and report.open_complaints == ()
    assert report.remedies_paid_total == (Money.of("1050.00", "CNY"),)
    print(report.to_markdown())


if __name__ == "__main__":
    main()
