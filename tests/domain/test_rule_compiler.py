"""The generated rule matcher agrees with a plain interpreter of the rule data, on random
conditions and random facts, missing and unknown values included."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from walletcare import Money
from walletcare.config import Condition, Ladder, Rule
from walletcare.domain.durations import format_duration
from walletcare.domain.rulebook import compile_rules, evaluate
from walletcare.domain.rules import SEVERITY_ORDER, FactKind
from walletcare.errors import ValidationError

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
LADDER = Ladder()
TABLE = {
    "category": FactKind.TEXT,
    "count": FactKind.NUMBER,
    "loss": FactKind.MONEY,
    "age": FactKind.DURATION,
    "opened_at": FactKind.INSTANT,
    "vulnerable": FactKind.FLAG,
    "severity": FactKind.SEVERITY,
    "tier": FactKind.TIER,
    "flags": FactKind.TAGS,
}
TAGS = ["extended", "new_account", "vip"]
CATEGORIES = ["fees", "security", "other"]
DURATIONS = [timedelta(hours=h) for h in (0, 1, 4, 30)]
INSTANTS = [NOW - timedelta(hours=h) for h in (-2, 0, 3, 50)]


# -- the test-only interpreter: the rules' documented meaning, written plainly ------------
def _rank(kind: FactKind, name: Any) -> int | None:
    order = SEVERITY_ORDER if kind is FactKind.SEVERITY else LADDER.tiers
    return order.index(name) if name in order else None


def _compare(op: str, left: Any, right: Any) -> bool:
    return {
        "eq": left == right,
        "ne": left != right,
        "lt": left < right,
        "le": left <= right,
        "gt": left > right,
        "ge": left >= right,
    }[op]


def interpret(c: Condition, facts: dict[str, Any]) -> bool:
    if c.all:
        return all(interpret(p, facts) for p in c.all)
    if c.any:
        return any(interpret(p, facts) for p in c.any)
    if c.negate is not None:
        return not interpret(c.negate, facts)
    kind, value = TABLE[c.fact], facts.get(c.fact)
    if c.op == "is":
        return bool(value) is (c.value == "true")
    if value is None:
        return False  # a fact nobody knows satisfies no comparison
    if kind is FactKind.TAGS:
        wanted = set(c.value.split(","))
        return {
            "has": wanted <= value,
            "lacks": not wanted & value,
            "has_any": bool(wanted & value),
            "has_all": wanted <= value,
        }[c.op]
    if kind in (FactKind.SEVERITY, FactKind.TIER):
        rank = _rank(kind, value)
        if rank is None:
            return False
        if c.op in ("in", "not_in"):
            names = c.value.split(",")
            return (value in names) is (c.op == "in")
        target = _rank(kind, c.value)
        return _compare(c.op, rank, target)
    if c.op in ("in", "not_in"):
        return (value in c.value.split(",")) is (c.op == "in")
    if kind is FactKind.TEXT:
        return _compare(c.op, value, c.value)
    if kind is FactKind.MONEY:
        wanted = Money.parse(c.value)
        return value.currency == wanted.currency and _compare(c.op, value.amount, wanted.amount)
    if kind is FactKind.NUMBER:
        return _compare(c.op, Decimal(value), Decimal(c.value))
    if kind is FactKind.DURATION:
        return _compare(c.op, value, DURATION_OF[c.value])
    if c.op in ("before", "after"):
        then = datetime.fromisoformat(c.value)
        return value < then if c.op == "before" else value > then
    cutoff = NOW - DURATION_OF[c.value]
    return value < cutoff if c.op == "older_than" else value > cutoff


DURATION_OF = {format_duration(d): d for d in DURATIONS}

# -- random rules and facts ----------------------------------------------------------------
ORDERED = ["eq", "ne", "lt", "le", "gt", "ge"]
leaves = st.one_of(
    st.builds(
        lambda op, v: Condition(fact="category", op=op, value=v),
        st.sampled_from(["eq", "ne"]),
        st.sampled_from(CATEGORIES),
    ),
    st.builds(
        lambda op, vs: Condition(fact="category", op=op, value=",".join(vs)),
        st.sampled_from(["in", "not_in"]),
        st.lists(st.sampled_from(CATEGORIES), min_size=1, max_size=2),
    ),
    st.builds(
        lambda op, v: Condition(fact="count", op=op, value=str(v)),
        st.sampled_from(ORDERED),
        st.sampled_from([0, 1, 2, 3, Decimal("1.5"), Decimal("2.0")]),
    ),
    st.builds(
        lambda op, v: Condition(fact="flags", op=op, value=v),
        st.sampled_from(["has", "lacks"]),
        st.sampled_from(TAGS),
    ),
    st.builds(
        lambda op, vs: Condition(fact="flags", op=op, value=",".join(vs)),
        st.sampled_from(["has_any", "has_all"]),
        st.lists(st.sampled_from(TAGS), min_size=1, max_size=3, unique=True),
    ),
    st.builds(
        lambda op, v: Condition(fact="loss", op=op, value=v),
        st.sampled_from(ORDERED),
        st.sampled_from(["EUR 10", "EUR 100", "USD 10"]),
    ),
    st.builds(
        lambda op, d: Condition(fact="age", op=op, value=format_duration(d)),
        st.sampled_from(ORDERED),
        st.sampled_from(DURATIONS),
    ),
    st.builds(
        lambda op, t: Condition(fact="opened_at", op=op, value=t.isoformat()),
        st.sampled_from(["before", "after"]),
        st.sampled_from(INSTANTS),
    ),
    st.builds(
        lambda op, d: Condition(fact="opened_at", op=op, value=format_duration(d)),
        st.sampled_from(["older_than", "newer_than"]),
        st.sampled_from(DURATIONS),
    ),
    st.builds(
        lambda v: Condition(fact="vulnerable", op="is", value=v), st.sampled_from(["true", "false"])
    ),
    st.builds(
        lambda op, v: Condition(fact="severity", op=op, value=v),
        st.sampled_from(ORDERED),
        st.sampled_from(SEVERITY_ORDER),
    ),
    st.builds(
        lambda op, vs: Condition(fact="severity", op=op, value=",".join(vs)),
        st.sampled_from(["in", "not_in"]),
        st.lists(st.sampled_from(SEVERITY_ORDER), min_size=1, max_size=2),
    ),
    st.builds(
        lambda op, v: Condition(fact="tier", op=op, value=v),
        st.sampled_from([*ORDERED, "in", "not_in"]),
        st.sampled_from(LADDER.tiers),
    ),
)
conditions = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.builds(lambda cs: Condition(all=tuple(cs)), st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda cs: Condition(any=tuple(cs)), st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda c: Condition(negate=c), inner),
    ),
    max_leaves=6,
)


def _maybe(values: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """A fact's value, absent (a sentinel dropped below) or None."""
    return st.one_of(st.just(_ABSENT), st.none(), values)


