"""Compiled constructors build exactly what attrs' own ``__init__`` builds, and refuse alike."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import attrs
import pytest
from attrs import field, frozen
from hypothesis import given
from hypothesis import strategies as st

from tests.test_event_kinds import CLASSES, SAMPLES, T
from walletcare import Actor, Money, ports
from walletcare.domain.constructors import common_case
from walletcare.domain.events import aware, non_empty
from walletcare.domain.fieldtypes import as_tuple, check_fields
from walletcare.errors import ValidationError

ACTOR = Actor.staff("agent-1")


def _attrs_init(cls: type) -> Any:
    """attrs' own ``__init__`` of event class ``cls``, after its first value compiled it."""
    cls(**_sample(cls))  # the first value compiles the constructor
    return _attrs_init_of(cls)


def _attrs_init_of(cls: type) -> Any:
    """attrs' own ``__init__`` of ``cls``, which the compiled one hands the odd cases to."""
    assert cls.__init__.__code__.co_filename.startswith("<compiled init")
    return cls.__init__.__globals__["_attrs_init"]


def _sample(cls: type) -> dict[str, Any]:
    kind = next(k for k, c in CLASSES.items() if c is cls)
    return {"at": T, "by": ACTOR, **SAMPLES[kind]}


def _outcome(init: Any, cls: type, kwargs: dict[str, Any]) -> tuple[Any, ...]:
    """What building ``cls`` from ``kwargs`` through ``init`` gives: its fields, or its error."""
    value = object.__new__(cls)
    try:
        init(value, **kwargs)
    except Exception as error:  # the same error, whatever it is, is what must match
        return ("refused", type(error), str(error))
    return ("built", *(getattr(value, a.name) for a in attrs.fields(cls)))


ODD = st.one_of(
    st.none(),
    st.integers(),
    st.booleans(),
    st.text(max_size=4),
    st.sampled_from(["", " ", " x", "x ", "é", "\ud800", "\t"]),
    st.lists(st.text(max_size=2), max_size=2),
    st.just(datetime(2026, 1, 1)),  # naive
    st.just(datetime(2026, 1, 1, tzinfo=UTC)),
    st.just(ACTOR),
    st.just(Money.of("1.00", "EUR")),
    st.decimals(allow_nan=False, allow_infinity=False),
    st.just(()),
    st.just(("x",)),
    st.sampled_from([Decimal("1e30"), Decimal("Infinity"), Decimal("-0.001"), "EUR", "JPY"]),
)


@given(kind=st.sampled_from(sorted(SAMPLES)), data=st.data())
def test_every_event_is_built_as_attrs_builds_it(kind: str, data: st.DataObject) -> None:
    """Any event, with any of its fields replaced by odd values, is built with the same fields
    or refused with the same error as attrs' own constructor."""
    cls = CLASSES[kind]
    original = _attrs_init(cls)
    kwargs = _sample(cls)
    for name in data.draw(st.sets(st.sampled_from(sorted(kwargs)), max_size=3)):
        kwargs[name] = data.draw(ODD)
    assert _outcome(cls.__init__, cls, kwargs) == _outcome(original, cls, kwargs)


def _blank_reason(_: object, attribute: Any, value: Any) -> None:
    if value == "blank":
        raise ValidationError.of(attribute.name, "must not say blank")


calls: list[str] = []


def _counted() -> tuple[str, ...]:
    calls.append("factory")
    return ()


@common_case("type({v}) is int and {v} > 0", typed={int: "{v} > 0"})
def _positive(_: object, attribute: Any, value: Any) -> None:
    if not isinstance(value, int) or value <= 0:
        raise ValidationError.of(attribute.name, "must be positive")


@frozen
class Sample:
    """A value using every feature the compiler repeats."""

    id: str = field(validator=non_empty)
    count: int = field(validator=_positive)
    at: datetime = field(kw_only=True, validator=aware)
    note: str = field(kw_only=True, default="", validator=_blank_reason)
    tags: tuple[str, ...] = field(kw_only=True, factory=_counted, converter=as_tuple)
    remedy: Money | None = field(
        kw_only=True, default=None, validator=attrs.validators.optional(
            attrs.validators.instance_of(Money)
        )
    )

    def __attrs_post_init__(self) -> None:
        check_fields(self)


@frozen
class Checked:
    """A value whose own check does more than compare types."""

    low: int
    high: int

    def __attrs_post_init__(self) -> None:
        check_fields(self)
        if self.low > self.high:
            raise ValidationError.of("high", "must not be below low")


def test_a_value_is_compiled_on_first_use() -> None:
    """The first value built compiles the class; later ones go through the compiled code."""
    first = Sample("s-1", 1, at=T)
    assert Sample.__init__.__code__.co_filename == "<compiled init Sample>"
    second = Sample("s-1", 1, at=T)
    assert first == second
    assert Sample("s-1", count=2, at=T, note="n", tags=["a"]).tags == ("a",)


def test_positional_and_keyword_arguments_are_kept() -> None:
    """Fields attrs takes by position still are, and keyword-only ones are refused by position."""
    Sample("s-0", 1, at=T)
    with pytest.raises(TypeError):
        Sample("s-1", 1, T)  # type: ignore[misc]
    assert Sample(id="s-1", count=1, at=T).id == "s-1"


