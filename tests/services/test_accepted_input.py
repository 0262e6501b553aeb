"""Only WalletcareError leaves the public API, naming the field; what is accepted reads back."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from walletcare import Actor, Money, Settings, Walletcare
from walletcare.domain.complaints import EvidenceRef
from walletcare.errors import ValidationError, WalletcareError
from walletcare.testing import FixedClock

from ..complaints_fixtures import EXPLANATION, T0, intake

STAFF = Actor.staff("agent-1")
Command = Callable[[Walletcare, str], object]


def fresh() -> tuple[Walletcare, str]:
    app = Walletcare(Settings(storage_url="memory://"), clock=FixedClock(T0))
    return app, app.complaints.open(intake()).complaint_id


def acknowledged(then: Command) -> Command:
    def run(app: Walletcare, cid: str) -> object:
        app.complaints.acknowledge(cid, by=STAFF)
        return then(app, cid)

    return run


REFUSED: dict[str, tuple[Command, str]] = {
    "contact message_id=5": (
        lambda a, c: a.complaints.record_contact(
            c, by=STAFF, channel="sms", direction="inbound", summary="x", message_id=5  # type: ignore[arg-type]
        ),
        "message_id",
    ),
    "assign agent=None": (
        lambda a, c: a.complaints.assign(c, by=STAFF, team="t", agent=None),  # type: ignore[arg-type]
        "agent",
    ),
    "withdraw by a string": (
        lambda a, c: a.complaints.withdraw(c, by="cust-1", reason="r"),  # type: ignore[arg-type]
        "by",
    ),
    "acknowledge by=None": (lambda a, c: a.complaints.acknowledge(c, by=None), "by"),  # type: ignore[arg-type]
    "add_flags one string": (
        lambda a, c: a.complaints.add_flags(c, by=STAFF, flags="extended", reason="r"),
        "flags",
    ),
    "contact with a lone surrogate": (
        lambda a, c: a.complaints.record_contact(
            c, by=STAFF, channel="sms", direction="inbound", summary="hi \ud800"
        ),
        "summary",
    ),
    "holding reply expected_by=''": (
        acknowledged(
            lambda a, c: a.complaints.send_holding_reply(
                c, by=STAFF, reasons="r", expected_by=""  # type: ignore[arg-type]
            )
        ),
        "expected_by",
    ),
    "provide_information evidence=None": (
        acknowledged(
            lambda a, c: (
                a.complaints.start_investigation(c, by=STAFF),
                a.complaints.request_information(c, by=STAFF, questions="receipt?"),
                a.complaints.provide_information(
                    c, by=Actor.customer("cust-1"), summary="here", evidence=None  # type: ignore[arg-type]
                ),
            )
        ),
        "evidence",
    ),
    "list limit='x'": (lambda a, c: a.complaints.list(limit="x"), "limit"),  # type: ignore[arg-type]
    "events_since(None)": (lambda a, c: a.events_since(None), "position"),  # type: ignore[arg-type]
    "events_since limit='x'": (lambda a, c: a.events_since(0, limit="x"), "limit"),  # type: ignore[arg-type]
    "dead_letters limit='x'": (lambda a, c: a.dead_letters(limit="x"), "limit"),  # type: ignore[arg-type]
    "dead_letters limit=0": (lambda a, c: a.dead_letters(limit=0), "limit"),
    "remedy of 1E+26": (
        acknowledged(
            lambda a, c: a.complaints.resolve(
                c,
                by=STAFF,
                outcome="upheld",
                explanation=EXPLANATION,
                remedy=Money.of("1E+26", "EUR"),
            )
        ),
        "amount",
    ),
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_bad_input_is_a_validation_error_naming_the_field(name: str) -> None:
    """Each mistake is refused as a ValidationError naming its field, and changes nothing."""
    command, field = REFUSED[name]
    app, cid = fresh()
    before = len(app.events(cid))
    with pytest.raises(ValidationError) as caught:
        command(app, cid)
    assert any(f == field or f.startswith((f"{field}.", f"{field}[")) for f in caught.value.fields)
    # Commands made before the refused one may have gone through; the case still reads.
    assert len(app.events(cid)) >= before
    app.complaints.get(cid)
    app.complaints.history(cid)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("vulnerable", "yes"),
        ("jurisdiction", 5),
        ("product", None),
        ("segment", 5),
        ("description", "lost \udc80"),
        ("transactions", None),
        ("flags", "new_account"),
        ("customer_zone", None),
    ],
)
def test_intake_values_are_typed_when_built(field: str, value: object) -> None:
    """NewComplaint refuses a value of the wrong type when it is built, naming the field."""
    with pytest.raises(ValidationError) as caught:
        intake(**{field: value})
    assert field in caught.value.fields


def test_evidence_reference_refuses_a_missing_description() -> None:
    """EvidenceRef(description=None) is refused: it would make its case unreadable."""
    with pytest.raises(ValidationError) as caught:
        EvidenceRef(kind="receipt", ref="r-1", description=None)  # type: ignore[arg-type]
    assert caught.value.fields == ("description",)


def test_add_flags_with_one_string_stores_no_letters() -> None:
    """flags="extended" is refused, not stored as eight one-letter flags."""
    app, cid = fresh()
    with pytest.raises(ValidationError):
        app.complaints.add_flags(cid, by=STAFF, flags="extended", reason="r")
    assert app.complaints.get(cid).flags == ()


JUNK = st.one_of(
    st.none(),
    st.integers(),
    st.booleans(),
    st.text(max_size=5),
    st.lists(st.text(max_size=3), max_size=2),
    st.just("\ud800"),
    st.decimals(allow_nan=False, allow_infinity=False),
)
COMMANDS: dict[str, Callable[[Walletcare, str, Any], object]] = {
    "acknowledge.by": lambda a, c, j: a.complaints.acknowledge(c, by=j),
    "assign.team": lambda a, c, j: a.complaints.assign(c, by=STAFF, team=j),
    "assign.agent": lambda a, c, j: a.complaints.assign(c, by=STAFF, team="t", agent=j),
    "record_contact.channel": lambda a, c, j: a.complaints.record_contact(
        c, by=STAFF, channel=j, direction="inbound", summary="s"
    ),
    "record_contact.summary": lambda a, c, j: a.complaints.record_contact(
        c, by=STAFF, channel="sms", direction="inbound", summary=j
    ),
    "record_contact.message_id": lambda a, c, j: a.complaints.record_contact(
        c, by=STAFF, channel="sms", direction="inbound", summary="s", message_id=j
    ),
    "change_severity.severity": lambda a, c, j: a.complaints.change_severity(
        c, by=STAFF, severity=j, reason="r"
    ),
    "change_severity.reason": lambda a, c, j: a.complaints.change_severity(
        c, by=STAFF, severity="high", reason=j
    ),
    "add_flags.flags": lambda a, c, j: a.complaints.add_flags(c, by=STAFF, flags=j, reason="r"),
    "withdraw.reason": lambda a, c, j: a.complaints.withdraw(c, by=STAFF, reason=j),
    "escalate.reason": lambda a, c, j: a.complaints.escalate(c, by=STAFF, reason=j),
    "escalate.to_tier": lambda a, c, j: a.complaints.escalate(c, by=STAFF, reason="r", to_tier=j),
    "intake.segment": lambda a, c, j: a.complaints.open(intake(segment=j, transactions=("t2",))),
    "intake.description": lambda a, c, j: a.complaints.open(
        intake(description=j, transactions=("t2",))
    ),
    "list.customer_id": lambda a, c, j: a.complaints.list(customer_id=j),
    "list.status": lambda a, c, j: a.complaints.list(status=j),
    "get": lambda a, c, j: a.complaints.get(j),
    "tick": lambda a, c, j: a.tick(j),
}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(sorted(COMMANDS)), junk=JUNK)
def test_junk_is_refused_or_reads_back(name: str, junk: object) -> None:
    """Junk in any command is a WalletcareError, or it was accepted and every case still reads."""
    app, cid = fresh()
    with contextlib.suppress(WalletcareError):
        COMMANDS[name](app, cid, junk)
    for summary in app.complaints.list(limit=100):
        app.complaints.get(summary.stream_id)
        app.complaints.history(summary.stream_id)
    app.clock.advance(timedelta(days=30))  # type: ignore[attr-defined]
    report = app.tick()
    assert report.timers_failed == 0, report.errors
