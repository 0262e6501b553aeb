"""Compiled codecs: one generated function per class turns a frozen value into plain data,
and one turns plain data walletcare wrote itself back into the value.

The converter (``walletcare.serialization``) reads a host's input, and checks everything:
types, values, unknown fields, the class's validators. Events and snapshots read back from
storage were checked when they were built, before they were written; checking them again on
every load only costs time. So ``Codec.loader`` builds values *without* running validators
or ``__attrs_post_init__`` (it sets the fields directly), and ``Codec.dumper`` writes the
converter's wire forms field by field, with every type resolved once, when the function is
generated, instead of dispatched on each call.

The wire forms are the converter's, exactly: ``Decimal`` as a string, datetimes and dates
as ISO 8601, durations as ISO 8601, enums by value, sets as sorted lists, tuples as lists,
``FrozenMap`` as an object. A type the codec does not compile (a union of two classes, a
class with custom converter hooks) is handed to the converter for that field alone.
"""

from __future__ import annotations

import enum
import functools
import itertools
import typing
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, Union

import attrs
import orjson

from walletcare.domain.durations import format_duration, parse_duration
from walletcare.domain.frozenmap import FrozenMap

__all__ = ["Codec", "Dump", "Load"]

Dump = Callable[[Any], Any]
"""A value to plain data (dicts, lists, strings, numbers, booleans, None)."""
Load = Callable[[Any], Any]
"""Plain data walletcare wrote back to its value, unchecked."""

PLAIN, NATIVE, LOAD = "plain", "native", "load"
INTERNED = 4096
"""How many distinct small values (actors, contact points) a loader keeps to hand out again."""
_UNION_TYPE = type(int | str)
_IDENTITY = (str, int, bool, float, type(None))
_new = object.__new__
_set = object.__setattr__


class _Source:
    """Names and constants a generated function refers to, and fresh local names."""

    def __init__(self) -> None:
        self.globals: dict[str, Any] = {"_new": _new, "_set": _set}
        self._names = itertools.count()

    def fresh(self, stem: str = "v") -> str:
        return f"{stem}{next(self._names)}"

    def constant(self, value: Any, stem: str = "c") -> str:
        name = self.fresh(f"_{stem}")
        self.globals[name] = value
        return name


