"""Regulatory profiles: the deadlines complaint rules set, as data, and how to count them.

Each profile lists its deadlines with their source; ``docs/concepts/regulatory-profiles.md``
tabulates them. They are the library's reading of the rules, not legal advice.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta

from attrs import field, frozen

from walletcare.domain.calendars import BusinessCalendar, require_aware
from walletcare.domain.frozenmap import FrozenMap, frozen_map
from walletcare.domain.money import Money
from walletcare.errors import ValidationError

__all__ = [
    "DayCount",
    "Deadline",
    "CountFrom",
    "ProfileDeadline",
    "DailyPenalty",
    "RegulatoryProfile",
    "Jurisdiction",
    "PROFILES",
    "JURISDICTIONS",
    "ProfileChoice",
    "DEFAULT_CHOICES",
    "choose_profile",
    "deadline_for",
    "deadlines",
    "late_days",
    "penalty_due",
]


class DayCount(enum.StrEnum):
    """How a deadline's days are counted."""

    BUSINESS_DAYS = "business_days"
    CALENDAR_DAYS = "calendar_days"


class CountFrom(enum.StrEnum):
    """The instant a deadline counts from."""

    RECEIPT = "receipt"  # when the complaint reached the provider
    OCCURRENCE = "occurrence"  # when the transaction happened (RBI's T)


@frozen(kw_only=True)
class ProfileDeadline:
    """One deadline of a profile: ``count`` days after the start, by the end of that local day.

    ``when`` flags must all be on the case and ``unless`` flags none of them for it to apply.
    """

    metric: str
    count: int
    unit: DayCount
    count_from: CountFrom = CountFrom.RECEIPT
    when: frozenset[str] = frozenset()
    unless: frozenset[str] = frozenset()
    note: str = ""


@frozen(kw_only=True)
class DailyPenalty:
    """Compensation accruing for each calendar day a deadline is missed."""

    metric: str
    amount: Money


@frozen(kw_only=True)
class RegulatoryProfile:
    """A regulation's complaint deadlines, where they come from, and how they are counted."""

    name: str
    title: str
    deadlines: tuple[ProfileDeadline, ...]
    sources: tuple[str, ...]
    penalty: DailyPenalty | None = None
    notes: str = ""
    final_response_notice: FrozenMap[str, str] = field(factory=FrozenMap, converter=frozen_map)
    """What the final response must tell the customer (e.g. the ombudsman), by language."""

    def notice_in(self, language: str) -> str:
        """The final-response notice in ``language`` (its primary subtag), else English, else ''."""
        primary = language.replace("_", "-").split("-", 1)[0].lower()
        return self.final_response_notice.get(primary) or self.final_response_notice.get("en", "")

    def applicable(self, flags: Iterable[str]) -> tuple[ProfileDeadline, ...]:
        """The deadlines that apply to a case with ``flags``."""
        present = frozenset(flags)
        return tuple(d for d in self.deadlines if d.when <= present and not d.unless & present)


@frozen(kw_only=True)
class Jurisdiction:
    """Where deadlines are counted: the zone, the public holidays and the closing time."""

    code: str
    zone: str
    country: str
    subdivision: str | None = None
    closing: str = "17:00"

    def calendar(self) -> BusinessCalendar:
        """Monday to Friday until closing, minus the country's public holidays."""
        return BusinessCalendar.build(
            zone=self.zone,
            hours={"mon-fri": f"00:00-{self.closing}"},
            country=self.country,
            subdivision=self.subdivision,
        )


def _d(metric: str, count: int, unit: DayCount, **kw: object) -> ProfileDeadline:
    return ProfileDeadline(metric=metric, count=count, unit=unit, **kw)  # type: ignore[arg-type]


BD, CD = DayCount.BUSINESS_DAYS, DayCount.CALENDAR_DAYS
EXC = frozenset({"exceptional"})

