"""Regulatory profiles: worked examples, selection, configuration, and numpy's business days."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from walletcare import Money
from walletcare.domain import regulatory as r
from walletcare.errors import ConfigurationError, ValidationError

from .. import busday_oracle as oracle

BERLIN = ZoneInfo("Europe/Berlin")
LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
KOLKATA = ZoneInfo("Asia/Kolkata")
REGULATION = r.default_regulation()


def due(
    profile: str,
    jurisdiction: str,
    received: datetime,
    flags: tuple[str, ...] = (),
    occurred: datetime | None = None,
    product: str = "",
) -> dict[str, datetime]:
    calendar = REGULATION.calendar(jurisdiction)
    assert calendar is not None
    found = r.deadlines(
        r.PROFILES[profile],
        flags=flags,
        product=product,
        received_at=received,
        occurred_at=occurred or received,
        calendar=calendar,
    )
    return {metric: d.due_at for metric, d in found.items()}


def summary_until(jurisdiction: str, received: datetime) -> datetime:
    calendar = REGULATION.calendar(jurisdiction)
    assert calendar is not None
    found = r.allowances(
        r.PROFILES["uk_disp"], flags=(), received_at=received, occurred_at=received, calendar=calendar
    )
    return found["summary_resolution"].due_at


def test_psd2_friday_evening_before_a_german_holiday() -> None:
    """Received Friday 22 May 2026 at 19:00 in Berlin (Whit Monday next): final reply by the end of 16 June."""
    deadlines = due("psd2", "DE", datetime(2026, 5, 22, 19, 0, tzinfo=BERLIN))
    assert deadlines == {"resolution": datetime(2026, 6, 17, 0, 0, tzinfo=BERLIN)}


def test_psd2_exceptional_cases_get_a_holding_reply_and_35_days() -> None:
    """Exceptional cases: holding reply by day 15, final reply by day 35."""
    deadlines = due(
        "psd2", "DE", datetime(2026, 5, 22, 19, 0, tzinfo=BERLIN), flags=("exceptional",)
    )
    assert deadlines["holding_reply"] == datetime(2026, 6, 17, tzinfo=BERLIN)
    assert deadlines["resolution"] == datetime(2026, 7, 15, tzinfo=BERLIN)


def test_reg_e_error_on_a_new_account() -> None:
    """A new account's error: 20 business days (Veterans Day and Thanksgiving skipped), 90 days extended."""
    received = datetime(2026, 11, 2, 10, 0, tzinfo=NEW_YORK)
    deadlines = due("reg_e", "US", received, flags=("new_account",))
    assert deadlines["investigation"] == datetime(2026, 12, 3, tzinfo=NEW_YORK)
    assert deadlines["provisional_credit"] == datetime(2026, 12, 3, tzinfo=NEW_YORK)
    assert deadlines["extended_investigation"] == datetime(2027, 2, 1, tzinfo=NEW_YORK)
    ordinary = due("reg_e", "US", received)
    assert ordinary["investigation"] == datetime(2026, 11, 18, tzinfo=NEW_YORK)
    assert ordinary["extended_investigation"] == datetime(2026, 12, 18, tzinfo=NEW_YORK)


def test_rbi_t_plus_1_three_days_late_accrues_inr_300() -> None:
    """A UPI P2P failure on 2 March, reversed on 6 March (due by the end of T+1): INR 300."""
    calendar = REGULATION.calendar("IN")
    assert calendar is not None
    failed = datetime(2026, 3, 2, 14, 0, tzinfo=KOLKATA)
    deadline = due("rbi_tat", "IN", failed, flags=("tat_t1",))["reversal"]
    assert deadline == datetime(2026, 3, 4, tzinfo=KOLKATA)
    reversed_at = datetime(2026, 3, 6, 11, 0, tzinfo=KOLKATA)
    assert r.late_days(deadline, reversed_at, calendar) == 3
    assert r.penalty_due(r.PROFILES["rbi_tat"], deadline, reversed_at, calendar) == Money.of(
        "300", "INR"
    )
    assert r.penalty_due(r.PROFILES["rbi_tat"], deadline, deadline, calendar) == Money.of(
        "0", "INR"
    )


@pytest.mark.parametrize(
    ("product", "flags", "day"),
    [
        ("imps", (), 4),  # IMPS is T+1 under the circular, with or without a flag: end of 3 March
        ("imps", ("tat_t1",), 4),
        ("upi", ("tat_t1",), 4),
        ("upi", (), 8),  # UPI to a merchant: T+5, the end of 7 March
        ("atm", (), 8),
    ],
)
def test_rbi_turnaround_by_channel(product: str, flags: tuple[str, ...], day: int) -> None:
    """IMPS is always T+1; other channels T+1 with `tat_t1`, else T+5."""
    failed = datetime(2026, 3, 2, 14, 0, tzinfo=KOLKATA)
    deadline = due("rbi_tat", "IN", failed, flags=flags, product=product)["reversal"]
    assert deadline == datetime(2026, 3, day, tzinfo=KOLKATA)


