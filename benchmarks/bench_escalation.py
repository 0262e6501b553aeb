"""Escalation rules: the same four rules evaluated over N cases' facts by walletcare's compiled
rules, by venmo's business-rules (where installed), and by hand-written Python functions.

The hand-written functions list, per case, each rule that fired with its occurrence, skipping
one already fired for it: what walletcare's ``evaluate`` returns and the service records.
The same ``if``s only counting firings are printed as the limit.

The variants run interleaved, in an order rotated every round. (The tick's cost against the
number of open cases is ``bench_tick.py``.)

Run: ``python benchmarks/bench_escalation.py [cases] [rounds]``.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from _timing import interleaved, rate_line, ratio_line, speed_ratios


from walletcare import Money
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
from walletcare.domain.complaints.kind import COMPLAINTS
from walletcare.domain.oversight import fact_table

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
C = Condition
RULES = [
    Rule(
        id="breach",
        when=C(
            all=(
                C(fact="resolution.breached", op="is", value="true"),
                C(fact="severity", op="ge", value="medium"),
            )
        ),
        then=(Action(kind=ActionKind.ESCALATE),),
    ),
    Rule(
        id="big-loss",
        when=C(
            all=(
                C(fact="amount_lost", op="ge", value="EUR 1000"),
                C(fact="category", op="in", value="security,transaction_failure"),
            )
        ),
        then=(Action(kind=ActionKind.NOTIFY, role="complaints_officer", channel="staff"),),
    ),
    Rule(
        id="reopened",
        when=C(
            all=(
                C(negate=C(fact="tier", op="eq", value="complaints_officer")),
                C(fact="reopen_count", op="ge", value="2"),
            )
        ),
        then=(Action(kind=ActionKind.ESCALATE),),
        once=Once.REOPEN,
    ),
    Rule(
        id="due-soon",
        when=C(fact="resolution.business_time_left", op="lt", value="PT4H"),
        then=(Action(kind=ActionKind.NOTIFY, role="team_lead", channel="staff"),),
    ),
]
SEVERITIES = ("low", "medium", "high", "critical")


def make_cases(n: int) -> list[dict[str, object]]:
    rng = random.Random(42)
    return [
        {
            "resolution.breached": rng.random() < 0.1,
            "severity": rng.choice(SEVERITIES),
            "amount_lost": Money.of(rng.randint(0, 3000), "EUR"),
            "category": rng.choice(("security", "fees", "transaction_failure", "service")),
            "tier": rng.choice(("agent", "senior_agent", "complaints_officer")),
            "reopen_count": rng.randint(0, 3),
            "resolution.business_time_left": timedelta(minutes=rng.randint(-600, 6000)),
        }
        for _ in range(n)
    ]


COMPILED = compile_rules(RULES, Ladder(), fact_table(COMPLAINTS))


def walletcare_rules(cases: Sequence[dict[str, object]]) -> int:
    compiled = COMPILED
    fired = 0
    empty: frozenset[str] = frozenset()
    for facts in cases:
        fired += len(evaluate(compiled, facts, now=NOW, fired=empty, occurrence=lambda r: r.id))
    return fired


def walletcare_explained(cases: Sequence[dict[str, object]]) -> int:
    """The same, and every firing explained (matched conditions and readings), as recorded."""
    fired = 0
    empty: frozenset[str] = frozenset()
    for facts in cases:
        for firing in evaluate(COMPILED, facts, now=NOW, fired=empty, occurrence=lambda r: r.id):
            fired += bool(firing.matched) and bool(firing.readings)
    return fired


BIG = Money.of("1000", "EUR")
FOUR_HOURS = timedelta(hours=4)  # built once, as the compiled rules hold their constants


def hand_written(cases: Sequence[dict[str, object]]) -> int:
    """The four rules as plain ``if``s, listing what each case fired as the service needs it:
    each rule with its occurrence, skipped when it already fired for that occurrence."""
    fired = 0
    done: frozenset[str] = frozenset()  # what already fired (nothing, as for walletcare)
    for f in cases:
        out = []
        breach = f["resolution.breached"] and SEVERITIES.index(f["severity"]) >= 1  # type: ignore[arg-type]
        if breach and "breach" not in done:
            out.append(("breach", "breach"))
        loss = f["amount_lost"]
        if (
            loss.currency == "EUR"  # type: ignore[attr-defined]
            and loss.amount >= BIG.amount  # type: ignore[attr-defined]
            and f["category"] in ("security", "transaction_failure")
        ) and "big-loss" not in done:
            out.append(("big-loss", "big-loss"))
        reopened = f["tier"] != "complaints_officer" and f["reopen_count"] >= 2  # type: ignore[operator]
        if reopened and "reopened" not in done:
            out.append(("reopened", "reopened"))
        if f["resolution.business_time_left"] < FOUR_HOURS and "due-soon" not in done:  # type: ignore[operator]
            out.append(("due-soon", "due-soon"))
        fired += len(out)
    return fired


def count_only(cases: Sequence[dict[str, object]]) -> int:
    """The four rules as plain ``if``s, only counting what fires (the limit)."""
    fired = 0
    for f in cases:
        if f["resolution.breached"] and SEVERITIES.index(f["severity"]) >= 1:  # type: ignore[arg-type]
            fired += 1
        loss = f["amount_lost"]
        if (
            loss.currency == "EUR"
            and loss.amount >= BIG.amount
            and f["category"] in ("security", "transaction_failure")
        ):  # type: ignore[attr-defined]
            fired += 1
        if f["tier"] != "complaints_officer" and f["reopen_count"] >= 2:  # type: ignore[operator]
            fired += 1
        if f["resolution.business_time_left"] < FOUR_HOURS:  # type: ignore[operator]
            fired += 1
    return fired


def business_rules_runner():  # type: ignore[no-untyped-def]
    from business_rules import run_all
    from business_rules.actions import BaseActions, rule_action
    from business_rules.fields import FIELD_TEXT
    from business_rules.variables import (
        BaseVariables,
        boolean_rule_variable,
        numeric_rule_variable,
        string_rule_variable,
    )

    class CaseVariables(BaseVariables):
        def __init__(self, facts: dict[str, object]) -> None:
            self.f = facts

        @boolean_rule_variable
        def breached(self) -> bool:
            return bool(self.f["resolution.breached"])

        @numeric_rule_variable
        def severity_rank(self) -> int:
            return SEVERITIES.index(self.f["severity"])  # type: ignore[arg-type]

        @numeric_rule_variable
        def loss_eur(self) -> object:
            loss = self.f["amount_lost"]
            return loss.amount if loss.currency == "EUR" else 0  # type: ignore[attr-defined]

        @string_rule_variable
        def category(self) -> object:
            return self.f["category"]

        @string_rule_variable
        def tier(self) -> object:
            return self.f["tier"]

        @numeric_rule_variable
        def reopen_count(self) -> object:
            return self.f["reopen_count"]

        @numeric_rule_variable
        def seconds_left(self) -> float:
            return self.f["resolution.business_time_left"].total_seconds()  # type: ignore[attr-defined]

    class CaseActions(BaseActions):
        def __init__(self) -> None:
            self.fired = 0

        @rule_action(params={"rule": FIELD_TEXT})
        def fire(self, rule: str) -> None:
            self.fired += 1

    rules = [
        {
            "conditions": {
                "all": [
                    {"name": "breached", "operator": "is_true", "value": True},
                    {"name": "severity_rank", "operator": "greater_than_or_equal_to", "value": 1},
                ]
            },
            "actions": [{"name": "fire", "params": {"rule": "breach"}}],
        },
        {
            "conditions": {
                "all": [
                    {"name": "loss_eur", "operator": "greater_than_or_equal_to", "value": 1000},
                    {
                        "any": [
                            {"name": "category", "operator": "equal_to", "value": "security"},
                            {
                                "name": "category",
                                "operator": "equal_to",
                                "value": "transaction_failure",
                            },
                        ]
                    },
                ]
            },
            "actions": [{"name": "fire", "params": {"rule": "big-loss"}}],
        },
        {
            "conditions": {
                "all": [
                    {"name": "tier", "operator": "non_empty", "value": None},
                    {"name": "reopen_count", "operator": "greater_than_or_equal_to", "value": 2},
                ]
            },
            "actions": [{"name": "fire", "params": {"rule": "reopened"}}],
        },
        {
            "conditions": {
                "all": [{"name": "seconds_left", "operator": "less_than", "value": 4 * 3600}]
            },
            "actions": [{"name": "fire", "params": {"rule": "due-soon"}}],
        },
    ]
    # business-rules has no 'not equal' for strings; the officer tier is excluded in the action.

    def run(cases: Sequence[dict[str, object]]) -> int:
        fired = 0
        for facts in cases:
            actions = CaseActions()
            if facts["tier"] == "complaints_officer" and facts["reopen_count"] >= 2:  # type: ignore[operator]
                fired -= 1  # the negation business-rules cannot express
            run_all(
                rule_list=rules,
                defined_variables=CaseVariables(facts),
                defined_actions=actions,
                stop_on_first_trigger=False,
            )
            fired += actions.fired
        return fired

    return run


def part_a(n: int, rounds: int) -> None:
    cases = make_cases(n)
    expected = hand_written(cases)
    assert walletcare_rules(cases) == expected
    assert walletcare_explained(cases) == expected == count_only(cases)
    variants = {
        "walletcare": lambda: walletcare_rules(cases),
        "explained": lambda: walletcare_explained(cases),
        "hand-written": lambda: hand_written(cases),
        "count only": lambda: count_only(cases),
    }
    try:
        peer = business_rules_runner()
        assert peer(cases) == expected
        variants["business-rules"] = lambda: peer(cases)
    except ImportError:
        print("    business-rules not installed (pip install '.[bench]')")
    times = interleaved(variants, rounds)
    print(
        f"bench_escalation: 4 rules over {n:,} cases ({expected:,} firings), "
        f"{len(times['walletcare'])} interleaved rounds"
    )
    print(rate_line("walletcare compiled rules", times["walletcare"], n, "cases"))
    print(rate_line("... every firing explained, as recorded", times["explained"], n, "cases"))
    print(rate_line("hand-written functions", times["hand-written"], n, "cases"))
    print(ratio_line("walletcare/hand-written", speed_ratios(times, "walletcare", "hand-written"), ">= 0.5"))
    print(rate_line("hand-written, counting only", times["count only"], n, "cases"))
    print(ratio_line("walletcare/counting only (the limit)", speed_ratios(times, "walletcare", "count only")))
    if "business-rules" in times:
        print(rate_line("venmo business-rules", times["business-rules"], n, "cases"))
        print(ratio_line("walletcare/business-rules", speed_ratios(times, "walletcare", "business-rules"), ">= 25"))
        print(ratio_line("explained/business-rules", speed_ratios(times, "explained", "business-rules")))


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    part_a(n, rounds)


if __name__ == "__main__":
    main()