_ABSENT = object()
fact_values = st.fixed_dictionaries(
    {
        "category": _maybe(st.sampled_from([*CATEGORIES, "unknown"])),
        "count": _maybe(st.sampled_from([0, 1, 2, 3, Decimal("1.5")])),
        "flags": _maybe(st.frozensets(st.sampled_from([*TAGS, "other"]))),
        "loss": _maybe(st.sampled_from([Money.of("50", "EUR"), Money.of("10", "USD")])),
        "age": _maybe(st.sampled_from(DURATIONS)),
        "opened_at": _maybe(st.sampled_from(INSTANTS)),
        "vulnerable": _maybe(st.booleans()),
        "severity": _maybe(st.sampled_from([*SEVERITY_ORDER, "bogus"])),
        "tier": _maybe(st.sampled_from([*LADDER.tiers, "nowhere"])),
    }
).map(lambda d: {k: v for k, v in d.items() if v is not _ABSENT})


@settings(max_examples=600)
@given(st.lists(conditions, min_size=1, max_size=4), fact_values)
def test_generated_matcher_agrees_with_the_interpreter(
    whens: list[Condition], facts: dict[str, Any]
) -> None:
    """Which rules fire, each rule's check and each explanation leaf agree with the data."""
    rules = [Rule(id=f"r{i}", when=w, then=()) for i, w in enumerate(whens)]
    book = compile_rules(rules, LADDER, TABLE)
    expected = [i for i, w in enumerate(whens) if interpret(w, facts)]
    assert book.match(facts, NOW) == expected
    # The generated evaluate (facts read by subscript, again with get when one is missing)
    # fires the same rules.
    firings = evaluate(book, facts, now=NOW, fired=frozenset(), occurrence=lambda r: r.id)
    assert [f.compiled for f in firings] == [book[i] for i in expected]
    for compiled in book:
        assert compiled.check(facts, NOW) is interpret(compiled.rule.when, facts)
        for leaf, check in compiled.leaves:
            assert check(facts, NOW) is interpret(leaf, facts)