def test_uk_payment_complaints_get_15_days_others_8_weeks() -> None:
    """DISP: payment and e-money complaints 15 business days; others 8 weeks."""
    received = datetime(2026, 3, 2, 10, 0, tzinfo=LONDON)
    payment = due("uk_disp", "GB", received, flags=("payment_or_emoney",))
    other = due("uk_disp", "GB", received)
    assert payment["resolution"] == datetime(2026, 3, 24, tzinfo=LONDON)
    assert other["resolution"] == datetime(2026, 4, 28, tzinfo=LONDON)


def test_summary_resolution_is_an_allowance_to_close_of_business_on_day_3() -> None:
    """DISP 1.5 runs to 17:00 on the 3rd business day, and is no deadline (no clock for it)."""
    received = datetime(2026, 3, 2, 10, 0, tzinfo=LONDON)
    assert summary_until("GB", received) == datetime(2026, 3, 5, 17, 0, tzinfo=LONDON)
    assert "summary_resolution" not in due("uk_disp", "GB", received)


def test_uk_complaint_over_easter_counts_english_bank_holidays() -> None:
    """Received Thursday 2 April 2026: Good Friday and Easter Monday are closed in England."""
    received = datetime(2026, 4, 2, 10, 0, tzinfo=LONDON)
    payment = due("uk_disp", "GB", received, flags=("payment_or_emoney",))
    # 7, 8, 9, 10, 13..17, 20..24, 27 April: the 15th business day is Monday 27 April.
    assert payment["resolution"] == datetime(2026, 4, 28, tzinfo=LONDON)
    assert summary_until("GB", received) == datetime(2026, 4, 9, 17, 0, tzinfo=LONDON)
    # Easter Monday is no bank holiday in Scotland: one business day earlier there.
    scotland = due("uk_disp", "GB-SCT", received, flags=("payment_or_emoney",))
    assert scotland["resolution"] == datetime(2026, 4, 25, tzinfo=LONDON)
    assert summary_until("GB-SCT", received) == datetime(2026, 4, 8, 17, 0, tzinfo=LONDON)
    assert due("uk_disp", "GB-NIR", received, flags=("payment_or_emoney",)) == payment


def test_late_august_bank_holidays_differ_by_nation() -> None:
    """England closes on 31 August 2026, Scotland on 3 August."""
    received = datetime(2026, 8, 27, 10, 0, tzinfo=LONDON)
    assert summary_until("GB", received) == datetime(2026, 9, 2, 17, 0, tzinfo=LONDON)
    assert summary_until("GB-SCT", received) == datetime(2026, 9, 1, 17, 0, tzinfo=LONDON)


@pytest.mark.parametrize(
    ("jurisdiction", "product", "profile"),
    [
        ("DE", "wallet", "psd2"),
        ("de", "wallet", "psd2"),
        (" EU ", "wallet", "psd2"),
        ("eu", "wallet", "psd2"),
        ("EL", "wallet", "psd2"),
        ("NO", "wallet", "psd2"),
        ("GB", "wallet", "uk_disp"),
        ("UK", "wallet", "uk_disp"),
        ("gb_sct", "wallet", "uk_disp"),
        ("uk-nir", "wallet", "uk_disp"),
        ("US", "credit_card", "reg_z"),
        ("US", "wallet", "reg_e"),
        ("CN", "wallet", "cn_banking"),
        ("IN", "upi", "rbi_tat"),
        ("IN", "imps", "rbi_tat"),
        ("IN", "wallet", "rbi_ombudsman"),
        ("BR", "wallet", None),
        ("", "wallet", None),
    ],
)
def test_profiles_are_chosen_by_jurisdiction_and_product(
    jurisdiction: str, product: str, profile: str | None
) -> None:
    """Codes are normalised and aliased; the first choice that fits wins; none fits, no profile."""
    chosen = r.choose_profile(jurisdiction, product)
    assert (chosen.name if chosen else None) == profile


def test_psd2_covers_every_eu_and_eea_state() -> None:
    """All 27 EU member states and Iceland, Liechtenstein and Norway get PSD2, on their own holidays."""
    eu = "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE"
    states = [*eu.split(), "IS", "LI", "NO"]
    assert len(states) == 30 and set(states) == set(r.EEA_ZONES)
    for state in states:
        assert r.choose_profile(state, "wallet") == r.PROFILES["psd2"]
        calendar = REGULATION.calendar(state)
        assert calendar is not None and calendar.country == state


