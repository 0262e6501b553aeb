"""Checking a value's fields against their declared types when the value is built.

Whatever a command accepts is written to storage and read back by the converter, which is
strict about types. A value that held ``5`` where its class declares ``str`` would be
written, and then every later read of its case would fail. So events and the values
commands take check their declared types at construction: the mistake is refused, as a
``ValidationError`` naming the field, before anything is written.

The check for each class is compiled once, from its type hints, on first use: a generated
expression that accepts the common case (exact types, ASCII text) in one pass, and the full
check, which names every field at fault, for anything else.
"""

from __future__ import annotations

import collections.abc
import enum
import typing
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, Union
from zoneinfo import ZoneInfo

import attrs

from walletcare.domain.constructors import compile_init
from walletcare.domain.frozenmap import FrozenMap, frozen_map
from walletcare.errors import ValidationError

__all__ = ["check_fields", "text_problem", "as_tuple", "as_frozenset", "as_map", "to_enum"]

Check = Callable[[Any], str | None]
"""What is wrong with a value for one declared type (None: nothing)."""

_compiled: dict[type, tuple[tuple[str, Check], ...]] = {}
_quick: dict[type, Callable[[Any], bool]] = {}
_UNION_TYPE = type(int | str)  # what ``X | Y`` makes, beside typing.Union


def text_problem(value: str) -> str | None:
    """What keeps ``value`` from being stored as UTF-8 text (a lone surrogate), if anything."""
    if value.isascii():
        return None
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "contains a character that is not valid text (a lone surrogate)"
    return None


def _check_str(value: Any) -> str | None:
    if type(value) is str and value.isascii():
        return None  # the common case, first
    if not isinstance(value, str):
        return f"must be a string, got {type(value).__name__}"
    return text_problem(value)


def _check_bool(value: Any) -> str | None:
    return None if isinstance(value, bool) else f"must be true or false, got {value!r}"