def test_evaluate_skips_a_fired_rule_and_still_fires_the_rest() -> None:
    """A rule that already fired for its occurrence is skipped; rules after it still fire,
    each evaluated at the given time (older_than reads it)."""

    rules = [
        Rule(id="old", when=Condition(fact="opened_at", op="older_than", value="PT2H"), then=()),
        Rule(id="fees", when=Condition(fact="category", op="eq", value="fees"), then=()),
        Rule(id="officer", when=Condition(fact="tier", op="in", value="ombudsman"), then=()),
    ]
    book = compile_rules(rules, LADDER, TABLE)
    facts = {"opened_at": NOW - timedelta(hours=3), "category": "fees", "tier": "senior_agent"}
    firings = evaluate(book, facts, now=NOW, fired=frozenset({"old"}), occurrence=lambda r: r.id)
    assert [f.rule.id for f in firings] == ["fees"]
    fresh = evaluate(book, facts, now=NOW, fired=frozenset(), occurrence=lambda r: r.id)
    assert [f.rule.id for f in fresh] == ["old", "fees"]
    assert any("opened_at" in r for r in fresh[0].readings)
    assert evaluate(book, facts, now=NOW - timedelta(hours=2), fired=frozenset(), occurrence=lambda r: r.id)[0].rule.id == "fees"


AT = "rules[0].when.any[1].negate"


@pytest.mark.parametrize(
    ("fact", "op", "value", "said"),
    [
        ("flags", "has", "vip,extended", f"{AT}.value: 'vip,extended' cannot be read as tags: "
         "name one tag (has, lacks) or tags separated by commas"),
        ("flags", "lacks", "", f"{AT}.value: '' cannot be read as tags: "
         "name one tag (has, lacks) or tags separated by commas"),
        ("flags", "has_any", " , ", f"{AT}.value: ' , ' cannot be read as tags: "
         "name one tag (has, lacks) or tags separated by commas"),
        ("vulnerable", "is", "yes",
         f"{AT}.value: 'yes' cannot be read as flag: flags compare with true or false"),
        ("count", "gt", "many", f"{AT}.value: 'many' cannot be read as number: not a number"),
        ("count", "gt", "NaN",
         f"{AT}.value: 'NaN' cannot be read as number: a number must be finite"),
        ("opened_at", "before", "2026-01-01T00:00:00",
         f"{AT}.value: '2026-01-01T00:00:00' cannot be read as instant: "
         "an instant needs its UTC offset, as in 2026-03-01T09:00+08:00"),
        ("category", "lt", "x",
         f"{AT}.op: 'lt' does not apply to text facts (eq, in, ne, not_in)"),
        ("tier", "ge", "nowhere", f"{AT}.value: 'nowhere' cannot be read as tier: 'nowhere' is "
         "not a tier on the ladder (chatbot, agent, senior_agent, complaints_officer, ombudsman)"),
        ("tier", "in", "agent,nowhere", f"{AT}.value: 'agent,nowhere' cannot be read as tier: "
         "'nowhere' is not a tier on the ladder (chatbot, agent, senior_agent, "
         "complaints_officer, ombudsman)"),
        ("severity", "eq", "dire", f"{AT}.value: 'dire' cannot be read as severity: "
         "'dire' is not a severity (low, medium, high, critical)"),
        ("severity", "in", "low,dire", f"{AT}.value: 'low,dire' cannot be read as severity: "
         "'dire' is not a severity (low, medium, high, critical)"),
        ("loss", "gt", "10 EUR", f"{AT}.value: '10 EUR' cannot be read as money: "
         "money: '10 EUR' is not of the form 'USD 12.30'"),
        ("age", "lt", "soon", f"{AT}.value: 'soon' cannot be read as duration: "
         "'soon' is not an ISO 8601 duration like 'P1DT2H'"),
    ],
)
def test_a_value_a_rule_cannot_mean_is_refused_at_its_path(
    fact: str, op: str, value: str, said: str
) -> None:
    """Values that would never match, or fail at the first case, are refused when the rules
    are compiled (when walletcare starts), at their path, saying why in words."""
    when = Condition(
        any=(
            Condition(fact="count", op="eq", value="1"),
            Condition(negate=Condition(fact=fact, op=op, value=value)),
        )
    )
    with pytest.raises(ValidationError) as err:
        compile_rules([Rule(id="r", when=when, then=())], LADDER, TABLE)
    assert str(err.value) == said
    assert err.value.fields == (said.split(": ", maxsplit=1)[0],)
