"""The contact rules and survey scores as pure functions: properties and edge cases."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from walletcare.domain.followups import (
    CN_SMS,
    HOUSE,
    PROFILES,
    US_REG_F,
    ContactLedger,
    ContactProfile,
    Purpose,
    Survey,
    check_contact,
    report,
)
from walletcare.domain.followups.ledger import Consent, ContactRecord
from walletcare.domain.messages import ContactWindow
from walletcare.errors import ValidationError

ZONES = ["UTC", "America/New_York", "Europe/Berlin", "Asia/Shanghai", "Asia/Kolkata", "Pacific/Auckland"]
T0 = datetime(2026, 3, 1, tzinfo=UTC)
instants = st.integers(min_value=0, max_value=60 * 24 * 400).map(lambda m: T0 + timedelta(minutes=m))


@st.composite
def ledgers(draw: st.DrawFn) -> ContactLedger:
    """A customer's ledger: some contacts, consents and conversations, in time order."""
    contacts = []
    for n, at in enumerate(sorted(draw(st.lists(instants, max_size=12)))):
        fid = f"fu-{draw(st.integers(0, n))}"
        purpose = draw(st.sampled_from(list(Purpose)))
        contacts.append(ContactRecord(at=at, followup_id=fid, purpose=purpose, channel="sms", message_id=f"m{n}", attempt=1))
    consents = tuple(
        Consent(purpose=p, granted=g, at=at, source="test")
        for p, g, at in draw(st.lists(st.tuples(st.sampled_from(list(Purpose)), st.booleans(), instants), max_size=4))
    )
    conversations = tuple(sorted(draw(st.lists(instants, max_size=3))))
    return ContactLedger(customer_id="c", contacts=tuple(contacts), consents=consents, conversations=conversations)


@settings(max_examples=300)
@given(ledgers(), instants, st.sampled_from(ZONES), st.sampled_from(list(PROFILES.values())), st.sampled_from(list(Purpose)))
def test_an_allowed_contact_breaks_no_rule(
    ledger: ContactLedger, at: datetime, zone: str, profile: ContactProfile, purpose: Purpose
) -> None:
    """Allowed means: outside quiet hours, not opted out, consented where needed, under the cap."""
    verdict = check_contact(ledger, followup_id="fu-new", purpose=purpose, at=at, zone=zone, profile=profile)
    consent = ledger.consent(purpose)
    if verdict.allowed:
        assert profile.window.is_open(at, zone)
        assert consent is None or consent.granted
        assert purpose not in profile.consent_first or consent is not None
        if purpose in profile.capped and profile.max_contacts:
            first: dict[str, datetime] = {}
            for c in ledger.contacts:
                if c.purpose in profile.capped:
                    first.setdefault(c.followup_id, c.at)
            assert sum(1 for t in first.values() if at - profile.per < t <= at) < profile.max_contacts
    else:
        assert verdict.reason
        assert verdict.retry_at is None or verdict.retry_at > at


@settings(max_examples=300)
@given(instants, st.sampled_from(ZONES), st.integers(0, 23), st.integers(1, 23))
def test_next_open_is_the_first_open_instant(at: datetime, zone: str, opens: int, length: int) -> None:
    """next_open is never quiet, never earlier, and no open minute lies between."""
    o, c = time(opens), time((opens + length) % 24)
    if o == c:
        return
    window = ContactWindow(opens=o, closes=c)
    found = window.next_open(at, zone)
    assert found >= at and window.is_open(found, zone)
    if found > at:
        probe = at
        while probe < found - timedelta(minutes=1):
            probe += timedelta(minutes=15)
            assert probe >= found or not window.is_open(probe, zone)


def test_twenty_fifty_nine_is_open_and_twenty_one_is_quiet_in_the_callee_zone() -> None:
    """The TCPA window closes at 21:00 local: 20:59 is open, 21:00 and 21:01 are not."""
    from zoneinfo import ZoneInfo

    ny = ZoneInfo("America/New_York")
    empty = ContactLedger(customer_id="c")
    for hhmm, allowed in (("20:59", True), ("21:00", False), ("21:01", False), ("07:59", False), ("08:00", True)):
        h, m = map(int, hhmm.split(":"))
        at = datetime(2026, 7, 1, h, m, tzinfo=ny)
        verdict = check_contact(empty, followup_id="f", purpose=Purpose.SURVEY, at=at, zone="America/New_York", profile=PROFILES["us_tcpa"])
        assert verdict.allowed is allowed, hhmm


