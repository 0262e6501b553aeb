"""The one converter between walletcare values and plain data (JSON-ready dicts and strings).

``make_converter()`` builds a private cattrs converter: never ``cattrs.global_converter``, so
a host's own cattrs set-up and walletcare's cannot step on each other.

``load`` checks everything (a host's input); rows walletcare wrote itself are read back by
``load_trusted`` without checks, through ``walletcare.codec``; orjson writes the JSON text.

Wire forms: ``Decimal`` as a string, ``Money`` as ``{"amount": "12.30", "currency": "USD"}``,
aware datetimes as ISO 8601 with offset, dates as ISO 8601, durations as ISO 8601
(``P1DT2H``), enums by value, sets as sorted lists, calendars' hours as readable ranges, and
events as a tagged union on ``kind`` with a ``schema_version`` and upcasters from old versions.
"""

from __future__ import annotations

import collections.abc
import enum
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar, cast

import attrs
import cattrs
import orjson
from cattrs.errors import (
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
    StructureHandlerNotFoundError,
)
from cattrs.gen import make_dict_unstructure_fn, override

from walletcare.codec import Codec
from walletcare.domain.calendars import WEEKDAYS, BusinessCalendar, Interval, parse_hours
from walletcare.domain.durations import format_duration, parse_duration
from walletcare.domain.events import Event
from walletcare.domain.frozenmap import FrozenMap
from walletcare.errors import ConfigurationError, ValidationError
from walletcare.settings import Settings

__all__ = ["WalletcareConverter", "make_converter", "Upcaster", "event_types"]

T = TypeVar("T")
Upcaster = Callable[[dict[str, Any]], dict[str, Any]]
"""Turns an event's data at schema version N into its data at version N + 1."""


def event_types(classes: Iterable[type[Event]]) -> dict[str, type[Event]]:
    """``classes`` by their ``kind``; two classes claiming one kind is a ``ConfigurationError``."""
    found: dict[str, type[Event]] = {}
    for cls in classes:
        if not (isinstance(cls, type) and issubclass(cls, Event)) or not cls.kind:
            raise ConfigurationError(f"{cls!r} is not an event class with a kind")
        other = found.get(cls.kind)
        if other is not None and other is not cls:
            raise ConfigurationError(
                f"event kind {cls.kind!r} is used by both {other.__qualname__} "
                f"and {cls.__qualname__}"
            )
        found[cls.kind] = cls
    return found


# -- primitive hooks -----------------------------------------------------------------------
def _structure_decimal(value: object, _: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValueError(f"must be a decimal string, got {type(value).__name__}")
    try:
        result = Decimal(value)
    except InvalidOperation:
        raise ValueError(f"{value!r} is not a decimal number") from None
    if not result.is_finite():
        raise ValueError(f"must be finite, got {value!r}")
    return result


def _is_callable_type(cl: Any) -> bool:
    return getattr(cl, "__origin__", None) is collections.abc.Callable


def _structure_callable(value: object, _: object) -> Any:
    if not callable(value):
        raise ValueError("must be a function given in Python, not data")
    return value


def _is_frozen_map(cl: Any) -> bool:
    return getattr(cl, "__origin__", cl) is FrozenMap


def _is_set_type(cl: Any) -> bool:
    origin = getattr(cl, "__origin__", cl)
    return origin in (set, frozenset)


def _member(value: object, cl: type[Any]) -> Any:
    try:
        return cl(value)
    except ValueError:
        choices = ", ".join(repr(m.value) for m in cl)
        raise ValueError(f"{value!r} is not one of {choices}") from None


def _structure_str(value: object, cl: type[Any]) -> Any:
    if cl is not str and issubclass(cl, enum.Enum):
        return _member(value, cl)
    if not isinstance(value, str):
        raise ValueError(f"must be a string, got {type(value).__name__}")
    return value


def _structure_int(value: object, cl: type[Any]) -> Any:
    if cl is bool:
        if not isinstance(value, bool):
            raise ValueError(f"must be true or false, got {type(value).__name__}")
        return value
    if cl is not int and issubclass(cl, enum.Enum):
        return _member(value, cl)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"must be an integer, got {type(value).__name__}")
    return value


def _structure_datetime(value: object, _: object) -> datetime:
    if not isinstance(value, str):
        raise ValueError(f"must be an ISO 8601 string, got {type(value).__name__}")
    try:
        result = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not an ISO 8601 date-time") from None
    if result.tzinfo is None:
        raise ValueError(f"{value!r} has no UTC offset (naive date-times are refused)")
    return result


