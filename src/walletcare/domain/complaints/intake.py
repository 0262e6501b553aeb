"""Filing a complaint: what it carries, what intake refuses, and the house rules for it."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from attrs import field, frozen

from walletcare.domain.complaints.events import (
    ComplaintReceived,
)
from walletcare.domain.complaints.severity import SeverityFacts, SeverityPolicy, derive_severity
from walletcare.domain.complaints.values import (
    Category,
    ContactPoint,
    EvidenceRef,
    IntakeChannel,
)
from walletcare.domain.events import Actor, Event
from walletcare.domain.fieldtypes import check_fields, to_enum
from walletcare.domain.money import Money
from walletcare.errors import ValidationError

__all__ = [
    "MONEY_CATEGORIES",
    "DuplicateHandling",
    "ComplaintPolicy",
    "NewComplaint",
    "check_intake",
    "receive",
]

MONEY_CATEGORIES = frozenset({Category.SECURITY, Category.TRANSACTION_FAILURE})
"""Categories whose complaints must name the transactions and the amount lost."""


class DuplicateHandling(enum.StrEnum):
    """What intake does with a second open complaint about the same transaction."""

    LINK = "link"
    REFUSE = "refuse"


def _duplicate_handling(value: Any) -> Any:
    return to_enum(DuplicateHandling, value)


@frozen(kw_only=True)
class ComplaintPolicy:
    """House rules for complaints: reopen window, quiet period before auto-close, duplicates.

    ``repeat_lookback`` is how far back earlier complaints of the same customer count
    towards the severity policy's repeat rule. ``feedback_reopen_window`` is the longer
    window in which an unhappy follow-up answer reopens the complaint (a survey is sent a
    day or two after resolution and may be answered later).
    """

    reopen_window: timedelta = timedelta(days=14)
    feedback_reopen_window: timedelta = timedelta(days=30)
    auto_close_after: timedelta = timedelta(days=7)
    duplicates: DuplicateHandling = field(
        default=DuplicateHandling.LINK, converter=_duplicate_handling
    )
    repeat_lookback: timedelta = timedelta(days=90)
    severity: SeverityPolicy = field(factory=SeverityPolicy)

    def __attrs_post_init__(self) -> None:
        check_fields(self)


@frozen(kw_only=True)
class NewComplaint:
    """What a customer (or staff on their behalf) files. ``check_intake`` says what is wrong."""

    customer_id: str
    category: str
    channel: str
    description: str
    occurred_at: datetime
    contact: ContactPoint
    fallback: Sequence[ContactPoint] = ()
    transactions: Sequence[str] = ()
    amount_lost: Money | None = None
    evidence: Sequence[EvidenceRef] = ()
    language: str = "en"
    customer_zone: str = "UTC"
    jurisdiction: str = ""
    product: str = ""
    vulnerable: bool = False
    segment: str = ""
    flags: Sequence[str] = ()
    merchant: str = ""
    error_code: str = ""
    region: str = ""
    fee_rule: str = ""

    def __attrs_post_init__(self) -> None:
        # Types now, every problem at once; what the values mean is check_intake's.
        check_fields(self)


def choices(kind: type[enum.Enum]) -> str:
    """The values of an enum, for error messages."""
    return ", ".join(str(m.value) for m in kind)


def check_intake(intake: NewComplaint, now: datetime) -> None:
    """Raise one ``ValidationError`` listing every missing or wrong field of ``intake``."""
    problems: dict[str, str] = {}
    category = _check_what(intake, now, problems)
    _check_money(intake, category, problems)
    _check_lists(intake, problems)
    _check_contact(intake, problems)
    if problems:
        raise ValidationError(problems)


def _check_what(intake: NewComplaint, now: datetime, problems: dict[str, str]) -> Category | None:
    """Who complains, about what, through which channel, and when it happened."""
    if not isinstance(intake.customer_id, str) or not intake.customer_id.strip():
        problems["customer_id"] = "is required"
    category = None
    try:
        category = Category(intake.category)
    except ValueError:
        problems["category"] = f"{intake.category!r} is not one of {choices(Category)}"
    try:
        IntakeChannel(intake.channel)
    except ValueError:
        problems["channel"] = f"{intake.channel!r} is not one of {choices(IntakeChannel)}"
    if not isinstance(intake.description, str) or not intake.description.strip():
        problems["description"] = "is required: say what happened"
    occurred = intake.occurred_at
    if not isinstance(occurred, datetime) or occurred.utcoffset() is None:
        problems["occurred_at"] = "must be a timezone-aware datetime"
    elif occurred > now:
        problems["occurred_at"] = f"{occurred.isoformat()} is in the future"
    return category


def _check_money(intake: NewComplaint, category: Category | None, problems: dict[str, str]) -> None:
    """The loss, and what a money complaint must name."""
    if intake.amount_lost is not None:
        if not isinstance(intake.amount_lost, Money):
            problems["amount_lost"] = "must be Money"
        elif intake.amount_lost.is_negative:
            problems["amount_lost"] = f"must not be negative, got {intake.amount_lost}"
    if category in MONEY_CATEGORIES:
        if not intake.transactions:
            problems["transactions"] = f"a {category} complaint must name the transactions involved"
        if intake.amount_lost is None:
            problems["amount_lost"] = f"a {category} complaint must state the amount lost"


def _check_lists(intake: NewComplaint, problems: dict[str, str]) -> None:
    """Transactions, evidence references and flags."""
    for name in ("transactions", "evidence", "flags"):
        if isinstance(getattr(intake, name), str | bytes):
            problems[name] = "must be a list, not a single string"
    if "transactions" not in problems:
        for i, tx in enumerate(intake.transactions):
            if not isinstance(tx, str) or not tx.strip():
                problems[f"transactions[{i}]"] = "must be a non-empty transaction id"
    if "evidence" not in problems:
        for i, ref in enumerate(intake.evidence):
            if not isinstance(ref, EvidenceRef):
                problems[f"evidence[{i}]"] = "must be an EvidenceRef (a reference, not the file)"
    if "flags" not in problems:
        for i, flag in enumerate(intake.flags):
            if not isinstance(flag, str) or not flag.strip() or flag != flag.strip():
                problems[f"flags[{i}]"] = "must be a non-empty word such as 'new_account'"


def _check_contact(intake: NewComplaint, problems: dict[str, str]) -> None:
    """How to reach the customer, in which language and zone."""
    # Whether a plugin serves the channels is the service's check: plugins are not domain.
    if not isinstance(intake.contact, ContactPoint):
        problems["contact"] = "must be a ContactPoint (channel and address)"
    if isinstance(intake.fallback, str | bytes):
        problems["fallback"] = "must be a list of ContactPoint, not a single string"
    else:
        for i, point in enumerate(intake.fallback):
            if not isinstance(point, ContactPoint):
                problems[f"fallback[{i}]"] = "must be a ContactPoint (channel and address)"
    if not isinstance(intake.language, str) or not (2 <= len(intake.language) <= 8):
        problems["language"] = "must be a language tag such as 'en' or 'zh'"
    try:
        ZoneInfo(str(intake.customer_zone))
    except (ZoneInfoNotFoundError, ValueError):
        problems["customer_zone"] = f"{intake.customer_zone!r} is not an IANA time zone"


def receive(
    complaint_id: str,
    intake: NewComplaint,
    *,
    by: Actor,
    at: datetime,
    policy: ComplaintPolicy,
    prior_complaints: int = 0,
) -> list[Event]:
    """File a complaint: check the intake (all problems at once) and derive its severity."""
    check_intake(intake, at)
    category = Category(intake.category)
    severity, reasons = derive_severity(
        SeverityFacts(
            category=category,
            amount_lost=intake.amount_lost,
            vulnerable=intake.vulnerable,
            prior_complaints=prior_complaints,
        ),
        policy.severity,
    )
    return [
        ComplaintReceived(
            complaint_id=complaint_id,
            at=at,
            by=by,
            customer_id=intake.customer_id,
            category=category,
            channel=IntakeChannel(intake.channel),
            description=intake.description.strip(),
            occurred_at=intake.occurred_at,
            transactions=tuple(intake.transactions),
            amount_lost=intake.amount_lost,
            evidence=tuple(intake.evidence),
            language=intake.language,
            customer_zone=intake.customer_zone,
            jurisdiction=intake.jurisdiction,
            product=intake.product,
            contact=intake.contact,
            fallback_contacts=tuple(intake.fallback),
            vulnerable=intake.vulnerable,
            segment=intake.segment,
            flags=tuple(sorted(set(intake.flags))),
            severity=severity,
            severity_reasons=reasons,
            merchant=intake.merchant.strip(),
            error_code=intake.error_code.strip(),
            region=intake.region.strip(),
            fee_rule=intake.fee_rule.strip(),
        )
    ]
