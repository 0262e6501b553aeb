"""Every refusal of the complaint lifecycle, word for word: its error type, the field it
names and what it tells the host. Hosts show these to staff and log them, and the field is
how a form puts the message next to the right input; a changed word is a changed contract."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from walletcare import Actor, Money
from walletcare.domain import complaints as c
from walletcare.domain.events import ActorRole
from walletcare.errors import DomainError, TransitionNotAllowed, ValidationError

from ..complaints_fixtures import EXPLANATION, T0, intake

STAFF = Actor.staff("agent-7")
CUSTOMER = Actor.customer("cust-1")
SYSTEM = Actor(ActorRole.SYSTEM, "walletcare")
POLICY = c.ComplaintPolicy()
LATER = T0 + timedelta(hours=1)
OPEN = (
    "acknowledged, awaiting_customer, awaiting_merchant, awaiting_network, investigating, "
    "received"
)


def step(state: c.Complaint, events: list[c.Event]) -> c.Complaint:  # type: ignore[name-defined]
    for event in events:
        state = c.apply(state, event)
    return state


def received() -> c.Complaint:
    state = c.replay(c.receive("cmp-1", intake(), by=CUSTOMER, at=T0, policy=POLICY))
    assert state is not None
    return state


def acknowledged() -> c.Complaint:
    state = received()
    return step(state, c.acknowledge(state, by=STAFF, at=T0, message_id="m1"))


def investigating() -> c.Complaint:
    state = acknowledged()
    return step(state, c.start_investigation(state, by=STAFF, at=T0))


def awaiting() -> c.Complaint:
    state = investigating()
    return step(
        state, c.request_information(state, by=STAFF, at=T0, questions="Which card?", message_id="m")
    )


def answer(evidence: object) -> Callable[[], object]:
    return lambda: c.provide_information(
        awaiting(), by=CUSTOMER, at=T0, summary="The Visa one", channel="sms", evidence=evidence  # type: ignore[arg-type]
    )


def resolved() -> c.Complaint:
    state = investigating()
    return step(
        state,
        c.resolve(
            state, by=STAFF, at=T0, outcome="upheld", explanation=EXPLANATION, message_id="m2"
        ),
    )


def closed() -> c.Complaint:
    state = resolved()
    return step(state, c.close(state, by=STAFF, at=T0, reason="answered"))


def withdrawn() -> c.Complaint:
    state = received()
    return step(state, c.withdraw(state, by=CUSTOMER, at=T0, reason="sorted out"))


def resolve(**changes: object) -> Callable[[], object]:
    arguments: dict[str, object] = {
        "by": STAFF,
        "at": T0,
        "outcome": "upheld",
        "explanation": EXPLANATION,
        "message_id": "m2",
    }
    arguments.update(changes)
    return lambda: c.resolve(investigating(), **arguments)  # type: ignore[arg-type]


def status(action: str, now: str, allowed: str = OPEN) -> str:
    return f"cannot {action} complaint cmp-1: it is {now} (allowed from: {allowed})"


Row = tuple[str, Callable[[], object], type[Exception], str]
ROWS: list[Row] = [
    # Commands refused in the wrong status, each naming its action.
    ("acknowledge twice", lambda: c.acknowledge(acknowledged(), by=STAFF, at=T0, message_id="m"),
     TransitionNotAllowed, status("acknowledge", "acknowledged", "received")),
    ("assign closed", lambda: c.assign(closed(), by=STAFF, at=T0, team="payments"),
     TransitionNotAllowed, status("assign", "closed")),
    ("investigate received", lambda: c.start_investigation(received(), by=STAFF, at=T0),
     TransitionNotAllowed, status("start investigating", "received", "acknowledged")),
    ("ask received",
     lambda: c.request_information(received(), by=STAFF, at=T0, questions="q?", message_id="m"),
     TransitionNotAllowed, status("request information on", "received", "investigating")),
    ("answer unasked",
     lambda: c.provide_information(received(), by=CUSTOMER, at=T0, summary="s", channel="sms"),
     TransitionNotAllowed, status("record information on", "received", "awaiting_customer")),
    ("resolve received", lambda: c.resolve(
        received(), by=STAFF, at=T0, outcome="upheld", explanation=EXPLANATION, message_id="m"),
     TransitionNotAllowed,
     status("resolve", "received", f"{OPEN.removesuffix(', received')}")),
    ("reopen open",
     lambda: c.reopen(received(), by=CUSTOMER, at=T0, reason="again", policy=POLICY),
     TransitionNotAllowed, status("reopen", "received", "closed, resolved")),
    ("close open", lambda: c.close(received(), by=STAFF, at=T0, reason="r"),
     TransitionNotAllowed, status("close", "received", "resolved")),
    ("withdraw closed", lambda: c.withdraw(closed(), by=CUSTOMER, at=T0, reason="r"),
     TransitionNotAllowed, status("withdraw", "closed")),
    ("contact closed", lambda: c.record_contact(
        closed(), by=STAFF, at=T0, channel="sms", direction="outbound", summary="s"),
     TransitionNotAllowed, status("record a contact on", "closed", f"{OPEN}, resolved")),
    ("severity closed",
     lambda: c.change_severity(closed(), by=STAFF, at=T0, severity="high", reason="r"),
     TransitionNotAllowed, status("change the severity of", "closed")),
    ("flag closed", lambda: c.add_flags(closed(), by=STAFF, at=T0, flags=["extended"], reason="r"),
     TransitionNotAllowed, status("flag", "closed")),
    ("holding reply closed", lambda: c.send_holding_reply(
        closed(), by=STAFF, at=T0, reasons="r", expected_by=LATER, message_id="m"),
     TransitionNotAllowed, status("send a holding reply on", "closed")),
    ("reopen withdrawn",
     lambda: c.reopen(withdrawn(), by=CUSTOMER, at=T0, reason="again", policy=POLICY),
     TransitionNotAllowed, "complaint cmp-1 was withdrawn or merged; file a new one"),
    ("reopen too late", lambda: c.reopen(
        resolved(), by=CUSTOMER, at=T0 + timedelta(days=400), reason="again", policy=POLICY),
     TransitionNotAllowed,
     f"the reopen window of complaint cmp-1 ended at "
     f"{c.reopen_deadline(resolved(), POLICY).isoformat()}"),  # type: ignore[union-attr]
    # Who may do what.
    ("system reopens",
     lambda: c.reopen(resolved(), by=SYSTEM, at=T0, reason="again", policy=POLICY),
     DomainError, "only the customer, or staff on their behalf, can reopen a complaint"),
    ("system withdraws", lambda: c.withdraw(received(), by=SYSTEM, at=T0, reason="r"),
     DomainError, "only the customer, or staff on their behalf, can withdraw a complaint"),
    ("customer sets severity",
     lambda: c.change_severity(received(), by=CUSTOMER, at=T0, severity="high", reason="r"),
     DomainError, "only staff can override a complaint's severity"),
    ("customer flags",
     lambda: c.add_flags(received(), by=CUSTOMER, at=T0, flags=["extended"], reason="r"),
     DomainError, "only staff change a complaint's regulatory flags"),
    ("customer holding reply", lambda: c.send_holding_reply(
        received(), by=CUSTOMER, at=T0, reasons="r", expected_by=LATER, message_id="m"),
     DomainError, "only staff send holding replies"),
    # Values, each naming its field.
    ("no actor", lambda: c.assign(received(), by=None, at=T0, team="payments"),  # type: ignore[arg-type]
     ValidationError, "by: must be an Actor, got NoneType"),
    ("agent not text", lambda: c.assign(received(), by=STAFF, at=T0, team="payments", agent=5),  # type: ignore[arg-type]
     ValidationError, "agent: must be a string, got int"),
    ("evidence not a list", answer("receipt.pdf"), ValidationError,
     "evidence: must be a list of EvidenceRef"),
    ("evidence not a ref", answer(["receipt.pdf"]), ValidationError,
     "evidence[0]: must be an EvidenceRef"),
    ("answer without channel", lambda: c.provide_information(
        awaiting(), by=CUSTOMER, at=T0, summary="s", channel=" "),
     ValidationError, "channel: is required"),
    ("answer without summary", lambda: c.provide_information(
        awaiting(), by=CUSTOMER, at=T0, summary="", channel="sms"),
     ValidationError, "summary: is required"),
    ("no team", lambda: c.assign(received(), by=STAFF, at=T0, team=" "),
     ValidationError, "team: is required"),
    ("no questions", lambda: c.request_information(
        investigating(), by=STAFF, at=T0, questions="", message_id="m"),
     ValidationError, "questions: is required"),
    ("unknown outcome", resolve(outcome="won"), ValidationError,
     "outcome: 'won' is not one of upheld, partly_upheld, rejected, withdrawn"),
    ("resolve as withdrawn", resolve(outcome="withdrawn"), ValidationError,
     "outcome: withdrawn is the customer's: use withdraw"),
    ("short explanation", resolve(explanation="x" * 19), ValidationError,
     "explanation: must explain the outcome to the customer (at least 20 characters)"),
    ("negative remedy", resolve(remedy=Money.of("-1", "EUR")), ValidationError,
     "remedy: must be a positive Money amount, or None"),
    ("rejected with remedy", resolve(outcome="rejected", remedy=Money.of("1", "EUR")),
     ValidationError, "remedy: a rejected complaint carries no remedy"),
    ("rate without remedy", resolve(rate=object()), ValidationError,
     "rate: a rate converts a remedy; there is none"),
    ("reopen without reason", lambda: c.reopen(
        resolved(), by=CUSTOMER, at=T0, reason=" ", policy=POLICY),
     ValidationError, "reason: is required"),
    ("withdraw without reason", lambda: c.withdraw(received(), by=CUSTOMER, at=T0, reason=""),
     ValidationError, "reason: is required"),
    ("sideways contact", lambda: c.record_contact(
        received(), by=STAFF, at=T0, channel="sms", direction="sideways", summary="s"),
     ValidationError, "direction: 'sideways' is not inbound or outbound"),
    ("contact without channel", lambda: c.record_contact(
        received(), by=STAFF, at=T0, channel="", direction="inbound", summary="s"),
     ValidationError, "channel: is required"),
    ("contact without summary", lambda: c.record_contact(
        received(), by=STAFF, at=T0, channel="sms", direction="inbound", summary=" "),
     ValidationError, "summary: is required"),
    ("unknown severity",
     lambda: c.change_severity(received(), by=STAFF, at=T0, severity="dire", reason="r"),
     ValidationError, "severity: 'dire' is not one of low, medium, high, critical"),
    ("severity without reason",
     lambda: c.change_severity(received(), by=STAFF, at=T0, severity="high", reason=""),
     ValidationError, "reason: is required"),
    ("one string of flags",
     lambda: c.add_flags(received(), by=STAFF, at=T0, flags="extended", reason="r"),
     ValidationError, "flags: must be a list of flags, not a single string"),
    ("no flags", lambda: c.add_flags(received(), by=STAFF, at=T0, flags=[], reason="r"),
     ValidationError, "flags: name at least one flag"),
    ("padded flag",
     lambda: c.add_flags(received(), by=STAFF, at=T0, flags=["new", " extended"], reason="r"),
     ValidationError, "flags[1]: must be a non-empty word such as 'extended'"),
    ("number flag", lambda: c.add_flags(received(), by=STAFF, at=T0, flags=[5], reason="r"),
     ValidationError, "flags[0]: must be a non-empty word such as 'extended'"),
    ("flags without reason",
     lambda: c.add_flags(received(), by=STAFF, at=T0, flags=["extended"], reason=""),
     ValidationError, "reason: is required"),
    ("holding reply due now", lambda: c.send_holding_reply(
        received(), by=STAFF, at=T0, reasons="r", expected_by=T0, message_id="m"),
     ValidationError, "expected_by: must be a timezone-aware date after now"),
    ("holding reply naive", lambda: c.send_holding_reply(
        received(), by=STAFF, at=T0, reasons="r", expected_by=datetime(2030, 1, 1),
        message_id="m"),
     ValidationError, "expected_by: must be a timezone-aware date after now"),
    ("holding reply without reasons", lambda: c.send_holding_reply(
        received(), by=STAFF, at=T0, reasons=" ", expected_by=LATER, message_id="m"),
     ValidationError, "reasons: is required"),
]


@pytest.mark.parametrize(("name", "command", "kind", "said"), ROWS, ids=[r[0] for r in ROWS])
def test_each_refusal_says_exactly_what_and_where(
    name: str, command: Callable[[], object], kind: type[Exception], said: str
) -> None:
    """The error is of its own type (not a subclass standing in), and says what it says."""
    with pytest.raises(kind) as err:
        command()
    assert type(err.value) is kind, name
    assert str(err.value) == said
    if kind is ValidationError:
        assert err.value.fields == (said.split(":", maxsplit=1)[0],)  # type: ignore[attr-defined]


def test_a_twenty_character_explanation_is_enough() -> None:
    """The shortest explanation accepted is 20 characters, after trimming."""
    [resolved_event, _] = resolve(explanation="  " + "x" * 20 + " ")()  # type: ignore[misc]
    assert resolved_event.resolution.explanation == "x" * 20


def test_the_messages_a_command_sends_are_recorded_on_the_customers_channel() -> None:
    """Acknowledging records the outbound contact on the complaint, on the intake's channel."""
    [_, sent] = c.acknowledge(received(), by=STAFF, at=T0, message_id="m1")
    assert sent.complaint_id == "cmp-1"
    assert sent.contact.channel == "sms"
    assert sent.contact.message_id == "m1"
    assert sent.contact.summary == "acknowledgement sent"
    [_, late] = c.send_holding_reply(
        received(), by=STAFF, at=T0, reasons="waiting on the bank", expected_by=LATER,
        message_id="m3",
    )
    assert late.contact.summary == "holding reply sent"
    assert (late.contact.channel, late.contact.message_id) == ("sms", "m3")


def test_an_answer_keeps_its_evidence_and_is_an_inbound_contact() -> None:
    """Information the customer provides carries its evidence and is recorded as a contact."""
    receipt = c.EvidenceRef(kind="file", ref="receipt.pdf")
    [provided, contact] = answer([receipt])()  # type: ignore[misc]
    assert provided.evidence == (receipt,)
    assert (provided.summary, provided.channel) == ("The Visa one", "sms")
    assert contact.contact.direction is c.Direction.INBOUND
    assert contact.contact.summary == "The Visa one"


def test_an_agent_is_optional_and_left_empty() -> None:
    """Assigning to a team alone leaves the agent empty."""
    [event] = c.assign(received(), by=STAFF, at=T0, team="payments")
    assert (event.team, event.agent) == ("payments", "")
