"""Round trips of a complaint's state and of its event stream, against pydantic v2.

The complaint comes from the public API (an SLA, a German jurisdiction with its regulatory
clock, a rule that escalates on breach; acknowledged, assigned, investigated, breached and
escalated, asked for information, resolved), so its state holds clocks, contacts, money and
an escalation. The pydantic models are generated from walletcare's own classes, field for
field (same names, types, nesting and defaults); events are a union tagged on ``kind``.

walletcare reads back what it wrote itself without checking it again (``load_trusted``,
``load_event(trusted=True)``: rows from storage); pydantic validates on every load. What
a host's input costs through walletcare's checked reader is printed too, for reference.

Run: ``python benchmarks/bench_codec.py [round_trips] [rounds]``.
"""

from __future__ import annotations

import sys
import typing
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any, Literal, Union

import attrs

from _timing import interleaved, rate_line, ratio_line, speed_ratios

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
from walletcare.domain.complaints import Complaint
from walletcare.domain.complaints.values import ContactPoint
from walletcare.domain.events import Event
from walletcare.testing import FixedClock

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
STAFF = Actor.staff("agent-7")


def busy_complaint() -> tuple[Walletcare, Complaint, list[Event]]:
    calendar = BusinessCalendar.build(
        zone="Europe/Berlin", hours={"mon-fri": "09:00-17:00"}, country="DE"
    )
    policy = SlaPolicy(
        name="standard",
        calendar=calendar,
        targets=(
            SlaTarget(metric="acknowledgement", duration=timedelta(hours=4), pauses=False),
            SlaTarget(metric="resolution", duration=timedelta(hours=16), warn_at=Decimal("0.5")),
        ),
    )
    breach = Rule(
        id="breach",
        when=Condition(fact="resolution.breached", op="is", value="true"),
        then=(Action(kind=ActionKind.ESCALATE),),
    )
    clock = FixedClock(T0)
    oversight = Oversight(sla=(SlaChoice(policy=policy),), rules=(breach,))
    app = Walletcare(
        Settings(
            storage_url="memory://",
            load_entry_points=False,
            cases={"complaint": CaseSettings(oversight=oversight)},
        ),
        clock=clock,
    )
    from walletcare import NewComplaint

    c = app.complaints
    cid = c.open(
        NewComplaint(
            customer_id="cust-1",
            category="transaction_failure",
            channel="in_app",
            description="I paid the merchant but my wallet was debited twice.",
            occurred_at=T0 - timedelta(hours=3),
            transactions=("tx-1",),
            amount_lost=Money.of("42.00", "EUR"),
            contact=ContactPoint(channel="sms", address="+4915100000000"),
            jurisdiction="DE",
            product="wallet",
        )
    ).complaint_id
    c.acknowledge(cid, by=STAFF)
    c.assign(cid, by=STAFF, team="payments", agent="a-7")
    c.start_investigation(cid, by=STAFF)
    clock.advance(timedelta(days=4))
    app.tick()
    c.request_information(cid, by=STAFF, questions="Which card did you pay with?")
    c.provide_information(cid, by=Actor.customer("cust-1"), summary="The blue one.")
    c.resolve(
        cid,
        by=STAFF,
        outcome="upheld",
        explanation="The second debit was a processing error; we refunded it.",
        remedy=Money.of("42.00", "EUR"),
    )
    return app, c.get(cid), app.events(cid)


# -- pydantic models of the same shape -------------------------------------------------------
def pydantic_models(state_type: type, event_types: list[type[Event]]) -> tuple[Any, Any]:
    import pydantic

    made: dict[type, Any] = {}

    def model_of(cl: type, kind: str = "") -> Any:
        if cl in made:
            return made[cl]
        hints = typing.get_type_hints(cl)
        fields: dict[str, Any] = {}
        if kind:
            fields["kind"] = (Literal[kind], ...)  # type: ignore[valid-type]
            fields["schema_version"] = (int, 1)
        for f in attrs.fields(cl):
            hint = mapped(hints[f.name])
            if f.default is attrs.NOTHING:
                fields[f.name] = (hint, ...)
            elif isinstance(f.default, attrs.Factory):  # type: ignore[arg-type]
                fields[f.name] = (hint, pydantic.Field(default_factory=f.default.factory))
            else:
                fields[f.name] = (hint, f.default)
        config = pydantic.ConfigDict(frozen=True, extra="forbid")
        made[cl] = pydantic.create_model(cl.__name__, __config__=config, **fields)
        return made[cl]

    def mapped(hint: Any) -> Any:
        if attrs.has(hint):
            return model_of(hint)
        origin, args = typing.get_origin(hint), typing.get_args(hint)
        if origin is None:
            return hint
        if origin in (Union, type(int | str)):
            return Union[tuple(mapped(a) for a in args)]  # noqa: UP007
        if origin is tuple:
            if len(args) == 2 and args[1] is Ellipsis:
                return tuple[mapped(args[0]), ...]  # type: ignore[misc]
            return tuple[tuple(mapped(a) for a in args)]  # type: ignore[misc]
        if origin is frozenset:
            return frozenset[mapped(args[0])]  # type: ignore[misc]
        return hint

    state_model = model_of(state_type)
    union = Union[tuple(model_of(cl, cl.kind) for cl in event_types)]  # noqa: UP007
    stream = pydantic.TypeAdapter(list[Annotated[union, pydantic.Field(discriminator="kind")]])  # type: ignore[valid-type]
    return state_model, stream


