"""Compiling rules once into a matcher, and explaining each firing.

A rule set compiles to a single generated function (fact names and values bound as
constants, never spliced into the text), so evaluating it costs about what the same rules
written by hand cost; explanations are worked out only for firings that are recorded.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, Final, NamedTuple

from attrs import frozen

from walletcare.domain.durations import format_duration, parse_duration
from walletcare.domain.ladder import Ladder
from walletcare.domain.money import Money
from walletcare.domain.rules import (
    OPERATORS,
    SEVERITY_ORDER,
    ActionKind,
    Condition,
    FactKind,
    Rule,
    fact_kind,
)
from walletcare.errors import ValidationError

__all__ = [
    "CompiledRule",
    "RuleBook",
    "compile_rules",
    "Firing",
    "evaluate",
]


# -- compiling -----------------------------------------------------------------------------
Facts = Mapping[str, Any]
Check = Callable[[Facts, datetime], bool]
Occurrence = Callable[[Rule], str | None]


def _parse(kind: FactKind, op: str, text: str, where: str, tiers: Sequence[str]) -> Any:
    """A condition's value read as its fact's kind; a mistake names ``where`` and says why."""
    try:
        if kind is FactKind.TAGS or op in ("in", "not_in"):
            return _parse_several(kind, op, text, tiers)
        return _parse_one(kind, op, text, tiers)
    except (ValueError, ValidationError) as exc:
        raise ValidationError.of(where, f"{text!r} cannot be read as {kind.value}: {exc}") from None


def _parse_several(kind: FactKind, op: str, text: str, tiers: Sequence[str]) -> Any:
    """Tags, or the names an ``in`` or ``not_in`` condition lists (ranks, for severities)."""
    if kind is FactKind.TAGS:
        tags = frozenset(v.strip() for v in text.split(",") if v.strip())
        if not tags or (op in ("has", "lacks") and len(tags) != 1):
            raise ValueError("name one tag (has, lacks) or tags separated by commas")
        return next(iter(tags)) if op in ("has", "lacks") else tags
    items = tuple(v.strip() for v in text.split(",") if v.strip())
    if kind is FactKind.SEVERITY:
        return frozenset(_rank(i, SEVERITY_ORDER, "severity") for i in items)
    if kind is FactKind.TIER:
        for item in items:
            _rank(item, tiers, "tier on the ladder")
    return frozenset(items)


def _parse_one(kind: FactKind, op: str, text: str, tiers: Sequence[str]) -> Any:  # noqa: PLR0911
    """One value of the fact's kind."""
    if kind is FactKind.NUMBER:
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValueError("not a number") from None
        if not number.is_finite():
            raise ValueError("a number must be finite")
        return number
    if kind is FactKind.MONEY:
        return Money.parse(text)
    if kind is FactKind.DURATION or op in ("older_than", "newer_than"):
        return _duration(text)
    if kind is FactKind.INSTANT:
        instant = datetime.fromisoformat(text)
        if instant.utcoffset() is None:
            raise ValueError("an instant needs its UTC offset, as in 2026-03-01T09:00+08:00")
        return instant
    if kind is FactKind.FLAG:
        if text.lower() not in ("true", "false"):
            raise ValueError("flags compare with true or false")
        return text.lower() == "true"
    if kind is FactKind.SEVERITY:
        return _rank(text, SEVERITY_ORDER, "severity")
    if kind is FactKind.TIER:
        _rank(text, tiers, "tier on the ladder")
    return text


def _rank(name: str, order: Sequence[str], what: str) -> int:
    """The position of ``name`` in ``order``, or a ValueError naming what it is not."""
    if name not in order:
        raise ValueError(f"{name!r} is not a {what} ({', '.join(order)})")
    return order.index(name)


def _duration(text: str) -> timedelta:
    return parse_duration(text)


@frozen(kw_only=True)
class CompiledRule:
    """A rule with its generated check, and each leaf's generated check for explanations."""

    rule: Rule
    check: Check
    leaves: tuple[tuple[Condition, Check], ...]


