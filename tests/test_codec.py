"""The compiled codec writes exactly the converter's wire forms and reads back what it wrote,
without running validators again (rows from storage only; host input stays checked)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import orjson
import pytest

from tests.complaints_fixtures import EXPLANATION, T0, intake
from walletcare import Actor, BusinessCalendar, Money, Settings, Walletcare
from walletcare.config import (
    Action,
    ActionKind,
    CaseSettings,
    Condition,
    Oversight,
    Rule,
    SlaChoice,
    SlaPolicy,
    SlaTarget,
)
from walletcare.domain.complaints import Complaint, Contact, Direction
from walletcare.domain.escalation import EscalationState
from walletcare.domain.events import Event
from walletcare.errors import ValidationError
from walletcare.testing import FixedClock

AGENT = Actor.staff("agent-1")


def _busy_case() -> tuple[Walletcare, list[Complaint], list[Event]]:
    """A complaint under an SLA and a rule, through acknowledge, a breach, escalation,
    information, resolution and a reopen: clocks, escalation state, contacts, money."""
    calendar = BusinessCalendar.build(
        zone="Europe/Berlin", hours={"mon-fri": "09:00-17:00"}, country="DE"
    )
    policy = SlaPolicy(
        name="standard",
        calendar=calendar,
        targets=(
            SlaTarget(metric="acknowledgement", duration=timedelta(hours=4), pauses=False),
            SlaTarget(metric="resolution", duration=timedelta(hours=16)),
        ),
    )
    breach = Rule(
        id="breach",
        when=Condition(fact="resolution.breached", op="is", value="true"),
        then=(Action(kind=ActionKind.ESCALATE),),
    )
    clock = FixedClock(T0)
    app = Walletcare(
        Settings(
            storage_url="memory://",
            load_entry_points=False,
            cases={
                "complaint": CaseSettings(
                    oversight=Oversight(sla=(SlaChoice(policy=policy),), rules=(breach,))
                )
            },
        ),
        clock=clock,
    )
    c = app.complaints
    cid = c.open(intake(jurisdiction="DE", amount_lost=Money.of("1250.50", "EUR"))).complaint_id
    states = [c.get(cid)]
    steps = [
        lambda: c.acknowledge(cid, by=AGENT),
        lambda: c.assign(cid, by=AGENT, team="payments", agent="a-7"),
        lambda: c.start_investigation(cid, by=AGENT),
        lambda: (clock.advance(timedelta(days=5)), app.tick()),
        lambda: c.request_information(cid, by=AGENT, questions="Which card? Ünïcode ✓"),
        lambda: c.provide_information(cid, by=Actor.customer("cust-1"), summary="the blue one"),
        lambda: c.resolve(
            cid, by=AGENT, outcome="upheld", explanation=EXPLANATION, remedy=Money.of(42, "EUR")
        ),
        lambda: c.reopen(cid, by=Actor.customer("cust-1"), reason="not refunded"),
    ]
    for step in steps:
        step()
        states.append(c.get(cid))
    return app, states, app.events(cid)


def test_dump_is_the_converters_wire_form_and_loads_back_exactly() -> None:
    """Every state and event of a busy case: same plain data as cattrs, same JSON, equal
    values read back (clocks, escalation, contacts, resolution, money included)."""
    app, states, events = _busy_case()
    conv = app.converter
    last = states[-1]
    assert last.clocks and last.escalation.escalations and last.contacts and last.reopen_count
    assert {type(e).__name__ for e in events} >= {"ClockStarted", "ClockBreached", "Escalated"}
    for value in [*states, *events]:
        cl = type(value)
        plain = conv.dump(value)
        assert plain == conv.unstructure(value)
        assert orjson.loads(conv.dumps(value)) == plain
        assert conv.load_trusted(plain, cl) == value
        assert conv.loads_trusted(conv.dumps(value), cl) == value
        assert conv.load(plain, cl) == value  # what is written also passes the checked reader
    for event in events:
        assert conv.loads_event(conv.dumps_event(event)) == event
        body = conv.dumps_event_body(event)
        assert conv.loads_event_body(event.kind, event.schema_version, body) == event


@pytest.mark.parametrize(
    "zone",
    [UTC, ZoneInfo("Asia/Kolkata"), timezone(timedelta(hours=-3, minutes=-30))],
    ids=str,
)
def test_datetimes_keep_their_offset_and_microseconds(zone: object) -> None:
    """Offsets other than UTC and microseconds are written as isoformat writes them."""
    at = datetime(2026, 3, 2, 9, 0, 0, 123456, tzinfo=zone)  # type: ignore[arg-type]
    contact = Contact(at=at, channel="sms", direction=Direction.INBOUND, summary="hi")
    app = Walletcare(Settings(storage_url="memory://", load_entry_points=False))
    plain = app.converter.dump(contact)
    assert plain["at"] == at.isoformat()
    back = app.converter.loads_trusted(app.converter.dumps(contact), Contact)
    assert back == contact and back.at.utcoffset() == at.utcoffset()


def test_an_offset_with_seconds_is_not_rounded() -> None:
    """Old local mean times have offsets with seconds: written in full, not to the minute."""
    at = datetime(1890, 3, 2, 9, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))  # +00:19:32
    contact = Contact(at=at, channel="sms", direction=Direction.INBOUND, summary="hi")
    app = Walletcare(Settings(storage_url="memory://", load_entry_points=False))
    text = app.converter.dumps(contact)
    assert at.isoformat() in text
    assert app.converter.loads_trusted(text, Contact).at.utcoffset() == at.utcoffset()


def test_trusted_loading_skips_validators_and_checked_loading_does_not() -> None:
    """A row walletcare wrote is read without checks; the same data from a host is refused.

    The row here is one no command could write (a blank summary): it shows which reader
    checks, not a row walletcare would store.
    """
    app = Walletcare(Settings(storage_url="memory://", load_entry_points=False))
    row = {"at": T0.isoformat(), "channel": "sms", "direction": "inbound", "summary": " "}
    assert app.converter.load_trusted(row, Contact).summary == " "
    with pytest.raises(ValidationError) as refused:
        app.converter.load(row, Contact)
    assert "summary" in str(refused.value)


def test_a_damaged_row_is_a_validation_error_naming_the_class() -> None:
    """Missing fields, wrong shapes and bad JSON are ValidationErrors, not KeyErrors."""
    conv = Walletcare(Settings(storage_url="memory://", load_entry_points=False)).converter
    for bad in ({"at": T0.isoformat()}, {"tier": 5, "fired": 3}, [1, 2]):
        with pytest.raises(ValidationError) as caught:
            conv.load_trusted(bad, Contact if "at" in str(bad) else EscalationState)
        assert "does not read back" in str(caught.value)
    with pytest.raises(ValidationError, match="not valid JSON"):
        conv.loads_trusted("{", Contact)


def test_defaults_fill_fields_a_row_does_not_have() -> None:
    """A row written before a field with a default existed reads with that default."""
    conv = Walletcare(Settings(storage_url="memory://", load_entry_points=False)).converter
    state = conv.load_trusted({"tier": "agent"}, EscalationState)
    assert state == EscalationState(tier="agent")
    money = conv.load_trusted({"amount": "12.30", "currency": "EUR"}, Money)
    assert money.amount == Decimal("12.30")


def test_small_values_are_shared_and_a_damaged_row_shares_nothing() -> None:
    """Actors read back are one instance per distinct row; a row that fails to load leaves
    no half-built value behind for the next reader."""
    conv = Walletcare(Settings(storage_url="memory://", load_entry_points=False)).converter
    row = {"role": "staff", "id": "agent-1"}
    first, second = conv.load_trusted(row, Actor), conv.load_trusted(dict(row), Actor)
    assert first == Actor.staff("agent-1") and first is second
    with pytest.raises(ValidationError):
        conv.load_trusted({"role": "nobody", "id": "x"}, Actor)
    with pytest.raises(ValidationError):
        conv.load_trusted({"role": "nobody", "id": "x"}, Actor)


def test_trusted_event_dicts_skip_checks_only_at_the_current_version() -> None:
    """``load_event(trusted=True)`` reads walletcare's own dicts unchecked; a dict at an older
    schema version is upcast and checked like any input."""
    app, _, events = _busy_case()
    conv = app.converter
    for event in events:
        assert conv.load_event(conv.dump_event(event), trusted=True) == event
    older = {**conv.dump_event(events[0]), "schema_version": 0}
    with pytest.raises(ValidationError, match="schema_version"):
        conv.load_event(older, trusted=True)