def _check_int(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return f"must be an int, got {type(value).__name__}"
    return None


_ZONES = (timezone, ZoneInfo)
"""Time zones that always give an offset: a datetime in one is aware without asking."""


def _check_datetime(value: Any) -> str | None:
    if type(value) is datetime and type(value.tzinfo) in _ZONES:
        return None  # the common case, without computing an offset
    if not isinstance(value, datetime) or value.utcoffset() is None:
        return "must be a timezone-aware datetime"
    return None


def _instance(cls: type) -> Check:
    name = cls.__name__

    def check(value: Any) -> str | None:
        return None if isinstance(value, cls) else f"must be a {name}, got {type(value).__name__}"

    return check


def _enum(cls: type[enum.Enum]) -> Check:
    choices = ", ".join(str(m.value) for m in cls)

    def check(value: Any) -> str | None:
        return None if isinstance(value, cls) else f"{value!r} is not one of {choices}"

    return check


def _optional(inner: Check) -> Check:
    def check(value: Any) -> str | None:
        return None if value is None else inner(value)

    return check


def _any_of(options: Sequence[Check]) -> Check:
    def check(value: Any) -> str | None:
        problems = [c(value) for c in options]
        return None if None in problems else problems[0]

    return check


def _items(inner: Check, container: tuple[type, ...], what: str) -> Check:
    def check(value: Any) -> str | None:
        if isinstance(value, str | bytes) or not isinstance(value, container):
            return f"must be {what}, got {type(value).__name__}"
        items = typing.cast(Sequence[Any], value)  # a tuple, list or set, checked just above
        for i, item in enumerate(items):
            problem = inner(item)
            if problem is not None:
                return f"[{i}] {problem}"
        return None

    return check


def _fixed(items: Sequence[Check]) -> Check:
    def check(value: Any) -> str | None:
        if not isinstance(value, tuple) or len(value) != len(items):
            return f"must be a tuple of {len(items)}"
        for i, (inner, item) in enumerate(zip(items, value, strict=True)):
            problem = inner(item)
            if problem is not None:
                return f"[{i}] {problem}"
        return None

    return check


def _mapping(key: Check, value_check: Check) -> Check:
    def check(value: Any) -> str | None:
        if not isinstance(value, Mapping):
            return f"must be a mapping, got {type(value).__name__}"
        for k, v in value.items():
            problem = key(k) or value_check(v)
            if problem is not None:
                return f"[{k!r}] {problem}"
        return None

    return check


def _skip(_: Any) -> None:
    return None


def _check_callable(value: Any) -> str | None:
    return None if callable(value) else f"must be callable, got {type(value).__name__}"


_SIMPLE: dict[Any, Check] = {
    str: _check_str,
    bool: _check_bool,
    int: _check_int,
    datetime: _check_datetime,
    timedelta: _instance(timedelta),
    date: _instance(date),
    Decimal: _instance(Decimal),
    Any: _skip,
    object: _skip,
}


def _compile(hint: Any) -> Check:  # noqa: PLR0911 (one return per kind of type)
    simple = _SIMPLE.get(hint)
    if simple is not None:
        return simple
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (Union, _UNION_TYPE):
        options = [a for a in args if a is not type(None)]
        inner = (
            _compile(options[0]) if len(options) == 1 else _any_of([_compile(a) for a in options])
        )
        return _optional(inner) if len(options) < len(args) else inner
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return _items(_compile(args[0]), (tuple,), "a tuple")
        return _fixed([_compile(a) for a in args])
    if origin in (Sequence, list):
        return _items(_compile(args[0]) if args else _skip, (tuple, list), "a list")
    if origin in (frozenset, set):
        return _items(_compile(args[0]) if args else _skip, (frozenset, set), "a set")
    if origin in (Mapping, dict, FrozenMap):
        key, value = (_compile(a) for a in args) if args else (_skip, _skip)
        return _mapping(key, value)
    if origin is collections.abc.Callable:
        return _check_callable
    if origin is typing.Literal:
        allowed = args
        return lambda v: None if v in allowed else f"must be one of {allowed!r}, got {v!r}"
    if isinstance(hint, type):
        if issubclass(hint, enum.Enum):
            return _enum(hint)
        return _instance(hint)
    return _skip  # type variables, callables, protocols: checked where they are used


def _checks(cls: type) -> tuple[tuple[str, Check], ...]:
    found = _compiled.get(cls)
    if found is None:
        hints = typing.get_type_hints(cls)
        found = tuple(
            (f.name, _compile(hints[f.name]))
            for f in attrs.fields(cls)
            if f.name in hints and f.init
        )
        _compiled[cls] = found
    return found


def _guard(hint: Any, name: str, scope: dict[str, Any]) -> str | None:  # noqa: PLR0911 (one return per kind of type)
    """A Python expression true when ``name`` (re-evaluable) surely holds a ``hint``;
    None where the type accepts anything."""
    if hint is str:
        return f"(type({name}) is str and {name}.isascii())"
    if hint is bool or hint is int:
        return f"type({name}) is {hint.__name__}"
    if hint is datetime:
        scope["_datetime"], scope["_UTC"] = datetime, UTC
        return (
            f"(type({name}) is _datetime and "
            f"({name}.tzinfo is _UTC or {name}.utcoffset() is not None))"
        )
    if hint is Any or hint is object:
        return None
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (Union, _UNION_TYPE) and len(args) == 2 and type(None) in args:
        inner = _guard(next(a for a in args if a is not type(None)), name, scope)
        return None if inner is None else f"({name} is None or {inner})"
    if isinstance(hint, type) and origin is None and hint not in _SIMPLE:
        key = f"_t{len(scope)}"
        scope[key] = hint
        return f"type({name}) is {key}"
    key = f"_c{len(scope)}"
    scope[key] = _compile(hint)
    if origin is tuple:
        return f"(type({name}) is tuple and (not {name} or {key}({name}) is None))"
    return f"{key}({name}) is None"


def _quick_check(cls: type) -> Callable[[Any], bool]:
    """One generated expression: True when every field surely holds its declared type."""
    found = _quick.get(cls)
    if found is None:
        scope: dict[str, Any] = {}
        hints = typing.get_type_hints(cls)
        guards = [
            _guard(hints[f.name], f"o.{f.name}", scope)
            for f in attrs.fields(cls)
            if f.name in hints and f.init
        ]
        body = " and ".join(g for g in guards if g is not None) or "True"
        namespace: dict[str, Any] = {}
        source = f"def quick(o):\n    return {body}\n"
        exec(compile(source, f"<field check {cls.__qualname__}>", "exec"), scope, namespace)  # noqa: S102 (built from the class's own type hints)
        found = _quick[cls] = namespace["quick"]
    return found


def _checks_fields_only(self: object) -> None:
    check_fields(self)


def _only_checks_fields(post_init: Any) -> bool:
    """Whether ``post_init`` does nothing but ``check_fields(self)`` (as ``Event``'s does)."""
    if post_init is check_fields:
        return True
    code, reference = getattr(post_init, "__code__", None), _checks_fields_only.__code__
    return (
        code is not None
        and code.co_code == reference.co_code
        and code.co_names == reference.co_names
        and code.co_argcount == 1
        and getattr(post_init, "__globals__", {}).get("check_fields") is check_fields
    )


def _first_use(cls: type) -> Callable[[Any], bool]:
    """Compile the class's field check and, for an attrs class, its constructor."""
    quick = _quick_check(cls)
    compile_init(
        cls,
        type_guard=_guard,
        checks_types=_only_checks_fields(getattr(cls, "__attrs_post_init__", None)),
    )
    return quick


def check_fields(value: object) -> None:
    """Raise a ``ValidationError`` naming every field of ``value`` that is not of its type.

    The first value of each class checked also compiles the class's constructor
    (``walletcare.domain.constructors``), which then does this check in its common case.
    """
    cls = type(value)
    quick = _quick.get(cls) or _first_use(cls)
    if quick(value):
        return
    problems: dict[str, str] = {}
    for name, check in _checks(cls):
        problem = check(getattr(value, name))
        if problem is None:
            continue
        if problem.startswith("["):  # an item of a list or mapping: name it by its index
            index, _, problem = problem.partition("] ")
            problems[f"{name}{index}]"] = problem
        else:
            problems[name] = problem
    if problems:
        raise ValidationError(problems)


def _collection(value: Any) -> bool:
    """Whether ``value`` is a collection of items a host wrote (not text, bytes or a mapping)."""
    return isinstance(value, Iterable) and not isinstance(value, str | bytes | Mapping)


def as_tuple(value: Any) -> Any:
    """attrs converter: a list (or any collection) as a tuple; anything else as it is, for
    ``check_fields`` to refuse naming the field."""
    if isinstance(value, tuple) or not _collection(value):
        return value
    return tuple(value)


def as_frozenset(value: Any) -> Any:
    """attrs converter: a set, list or tuple as a frozenset; anything else (text, a number)
    as it is, for ``check_fields`` to refuse naming the field."""
    if isinstance(value, frozenset) or not _collection(value):
        return value
    try:
        return frozenset(value)
    except TypeError:  # an unhashable item: the field's check names it
        return value


def as_map(value: Any) -> Any:
    """attrs converter: a mapping (or pairs) as a ``FrozenMap``; anything else as it is, for
    ``check_fields`` to refuse naming the field."""
    try:
        return frozen_map(value)
    except ValidationError:
        return value


def to_enum(cls: type[enum.Enum], value: Any) -> Any:
    """For attrs converters: one of ``cls``'s values (``"link"``) as its member; anything else
    as it is, for ``check_fields`` to refuse naming the field."""
    if isinstance(value, cls):
        return value
    try:
        return cls(value)
    except (ValueError, TypeError):
        return value
