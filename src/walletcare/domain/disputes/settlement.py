"""Settling money: provisional credit made final or reversed after a finding, and the payments
an outcome makes. Money is conserved: the customer ends with exactly the award."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from walletcare.domain.disputes import events as ev
from walletcare.domain.disputes.profiles import CompiledDisputePolicy
from walletcare.domain.disputes.state import Dispute, apply_all
from walletcare.domain.disputes.values import (
    Basis,
    CreditStatus,
    Outcome,
    Party,
    Payment,
    convert,
)
from walletcare.domain.events import SYSTEM, Actor, Event
from walletcare.domain.money import Money

__all__ = ["settle_credits", "outcome", "resolve", "inverse"]


def settle_credits(
    d: Dispute, award_account: Money, *, at: datetime, rules: CompiledDisputePolicy
) -> list[Event]:
    """After a finding, each provisional credit becomes final up to the award; the rest is
    taken back only after notice and the honour period (Reg E: 5 business days)."""
    pending = [c for c in d.credits if c.status is CreditStatus.PROVISIONAL]
    if not pending:
        return []
    credit_rules = rules.credit_rules(d.jurisdiction)
    honour = credit_rules.honour_business_days if credit_rules is not None else 5
    reverse_at = rules.end_of_business_days(d.jurisdiction, at, honour)
    currency = d.account_currency
    # Decimal arithmetic in one currency, checked once: every Money built here is exact.
    already = sum((c.final.amount for c in d.credits if c.final is not None), Decimal(0))
    left = max(award_account.amount - already, Decimal(0))
    events: list[Event] = []
    for credit in pending:
        amount = credit.amount.amount
        final = min(amount, left)
        left -= final
        if final:
            events.append(
                ev.CreditMadeFinal(
                    at=at,
                    by=SYSTEM,
                    dispute_id=d.id,
                    credit_id=credit.id,
                    amount=Money(final, currency),
                )
            )
        if amount - final:
            events.append(
                ev.CreditReversalNoticed(
                    at=at,
                    by=SYSTEM,
                    dispute_id=d.id,
                    credit_id=credit.id,
                    amount=Money(amount - final, currency),
                    reverse_at=reverse_at,
                )
            )
    return events


def inverse(d: Dispute, amount: Money) -> Money:
    """An account-currency amount in the transaction's currency, at the fixed rate."""
    return convert(amount, d.rate, d.disputed.currency)


def outcome(
    d: Dispute,
    *,
    basis: Basis,
    award: Money,
    payer: Party | None,
    explanation: str,
    decided_by: str,
) -> Outcome:
    """An outcome with the customer's award in both currencies (no payments yet)."""
    return Outcome(
        basis=basis,
        in_favour_of=Party.CUSTOMER if award else (payer or Party.MERCHANT),
        award=award,
        award_account=convert(award, d.rate, d.account_currency),
        payer=payer if award else None,
        explanation=explanation,
        decided_by=decided_by,
    )


def _payments(d: Dispute, result: Outcome) -> tuple[Payment, ...]:
    """Who pays what to whom so that the customer ends with exactly the award: provisional
    credit made final counts as paid by the wallet; the rest comes from the payer."""
    final_account = d.credit_final
    final = inverse(d, final_account)
    payments: list[Payment] = []
    if final_account:
        payments.append(
            Payment(
                payer=Party.WALLET,
                payee=Party.CUSTOMER,
                amount=final,
                account_amount=final_account,
                why="provisional credit made final",
            )
        )
    rest, rest_account = result.award - final, result.award_account - final_account
    payer = result.payer or Party.MERCHANT
    if rest_account.is_negative or rest.is_negative:
        payments.append(
            Payment(
                payer=Party.CUSTOMER,
                payee=Party.WALLET,
                amount=-rest,
                account_amount=-rest_account,
                why="provisional credit made final beyond the final award",
            )
        )
    elif rest_account or rest:
        payments.append(
            Payment(
                payer=payer,
                payee=Party.CUSTOMER,
                amount=rest,
                account_amount=rest_account,
                why=result.explanation,
            )
        )
    if final_account and result.payer not in (None, Party.WALLET):
        covered = min(final, result.award)
        if covered:
            payments.append(
                Payment(
                    payer=result.payer,
                    payee=Party.WALLET,
                    amount=covered,
                    account_amount=convert(covered, d.rate, d.account_currency),
                    why="reimburses the provisional credit made final",
                )
            )
    return tuple(payments)


def resolve(
    d: Dispute, result: Outcome, *, at: datetime, by: Actor, rules: CompiledDisputePolicy
) -> list[Event]:
    """Make ``result`` final: settle any credit still provisional, lapse open offers, pay."""
    events = settle_credits(d, result.award_account, at=at, rules=rules)
    events += [
        ev.OfferLapsed(at=at, by=SYSTEM, dispute_id=d.id, offer_id=o.id) for o in d.open_offers
    ]
    settled = apply_all(d, events) if events else d
    final = Outcome(
        basis=result.basis,
        in_favour_of=result.in_favour_of,
        award=result.award,
        award_account=result.award_account,
        payer=result.payer,
        explanation=result.explanation,
        decided_by=result.decided_by,
        payments=_payments(settled, result),
    )
    return [*events, ev.DisputeResolved(at=at, by=by, dispute_id=d.id, outcome=final)]
