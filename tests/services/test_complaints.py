"""Complaints through Walletcare: intake to closure, duplicates, merge, reading, messages."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from walletcare import (
    Actor,
    ComplaintPolicy,
    DuplicateComplaint,
    DuplicateHandling,
    Money,
    Settings,
    Status,
    Walletcare,
)
from walletcare.config import CaseSettings
from walletcare.errors import NotFound, TransitionNotAllowed, ValidationError
from walletcare.ports import MessageStatus
from walletcare.testing import FixedClock, RecordingNotifier

from ..complaints_fixtures import EXPLANATION, T0, intake

STAFF = Actor.staff("agent-7")
CUSTOMER = Actor.customer("cust-1")


@pytest.fixture
def app(clock: FixedClock, notifier: RecordingNotifier) -> Walletcare:
    return Walletcare(Settings(storage_url="memory://"), plugins=[notifier], clock=clock)


def walk_to_resolution(app: Walletcare, clock: FixedClock) -> str:
    receipt = app.complaints.open(intake())
    cid = receipt.complaint_id
    app.complaints.acknowledge(cid, by=STAFF)
    app.complaints.assign(cid, by=STAFF, team="payments", agent="agent-7")
    app.complaints.start_investigation(cid, by=STAFF)
    clock.advance(timedelta(hours=1))
    app.complaints.request_information(cid, by=STAFF, questions="the receipt from the merchant")
    clock.advance(timedelta(hours=5))
    app.complaints.provide_information(
        cid, by=CUSTOMER, summary="receipt attached", channel="in_app"
    )
    clock.advance(timedelta(hours=2))
    app.complaints.resolve(
        cid, by=STAFF, outcome="upheld", explanation=EXPLANATION, remedy=Money.of("42.00", "EUR")
    )
    return cid


def test_full_lifecycle_with_messages_and_audit(
    app: Walletcare, clock: FixedClock, notifier: RecordingNotifier
) -> None:
    """Open to auto-close: states, contacts, three customer messages and a readable trail."""
    cid = walk_to_resolution(app, clock)
    complaint = app.complaints.get(cid)
    assert complaint.status is Status.RESOLVED
    assert complaint.resolution is not None and complaint.resolution.remedy == Money.of(
        "42.00", "EUR"
    )
    outbound = [x for x in complaint.contacts if x.direction == "outbound"]
    assert [x.summary for x in outbound] == [
        "acknowledgement sent",
        "information requested",
        "resolution sent: upheld",
    ]
    assert all(x.message_id for x in outbound)
    app.tick()
    assert [m.template for m in notifier.to("+4915100000000")] == [
        "complaint.acknowledged",
        "complaint.information_requested",
        "complaint.resolved",
    ]
    assert sorted(m.id for m in notifier.sent) == sorted(x.message_id or "" for x in outbound)
    clock.advance(ComplaintPolicy().auto_close_after)
    assert app.tick().timers_fired == 1
    assert app.complaints.get(cid).status is Status.CLOSED
    trail = app.complaints.history(cid)
    assert trail[0].kind == "complaint.received" and trail[0].actor == "customer:cust-1"
    assert trail[-1].kind == "complaint.closed" and trail[-1].actor == "system:walletcare"
    assert all(entry.at.utcoffset() is not None for entry in trail)
    assert [entry.kind for entry in trail[-3:]] == [
        "complaint.resolved",
        "complaint.contact_recorded",
        "complaint.closed",
    ]
    assert '"remedy": {"amount": "42.00", "currency": "EUR"}' in trail[-3].line


def test_messages_follow_the_customers_language(
    app: Walletcare, notifier: RecordingNotifier
) -> None:
    """A customer writing in Chinese is answered in Chinese."""
    cid = app.complaints.open(intake(language="zh-CN")).complaint_id
    app.complaints.acknowledge(cid, by=STAFF)
    app.tick()
    (message,) = notifier.sent
    assert message.locale == "zh_CN" and "投诉" in message.subject and cid in message.body


def test_reopen_cancels_auto_close_and_counts(app: Walletcare, clock: FixedClock) -> None:
    """Reopening inside the window restarts work and disarms auto-close."""
    cid = walk_to_resolution(app, clock)
    clock.advance(timedelta(days=1))
    reopened = app.complaints.reopen(cid, by=CUSTOMER, reason="the refund never arrived")
    assert reopened.status is Status.INVESTIGATING and reopened.reopen_count == 1
    assert app.storage.get_timers(cid) == []
    clock.advance(timedelta(days=30))
    assert app.tick().timers_fired == 0
    assert app.complaints.get(cid).status is Status.INVESTIGATING


def test_reopen_after_the_window_is_refused(app: Walletcare, clock: FixedClock) -> None:
    """After the window, reopen is refused and nothing changes."""
    cid = walk_to_resolution(app, clock)
    clock.advance(ComplaintPolicy().reopen_window + timedelta(seconds=1))
    before = len(app.complaints.history(cid))
    with pytest.raises(TransitionNotAllowed):
        app.complaints.reopen(cid, by=CUSTOMER, reason="too late")
    assert len(app.complaints.history(cid)) == before


def test_refused_intake_stores_nothing(app: Walletcare) -> None:
    """An incomplete complaint is refused with the missing fields and leaves no case."""
    with pytest.raises(ValidationError) as err:
        app.complaints.open(intake(transactions=(), amount_lost=None))
    assert set(err.value.fields) == {"transactions", "amount_lost"}
    assert app.complaints.list(customer_id="cust-1") == []
    assert app.events_since() == []


def test_repeat_about_same_transaction_is_linked(app: Walletcare) -> None:
    """A second complaint about an open complaint's transaction is linked, not opened."""
    first = app.complaints.open(intake())
    second = app.complaints.open(
        intake(channel="phone", description="Called about the double debit again.")
    )
    assert second.linked and second.complaint_id == first.complaint_id
    assert len(app.complaints.list(customer_id="cust-1")) == 1
    assert app.complaints.get(first.complaint_id).linked_duplicates == 1
    other = app.complaints.open(intake(transactions=("tx-2",)))
    assert not other.linked and other.complaint_id != first.complaint_id