def _leaf_conditions(condition: Condition) -> list[Condition]:
    if condition.fact:
        return [condition]
    found: list[Condition] = []
    for part in (*condition.all, *condition.any):
        found += _leaf_conditions(part)
    if condition.negate is not None:
        found += _leaf_conditions(condition.negate)
    return found


class _Source:
    """Builds the Python text of a rule set's matcher. Every fact name and value is bound as a
    constant in the matcher's namespace; the text itself holds only generated identifiers."""

    def __init__(self, ladder: Ladder, facts: Mapping[str, FactKind]) -> None:
        self.ladder = ladder
        self.facts = facts
        self.names: dict[str, Any] = {}
        self.counter = 0

    def bind(self, value: Any) -> str:
        name = f"_k{len(self.names)}"
        self.names[name] = value
        return name

    def temp(self) -> str:
        self.counter += 1
        return f"_v{self.counter}"

    def expression(self, condition: Condition, where: str) -> str:  # noqa: PLR0911
        if condition.all:
            parts = [self.expression(c, f"{where}.all[{i}]") for i, c in enumerate(condition.all)]
            return "(" + " and ".join(parts) + ")"
        if condition.any:
            parts = [self.expression(c, f"{where}.any[{i}]") for i, c in enumerate(condition.any)]
            return "(" + " or ".join(parts) + ")"
        if condition.negate is not None:
            return f"(not {self.expression(condition.negate, f'{where}.negate')})"
        kind = fact_kind(condition.fact, self.facts, f"{where}.fact")
        if condition.op not in OPERATORS[kind]:
            ops = ", ".join(sorted(OPERATORS[kind]))
            raise ValidationError.of(
                f"{where}.op", f"{condition.op!r} does not apply to {kind.value} facts ({ops})"
            )
        value = _parse(kind, condition.op, condition.value, f"{where}.value", self.ladder.tiers)
        if isinstance(value, Decimal) and value.is_finite() and value == int(value):
            # A whole number compares exactly as an int does, and an int fact (a count)
            # compares with an int several times faster than with a Decimal.
            value = int(value)
        key, op, v = self.bind(condition.fact), condition.op, self.temp()
        if kind in (FactKind.SEVERITY, FactKind.TIER):
            return self.ranked(kind, key, op, value, v)
        if kind is FactKind.TAGS:
            return self.tags(key, op, value, v)
        if op in ("in", "not_in"):
            test = "in" if op == "in" else "not in"
            return f"(({v} := _g({key})) is not None and {v} {test} {self.bind(value)})"
        if kind is FactKind.MONEY:
            currency, amount = self.bind(value.currency), self.bind(value.amount)
            return (
                f"(({v} := _g({key})) is not None and {v}.currency == {currency} "
                f"and {v}.amount {_SYMBOL[op]} {amount})"
            )
        if op in ("before", "after"):
            sign = "<" if op == "before" else ">"
            return f"(({v} := _g({key})) is not None and {v} {sign} {self.bind(value)})"
        if op in ("older_than", "newer_than"):
            sign = "<" if op == "older_than" else ">"
            return f"(({v} := _g({key})) is not None and {v} {sign} now - {self.bind(value)})"
        if op == "is":
            # Used only for its truth: the fact's own truth is the test.
            return f"(_g({key}))" if value else f"(not _g({key}))"
        return f"(({v} := _g({key})) is not None and {v} {_SYMBOL[op]} {self.bind(value)})"


    def ranked(self, kind: FactKind, key: str, op: str, value: Any, v: str) -> str:
        """A test of a severity or a tier, by its rank (low < ... < critical, or the ladder)."""
        ranks = (
            {s: i for i, s in enumerate(SEVERITY_ORDER)}
            if kind is FactKind.SEVERITY
            else {t: i for i, t in enumerate(self.ladder.tiers)}
        )
        table = self.bind(ranks)
        # The condition's severity or tier is a real one (``_parse`` refused any other), so
        # its rank is never negative; a missing or unknown fact ranks -1.
        if op in ("in", "not_in"):
            allowed = value if kind is FactKind.SEVERITY else frozenset(ranks[t] for t in value)
            test = "in" if op == "in" else "not in"
            return f"(({v} := {table}.get(_g({key}), -1)) >= 0 and {v} {test} {self.bind(allowed)})"
        target = self.bind(value if kind is FactKind.SEVERITY else ranks[value])
        if op in ("ge", "gt", "eq"):
            # Above, at or equal to a real rank: -1 fails already.
            return f"({table}.get(_g({key}), -1) {_SYMBOL[op]} {target})"
        return f"(({v} := {table}.get(_g({key}), -1)) >= 0 and {v} {_SYMBOL[op]} {target})"

    def tags(self, key: str, op: str, value: Any, v: str) -> str:
        """A test of a set of tags: has (lacks) one tag, has any (all) of several."""
        tags = f"(({v} := _g({key})) is not None and "
        if op in ("has", "lacks"):
            test = "in" if op == "has" else "not in"
            return f"{tags}{self.bind(value)} {test} {v})"
        if op == "has_any":
            return f"{tags}not {self.bind(value)}.isdisjoint({v}))"
        return f"{tags}{self.bind(value)} <= frozenset({v}))"