def main(trips: int, rounds: int) -> None:
    app, state, events = busy_complaint()
    conv = app.converter
    assert state.clocks and state.contacts and state.escalation.escalations
    kinds = sorted({type(e) for e in events}, key=lambda cl: cl.kind)
    try:
        state_model, stream = pydantic_models(Complaint, kinds)
    except ImportError:
        print("bench_codec: pydantic is not installed (pip install '.[bench]')")
        return
    plain_events = [conv.dump_event(e) for e in events]
    p_state = state_model.model_validate(conv.dump(state))
    p_events = stream.validate_python(plain_events)
    assert conv.load_trusted(conv.dump(state), Complaint) == state
    assert [conv.load_event(d, trusted=True) for d in plain_events] == events

    def wc_state_dict() -> None:
        dump, load = conv.dump, conv.load_trusted
        for _ in range(trips):
            load(dump(state), Complaint)

    def wc_state_json() -> None:
        dumps, loads = conv.dumps, conv.loads_trusted
        for _ in range(trips):
            loads(dumps(state), Complaint)

    def wc_state_checked() -> None:
        dump, load = conv.dump, conv.load
        for _ in range(trips):
            load(dump(state), Complaint)

    def wc_stream_dict() -> None:
        dump, load = conv.dump_event, conv.load_event
        for _ in range(trips):
            [load(d, trusted=True) for d in [dump(e) for e in events]]

    def wc_stream_json() -> None:
        dumps, loads = conv.dumps_event, conv.loads_event
        for _ in range(trips):
            [loads(t, trusted=True) for t in [dumps(e) for e in events]]

    def wc_stream_checked() -> None:
        dumps, loads = conv.dumps_event, conv.loads_event
        for _ in range(trips):
            [loads(t) for t in [dumps(e) for e in events]]

    def py_state_dict() -> None:
        validate = state_model.model_validate
        for _ in range(trips):
            validate(p_state.model_dump(mode="json"))

    def py_state_json() -> None:
        validate = state_model.model_validate_json
        for _ in range(trips):
            validate(p_state.model_dump_json())

    def py_stream_dict() -> None:
        for _ in range(trips):
            stream.validate_python(stream.dump_python(p_events, mode="json"))

    def py_stream_json() -> None:
        for _ in range(trips):
            stream.validate_json(stream.dump_json(p_events))

    times = interleaved(
        {
            "wc state dict": wc_state_dict,
            "pydantic state dict": py_state_dict,
            "wc state json": wc_state_json,
            "pydantic state json": py_state_json,
            "wc stream dict": wc_stream_dict,
            "pydantic stream dict": py_stream_dict,
            "wc stream json": wc_stream_json,
            "pydantic stream json": py_stream_json,
            "wc state checked": wc_state_checked,
            "wc stream checked": wc_stream_checked,
        },
        rounds,
    )
    size = len(conv.dumps(state))
    print(
        f"bench_codec: {trips} round trips of a complaint's state ({size:,} characters of JSON: "
        f"{len(state.clocks)} clocks, {len(state.contacts)} contacts) and of its "
        f"{len(events)}-event stream, {len(times['wc state dict'])} interleaved rounds"
    )
    for name, secs in times.items():
        print(rate_line(name, secs, trips, "round trips"))
    for what in ("state dict", "state json", "stream dict", "stream json"):
        ratios = speed_ratios(times, f"wc {what}", f"pydantic {what}")
        print(ratio_line(f"walletcare/pydantic, {what}", ratios, ">= 1.0"))
    checked = {"state checked": "state json", "stream checked": "stream json"}
    for mine, theirs in checked.items():
        ratios = speed_ratios(times, f"wc {mine}", f"pydantic {theirs}")
        print(ratio_line(f"walletcare checked/pydantic, {mine[:-8]} json", ratios))


if __name__ == "__main__":
    main(
        int(sys.argv[1]) if len(sys.argv) > 1 else 2000,
        int(sys.argv[2]) if len(sys.argv) > 2 else 7,
    )
