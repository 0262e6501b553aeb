"""The built-in regulatory profiles, jurisdictions and choices, with their sources.

Hosts add to or override any of them through ``Settings(regulation=Regulation(...))``;
``docs/concepts/regulatory-profiles.md`` tabulates them with their sources.
"""

from __future__ import annotations

from walletcare.domain.frozenmap import FrozenMap
from walletcare.domain.money import Money
from walletcare.domain.regulatory.profiles import (
    CountFrom,
    DailyPenalty,
    DayCount,
    DayEnd,
    Jurisdiction,
    ProfileChoice,
    ProfileDeadline,
    RegulatoryProfile,
)

__all__ = [
    "PROFILES",
    "JURISDICTIONS",
    "EEA_ZONES",
    "ALIASES",
    "DEFAULT_CHOICES",
]


def _d(metric: str, count: int, unit: DayCount, **kw: object) -> ProfileDeadline:
    return ProfileDeadline(metric=metric, count=count, unit=unit, **kw)  # type: ignore[arg-type]


BD, CD = DayCount.BUSINESS_DAYS, DayCount.CALENDAR_DAYS
EXC = frozenset({"exceptional"})

PROFILES: FrozenMap[str, RegulatoryProfile] = FrozenMap(
    (p.name, p)
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
            notice="notice.psd2",
        ),
        RegulatoryProfile(
            name="uk_disp",
            title="UK FCA DISP 1.5 and 1.6",
            deadlines=(
                _d(
                    "summary_resolution",
                    3,
                    BD,
                    ends=DayEnd.CLOSE_OF_BUSINESS,
                    allowance=True,
                    note=(
                        "resolved by close of business on the 3rd business day after receipt: "
                        "a summary resolution communication may close it (DISP 1.5); "
                        "an allowance, not a deadline"
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
            notice="notice.uk_disp",
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
                    count_from=CountFrom.FINDING,
                    note="report the result within 3 business days of the finding",
                ),
                _d(
                    "correction",
                    1,
                    BD,
                    count_from=CountFrom.FINDING,
                    when=frozenset({"error_found"}),
                    note="correct within 1 business day of finding an error",
                ),
            ),
            sources=("12 CFR 1005.11(b)-(c)",),
            notice="notice.reg_e",
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
            notice="notice.reg_z",
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
            notice="notice.cn_banking",
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
                    1,
                    CD,
                    count_from=CountFrom.OCCURRENCE,
                    products=frozenset({"imps"}),
                    note="T+1: IMPS, always",
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
            notice="notice.rbi_ombudsman",
        ),
    )
)



# IANA zone of each EU and EEA state (the capital's, where a state spans several zones).
EEA_ZONES: FrozenMap[str, str] = FrozenMap(
    {
        "AT": "Europe/Vienna",
        "BE": "Europe/Brussels",
        "BG": "Europe/Sofia",
        "HR": "Europe/Zagreb",
        "CY": "Asia/Nicosia",
        "CZ": "Europe/Prague",
        "DK": "Europe/Copenhagen",
        "EE": "Europe/Tallinn",
        "FI": "Europe/Helsinki",
        "FR": "Europe/Paris",
        "DE": "Europe/Berlin",
        "GR": "Europe/Athens",
        "HU": "Europe/Budapest",
        "IE": "Europe/Dublin",
        "IT": "Europe/Rome",
        "LV": "Europe/Riga",
        "LT": "Europe/Vilnius",
        "LU": "Europe/Luxembourg",
        "MT": "Europe/Malta",
        "NL": "Europe/Amsterdam",
        "PL": "Europe/Warsaw",
        "PT": "Europe/Lisbon",
        "RO": "Europe/Bucharest",
        "SK": "Europe/Bratislava",
        "SI": "Europe/Ljubljana",
        "ES": "Europe/Madrid",
        "SE": "Europe/Stockholm",
        # EEA states outside the EU: PSD2 applies through the EEA Agreement.
        "IS": "Atlantic/Reykjavik",
        "LI": "Europe/Vaduz",
        "NO": "Europe/Oslo",
    }
)
"""The 27 EU member states and Iceland, Liechtenstein and Norway: where PSD2 applies."""

JURISDICTIONS: FrozenMap[str, Jurisdiction] = FrozenMap(
    (j.code, j)
    for j in (
        *(Jurisdiction(code=code, zone=zone, country=code) for code, zone in EEA_ZONES.items()),
        # "EU" alone names no state: count on the TARGET2 calendar (the ECB's closing days:
        # 1 January, Good Friday, Easter Monday, 1 May, 25 and 26 December) in Brussels time.
        Jurisdiction(code="EU", zone="Europe/Brussels", market="XECB"),
        # FCA DISP counts the bank holidays "in that part of the United Kingdom": England and
        # Wales by default; name GB-SCT or GB-NIR for Scotland or Northern Ireland.
        Jurisdiction(code="GB", zone="Europe/London", country="GB", subdivision="ENG"),
        Jurisdiction(code="GB-ENG", zone="Europe/London", country="GB", subdivision="ENG"),
        Jurisdiction(code="GB-WLS", zone="Europe/London", country="GB", subdivision="WLS"),
        Jurisdiction(code="GB-SCT", zone="Europe/London", country="GB", subdivision="SCT"),
        Jurisdiction(code="GB-NIR", zone="Europe/London", country="GB", subdivision="NIR"),
        Jurisdiction(code="US", zone="America/New_York", country="US"),
        Jurisdiction(code="CN", zone="Asia/Shanghai", country="CN"),
        Jurisdiction(code="IN", zone="Asia/Kolkata", country="IN"),
    )
)
"""Where each jurisdiction counts its days; hosts add or replace them in ``Regulation``."""

ALIASES: FrozenMap[str, str] = FrozenMap({"UK": "GB", "EL": "GR"})
"""Other names for jurisdiction codes: "UK" for GB, and "EL", the EU's own code for Greece."""

DEFAULT_CHOICES: tuple[ProfileChoice, ...] = (
    ProfileChoice(profile="psd2", jurisdictions=frozenset({*EEA_ZONES, "EU"})),
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
"""The first choice whose jurisdiction (and product, if it names any) fits wins.

A choice for a country also fits its subdivisions: ``GB`` fits ``GB-SCT``.
"""