def test_a_linked_repeat_is_validated_like_a_new_complaint(app: Walletcare) -> None:
    """A repeat with a blank description or a future occurrence is refused, not linked."""
    first = app.complaints.open(intake())
    before = app.complaints.history(first.complaint_id)
    with pytest.raises(ValidationError) as err:
        app.complaints.open(intake(description="   "))
    assert "description" in err.value.fields
    with pytest.raises(ValidationError) as err:
        app.complaints.open(intake(occurred_at=T0 + timedelta(days=1)))
    assert "occurred_at" in err.value.fields
    assert app.complaints.history(first.complaint_id) == before
    assert app.complaints.get(first.complaint_id).linked_duplicates == 0


def test_a_repeat_of_a_complaint_that_closed_meanwhile_opens_a_new_one(app: Walletcare) -> None:
    """The look-up still named a complaint that was closed by the time of the link: the
    repeat opens a complaint of its own instead of reviving the closed one."""
    first = app.complaints.open(intake())
    app.complaints.withdraw(first.complaint_id, by=CUSTOMER, reason="refund arrived")
    stale = [first.complaint_id]
    real = app.complaints._open_duplicate

    def lookup(new: object) -> str | None:  # the race: the first look-up is stale
        return stale.pop() if stale else real(new)  # type: ignore[arg-type]

    app.complaints._open_duplicate = lookup  # type: ignore[method-assign]
    second = app.complaints.open(intake(description="It happened again."))
    assert not second.linked and second.complaint_id != first.complaint_id
    assert app.complaints.get(first.complaint_id).linked_duplicates == 0
    assert app.complaints.get(first.complaint_id).status is Status.CLOSED


def test_refuse_policy_refuses_duplicates(clock: FixedClock) -> None:
    """With the refuse policy, the repeat is refused naming the open complaint."""
    app = Walletcare(
        Settings(
            storage_url="memory://",
            cases={
                "complaint": CaseSettings(
                    policy=ComplaintPolicy(duplicates=DuplicateHandling.REFUSE)
                )
            },
        ),
        clock=clock,
    )
    first = app.complaints.open(intake())
    with pytest.raises(DuplicateComplaint) as err:
        app.complaints.open(intake())
    assert err.value.existing_id == first.complaint_id


def test_opening_with_the_same_id_is_idempotent(app: Walletcare) -> None:
    """A host retrying intake with its own id gets the same complaint back."""
    a = app.complaints.open(intake(), complaint_id="host-42")
    b = app.complaints.open(intake(), complaint_id="host-42")
    assert a.complaint_id == b.complaint_id == "host-42"
    # one intake: received, and the start tier it took on the ladder
    kinds = [e.kind for e in app.complaints.history("host-42")]
    assert kinds == ["complaint.received", "escalation.tier_assigned"]


def test_staff_merge(app: Walletcare) -> None:
    """Merging closes the source and brings its transactions to the target."""
    a = app.complaints.open(intake()).complaint_id
    b = app.complaints.open(intake(transactions=("tx-9",))).complaint_id
    app.complaints.merge(b, into=a, by=STAFF)
    assert app.complaints.get(b).status is Status.CLOSED and app.complaints.get(b).merged_into == a
    assert app.complaints.get(a).transactions == ("tx-1", "tx-9")
    with pytest.raises(Exception, match="customer"):
        app.complaints.merge(
            a, into=app.complaints.open(intake(customer_id="cust-2")).complaint_id, by=STAFF
        )


