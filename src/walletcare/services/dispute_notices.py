"""What a dispute's customer is told, and when: messages from a command's events, in the
customer's language, from the templates in ``walletcare.domain.disputes.texts``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from walletcare.domain import disputes as domain
from walletcare.domain.disputes import events as ev
from walletcare.domain.disputes.profiles import CompiledDisputePolicy
from walletcare.domain.disputes.texts import word
from walletcare.domain.disputes.values import Party
from walletcare.domain.events import Event
from walletcare.domain.messages import StaffText
from walletcare.domain.money import Money
from walletcare.ports import OutboundMessage
from walletcare.services.cases import CaseService
from walletcare.services.presentation import format_instant, format_money

__all__ = ["DisputeNotices"]


class DisputeNotices:
    """Builds a dispute's customer messages through the kernel (stable ids, their language)."""

    def __init__(self, cases: CaseService[domain.Dispute], rules: CompiledDisputePolicy) -> None:
        self.cases = cases
        self.rules = rules

    def _locale(self, d: domain.Dispute) -> str:
        return self.cases.messages.catalogue.locale_for(d.language)

    def local(self, d: domain.Dispute, at: datetime) -> str:
        """``at`` for the customer: their locale's date and time, in their zone, named."""
        return format_instant(at, self._locale(d), d.customer_zone)

    def money(self, d: domain.Dispute, amount: Money) -> str:
        """``amount`` in the customer's locale's currency format."""
        return format_money(amount, self._locale(d))

    def message(
        self,
        d: domain.Dispute,
        template: str,
        values: Mapping[str, object],
        version: int,
        now: datetime,
    ) -> OutboundMessage:
        return self.cases.message(d, template, dict(values), version, now)

    def messages(
        self,
        d: domain.Dispute,
        events: Sequence[Event],
        version: int,
        now: datetime,
        *,
        already: Sequence[OutboundMessage] = (),
    ) -> list[OutboundMessage]:
        """What the customer is told of a command's events, in their language."""
        lang = d.language
        sent: dict[str, OutboundMessage] = {m.template: m for m in already}

        def tell(template: str, values: Mapping[str, object]) -> None:
            if template not in sent:
                sent[template] = self.message(d, template, values, version, now)

        reversals = [e for e in events if isinstance(e, ev.CreditReversalNoticed)]
        resolved = any(isinstance(e, ev.DisputeResolved) for e in events)
        opening = any(isinstance(e, ev.DisputeOpened) for e in events)
        for e in events:
            if isinstance(e, ev.DisputeOpened):
                tell("dispute.opened", self._opened_values(d, e))
            elif isinstance(e, ev.EvidenceRequested) and e.party is Party.CUSTOMER and not opening:
                tell("dispute.evidence_requested", {"due_by": self.local(d, e.due_by)})
            elif isinstance(e, ev.OfferMade) and e.to is Party.CUSTOMER:
                tell(
                    "dispute.offer",
                    {
                        "party": word(lang, e.party.value),
                        "offer": word(lang, e.offer.value),
                        "amount": f" ({self.money(d, e.amount)})" if e.amount is not None else "",
                        # Written by a party (often the merchant): checked for phishing.
                        "reasons": StaffText(e.reasons, "reasons"),
                        "expires_at": self.local(d, e.expires_at),
                    },
                )
            elif isinstance(e, ev.DisputeDecided) and not resolved:
                tell("dispute.outcome", self._outcome_values(d, e.outcome, e.appeal_until))
            elif isinstance(e, ev.DisputeResolved):
                tell("dispute.outcome", self._outcome_values(d, e.outcome, None))
            elif isinstance(e, ev.DisputeClosed):
                tell("dispute.closed", {"reason": e.reason})
        if reversals:
            total = sum((r.amount for r in reversals[1:]), reversals[0].amount)
            explanation = d.decision.explanation if d.decision is not None else ""
            if d.outcome is not None:
                explanation = d.outcome.explanation
            tell(
                "dispute.credit_reversal",
                {
                    "amount": self.money(d, total),
                    "reverse_at": self.local(d, reversals[0].reverse_at),
                    "explanation": StaffText(explanation or d.closed_reason, "explanation"),
                },
            )
        return [m for m in sent.values() if m not in already]

    def _opened_values(self, d: domain.Dispute, e: ev.DisputeOpened) -> dict[str, str]:
        lang = d.language
        if e.inquiry_until is not None:
            step = word(lang, "inquiry").format(until=self.local(d, e.inquiry_until))
        else:
            due = [w.due_by for w in d.evidence]
            step = word(lang, "dispute").format(until=self.local(d, min(due))) if due else ""
        amount = self.money(d, d.disputed)
        if d.disputed_account.currency != d.disputed.currency:
            amount += f" ({self.money(d, d.disputed_account)})"
        return {"reason": word(lang, d.reason.value), "amount": amount, "next_step": step}

    def _outcome_values(
        self, d: domain.Dispute, outcome: domain.Outcome, appeal_until: datetime | None
    ) -> dict[str, object]:
        lang = d.language
        step = (
            word(lang, "appealable").format(until=self.local(d, appeal_until))
            if appeal_until is not None
            else word(lang, "final")
        )
        both = outcome.award_account.currency != outcome.award.currency
        return {
            "basis": word(lang, outcome.basis.value),
            "explanation": StaffText(outcome.explanation, "explanation"),
            "award": self.money(d, outcome.award),
            "account": f" ({self.money(d, outcome.award_account)})" if both else "",
            "paid_by": word(lang, "paid_by").format(payer=word(lang, outcome.payer.value))
            if outcome.payer is not None
            else word(lang, "no_payment"),
            "next_step": step,
        }

    def credit_notice(
        self, d: domain.Dispute, amount: Money, now: datetime, version: int
    ) -> OutboundMessage:
        """The customer's notice of a provisional credit of ``amount``."""
        rules = self.rules.credit_rules(d.jurisdiction)
        honour = str(rules.honour_business_days) if rules is not None else ""
        values = {"amount": self.money(d, amount), "date": self.local(d, now), "honour": honour}
        return self.message(d, "dispute.credit_notice", values, version, now)
