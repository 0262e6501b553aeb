"""The dispute service: what a wallet backend calls, through ``Walletcare.disputes``.

A thin table of dispute commands over the case kernel (``services.cases``): each command is
a pure step on the dispute; the kind's own timers (inquiry window, offer expiry, appeal
window, credit reversal) follow from the state each step leaves, and the customer's
messages from the events it decides.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

import attrs

from walletcare.domain import disputes as domain
from walletcare.domain.complaints.merging import link_dispute
from walletcare.domain.complaints.state import Complaint
from walletcare.domain.disputes.kind import DISPUTES, KIND
from walletcare.domain.disputes.parties import party_of
from walletcare.domain.disputes.stages import REFERRAL_TIERS
from walletcare.domain.disputes.values import Party, Referral, Stage
from walletcare.domain.events import Actor, Event
from walletcare.domain.money import Money
from walletcare.errors import ConfigurationError, NotFound, ValidationError
from walletcare.ports import (
    CancelTimer,
    OutboundMessage,
    SetTimer,
    StreamSummary,
    Timer,
    TimerChange,
)
from walletcare.services.cases import AuditEntry, CaseService, StepResult
from walletcare.services.dispute_notices import DisputeNotices

__all__ = ["DisputeService", "KIND"]

DisputeStep = Callable[
    [domain.Dispute, datetime, int], tuple[Sequence[Event], Sequence[OutboundMessage]]
]
"""A dispute command: events and messages; the kind's own timers follow from the state."""


