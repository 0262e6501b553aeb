"""Compiled constructors: one generated ``__init__`` per checked value class, built on first use.

attrs' own ``__init__`` for a frozen class is generic: per instance it binds a setter, sets
each field through ``object.__setattr__``, calls each validator, then the value's
``__attrs_post_init__`` checks every field's type. Events and the values commands take are
built on every command, so that cost is paid everywhere.

The compiled ``__init__`` first tests, in one generated expression, what holds for nearly
every value built: each argument of its exact declared type, and each validator's common
case (a validator says what that is with ``common_case``). When the test holds, every full
check would pass too, so it sets the slots directly. Anything else goes to attrs' own
``__init__``, unchanged, which converts, validates and checks as before and raises the same
errors: nothing is checked less, and no error reads differently.
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import attrs

__all__ = ["common_case", "compile_init"]

V = TypeVar("V")

TypeGuard = Callable[[Any, str, dict[str, Any]], str | None]
"""Builds the expression true when a variable surely holds a declared type (None: any value)."""


class _Slotted:
    __slots__ = ("field",)


_MEMBER: Any = type(vars(_Slotted)["field"])  # a slot's descriptor: ``__set__`` stores a value
_INSTANCE_OF: Any = type(attrs.validators.instance_of(int))
_OPTIONAL: Any = type(attrs.validators.optional(attrs.validators.instance_of(int)))
_FACTORY: Any = attrs.Factory


class _CommonCase:
    """A validator's common case: an expression over ``{v}`` and the names it uses."""

    __slots__ = ("guard", "names", "typed")

    def __init__(
        self, guard: str, names: Mapping[str, Any], typed: Mapping[Any, str | None]
    ) -> None:
        self.guard, self.names, self.typed = guard, dict(names), dict(typed)


_common_cases: dict[Any, _CommonCase] = {}


def common_case(
    guard: str,
    *,
    names: Mapping[str, Any] | None = None,
    typed: Mapping[Any, str | None] | None = None,
) -> Callable[[V], V]:
    """Decorator for an attrs validator: ``guard``, a Python expression over ``{v}``, is true
    only for values the validator accepts; ``names`` are the globals it uses.

    ``typed`` maps a declared type to a shorter guard for a field of exactly that type (whose
    exact-type test runs first); None there means the type test alone implies the validator.
    """
    case = _CommonCase(guard, names or {}, typed or {})

    def register(validator: V) -> V:
        _common_cases[validator] = case
        return validator

    return register


def _validator_guard(
    validator: Any, hint: Any, typed: bool, var: str, scope: dict[str, Any]
) -> tuple[bool, str | None]:
    """(known, guard): whether ``validator``'s common case is known, and its expression
    over ``var`` (None: nothing more to test)."""
    case = _common_cases.get(validator)
    if case is not None:
        for name, value in case.names.items():
            if scope.setdefault(name, value) is not value:
                raise RuntimeError(f"the common-case name {name} means two things")
        if typed and hint in case.typed:
            shorter = case.typed[hint]
            return True, None if shorter is None else shorter.format(v=var)
        return True, case.guard.format(v=var)
    if type(validator) is _INSTANCE_OF:
        wanted = getattr(validator, "type")  # noqa: B009 (attrs' validator, typed as a callable)
        key = f"_i{len(scope)}"
        scope[key] = wanted
        return True, None if typed and hint is wanted else f"isinstance({var}, {key})"
    if type(validator) is _OPTIONAL:
        # For a field declared ``T | None``, the inner validator may be implied by ``T``.
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        inner_hint = options[0] if len(options) == 1 else None
        inner_validator = getattr(validator, "validator")  # noqa: B009 (as above)
        known, inner = _validator_guard(inner_validator, inner_hint, typed, var, scope)
        if known:
            return True, None if inner is None else f"({var} is None or {inner})"
    return False, None


def _compilable(cls: type, fields: tuple[attrs.Attribute[Any], ...]) -> bool:
    """Whether attrs' ``__init__`` of ``cls`` does only what a compiled one repeats."""
    init = cls.__dict__.get("__init__")
    code = getattr(init, "__code__", None)
    if code is None or not code.co_filename.startswith("<attrs generated"):
        return False  # the class's own __init__, or one it inherits
    if hasattr(cls, "__attrs_pre_init__") or hasattr(cls, "_attrs_cached_hash"):
        return False
    return all(
        a.init
        and not isinstance(a.converter, attrs.Converter)
        and not (isinstance(a.default, _FACTORY) and a.default.takes_self)
        for a in fields
    )


