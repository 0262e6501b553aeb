"""Negotiation: any party offers, the other accepts, declines or counters; offers lapse."""

from __future__ import annotations

from datetime import datetime

from walletcare.domain.disputes import events as ev
from walletcare.domain.disputes.parties import (
    party_of,
    require_actor,
    require_amount,
    require_open,
)
from walletcare.domain.disputes.profiles import CompiledDisputePolicy, IgnoredOffer
from walletcare.domain.disputes.settlement import outcome, resolve
from walletcare.domain.disputes.stages import close
from walletcare.domain.disputes.state import Dispute, apply_all
from walletcare.domain.disputes.values import Basis, Offer, OfferKind, OfferStatus, Party, zero
from walletcare.domain.events import SYSTEM, Actor, Event
from walletcare.domain.money import Money
from walletcare.errors import DomainError, TransitionNotAllowed, ValidationError

__all__ = ["make_offer", "accept_offer", "decline_offer", "lapse_offer", "offer_words"]

_MONEY_KINDS = {OfferKind.PARTIAL_REFUND, OfferKind.REFUND_WITH_RETURN, OfferKind.CREDIT}


def _offer_kind(value: OfferKind | str) -> OfferKind:
    try:
        return OfferKind(value)
    except ValueError:
        choices = ", ".join(k.value for k in OfferKind)
        raise ValidationError.of("offer", f"{value!r} is not one of {choices}") from None


def _amount(d: Dispute, kind: OfferKind, amount: Money | None) -> Money | None:
    if kind is OfferKind.FULL_REFUND:
        if amount is not None and amount != d.disputed:
            raise ValidationError.of("amount", f"a full refund is the {d.disputed} disputed")
        return d.disputed
    if kind in _MONEY_KINDS:
        given = require_amount(d, amount, "amount", allow_zero=False)
        if kind is OfferKind.PARTIAL_REFUND and given == d.disputed:
            raise ValidationError.of("amount", "a partial refund is less than the amount disputed")
        return given
    if amount is not None:
        raise ValidationError.of("amount", f"a {kind.value} offer moves no money")
    return None


def make_offer(
    d: Dispute,
    *,
    offer_id: str,
    by: Actor,
    party: Party | str,
    to: Party | str,
    offer: OfferKind | str,
    amount: Money | None,
    reasons: str,
    expires_at: datetime,
    at: datetime,
    counters: str = "",
) -> list[Event]:
    """Offer a settlement to another party (a counter-offer names the offer it answers)."""
    require_open(d)
    maker, receiver = party_of(party), party_of(to, "to")
    require_actor(by, maker, d)
    if maker is receiver:
        raise ValidationError.of("to", "an offer is made to another party")
    kind = _offer_kind(offer)
    money = _amount(d, kind, amount)
    if not isinstance(reasons, str) or (kind is OfferKind.REJECTION and not reasons.strip()):
        raise ValidationError.of("reasons", "a rejection says why")
    if not isinstance(expires_at, datetime) or expires_at.utcoffset() is None:
        raise ValidationError.of("expires_at", "must be a timezone-aware datetime")
    if expires_at <= at:
        raise ValidationError.of("expires_at", "must be after the offer is made")
    if d.offer(offer_id) is not None:
        raise ValidationError.of("offer_id", f"{offer_id!r} was already used")
    if counters:
        countered = _open_offer(d, counters, at)
        if countered.to is not maker or countered.by is not receiver:
            raise ValidationError.of(
                "counters",
                f"only the {countered.to.value} counters an offer to it, back to its maker",
            )
    return [
        ev.OfferMade(
            at=at,
            by=by,
            dispute_id=d.id,
            offer_id=offer_id,
            party=maker,
            to=receiver,
            offer=kind,
            amount=money,
            reasons=reasons.strip(),
            expires_at=expires_at,
            counters=counters,
        )
    ]