PROFILES: Mapping[str, RegulatoryProfile] = {
    p.name: p
    for p in (
        RegulatoryProfile(
            name="psd2",
            title="EU PSD2 Art. 101: payment service providers",
            deadlines=(
                _d("resolution", 15, BD, unless=EXC, note="final reply on a durable medium"),
                _d("holding_reply", 15, BD, when=EXC, note="reasons for the delay and a date"),
                _d(
                    "resolution",
                    35,
                    BD,
                    when=EXC,
                    note="exceptional cases beyond the PSP's control",
                ),
            ),
            sources=(
                "PSD2 (Directive (EU) 2015/2366) Art. 101(2)",
                "EBA Interactive Single Rulebook",
            ),
        ),
        RegulatoryProfile(
            name="uk_disp",
            title="UK FCA DISP 1.5 and 1.6",
            deadlines=(
                _d(
                    "summary_resolution",
                    3,
                    BD,
                    note=(
                        "resolved by close of the 3rd business day: "
                        "summary resolution communication (DISP 1.5)"
                    ),
                ),
                _d(
                    "resolution",
                    15,
                    BD,
                    when=frozenset({"payment_or_emoney"}),
                    unless=EXC,
                    note="DISP 1.6.2AR",
                ),
                _d(
                    "holding_reply",
                    15,
                    BD,
                    when=frozenset({"payment_or_emoney", "exceptional"}),
                    note="DISP 1.6.2AR",
                ),
                _d(
                    "resolution",
                    35,
                    BD,
                    when=frozenset({"payment_or_emoney", "exceptional"}),
                    note="DISP 1.6.2AR",
                ),
                _d(
                    "resolution",
                    56,
                    CD,
                    unless=frozenset({"payment_or_emoney"}),
                    note="8 weeks, DISP 1.6.2R",
                ),
            ),
            sources=("FCA Handbook DISP 1.5, 1.6.1R, 1.6.2R, 1.6.2AR",),
            final_response_notice={
                "en": "This is our final response. If you are still unhappy, you can refer your "
                "complaint to the Financial Ombudsman Service, free of charge, within six months "
                "of the date of this response.",
                "zh": "这是我们的最终答复。如您仍不满意，可在本答复发出之日起六个月内，免费将投诉"
                "提交至英国金融申诉专员服务机构（Financial Ombudsman Service）。",
            },
            notes=(
                "The final response must tell the customer of the Financial Ombudsman Service "
                "and the 6-month limit."
            ),
        ),
        RegulatoryProfile(
            name="reg_e",
            title="US Regulation E, 12 CFR 1005.11 error resolution",
            deadlines=(
                _d(
                    "investigation", 10, BD, unless=frozenset({"new_account"}), note="1005.11(c)(1)"
                ),
                _d(
                    "investigation",
                    20,
                    BD,
                    when=frozenset({"new_account"}),
                    note="1005.11(c)(3)(i)",
                ),
                _d(
                    "provisional_credit",
                    10,
                    BD,
                    unless=frozenset({"new_account"}),
                    note="to extend, credit by day 10: 1005.11(c)(2)(i)",
                ),
                _d(
                    "provisional_credit",
                    20,
                    BD,
                    when=frozenset({"new_account"}),
                    note="1005.11(c)(3)(i)",
                ),
                _d(
                    "extended_investigation",
                    45,
                    CD,
                    unless=frozenset({"new_account", "pos", "foreign_initiated"}),
                    note="1005.11(c)(2)",
                ),
                _d(
                    "extended_investigation",
                    90,
                    CD,
                    when=frozenset({"new_account"}),
                    note="1005.11(c)(3)(ii)",
                ),
                _d(
                    "extended_investigation",
                    90,
                    CD,
                    when=frozenset({"pos"}),
                    unless=frozenset({"new_account"}),
                    note="1005.11(c)(3)(ii)",
                ),
                _d(
                    "extended_investigation",
                    90,
                    CD,
                    when=frozenset({"foreign_initiated"}),
                    unless=frozenset({"new_account", "pos"}),
                    note="1005.11(c)(3)(ii)",
                ),
                _d(
                    "report",
                    3,
                    BD,
                    when=frozenset({"investigation_finished"}),
                    note="report the result within 3 business days of finishing",
                ),
                _d(
                    "correction",
                    1,
                    BD,
                    when=frozenset({"error_found"}),
                    note="correct within 1 business day of the finding",
                ),
            ),
            sources=("12 CFR 1005.11(b)-(c)",),
        ),
        RegulatoryProfile(
            name="reg_z",
            title="US Regulation Z, 12 CFR 1026.13 billing errors",
            deadlines=(
                _d("acknowledgement", 30, CD, note="written acknowledgement"),
                _d(
                    "resolution",
                    90,
                    CD,
                    note="two complete billing cycles, never more than 90 days",
                ),
            ),
            sources=("12 CFR 1026.13(c)",),
            notes="Due within two billing cycles; 90 days is the outer limit used here.",
        ),
        RegulatoryProfile(
            name="cfpb_portal",
            title="US CFPB complaint portal expectations",
            deadlines=(
                _d("acknowledgement", 15, CD, note="response, or 'in progress'"),
                _d("resolution", 60, CD, note="final response"),
            ),
            sources=("CFPB Company Portal Manual section 8.1",),
        ),
        RegulatoryProfile(
            name="cn_banking",
            title="China CBIRC Order 2020 No. 3 (consumer complaint handling)",
            deadlines=(
                _d(
                    "resolution",
                    15,
                    CD,
                    unless=frozenset({"extended", "approved_extension"}),
                    note="15 days",
                ),
                _d(
                    "resolution",
                    30,
                    CD,
                    when=frozenset({"extended"}),
                    unless=frozenset({"approved_extension"}),
                    note="complex cases: 30 days",
                ),
                _d(
                    "resolution",
                    60,
                    CD,
                    when=frozenset({"approved_extension"}),
                    note="with internal approval, a further 30 days",
                ),
            ),
            sources=("银行业保险业消费投诉处理管理办法 (CBIRC Order 2020 No. 3)",),
            final_response_notice={
                "en": "If you are not satisfied with this outcome, you may apply for mediation or "
                "raise it with the financial regulator.",
                "zh": "如您对处理结果不满意，可以申请调解，或向金融监督管理部门反映。",
            },
        ),
        RegulatoryProfile(
            name="rbi_tat",
            title="RBI failed-transaction turnaround time (DPSS.CO.PD No.629/02.01.014/2019-20)",
            deadlines=(
                _d(
                    "reversal",
                    1,
                    CD,
                    count_from=CountFrom.OCCURRENCE,
                    when=frozenset({"tat_t1"}),
                    note="T+1: UPI P2P, IMPS, card-to-card, PPI on-us",
                ),
                _d(
                    "reversal",
                    5,
                    CD,
                    count_from=CountFrom.OCCURRENCE,
                    unless=frozenset({"tat_t1"}),
                    note="T+5: ATM, POS, e-commerce, UPI to merchants, AePS",
                ),
            ),
            sources=("RBI circular DPSS.CO.PD No.629/02.01.014/2019-20, annex",),
            penalty=DailyPenalty(metric="reversal", amount=Money.of("100", "INR")),
            notes="Compensation is credited suo motu for each day of delay beyond the TAT.",
        ),
        RegulatoryProfile(
            name="rbi_ombudsman",
            title="RBI Integrated Ombudsman Scheme 2021",
            deadlines=(
                _d(
                    "resolution",
                    30,
                    CD,
                    note="no reply within 30 days: the customer may go to the RBI ombudsman",
                ),
            ),
            sources=("RBI Integrated Ombudsman Scheme 2021, clause 10",),
            final_response_notice={
                "en": "If you are not satisfied with this reply, you may complain to the RBI "
                "Ombudsman under the Integrated Ombudsman Scheme, 2021, within one year of it.",
            },
        ),
    )
}