def test_reg_f_counts_seven_in_seven_days_and_a_cool_down() -> None:
    """The eighth follow-up in 7 days waits until the first drops out; a conversation holds
    every capped follow-up back 7 days."""
    at = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
    contacts = tuple(
        ContactRecord(at=at - timedelta(days=6, hours=-n), followup_id=f"f{n}", purpose=Purpose.SURVEY, channel="sms", message_id=f"m{n}", attempt=1)
        for n in range(7)
    )
    ledger = ContactLedger(customer_id="c", contacts=contacts)
    verdict = check_contact(ledger, followup_id="new", purpose=Purpose.SURVEY, at=at, zone="UTC", profile=US_REG_F)
    assert not verdict.allowed and verdict.retry_at == contacts[0].at + timedelta(days=7)
    assert check_contact(ledger, followup_id="f3", purpose=Purpose.SURVEY, at=at, zone="UTC", profile=US_REG_F).allowed
    assert check_contact(ledger, followup_id="new", purpose=Purpose.SECURITY, at=at, zone="UTC", profile=US_REG_F).allowed
    talked = ContactLedger(customer_id="c", conversations=(at - timedelta(days=2),))
    held = check_contact(talked, followup_id="new", purpose=Purpose.SURVEY, at=at, zone="UTC", profile=US_REG_F)
    assert not held.allowed and held.retry_at == at + timedelta(days=5)


def test_cn_sms_needs_consent_first_and_an_opt_out_is_final() -> None:
    """No survey SMS without consent; none after the customer withdraws it."""
    at = datetime(2026, 3, 10, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai
    empty = ContactLedger(customer_id="c")
    assert not check_contact(empty, followup_id="f", purpose=Purpose.SURVEY, at=at, zone="Asia/Shanghai", profile=CN_SMS).allowed
    given_ = Consent(purpose=Purpose.SURVEY, granted=True, at=at - timedelta(days=9), source="app")
    withdrawn = Consent(purpose=Purpose.SURVEY, granted=False, at=at - timedelta(days=1), source="replied TD")
    yes = ContactLedger(customer_id="c", consents=(given_,))
    assert check_contact(yes, followup_id="f", purpose=Purpose.SURVEY, at=at, zone="Asia/Shanghai", profile=CN_SMS).allowed
    no = ContactLedger(customer_id="c", consents=(given_, withdrawn))
    verdict = check_contact(no, followup_id="f", purpose=Purpose.SURVEY, at=at, zone="Asia/Shanghai", profile=CN_SMS)
    assert not verdict.allowed and verdict.retry_at is None and "replied TD" in verdict.reason


def test_csat_is_top_two_box_and_nps_is_promoters_minus_detractors() -> None:
    """CSAT 5,4,3,2 is 50%; NPS 10,9,8,6,0 is (2 - 2) / 5 = 0."""
    scores = [(Survey.CSAT, s) for s in (5, 4, 3, 2)] + [(Survey.NPS, s) for s in (10, 9, 8, 6, 0)]
    r = report(scores)
    assert (r.csat, r.csat_satisfied, r.nps, r.promoters, r.detractors) == (Decimal("50.0"), 2, Decimal("0.0"), 2, 2)
    assert report([(Survey.NPS, 9)]).nps == Decimal("100.0")
    assert report([]).csat is None and report([]).nps is None


def test_profiles_refuse_nonsense_by_field() -> None:
    """An empty window, a negative cap, an unknown purpose: each a ValidationError."""
    with pytest.raises(ValidationError, match="closes"):
        ContactProfile(name="x", opens=time(8), closes=time(8))
    with pytest.raises(ValidationError, match="max_contacts"):
        ContactProfile(name="x", max_contacts=-1)
    with pytest.raises(ValidationError, match="purposes"):
        ContactProfile(name="x", capped=frozenset({"spam"}))
    assert HOUSE.max_contacts == 2 and all(p.sources for p in PROFILES.values())


def test_every_customer_text_says_how_the_answer_is_used_how_to_stop_and_has_no_link() -> None:
    """Each customer template, in each language: the opt-out keyword, the use of the answer,
    and no link (fake follow-ups phish with links). The never-ask line is the verification
    hint every customer message ends with (tests/services/test_followups.py)."""
    from walletcare.domain.followups.texts import TEMPLATES

    used = {"en": "used only", "zh": "仅用于"}
    for name, languages in TEMPLATES.items():
        if name == "followup.staff_alert":
            continue
        assert set(languages) == {"en", "zh"}, name
        for language, (subject, body) in languages.items():
            assert "{stop}" in body and used[language] in body, (name, language)
            assert "http" not in body and "www." not in body and "{ref}" in subject, (name, language)
