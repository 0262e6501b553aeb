"""The contact ledger side of follow-ups: consent, channels, conversations, and queueing a
message only when the contact rules allow it, in the ledger's own commit."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from walletcare.domain import followups as domain
from walletcare.domain.complaints.values import ContactPoint
from walletcare.domain.events import SYSTEM, Actor, Event
from walletcare.domain.followups.contact_rules import Verdict
from walletcare.domain.followups.ledger import (
    ChannelsPreferred,
    ConsentRecorded,
    ContactQueued,
    ConversationHeld,
)
from walletcare.domain.messages import mask_reference
from walletcare.errors import ValidationError
from walletcare.ports import OutboundMessage
from walletcare.services.cases import CaseService
from walletcare.services.commands import CommandRunner, Decision
from walletcare.services.messages import Held, Recipient

__all__ = ["ContactLedgers", "TEMPLATE"]

TEMPLATE = {
    domain.Survey.CSAT: "followup.csat",
    domain.Survey.NPS: "followup.nps",
    domain.Survey.CONFIRMATION: "followup.confirmation",
}


class ContactLedgers:
    """Each customer's contact ledger: one stream per customer, across all their cases."""

    cases: CaseService[domain.Followup]
    runner: CommandRunner
    policy: domain.FollowupPolicy

    def _reserve(
        self, f: domain.Followup, channel: ContactPoint, now: datetime
    ) -> tuple[Verdict, str]:
        """Check the contact rules in the customer's ledger and queue the message there, in
        one commit; a retried attempt finds its own earlier reservation."""
        attempt = len(f.attempts) + 1
        profile = self.policy.profile_for(f.jurisdiction)
        stream = domain.ledger_stream(f.customer_id)

        def decide(history: Sequence[Event], at: datetime) -> Decision[tuple[Verdict, str]]:
            ledger = domain.fold_ledger(f.customer_id, history)
            earlier = ledger.attempt_of(f.id, attempt)
            if earlier is not None:
                return Decision(result=(Verdict(allowed=True), earlier.message_id))
            verdict = domain.check_contact(
                ledger,
                followup_id=f.id,
                purpose=f.purpose,
                at=at,
                zone=f.customer_zone,
                profile=profile,
            )
            if not verdict.allowed:
                return Decision(result=(verdict, ""))
            message = self._message(
                f, channel=channel, attempt=attempt, profile=profile, now=at, stream=stream
            )
            queued = ContactQueued(
                at=at,
                by=SYSTEM,
                customer_id=f.customer_id,
                followup_id=f.id,
                purpose=f.purpose,
                channel=channel.channel,
                message_id=message.id,
                attempt=attempt,
            )
            return Decision(events=[queued], messages=[message], result=(verdict, message.id))

        return self.runner.run(stream, decide, now=now).result

    def _message(
        self,
        f: domain.Followup,
        *,
        channel: ContactPoint,
        attempt: int,
        profile: domain.ContactProfile,
        now: datetime,
        stream: str,
    ) -> OutboundMessage:
        template = TEMPLATE[f.survey]
        # The customer knows the case by its own reference (the complaint or dispute), not by
        # the follow-up's internal id; a transaction is shown masked.
        sensitive = f.trigger is domain.TriggerKind.SENSITIVE_TRANSACTION
        ref = mask_reference(f.source_id) if sensitive else f.source_id
        values: dict[str, object] = {"ref": ref, "stop": profile.opt_out_keywords[0]}
        if f.survey is domain.Survey.CONFIRMATION and f.amount is not None:
            values["amount"] = f.amount
            values["transaction"] = mask_reference(f.transaction)
        # The customer-message path (locale, Babel, masking, the verification hint, the
        # contact window); one channel only: the ledger moves a follow-up down the customer's
        # channels itself, attempt by attempt, counting each contact.
        built = self.cases.messages.to_customer(
            recipient=Recipient(
                language=f.language,
                zone=f.customer_zone,
                jurisdiction=f.jurisdiction,
                contacts=((channel.channel, channel.address),),
            ),
            template=template,
            values=values,
            message_id=f"{f.id}/attempt/{attempt}",
            stream_id=stream,
            now=now,
            data={"followup_id": f.id, "attempt": attempt},
        )
        assert not isinstance(built, Held)  # no staff text in a follow-up: nothing to hold
        return built

    # -- the ledger ------------------------------------------------------------------------
    def _ledger(self, customer_id: str) -> domain.ContactLedger:
        history, _ = self.runner.load(domain.ledger_stream(customer_id))
        return domain.fold_ledger(customer_id, history)

    def _record(self, customer_id: str, event: Event) -> None:
        self.runner.run(
            domain.ledger_stream(customer_id), lambda _h, _now: Decision(events=[event])
        )

    def record_consent(
        self, customer_id: str, purpose: domain.Purpose | str, *, granted: bool, source: str
    ) -> domain.Consent:
        """Record that the customer gave (or withdrew) consent for ``purpose``, and how."""
        chosen = _purpose(purpose)
        if not isinstance(granted, bool):
            raise ValidationError.of("granted", "must be True or False")
        now = self.runner.clock.now()
        event = ConsentRecorded(
            at=now,
            by=Actor.customer(customer_id),
            customer_id=customer_id,
            purpose=chosen,
            granted=granted,
            source=source,
        )
        self._record(customer_id, event)
        found = self._ledger(customer_id).consent(chosen)
        assert found is not None  # just recorded
        return found

    def prefer_channels(self, customer_id: str, channels: Sequence[ContactPoint]) -> None:
        """Record the customer's channels, most preferred first (the fallback order)."""
        if not isinstance(channels, list | tuple):
            raise ValidationError.of(
                "channels", f"must be a list of ContactPoint, got {type(channels).__name__}"
            )
        chosen = tuple(channels)
        if not chosen or not all(isinstance(c, ContactPoint) for c in chosen):
            raise ValidationError.of("channels", "name at least one ContactPoint")
        served = self.cases.messages.channels()
        unknown = sorted({c.channel for c in chosen} - served)
        if unknown:
            raise ValidationError.of(
                "channels",
                f"{', '.join(unknown)}: no registered plugin serves it "
                f"(served: {', '.join(sorted(served)) or 'none'})",
            )
        now = self.runner.clock.now()
        event = ChannelsPreferred(
            at=now, by=Actor.customer(customer_id), customer_id=customer_id, channels=chosen
        )
        self._record(customer_id, event)

    def record_conversation(self, customer_id: str, *, by: Actor, channel: str) -> None:
        """Staff spoke with the customer: the profile's cool-down starts now."""
        now = self.runner.clock.now()
        event = ConversationHeld(at=now, by=by, customer_id=customer_id, channel=channel)
        self._record(customer_id, event)

    def contact_history(self, customer_id: str) -> tuple[domain.ContactRecord, ...]:
        """Every follow-up message queued to the customer, across all their cases, in order."""
        return self._ledger(customer_id).contacts

    def consent(self, customer_id: str) -> dict[domain.Purpose, domain.Consent]:
        """The customer's consent state: the latest record per purpose they ever spoke to."""
        ledger = self._ledger(customer_id)
        found = {p: ledger.consent(p) for p in domain.Purpose}
        return {p: c for p, c in found.items() if c is not None}


def _purpose(value: object) -> domain.Purpose:
    try:
        return domain.Purpose(str(value))
    except ValueError:
        raise ValidationError.of("purpose", f"{value!r} is not a purpose") from None