JURISDICTIONS: Mapping[str, Jurisdiction] = {
    j.code: j
    for j in (
        Jurisdiction(code="DE", zone="Europe/Berlin", country="DE"),
        Jurisdiction(code="FR", zone="Europe/Paris", country="FR"),
        Jurisdiction(code="ES", zone="Europe/Madrid", country="ES"),
        Jurisdiction(code="IT", zone="Europe/Rome", country="IT"),
        Jurisdiction(code="NL", zone="Europe/Amsterdam", country="NL"),
        Jurisdiction(code="IE", zone="Europe/Dublin", country="IE"),
        Jurisdiction(code="GB", zone="Europe/London", country="GB"),
        Jurisdiction(code="US", zone="America/New_York", country="US"),
        Jurisdiction(code="CN", zone="Asia/Shanghai", country="CN"),
        Jurisdiction(code="IN", zone="Asia/Kolkata", country="IN"),
    )
}
"""Where each jurisdiction counts its days; hosts may pass their own."""


@frozen(kw_only=True)
class ProfileChoice:
    """Pick ``profile`` for cases in ``jurisdictions`` (and, if given, these products)."""

    profile: str
    jurisdictions: frozenset[str]
    products: frozenset[str] = frozenset()


DEFAULT_CHOICES: tuple[ProfileChoice, ...] = (
    ProfileChoice(profile="psd2", jurisdictions=frozenset({"DE", "FR", "ES", "IT", "NL", "IE"})),
    ProfileChoice(profile="uk_disp", jurisdictions=frozenset({"GB"})),
    ProfileChoice(
        profile="reg_z", jurisdictions=frozenset({"US"}), products=frozenset({"credit_card"})
    ),
    ProfileChoice(profile="reg_e", jurisdictions=frozenset({"US"})),
    ProfileChoice(profile="cn_banking", jurisdictions=frozenset({"CN"})),
    ProfileChoice(
        profile="rbi_tat",
        jurisdictions=frozenset({"IN"}),
        products=frozenset({"upi", "imps", "card", "atm", "ppi"}),
    ),
    ProfileChoice(profile="rbi_ombudsman", jurisdictions=frozenset({"IN"})),
)
"""The first choice whose jurisdiction (and product, if it names any) fits wins."""


