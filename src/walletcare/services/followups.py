"""The follow-up service: surveys and security confirmations, through ``Walletcare.followups``.

A thin table of follow-up commands over the case kernel. The contact rules are checked in
the customer's contact ledger (one stream per customer), and the message is queued in that
same commit, so no two follow-ups of any of the customer's cases can both pass a cap, quiet
hours or an opt-out. The follow-up case then records the attempt.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from walletcare.domain import followups as domain
from walletcare.domain.complaints.values import ContactPoint
from walletcare.domain.disputes import Dispute
from walletcare.domain.events import SYSTEM, Actor, Event
from walletcare.domain.followups import commands
from walletcare.domain.followups.events import RewardGranted
from walletcare.domain.money import Money
from walletcare.errors import CaseExists, KeyTaken, ValidationError
from walletcare.hookspecs import hookimpl
from walletcare.ports import MessageStatus, SetTimer, StoredEvent, Timer
from walletcare.services.cases import CaseService, StepResult
from walletcare.services.commands import Decision
from walletcare.services.complaints import ComplaintService
from walletcare.services.contact_ledger import ContactLedgers
from walletcare.services.followup_answers import AnswerEffects

__all__ = ["FollowupService", "followup_id"]

ATTEMPT = "followup:attempt"


DISPUTE_ENDINGS = frozenset({"dispute.resolved", "dispute.closed"})
"""The events with which a dispute ends."""


def followup_id(trigger: domain.TriggerKind | str, source_id: str) -> str:
    """The id of the follow-up of one trigger (``complaint_resolved``, ``cmp-1``)."""
    return f"fu:{domain.TriggerKind(trigger).value}:{source_id}"


class FollowupService(ContactLedgers, AnswerEffects):
    """Schedules, sends, records and reads follow-ups; every command one atomic append."""

    def __init__(
        self,
        *,
        cases: CaseService[domain.Followup],
        complaints: ComplaintService,
        policy: domain.FollowupPolicy,
        disputes: CaseService[Dispute] | None = None,
    ) -> None:
        self.cases = cases
        self.complaints = complaints
        self.disputes = disputes
        self.policy = policy
        self.runner = cases.runner
        self.storage = cases.storage
        cases.register_timer("followup", self._on_timer)

    # -- triggers --------------------------------------------------------------------------
    def trigger(self, trigger: domain.Trigger, *, by: Actor = SYSTEM) -> domain.Followup:
        """Follow up ``trigger``: at most one follow-up per trigger, however often called.

        The first attempt is armed ``delay`` after the trigger; if that is past the window
        already, the follow-up is recorded as missed when its timer fires.
        """
        if not isinstance(trigger, domain.Trigger):
            raise ValidationError.of("trigger", "must be a walletcare Trigger")
        served = self.cases.messages.channels()
        if trigger.contact.channel not in served:
            raise ValidationError.of(
                "contact",
                f"no registered plugin serves {trigger.contact.channel!r} "
                f"(served: {', '.join(sorted(served)) or 'none'})",
            )
        fid = followup_id(trigger.kind, trigger.source_id)
        policy = self.policy.triggers[trigger.kind]
        profile = self.policy.profile_for(trigger.jurisdiction)

        def decide(history: Sequence[Event], now: datetime) -> Decision[domain.Followup]:
            if history:
                raise CaseExists("followup_id", fid)
            events = commands.schedule(fid, trigger, policy, profile=profile.name, by=by, at=now)
            state = domain.FOLLOWUPS.replay(events)
            assert state is not None  # the first event is FollowupScheduled
            timer = SetTimer(name=ATTEMPT, due_at=state.due_from)
            return self.cases.oversee(None, state, (events, [], [timer]), now=now, version=0)

        try:
            return self.runner.run(fid, decide).result
        except (CaseExists, KeyTaken):
            return self.cases.get(fid)

    def after_complaint_resolved(self, complaint_id: str) -> domain.Followup:
        """Follow up a resolved complaint (called for every ``complaint.resolved`` commit)."""
        c = self.complaints.get(complaint_id)
        if c.resolved_at is None:
            raise ValidationError.of("complaint_id", f"{complaint_id} is not resolved")
        return self.trigger(
            domain.Trigger(
                kind=domain.TriggerKind.COMPLAINT_RESOLVED,
                source_id=c.id,
                customer_id=c.customer_id,
                occurred_at=c.resolved_at,
                contact=self._served(c.contact, *c.fallback_contacts),
                language=c.language,
                customer_zone=c.customer_zone,
                jurisdiction=c.jurisdiction,
                category=c.category.value,
                team=c.team,
            )
        )

    def _served(self, first: ContactPoint, *others: ContactPoint) -> ContactPoint:
        """The first of a customer's contacts a registered plugin serves (else the first)."""
        served = self.cases.messages.channels()
        return next((c for c in (first, *others) if c.channel in served), first)

    def after_dispute_closed(
        self,
        dispute_id: str,
        *,
        customer_id: str,
        closed_at: datetime,
        contact: ContactPoint,
        language: str = "en",
        customer_zone: str = "UTC",
        jurisdiction: str = "",
        category: str = "",
        team: str = "",
    ) -> domain.Followup:
        """Follow up a closed dispute: the call a dispute makes when it closes."""
        return self.trigger(
            domain.Trigger(
                kind=domain.TriggerKind.DISPUTE_CLOSED,
                source_id=dispute_id,
                customer_id=customer_id,
                occurred_at=closed_at,
                contact=contact,
                language=language,
                customer_zone=customer_zone,
                jurisdiction=jurisdiction,
                category=category,
                team=team,
            )
        )

    def after_dispute_ended(self, dispute_id: str) -> domain.Followup:
        """Follow up a dispute that has ended (resolved or closed), from the dispute itself:
        called for every ``dispute.resolved`` and ``dispute.closed`` commit when the policy's
        ``follow_closed_disputes`` is on."""
        if self.disputes is None:
            raise ValidationError.of("dispute_id", "this Walletcare has no disputes")
        d = self.disputes.get(dispute_id)
        if d.is_open:
            raise ValidationError.of("dispute_id", f"{dispute_id} has not ended")
        return self.after_dispute_closed(
            d.id,
            customer_id=d.customer.id,
            closed_at=d.updated_at,
            contact=ContactPoint(channel=d.contact_channel, address=d.contact_address),
            language=d.language,
            customer_zone=d.customer_zone,
            jurisdiction=d.jurisdiction,
            category=d.reason.value,
        )

    def after_sensitive_transaction(
        self,
        transaction: str,
        *,
        customer_id: str,
        amount: Money,
        completed_at: datetime,
        contact: ContactPoint,
        language: str = "en",
        customer_zone: str = "UTC",
        jurisdiction: str = "",
    ) -> domain.Followup:
        """Ask "was this you?" about a sensitive transaction the host just completed."""
        return self.trigger(
            domain.Trigger(
                kind=domain.TriggerKind.SENSITIVE_TRANSACTION,
                source_id=transaction,
                customer_id=customer_id,
                occurred_at=completed_at,
                contact=contact,
                language=language,
                customer_zone=customer_zone,
                jurisdiction=jurisdiction,
                category="security",
                transaction=transaction,
                amount=amount,
            )
        )

    @hookimpl
    def walletcare_events_committed(self, events: Sequence[StoredEvent]) -> None:
        """Follow up every complaint as it is resolved, and every dispute as it ends (as far
        as the policy says so)."""
        for record in events:
            follow = self._follow(record.kind)
            if follow is not None:
                follow(record.stream_id)

    def _follow(self, kind: str) -> Callable[[str], domain.Followup] | None:
        """What follows up an event of ``kind``, if the policy follows it up."""
        if kind == "complaint.resolved" and self.policy.follow_resolved_complaints:
            return self.after_complaint_resolved
        if kind in DISPUTE_ENDINGS and self.policy.follow_closed_disputes:
            return self.after_dispute_ended
        return None

    def catch_up(self, after_position: int = 0, limit: int = 1000) -> int:
        """Follow up the complaints resolved (and, if the policy says so, the disputes ended)
        after a global event position; returns the position reached. The commit hook runs
        after a case's commit, not inside it: a host runs this from the last position it saw
        (after a restart, or on a schedule) so an ending a crash came between is still
        followed up, and only once."""
        records = self.storage.read_all(after_position, limit)
        for record in records:
            if record.kind == "complaint.resolved":
                follow: Callable[[str], domain.Followup] | None = self.after_complaint_resolved
            else:
                follow = self._follow(record.kind)
            if follow is None:
                continue
            try:
                follow(record.stream_id)
            except ValidationError:
                continue  # reopened since: nothing to follow up until it ends again
        return records[-1].position if records else after_position

    # -- attempts --------------------------------------------------------------------------
    def _on_timer(  # noqa: PLR0911 (one return per way an attempt ends)
        self, f: domain.Followup, timer: Timer, now: datetime, _version: int
    ) -> StepResult:
        if timer.name != ATTEMPT or not f.is_open:
            return [], [], []
        policy = self.policy.triggers[f.trigger]
        events: list[Event] = []
        if f.attempts and not f.attempts[-1].failed:
            sent = self.storage.get_message(f.attempts[-1].message_id)
            if sent is None or sent.status is MessageStatus.DELIVERED:
                return [], [], []  # it reached the customer: now their answer is awaited
            if sent.status is MessageStatus.PENDING:
                check = now + policy.delivery_check
                again = [SetTimer(name=ATTEMPT, due_at=check)] if check <= f.due_until else []
                return [], [], again
            events += commands.fail(f, reason=sent.last_error, by=SYSTEM, at=now)
            f = domain.FOLLOWUPS.apply_all(f, events)
        if now > f.due_until:
            last = f"; last held back: {f.deferrals[-1]}" if f.deferrals else ""
            reason = f"the window ended at {f.due_until.isoformat()}{last}"
            return [*events, *commands.miss(f, reason=reason, by=SYSTEM, at=now)], [], []
        ledger = self._ledger(f.customer_id)
        left = commands.channels_left(f, ledger.channels)
        if not left:
            tried = ", ".join(f"{a.channel} ({a.failed})" for a in f.attempts)
            reason = f"every channel failed: {tried}"
            return [*events, *commands.miss(f, reason=reason, by=SYSTEM, at=now)], [], []
        verdict, message_id = self._reserve(f, left[0], now)
        if verdict.allowed:
            events += commands.queue(
                f, channel=left[0].channel, message_id=message_id, by=SYSTEM, at=now
            )
            return events, [], [SetTimer(name=ATTEMPT, due_at=now + policy.delivery_check)]
        if verdict.retry_at is not None and verdict.retry_at <= f.due_until:
            events += commands.defer(
                f, reason=verdict.reason, until=verdict.retry_at, by=SYSTEM, at=now
            )
            return events, [], [SetTimer(name=ATTEMPT, due_at=verdict.retry_at)]
        reason = verdict.reason + (
            f"; next possible {verdict.retry_at.isoformat()}, after the window"
            if verdict.retry_at is not None
            else ""
        )
        return [*events, *commands.miss(f, reason=reason, by=SYSTEM, at=now)], [], []

    # -- answers ---------------------------------------------------------------------------
    def answer(
        self, followup_id: str, *, score: int, comment: str = "", channel: str = "in_app"
    ) -> domain.Followup:
        """Record the customer's answer on the follow-up, grant its reward, and act on it:
        an unhappy survey answer reopens the complaint (or alerts staff), "not me" (0) on a
        confirmation opens a critical security complaint and alerts staff at once."""

        def step(f: domain.Followup, now: datetime, _v: int) -> StepResult:
            by = Actor.customer(f.customer_id)
            events: list[Event] = commands.answer(
                f, score=score, comment=comment, channel=channel, by=by, at=now
            )
            if f.reward is not None:
                events.append(RewardGranted(followup_id=f.id, at=now, by=SYSTEM, amount=f.reward))
            return events, [], []

        answered = self.cases.run(followup_id, step)
        policy = self.policy.triggers[answered.trigger]
        assert answered.score is not None  # just answered
        if domain.is_unhappy(answered.survey, answered.score, policy):
            if answered.survey is domain.Survey.CONFIRMATION:
                return self._not_me(answered)
            return self._unhappy(answered)
        return answered

    def reply(self, followup_id: str, *, text: str, channel: str) -> domain.Followup:
        """A reply to a follow-up message: an opt-out keyword of the customer's profile opts
        out of the follow-up's purpose; a number is the answer."""
        f = self.cases.get(followup_id)
        words = str(text).strip()
        profile = self.policy.profile_for(f.jurisdiction)
        if words.upper() in {k.upper() for k in profile.opt_out_keywords}:
            self.record_consent(
                f.customer_id,
                f.purpose,
                granted=False,
                source=f"replied {words!r} on {channel} to {f.id}",
            )
            return f
        if not words.isdigit():
            raise ValidationError.of("text", f"{words!r} is neither an answer nor an opt-out")
        return self.answer(followup_id, score=int(words), channel=channel)

    # -- reading ---------------------------------------------------------------------------
    def get(self, followup_id: str) -> domain.Followup:
        """The follow-up as it stands now."""
        return self.cases.get(followup_id)

    def survey_results(
        self,
        *,
        opened_after: datetime | None = None,
        opened_before: datetime | None = None,
        category: str | None = None,
        team: str | None = None,
        channel: str | None = None,
        trigger: domain.TriggerKind | str | None = None,
    ) -> domain.SurveyReport:
        """CSAT (top-2-box) and NPS over answered follow-ups, from the listing rows only."""
        wanted = {"category": category, "team": team, "channel": channel}
        if trigger is not None:
            wanted["trigger"] = domain.TriggerKind(trigger).value
        attributes: dict[str, str | Sequence[str]] = {
            k: v for k, v in wanted.items() if v is not None
        }
        answers: list[tuple[domain.Survey, int]] = []
        offset, page = 0, 1000
        while True:
            rows = self.cases.list(
                status=[domain.FollowupStatus.ANSWERED.value],
                attributes=attributes,
                opened_after=opened_after,
                opened_before=opened_before,
                limit=page,
                offset=offset,
            )
            answers += [(domain.Survey(r.get("survey")), int(r.get("score"))) for r in rows]
            if len(rows) < page:
                return domain.report(answers)
            offset += page
