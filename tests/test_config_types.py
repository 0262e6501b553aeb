"""Configuration built in Python checks its fields' types when built, naming the field.

The converter checks types for configuration loaded as data; these tests build the classes
directly, as a host writing its settings in Python does. The invariant: a value either is
refused with a ``ValidationError`` when built, or, once built, ``Walletcare`` starts with it
or refuses it with a ``WalletcareError``; and a schedule that builds round-trips through
storage.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import walletcare.config as config
from tests.complaints_fixtures import T0, intake
from walletcare import Actor, Walletcare, WalletcareError
from walletcare.domain.fees import (
    ExchangeRate,
    FeeRule,
    FeeSchedule,
    FeeTier,
    NoticePeriod,
    ScheduleVersion,
    Tax,
    TransactionType,
)
from walletcare.errors import ValidationError
from walletcare.testing import FixedClock

UTC_CAL = config.BusinessCalendar.build(zone="UTC", hours={"mon-fri": "09:00-17:00"})
RULE_WHEN = config.Condition(fact="severity", op="ge", value="high")
NOTIFY = config.Action(kind=config.ActionKind.NOTIFY, role="lead", channel="email")
TARGET = config.SlaTarget(metric="resolution", duration=timedelta(hours=8))
POLICY = config.SlaPolicy(name="std", calendar=UTC_CAL, targets=(TARGET,))
AT = datetime(2026, 1, 1, tzinfo=UTC)


def _rule(**changes: Any) -> config.Rule:
    return config.Rule(**{"id": "r1", "when": RULE_WHEN, "then": (NOTIFY,), **changes})


def _version(**changes: Any) -> ScheduleVersion:
    fields: dict[str, Any] = {
        "id": "v1",
        "effective_from": AT,
        "announced_at": AT,
        "rules": (FeeRule(id="p2p", transaction_type=TransactionType.P2P, currency="EUR"),),
    }
    return ScheduleVersion(**{**fields, **changes})


# (what is built, the field the error must name)
WRONG: list[tuple[str, Callable[[], object], str]] = [
    ("settings.retry", lambda: config.Settings(retry=5), "retry"),  # type: ignore[arg-type]
    ("settings.load_entry_points", lambda: config.Settings(load_entry_points="no"), "load_entry_points"),  # type: ignore[arg-type]
    ("settings.upcasters", lambda: config.Settings(upcasters={"x": lambda d: d}), "upcasters"),  # type: ignore[dict-item]
    ("retry.first_delay", lambda: config.RetryPolicy(first_delay=5), "first_delay"),  # type: ignore[arg-type]
    ("complaint.reopen_window", lambda: config.ComplaintPolicy(reopen_window=5), "reopen_window"),  # type: ignore[arg-type]
    ("complaint.duplicates", lambda: config.ComplaintPolicy(duplicates="twice"), "duplicates"),  # type: ignore[arg-type]
    ("complaint.severity", lambda: config.ComplaintPolicy(severity=None), "severity"),  # type: ignore[arg-type]
    ("severity.vulnerable_raise", lambda: config.SeverityPolicy(vulnerable_raise="1"), "vulnerable_raise"),  # type: ignore[arg-type]
    ("severity.base", lambda: config.SeverityPolicy(base={"fees": "urgent"}), "base"),
    ("severity.large_amounts", lambda: config.SeverityPolicy(large_amounts={"EUR": 1000.5}), "large_amounts"),
    ("condition.value", lambda: config.Condition(fact="severity", op="eq", value=True), "value"),  # type: ignore[arg-type]
    ("condition.fact", lambda: config.Condition(fact=5, op="eq", value="x"), "fact"),  # type: ignore[arg-type]
    ("condition.all", lambda: config.Condition(all=(RULE_WHEN, "x")), "all[1]"),  # type: ignore[arg-type]
    ("action.role", lambda: config.Action(kind=config.ActionKind.NOTIFY, role=5, channel="e"), "role"),  # type: ignore[arg-type]
    ("action.kind", lambda: config.Action(kind="shout"), "kind"),  # type: ignore[arg-type]
    ("action.amount", lambda: config.Action(kind=config.ActionKind.ACCRUE_PENALTY, amount=5), "amount"),  # type: ignore[arg-type]
    ("rule.id", lambda: _rule(id=5), "id"),
    ("rule.when", lambda: _rule(when=None), "when"),
    ("rule.then", lambda: _rule(then=NOTIFY), "then"),
    ("rule.once", lambda: _rule(once="sometimes"), "once"),
    ("target.days", lambda: config.SlaTarget(metric="r", measure=config.Measure.BUSINESS_DAYS, days="3"), "days"),  # type: ignore[arg-type]
    ("target.warn_at", lambda: config.SlaTarget(metric="r", duration=timedelta(1), warn_at=0.5), "warn_at"),  # type: ignore[arg-type]
    ("target.pauses", lambda: config.SlaTarget(metric="r", duration=timedelta(1), pauses="no"), "pauses"),  # type: ignore[arg-type]
    ("policy.calendar", lambda: config.SlaPolicy(name="x", calendar="UTC", targets=()), "calendar"),  # type: ignore[arg-type]
    ("policy.targets", lambda: config.SlaPolicy(name="x", calendar=UTC_CAL, targets=(5,)), "targets[0]"),  # type: ignore[arg-type]
    ("ladder.tiers", lambda: config.Ladder(tiers=("agent", 5), start="agent"), "tiers[1]"),
    ("ladder.tier_sla", lambda: config.Ladder(tier_sla={"agent": 5}), "tier_sla"),
    ("oversight.review_every", lambda: config.Oversight(review_every=5), "review_every"),  # type: ignore[arg-type]
    ("oversight.ladder", lambda: config.Oversight(ladder="agent"), "ladder"),  # type: ignore[arg-type]
    ("oversight.rules", lambda: config.Oversight(rules=(5,)), "rules[0]"),
    ("oversight.sla", lambda: config.Oversight(sla=(POLICY,)), "sla[0]"),
    ("case.oversight", lambda: config.CaseSettings(oversight=None), "oversight"),  # type: ignore[arg-type]
    ("choice.jurisdictions", lambda: config.ProfileChoice(profile="psd2", jurisdictions="DE"), "jurisdictions"),  # type: ignore[arg-type]
    ("choice.profile", lambda: config.ProfileChoice(profile=None, jurisdictions=frozenset({"DE"})), "profile"),  # type: ignore[arg-type]
    ("jurisdiction.zone", lambda: config.Jurisdiction(code="X", zone=5, country="DE"), "zone"),  # type: ignore[arg-type]
    ("jurisdiction.closing", lambda: config.Jurisdiction(code="X", zone="UTC", country="DE", closing=17), "closing"),  # type: ignore[arg-type]
    ("calendar.hours", lambda: config.BusinessCalendar.build(zone="UTC", hours={"mon": 5}), "hours.mon"),  # type: ignore[dict-item]
    ("calendar.hours map", lambda: config.BusinessCalendar.build(zone="UTC", hours="mon-fri"), "hours"),  # type: ignore[arg-type]
    ("calendar.closed_dates", lambda: config.BusinessCalendar.build(zone="UTC", hours={"mon": "09:00-17:00"}, closed_dates=["2026-01-01"]), "closed_dates"),  # type: ignore[list-item]
    ("calendar.country", lambda: config.BusinessCalendar.build(zone="UTC", hours={"mon": "09:00-17:00"}, country=49), "country"),  # type: ignore[arg-type]
    ("calendar.zone", lambda: config.BusinessCalendar.build(zone=None, hours={"mon": "09:00-17:00"}), "zone"),  # type: ignore[arg-type]
    ("regulation.unknown", lambda: config.Regulation(unknown_jurisdiction="maybe"), "unknown_jurisdiction"),  # type: ignore[arg-type]
    ("regulation.aliases", lambda: config.Regulation(aliases={"UK": 5}), "aliases"),
    ("remediation.refund", lambda: config.RemediationPolicy(refund="yes"), "refund"),  # type: ignore[arg-type]
    ("fee.tiers", lambda: FeeRule(id="r", transaction_type=TransactionType.P2P, currency="EUR", tiers=(5,)), "tiers[0]"),  # type: ignore[arg-type]
    ("fee.taxes", lambda: FeeRule(id="r", transaction_type=TransactionType.P2P, currency="EUR", taxes=("VAT",)), "taxes[0]"),  # type: ignore[arg-type]
    ("fee.tier_mode", lambda: FeeRule(id="r", transaction_type=TransactionType.P2P, currency="EUR", tier_mode="flat"), "tier_mode"),  # type: ignore[arg-type]
    ("fee.charging", lambda: FeeRule(id="r", transaction_type=TransactionType.P2P, currency="EUR", charging=None), "charging"),  # type: ignore[arg-type]
    ("tier.percent", lambda: FeeTier(up_to=None, percent=1.5), "percent"),  # type: ignore[arg-type]
    ("tax.name", lambda: Tax(name=5, percent=Decimal(1)), "name"),  # type: ignore[arg-type]
    ("notice.source", lambda: NoticePeriod(days=1, source=5), "source"),  # type: ignore[arg-type]
    ("version.rounding", lambda: _version(rounding="nearest"), "rounding"),
    ("version.rules", lambda: _version(rules=None), "rules"),
    ("schedule.notice", lambda: FeeSchedule(name="s", zone="UTC", notice=30, versions=(_version(),)), "notice"),  # type: ignore[arg-type]
    ("schedule.versions", lambda: FeeSchedule(name="s", zone="UTC", notice=NoticePeriod(), versions=("v1",)), "versions[0]"),  # type: ignore[arg-type]
    ("rate.source", lambda: ExchangeRate(base="EUR", quote="USD", rate=Decimal(1), source=5), "source"),  # type: ignore[arg-type]
]


@pytest.mark.parametrize(("build", "field"), [(b, f) for _, b, f in WRONG], ids=[n for n, _, _ in WRONG])
def test_a_wrong_type_is_refused_when_built_naming_the_field(
    build: Callable[[], object], field: str
) -> None:
    """Each configuration class refuses a value of the wrong type with a ValidationError."""
    with pytest.raises(ValidationError) as caught:
        build()
    assert any(f == field or f.startswith((f"{field}.", f"{field}[")) for f in caught.value.fields), (
        caught.value.problems
    )


def test_lists_and_sets_a_host_writes_are_taken_as_tuples_and_frozensets() -> None:
    """Config written with lists and sets is accepted and held frozen."""
    rule = config.Rule(id="r", when=config.Condition(all=[RULE_WHEN]), then=[NOTIFY])  # type: ignore[arg-type]
    assert rule.then == (NOTIFY,) and rule.when.all == (RULE_WHEN,)
    policy = config.SlaPolicy(name="p", calendar=UTC_CAL, targets=[TARGET])  # type: ignore[arg-type]
    assert policy.targets == (TARGET,)
    choice = config.ProfileChoice(profile="psd2", jurisdictions=["DE"])  # type: ignore[arg-type]
    assert choice.jurisdictions == frozenset({"DE"})
    version = _version(rules=list(_version().rules))
    assert isinstance(version.rules, tuple)
    hash(rule), hash(policy), hash(choice)


# -- the invariant, by hypothesis ----------------------------------------------------------

JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.floats(allow_nan=True),
    st.text(max_size=3),
    st.just("\ud800"),
    st.just(Decimal("NaN")),
    st.just(Decimal(-1)),
    st.just(timedelta(-1)),
    st.just(timedelta(0)),
    st.just(datetime(2026, 1, 1)),  # naive
    st.just(date(2026, 1, 1)),
    st.just([]),
    st.just({}),
    st.just(("x",)),
    st.just(frozenset({5})),
    st.just(object()),
)
PLAUSIBLE = st.one_of(
    st.booleans(),
    st.sampled_from(["agent", "resolution", "high", "severity", "ge", "email", "UTC", "DE", "psd2", "09:00"]),
    st.integers(0, 5),
    st.sampled_from([timedelta(hours=1), timedelta(days=3), Decimal("0.5"), Decimal(10)]),
    st.sampled_from([(NOTIFY,), (TARGET,), RULE_WHEN, UTC_CAL, frozenset({"DE"}), ("agent", "senior_agent")]),
)


def _good_values() -> dict[type, dict[str, Any]]:
    """A valid value for every field of every configuration class tested below."""
    return {
        config.Condition: {"fact": "severity", "op": "ge", "value": "high"},
        config.Action: {"kind": config.ActionKind.ESCALATE, "reason": "r"},
        config.Rule: {"id": "r1", "when": RULE_WHEN, "then": (NOTIFY,)},
        config.SlaTarget: {"metric": "resolution", "duration": timedelta(hours=8)},
        config.SlaPolicy: {"name": "std", "calendar": UTC_CAL, "targets": (TARGET,)},
        config.Ladder: {},
        config.ProfileChoice: {"profile": "psd2", "jurisdictions": frozenset({"DE"})},
        config.Jurisdiction: {"code": "DE", "zone": "Europe/Berlin", "country": "DE"},
        config.SeverityPolicy: {},
        config.ComplaintPolicy: {},
        config.Oversight: {},
        config.RetryPolicy: {},
        config.CaseSettings: {},
        config.Settings: {"storage_url": "memory://", "load_entry_points": False},
        config.Regulation: {},
        config.MessagePolicy: {},
        config.MessageSettings: {},
        config.ContactWindow: {},
        config.PermissionPolicy: {"grants": {"open": ("customer", "staff")}},
    }


def _where(value: object) -> config.Settings:
    """Settings holding ``value`` where a host would put it."""
    oversight = config.Oversight
    complaint = "complaint"
    placements: dict[type, Callable[[Any], config.Settings]] = {
        config.Condition: lambda v: _with(oversight(rules=(_rule(when=v),))),
        config.Action: lambda v: _with(oversight(rules=(_rule(then=(v,)),))),
        config.Rule: lambda v: _with(oversight(rules=(v,))),
        config.SlaTarget: lambda v: _with(
            oversight(sla=(config.SlaChoice(policy=config.SlaPolicy(name="p", calendar=UTC_CAL, targets=(v,))),))
        ),
        config.SlaPolicy: lambda v: _with(oversight(sla=(config.SlaChoice(policy=v),))),
        config.Ladder: lambda v: _with(oversight(ladder=v)),
        config.ProfileChoice: lambda v: _with(oversight(regulatory=(v,))),
        config.Jurisdiction: lambda v: config.Settings(
            storage_url="memory://", load_entry_points=False,
            regulation=config.Regulation(jurisdictions=(v,)),
        ),
        config.Regulation: lambda v: config.Settings(storage_url="memory://", load_entry_points=False, regulation=v),
        config.SeverityPolicy: lambda v: _with(policy=config.ComplaintPolicy(severity=v)),
        config.ComplaintPolicy: lambda v: _with(policy=v),
        config.Oversight: lambda v: _with(v),
        config.RetryPolicy: lambda v: config.Settings(storage_url="memory://", load_entry_points=False, retry=v),
        config.CaseSettings: lambda v: config.Settings(storage_url="memory://", load_entry_points=False, cases={complaint: v}),
        config.Settings: lambda v: v,
        config.MessagePolicy: lambda v: _messages(config.MessageSettings(policy=v)),
        config.MessageSettings: _messages,
        config.ContactWindow: lambda v: _messages(
            config.MessageSettings(policy=config.MessagePolicy(contact_window=v))
        ),
        config.PermissionPolicy: lambda v: config.Settings(
            storage_url="memory://", load_entry_points=False,
            cases={complaint: config.CaseSettings(permissions=v)},
        ),
    }
    return placements[type(value)](value)


def _messages(v: object) -> config.Settings:
    return config.Settings(storage_url="memory://", load_entry_points=False, messages=v)  # type: ignore[arg-type]


def _with(oversight: config.Oversight | None = None, policy: object = None) -> config.Settings:
    case = config.CaseSettings(policy=policy, oversight=oversight or config.Oversight())
    return config.Settings(storage_url="memory://", load_entry_points=False, cases={"complaint": case})


@st.composite
def _built(draw: st.DrawFn) -> tuple[type, dict[str, Any]]:
    """A configuration class and its fields, a few of them replaced by junk."""
    goods = _good_values()
    cls = draw(st.sampled_from(sorted(goods, key=lambda c: c.__name__)))
    fields = dict(goods[cls])
    names = [f.name for f in attrs.fields(cls) if f.init]
    for name in draw(st.lists(st.sampled_from(names), min_size=1, max_size=2, unique=True)):
        fields[name.lstrip("_")] = draw(JUNK if draw(st.integers(0, 3)) == 0 else PLAUSIBLE)
    return cls, fields


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_built())
def test_built_config_starts_or_is_refused_with_a_walletcare_error(
    built: tuple[type, dict[str, Any]],
) -> None:
    """Junk in any field is refused when built, or at start; what starts takes a complaint."""
    cls, fields = built
    try:
        value = cls(**fields)
    except WalletcareError:
        event("refused when built")
        return
    try:
        app = Walletcare(_where(value), clock=FixedClock(T0))
    except WalletcareError:
        event("refused at start")
        return
    event("started")
    with app:
        receipt = app.complaints.open(intake(), by=Actor.customer("cust-1"))
        app.tick(T0 + timedelta(days=40))
        assert app.complaints.get(receipt.complaint_id).id == receipt.complaint_id
        app.complaints.history(receipt.complaint_id)


def _fee_rule(**changes: Any) -> FeeRule:
    fields: dict[str, Any] = {"id": "p2p", "transaction_type": TransactionType.P2P, "currency": "EUR"}
    return FeeRule(**{**fields, **changes})


@st.composite
def _schedule_fields(draw: st.DrawFn) -> dict[str, Any]:
    rule_field = draw(st.sampled_from([f.name for f in attrs.fields(FeeRule)]))
    version_field = draw(st.sampled_from(["id", "rounding", "rules", "effective_from"]))
    schedule_field = draw(st.sampled_from(["name", "zone", "notice", "versions"]))
    junk = draw(st.lists(JUNK, min_size=3, max_size=3))
    which = draw(st.sampled_from(["rule", "version", "schedule"]))
    return {"which": which, "rule": {rule_field: junk[0]}, "version": {version_field: junk[1]},
            "schedule": {schedule_field: junk[2]}}


@settings(max_examples=200, deadline=None)
@given(_schedule_fields())
def test_a_fee_schedule_that_builds_round_trips_through_storage(spec: dict[str, Any]) -> None:
    """Junk in a fee rule, version or schedule is refused when built, or published and read
    back equal."""
    which = spec["which"]
    try:
        rule = _fee_rule(**(spec["rule"] if which == "rule" else {}))
        version = _version(**{"rules": (rule,), **(spec["version"] if which == "version" else {})})
        fields: dict[str, Any] = {"name": "wallet", "zone": "UTC", "notice": NoticePeriod(), "versions": (version,)}
        if which == "schedule":
            fields.update(spec["schedule"])
        schedule = FeeSchedule(**fields)
    except WalletcareError:
        return
    with Walletcare(
        config.Settings(storage_url="memory://", load_entry_points=False), clock=FixedClock(T0)
    ) as app:
        try:
            app.fees.publish(schedule)
        except WalletcareError:
            return
        assert app.fees.schedule(schedule.name) == schedule