_SUBSCRIPT: Final = re.compile(r"_g\((_k\d+)\)")
"""A fact read with ``get`` in a generated expression (the text holds only generated names)."""
_SYMBOL: Final = {"eq": "==", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}


@frozen(kw_only=True)
class RuleBook:
    """Compiled rules: ``match(facts, now)`` gives the indexes of the rules whose condition holds.

    The matcher is one generated function, so evaluating a rule set costs about what the same
    rules written by hand cost.
    """

    rules: tuple[CompiledRule, ...]
    match: Callable[[Facts, datetime], list[int]]
    firings: Callable[[Facts, datetime, frozenset[str], Occurrence], list[Firing]]
    """``evaluate`` generated for these rules: each matching rule's firing made in place."""

    def __iter__(self) -> Iterator[CompiledRule]:
        return iter(self.rules)

    def __len__(self) -> int:
        return len(self.rules)

    def __getitem__(self, index: int) -> CompiledRule:
        return self.rules[index]


def compile_rules(rules: Sequence[Rule], ladder: Ladder, facts: Mapping[str, FactKind]) -> RuleBook:
    """Check and compile rules once into one generated matcher; bad facts, operators or values
    name their path (``rules[2].when.all[0].fact``).

    ``facts`` is the table of facts the rules may read (a kind's ``fact_table``). Each
    rule's check and each leaf's check, used to explain a firing, are generated by the same
    code as the matcher, so what fires and what is explained agree.
    """
    seen: set[str] = set()
    source = _Source(ladder, facts)
    lines = ["def _match(f, now):", "    _g = f.get", "    hits = []"]
    shapes: list[tuple[Rule, str, list[tuple[Condition, str]]]] = []
    for i, rule in enumerate(rules):
        if not isinstance(rule, Rule):
            raise ValidationError.of(f"rules[{i}]", f"must be a Rule, got {type(rule).__name__}")
        if rule.id in seen:
            raise ValidationError.of(f"rules[{i}].id", f"{rule.id!r} is used twice")
        seen.add(rule.id)
        for j, action in enumerate(rule.then):
            if (
                action.kind is ActionKind.ESCALATE
                and action.tier
                and action.tier not in ladder.tiers
            ):
                raise ValidationError.of(
                    f"rules[{i}].then[{j}].tier", f"{action.tier!r} is not on the ladder"
                )
        where = f"rules[{i}].when"
        expression = source.expression(rule.when, where)
        lines.append(f"    if {expression}:")
        lines.append(f"        hits.append({i})")
        leaves = [
            (leaf, source.expression(leaf, f"{where}:leaf")) for leaf in _leaf_conditions(rule.when)
        ]
        shapes.append((rule, expression, leaves))
    lines.append("    return hits")
    # The same tests, each rule's firing made where it matched (no list of indexes to walk).
    # Facts are read by subscript, cheaper than a call of ``get``; when a fact is missing,
    # every rule is tested again reading facts with ``get`` (a missing fact satisfies no
    # comparison, so the negation of one holds). Only then are firings made.
    subscripted = [_SUBSCRIPT.sub(r"f[\1]", expression) for _, expression, _ in shapes]
    lines += ["def _firings(f, now, fired, occurrence):", "    try:", "        pass"]  # no rules
    lines += [f"        _h{i} = {fast}" for i, fast in enumerate(subscripted)]
    lines += ["    except KeyError:", "        _g = f.get"]
    lines += [f"        _h{i} = {expression}" for i, (_, expression, _) in enumerate(shapes)]
    lines.append("    out = []")
    for i in range(len(shapes)):
        lines += [
            f"    if _h{i}:",
            f"        key = occurrence(_rule_of{i})",
            "        if key is not None and key not in fired:",
            f"            out.append(_new(_Firing, (_compiled{i}, key, f, now)))",
        ]
    lines.append("    return out")
    for i, (_, expression, leaves) in enumerate(shapes):
        lines += [f"def _rule{i}(f, now):", "    _g = f.get", f"    return bool({expression})"]
        for j, (_, leaf) in enumerate(leaves):
            lines += [f"def _leaf{i}_{j}(f, now):", "    _g = f.get", f"    return bool({leaf})"]
    namespace = dict(source.names)
    exec(compile("\n".join(lines), "<walletcare rules>", "exec"), namespace)  # noqa: S102 (generated from identifiers only)
    compiled = tuple(
        CompiledRule(
            rule=rule,
            check=namespace[f"_rule{i}"],
            leaves=tuple((leaf, namespace[f"_leaf{i}_{j}"]) for j, (leaf, _) in enumerate(leaves)),
        )
        for i, (rule, _, leaves) in enumerate(shapes)
    )
    namespace.update({f"_compiled{i}": c for i, c in enumerate(compiled)}, _Firing=Firing)
    namespace["_new"] = tuple.__new__  # a Firing from all its fields, as namedtuple's _make does
    namespace.update({f"_rule_of{i}": c.rule for i, c in enumerate(compiled)})
    return RuleBook(rules=compiled, match=namespace["_match"], firings=namespace["_firings"])


