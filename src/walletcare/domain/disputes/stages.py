"""A dispute's stages: inquiry, dispute, decision, appeal, mediation or arbitration, and the
end (resolved, or closed); with each party's evidence, staged and submitted once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from walletcare.domain.disputes import events as ev
from walletcare.domain.disputes.intake import evidence_windows
from walletcare.domain.disputes.parties import (
    party_of,
    require_actor,
    require_amount,
    require_before,
    require_open,
    require_staff,
    require_stage,
)
from walletcare.domain.disputes.profiles import CompiledDisputePolicy
from walletcare.domain.disputes.settlement import outcome, resolve, settle_credits
from walletcare.domain.disputes.state import Dispute, apply_all
from walletcare.domain.disputes.values import (
    Basis,
    EvidenceItem,
    Party,
    Referral,
    Stage,
    zero,
)
from walletcare.domain.escalation import Escalated
from walletcare.domain.events import SYSTEM, Actor, Event
from walletcare.domain.ladder import Ladder
from walletcare.domain.money import Money
from walletcare.errors import DomainError, TransitionNotAllowed, ValidationError

__all__ = [
    "escalate_inquiry",
    "lapse_inquiry",
    "stage_evidence",
    "submit_evidence",
    "decide",
    "appeal",
    "refer",
    "finalize",
    "withdraw",
    "close",
    "REFERRAL_TIERS",
]

REFERRAL_TIERS = {Referral.MEDIATION: "mediator", Referral.ARBITRATION: "arbitrator"}
"""The ladder tier a referral escalates the dispute to."""

_DECIDING = (Stage.DISPUTE, Stage.APPEAL, Stage.MEDIATION, Stage.ARBITRATION)


def _reason(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError.of("reason", "say why")
    return value.strip()


def escalate_inquiry(
    d: Dispute,
    *,
    by: Actor,
    party: Party | str,
    reason: str,
    at: datetime,
    rules: CompiledDisputePolicy,
) -> list[Event]:
    """A party escalates the inquiry into a formal dispute, inside the inquiry window."""
    require_stage(d, Stage.INQUIRY)
    who = party_of(party)
    require_actor(by, who, d)
    require_before(d.inquiry_until, at, "the inquiry window")
    escalated = ev.InquiryEscalated(
        at=at, by=by, dispute_id=d.id, party=who, reason=_reason(reason)
    )
    days = rules.profiles[d.profile].respond_days
    return [escalated, *evidence_windows(d, Stage.DISPUTE, days, at, rules)]


def close(
    d: Dispute,
    *,
    basis: Basis,
    reason: str,
    at: datetime,
    by: Actor,
    rules: CompiledDisputePolicy,
) -> list[Event]:
    """End the dispute with no award: any provisional credit is taken back (after notice and
    the honour period), open offers lapse."""
    events = settle_credits(d, zero(d.account_currency), at=at, rules=rules)
    events += [
        ev.OfferLapsed(at=at, by=SYSTEM, dispute_id=d.id, offer_id=o.id) for o in d.open_offers
    ]
    return [*events, ev.DisputeClosed(at=at, by=by, dispute_id=d.id, basis=basis, reason=reason)]


def lapse_inquiry(d: Dispute, *, at: datetime, rules: CompiledDisputePolicy) -> list[Event]:
    """An inquiry nobody escalated within its window closes by itself."""
    if d.stage is not Stage.INQUIRY or d.inquiry_until is None or at < d.inquiry_until:
        return []
    return close(
        d,
        basis=Basis.LAPSED,
        reason="nobody escalated the inquiry within its window",
        at=at,
        by=SYSTEM,
        rules=rules,
    )


def withdraw(
    d: Dispute, *, by: Actor, reason: str, at: datetime, rules: CompiledDisputePolicy
) -> list[Event]:
    """The customer withdraws the dispute."""
    require_open(d)
    require_actor(by, Party.CUSTOMER, d)
    return close(d, basis=Basis.WITHDRAWN, reason=_reason(reason), at=at, by=by, rules=rules)


# -- evidence ------------------------------------------------------------------------------
def _window(d: Dispute, party: Party, at: datetime) -> None:
    window = d.evidence_of(party)
    if window is None:
        raise TransitionNotAllowed(f"no evidence is asked of the {party.value} at {d.stage.value}")
    if window.submitted:
        raise TransitionNotAllowed(
            f"the {party.value} already submitted its evidence for {window.stage.value}"
        )
    if at > window.due_by:
        raise TransitionNotAllowed(
            f"the {party.value}'s evidence was due by {window.due_by.isoformat()}"
        )


def stage_evidence(
    d: Dispute,
    *,
    by: Actor,
    party: Party | str,
    items: Sequence[EvidenceItem],
    text: str,
    at: datetime,
) -> list[Event]:
    """Stage (or replace) a party's evidence for the stage; nothing is submitted yet."""
    require_open(d)
    who = party_of(party)
    require_actor(by, who, d)
    found = tuple(items) if isinstance(items, (list, tuple)) else None
    if found is None or any(type(i) is not EvidenceItem for i in found):
        raise ValidationError.of("items", "must be a list of EvidenceItem")
    if not isinstance(text, str):
        raise ValidationError.of("text", "must be a string")
    if not found and not text.strip():
        raise ValidationError.of("items", "stage at least one item or some text")
    _window(d, who, at)
    return [
        ev.EvidenceStaged(at=at, by=by, dispute_id=d.id, party=who, items=found, text=text.strip())
    ]


