"""A dispute's own timers: the inquiry window, each offer's expiry, the appeal window and
each credit reversal after its honour period; and what each does when it falls due."""

from __future__ import annotations

from datetime import datetime

from walletcare.domain.disputes.credit import reverse_credit
from walletcare.domain.disputes.negotiation import lapse_offer
from walletcare.domain.disputes.profiles import CompiledDisputePolicy
from walletcare.domain.disputes.stages import finalize, lapse_inquiry
from walletcare.domain.disputes.state import Dispute
from walletcare.domain.disputes.values import CreditStatus, OfferStatus, Stage
from walletcare.domain.events import Event

__all__ = ["own_timers", "on_timer"]


def own_timers(d: Dispute) -> dict[str, datetime]:
    """The dispute's own timers as its state stands: the inquiry window, each open offer's
    expiry, the appeal window, each credit reversal after its honour period."""
    timers: dict[str, datetime] = {}
    if d.stage is Stage.INQUIRY and d.inquiry_until is not None:
        timers["dispute:inquiry"] = d.inquiry_until
    if d.stage is Stage.DECIDED and d.appeal_until is not None:
        timers["dispute:appeal"] = d.appeal_until
    if d.is_open:
        for o in d.offers:
            if o.status is OfferStatus.OPEN:
                timers[f"dispute:offer:{o.id}"] = o.expires_at
    for c in d.credits:
        if c.status is CreditStatus.REVERSING and c.reverse_at is not None:
            timers[f"dispute:reversal:{c.id}"] = c.reverse_at
    return timers


def on_timer(d: Dispute, name: str, *, at: datetime, rules: CompiledDisputePolicy) -> list[Event]:
    """What the due timer ``name`` (``dispute:<what>[:<ref>]``) does to the dispute now."""
    _, _, rest = name.partition(":")
    what, _, ref = rest.partition(":")
    if what == "inquiry":
        return lapse_inquiry(d, at=at, rules=rules)
    if what == "offer":
        return lapse_offer(d, offer_id=ref, at=at, rules=rules)
    if what == "appeal":
        return finalize(d, at=at, rules=rules)
    if what == "reversal":
        return reverse_credit(d, credit_id=ref, at=at)
    return []
