"""Provisional credit: given while the dispute is investigated, told to the customer, taken
back only after a finding with notice and honour; for wallets only once identity is verified."""

from __future__ import annotations

from datetime import datetime

from walletcare.domain.disputes import events as ev
from walletcare.domain.disputes.intake import credit_due
from walletcare.domain.disputes.parties import require_open, require_staff
from walletcare.domain.disputes.profiles import CompiledDisputePolicy
from walletcare.domain.disputes.state import Dispute
from walletcare.domain.disputes.values import CreditStatus
from walletcare.domain.events import SYSTEM, Actor, Event
from walletcare.domain.money import Money
from walletcare.errors import DomainError, TransitionNotAllowed, ValidationError

__all__ = ["give_credit", "send_credit_notice", "verify_identity", "reverse_credit"]


def give_credit(
    d: Dispute,
    *,
    credit_id: str,
    by: Actor,
    amount: Money | None,
    at: datetime,
    rules: CompiledDisputePolicy,
    notice_id: str = "",
) -> list[Event]:
    """Credit the customer's account provisionally (the whole disputed amount unless less is
    given), before any finding; ``notice_id``: the message telling the customer, if sent now."""
    require_open(d)
    require_staff(by)
    credit = rules.credit_rules(d.jurisdiction)
    if not d.credit_rules or credit is None:
        raise DomainError(f"no provisional-credit rules apply to dispute {d.id}")
    if d.decisions:
        raise TransitionNotAllowed("a finding was made: provisional credit comes before it")
    if not d.identity_verified:
        raise TransitionNotAllowed(
            "the customer's identity is not verified: no provisional credit for "
            f"{d.product} accounts until it is"
        )
    room = d.disputed_account - d.credited
    given = room if amount is None else amount
    if not isinstance(given, Money) or given.currency != d.account_currency:
        raise ValidationError.of("amount", f"must be Money in {d.account_currency}")
    if not given.is_whole or given.is_negative or not given:
        raise ValidationError.of("amount", "must be more than zero, in minor units")
    if given > room:
        raise ValidationError.of("amount", f"{given} is more than the {room} not yet credited")
    if any(c.id == credit_id for c in d.credits):
        raise ValidationError.of("credit_id", f"{credit_id!r} was already used")
    due = ev.DueBy(
        source=f"{credit.name}:credit_notice {credit.notice_business_days} business days",
        at=rules.end_of_business_days(d.jurisdiction, at, credit.notice_business_days),
    )
    events: list[Event] = [
        ev.ProvisionalCreditGiven(
            at=at, by=by, dispute_id=d.id, credit_id=credit_id, amount=given, notice_due=due
        )
    ]
    if notice_id:
        events.append(
            ev.CreditNoticeSent(
                at=at, by=by, dispute_id=d.id, credit_id=credit_id, message_id=notice_id
            )
        )
    return events


def send_credit_notice(
    d: Dispute, *, credit_id: str, by: Actor, notice_id: str, at: datetime
) -> list[Event]:
    """Record that the customer was told of a provisional credit."""
    require_staff(by)
    found = next((c for c in d.credits if c.id == credit_id), None)
    if found is None:
        raise ValidationError.of("credit_id", f"no credit {credit_id!r} in dispute {d.id}")
    if found.noticed_at is not None:
        raise TransitionNotAllowed(f"the customer was told of credit {credit_id} already")
    return [
        ev.CreditNoticeSent(
            at=at, by=by, dispute_id=d.id, credit_id=credit_id, message_id=notice_id
        )
    ]


def verify_identity(
    d: Dispute, *, by: Actor, at: datetime, rules: CompiledDisputePolicy
) -> list[Event]:
    """The customer's identity is verified: provisional credit is due from now, if it applies."""
    require_open(d)
    require_staff(by)
    if d.identity_verified:
        raise TransitionNotAllowed("the customer's identity is verified already")
    credit = rules.credit_rules(d.jurisdiction) if d.credit_rules else None
    due = (
        credit_due(credit, d.flags, at, d.jurisdiction, rules)
        if credit is not None and not d.decisions
        else None
    )
    return [ev.IdentityVerified(at=at, by=by, dispute_id=d.id, credit_due=due)]


def reverse_credit(d: Dispute, *, credit_id: str, at: datetime) -> list[Event]:
    """Take back what a finding said to, once the honour period is over (a timer)."""
    found = next((c for c in d.credits if c.id == credit_id), None)
    if found is None or found.status is not CreditStatus.REVERSING or found.reversing is None:
        return []
    if found.reverse_at is not None and at < found.reverse_at:
        return []
    return [
        ev.CreditReversed(
            at=at, by=SYSTEM, dispute_id=d.id, credit_id=credit_id, amount=found.reversing
        )
    ]