def submit_evidence(d: Dispute, *, by: Actor, party: Party | str, at: datetime) -> list[Event]:
    """Submit a party's staged evidence: once per stage, before its ``due_by``."""
    require_open(d)
    who = party_of(party)
    require_actor(by, who, d)
    _window(d, who, at)
    window = d.evidence_of(who)
    assert window is not None
    if not window.items and not window.text:
        raise DomainError(f"the {who.value} has staged no evidence to submit")
    return [ev.EvidenceSubmitted(at=at, by=by, dispute_id=d.id, party=who, items=len(window.items))]


# -- decisions -----------------------------------------------------------------------------
def decide(
    d: Dispute,
    *,
    by: Actor,
    award: Money,
    payer: Party | str | None,
    explanation: str,
    at: datetime,
    rules: CompiledDisputePolicy,
) -> list[Event]:
    """A decision: what the customer is awarded (never more than disputed), who pays, and why.

    A third party's decision (mediation, arbitration) is final; the wallet's may be appealed
    or referred until the profile's window ends. Provisional credit is settled at the first
    finding: final up to the award, the rest taken back after notice and honour.
    """
    require_stage(d, *_DECIDING)
    require_staff(by)
    money = require_amount(d, award, "award", allow_zero=True)
    chosen = party_of(payer, "payer") if payer is not None else None
    if money and chosen not in (Party.MERCHANT, Party.WALLET):
        raise ValidationError.of("payer", "an award is paid by the merchant or the wallet")
    if not isinstance(explanation, str) or not explanation.strip():
        raise ValidationError.of("explanation", "explain the outcome to the customer")
    third = d.stage in (Stage.MEDIATION, Stage.ARBITRATION)
    result = outcome(
        d,
        basis=Basis.THIRD_PARTY if third else Basis.DECISION,
        award=money,
        payer=chosen,
        explanation=explanation.strip(),
        decided_by=d.forum if third else d.wallet.id,
    )
    profile = rules.profiles[d.profile]
    appeal_until = None if third else rules.end_of_days(d.jurisdiction, at, profile.appeal_days)
    decided = ev.DisputeDecided(
        at=at, by=by, dispute_id=d.id, outcome=result, appeal_until=appeal_until
    )
    events: list[Event] = [decided]
    events += settle_credits(d, result.award_account, at=at, rules=rules)
    if third:
        events += resolve(apply_all(d, events), result, at=at, by=by, rules=rules)
    return events