class Codec:
    """Generates and keeps a dumper and a trusting loader per type.

    ``fallback_dump(value)`` and ``fallback_load(data, type)`` handle what the codec does not
    compile; ``custom`` names classes with their own converter hooks, always handed over.
    """

    def __init__(
        self,
        fallback_dump: Callable[[Any], Any],
        fallback_load: Callable[[Any, Any], Any],
        custom: frozenset[type] = frozenset(),
    ) -> None:
        self._fallback_dump = fallback_dump
        self._fallback_load = fallback_load
        self._custom = custom
        self._made: dict[str, dict[Any, Callable[[Any], Any]]] = {PLAIN: {}, NATIVE: {}, LOAD: {}}
        self._loaders = self._made[LOAD]
        self._compiling: set[tuple[Any, str]] = set()

    # -- public ----------------------------------------------------------------------------
    def dumper(self, cl: Any) -> Dump:
        """The function turning a ``cl`` into plain data (generated on first use)."""
        return self._get(cl, PLAIN)

    def native(self, cl: Any) -> Dump:
        """The function turning a ``cl`` into what orjson writes as the plain data's JSON.

        Datetimes, dates, enums and tuples are left for orjson, which writes them in the
        same forms (ISO 8601, by value, as arrays) in native code.
        """
        return self._get(cl, NATIVE)

    def loader(self, cl: Any) -> Load:
        """The function building a ``cl`` from plain data walletcare wrote, without checks."""
        found = self._loaders.get(cl)
        return found if found is not None else self._get(cl, LOAD)

    def _get(self, cl: Any, mode: str) -> Callable[[Any], Any]:
        made = self._made[mode]
        found = made.get(cl)
        if found is None:
            found = made[cl] = self._compile(cl, mode)
        return found

    # -- generation ------------------------------------------------------------------------
    def _compile(self, cl: Any, mode: str) -> Callable[[Any], Any]:
        src = _Source()
        if not self._is_record(cl):
            body = self._expr(cl, "x", src, mode)
            return _define(mode, ["x"], [f"return {body}"], src)
        self._compiling.add((cl, mode))
        try:
            return self._record(cl, src, mode)
        finally:
            self._compiling.discard((cl, mode))

    def _is_record(self, cl: Any) -> bool:
        return (
            isinstance(cl, type)
            and attrs.has(cl)
            and cl not in self._custom
            and all(f.init for f in attrs.fields(cl))
        )

    def _record(self, cl: type, src: _Source, mode: str) -> Callable[[Any], Any]:
        name = f"{mode}_{cl.__name__}"
        hints = typing.get_type_hints(cl)
        fields = [f for f in attrs.fields(cl) if f.init]
        lines: list[str] = []
        if mode != LOAD:
            items: list[str] = []
            for f in fields:
                value = f"o.{f.name}"
                hint = hints.get(f.name, Any)
                if not self._kept(hint, mode):
                    local = src.fresh()
                    lines.append(f"{local} = o.{f.name}")
                    value = self._expr(hint, local, src, mode)
                items.append(f"{f.name!r}: {value}")
            lines.append("return {" + ", ".join(items) + "}")
            return _define(name, ["o"], lines, src)
        return self._load_record(cl, src, name, hints, fields)

    def _load_record(
        self, cl: type, src: _Source, name: str, hints: dict[str, Any], fields: list[Any]
    ) -> Callable[[Any], Any]:
        mode = LOAD
        lines: list[str] = []
        cls = src.constant(cl, "cls")
        keep = self._interning(src, hints, fields, lines)
        lines.append(f"o = _new({cls})")
        slotted = not hasattr(_new(cl), "__dict__")
        # Rows walletcare wrote hold every field: read them straight. A row written before a
        # field with a default existed takes the careful way below.
        lines.append(f"if len(d) == {len(fields)}:")
        lines.append("    try:")
        fast: list[tuple[str, str]] = []
        for f in fields:
            hint = hints.get(f.name, Any)
            key = f.alias or f.name
            if self._identity(hint):
                fast.append((f.name, f"d[{key!r}]"))
            else:
                raw = src.fresh()
                lines.append(f"        {raw} = d[{key!r}]")
                fast.append((f.name, self._expr(hint, raw, src, mode)))
        lines.extend(f"        {line}" for line in self._fill(cl, src, fast, slotted=slotted))
        lines.append(f"        {keep}")
        lines.append("        return o")
        lines.append("    except KeyError:")
        lines.append("        pass")
        values: list[tuple[str, str]] = []
        for f in fields:
            hint = hints.get(f.name, Any)
            key = f.alias or f.name
            raw = src.fresh()
            if f.default is attrs.NOTHING:
                lines.append(f"{raw} = d[{key!r}]")
            else:
                missing = src.constant(attrs.NOTHING, "missing")
                lines.append(f"{raw} = d.get({key!r}, {missing})")
            value = raw if self._identity(hint) else self._expr(hint, raw, src, mode)
            if f.default is not attrs.NOTHING:
                default = f.default
                if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
                    factory = src.constant(default.factory, "factory")
                    fallback = f"{factory}(o)" if default.takes_self else f"{factory}()"
                else:
                    fallback = src.constant(default, "default")
                value = f"({fallback} if {raw} is {missing} else {value})"
            values.append((f.name, value))
        lines.extend(self._fill(cl, src, values, slotted=slotted))
        lines.append(keep)
        lines.append("return o")
        return _define(name, ["d"], lines, src)

    def _interning(
        self, src: _Source, hints: dict[str, Any], fields: list[Any], lines: list[str]
    ) -> str:
        """Small values of text (an actor, a contact point) recur on every row: one instance
        per distinct row, kept in a bounded table. Returns the statement that keeps one."""
        small = len(fields) <= 4 and all(
            self._identity(h) or (isinstance(h, type) and issubclass(h, enum.Enum))
            for h in (hints.get(f.name, Any) for f in fields)
        )
        if not small:
            return "pass"
        table = src.constant({}, "seen")
        lines.append("key = tuple(d.items())")
        lines.append(f"o = {table}.get(key)")
        lines.append("if o is not None:")
        lines.append("    return o")
        lines.append(f"if len({table}) >= {INTERNED}:")
        lines.append(f"    {table}.clear()")
        return f"{table}[key] = o"

    @staticmethod
    def _fill(
        cl: type, src: _Source, values: list[tuple[str, str]], *, slotted: bool
    ) -> list[str]:
        """Statements setting ``o``'s fields, bypassing the frozen class's ``__setattr__``."""
        if slotted:
            lines = []
            for n, v in values:
                # The slot's own descriptor sets it faster than object.__setattr__ finds it.
                slot: Any = next((k.__dict__[n] for k in cl.__mro__ if n in k.__dict__), None)
                if type(slot).__name__ == "member_descriptor":
                    lines.append(f"{src.constant(slot.__set__, 'slot')}(o, {v})")
                else:
                    lines.append(f"_set(o, {n!r}, {v})")
            return lines
        # Not slotted: the instance's whole __dict__ at once.
        entries = ", ".join(f"{n!r}: {v}" for n, v in values)
        return [f"_set(o, '__dict__', {{{entries}}})"]

    @staticmethod
    def _identity(hint: Any) -> bool:
        return hint in _IDENTITY or hint is Any or hint is object

    def _kept(self, hint: Any, mode: str) -> bool:
        """Tell whether a value of ``hint`` is written as it is (orjson writes it natively)."""
        if self._identity(hint):
            return True
        if mode != NATIVE:
            return False
        if hint is date or (isinstance(hint, type) and issubclass(hint, enum.Enum)):
            return True
        origin, args = typing.get_origin(hint), typing.get_args(hint)
        if origin in (Union, _UNION_TYPE):
            return all(self._kept(a, mode) for a in args)
        if origin is tuple:
            items = args[:1] if len(args) == 2 and args[1] is Ellipsis else args
            return all(self._kept(a, mode) for a in items)
        return False

    def _expr(self, hint: Any, name: str, src: _Source, mode: str) -> str:  # noqa: PLR0911, PLR0912 (one branch per kind of type)
        """An expression converting the local ``name``, of type ``hint``, one way."""
        if self._kept(hint, mode):
            return name
        dump = mode != LOAD
        origin = typing.get_origin(hint)
        args = typing.get_args(hint)
        if origin in (Union, _UNION_TYPE):
            options = [a for a in args if a is not type(None)]
            if len(options) == 1:
                inner = self._expr(options[0], name, src, mode)
                return f"(None if {name} is None else {inner})"
            return self._handed_over(hint, name, src, mode)
        if hint is datetime:
            if mode == LOAD:
                return f"{src.constant(datetime.fromisoformat)}({name})"
            utc = src.constant(UTC, "utc")
            # orjson writes an aware datetime as isoformat() does, in a third of the time,
            # except an offset with seconds (old local mean times), which it rounds.
            offset = src.fresh("off")
            whole = (
                f"({name}.tzinfo is {utc} or (({offset} := {name}.utcoffset()) is not None "
                f"and not {offset}.seconds % 60 and not {offset}.microseconds))"
            )
            if mode == NATIVE:
                return f"({name} if {whole} else {name}.isoformat())"
            fast = f"{src.constant(orjson.dumps)}({name})[1:-1].decode()"
            return f"({fast} if {whole} else {name}.isoformat())"
        if hint is date:
            return f"{name}.isoformat()" if dump else f"{src.constant(date.fromisoformat)}({name})"
        if hint is Decimal:
            return f"str({name})" if dump else f"{src.constant(Decimal)}({name})"
        if hint is timedelta:
            duration: Callable[[Any], Any] = _format_duration if dump else _parse_duration
            return f"{src.constant(duration)}({name})"
        if isinstance(hint, type) and issubclass(hint, enum.Enum):
            if dump:
                # Plain text for a StrEnum (a field may hold its value as a str already).
                if issubclass(hint, str):
                    return f"str({name})"
                return f"int({name})" if issubclass(hint, int) else f"{name}.value"
            members = src.constant({m.value: m for m in hint}, "members")
            return f"{members}[{name}]"
        if origin is tuple or origin in (Sequence, list):
            if origin is tuple and not (len(args) == 2 and args[1] is Ellipsis):
                return self._fixed(args, name, src, mode)
            item = args[0] if args else Any
            if self._identity(item):
                return f"list({name})" if dump else f"tuple({name})"
            var = src.fresh("i")
            inner = self._expr(item, var, src, mode)
            return f"[{inner} for {var} in {name}]" if dump else (
                f"tuple([{inner} for {var} in {name}])"
            )
        if origin in (frozenset, set):
            item = args[0] if args else Any
            if self._identity(item):
                return f"sorted({name})" if dump else f"frozenset({name})"
            var = src.fresh("i")
            inner = self._expr(item, var, src, mode)
            if dump:
                return f"sorted([{inner} for {var} in {name}])"
            return f"frozenset([{inner} for {var} in {name}])"
        if origin in (FrozenMap, Mapping, dict):
            key_type, value_type = args if args else (Any, Any)
            k, v = src.fresh("k"), src.fresh("i")
            key = self._expr(key_type, k, src, mode)
            value = self._expr(value_type, v, src, mode)
            mapping = f"{{{key}: {value} for {k}, {v} in {name}.items()}}"
            return mapping if dump else f"{src.constant(FrozenMap)}({mapping})"
        if self._is_record(hint):
            record: Callable[[Any], Any]
            if (hint, mode) in self._compiling:
                record = _Lazy(self, hint, mode)  # a recursive type: resolved on its first call
            else:
                record = self._get(hint, mode)
            return f"{src.constant(record, 'rec')}({name})"
        return self._handed_over(hint, name, src, mode)

    def _fixed(self, args: tuple[Any, ...], name: str, src: _Source, mode: str) -> str:
        # ``name[i]`` is a plain subscript of a local: safe to evaluate more than once.
        items = ", ".join(
            self._expr(item, f"{name}[{i}]", src, mode) for i, item in enumerate(args)
        )
        return f"({items},)" if mode == LOAD else f"[{items}]"

    def _handed_over(self, hint: Any, name: str, src: _Source, mode: str) -> str:
        if mode != LOAD:
            return f"{src.constant(self._fallback_dump, 'fallback')}({name})"
        load = self._fallback_load
        return f"{src.constant(load, 'fallback')}({name}, {src.constant(hint, 'type')})"


# The few durations a case holds (nothing paused yet, a policy's targets) recur on every row.
_format_duration = functools.lru_cache(maxsize=1024)(format_duration)
_parse_duration = functools.lru_cache(maxsize=1024)(parse_duration)


class _Lazy:
    """A nested class's function, resolved on its first call (so recursive types compile)."""

    __slots__ = ("_cl", "_codec", "_fn", "_mode")

    def __init__(self, codec: Codec, cl: Any, mode: str) -> None:
        self._codec, self._cl, self._mode = codec, cl, mode
        self._fn: Callable[[Any], Any] | None = None

    def __call__(self, value: Any) -> Any:
        fn = self._fn
        if fn is None:
            fn = self._fn = self._codec._get(self._cl, self._mode)
        return fn(value)


def _define(name: str, params: list[str], lines: list[str], src: _Source) -> Callable[[Any], Any]:
    text = f"def {name}({', '.join(params)}):\n" + "".join(f"    {line}\n" for line in lines)
    namespace: dict[str, Any] = {}
    exec(compile(text, f"<walletcare codec {name}>", "exec"), src.globals, namespace)  # noqa: S102 (code generated from the class's own fields)
    fn: Callable[[Any], Any] = namespace[name]
    return fn