def choose_profile(
    jurisdiction: str, product: str, choices: Iterable[ProfileChoice] = DEFAULT_CHOICES
) -> RegulatoryProfile | None:
    """The profile for a case's jurisdiction and product, or None."""
    for choice in choices:
        if jurisdiction in choice.jurisdictions and (
            not choice.products or product in choice.products
        ):
            profile = PROFILES.get(choice.profile)
            if profile is None:
                raise ValidationError.of("profile", f"{choice.profile!r} is not a known profile")
            return profile
    return None


def deadline_for(
    rule: ProfileDeadline,
    *,
    received_at: datetime,
    occurred_at: datetime,
    calendar: BusinessCalendar,
) -> datetime:
    """The instant a deadline ends: the end of its last local day.

    Business days count from the business day the start counts as received on (after
    closing, or on a holiday, that is the next business day); calendar days from the
    local date of the start.
    """
    start = require_aware(
        occurred_at if rule.count_from is CountFrom.OCCURRENCE else received_at, "start"
    )
    last: date
    if rule.unit is DayCount.BUSINESS_DAYS:
        last = calendar.add_business_days(start, rule.count)
    else:
        last = calendar.local_date(start) + timedelta(days=rule.count)
    return calendar.end_of_day(last)


@frozen(kw_only=True)
class Deadline:
    """A deadline applied to a case, with where it comes from."""

    metric: str
    due_at: datetime
    profile: str
    note: str


def deadlines(
    profile: RegulatoryProfile,
    *,
    flags: Iterable[str],
    received_at: datetime,
    occurred_at: datetime,
    calendar: BusinessCalendar,
) -> dict[str, Deadline]:
    """The profile's deadlines for a case, one per metric (the earliest if several apply)."""
    found: dict[str, Deadline] = {}
    for rule in profile.applicable(flags):
        due = deadline_for(
            rule, received_at=received_at, occurred_at=occurred_at, calendar=calendar
        )
        current = found.get(rule.metric)
        if current is None or due < current.due_at:
            found[rule.metric] = Deadline(
                metric=rule.metric, due_at=due, profile=profile.name, note=rule.note
            )
    return found


def late_days(deadline: datetime, done_at: datetime, calendar: BusinessCalendar) -> int:
    """Local calendar days begun from ``deadline`` (a local midnight) to ``done_at``; 0 if on time.

    RBI's example: due by the end of T+1, reversed on T+4, is late on T+2, T+3 and T+4.
    """
    if done_at <= deadline:
        return 0
    return (calendar.local_date(done_at) - calendar.local_date(deadline)).days + 1


def penalty_due(
    profile: RegulatoryProfile, deadline: datetime, done_at: datetime, calendar: BusinessCalendar
) -> Money | None:
    """The compensation a late case has accrued by ``done_at`` (None if the profile has none)."""
    if profile.penalty is None:
        return None
    return profile.penalty.amount * late_days(deadline, done_at, calendar)
