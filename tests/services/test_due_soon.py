"""The "about to breach" queue: cases by their next deadline, filtered, from listing rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from walletcare import Actor, BusinessCalendar, Settings, Walletcare
from walletcare.config import CaseSettings, Condition, Oversight, SlaChoice
from walletcare.domain.sla import SlaPolicy, SlaTarget
from walletcare.errors import NotFound, ValidationError
from walletcare.testing import FixedClock

from ..complaints_fixtures import intake

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # Monday 09:00 in Berlin
STAFF = Actor.staff("lead-1")
CAL = BusinessCalendar.build(zone="Europe/Berlin", hours={"mon-fri": "09:00-17:00"}, country="DE")


def policy(name: str, hours: int) -> SlaPolicy:
    return SlaPolicy(
        name=name,
        calendar=CAL,
        targets=(
            SlaTarget(metric="resolution", duration=timedelta(hours=hours)),
            SlaTarget(metric="next_reply", duration=timedelta(hours=hours // 4)),
        ),
    )


@pytest.fixture(params=["memory", "sqlite"])
def app(request: pytest.FixtureRequest, tmp_path: Path) -> Walletcare:
    url = "memory://" if request.param == "memory" else f"sqlite:///{tmp_path}/q.db"
    # Cards flagged "vip" get 4 hours, the payments team 8, everyone else 40: choices by
    # tags and by team.
    oversight = Oversight(
        sla=(
            SlaChoice(policy=policy("vip", 4), when=Condition(fact="flags", op="has", value="vip")),
            SlaChoice(
                policy=policy("payments", 8), when=Condition(fact="team", op="eq", value="payments")
            ),
            SlaChoice(policy=policy("standard", 40)),
        ),
    )
    settings = Settings(storage_url=url, cases={"complaint": CaseSettings(oversight=oversight)})
    return Walletcare(settings, clock=FixedClock(T0))


def open_case(app: Walletcare, n: int, **changes: object) -> str:
    return app.complaints.open(
        intake(customer_id=f"c{n}", transactions=(f"tx-{n}",), **changes)
    ).complaint_id


def test_the_queue_orders_by_next_deadline_and_filters(app: Walletcare) -> None:
    """Earliest deadline first; filters by kind, tier, team and the next deadline's clock."""
    standard = open_case(app, 1)
    vip = open_case(app, 2, flags=("vip",))
    assert isinstance(app.clock, FixedClock)
    app.clock.advance(timedelta(minutes=5))
    psd2 = open_case(app, 3, jurisdiction="DE", product="wallet")
    queue = app.due_soon()
    assert [row.stream_id for row in queue] == [vip, standard, psd2]
    assert [row.attributes["next_metric"] for row in queue] == [
        "resolution",
        "resolution",
        "resolution",
    ]
    assert [row.next_deadline for row in queue] == sorted(r.next_deadline for r in queue)  # type: ignore[type-var]
    assert [r.stream_id for r in app.due_soon(within=timedelta(hours=5))] == [vip]
    assert [r.stream_id for r in app.due_soon(kind="complaint", limit=1)] == [vip]
    assert app.due_soon(metric="regulatory:resolution") == []
    app.complaints.escalate(standard, by=STAFF, reason="press enquiry")
    assert [r.stream_id for r in app.due_soon(tier="senior_agent")] == [standard]
    assert [r.stream_id for r in app.due_soon(tier=["agent"])] == [vip, psd2]


def test_a_policy_chosen_by_team_and_a_paused_clock_move_the_queue(app: Walletcare) -> None:
    """Once assigned to payments, clocks the case starts run under the payments policy (its
    next reply is due in 2 hours, not 10); waiting on the customer hands the next deadline to
    PSD2's own clock; resolving takes the case out of the queue."""
    first = open_case(app, 1)
    app.complaints.assign(first, by=STAFF, team="payments")
    app.complaints.record_contact(
        first, by=Actor.customer("c1"), channel="sms", direction="inbound", summary="Any news?"
    )
    reply = {c.metric: c for c in app.complaints.get(first).clocks}["next_reply"]
    assert reply.policy == "payments" and reply.deadline == T0 + timedelta(hours=2)
    second = open_case(app, 2, jurisdiction="DE", product="wallet")
    (row,) = app.due_soon(team="payments")
    assert row.stream_id == first and row.attributes["next_metric"] == "next_reply"
    app.complaints.acknowledge(second, by=STAFF)
    app.complaints.start_investigation(second, by=STAFF)
    app.complaints.request_information(second, by=STAFF, questions="Which card?")
    # The house clocks pause; PSD2's own clock keeps running and is now the next deadline.
    (row,) = [r for r in app.due_soon() if r.stream_id == second]
    assert row.attributes["next_metric"] == "regulatory:resolution"
    assert [r.stream_id for r in app.due_soon(metric="regulatory:resolution")] == [second]
    app.complaints.acknowledge(first, by=STAFF)
    app.complaints.resolve(first, by=STAFF, outcome="upheld", explanation="The double debit was refunded to your wallet.")
    assert first not in [r.stream_id for r in app.due_soon()]


def test_the_queue_refuses_nonsense(app: Walletcare) -> None:
    """An unknown kind is NotFound; a negative window is refused."""
    with pytest.raises(NotFound):
        app.due_soon(kind="dispute_typo")
    with pytest.raises(ValidationError):
        app.due_soon(within=timedelta(hours=-1))
