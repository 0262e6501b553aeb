"""Escalation rules as data: conditions, compilation errors, explanations, serialization."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from walletcare import Money
from walletcare.domain.cases import KERNEL_EVENTS
from walletcare.domain.complaints.kind import COMPLAINTS
from walletcare.domain.escalation import (
    Action,
    ActionKind,
    Condition,
    Ladder,
    Once,
    Rule,
    compile_rules,
    evaluate,
)
from walletcare.domain.oversight import fact_table
from walletcare.domain.rulebook import RuleBook
from walletcare.errors import ValidationError
from walletcare.serialization import make_converter

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
FACTS = {
    "category": "security",
    "severity": "high",
    "tier": "agent",
    "amount_lost": Money.of("1500.00", "EUR"),
    "received_at": NOW - timedelta(days=4),
    "reopen_count": 2,
    "vulnerable": False,
    "resolution.business_time_left": timedelta(hours=-3),
    "resolution.breached": True,
}


TABLE = fact_table(COMPLAINTS)


def _compile(rules: list[Rule]) -> RuleBook:
    return compile_rules(rules, Ladder(), TABLE)


def check(condition: Condition, facts: dict[str, object] = FACTS) -> bool:
    (compiled,) = _compile([Rule(id="r", when=condition, then=())])
    return compiled.check(facts, NOW)


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        (Condition(fact="category", op="eq", value="security"), True),
        (Condition(fact="category", op="in", value="fees, security"), True),
        (Condition(fact="category", op="not_in", value="fees,service"), True),
        (Condition(fact="severity", op="ge", value="high"), True),
        (Condition(fact="severity", op="gt", value="high"), False),
        (Condition(fact="severity", op="in", value="critical"), False),
        (Condition(fact="tier", op="lt", value="senior_agent"), True),
        (Condition(fact="amount_lost", op="ge", value="EUR 1000"), True),
        (Condition(fact="amount_lost", op="ge", value="USD 1"), False),
        (Condition(fact="received_at", op="older_than", value="P3D"), True),
        (Condition(fact="received_at", op="newer_than", value="P3D"), False),
        (Condition(fact="received_at", op="before", value="2026-03-07T00:00:00+00:00"), True),
        (Condition(fact="reopen_count", op="ge", value="2"), True),
        (Condition(fact="vulnerable", op="is", value="false"), True),
        (Condition(fact="resolution.business_time_left", op="lt", value="-PT2H"), True),
        (Condition(fact="resolution.breached", op="is", value="true"), True),
        (Condition(fact="acknowledgement.breached", op="is", value="true"), False),
        (Condition(negate=Condition(fact="category", op="eq", value="fees")), True),
        (
            Condition(
                all=(
                    Condition(fact="category", op="eq", value="security"),
                    Condition(fact="reopen_count", op="gt", value="5"),
                )
            ),
            False,
        ),
        (
            Condition(
                any=(
                    Condition(fact="category", op="eq", value="fees"),
                    Condition(fact="reopen_count", op="gt", value="1"),
                )
            ),
            True,
        ),
    ],
)
def test_conditions(condition: Condition, expected: bool) -> None:
    """Text, sets, ordered severities and tiers, money, durations, instants, flags, all/any/not."""
    assert check(condition) is expected


@pytest.mark.parametrize(
    ("condition", "path"),
    [
        (Condition(fact="colour", op="eq", value="red"), "rules[0].when.fact"),
        (Condition(fact="amount_lost", op="before", value="x"), "rules[0].when.op"),
        (Condition(fact="amount_lost", op="ge", value="1000"), "rules[0].when.value"),
        (Condition(fact="age", op="gt", value="three days"), "rules[0].when.value"),
        (
            Condition(all=(Condition(fact="received_at", op="before", value="2026-01-01"),)),
            "rules[0].when.all[0].value",
        ),
    ],
)
def test_bad_rules_are_refused_naming_the_path(condition: Condition, path: str) -> None:
    """Unknown facts, operators that do not fit, and unreadable values name where they are."""
    with pytest.raises(ValidationError) as err:
        _compile([Rule(id="r", when=condition, then=())])
    assert path in err.value.fields


def test_a_condition_has_exactly_one_shape() -> None:
    """A condition is all, any, negate or a comparison, never none or two."""
    with pytest.raises(ValidationError):
        Condition()
    with pytest.raises(ValidationError):
        Condition(
            fact="category",
            op="eq",
            value="x",
            negate=Condition(fact="category", op="eq", value="y"),
        )


def test_rules_need_ids_ladder_tiers_and_metrics() -> None:
    """Duplicate ids, tiers off the ladder and clock rules without a metric are refused."""
    when = Condition(fact="category", op="eq", value="security")
    with pytest.raises(ValidationError):
        _compile([Rule(id="a", when=when, then=()), Rule(id="a", when=when, then=())])
    with pytest.raises(ValidationError):
        _compile([Rule(id="a", when=when, then=(Action(kind=ActionKind.ESCALATE, tier="king"),))])
    with pytest.raises(ValidationError):
        Rule(id="a", when=when, then=(), once=Once.CLOCK)
    with pytest.raises(ValidationError):
        Ladder(start="nobody")


def test_firing_explains_itself_and_fires_once_per_occurrence() -> None:
    """A firing lists the conditions that held and every reading; a fired occurrence is skipped."""
    rule = Rule(
        id="breach",
        when=Condition(
            all=(
                Condition(fact="resolution.breached", op="is", value="true"),
                Condition(fact="severity", op="ge", value="medium"),
            )
        ),
        then=(Action(kind=ActionKind.ESCALATE),),
    )
    compiled = _compile([rule])
    (firing,) = evaluate(compiled, FACTS, now=NOW, fired=frozenset(), occurrence=lambda r: r.id)
    assert firing.matched == ("resolution.breached is true", "severity ge medium")
    assert "resolution.breached=True" in firing.readings and "severity=high" in firing.readings
    assert (
        evaluate(compiled, FACTS, now=NOW, fired=frozenset({"breach"}), occurrence=lambda r: r.id)
        == []
    )


def test_rules_are_plain_data_for_the_converter() -> None:
    """Rules round-trip through the converter, so hosts keep them in config."""
    converter = make_converter(events=(*KERNEL_EVENTS, *COMPLAINTS.events))
    rule = Rule(
        id="big-loss",
        when=Condition(
            any=(
                Condition(fact="amount_lost", op="ge", value="EUR 1000"),
                Condition(negate=Condition(fact="tier", op="eq", value="agent")),
            )
        ),
        then=(
            Action(kind=ActionKind.NOTIFY, role="complaints_officer", channel="staff"),
            Action(kind=ActionKind.ACCRUE_PENALTY, amount=Money.of("100", "INR")),
        ),
        once=Once.REOPEN,
    )
    data = converter.dump(rule)
    assert data["when"]["any"][0] == {
        "all": [],
        "any": [],
        "negate": None,
        "fact": "amount_lost",
        "op": "ge",
        "value": "EUR 1000",
    }
    assert converter.load(data, Rule) == rule
    with pytest.raises(ValidationError) as err:
        converter.load({**data, "then": [{"kind": "notify", "channel": "staff"}]}, Rule)
    assert any("role" in f or "then" in f for f in err.value.fields)