def appeal(
    d: Dispute,
    *,
    by: Actor,
    party: Party | str,
    reason: str,
    at: datetime,
    rules: CompiledDisputePolicy,
) -> list[Event]:
    """The customer or the merchant appeals the decision (pre-arbitration), once, in time."""
    require_stage(d, Stage.DECIDED)
    who = party_of(party)
    require_actor(by, who, d)
    if who is Party.WALLET:
        raise ValidationError.of("party", "the wallet made the decision; a party appeals it")
    if d.appealed:
        raise TransitionNotAllowed("the decision was appealed once already; refer it instead")
    require_before(d.appeal_until, at, "the appeal window")
    appealed = ev.DecisionAppealed(at=at, by=by, dispute_id=d.id, party=who, reason=_reason(reason))
    days = rules.profiles[d.profile].appeal_days
    return [appealed, *evidence_windows(d, Stage.APPEAL, days, at, rules)]


def refer(
    d: Dispute,
    *,
    by: Actor,
    party: Party | str,
    to: Referral | str,
    reason: str,
    at: datetime,
    rules: CompiledDisputePolicy,
    ladder: Ladder,
) -> list[Event]:
    """Send the dispute to mediation or arbitration, up the ladder. The body is the customer's
    jurisdiction's forum, or its international one when the parties are in different
    countries; every party's forum is listed, so the log says why that one."""
    require_stage(d, Stage.DISPUTE, Stage.APPEAL, Stage.DECIDED)
    who = party_of(party)
    require_actor(by, who, d)
    if d.stage is Stage.DECIDED:
        require_before(d.appeal_until, at, "the window to refer the decision")
    try:
        referral = Referral(to)
    except ValueError:
        raise ValidationError.of("to", f"{to!r} is not mediation or arbitration") from None
    forums = [(p, rules.forum(p.jurisdiction)) for p in d.parties]
    mediation = referral is Referral.MEDIATION
    considered = tuple(
        f"{p.party.value}@{p.jurisdiction}: "
        + ((f.mediation if mediation else f.arbitration) if f is not None else "no forum")
        for p, f in forums
    )
    home = rules.forum(d.customer.jurisdiction) or next((f for _, f in forums if f), None)
    if home is None:
        raise DomainError("no forum serves any party's jurisdiction; add one to the policy")
    if referral is Referral.MEDIATION:
        body = home.mediation
    else:
        body = home.international if d.cross_border else home.arbitration
    tier = REFERRAL_TIERS[referral]
    current = d.escalation.tier or ladder.start
    events: list[Event] = [
        ev.DisputeReferred(
            at=at,
            by=by,
            dispute_id=d.id,
            to=referral,
            body=body,
            considered=considered,
            party=who,
            reason=_reason(reason),
        )
    ]
    if tier not in ladder.tiers:
        raise ValidationError.of("ladder", f"the dispute ladder has no {tier!r} tier")
    if ladder.rank(tier) > ladder.rank(current):
        events.append(
            Escalated(
                at=at,
                by=by,
                from_tier=current,
                to_tier=tier,
                reason=f"referred to {referral.value}: {body}",
            )
        )
    stage = Stage.MEDIATION if referral is Referral.MEDIATION else Stage.ARBITRATION
    days = rules.profiles[d.profile].appeal_days
    return [*events, *evidence_windows(d, stage, days, at, rules)]


def finalize(d: Dispute, *, at: datetime, rules: CompiledDisputePolicy) -> list[Event]:
    """A decision nobody appealed or referred in time becomes final."""
    if d.stage is not Stage.DECIDED or d.decision is None or d.appeal_until is None:
        return []
    if at < d.appeal_until:
        return []
    return resolve(d, d.decision, at=at, by=SYSTEM, rules=rules)