def _structure_date(value: object, _: object) -> date:
    if not isinstance(value, str):
        raise ValueError(f"must be an ISO 8601 date string, got {type(value).__name__}")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not an ISO 8601 date") from None


def _format_week(hours: tuple[tuple[Interval, ...], ...]) -> dict[str, str]:
    def clock(minute: int) -> str:
        return f"{minute // 60:02d}:{minute % 60:02d}"

    return {
        WEEKDAYS[day]: ",".join(f"{clock(s)}-{clock(e)}" for s, e in intervals) or "closed"
        for day, intervals in enumerate(hours)
    }


# -- error paths ---------------------------------------------------------------------------
def _problems(exc: BaseException, path: str) -> Iterator[tuple[str, str]]:  # noqa: PLR0912 (one branch per cattrs error shape)
    if isinstance(exc, ClassValidationError):
        with_notes, without = exc.group_exceptions()
        for inner, note in with_notes:
            yield from _problems(inner, f"{path}.{note.name}" if path else note.name)
        for inner in without:
            yield from _problems(inner, path)
    elif isinstance(exc, IterableValidationError):
        with_index, without = exc.group_exceptions()
        for inner, inote in with_index:
            yield from _problems(inner, f"{path}[{inote.index!r}]")
        for inner in without:
            yield from _problems(inner, path)
    elif isinstance(exc, ForbiddenExtraKeysError):
        for key in sorted(exc.extra_fields):
            yield (f"{path}.{key}" if path else key, "unknown field")
    elif isinstance(exc, ValidationError):
        for name, what in exc.problems.items():
            if path == name or path.endswith(f".{name}"):
                yield (path, what)
            else:
                yield (f"{path}.{name}" if path else name, what)
    elif isinstance(exc, KeyError):
        yield (path or "value", "required field is missing")
    elif isinstance(exc, StructureHandlerNotFoundError):
        yield (path or "value", f"cannot be read as {exc.type_!r}")
    else:
        yield (path or "value", str(exc) or type(exc).__name__)