class _InitSource:
    """The source of one class's compiled ``__init__``, and the names it uses."""

    def __init__(self, cls: type, type_guard: TypeGuard | None, checks_types: bool) -> None:
        self.cls, self.type_guard, self.checks_types = cls, type_guard, checks_types
        self.hints = typing.get_type_hints(cls)
        self.scope: dict[str, Any] = {
            "_cls": cls,
            "_NOTHING": attrs.NOTHING,
            "_attrs_init": vars(cls)["__init__"],
            "_setattr": object.__setattr__,
            "_validators_off": attrs.validators.get_disabled,
        }
        self.params: list[str] = []
        self.keyword_params: list[str] = []
        self.prepare: list[str] = []
        self.guards = ["type(self) is _cls"]
        self.stores: list[str] = []
        self.validate: list[str] = []

    def add(self, i: int, a: attrs.Attribute[Any]) -> None:
        """Take field ``a`` (the ``i``-th): its parameter, its value, its tests, its store."""
        var = self._parameter(i, a)
        hint = self.hints.get(a.name, Any)
        if self.type_guard is not None and self.checks_types and a.name in self.hints:
            guard = self.type_guard(hint, var, self.scope)
            if guard is not None:
                self.guards.append(guard)
        if a.validator is not None:
            known, guard = _validator_guard(a.validator, hint, self.checks_types, var, self.scope)
            if not known:
                self.scope[f"_val{i}"], self.scope[f"_att{i}"] = a.validator, a
                self.validate.append(f"            _val{i}(self, _att{i}, {var})")
            elif guard is not None:
                self.guards.append(guard)
        slot: Any = getattr(self.cls, a.name, None)
        if type(slot) is _MEMBER:
            self.scope[f"_s{i}"] = slot.__set__
            self.stores.append(f"        _s{i}(self, {var})")
        else:
            self.stores.append(f"        _setattr(self, {a.name!r}, {var})")

    def _parameter(self, i: int, a: attrs.Attribute[Any]) -> str:
        """Declare the field's parameter; the name of its value once defaulted and converted."""
        arg = var = a.alias or a.name
        default = a.default
        if default is attrs.NOTHING:
            param = arg
        elif isinstance(default, _FACTORY):
            self.scope[f"_f{i}"] = default.factory
            param, var = f"{arg}=_NOTHING", f"_v{i}"
            self.prepare.append(f"    {var} = _f{i}() if {arg} is _NOTHING else {arg}")
        else:
            self.scope[f"_d{i}"] = default
            param = f"{arg}=_d{i}"
        (self.keyword_params if a.kw_only else self.params).append(param)
        if a.converter is not None:
            self.scope[f"_k{i}"] = a.converter
            self.prepare.append(f"    _v{i} = _k{i}({var})")
            var = f"_v{i}"
        return var

    def source(self, fields: tuple[attrs.Attribute[Any], ...]) -> str:
        keyword = ["*", *self.keyword_params] if self.keyword_params else []
        signature = ", ".join(["self", *self.params, *keyword])
        forward = ", ".join(f"{a.alias or a.name}={a.alias or a.name}" for a in fields)
        lines = [f"def __init__({signature}):", *self.prepare]
        lines.append("    if (\n        " + "\n        and ".join(self.guards) + "\n    ):")
        lines += self.stores
        if self.validate:
            lines += ["        if not _validators_off():", *self.validate]
        if not self.checks_types and hasattr(self.cls, "__attrs_post_init__"):
            lines.append("        self.__attrs_post_init__()")
        lines += ["        return", f"    _attrs_init(self, {forward})"]
        return "\n".join(lines) + "\n"


def compile_init(
    cls: type, *, type_guard: TypeGuard | None = None, checks_types: bool = False
) -> bool:
    """Give the attrs class ``cls`` a compiled ``__init__``; False if it keeps attrs' own.

    ``checks_types``: the class's ``__attrs_post_init__`` only checks its fields' types,
    which the compiled test (built by ``type_guard``) then does in its place. Without it,
    the compiled ``__init__`` runs the validators' common cases and the post-init as they are.
    """
    if checks_types and type_guard is None:
        raise TypeError("checking types in the compiled test needs a type_guard")
    fields = attrs.fields(cls)
    if not _compilable(cls, fields):
        return False
    built = _InitSource(cls, type_guard, checks_types)
    for i, a in enumerate(fields):
        built.add(i, a)
    namespace: dict[str, Any] = {}
    code = compile(built.source(fields), f"<compiled init {cls.__qualname__}>", "exec")
    exec(code, built.scope, namespace)  # noqa: S102 (built from the class's own fields and hints)
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__doc__ = built.scope["_attrs_init"].__doc__
    type.__setattr__(cls, "__init__", init)
    return True
