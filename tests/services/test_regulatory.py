"""Regulatory profiles in a running Walletcare: jurisdictions, allowances, compensation, config."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from walletcare import Actor, BusinessCalendar, Money, Settings, Walletcare
from walletcare.domain.escalation import PenaltyAccrued
from walletcare.domain.oversight import CaseSettings, Oversight, SlaChoice, allowances_of
from walletcare.domain.regulatory import (
    DEFAULT_CHOICES,
    DayCount,
    Jurisdiction,
    NoRegulatoryProfile,
    ProfileChoice,
    ProfileDeadline,
    Regulation,
    RegulatoryProfile,
    UnknownJurisdiction,
)
from walletcare.domain.sla import ClockBreached, ClockStopped, SlaPolicy, SlaTarget
from walletcare.errors import ConfigurationError, ValidationError
from walletcare.testing import FixedClock

from ..complaints_fixtures import intake

STAFF = Actor.staff("agent-7")
KOLKATA = ZoneInfo("Asia/Kolkata")
LONDON = ZoneInfo("Europe/London")
SHANGHAI = ZoneInfo("Asia/Shanghai")


def app_at(now: datetime, **settings: object) -> Walletcare:
    return Walletcare(Settings(storage_url="memory://", **settings), clock=FixedClock(now))  # type: ignore[arg-type]


def events_of(app: Walletcare, cid: str, kind: type) -> list:  # type: ignore[type-arg]
    return [e for e in app.events(cid) if isinstance(e, kind)]


def resolve(app: Walletcare, cid: str) -> None:
    app.complaints.acknowledge(cid, by=STAFF)
    app.complaints.resolve(
        cid,
        by=STAFF,
        outcome="upheld",
        explanation="The failed transfer was reversed to your account.",
        remedy=Money.of("2500", "INR"),
    )


def rbi_case(app: Walletcare, failed: datetime, **changes: object) -> str:
    fields: dict[str, object] = {
        "jurisdiction": "IN",
        "product": "upi",
        "flags": ("tat_t1",),
        "occurred_at": failed,
        "amount_lost": Money.of("2500", "INR"),
        "customer_zone": "Asia/Kolkata",
    }
    return app.complaints.open(intake(**{**fields, **changes})).complaint_id


def test_rbi_reversal_three_days_late_with_no_ticks_accrues_inr_300() -> None:
    """Due by the end of T+1, reversed on T+4, no tick in between: INR 300, settled at the reversal."""
    failed = datetime(2026, 3, 2, 14, 0, tzinfo=KOLKATA)
    app = app_at(datetime(2026, 3, 2, 18, 0, tzinfo=KOLKATA))
    cid = rbi_case(app, failed)
    assert isinstance(app.clock, FixedClock)
    app.clock.set(datetime(2026, 3, 6, 11, 0, tzinfo=KOLKATA))
    resolve(app, cid)
    accrued = events_of(app, cid, PenaltyAccrued)
    assert [(p.amount, p.metric, p.at) for p in accrued] == [
        (
            Money.of("300", "INR"),
            "regulatory:reversal",
            datetime(2026, 3, 6, 11, 0, tzinfo=KOLKATA),
        )
    ]
    stopped = [e for e in events_of(app, cid, ClockStopped) if e.metric == "regulatory:reversal"]
    assert len(stopped) == 1 and not stopped[0].met
    # The breach no tick saw is recorded at the reversal, once, before the stop.
    breached = [e for e in app.events(cid) if isinstance(e, ClockBreached | ClockStopped)]
    assert [(type(e).__name__, e.metric, e.at) for e in breached][:2] == [
        ("ClockBreached", "regulatory:reversal", datetime(2026, 3, 6, 11, 0, tzinfo=KOLKATA)),
        ("ClockStopped", "regulatory:reversal", datetime(2026, 3, 6, 11, 0, tzinfo=KOLKATA)),
    ]
    assert breached[0].deadline == datetime(2026, 3, 4, tzinfo=KOLKATA)
    # Nothing more accrues later: the penalty timer is gone and ticks add nothing.
    for _ in range(3):
        app.clock.advance(timedelta(days=1))
        app.tick()
    assert len(events_of(app, cid, PenaltyAccrued)) == 1
    assert app.complaints.get(cid).escalation.compensation == (
        ("regulatory:reversal", Money.of("300", "INR")),
    )
    assert len(events_of(app, cid, ClockBreached)) == 1


def test_ticks_and_the_reversal_together_accrue_each_day_once() -> None:
    """A tick on T+3 accrues INR 200; the reversal on T+4 tops it up by INR 100, not 300."""
    failed = datetime(2026, 3, 2, 14, 0, tzinfo=KOLKATA)
    app = app_at(datetime(2026, 3, 2, 18, 0, tzinfo=KOLKATA))
    cid = rbi_case(app, failed)
    assert isinstance(app.clock, FixedClock)
    app.clock.set(datetime(2026, 3, 5, 9, 0, tzinfo=KOLKATA))
    app.tick()
    app.clock.set(datetime(2026, 3, 6, 11, 0, tzinfo=KOLKATA))
    resolve(app, cid)
    amounts = [p.amount for p in events_of(app, cid, PenaltyAccrued)]
    assert amounts == [Money.of("200", "INR"), Money.of("100", "INR")]


def test_a_reversal_in_time_accrues_nothing() -> None:
    """Reversed on T+1: no compensation at all."""
    failed = datetime(2026, 3, 2, 14, 0, tzinfo=KOLKATA)
    app = app_at(datetime(2026, 3, 2, 18, 0, tzinfo=KOLKATA))
    cid = rbi_case(app, failed)
    assert isinstance(app.clock, FixedClock)
    app.clock.set(datetime(2026, 3, 3, 23, 0, tzinfo=KOLKATA))
    resolve(app, cid)
    assert events_of(app, cid, PenaltyAccrued) == []


def test_imps_is_t_plus_1_without_a_flag() -> None:
    """An IMPS failure gets a T+1 reversal clock though no `tat_t1` flag is set."""
    failed = datetime(2026, 3, 2, 14, 0, tzinfo=KOLKATA)
    app = app_at(datetime(2026, 3, 2, 18, 0, tzinfo=KOLKATA))
    cid = rbi_case(app, failed, product="imps", flags=())
    reversal = {c.metric: c for c in app.complaints.get(cid).clocks}["regulatory:reversal"]
    assert reversal.deadline == datetime(2026, 3, 4, tzinfo=KOLKATA)


def test_uk_complaint_over_easter() -> None:
    """Received Thursday 2 April 2026 in England: final response by the end of 27 April, the
    summary-resolution allowance to 17:00 on 9 April, and nothing breaches when it ends."""
    received = datetime(2026, 4, 2, 10, 0, tzinfo=LONDON)
    app = app_at(received)
    cid = app.complaints.open(
        intake(jurisdiction="uk", product="wallet", amount_lost=Money.of("42", "GBP"))
    ).complaint_id
    complaint = app.complaints.get(cid)
    assert complaint.jurisdiction == "GB"
    clocks = {c.metric: c for c in complaint.clocks}
    assert set(clocks) == {"regulatory:resolution"}
    assert clocks["regulatory:resolution"].deadline == datetime(2026, 4, 28, tzinfo=LONDON)
    until = allowances_of(complaint, app.complaints.oversight)["summary_resolution"].due_at
    assert until == datetime(2026, 4, 9, 17, 0, tzinfo=LONDON)
    assert isinstance(app.clock, FixedClock)
    for _ in range(10):
        app.clock.advance(timedelta(days=1))
        app.tick()
    assert events_of(app, cid, ClockBreached) == []


def test_a_scottish_complaint_counts_scottish_bank_holidays() -> None:
    """GB-SCT: Easter Monday is a business day, so the deadline is a business day earlier."""
    received = datetime(2026, 4, 2, 10, 0, tzinfo=LONDON)
    app = app_at(received)
    cid = app.complaints.open(
        intake(jurisdiction="GB-SCT", product="wallet", amount_lost=Money.of("42", "GBP"))
    ).complaint_id
    clocks = {c.metric: c for c in app.complaints.get(cid).clocks}
    assert clocks["regulatory:resolution"].deadline == datetime(2026, 4, 25, tzinfo=LONDON)


def test_china_house_sla_runs_across_a_make_up_saturday() -> None:
    """8 business hours from Friday 27 February 2026 16:00 end on the make-up Saturday at 15:00."""
    shanghai = BusinessCalendar.build(
        zone="Asia/Shanghai", hours={"mon-fri": "09:00-18:00"}, country="CN"
    )
    policy = SlaPolicy(
        name="cn-house",
        calendar=shanghai,
        targets=(SlaTarget(metric="resolution", duration=timedelta(hours=8)),),
    )
    app = app_at(
        datetime(2026, 2, 27, 16, 0, tzinfo=SHANGHAI),
        cases={"complaint": CaseSettings(oversight=Oversight(sla=(SlaChoice(policy=policy),)))},
    )
    cid = app.complaints.open(
        intake(
            jurisdiction="CN",
            product="wallet",
            occurred_at=datetime(2026, 2, 27, 10, 0, tzinfo=SHANGHAI),
            amount_lost=Money.of("300", "CNY"),
        )
    ).complaint_id
    resolution = {c.metric: c for c in app.complaints.get(cid).clocks}["resolution"]
    assert resolution.deadline == datetime(2026, 2, 28, 15, 0, tzinfo=SHANGHAI)


@pytest.mark.parametrize("code", ["EU", "eu", "de", " FR ", "NO", "EL"])
def test_eu_and_eea_complaints_get_a_psd2_clock(code: str) -> None:
    """Any EU or EEA code, in any case, and "EU" itself: a PSD2 resolution clock, no silence."""
    app = app_at(datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Europe/Berlin")))
    cid = app.complaints.open(intake(jurisdiction=code, product="wallet")).complaint_id
    clocks = {c.metric: c for c in app.complaints.get(cid).clocks}
    assert clocks["regulatory:resolution"].regulatory_source == "psd2:resolution"
    assert events_of(app, cid, NoRegulatoryProfile) == []


def test_an_unknown_jurisdiction_opens_with_no_clock_and_says_why() -> None:
    """By default an unknown code opens the case, records that no regulatory clock runs, and why."""
    app = app_at(datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("UTC")))
    cid = app.complaints.open(intake(jurisdiction="br", product="wallet")).complaint_id
    complaint = app.complaints.get(cid)
    assert complaint.clocks == ()
    (noted,) = events_of(app, cid, NoRegulatoryProfile)
    assert (noted.jurisdiction, noted.product) == ("BR", "wallet")
    assert noted.reason == "jurisdiction 'BR' is not configured: no regulatory clock runs"
    assert any(e.kind == "regulatory.no_profile" for e in app.complaints.history(cid))


def test_refusing_unknown_jurisdictions_stores_nothing() -> None:
    """UnknownJurisdiction.REFUSE: a ValidationError on `jurisdiction`, and no case is stored."""
    app = app_at(
        datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("UTC")),
        regulation=Regulation(unknown_jurisdiction=UnknownJurisdiction.REFUSE),
    )
    with pytest.raises(ValidationError) as err:
        app.complaints.open(intake(jurisdiction="Mars"), complaint_id="c-1")
    assert err.value.fields == ("jurisdiction",)
    assert app.storage.get_summary("c-1") is None
    assert app.complaints.open(intake(jurisdiction="de"), complaint_id="c-2").complaint_id == "c-2"


def test_a_host_profile_and_jurisdiction_run_clocks() -> None:
    """Settings.regulation adds a jurisdiction and a profile; a complaint choice names them."""
    saopaulo = ZoneInfo("America/Sao_Paulo")
    regulation = Regulation(
        profiles=(
            RegulatoryProfile(
                name="br_ombudsman",
                title="Ombudsman reply within 10 business days",
                deadlines=(ProfileDeadline(metric="resolution", count=10, unit=DayCount.BUSINESS_DAYS),),
                sources=("CMN Resolution 4,860/2020",),
            ),
        ),
        jurisdictions=(Jurisdiction(code="BR", zone="America/Sao_Paulo", country="BR"),),
    )
    choices = (ProfileChoice(profile="br_ombudsman", jurisdictions=frozenset({"BR"})), *DEFAULT_CHOICES)
    app = app_at(
        datetime(2026, 3, 2, 9, 0, tzinfo=saopaulo),
        regulation=regulation,
        cases={"complaint": CaseSettings(oversight=Oversight(regulatory=choices))},
    )
    cid = app.complaints.open(intake(jurisdiction="BR", product="wallet")).complaint_id
    resolution = {c.metric: c for c in app.complaints.get(cid).clocks}["regulatory:resolution"]
    assert resolution.regulatory_source == "br_ombudsman:resolution"
    assert resolution.deadline == datetime(2026, 3, 17, tzinfo=saopaulo)
    other = app.complaints.open(intake(jurisdiction="DE", product="wallet", transactions=("tx-2",)))
    assert {c.metric: c for c in app.complaints.get(other.complaint_id).clocks}["regulatory:resolution"].regulatory_source == "psd2:resolution"


@pytest.mark.parametrize(
    ("settings", "start"),
    [
        (
            {"cases": {"complaint": CaseSettings(oversight=Oversight(regulatory=(ProfileChoice(profile="psd3", jurisdictions=frozenset({"DE"})),)))}},
            "settings.cases.complaint.oversight: regulatory[0].profile: 'psd3' is not a known profile",
        ),
        (
            {"cases": {"complaint": CaseSettings(oversight=Oversight(regulatory=(ProfileChoice(profile="psd2", jurisdictions=frozenset({"BR"})),)))}},
            "settings.cases.complaint.oversight: regulatory[0].jurisdictions: 'BR' is not a configured jurisdiction",
        ),
        (
            {"regulation": Regulation(jurisdictions=(Jurisdiction(code="XX", zone="UTC", country="XX"),))},
            "settings.regulation.jurisdictions[0].country",
        ),
        (
            {"regulation": Regulation(builtins=False)},
            "settings.cases.complaint.oversight: kind.regulatory[0].profile: 'psd2' is not a known profile",
        ),
    ],
)
def test_regulatory_mistakes_stop_walletcare_starting(settings: dict[str, object], start: str) -> None:
    """An unknown profile or jurisdiction in a choice, or a bad jurisdiction: ConfigurationError naming the path."""
    with pytest.raises(ConfigurationError) as err:
        Walletcare(Settings(storage_url="memory://", **settings))  # type: ignore[arg-type]
    assert str(err.value).startswith(start)


def test_regulation_settings_survive_json() -> None:
    """Profiles, jurisdictions, aliases and the unknown-code outcome are plain config."""
    settings = Settings(
        storage_url="memory://",
        regulation=Regulation(
            profiles=(
                RegulatoryProfile(
                    name="house_eu",
                    title="ours",
                    deadlines=(ProfileDeadline(metric="resolution", count=10, unit=DayCount.BUSINESS_DAYS, products=frozenset({"card"})),),
                    sources=("our licence",),
                    final_response_notice={"en": "Ombudsman."},
                ),
            ),
            jurisdictions=(Jurisdiction(code="GB-SCT", zone="Europe/London", country="GB", subdivision="SCT"),),
            aliases={"Scotland": "GB-SCT"},
            unknown_jurisdiction=UnknownJurisdiction.REFUSE,
        ),
        cases={"complaint": CaseSettings(oversight=Oversight(regulatory=(ProfileChoice(profile="house_eu", jurisdictions=frozenset({"eu"})),)))},
    )
    with Walletcare(settings) as app:
        text = json.dumps(app.converter.dump(settings))
        loaded = app.converter.load(json.loads(text), Settings)
        assert app.complaints.oversight.regulation.code("scotland") == "GB-SCT"
    assert loaded == settings
    assert hash(loaded.regulation) == hash(settings.regulation)