def test_listing_uses_summaries(app: Walletcare, clock: FixedClock) -> None:
    """Listing filters by customer, status, category, assignee and age."""
    a = app.complaints.open(intake()).complaint_id
    clock.advance(timedelta(days=2))
    b = app.complaints.open(
        intake(customer_id="cust-2", category="fees", transactions=(), amount_lost=None)
    ).complaint_id
    app.complaints.assign(b, by=STAFF, team="fees", agent="agent-9")
    ids = lambda **kw: [s.stream_id for s in app.complaints.list(**kw)]
    assert ids() == [a, b]
    assert ids(customer_id="cust-2") == [b]
    assert ids(category="fees") == [b]
    assert ids(assignee="agent-9") == [b]
    assert ids(status="received") == [a, b]
    assert ids(opened_before=T0 + timedelta(days=1)) == [a]
    with pytest.raises(ValidationError):
        app.complaints.list(status="pending")


def test_withdrawal_by_customer(app: Walletcare) -> None:
    """The customer can withdraw an open complaint; it closes with outcome withdrawn."""
    cid = app.complaints.open(intake()).complaint_id
    done = app.complaints.withdraw(cid, by=CUSTOMER, reason="refund arrived")
    assert (
        done.status is Status.CLOSED
        and done.resolution is not None
        and done.resolution.outcome == "withdrawn"
    )


def test_unknown_complaint_is_not_found(app: Walletcare) -> None:
    """Commands and reads on an unknown id raise NotFound."""
    with pytest.raises(NotFound):
        app.complaints.acknowledge("nope", by=STAFF)
    with pytest.raises(NotFound):
        app.complaints.history("nope")


def test_same_scenario_on_sqlite(
    tmp_path: Path, clock: FixedClock, notifier: RecordingNotifier
) -> None:
    """The lifecycle on SQLite survives reopening the file, messages and timers included."""
    url = f"sqlite:///{tmp_path}/complaints.db"
    with Walletcare(Settings(storage_url=url), plugins=[notifier], clock=clock) as app:
        cid = walk_to_resolution(app, clock)
    with Walletcare(Settings(storage_url=url), plugins=[notifier], clock=clock) as app:
        assert app.complaints.get(cid).status is Status.RESOLVED
        assert app.tick().messages_delivered == 3
        clock.advance(timedelta(days=8))
        assert app.tick().timers_fired == 1
        assert app.complaints.list(status="closed")[0].stream_id == cid
        assert all(m.status is MessageStatus.DELIVERED for m in app.messages(cid))


def test_repeat_complainants_get_a_higher_severity(app: Walletcare) -> None:
    """A customer's third complaint within the look-back is raised a level, saying why."""
    receipts = [app.complaints.open(intake(transactions=(f"tx-{i}",))) for i in range(3)]
    assert [r.severity.value for r in receipts] == ["medium", "medium", "high"]
    assert (
        "2 earlier complaints" in app.complaints.get(receipts[2].complaint_id).severity_reasons[-1]
    )


def test_a_retried_intake_gets_its_first_receipt_field_for_field(app: Walletcare) -> None:
    """Retrying with the host's id returns the first receipt exactly: opened or linked, the
    complaint it went to and that complaint's severity; nothing is linked twice."""
    first = app.complaints.open(intake(), complaint_id="host-1")
    assert app.complaints.open(intake(), complaint_id="host-1") == first
    assert not first.linked
    repeat = intake(channel="phone", description="Calling again about the double debit.")
    linked = app.complaints.open(repeat, complaint_id="host-2")
    assert (linked.complaint_id, linked.linked, linked.severity) == (
        "host-1",
        True,
        first.severity,
    )
    assert app.complaints.open(repeat, complaint_id="host-2") == linked
    assert app.complaints.get("host-1").linked_duplicates == 1
    assert app.complaints.get("host-1").linked_intakes == ("host-2",)


def test_a_host_id_of_another_customers_complaint_is_refused(app: Walletcare) -> None:
    """Another customer's intake under a taken host id is refused naming complaint_id."""
    app.complaints.open(intake(), complaint_id="host-1")
    with pytest.raises(ValidationError) as err:
        app.complaints.open(intake(customer_id="cust-2"), complaint_id="host-1")
    assert str(err.value) == "complaint_id: 'host-1' belongs to another customer"


def test_a_refused_duplicate_says_which_complaint_to_add_to(clock: FixedClock) -> None:
    """The refusal names the open complaint and its transactions, in words."""
    app = Walletcare(
        Settings(
            storage_url="memory://",
            cases={
                "complaint": CaseSettings(
                    policy=ComplaintPolicy(duplicates=DuplicateHandling.REFUSE)
                )
            },
        ),
        clock=clock,
    )
    first = app.complaints.open(intake(transactions=("tx-1", "tx-2")), complaint_id="host-1")
    with pytest.raises(DuplicateComplaint) as err:
        app.complaints.open(intake(transactions=("tx-2", "tx-1")))
    assert err.value.existing_id == first.complaint_id
    assert str(err.value) == "complaint host-1 about tx-2, tx-1 is still open; add to it instead"