class Firing(NamedTuple):
    """A rule that fired: for which occurrence, which conditions held, and what they read.

    ``matched`` and ``readings`` are worked out when asked for (recording a firing asks,
    once), so deciding which rules fire costs no more than the rules themselves. A named
    tuple: the matcher builds one per firing from values it holds, with nothing to check.
    """

    compiled: CompiledRule
    occurrence: str
    facts: Facts
    now: datetime

    @property
    def rule(self) -> Rule:
        """The rule that fired."""
        return self.compiled.rule

    @property
    def matched(self) -> tuple[str, ...]:
        """The comparisons that held, as ``fact op value``."""
        facts, now = self.facts, self.now
        return tuple(
            f"{c.fact} {c.op} {c.value}" for c, check in self.compiled.leaves if check(facts, now)
        )

    @property
    def readings(self) -> tuple[str, ...]:
        """Every fact the rule's condition read, with the value it saw."""
        facts = self.facts
        return tuple(
            f"{c.fact}={_reading(facts.get(c.fact))}"
            for c, _ in self.compiled.leaves
            if c.fact in facts
        )

    def __repr__(self) -> str:
        return f"Firing(rule={self.rule.id!r}, occurrence={self.occurrence!r})"


def _reading(value: Any) -> str:
    if isinstance(value, timedelta):
        return format_duration(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, frozenset | set):
        return ",".join(sorted(map(str, value)))
    return str(value)


def evaluate(
    rules: RuleBook,
    facts: Facts,
    *,
    now: datetime,
    fired: frozenset[str],
    occurrence: Callable[[Rule], str | None],
) -> list[Firing]:
    """The rules that hold for ``facts`` now and have not yet fired for their occurrence.

    ``occurrence`` names a rule's current occurrence (None: it cannot fire now, e.g. its
    clock never started). Only rules that match are explained, so explaining costs nothing
    on the common path.
    """
    return rules.firings(facts, now, fired, occurrence)