def test_eu_alone_counts_on_the_target2_calendar() -> None:
    """"EU" names no state: PSD2 on the TARGET2 closing days, Brussels time."""
    calendar = REGULATION.calendar("EU")
    assert calendar is not None and calendar.market == "XECB" and calendar.zone == "Europe/Brussels"
    assert not calendar.is_business_day(date(2026, 5, 1))  # Labour Day closes TARGET2
    assert not calendar.is_business_day(date(2026, 10, 3))  # a Saturday
    assert calendar.is_business_day(date(2026, 5, 14))  # Ascension Day is a German holiday only


def test_every_profile_names_its_sources() -> None:
    """Profiles are data with sources, each deadline with a positive count."""
    for profile in r.PROFILES.values():
        assert profile.sources
        assert all(d.count > 0 for d in profile.deadlines)


def test_builtin_config_is_immutable() -> None:
    """The built-in tables are frozen mappings: a host cannot change them for everyone."""
    with pytest.raises(TypeError):
        r.PROFILES["psd2"] = r.PROFILES["uk_disp"]  # type: ignore[index]
    with pytest.raises(TypeError):
        r.JURISDICTIONS["XX"] = r.JURISDICTIONS["DE"]  # type: ignore[index]
    with pytest.raises(TypeError):
        r.PROFILES["uk_disp"].final_response_notice["en"] = ""  # type: ignore[index]


BRAZIL = r.Jurisdiction(code="br", zone="America/Sao_Paulo", country="BR")
BACEN = r.RegulatoryProfile(
    name="br_bacen",
    title="Brazil: an ombudsman reply within 10 business days",
    deadlines=(r.ProfileDeadline(metric="resolution", count=10, unit=r.DayCount.BUSINESS_DAYS),),
    sources=("CMN Resolution 4,860/2020, art. 6",),
)


def test_hosts_add_profiles_and_jurisdictions_for_choices_to_name() -> None:
    """A host's jurisdiction and profile are chosen like built-in ones; the built-ins stay."""
    regulation = r.Regulation(profiles=(BACEN,), jurisdictions=(BRAZIL,)).compile()
    choices = regulation.choose(
        (r.ProfileChoice(profile="br_bacen", jurisdictions=frozenset({"br"})), *r.DEFAULT_CHOICES),
        "regulatory",
    )
    assert regulation.profile("BR", "wallet", choices) == BACEN
    assert regulation.calendar("br") is not None
    assert regulation.profile("DE", "wallet", choices) == r.PROFILES["psd2"]


def test_hosts_override_profiles_by_name() -> None:
    """A profile named like a built-in one replaces it wherever a choice names it."""
    stricter = r.RegulatoryProfile(
        name="psd2",
        title="PSD2 as our licence reads it: 10 business days",
        deadlines=(r.ProfileDeadline(metric="resolution", count=10, unit=r.DayCount.BUSINESS_DAYS),),
        sources=("our licence",),
    )
    regulation = r.Regulation(profiles=(stricter,)).compile()
    assert regulation.profile("FR", "wallet", r.DEFAULT_CHOICES) == stricter
    assert regulation.profile("US", "wallet", r.DEFAULT_CHOICES) == r.PROFILES["reg_e"]


def test_without_builtins_only_the_hosts_config_applies() -> None:
    """builtins=False: nothing but what the host gives; why no profile applies is said."""
    regulation = r.Regulation(builtins=False, profiles=(BACEN,), jurisdictions=(BRAZIL,)).compile()
    assert regulation.profile("DE", "wallet", r.DEFAULT_CHOICES) is None
    assert regulation.unapplied("DE", "wallet", ()) == "jurisdiction 'DE' is not configured: no regulatory clock runs"
    assert regulation.unapplied("BR", "wallet", ()).startswith("no regulatory profile is chosen for BR")
    assert regulation.unapplied("", "wallet", ()) == ""


@pytest.mark.parametrize(
    ("choice", "field"),
    [
        (r.ProfileChoice(profile="psd3", jurisdictions=frozenset({"DE"})), "regulatory[0].profile"),
        (r.ProfileChoice(profile="psd2", jurisdictions=frozenset({"XX"})), "regulatory[0].jurisdictions"),
    ],
)
def test_choices_naming_unknown_profiles_or_jurisdictions_are_refused(
    choice: r.ProfileChoice, field: str
) -> None:
    """A kind's choice must name a configured profile and jurisdictions, naming the field."""
    with pytest.raises(ValidationError) as err:
        REGULATION.choose((choice,), "regulatory")
    assert err.value.fields == (field,)