class DisputeService:
    """Opens, negotiates, credits, decides and reads disputes; each command one atomic append."""

    def __init__(
        self,
        *,
        cases: CaseService[domain.Dispute],
        policy: domain.DisputePolicy,
        complaints: CaseService[Complaint] | None = None,
    ) -> None:
        self.cases = cases
        self.policy = policy
        self.rules = policy.compile(cases.oversight.regulation, cases.oversight.regulatory)
        self.complaints = complaints
        self.notices = DisputeNotices(cases, self.rules)
        ladder = cases.oversight.ladder
        missing = [t for t in REFERRAL_TIERS.values() if t not in ladder.tiers]
        if missing:
            raise ConfigurationError(
                f"settings.cases.{KIND}.oversight.ladder: referrals need the tiers "
                f"{', '.join(missing)} (walletcare.config.DISPUTE_LADDER has them)"
            )
        cases.register_timer(KIND, self._on_timer)

    # -- plumbing --------------------------------------------------------------------------
    def _run(self, dispute_id: str, step: DisputeStep) -> domain.Dispute:
        def full(d: domain.Dispute, now: datetime, version: int) -> StepResult:
            events, messages = step(d, now, version)
            after = DISPUTES.apply_all(d, list(events)) if events else d
            told = self.notices.messages(after, events, version, now, already=messages)
            return events, [*messages, *told], _timer_changes(d, after)

        return self.cases.run(dispute_id, full)

    def _events(
        self, dispute_id: str, decide: Callable[[domain.Dispute, datetime], Sequence[Event]]
    ) -> domain.Dispute:
        return self._run(dispute_id, lambda d, now, _v: (decide(d, now), []))

    def _on_timer(self, d: domain.Dispute, timer: Timer, now: datetime, version: int) -> StepResult:
        events = domain.on_timer(d, timer.name, at=now, rules=self.rules)
        if not events:
            return [], [], []
        after = DISPUTES.apply_all(d, events)
        return events, self.notices.messages(after, events, version, now), _timer_changes(d, after)

    # -- opening ---------------------------------------------------------------------------
    def open(self, dispute_id: str, new: domain.NewDispute, *, by: Actor) -> domain.Dispute:
        """Open a dispute (intake lists every problem at once); tells the customer."""
        if not isinstance(new, domain.NewDispute):
            raise ValidationError.of("new", "must be a NewDispute")

        opened: list[Event] = []

        def first(now: datetime) -> list[Event]:
            opened[:] = domain.open_dispute(dispute_id, new, by=by, at=now, rules=self.rules)
            return opened

        def then(
            d: domain.Dispute, now: datetime
        ) -> tuple[list[OutboundMessage], list[TimerChange]]:
            return self.notices.messages(d, opened, 0, now), _timer_changes(None, d)

        return self.cases.create(dispute_id, first, then=then)

    def open_from_complaint(
        self, complaint_id: str, dispute_id: str, new: domain.NewDispute, *, by: Actor
    ) -> domain.Dispute:
        """Open a dispute from a complaint, linked both ways: the dispute names the complaint
        and the complaint lists the dispute. Calling it again completes a half-done link."""
        if self.complaints is None:
            raise ConfigurationError("no complaint service to link disputes to")
        complaint = self.complaints.get(complaint_id)
        if not isinstance(new, domain.NewDispute):
            raise ValidationError.of("new", "must be a NewDispute")
        if new.customer.id != complaint.customer_id:
            raise ValidationError.of(
                "customer.id",
                f"the complaint is {complaint.customer_id!r}'s, not {new.customer.id!r}'s",
            )
        try:
            dispute = self.get(dispute_id)
        except NotFound:
            dispute = self.open(dispute_id, attrs.evolve(new, complaint_id=complaint_id), by=by)
        if dispute.complaint_id != complaint_id:
            raise ValidationError.of("dispute_id", f"{dispute_id!r} belongs to another case")
        self.complaints.run(
            complaint_id,
            lambda c, now, _v: (link_dispute(c, dispute_id, by=by, at=now), [], []),
        )
        return dispute

    # -- inquiry, evidence -----------------------------------------------------------------
    def escalate_inquiry(
        self, dispute_id: str, *, by: Actor, party: Party | str, reason: str
    ) -> domain.Dispute:
        """Escalate an inquiry into a formal dispute, inside the inquiry window."""
        return self._events(
            dispute_id,
            lambda d, now: domain.escalate_inquiry(
                d, by=by, party=party, reason=reason, at=now, rules=self.rules
            ),
        )

    def stage_evidence(
        self,
        dispute_id: str,
        *,
        by: Actor,
        party: Party | str,
        items: Sequence[domain.EvidenceItem] = (),
        text: str = "",
    ) -> domain.Dispute:
        """Stage (or replace) a party's evidence; it can still be edited until submitted."""
        return self._events(
            dispute_id,
            lambda d, now: domain.stage_evidence(
                d, by=by, party=party, items=items, text=text, at=now
            ),
        )

    def submit_evidence(self, dispute_id: str, *, by: Actor, party: Party | str) -> domain.Dispute:
        """Submit a party's staged evidence: once, before its ``due_by``."""
        return self._events(
            dispute_id, lambda d, now: domain.submit_evidence(d, by=by, party=party, at=now)
        )

    # -- negotiation -----------------------------------------------------------------------
    def offer(
        self,
        dispute_id: str,
        *,
        by: Actor,
        party: Party | str,
        offer: domain.OfferKind | str,
        to: Party | str | None = None,
        amount: Money | None = None,
        reasons: str = "",
        expires_at: datetime | None = None,
        counters: str = "",
    ) -> domain.Dispute:
        """Offer a settlement to another party (the customer, unless the customer offers: then
        the merchant). It lapses at ``expires_at`` (the profile's offer days by default)."""

        def step(
            d: domain.Dispute, now: datetime, _v: int
        ) -> tuple[list[Event], list[OutboundMessage]]:
            maker = party_of(party)
            receiver = (
                to
                if to is not None
                else (Party.MERCHANT if maker is Party.CUSTOMER else Party.CUSTOMER)
            )
            if counters and to is None and (found := d.offer(counters)) is not None:
                receiver = found.by
            days = self.rules.profiles[d.profile].offer_days
            expiry = expires_at if expires_at is not None else now + timedelta(days=days)
            events = domain.make_offer(
                d,
                offer_id=f"offer-{len(d.offers) + 1}",
                by=by,
                party=maker,
                to=receiver,
                offer=offer,
                amount=amount,
                reasons=reasons,
                expires_at=expiry,
                at=now,
                counters=counters,
            )
            return events, []

        return self._run(dispute_id, step)

    def counter(
        self,
        dispute_id: str,
        offer_id: str,
        *,
        by: Actor,
        party: Party | str,
        offer: domain.OfferKind | str,
        amount: Money | None = None,
        reasons: str = "",
        expires_at: datetime | None = None,
    ) -> domain.Dispute:
        """Answer an offer with another, back to its maker."""
        return self.offer(
            dispute_id,
            by=by,
            party=party,
            offer=offer,
            amount=amount,
            reasons=reasons,
            expires_at=expires_at,
            counters=offer_id,
        )

    def accept(
        self, dispute_id: str, offer_id: str, *, by: Actor, party: Party | str
    ) -> domain.Dispute:
        """Accept an offer: the dispute resolves on its terms, money settled and explained."""
        return self._events(
            dispute_id,
            lambda d, now: domain.accept_offer(
                d, offer_id=offer_id, by=by, party=party, at=now, rules=self.rules
            ),
        )

    def decline(
        self, dispute_id: str, offer_id: str, *, by: Actor, party: Party | str, reason: str
    ) -> domain.Dispute:
        """Decline an offer, saying why."""
        return self._events(
            dispute_id,
            lambda d, now: domain.decline_offer(
                d, offer_id=offer_id, by=by, party=party, reason=reason, at=now
            ),
        )

    # -- provisional credit ----------------------------------------------------------------
    def verify_identity(self, dispute_id: str, *, by: Actor) -> domain.Dispute:
        """The customer's identity is verified: provisional credit may be given (and is due)."""
        return self._events(
            dispute_id, lambda d, now: domain.verify_identity(d, by=by, at=now, rules=self.rules)
        )

    def credit(
        self, dispute_id: str, *, by: Actor, amount: Money | None = None, notify: bool = True
    ) -> domain.Dispute:
        """Credit the customer provisionally (the whole disputed amount by default, in the
        account's currency); with ``notify`` the notice goes out in the same commit."""

        def step(
            d: domain.Dispute, now: datetime, version: int
        ) -> tuple[list[Event], list[OutboundMessage]]:
            credit_id = f"credit-{len(d.credits) + 1}"
            given = amount if amount is not None else d.disputed_account - d.credited
            notice = self.notices.credit_notice(d, given, now, version) if notify else None
            events = domain.give_credit(
                d,
                credit_id=credit_id,
                by=by,
                amount=amount,
                at=now,
                rules=self.rules,
                notice_id=notice.id if notice is not None else "",
            )
            return events, [notice] if notice is not None else []

        return self._run(dispute_id, step)

    def send_credit_notice(self, dispute_id: str, credit_id: str, *, by: Actor) -> domain.Dispute:
        """Tell the customer of a provisional credit given with ``notify=False``."""

        def step(
            d: domain.Dispute, now: datetime, version: int
        ) -> tuple[list[Event], list[OutboundMessage]]:
            found = next((c for c in d.credits if c.id == credit_id), None)
            if found is None:
                raise ValidationError.of("credit_id", f"no credit {credit_id!r} in {dispute_id}")
            notice = self.notices.credit_notice(d, found.amount, now, version)
            events = domain.send_credit_notice(
                d, credit_id=credit_id, by=by, notice_id=notice.id, at=now
            )
            return events, [notice]

        return self._run(dispute_id, step)

    # -- decisions and stages --------------------------------------------------------------
    def decide(
        self,
        dispute_id: str,
        *,
        by: Actor,
        award: Money,
        explanation: str,
        payer: Party | str | None = None,
    ) -> domain.Dispute:
        """Decide: the award (at most what was disputed), who pays it, and why; the customer is
        told; provisional credit is settled; a third party's decision is final."""
        return self._events(
            dispute_id,
            lambda d, now: domain.decide(
                d,
                by=by,
                award=award,
                payer=payer,
                explanation=explanation,
                at=now,
                rules=self.rules,
            ),
        )

    def appeal(
        self, dispute_id: str, *, by: Actor, party: Party | str, reason: str
    ) -> domain.Dispute:
        """Appeal the decision (pre-arbitration): evidence again, then a second decision."""
        return self._events(
            dispute_id,
            lambda d, now: domain.appeal(
                d, by=by, party=party, reason=reason, at=now, rules=self.rules
            ),
        )

    def refer(
        self,
        dispute_id: str,
        *,
        by: Actor,
        party: Party | str,
        to: Referral | str,
        reason: str,
    ) -> domain.Dispute:
        """Refer the dispute to mediation or arbitration, up the ladder; the body is named by
        the parties' jurisdictions (international arbitration across borders)."""
        ladder = self.cases.oversight.ladder
        return self._events(
            dispute_id,
            lambda d, now: domain.refer(
                d,
                by=by,
                party=party,
                to=to,
                reason=reason,
                at=now,
                rules=self.rules,
                ladder=ladder,
            ),
        )

    def escalate(
        self, dispute_id: str, *, by: Actor, reason: str, to_tier: str = ""
    ) -> domain.Dispute:
        """Staff move the dispute up the ladder (to ``to_tier``, e.g. ``regulator``)."""
        return self.cases.escalate(dispute_id, by=by, reason=reason, to_tier=to_tier)

    def withdraw(self, dispute_id: str, *, by: Actor, reason: str) -> domain.Dispute:
        """The customer withdraws the dispute; any provisional credit is taken back with notice."""
        return self._events(
            dispute_id,
            lambda d, now: domain.withdraw(d, by=by, reason=reason, at=now, rules=self.rules),
        )

    # -- reading ---------------------------------------------------------------------------
    def get(self, dispute_id: str) -> domain.Dispute:
        """The dispute as it stands now."""
        return self.cases.get(dispute_id)

    def history(self, dispute_id: str) -> list[AuditEntry]:
        """The audit trail: every event, with who proposed what and when, in order."""
        return self.cases.history(dispute_id)

    def list(
        self,
        *,
        customer_id: str | None = None,
        merchant: str | None = None,
        stage: Stage | str | Sequence[Stage | str] | None = None,
        reason: str | None = None,
        waiting_on: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[StreamSummary]:
        """Disputes by customer, merchant, stage, reason and whom they wait on, from summaries."""
        stages = None
        if stage is not None:
            try:
                chosen = [stage] if isinstance(stage, str) else list(stage)
                stages = [Stage(s).value for s in chosen]
            except (ValueError, TypeError):
                raise ValidationError.of("stage", f"{stage!r} is not a dispute stage") from None
        wanted = {
            "customer_id": customer_id,
            "merchant": merchant,
            "reason": reason,
            "waiting_on": waiting_on,
        }
        return self.cases.list(
            status=stages,
            attributes={k: v for k, v in wanted.items() if v is not None},
            limit=limit,
            offset=offset,
        )


def _timer_changes(before: domain.Dispute | None, after: domain.Dispute) -> list[TimerChange]:
    """Set the dispute's own timers its state now needs; cancel the ones it no longer does."""
    old = domain.own_timers(before) if before is not None else {}
    new = domain.own_timers(after)
    changes: list[TimerChange] = [
        SetTimer(name=name, due_at=due) for name, due in new.items() if old.get(name) != due
    ]
    changes += [CancelTimer(name=name) for name in old if name not in new]
    return changes