def test_factories_run_once_per_value_built() -> None:
    """A factory default is called once for a value that takes it, and not for one given."""
    Sample("s-0", 1, at=T)
    calls.clear()
    Sample("s-1", 1, at=T)
    Sample("s-2", 1, at=T, tags=("t",))
    assert calls == ["factory"]


@pytest.mark.parametrize(
    ("kwargs", "field_name"),
    [
        ({"id": " ", "count": 1, "at": T}, "id"),
        ({"id": "s", "count": 0, "at": T}, "count"),
        ({"id": "s", "count": True, "at": T}, "count"),
        ({"id": "s", "count": 1, "at": datetime(2026, 1, 1)}, "at"),
        ({"id": "s", "count": 1, "at": T, "note": "blank"}, "note"),
        ({"id": "s", "count": 1, "at": T, "tags": "ab"}, "tags"),
        ({"id": 5, "count": 1, "at": T}, "id"),
    ],
)
def test_every_check_still_refuses(kwargs: dict[str, Any], field_name: str) -> None:
    """A value failing any validator or type check is refused naming its field, after compiling."""
    Sample("s-0", 1, at=T)
    with pytest.raises(ValidationError) as refused:
        Sample(**kwargs)
    assert field_name in str(refused.value)


def test_attrs_validators_raise_as_they_did() -> None:
    """attrs' instance_of validator still raises its own error for a value it refuses."""
    Sample("s-0", 1, at=T)
    with pytest.raises(TypeError, match="remedy"):
        Sample("s", 1, at=T, remedy=Decimal("1"))  # type: ignore[arg-type]


@given(
    st.fixed_dictionaries(
        {"id": ODD, "count": ODD, "at": ODD},
        optional={"note": ODD, "tags": ODD, "remedy": ODD},
    )
)
def test_a_value_is_built_as_attrs_builds_it(kwargs: dict[str, Any]) -> None:
    """Odd values for every feature (validators, converters, factories) give what attrs gives."""
    Sample("s-0", 1, at=T)
    original = _attrs_init_of(Sample)
    assert _outcome(Sample.__init__, Sample, kwargs) == _outcome(original, Sample, kwargs)


def test_a_class_checking_more_runs_its_own_check() -> None:
    """A post-init that does more than check types is still called by the compiled init."""
    Checked(1, 2)
    assert Checked.__init__.__code__.co_filename == "<compiled init Checked>"
    with pytest.raises(ValidationError, match="high"):
        Checked(3, 2)
    with pytest.raises(ValidationError, match="low"):
        Checked("1", 2)  # type: ignore[arg-type]


def test_validators_switched_off_are_not_run() -> None:
    """With attrs' validators switched off, the compiled init runs none, as attrs' own does."""
    Sample("s-0", 1, at=T)
    with attrs.validators.disabled():
        assert Sample("s", 1, at=T, note="blank").note == "blank"


def test_a_class_with_its_own_init_is_left_alone() -> None:
    """A class whose __init__ is its own keeps it."""

    @frozen
    class Own:
        value: int

        def __init__(self, value: int) -> None:
            self.__attrs_init__(value=value)  # type: ignore[attr-defined]

        def __attrs_post_init__(self) -> None:
            check_fields(self)

    own = Own.__init__
    Own(1)
    assert Own.__init__ is own


RECORDS: dict[type, dict[str, Any]] = {
    ports.NewEvent: {"kind": "k", "schema_version": 1, "at": T, "data": "{}"},
    ports.StoredEvent: {
        "stream_id": "s", "stream_version": 1, "position": 1, "kind": "k",
        "schema_version": 1, "at": T, "data": "{}",
    },
    ports.SetTimer: {"name": "sla:x", "due_at": T},
    ports.CancelTimer: {"name": "sla:x"},
    ports.Timer: {"stream_id": "s", "name": "n", "due_at": T, "payload": "{}", "generation": 1},
    ports.OutboundMessage: {
        "id": "m", "stream_id": "s", "channel": "sms", "recipient": "+1", "template": "t",
        "body": "b", "due_at": T,
    },
    ports.StreamSummary: {
        "stream_id": "s", "kind": "complaint", "status": "open", "opened_at": T,
        "updated_at": T, "next_deadline": T, "attributes": {"a": "b"},
    },
    ports.Snapshot: {"kind": "complaint", "schema": 1, "data": "{}"},
    ports.Commit: {"stream_id": "s", "expected_version": 0},
    Money: {"amount": Decimal("1.00"), "currency": "EUR"},
}  # fmt: skip


@given(record=st.sampled_from(sorted(RECORDS, key=lambda c: c.__name__)), data=st.data())
def test_storage_records_are_built_as_attrs_builds_them(
    record: type, data: st.DataObject
) -> None:
    """The storage records and Money, compiled when loaded, build or refuse as attrs does."""
    assert record.__init__.__code__.co_filename.startswith("<compiled init")
    kwargs = dict(RECORDS[record])
    names = sorted(a.alias for a in attrs.fields(record))
    for name in data.draw(st.sets(st.sampled_from(names), max_size=3)):
        kwargs[name] = data.draw(ODD)
    original = _attrs_init_of(record)
    assert _outcome(record.__init__, record, kwargs) == _outcome(original, record, kwargs)
