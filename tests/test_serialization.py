"""The converter: wire forms, round trips for every type, upcasting, and path-naming errors."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import attrs
import pytest
from attrs import frozen
from hypothesis import given
from hypothesis import strategies as st

from walletcare import Actor, BusinessCalendar, Event, Money, Settings
from walletcare.config import CaseSettings
from walletcare.domain.calendars import WEEKDAYS
from walletcare.domain.cases import KERNEL_EVENTS
from walletcare.domain.complaints.kind import COMPLAINTS
from walletcare.errors import ValidationError
from walletcare.ports import OutboundMessage, StreamSummary
from walletcare.serialization import format_duration, make_converter, parse_duration


@frozen(kw_only=True)
class ParcelLost(Event):
    """A test event with money, a sequence, a set, a duration and a date."""

    kind = "test.parcel_lost"
    loss: Money
    transactions: tuple[str, ...] = ()
    tags: frozenset[str] = frozenset()
    waited: timedelta = timedelta(0)
    happened_on: date | None = None


@frozen(kw_only=True)
class RenamedV2(Event):
    """An event whose field was renamed in version 2."""

    kind = "test.renamed"
    schema_version = 2
    customer_id: str


TEST_EVENTS = (ParcelLost, RenamedV2)
CONVERTER = make_converter(events=(*KERNEL_EVENTS, *COMPLAINTS.events, *TEST_EVENTS))


# Real instants shown in random zones (a wall time inside a DST gap names no instant).
aware_datetimes = st.builds(
    lambda instant, zone: instant.astimezone(zone),
    st.datetimes(
        min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
    ),
    st.timezones(),
)
money = st.builds(
    lambda units, cur: Money.from_minor_units(units, cur),
    st.integers(-(10**15), 10**15),
    st.sampled_from(["USD", "JPY", "KWD", "CLF", "EUR", "CNY"]),
)
actors = st.builds(
    Actor,
    st.sampled_from(["customer", "staff", "system", "regulator"]),
    st.text(min_size=1).filter(str.strip),
)
durations = st.timedeltas(min_value=timedelta(days=-999), max_value=timedelta(days=999))
events = st.builds(
    ParcelLost,
    at=aware_datetimes,
    by=actors,
    loss=money,
    transactions=st.lists(st.text(), max_size=4).map(tuple),
    tags=st.frozensets(st.text(max_size=5), max_size=4),
    waited=durations,
    happened_on=st.none() | st.dates(),
)


@given(events)
def test_events_round_trip(event: ParcelLost) -> None:
    """Every event survives dump and load unchanged, through JSON text too."""
    assert CONVERTER.load_event(CONVERTER.dump_event(event)) == event
    assert CONVERTER.loads_event(CONVERTER.dumps_event(event)) == event


@given(money)
def test_money_round_trips_as_amount_and_currency(value: Money) -> None:
    """Money is {"amount": str, "currency": code} and comes back equal."""
    data = CONVERTER.dump(value)
    assert isinstance(data["amount"], str) and data["currency"] == value.currency
    assert CONVERTER.load(data, Money) == value


@given(durations)
def test_durations_round_trip_as_iso_8601(value: timedelta) -> None:
    """Durations render as ISO 8601 and parse back exactly."""
    assert parse_duration(format_duration(value)) == value


@given(aware_datetimes)
def test_datetimes_keep_their_instant_and_offset(value: datetime) -> None:
    """Aware datetimes render with their offset and load as the same instant.

    Compared in UTC: by PEP 495 an ambiguous local time (a DST fold) never compares equal
    across zones, not even to the same instant."""
    loaded = CONVERTER.load(CONVERTER.dump(value), datetime)
    assert loaded.astimezone(UTC) == value.astimezone(UTC)
    assert loaded.utcoffset() == value.utcoffset()


hours = st.lists(
    st.tuples(st.integers(0, 1439), st.integers(1, 1440)).filter(lambda t: t[0] < t[1]),
    min_size=1,
    max_size=1,
)


@given(
    st.sampled_from(["UTC", "Europe/Berlin", "Asia/Kolkata"]),
    st.lists(hours, min_size=7, max_size=7),
    st.sampled_from([None, "DE", "US"]),
    st.frozensets(st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 1, 1)), max_size=3),
)
def test_calendars_round_trip(
    zone: str, week: list[list[tuple[int, int]]], country: str | None, closed: frozenset[date]
) -> None:
    """Calendars dump their hours readably and load back equal."""
    cal = BusinessCalendar(
        zone=zone, hours=tuple(tuple(d) for d in week), country=country, closed_dates=closed
    )
    data = CONVERTER.dump(cal)
    assert set(data["hours"]) == set(WEEKDAYS)
    assert CONVERTER.load(data, BusinessCalendar) == cal


@given(
    st.builds(
        Settings, zone=st.sampled_from(["UTC", "Asia/Shanghai"]), tick_batch=st.integers(1, 10_000)
    )
)
def test_settings_round_trip(value: Settings) -> None:
    """Settings are plain data a host can keep in its config."""
    assert CONVERTER.load(CONVERTER.dump(value), Settings) == value


@given(
    st.builds(
        OutboundMessage,
        id=st.text(min_size=1).filter(str.strip),
        stream_id=st.text(),
        channel=st.just("sms"),
        recipient=st.just("+1"),
        template=st.just("t"),
        body=st.text(),
        due_at=aware_datetimes,
    )
)
def test_records_round_trip(message: OutboundMessage) -> None:
    """Port records round-trip too (the instant exactly, as the fixed offset the wire keeps:
    an ambiguous local time in a DST fold never compares equal across zones, by PEP 495)."""
    loaded = CONVERTER.load(CONVERTER.dump(message), OutboundMessage)
    assert loaded.due_at.utcoffset() == message.due_at.utcoffset()
    assert attrs.evolve(loaded, due_at=message.due_at) == message


def _base(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": "test.parcel_lost",
        "at": "2026-01-01T00:00:00+00:00",
        "by": {"role": "customer", "id": "c-1"},
        "loss": {"amount": "1.00", "currency": "USD"},
    }
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("data", "path"),
    [
        (_base(at="2026-01-01T00:00:00"), "at"),
        (_base(loss={"amount": 1.5, "currency": "USD"}), "loss.amount"),
        (_base(loss={"amount": "1", "currency": "XYZ"}), "loss.currency"),
        (_base(loss={"amount": "1"}), "loss.currency"),
        (_base(transactions=["tx-1", 7]), "transactions[1]"),
        (_base(by={"role": "boss", "id": "x"}), "by.role"),
        (_base(surprise=True), "surprise"),
        (_base(kind="test.unknown"), "kind"),
        (_base(schema_version=9), "schema_version"),
        (_base(waited="two hours"), "waited"),
    ],
)
def test_bad_input_names_the_path(data: dict[str, Any], path: str) -> None:
    """Wrong types, missing fields, unknown kinds, naive datetimes and floats name their path."""
    with pytest.raises(ValidationError) as err:
        CONVERTER.load_event(data)
    assert path in err.value.fields


def test_old_versions_are_upcast() -> None:
    """A v1 event is upcast by the registered function before loading."""
    converter = make_converter(
        {
            ("test.renamed", 1): lambda d: {
                **{k: v for k, v in d.items() if k != "customer"},
                "customer_id": d["customer"],
            }
        },
        events=TEST_EVENTS,
    )
    old = {
        "kind": "test.renamed",
        "schema_version": 1,
        "at": "2026-01-01T00:00:00+08:00",
        "by": {"role": "system", "id": "x"},
        "customer": "c-9",
    }
    assert converter.load_event(old).customer_id == "c-9"  # type: ignore[attr-defined]
    with pytest.raises(ValidationError):
        CONVERTER.load_event(old)


def test_decimal_is_written_as_a_string() -> None:
    """Decimals never become floats on the wire."""
    assert CONVERTER.dump(Decimal("0.10")) == "0.10"
    summary = StreamSummary(
        stream_id="s",
        kind="k",
        status="x",
        opened_at=datetime(2026, 1, 1, tzinfo=UTC),
        updated_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    assert CONVERTER.dump(summary)["opened_at"] == "2026-01-01T00:00:00+00:00"


def test_oversight_settings_survive_json() -> None:
    """SLA policies, rules, ladder and review interval are config a host can keep as JSON."""
    import json
    from decimal import Decimal as D

    from walletcare.config import Oversight, SlaChoice
    from walletcare.domain.escalation import Action, ActionKind, Condition, Ladder, Once, Rule
    from walletcare.domain.sla import SlaPolicy, SlaTarget

    calendar = BusinessCalendar.build(
        zone="Europe/Berlin", hours={"mon-fri": "09:00-17:00"}, country="DE"
    )
    policy = SlaPolicy(
        name="vip",
        calendar=calendar,
        targets=(SlaTarget(metric="resolution", duration=timedelta(hours=8), warn_at=D("0.5")),),
    )
    oversight = Oversight(
        sla=(SlaChoice(policy=policy, when=Condition(fact="segment", op="eq", value="vip")),),
        rules=(
            Rule(
                id="r",
                when=Condition(negate=Condition(fact="tier", op="eq", value="agent")),
                then=(Action(kind=ActionKind.ESCALATE),),
                once=Once.CLOCK,
                metric="resolution",
            ),
        ),
        ladder=Ladder(tier_sla={"senior_agent": "vip"}),
        review_every=timedelta(days=1),
    )
    settings = Settings(
        storage_url="memory://", cases={"complaint": CaseSettings(oversight=oversight)}
    )
    text = json.dumps(CONVERTER.dump(settings))
    assert CONVERTER.load(json.loads(text), Settings) == settings
