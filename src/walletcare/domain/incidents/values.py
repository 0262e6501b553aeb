"""What an incident is made of: detection patterns, the policy, members, payments, signals."""

from __future__ import annotations

import enum
from datetime import datetime, timedelta
from typing import Any

from attrs import field, frozen

from walletcare.domain.complaints.values import ContactPoint
from walletcare.domain.events import aware, non_empty
from walletcare.domain.frozenmap import FrozenMap, frozen_map
from walletcare.domain.money import Money
from walletcare.errors import ValidationError

__all__ = [
    "FINGERPRINT_FIELDS",
    "Pattern",
    "TextPattern",
    "IncidentPolicy",
    "Signal",
    "Member",
    "Payment",
    "IncidentStatus",
    "RemedyKind",
]

FINGERPRINT_FIELDS = ("category", "product", "merchant", "error_code", "region", "fee_rule")
"""The structured fields of a complaint a fingerprint may be made of."""


def _positive_window(_: Any, attribute: Any, value: Any) -> None:
    if not isinstance(value, timedelta) or value <= timedelta(0):
        raise ValidationError.of(attribute.name, f"must be a positive duration, got {value!r}")


def _threshold(_: Any, attribute: Any, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 2:
        raise ValidationError.of(attribute.name, f"must be an int of at least 2, got {value!r}")


def _name(_: Any, attribute: Any, value: Any) -> None:
    non_empty(_, attribute, value)
    if not value.replace("_", "").replace("-", "").isalnum():
        raise ValidationError.of(attribute.name, f"{value!r} must be letters, digits, - or _")


def _fields(value: Any) -> tuple[str, ...]:
    chosen = (value,) if isinstance(value, str) else tuple(value)
    for name in chosen:
        if name not in FINGERPRINT_FIELDS:
            raise ValidationError.of(
                "fields", f"{name!r} is not one of {', '.join(FINGERPRINT_FIELDS)}"
            )
    if not chosen:
        raise ValidationError.of("fields", "a fingerprint needs at least one field")
    return chosen


def _match(value: Any) -> FrozenMap[str, str]:
    mapping = frozen_map(value)
    for name, wanted in mapping.items():
        if name not in FINGERPRINT_FIELDS or not isinstance(wanted, str) or not wanted:
            raise ValidationError.of(
                f"match.{name}", f"must be one of {', '.join(FINGERPRINT_FIELDS)} with a value"
            )
    return mapping


@frozen(kw_only=True)
class Pattern:
    """Complaints whose ``fields`` agree (and that ``match`` fixed values) form one cluster;
    ``threshold`` of them inside a sliding ``window`` open an incident."""

    name: str = field(validator=_name)
    fields: tuple[str, ...] = field(converter=_fields)
    match: FrozenMap[str, str] = field(factory=FrozenMap, converter=_match)
    window: timedelta = field(validator=_positive_window)
    threshold: int = field(validator=_threshold)


def _ratio(_: Any, attribute: Any, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, float | int) or not 0 < value <= 1:
        raise ValidationError.of(attribute.name, f"must be a number in (0, 1], got {value!r}")


@frozen(kw_only=True)
class TextPattern:
    """Complaints no structured pattern matched, grouped by the similarity of their texts.

    Two texts are alike when the estimated Jaccard similarity of their shingles (words; for
    Chinese, character pairs) reaches ``similarity``; ``threshold`` alike complaints inside
    ``window`` open an incident. A complaint at least ``merge`` alike to two clusters shows
    they are one (a higher bar: joining on the looser one chains unrelated causes through
    their shared words). ``match`` narrows the pattern (for example to one category).
    """

    name: str = field(validator=_name)
    match: FrozenMap[str, str] = field(factory=FrozenMap, converter=_match)
    window: timedelta = field(validator=_positive_window)
    threshold: int = field(validator=_threshold)
    similarity: float = field(default=0.4, validator=_ratio)
    merge: float = field(default=0.5, validator=_ratio)

    def __attrs_post_init__(self) -> None:
        if self.merge < self.similarity:
            raise ValidationError.of("merge", "must be at least the similarity")


def _patterns(value: Any) -> tuple[Any, ...]:
    return tuple(value)


def _positive(_: Any, attribute: Any, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValidationError.of(attribute.name, f"must be a positive int, got {value!r}")


@frozen(kw_only=True)
class IncidentPolicy:
    """How incidents are detected and worked.

    ``patterns`` and ``text`` are the detection patterns; ``batch_size`` how many customers
    one commit messages or pays (the rest follow in further commits, driven by a timer);
    ``payment_channel`` the outbox channel payment instructions leave on; ``sync_after``
    how soon a timer checks that linked complaints recorded their link (and, once solved,
    their resolution) when the command that should have done it did not finish.
    """

    patterns: tuple[Pattern, ...] = field(factory=tuple, converter=_patterns)
    text: tuple[TextPattern, ...] = field(factory=tuple, converter=_patterns)
    batch_size: int = field(default=200, validator=_positive)
    payment_channel: str = field(default="payments", validator=non_empty)
    sync_after: timedelta = field(default=timedelta(minutes=1), validator=_positive_window)

    def __attrs_post_init__(self) -> None:
        names = [p.name for p in self.patterns] + [t.name for t in self.text]
        for i, p in enumerate(self.patterns):
            if not isinstance(p, Pattern):
                raise ValidationError.of(f"patterns[{i}]", "must be a Pattern")
        for i, t in enumerate(self.text):
            if not isinstance(t, TextPattern):
                raise ValidationError.of(f"text[{i}]", "must be a TextPattern")
        for name in names:
            if names.count(name) > 1:
                raise ValidationError.of("patterns", f"{name!r} is used by two patterns")

    @property
    def longest_window(self) -> timedelta:
        """The widest window any pattern looks back over (zero without patterns)."""
        windows = [p.window for p in self.patterns] + [t.window for t in self.text]
        return max(windows, default=timedelta(0))


@frozen(kw_only=True, slots=True)
class Signal:
    """What detection reads of one complaint: who, when, its structured fields and its text."""

    complaint_id: str
    customer_id: str
    at: datetime
    fields: FrozenMap[str, str]
    text: str = ""


class IncidentStatus(enum.StrEnum):
    """Where an incident stands: being handled, or solved for everyone linked."""

    OPEN = "open"
    SOLVED = "solved"


class RemedyKind(enum.StrEnum):
    """What a payment instruction is: money back, or a credit to the customer's wallet."""

    REFUND = "refund"
    CREDIT = "credit"


def _loss(_: Any, __: Any, value: Any) -> None:
    if value is not None and not isinstance(value, Money):
        raise ValidationError.of("loss", "must be Money or None")


@frozen(kw_only=True)
class Member:
    """A complaint linked to an incident, with how to reach its customer and what they lost."""

    complaint_id: str = field(validator=non_empty)
    customer_id: str = field(validator=non_empty)
    channel: str = field(validator=non_empty)
    address: str = field(validator=non_empty)
    language: str = "en"
    loss: Money | None = field(default=None, validator=_loss)
    received_at: datetime = field(validator=aware)
    zone: str = "UTC"
    """The customer's time zone: an update waits for their daytime."""
    jurisdiction: str = ""
    fallback: tuple[ContactPoint, ...] = ()
    """The customer's further channels, in order, should the first give a message up."""


def _amount(_: Any, __: Any, value: Any) -> None:
    if not isinstance(value, Money) or value.is_negative or not value:
        raise ValidationError.of("amount", f"must be a positive Money, got {value!r}")


@frozen(kw_only=True)
class Payment:
    """One customer's remedy: how much, in which currency."""

    customer_id: str = field(validator=non_empty)
    amount: Money = field(validator=_amount)