@pytest.mark.parametrize(
    ("regulation", "path"),
    [
        (r.Regulation(profiles=(BACEN, BACEN)), "settings.regulation.profiles[1].name"),
        (r.Regulation(jurisdictions=(r.Jurisdiction(code="ZZ", zone="UTC", country="ZZ"),)), "settings.regulation.jurisdictions[0].country"),
        (r.Regulation(jurisdictions=(r.Jurisdiction(code=" ", zone="UTC", country="DE"),)), "settings.regulation.jurisdictions[0].code"),
        (r.Regulation(aliases={"Deutschland": "DX"}), "settings.regulation.aliases.Deutschland"),
    ],
)
def test_configuration_mistakes_are_refused_with_their_path(
    regulation: r.Regulation, path: str
) -> None:
    """A duplicate profile, a bad calendar, a blank code, a dangling alias: ConfigurationError naming the path."""
    with pytest.raises(ConfigurationError) as err:
        regulation.compile()
    assert str(err.value).startswith(f"{path}: ")


def test_regulation_refuses_wrong_types_when_built() -> None:
    """A list, or a tuple of the wrong things, is refused, naming the field."""
    with pytest.raises(ValidationError) as err:
        r.Regulation(profiles=("psd2",))  # type: ignore[arg-type]
    assert err.value.fields == ("profiles[0]",)
    with pytest.raises(ValidationError) as err:
        r.Regulation(jurisdictions=[])  # type: ignore[arg-type]
    assert err.value.fields == ("jurisdictions",)


def test_refusing_unknown_jurisdictions_names_the_field() -> None:
    """With REFUSE, an unknown or missing code is a ValidationError on `jurisdiction`."""
    strict = r.Regulation(unknown_jurisdiction=r.UnknownJurisdiction.REFUSE).compile()
    assert strict.admit(" de ") == "DE"
    for code in ("BR", ""):
        with pytest.raises(ValidationError) as err:
            strict.admit(code)
        assert err.value.fields == ("jurisdiction",)
    lenient = r.default_regulation()
    assert lenient.admit("br") == "BR"


# -- the oracle ------------------------------------------------------------------------------
BUSINESS_DAY_RULES = sorted(
    {
        (choice.profile, jurisdiction, rule)
        for choice in REGULATION.choose(r.DEFAULT_CHOICES, "regulatory")
        for jurisdiction in choice.jurisdictions
        for rule in REGULATION.profiles[choice.profile].deadlines
        if rule.unit is r.DayCount.BUSINESS_DAYS
    },
    key=lambda x: (x[0], x[1], x[2].metric, x[2].count, sorted(x[2].when)),
) + [
    ("uk_disp", code, rule)
    for code in ("GB-ENG", "GB-WLS", "GB-SCT", "GB-NIR")
    for rule in r.PROFILES["uk_disp"].deadlines
    if rule.unit is r.DayCount.BUSINESS_DAYS
]


def test_the_oracle_covers_every_business_day_profile() -> None:
    """psd2 in 31 places, uk_disp in 5 and reg_e in the US: every business-day profile is checked."""
    places = {(p, j) for p, j, _ in BUSINESS_DAY_RULES}
    assert {p for p, _ in places} == {"psd2", "uk_disp", "reg_e"}
    assert len([j for p, j in places if p == "psd2"]) == 31
    assert len([j for p, j in places if p == "uk_disp"]) == 5


def _oracle_deadline(jurisdiction: str, rule: r.ProfileDeadline, received: datetime) -> datetime:
    j = REGULATION.jurisdictions[jurisdiction]
    zone = ZoneInfo(j.zone)
    closing = time.fromisoformat(j.closing)
    weekly = [[(0, closing.hour * 60 + closing.minute)]] * 5 + [[], []]
    last = oracle.business_day(
        received,
        rule.count,
        zone=j.zone,
        weekly=weekly,
        country=j.country,
        subdivision=j.subdivision,
        market=j.market,
    )
    if rule.ends is r.DayEnd.CLOSE_OF_BUSINESS:
        return datetime.combine(last, closing, tzinfo=zone)
    return datetime.combine(last + timedelta(days=1), time(), tzinfo=zone)


@settings(max_examples=1000, deadline=None)
@given(
    st.sampled_from(BUSINESS_DAY_RULES),
    st.datetimes(
        min_value=datetime(2020, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)
    ),
)
def test_business_day_deadlines_agree_with_numpy(
    rule: tuple[str, str, r.ProfileDeadline], received: datetime
) -> None:
    """Every business-day deadline and allowance matches numpy's busday arithmetic, DST included."""
    _, jurisdiction, deadline = rule
    calendar = REGULATION.calendar(jurisdiction)
    assert calendar is not None
    ours = r.deadline_for(
        deadline, received_at=received, occurred_at=received, found_at=received, calendar=calendar
    )
    assert ours == _oracle_deadline(jurisdiction, deadline, received)