def _open_offer(d: Dispute, offer_id: str, at: datetime) -> Offer:
    found = d.offer(offer_id)
    if found is None:
        raise ValidationError.of("offer_id", f"no offer {offer_id!r} in dispute {d.id}")
    if found.status is not OfferStatus.OPEN:
        raise TransitionNotAllowed(f"offer {offer_id} is {found.status.value}")
    if at > found.expires_at:
        raise TransitionNotAllowed(f"offer {offer_id} expired at {found.expires_at.isoformat()}")
    return found


def offer_words(offer: Offer) -> str:
    """An offer in one line, for an outcome's explanation (the customer's texts translate it)."""
    money = f" of {offer.amount}" if offer.amount is not None else ""
    why = f": {offer.reasons}" if offer.reasons else ""
    return f"{offer.by.value} offered {offer.kind.value.replace('_', ' ')}{money}{why}"


def _agreed(
    d: Dispute, offer: Offer, *, at: datetime, by: Actor, rules: CompiledDisputePolicy
) -> list[Event]:
    award = offer.amount if offer.amount is not None else zero(d.disputed.currency)
    result = outcome(
        d,
        basis=Basis.AGREEMENT,
        award=award,
        payer=offer.payer,
        explanation=f"agreed: {offer_words(offer)}",
        decided_by="the parties",
    )
    return resolve(d, result, at=at, by=by, rules=rules)


def accept_offer(
    d: Dispute,
    *,
    offer_id: str,
    by: Actor,
    party: Party | str,
    at: datetime,
    rules: CompiledDisputePolicy,
) -> list[Event]:
    """The party an offer was made to accepts it: the dispute resolves on its terms."""
    require_open(d)
    who = party_of(party)
    require_actor(by, who, d)
    offer = _open_offer(d, offer_id, at)
    if offer.to is not who:
        raise DomainError(f"offer {offer_id} was made to the {offer.to.value}")
    accepted = ev.OfferAccepted(at=at, by=by, dispute_id=d.id, offer_id=offer_id, party=who)
    return [accepted, *_agreed(apply_all(d, [accepted]), offer, at=at, by=by, rules=rules)]


def decline_offer(
    d: Dispute, *, offer_id: str, by: Actor, party: Party | str, reason: str, at: datetime
) -> list[Event]:
    """The party an offer was made to declines it, saying why."""
    require_open(d)
    who = party_of(party)
    require_actor(by, who, d)
    offer = _open_offer(d, offer_id, at)
    if offer.to is not who:
        raise DomainError(f"offer {offer_id} was made to the {offer.to.value}")
    if not isinstance(reason, str) or not reason.strip():
        raise ValidationError.of("reason", "say why the offer is declined")
    return [
        ev.OfferDeclined(
            at=at, by=by, dispute_id=d.id, offer_id=offer_id, party=who, reason=reason.strip()
        )
    ]


def lapse_offer(
    d: Dispute, *, offer_id: str, at: datetime, rules: CompiledDisputePolicy
) -> list[Event]:
    """An offer past its expiry lapses; an ignored offer to the customer then does what the
    profile says (nothing more, close the dispute, or count as accepted)."""
    offer = d.offer(offer_id)
    if not d.is_open or offer is None or offer.status is not OfferStatus.OPEN:
        return []
    if at < offer.expires_at:
        return []
    rule = rules.profiles[d.profile].ignored_offer if d.profile in rules.profiles else None
    if offer.to is Party.CUSTOMER and rule is IgnoredOffer.ACCEPT:
        deemed = ev.OfferAccepted(
            at=at, by=SYSTEM, dispute_id=d.id, offer_id=offer_id, party=offer.to
        )
        return [deemed, *_agreed(apply_all(d, [deemed]), offer, at=at, by=SYSTEM, rules=rules)]
    lapsed = ev.OfferLapsed(at=at, by=SYSTEM, dispute_id=d.id, offer_id=offer_id)
    if offer.to is not Party.CUSTOMER or rule is not IgnoredOffer.CLOSE:
        return [lapsed]
    after = apply_all(d, [lapsed])
    return [
        lapsed,
        *close(
            after,
            basis=Basis.IGNORED_OFFER,
            reason=f"the customer did not answer the offer {offer_id}: {offer_words(offer)}",
            at=at,
            by=SYSTEM,
            rules=rules,
        ),
    ]
