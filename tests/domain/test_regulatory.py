"""Regulatory profiles: worked examples, selection, and agreement with numpy's business days."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from walletcare import Money
from walletcare.domain import regulatory as r

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
KOLKATA = ZoneInfo("Asia/Kolkata")


def due(
    profile: str,
    jurisdiction: str,
    received: datetime,
    flags: tuple[str, ...] = (),
    occurred: datetime | None = None,
) -> dict[str, datetime]:
    calendar = r.JURISDICTIONS[jurisdiction].calendar()
    found = r.deadlines(
        r.PROFILES[profile],
        flags=flags,
        received_at=received,
        occurred_at=occurred or received,
        calendar=calendar,
    )
    return {metric: d.due_at for metric, d in found.items()}


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
    """A UPI P2P failure on 2 March, reversed on 5 March (T+3, due T+1): INR 300."""
    calendar = r.JURISDICTIONS["IN"].calendar()
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


def test_uk_payment_complaints_get_15_days_others_8_weeks() -> None:
    """DISP: payment and e-money complaints 15 business days; others 8 weeks; summary by day 3."""
    received = datetime(2026, 3, 2, 10, 0, tzinfo=ZoneInfo("Europe/London"))
    payment = due("uk_disp", "GB", received, flags=("payment_or_emoney",))
    other = due("uk_disp", "GB", received)
    assert payment["resolution"] == datetime(2026, 3, 24, tzinfo=ZoneInfo("Europe/London"))
    assert other["resolution"] == datetime(2026, 4, 28, tzinfo=ZoneInfo("Europe/London"))
    assert payment["summary_resolution"] == datetime(2026, 3, 6, tzinfo=ZoneInfo("Europe/London"))


@pytest.mark.parametrize(
    ("jurisdiction", "product", "profile"),
    [
        ("DE", "wallet", "psd2"),
        ("GB", "wallet", "uk_disp"),
        ("US", "credit_card", "reg_z"),
        ("US", "wallet", "reg_e"),
        ("CN", "wallet", "cn_banking"),
        ("IN", "upi", "rbi_tat"),
        ("IN", "wallet", "rbi_ombudsman"),
        ("BR", "wallet", None),
    ],
)
def test_profiles_are_chosen_by_jurisdiction_and_product(
    jurisdiction: str, product: str, profile: str | None
) -> None:
    """The first choice whose jurisdiction and product fit wins; none fits, no profile."""
    chosen = r.choose_profile(jurisdiction, product)
    assert (chosen.name if chosen else None) == profile


def test_every_profile_names_its_sources() -> None:
    """Profiles are data with sources, each deadline with a positive count."""
    for profile in r.PROFILES.values():
        assert profile.sources
        assert all(d.count > 0 for d in profile.deadlines)


BUSINESS_DAY_RULES = [
    (p.name, j, d)
    for p, j in (
        (r.PROFILES["psd2"], "DE"),
        (r.PROFILES["uk_disp"], "GB"),
        (r.PROFILES["reg_e"], "US"),
    )
    for d in p.deadlines
    if d.unit is r.DayCount.BUSINESS_DAYS
]


def _numpy_deadline(jurisdiction: str, count: int, received: datetime) -> datetime:
    j = r.JURISDICTIONS[jurisdiction]
    zone = ZoneInfo(j.zone)
    local = received.astimezone(zone)
    closed = sorted(
        holidays.country_holidays(j.country, years=range(local.year - 1, local.year + 3)).keys()
    )
    day = np.datetime64(local.date())
    closing_h, closing_m = (int(x) for x in j.closing.split(":"))
    open_today = bool(np.is_busday(day, holidays=closed))
    before_close = (local.hour, local.minute, local.second, local.microsecond) < (
        closing_h,
        closing_m,
        0,
        0,
    )
    first = (
        day
        if open_today and before_close
        else np.busday_offset(day, 1 if open_today else 0, roll="forward", holidays=closed)
    )
    last = date.fromisoformat(str(np.busday_offset(first, count, roll="forward", holidays=closed)))
    return datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=zone)


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(BUSINESS_DAY_RULES),
    st.datetimes(
        min_value=datetime(2020, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)
    ),
)
def test_business_day_deadlines_agree_with_numpy(
    rule: tuple[str, str, r.ProfileDeadline], received: datetime
) -> None:
    """Every business-day deadline matches numpy.busday_offset with the same holidays, DST included."""
    _, jurisdiction, deadline = rule
    calendar = r.JURISDICTIONS[jurisdiction].calendar()
    ours = r.deadline_for(deadline, received_at=received, occurred_at=received, calendar=calendar)
    assert ours == _numpy_deadline(jurisdiction, deadline.count, received)
