"""Complaint rules: intake checks, severity, transitions, resolution and the reopen window."""

from __future__ import annotations

from datetime import timedelta

import pytest

from walletcare import Actor, Money
from walletcare.domain import complaints as c
from walletcare.errors import DomainError, TransitionNotAllowed, ValidationError

from ..complaints_fixtures import EXPLANATION, T0, intake

STAFF = Actor.staff("agent-7")
CUSTOMER = Actor.customer("cust-1")
POLICY = c.ComplaintPolicy()


def received(**changes: object) -> c.Complaint:
    state = c.replay(c.receive("cmp-1", intake(**changes), by=CUSTOMER, at=T0, policy=POLICY))
    assert state is not None
    return state


def step(state: c.Complaint, events: list[c.ComplaintEvent]) -> c.Complaint:  # type: ignore[name-defined]
    for event in events:
        state = c.apply(state, event)
    return state


def resolved() -> c.Complaint:
    state = received()
    state = step(state, c.acknowledge(state, by=STAFF, at=T0, message_id="m1"))
    state = step(state, c.start_investigation(state, by=STAFF, at=T0))
    return step(
        state,
        c.resolve(
            state, by=STAFF, at=T0, outcome="upheld", explanation=EXPLANATION, message_id="m2"
        ),
    )


def test_money_complaint_without_transactions_or_amount_lists_both() -> None:
    """A transaction_failure complaint without transactions and amount is refused naming both."""
    with pytest.raises(ValidationError) as err:
        c.check_intake(intake(transactions=(), amount_lost=None), T0)
    assert set(err.value.fields) == {"transactions", "amount_lost"}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"occurred_at": T0 + timedelta(minutes=1)}, "occurred_at"),
        ({"amount_lost": Money.of("-1", "EUR")}, "amount_lost"),
        ({"category": "complaining"}, "category"),
        ({"channel": "pigeon"}, "channel"),
        ({"description": "  "}, "description"),
        ({"customer_zone": "Moon/Base"}, "customer_zone"),
        ({"transactions": ("tx-1", "")}, "transactions[1]"),
        ({"transactions": "tx-1"}, "transactions"),
        ({"evidence": ["statement.pdf"]}, "evidence[0]"),
        ({"flags": "new_account"}, "flags"),
        ({"contact": "+4915100000000"}, "contact"),
        ({"amount_lost": 42.0}, "amount_lost"),
    ],
)
def test_bad_intake_is_refused_naming_the_field(changes: dict[str, object], field: str) -> None:
    """Future occurrences, negative losses, unknown categories and the like name their field."""
    with pytest.raises(ValidationError) as err:
        c.check_intake(intake(**changes), T0)
    assert field in err.value.fields


def test_severity_policy_explains_itself() -> None:
    """Security with a loss is critical; a vulnerable customer raises a level; reasons say why."""
    state = received(category="security", amount_lost=Money.of("10", "EUR"))
    assert state.severity is c.Severity.CRITICAL
    assert any("security complaint" in r for r in state.severity_reasons)
    fees = received(category="fees", transactions=(), amount_lost=None, vulnerable=True)
    assert fees.severity is c.Severity.HIGH
    assert fees.severity_reasons[-1].startswith("vulnerable customer")


def test_large_amounts_and_repeat_complaints_raise_severity() -> None:
    """A loss at the large-amount threshold is high; repeat complainants go one level up."""
    big, reasons = c.derive_severity(
        c.SeverityFacts(
            category=c.Category.TRANSACTION_FAILURE,
            amount_lost=Money.of("1000", "EUR"),
            vulnerable=False,
            prior_complaints=0,
        ),
        c.SeverityPolicy(),
    )
    assert big is c.Severity.HIGH and "at or above" in reasons[-1]
    repeat, _ = c.derive_severity(
        c.SeverityFacts(
            category=c.Category.SERVICE, amount_lost=None, vulnerable=False, prior_complaints=2
        ),
        c.SeverityPolicy(),
    )
    assert repeat is c.Severity.MEDIUM


def test_transitions_not_allowed_from_the_current_status_are_refused() -> None:
    """Resolving an unacknowledged complaint, or acknowledging twice, is refused with the reason."""
    state = received()
    with pytest.raises(TransitionNotAllowed, match="it is received"):
        c.resolve(state, by=STAFF, at=T0, outcome="upheld", explanation=EXPLANATION, message_id="m")
    state = step(state, c.acknowledge(state, by=STAFF, at=T0, message_id="m1"))
    with pytest.raises(TransitionNotAllowed):
        c.acknowledge(state, by=STAFF, at=T0, message_id="m2")


