"""Dispute profiles, provisional-credit rules and forums, as data; and the policy that holds them.

A profile is a network's or a provider's dispute timetable (Visa, Mastercard, a PayPal-like
marketplace, a wallet's own); credit rules are a regulation's provisional-credit duties
(Reg E), chosen by the customer's jurisdiction; a forum names the mediation and arbitration
bodies of a jurisdiction. Hosts add their own of each. ``docs/concepts/disputes.md``
tabulates the shipped ones with their sources: the library's reading, not legal advice.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from attrs import field, frozen

from walletcare.domain.calendars import BusinessCalendar
from walletcare.domain.disputes.values import Reason
from walletcare.domain.frozenmap import FrozenMap, frozen_map
from walletcare.domain.regulatory import EEA_ZONES, CompiledRegulation, ProfileChoice
from walletcare.errors import ValidationError

__all__ = [
    "IgnoredOffer",
    "DisputeProfile",
    "CreditRules",
    "Forum",
    "DisputePolicy",
    "CompiledDisputePolicy",
    "PROFILES",
    "REG_E",
    "FORUMS",
]


class IgnoredOffer(enum.StrEnum):
    """What an offer to the customer that lapses unanswered leads to."""

    LAPSE = "lapse"  # nothing more: the dispute goes on
    CLOSE = "close"  # the dispute closes with no award (PayPal: after 10 days)
    ACCEPT = "accept"  # the offer counts as accepted


def _days(_: object, attribute: Any, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValidationError.of(
            attribute.name, f"must be a positive number of days, got {value!r}"
        )


def _optional_days(instance: object, attribute: Any, value: Any) -> None:
    if value is not None:
        _days(instance, attribute, value)


def _reason_days(value: Any) -> FrozenMap[Reason, int]:
    found = {}
    for key, days in frozen_map(value).items():
        try:
            reason = Reason(key)
        except ValueError:
            raise ValidationError.of("reason_filing_days", f"{key!r} is not a reason") from None
        if isinstance(days, bool) or not isinstance(days, int) or days < 1:
            raise ValidationError.of(f"reason_filing_days.{reason}", "must be a positive int")
        found[reason] = days
    return FrozenMap(found)


def _strings(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


def _words(value: Iterable[str]) -> frozenset[str]:
    return frozenset(value)


def _reasons(value: Iterable[Reason | str]) -> frozenset[Reason]:
    try:
        return frozenset(Reason(r) for r in value)
    except ValueError as exc:
        raise ValidationError.of("reasons", str(exc)) from None


def _ignored(value: Any) -> IgnoredOffer:
    try:
        return IgnoredOffer(value)
    except ValueError:
        choices = ", ".join(i.value for i in IgnoredOffer)
        raise ValidationError.of("ignored_offer", f"{value!r} is not one of {choices}") from None


def _text(_: object, attribute: Any, value: Any) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError.of(attribute.name, "is required")


def _sources(_: object, attribute: Any, value: Any) -> None:
    if not isinstance(value, tuple) or not value or not all(isinstance(s, str) for s in value):
        raise ValidationError.of(attribute.name, "say where the numbers come from")


@frozen(kw_only=True)
class DisputeProfile:
    """A dispute timetable, in calendar days.

    - ``filing_days``: from the transaction to the latest filing, unless the reason has its
      own window in ``reason_filing_days``.
    - ``inquiry_days``: disputes open as an inquiry that closes by itself after this many
      days unless a party escalates it (None: they open as disputes).
    - ``respond_days``: each party's evidence window once the dispute stage opens.
    - ``appeal_days``: how long a decision may be appealed (pre-arbitration) or referred to a
      third party, and each party's evidence window in those stages.
    - ``offer_days``: how long an offer stands unless its maker says otherwise;
      ``ignored_offer``: what an offer to the customer that lapses unanswered leads to.
    """

    name: str = field(validator=_text)
    title: str = field(validator=_text)
    filing_days: int = field(validator=_days)
    respond_days: int = field(validator=_days)
    appeal_days: int = field(validator=_days)
    reason_filing_days: FrozenMap[Reason, int] = field(factory=FrozenMap, converter=_reason_days)
    inquiry_days: int | None = field(default=None, validator=_optional_days)
    offer_days: int = field(default=10, validator=_days)
    ignored_offer: IgnoredOffer = field(default=IgnoredOffer.LAPSE, converter=_ignored)
    sources: tuple[str, ...] = field(default=(), converter=_strings, validator=_sources)
    notes: str = ""

    def filing_window(self, reason: Reason) -> int:
        """Days from the transaction within which a dispute for ``reason`` may be filed."""
        return self.reason_filing_days.get(reason, self.filing_days)


@frozen(kw_only=True)
class CreditRules:
    """A regulation's provisional-credit duties (US Regulation E, 12 CFR 1005.11 and 1005.18).

    Credit by business day ``credit_business_days`` (``credit_business_days_new`` for a new
    account) to take up to ``investigation_days`` (``investigation_days_extended`` for new
    accounts, POS and foreign-initiated transfers) to investigate; tell the customer within
    ``notice_business_days`` of crediting; take credit back only after a finding, with notice
    and ``honour_business_days`` of honouring. Products in ``verify_products`` (prepaid
    accounts, wallets) get provisional credit only once the customer's identity is verified.
    """

    name: str = field(validator=_text)
    reasons: frozenset[Reason] = field(converter=_reasons)
    credit_business_days: int = field(default=10, validator=_days)
    credit_business_days_new: int = field(default=20, validator=_days)
    investigation_days: int = field(default=45, validator=_days)
    investigation_days_extended: int = field(default=90, validator=_days)
    extended_flags: frozenset[str] = frozenset({"new_account", "pos", "foreign_initiated"})
    notice_business_days: int = field(default=2, validator=_days)
    honour_business_days: int = field(default=5, validator=_days)
    verify_products: frozenset[str] = frozenset({"prepaid", "wallet"})
    sources: tuple[str, ...] = field(default=(), converter=_strings, validator=_sources)


@frozen(kw_only=True)
class Forum:
    """The bodies a jurisdiction's disputes go to: ``mediation`` and ``arbitration`` at home,
    ``international`` for arbitration across borders. ``jurisdictions``: the codes it covers
    (a country's code covers its subdivisions)."""

    jurisdictions: frozenset[str] = field(converter=_words)
    mediation: str = field(validator=_text)
    arbitration: str = field(validator=_text)
    international: str = field(validator=_text)
    notes: str = ""

    def covers(self, jurisdiction: str) -> bool:
        """Tell whether this forum serves ``jurisdiction``."""
        country = jurisdiction.split("-", maxsplit=1)[0]
        return jurisdiction in self.jurisdictions or country in self.jurisdictions


_NETWORK = "chargeback.com (Visa time limits); docs.chargeflow.io (network timelines)"
PROFILES: FrozenMap[str, DisputeProfile] = FrozenMap(
    (p.name, p)
    for p in (
        DisputeProfile(
            name="visa",
            title="Visa card disputes",
            filing_days=120,
            respond_days=30,
            appeal_days=30,
            sources=(_NETWORK,),
            notes="120 days to file, 30 to respond, 30 for pre-arbitration (Visa Core Rules not "
            "stored: medium confidence).",
        ),
        DisputeProfile(
            name="mastercard",
            title="Mastercard chargebacks",
            filing_days=120,
            reason_filing_days={Reason.DUPLICATE: 45, Reason.INCORRECT_AMOUNT: 60},
            respond_days=45,
            appeal_days=45,
            sources=(
                "Mastercard Chargeback Guide (2020 and 2022 copies)",
                "blog.unibulmerchantservices.com (time frames)",
                "docs.chargeflow.io (network timelines)",
            ),
            notes="First chargeback 45, 60, 120 or 540 days by reason (120 for most cardholder "
            "disputes); second presentment and pre-arbitration 45 days. Medium confidence.",
        ),
        DisputeProfile(
            name="paypal_like",
            title="A PayPal-like marketplace: inquiry, then claim",
            filing_days=180,
            inquiry_days=20,
            respond_days=10,
            appeal_days=10,
            offer_days=10,
            ignored_offer=IgnoredOffer.CLOSE,
            sources=(
                "paypal.com help: dispute filing timeframes (help1173)",
                "paypal.com smarthelp: escalate within 20 days (faq932, faq1417)",
                "PayPal help center: an ignored seller offer closes the dispute after 10 days",
            ),
            notes="180 days to open; the inquiry closes unless escalated within 20 days; the "
            "seller has 10 days to respond; an offer the buyer ignores for 10 days closes it.",
        ),
        DisputeProfile(
            name="wallet",
            title="A wallet's own disputes (no card network)",
            filing_days=120,
            respond_days=10,
            appeal_days=10,
            offer_days=7,
            sources=("walletcare default; deadlines of the parties' jurisdictions apply too",),
            notes="A starting point for a wallet's own transfers; set your own numbers.",
        ),
    )
)
"""The shipped dispute profiles, by name."""

REG_E = CreditRules(
    name="reg_e",
    reasons=frozenset(
        {
            Reason.UNAUTHORIZED,
            Reason.FAILED_BUT_DEBITED,
            Reason.DUPLICATE,
            Reason.INCORRECT_AMOUNT,
            Reason.RECORDS_WRONG,
        }
    ),
    sources=(
        "12 CFR 1005.11(c)(1)-(3): 10 (20) business days, provisional credit, 45 (90) days",
        "12 CFR 1005.11(c)(2)(ii): notice within 2 business days of crediting",
        "12 CFR 1005.11(d)(2): debiting provisional credit: notice, honour 5 business days",
        "12 CFR 1005.18(e)(3): prepaid accounts not yet verified",
    ),
)
"""US Regulation E: the errors it covers, and its provisional-credit timetable."""

FORUMS: tuple[Forum, ...] = (
    Forum(
        jurisdictions=frozenset({"CN"}),
        mediation="PBOC financial consumer dispute mediation",
        arbitration="China International Economic and Trade Arbitration Commission (CIETAC)",
        international="China International Economic and Trade Arbitration Commission (CIETAC)",
    ),
    Forum(
        jurisdictions=frozenset({*EEA_ZONES, "EU"}),
        mediation="FIN-NET (cross-border financial ADR network)",
        arbitration="an ADR entity under Directive 2013/11/EU",
        international="ICC International Court of Arbitration",
    ),
    Forum(
        jurisdictions=frozenset({"US"}),
        mediation="AAA consumer mediation",
        arbitration="American Arbitration Association (Consumer Arbitration Rules)",
        international="International Centre for Dispute Resolution (ICDR)",
    ),
    Forum(
        jurisdictions=frozenset({"GB"}),
        mediation="Financial Ombudsman Service",
        arbitration="Chartered Institute of Arbitrators (CIArb)",
        international="London Court of International Arbitration (LCIA)",
    ),
)
"""The shipped forums: illustrative defaults; name the bodies your terms agree to."""


def _profiles(value: Any) -> FrozenMap[str, DisputeProfile]:
    found = frozen_map(value)
    for name, profile in found.items():
        if not isinstance(profile, DisputeProfile) or profile.name != name:
            raise ValidationError.of(f"profiles.{name}", "must be a DisputeProfile of that name")
    return found


def _credit(value: Any) -> FrozenMap[str, CreditRules]:
    found = frozen_map(value)
    for code, rules in found.items():
        if not isinstance(rules, CreditRules):
            raise ValidationError.of(f"credit.{code}", "must be CreditRules")
    return found


def _forums(value: Any) -> tuple[Forum, ...]:
    found = tuple(value)
    for i, forum in enumerate(found):
        if not isinstance(forum, Forum):
            raise ValidationError.of(f"forums[{i}]", "must be a Forum")
    return found


@frozen(kw_only=True)
class DisputePolicy:
    """How this wallet handles disputes: ``Settings.cases["dispute"].policy``.

    ``profiles`` add to (or replace, by name) the shipped ones; ``default_profile`` is used when
    a dispute names none. ``credit`` chooses provisional-credit rules by the customer's
    jurisdiction; ``forums`` are searched before the shipped ones. ``evidence_warning``: how
    long before an evidence deadline its clock warns.
    """

    profiles: FrozenMap[str, DisputeProfile] = field(factory=FrozenMap, converter=_profiles)
    default_profile: str = "wallet"
    credit: FrozenMap[str, CreditRules] = field(
        factory=lambda: FrozenMap({"US": REG_E}), converter=_credit
    )
    forums: tuple[Forum, ...] = field(default=(), converter=_forums)
    evidence_warning: timedelta = timedelta(days=2)

    def __attrs_post_init__(self) -> None:
        if self.default_profile not in {**PROFILES, **self.profiles}:
            raise ValidationError.of(
                "default_profile", f"{self.default_profile!r} is not a dispute profile"
            )
        if not isinstance(self.evidence_warning, timedelta) or self.evidence_warning < timedelta(0):
            raise ValidationError.of("evidence_warning", "must be a non-negative duration")

    def compile(
        self, regulation: CompiledRegulation, choices: tuple[ProfileChoice, ...]
    ) -> CompiledDisputePolicy:
        """Merge with the shipped data, against the regulation the kernel runs with."""
        return CompiledDisputePolicy(
            policy=self,
            profiles=FrozenMap({**PROFILES, **self.profiles}),
            forums=(*self.forums, *FORUMS),
            regulation=regulation,
            choices=choices,
        )


class CompiledDisputePolicy:
    """A ``DisputePolicy`` with the shipped data merged in, and the regulation's calendars."""

    __slots__ = (
        "_calendars",
        "_closing",
        "_credit",
        "_ends",
        "choices",
        "forums",
        "policy",
        "profiles",
        "regulation",
    )

    def __init__(
        self,
        *,
        policy: DisputePolicy,
        profiles: FrozenMap[str, DisputeProfile],
        forums: tuple[Forum, ...],
        regulation: CompiledRegulation,
        choices: tuple[ProfileChoice, ...],
    ) -> None:
        self.policy = policy
        self.profiles = profiles
        self.forums = forums
        self.regulation = regulation
        self.choices = choices
        self._calendars: dict[str, BusinessCalendar] = {}
        self._ends: dict[tuple[str, date, int, bool], datetime] = {}
        self._closing: dict[tuple[str, date], datetime | None] = {}
        self._credit: dict[str, CreditRules | None] = {}

    def calendar(self, jurisdiction: str) -> BusinessCalendar:
        """Where ``jurisdiction`` counts its days (always open, in UTC, if it is unknown)."""
        known = self._calendars.get(jurisdiction)
        if known is None:
            found = self.regulation.calendar(jurisdiction)
            known = found if found is not None else BusinessCalendar.always_open("UTC")
            self._calendars[jurisdiction] = known
        return known

    def end_of_days(self, jurisdiction: str, at: datetime, days: int) -> datetime:
        """The end of the local day ``days`` calendar days after ``at`` in ``jurisdiction``."""
        calendar = self.calendar(jurisdiction)
        return self._end(jurisdiction, calendar.local_date(at), days, business=False)

    def end_of_business_days(self, jurisdiction: str, at: datetime, days: int) -> datetime:
        """The end of the ``days``-th business day after the day ``at`` counts as received on."""
        calendar = self.calendar(jurisdiction)
        day = calendar.local_date(at)
        key = (jurisdiction, day)
        if key not in self._closing:
            if len(self._closing) > 10_000:
                self._closing.clear()
            self._closing[key] = calendar.close_of(day) if calendar.is_business_day(day) else None
        closing = self._closing[key]
        if closing is None or at >= closing:  # counts as received on the next business day
            return self._end(jurisdiction, day, days + 1, business=True)
        return self._end(jurisdiction, day, days, business=True)

    def _end(self, jurisdiction: str, start: date, days: int, *, business: bool) -> datetime:
        # Deadlines repeat for every dispute handled on the same day: count each once.
        key = (jurisdiction, start, days, business)
        found = self._ends.get(key)
        if found is None:
            calendar = self.calendar(jurisdiction)
            last = start
            if business:
                for _ in range(days):
                    last = calendar.next_business_day(last)
            else:
                last = start + timedelta(days=days)
            found = calendar.end_of_day(last)
            if len(self._ends) > 10_000:
                self._ends.clear()
            self._ends[key] = found
        return found

    def credit_rules(self, jurisdiction: str) -> CreditRules | None:
        """The provisional-credit rules of the customer's ``jurisdiction``, if any."""
        if jurisdiction not in self._credit:
            code = self.regulation.code(jurisdiction)
            rules = self.policy.credit
            self._credit[jurisdiction] = rules.get(code) or rules.get(code.split("-")[0])
        return self._credit[jurisdiction]

    def forum(self, jurisdiction: str) -> Forum | None:
        """The first forum serving ``jurisdiction``."""
        code = self.regulation.code(jurisdiction)
        return next((f for f in self.forums if f.covers(code)), None)
