"""What a follow-up is made of: why it is sent, what it asks, and the policy for each trigger."""

from __future__ import annotations

import enum
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from attrs import field, frozen

from walletcare.domain.complaints.values import ContactPoint
from walletcare.domain.events import aware, non_empty
from walletcare.domain.fieldtypes import check_fields
from walletcare.domain.frozenmap import FrozenMap, frozen_map
from walletcare.domain.money import Money
from walletcare.errors import ValidationError

__all__ = [
    "Purpose",
    "TriggerKind",
    "Survey",
    "Trigger",
    "TriggerPolicy",
    "DEFAULT_TRIGGERS",
]


class Purpose(enum.StrEnum):
    """Why the customer is contacted; consent and opt-out are kept per purpose."""

    SURVEY = "survey"
    MARKETING = "marketing"
    SECURITY = "security"


class TriggerKind(enum.StrEnum):
    """What starts a follow-up."""

    COMPLAINT_RESOLVED = "complaint_resolved"
    DISPUTE_CLOSED = "dispute_closed"
    SENSITIVE_TRANSACTION = "sensitive_transaction"


class Survey(enum.StrEnum):
    """What the follow-up asks: CSAT 1-5, NPS 0-10, or "was this you?"."""

    CSAT = "csat"
    NPS = "nps"
    CONFIRMATION = "confirmation"

    @property
    def scale(self) -> tuple[int, int]:
        """The lowest and highest answer (0, 1 for a confirmation: not me, me)."""
        return {Survey.CSAT: (1, 5), Survey.NPS: (0, 10), Survey.CONFIRMATION: (0, 1)}[self]


def _positive(_: object, attribute: object, value: timedelta) -> None:
    if not isinstance(value, timedelta) or value < timedelta(0):
        raise ValidationError.of(getattr(attribute, "name", "value"), "must be a timedelta >= 0")


def _money_or_none(_: object, __: object, value: object) -> None:
    if value is not None and not isinstance(value, Money):
        raise ValidationError.of("reward", "must be a Money or None")


@frozen(kw_only=True)
class TriggerPolicy:
    """When and how one kind of trigger is followed up.

    The first attempt goes ``delay`` after the trigger, every attempt inside ``window`` from
    the trigger; ``delivery_check`` is how long a queued message has before the follow-up looks
    whether it was delivered (and falls back to the next channel if it was given up on).
    ``unhappy_csat`` / ``unhappy_nps``: answers at or below these reopen the complaint.
    """

    purpose: Purpose
    survey: Survey
    delay: timedelta = field(default=timedelta(hours=24), validator=_positive)
    window: timedelta = field(default=timedelta(hours=48), validator=_positive)
    delivery_check: timedelta = field(default=timedelta(minutes=30), validator=_positive)
    reward: Money | None = field(default=None, validator=_money_or_none)  # type: ignore[assignment]
    unhappy_csat: int = 2
    unhappy_nps: int = 6

    def __attrs_post_init__(self) -> None:
        check_fields(self)
        if self.delay > self.window:
            raise ValidationError.of("delay", "the first attempt must fall inside the window")
        if self.delivery_check <= timedelta(0):
            raise ValidationError.of("delivery_check", "must be positive")
        if self.purpose is Purpose.SECURITY and self.survey is not Survey.CONFIRMATION:
            raise ValidationError.of("survey", "a security follow-up is a confirmation")
        if self.survey is Survey.CONFIRMATION and self.purpose is not Purpose.SECURITY:
            raise ValidationError.of("purpose", "a confirmation is a security follow-up")


DEFAULT_TRIGGERS: FrozenMap[TriggerKind, TriggerPolicy] = frozen_map(
    {
        TriggerKind.COMPLAINT_RESOLVED: TriggerPolicy(purpose=Purpose.SURVEY, survey=Survey.CSAT),
        TriggerKind.DISPUTE_CLOSED: TriggerPolicy(purpose=Purpose.SURVEY, survey=Survey.CSAT),
        TriggerKind.SENSITIVE_TRANSACTION: TriggerPolicy(
            purpose=Purpose.SECURITY, survey=Survey.CONFIRMATION, delay=timedelta(0)
        ),
    }
)
"""A CSAT survey 24 h after a resolved complaint or closed dispute (as Zendesk does), and a
"was this you?" confirmation at once after a sensitive transaction; 48 h windows."""


@frozen(kw_only=True)
class Trigger:
    """Something to follow up: what happened, to whom, and how to reach them.

    ``contact`` is the channel the source case knows; the customer's preferred channels, when
    recorded, come first. ``transaction`` and ``amount`` identify a sensitive transaction.
    """

    kind: TriggerKind
    source_id: str = field(validator=non_empty)
    customer_id: str = field(validator=non_empty)
    occurred_at: datetime = field(validator=aware)
    contact: ContactPoint
    language: str = "en"
    customer_zone: str = "UTC"
    jurisdiction: str = ""
    category: str = ""
    team: str = ""
    transaction: str = ""
    amount: Money | None = None

    def __attrs_post_init__(self) -> None:
        check_fields(self)
        try:
            ZoneInfo(self.customer_zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValidationError.of(
                "customer_zone", f"{self.customer_zone!r} is not an IANA time zone"
            ) from None
        if self.kind is TriggerKind.SENSITIVE_TRANSACTION and (
            not self.transaction or self.amount is None
        ):
            raise ValidationError.of(
                "transaction", "a sensitive transaction names the transaction and its amount"
            )