def test_resolution_needs_an_explanation() -> None:
    """No resolution without an explanation the customer can read."""
    state = received()
    state = step(state, c.acknowledge(state, by=STAFF, at=T0, message_id="m1"))
    with pytest.raises(ValidationError) as err:
        c.resolve(state, by=STAFF, at=T0, outcome="rejected", explanation="no", message_id="m")
    assert err.value.fields == ("explanation",)


@pytest.mark.parametrize(
    ("outcome", "remedy", "field"),
    [
        ("rejected", Money.of("1", "EUR"), "remedy"),
        ("partly_upheld", Money.of("50", "EUR"), "remedy"),
        ("upheld", Money.of("-5", "EUR"), "remedy"),
        ("withdrawn", None, "outcome"),
        ("maybe", None, "outcome"),
    ],
)
def test_resolution_remedy_rules(outcome: str, remedy: Money | None, field: str) -> None:
    """Rejections carry no remedy; partial remedies stay within the loss; outcomes are explicit."""
    state = received()
    state = step(state, c.acknowledge(state, by=STAFF, at=T0, message_id="m1"))
    with pytest.raises(ValidationError) as err:
        c.resolve(
            state,
            by=STAFF,
            at=T0,
            outcome=outcome,
            explanation=EXPLANATION,
            remedy=remedy,
            message_id="m",
        )
    assert field in err.value.fields


def test_reopen_inside_the_window_only() -> None:
    """The customer can reopen until the window closes, and not a moment after."""
    state = resolved()
    deadline = T0 + POLICY.reopen_window
    reopened = step(
        state, c.reopen(state, by=CUSTOMER, at=deadline, reason="still not refunded", policy=POLICY)
    )
    assert reopened.status is c.Status.INVESTIGATING and reopened.reopen_count == 1
    with pytest.raises(TransitionNotAllowed, match="reopen window"):
        c.reopen(
            state,
            by=CUSTOMER,
            at=deadline + timedelta(microseconds=1),
            reason="late",
            policy=POLICY,
        )


def test_the_reopen_window_counts_from_the_latest_resolution() -> None:
    """Reopened and resolved again ten days later, the complaint can be reopened for a full
    window after that second resolution, not the first."""
    state = resolved()
    later = T0 + timedelta(days=10)
    state = step(state, c.reopen(state, by=CUSTOMER, at=later, reason="no", policy=POLICY))
    state = step(
        state,
        c.resolve(
            state, by=STAFF, at=later, outcome="upheld", explanation=EXPLANATION, message_id="m3"
        ),
    )
    assert state.resolved_at == later
    assert c.reopen_deadline(state, POLICY) == later + POLICY.reopen_window
    at = later + POLICY.reopen_window  # well past T0 + the window
    again = step(state, c.reopen(state, by=CUSTOMER, at=at, reason="still no", policy=POLICY))
    assert again.reopen_count == 2


def test_withdrawal_closes_with_outcome_withdrawn() -> None:
    """Withdrawing closes the complaint with an explicit withdrawn outcome; it cannot reopen."""
    state = received()
    state = step(state, c.withdraw(state, by=CUSTOMER, at=T0, reason="the refund arrived"))
    assert state.status is c.Status.CLOSED
    assert state.resolution is not None and state.resolution.outcome is c.Outcome.WITHDRAWN
    with pytest.raises(TransitionNotAllowed):
        c.reopen(state, by=CUSTOMER, at=T0, reason="again", policy=POLICY)


def test_closed_complaint_takes_no_contacts() -> None:
    """A closed complaint changes only by reopening."""
    state = resolved()
    state = step(state, c.close(state, by=STAFF, at=T0, reason="done"))
    with pytest.raises(TransitionNotAllowed):
        c.record_contact(
            state, by=STAFF, at=T0, channel="phone", direction="outbound", summary="called"
        )


def test_only_staff_override_severity() -> None:
    """Customers cannot change severity; staff can, with a reason that joins the reasons."""
    state = received()
    with pytest.raises(DomainError):
        c.change_severity(state, by=CUSTOMER, at=T0, severity="critical", reason="please")
    state = step(
        state, c.change_severity(state, by=STAFF, at=T0, severity="critical", reason="fraud ring")
    )
    assert (
        state.severity is c.Severity.CRITICAL and state.severity_reasons[-1] == "staff: fraud ring"
    )


def test_first_event_must_be_received() -> None:
    """A history that does not start with complaint.received is refused."""
    state = received()
    (ack, _contact) = c.acknowledge(state, by=STAFF, at=T0, message_id="m")
    with pytest.raises(DomainError):
        c.apply(None, ack)