class WalletcareConverter(cattrs.Converter):
    """cattrs converter with walletcare's wire forms, checked loading and the event union."""

    def __init__(
        self,
        upcasters: Mapping[tuple[str, int], Upcaster] | None = None,
        events: Iterable[type[Event]] = (),
    ) -> None:
        super().__init__(forbid_extra_keys=True)
        self._upcasters: dict[tuple[str, int], Upcaster] = {}
        self._event_types: dict[str, type[Event]] = {}
        self.register_events(*events)
        for key, upcast in (upcasters or {}).items():
            self.register_upcaster(key, upcast)
        self.register_structure_hook(Decimal, _structure_decimal)
        self.register_unstructure_hook(Decimal, str)
        self.register_structure_hook(datetime, _structure_datetime)
        self.register_unstructure_hook(datetime, datetime.isoformat)
        self.register_structure_hook(date, _structure_date)
        self.register_unstructure_hook(date, date.isoformat)
        self.register_structure_hook(timedelta, lambda v, _: parse_duration(v))
        self.register_unstructure_hook(timedelta, format_duration)
        self.register_unstructure_hook_func(_is_set_type, self._unstructure_set)
        self.register_unstructure_hook_func(_is_frozen_map, self._unstructure_map)
        self.register_structure_hook_func(_is_frozen_map, self._structure_map)
        # A kind's policy is held as ``object`` in settings and read as the kind's own policy
        # class when Walletcare starts; upcasters are code, given in Python, never as data.
        self.register_structure_hook_func(lambda cl: cl is object, lambda value, _: value)
        self.register_structure_hook_func(_is_callable_type, _structure_callable)
        # Class hooks also catch subclasses (StrEnum, IntEnum, bool), which they dispatch on.
        self.register_structure_hook(str, _structure_str)
        self.register_structure_hook(int, _structure_int)
        self._register_calendar()
        self.register_unstructure_hook(
            Settings,
            make_dict_unstructure_fn(Settings, self, upcasters=override(omit=True)),
        )
        # Classes with hooks of their own above are handed back to cattrs by the codec.
        self.codec = Codec(
            self.unstructure, self.structure, custom=frozenset({BusinessCalendar, Settings})
        )
        self._event_dumpers: dict[type[Event], Callable[[Event], Any]] = {}
        self._event_natives: dict[type[Event], Callable[[Event], Any]] = {}

    def _unstructure_map(self, value: FrozenMap[Any, Any]) -> dict[Any, Any]:
        return {self.unstructure(k): self.unstructure(v) for k, v in value.items()}

    def _structure_map(self, value: object, cl: Any) -> FrozenMap[Any, Any]:
        args = getattr(cl, "__args__", None) or (Any, Any)
        if not isinstance(value, Mapping):
            raise ValueError(f"must be a mapping, got {type(value).__name__}")
        return FrozenMap(self.structure(dict(value), dict[args[0], args[1]]))  # type: ignore[valid-type]

    def _unstructure_set(self, value: frozenset[Any] | set[Any]) -> list[Any]:
        return sorted(self.unstructure(item) for item in value)

    def _register_calendar(self) -> None:
        base_unstructure = self.get_unstructure_hook(BusinessCalendar)

        def unstructure_calendar(cal: BusinessCalendar) -> dict[str, Any]:
            data = cast(dict[str, Any], base_unstructure(cal))
            data["hours"] = _format_week(cal.hours)
            return data

        def structure_calendar(value: object, _: object) -> BusinessCalendar:
            if not isinstance(value, Mapping):
                raise ValueError("a calendar must be a mapping")
            data = dict(value)
            hours = data.get("hours")
            if isinstance(hours, Mapping):
                data["hours"] = parse_hours(hours)
            extra = set(data) - {
                "zone",
                "hours",
                "country",
                "subdivision",
                "market",
                "closed_dates",
                "open_dates",
            }
            if extra:
                raise ValidationError(dict.fromkeys(sorted(extra), "unknown field"))
            try:
                return BusinessCalendar(
                    zone=data.get("zone", ""),
                    hours=data.get("hours", ()),
                    country=data.get("country"),
                    subdivision=data.get("subdivision"),
                    market=data.get("market"),
                    closed_dates=frozenset(
                        _structure_date(d, date) for d in data.get("closed_dates", ())
                    ),
                    open_dates=frozenset(
                        _structure_date(d, date) for d in data.get("open_dates", ())
                    ),
                )
            except TypeError as exc:
                raise ValueError(str(exc)) from None

        self.register_unstructure_hook(BusinessCalendar, unstructure_calendar)
        self.register_structure_hook(BusinessCalendar, structure_calendar)

    # -- checked loading -------------------------------------------------------------------
    def load(self, data: object, cl: type[T], *, path: str = "") -> T:
        """Structure ``data`` as ``cl``; any problem is a ``ValidationError`` naming its path."""
        try:
            return self.structure(data, cl)
        except (ClassValidationError, IterableValidationError) as exc:
            raise ValidationError(list(_problems(exc, path))) from None
        except (ValidationError, ValueError, TypeError, KeyError, AttributeError) as exc:
            raise ValidationError(list(_problems(exc, path))) from None

    def dump(self, value: object) -> Any:
        """Unstructure ``value`` to plain data (dicts, lists, strings, numbers)."""
        cl = type(value)
        if attrs.has(cl):
            return self.codec.dumper(cl)(value)
        return self.unstructure(value)

    def dumps(self, value: object) -> str:
        """``value`` as compact JSON text: the JSON of ``dump(value)``."""
        cl = type(value)
        data = self.codec.native(cl)(value) if attrs.has(cl) else self.unstructure(value)
        return orjson.dumps(data).decode()

    def load_trusted(self, data: object, cl: type[T]) -> T:
        """A ``cl`` from plain data walletcare wrote (rows from storage, never a host's input),
        unchecked; data that does not fit (a damaged row) is a ``ValidationError``."""
        try:
            return cast(T, self.codec.loader(cl)(data))
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
            raise ValidationError.of(
                cl.__name__, f"does not read back: {type(exc).__name__}: {exc}"
            ) from None

    def loads_trusted(self, text: str | bytes, cl: type[T]) -> T:
        """Like ``load_trusted``, from the JSON text ``dumps`` wrote."""
        try:
            data = orjson.loads(text)
        except orjson.JSONDecodeError:
            raise ValidationError.of(cl.__name__, "is not valid JSON") from None
        return self.load_trusted(data, cl)

    # -- events ----------------------------------------------------------------------------
    def register_events(self, *classes: type[Event]) -> None:
        """Make ``classes`` known to this converter (and to no other) by their ``kind``."""
        merged = event_types([*self._event_types.values(), *classes])
        self._event_types = merged

    def register_upcaster(self, key: tuple[str, int], upcast: Upcaster) -> None:
        """Upcast events of kind ``key[0]`` stored at schema version ``key[1]`` by one version."""
        if (
            not isinstance(key, tuple)
            or len(key) != 2
            or not isinstance(key[0], str)
            or isinstance(key[1], bool)
            or not isinstance(key[1], int)
            or key[1] < 1
        ):
            raise ConfigurationError(f"an upcaster key is (kind, from_version), got {key!r}")
        if not callable(upcast):
            raise ConfigurationError(f"the upcaster for {key!r} is not callable")
        self._upcasters[key] = upcast

    @property
    def event_types(self) -> Mapping[str, type[Event]]:
        """The event classes this converter knows, by kind."""
        return self._event_types

    def _registered(self, event: Event) -> type[Event]:
        cls = self._event_types.get(type(event).kind)
        if cls is not type(event):
            raise ConfigurationError(f"{type(event).__qualname__} has no registered event kind")
        return cls

    def dump_event(self, event: Event) -> dict[str, Any]:
        """An event as a tagged dict: ``kind``, ``schema_version``, then its fields."""
        cls = type(event)
        dump = self._event_dumpers.get(cls)
        if dump is None:
            dump = self._event_dumpers[cls] = self.codec.dumper(self._registered(event))
        return {"kind": cls.kind, "schema_version": cls.schema_version, **dump(event)}

    def dumps_event_body(self, event: Event) -> str:
        """An event's fields as JSON text, without the kind and version storage keeps apart."""
        cls = type(event)
        native = self._event_natives.get(cls)
        if native is None:
            native = self._event_natives[cls] = self.codec.native(self._registered(event))
        return orjson.dumps(native(event)).decode()

    def loads_event_body(self, kind: str, schema_version: int, text: str | bytes) -> Event:
        """An event from the body ``dumps_event_body`` wrote: unchecked at the current schema
        version (walletcare's own row), upcast and checked at an older one."""
        cls = self._event_types.get(kind)
        if cls is not None and schema_version == cls.schema_version:
            return self.loads_trusted(text, cls)
        try:
            body = orjson.loads(text)
        except orjson.JSONDecodeError:
            raise ValidationError.of("event", "is not valid JSON") from None
        if not isinstance(body, dict):
            raise ValidationError.of("event", "the body is not a JSON object")
        return self.load_event({**body, "kind": kind, "schema_version": schema_version})

    def load_event(self, data: object, *, trusted: bool = False) -> Event:
        """Read a tagged event dict, upcasting it from older schema versions first;
        ``trusted=True``: walletcare's own dict, unchecked at the current schema version."""
        if trusted and type(data) is dict:
            cls = self._event_types.get(data.get("kind"))  # type: ignore[arg-type]
            if cls is not None and data.get("schema_version") == cls.schema_version:
                return self.load_trusted(data, cls)
        if not isinstance(data, Mapping):
            raise ValidationError.of("event", f"must be a mapping, got {type(data).__name__}")
        body = dict(data)
        kind = body.pop("kind", None)
        version = body.pop("schema_version", 1)
        if not isinstance(kind, str):
            raise ValidationError.of("kind", "is missing")
        cls = self._event_types.get(kind)
        if cls is None:
            raise ValidationError.of("kind", f"{kind!r} is not a known event kind")
        if isinstance(version, bool) or not isinstance(version, int) or version < 1:
            raise ValidationError.of("schema_version", f"must be a positive int, got {version!r}")
        if version > cls.schema_version:
            raise ValidationError.of(
                "schema_version",
                f"{kind} v{version} is newer than this library's v{cls.schema_version}",
            )
        while version < cls.schema_version:
            upcast = self._upcasters.get((kind, version))
            if upcast is None:
                raise ValidationError.of("schema_version", f"no upcaster for {kind} v{version}")
            body = upcast(body)
            version += 1
        return self.load(body, cls)

    def dumps_event(self, event: Event) -> str:
        """An event as compact JSON text (the tagged dict form)."""
        cls = self._registered(event)
        native = self._event_natives.get(cls)
        if native is None:
            native = self._event_natives[cls] = self.codec.native(cls)
        tagged = {"kind": cls.kind, "schema_version": cls.schema_version, **native(event)}
        return orjson.dumps(tagged).decode()

    def loads_event(self, text: str | bytes, *, trusted: bool = False) -> Event:
        """Read an event from the JSON text ``dumps_event`` wrote (checked, like any input,
        unless ``trusted``: see ``load_event``)."""
        try:
            data = orjson.loads(text)
        except (TypeError, orjson.JSONDecodeError):
            raise ValidationError.of("event", "is not valid JSON") from None
        return self.load_event(data, trusted=trusted)


def make_converter(
    upcasters: Mapping[tuple[str, int], Upcaster] | None = None,
    events: Iterable[type[Event]] = (),
) -> WalletcareConverter:
    """Build walletcare's converter knowing ``events`` (and only those); ``upcasters`` maps
    ``(kind, from_version)`` to a function."""
    return WalletcareConverter(upcasters, events)
