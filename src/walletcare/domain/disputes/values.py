"""The values a dispute is made of: reasons, parties, stages, transactions, evidence, offers,
provisional credits and outcomes."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import ROUND_HALF_EVEN
from typing import Any

from attrs import field, frozen

from walletcare.domain.events import aware, non_empty
from walletcare.domain.fees.exchange import ExchangeRate
from walletcare.domain.fieldtypes import check_fields
from walletcare.domain.money import Money
from walletcare.errors import ValidationError

__all__ = [
    "Reason",
    "Party",
    "Stage",
    "OfferKind",
    "OfferStatus",
    "EvidenceKind",
    "Referral",
    "Participant",
    "DisputedTransaction",
    "EvidenceItem",
    "Evidence",
    "Offer",
    "Credit",
    "CreditStatus",
    "Payment",
    "Outcome",
    "Basis",
    "AccountAmounts",
    "OPEN_STAGES",
    "convert",
    "zero",
]

_ZEROS: dict[str, Money] = {}


def zero(currency: str) -> Money:
    """Zero of ``currency`` (one value per currency: Money is immutable)."""
    found = _ZEROS.get(currency)
    if found is None:
        found = _ZEROS[currency] = Money.zero(currency)
    return found


class Reason(enum.StrEnum):
    """Why the customer disputes the transaction: a stable code set."""

    UNAUTHORIZED = "unauthorized"
    FAILED_BUT_DEBITED = "failed_but_debited"
    DUPLICATE = "duplicate"
    REFUND_NOT_RECEIVED = "refund_not_received"
    NOT_RECEIVED = "not_received"
    NOT_AS_DESCRIBED = "not_as_described"
    INCORRECT_AMOUNT = "incorrect_amount"
    RECORDS_WRONG = "records_wrong"
    SUBSCRIPTION_CANCELLED = "subscription_cancelled"
    OTHER = "other"


class Party(enum.StrEnum):
    """The three parties to a dispute."""

    CUSTOMER = "customer"
    MERCHANT = "merchant"
    WALLET = "wallet"


class Stage(enum.StrEnum):
    """Where a dispute stands; ``resolved`` and ``closed`` are final."""

    INQUIRY = "inquiry"  # no money moved; closes by itself unless someone escalates
    DISPUTE = "dispute"  # evidence from each party, then a decision
    DECIDED = "decided"  # a decision stands; it may still be appealed or referred
    APPEAL = "appeal"  # pre-arbitration: evidence again, then a second decision
    MEDIATION = "mediation"  # a third party helps the parties agree
    ARBITRATION = "arbitration"  # a third party decides, finally
    RESOLVED = "resolved"  # an outcome is final
    CLOSED = "closed"  # ended without a decision: lapsed inquiry, withdrawn


OPEN_STAGES = frozenset(Stage) - {Stage.RESOLVED, Stage.CLOSED}


class Referral(enum.StrEnum):
    """The third-party stages a dispute can be referred to."""

    MEDIATION = "mediation"
    ARBITRATION = "arbitration"


class OfferKind(enum.StrEnum):
    """What an offer proposes."""

    FULL_REFUND = "full_refund"
    PARTIAL_REFUND = "partial_refund"
    REFUND_WITH_RETURN = "refund_with_return"
    REPLACEMENT = "replacement"
    CREDIT = "credit"
    REJECTION = "rejection"


class OfferStatus(enum.StrEnum):
    """Where an offer stands."""

    OPEN = "open"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    COUNTERED = "countered"
    LAPSED = "lapsed"


class EvidenceKind(enum.StrEnum):
    """The type of an evidence reference (after Stripe's evidence fields)."""

    RECEIPT = "receipt"
    SHIPPING = "shipping"
    CUSTOMER_COMMUNICATION = "customer_communication"
    REFUND_POLICY = "refund_policy"
    CANCELLATION_POLICY = "cancellation_policy"
    ACCESS_LOG = "access_log"
    DUPLICATE_CHARGE = "duplicate_charge"
    SERVICE_DOCUMENTATION = "service_documentation"
    STATEMENT = "statement"
    OTHER = "other"


class CreditStatus(enum.StrEnum):
    """Where a provisional credit stands; ``final`` and ``reversed`` are settled."""

    PROVISIONAL = "provisional"
    REVERSING = "reversing"  # noticed, honoured until the reversal takes effect
    FINAL = "final"
    REVERSED = "reversed"


class Basis(enum.StrEnum):
    """How an outcome came about."""

    AGREEMENT = "agreement"  # an accepted offer
    DECISION = "decision"  # the wallet's or the network's decision
    THIRD_PARTY = "third_party"  # a mediator's or an arbitrator's
    IGNORED_OFFER = "ignored_offer"  # the profile's rule for an offer left unanswered
    LAPSED = "lapsed"  # an inquiry nobody escalated
    WITHDRAWN = "withdrawn"  # the customer withdrew


def _checked(self: object) -> None:
    check_fields(self)


def _party(value: Any) -> Any:
    try:
        return Party(value) if isinstance(value, str) else value
    except ValueError:
        raise ValidationError.of(
            "party", f"{value!r} is not one of customer, merchant, wallet"
        ) from None


def _evidence_kind(value: Any) -> Any:
    try:
        return EvidenceKind(value) if isinstance(value, str) else value
    except ValueError:
        choices = ", ".join(k.value for k in EvidenceKind)
        raise ValidationError.of("kind", f"{value!r} is not one of {choices}") from None


@frozen(kw_only=True)
class Participant:
    """A party to the dispute: who, in the host's terms, and under which jurisdiction."""

    party: Party = field(converter=_party)
    id: str = field(validator=non_empty)
    jurisdiction: str = field(validator=non_empty)

    __attrs_post_init__ = _checked


@frozen(kw_only=True)
class DisputedTransaction:
    """A transaction the dispute is bound to: its own amount, and how much of it is disputed."""

    id: str = field(validator=non_empty)
    amount: Money
    disputed: Money
    occurred_at: datetime = field(validator=aware)

    def __attrs_post_init__(self) -> None:
        check_fields(self)
        if self.disputed.currency != self.amount.currency:
            raise ValidationError.of(
                "disputed", f"must be in the transaction's currency {self.amount.currency}"
            )
        if not self.disputed.amount > 0:
            raise ValidationError.of("disputed", "must be more than zero")
        if self.disputed > self.amount:
            raise ValidationError.of(
                "disputed", f"{self.disputed} is more than the transaction's {self.amount}"
            )


@frozen(kw_only=True)
class EvidenceItem:
    """One piece of evidence: a typed reference (a file, a tracking number) and what it shows."""

    kind: EvidenceKind = field(converter=_evidence_kind)
    reference: str = field(validator=non_empty)
    description: str = ""

    __attrs_post_init__ = _checked


@frozen(kw_only=True, slots=False)
class Evidence:
    """A party's evidence for one stage: staged until submitted, once, before ``due_by``."""

    party: Party
    stage: Stage
    due_by: datetime = field(validator=aware)
    items: tuple[EvidenceItem, ...] = ()
    text: str = ""
    submitted_at: datetime | None = None

    @property
    def submitted(self) -> bool:
        """Tell whether the party has submitted (its evidence is then fixed)."""
        return self.submitted_at is not None


@frozen(kw_only=True, slots=False)
class Offer:
    """An offer from one party to another, with its expiry and where it stands."""

    id: str
    by: Party
    to: Party
    kind: OfferKind
    amount: Money | None
    reasons: str
    made_at: datetime
    expires_at: datetime
    counters: str = ""
    status: OfferStatus = OfferStatus.OPEN
    answered_at: datetime | None = None
    answer: str = ""

    @property
    def payer(self) -> Party:
        """Who pays the customer if this offer is accepted: the party that is not the customer."""
        return self.to if self.by is Party.CUSTOMER else self.by


@frozen(kw_only=True)
class AccountAmounts:
    """An amount in the transaction's currency and in the customer's account currency, at the
    rate fixed when the dispute opened (the same amount when the currencies agree)."""

    transaction: Money
    account: Money


@frozen(kw_only=True, slots=False)
class Credit:
    """A provisional credit to the customer's account, and how it was settled."""

    id: str
    amount: Money
    given_at: datetime
    status: CreditStatus = CreditStatus.PROVISIONAL
    noticed_at: datetime | None = None
    final: Money | None = None
    reversing: Money | None = None
    reverse_at: datetime | None = None
    reversed_at: datetime | None = None

    @property
    def settled(self) -> bool:
        """Tell whether every unit of the credit is either final or reversed."""
        return self.status in (CreditStatus.FINAL, CreditStatus.REVERSED)


@frozen(kw_only=True)
class Payment:
    """Who pays what to whom, and why: in the transaction's currency and the account's."""

    payer: Party
    payee: Party
    amount: Money
    account_amount: Money
    why: str


@frozen(kw_only=True)
class Outcome:
    """What was decided or agreed: the customer's award, who pays it, and why.

    ``award`` is what the customer ends up with in the transaction's currency (never more than
    was disputed); ``payments`` move it, net of provisional credit already made final.
    """

    basis: Basis
    in_favour_of: Party | None
    award: Money
    award_account: Money
    payer: Party | None
    explanation: str
    decided_by: str = ""
    payments: tuple[Payment, ...] = ()


def convert(amount: Money, rate: ExchangeRate | None, currency: str) -> Money:
    """``amount`` in ``currency`` at the dispute's fixed rate, rounded half-even to minor units."""
    if amount.currency == currency:
        return amount
    if rate is None:
        raise ValidationError.of(
            "rate", f"no rate fixed to convert {amount.currency} to {currency}"
        )
    rate.check(amount.currency, currency, "rate")
    return Money(rate.money(amount), currency).quantize(ROUND_HALF_EVEN)
