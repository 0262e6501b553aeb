"""The case kernel's messages: to the customer and to staff, held for review, rerouted.

``CaseService`` inherits this: a kind's command builds customer messages with ``message``
(values may be text, ``Money``, instants, catalogue ``Term`` and ``StaffText``); rule
notices become messages here; a message held for review becomes a ``MessageHeld`` event and
a staff alert in the command's own commit; a message that dead-letters moves to the
customer's next channel (``reroute``), and the case records each move.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from walletcare.domain.cases import CaseKind, CaseState
from walletcare.domain.events import SYSTEM, Actor, Event
from walletcare.domain.messages import (
    MessageHeld,
    MessageReleased,
    MessageRerouted,
    MessageUndelivered,
)
from walletcare.domain.oversight import CompiledOversight, RuleNotice, final_response_notice
from walletcare.domain.permissions import authorise
from walletcare.errors import NotFound
from walletcare.ports import OutboundMessage, Storage
from walletcare.services.commands import CommandRunner, Decision, Loaded
from walletcare.services.messages import Held, Messages, Recipient

if TYPE_CHECKING:
    from walletcare.services.cases import StepResult

__all__ = ["CaseMessaging", "UPDATE_SUMMARY", "NOTICE_FIELDS"]

UPDATE_SUMMARY = "case.update.summary"
"""The catalogue id of the neutral ``{summary}`` a rule's customer notice carries."""
NOTICE_FIELDS = frozenset({"ref", "summary"})
"""What a rule's customer notice offers its template."""

S = TypeVar("S", bound=CaseState)


class CaseMessaging(Generic[S]):
    """Messages of one kind of case (mixed into ``CaseService``)."""

    kind: CaseKind[S]
    messages: Messages
    oversight: CompiledOversight
    runner: CommandRunner
    storage: Storage

    def restore(self, case_id: str, loaded: Loaded) -> tuple[S | None, int]:
        raise NotImplementedError

    def oversee(
        self,
        before: S | None,
        after: S,
        step: StepResult,
        *,
        now: datetime,
        version: int,
        loaded: Loaded | None = None,
    ) -> Decision[S]:
        raise NotImplementedError

    # -- building --------------------------------------------------------------------------
    def recipient(self, case: S) -> Recipient:
        """Who the case's customer messages go to: language, zone, place and channels."""
        contacts = (
            self.kind.contacts(case)
            if self.kind.contacts is not None
            else [self.kind.contact(case)]
        )
        return Recipient(
            language=case.language,
            zone=case.customer_zone,
            jurisdiction=case.jurisdiction,
            contacts=tuple((str(c), str(a)) for c, a in contacts),
        )

    def message(
        self,
        case: S,
        template: str,
        values: dict[str, Any],
        version: int,
        now: datetime,
        *,
        recipient: Recipient | None = None,
        message_id: str = "",
    ) -> OutboundMessage:
        """A message to the case's customer, in their language, on their first served channel.

        ``values`` fill the template's placeholders (``ref`` is the case id); text is masked,
        ``StaffText`` checked for phishing, money and instants formatted for the customer.
        Its id is deterministic: a retried command decides the same id, so the channel sees
        one message. A message held for review is still returned (the kernel holds it).
        ``recipient`` and ``message_id`` are for a case writing to customers other than its
        own (an incident's affected customers): each needs its own stable id.
        """
        built = self.messages.to_customer(
            recipient=recipient or self.recipient(case),
            template=template,
            values={"ref": case.id, **values},
            message_id=message_id or f"{case.id}/{template}/{version + 1}",
            stream_id=case.id,
            now=now,
            data={f"{self.kind.name}_id": case.id},
        )
        if isinstance(built, Held):
            data = {**json.loads(built.message.data), "held": list(built.reasons)}
            return _with_data(built.message, data)
        return built

    def final_notice(self, case: S) -> str:
        """What the case's regulatory profile wants the final response to tell the customer,
        in their language, from the catalogue (empty if nothing)."""
        key = final_response_notice(case, self.oversight)
        if not key:
            return ""
        locale = self.messages.catalogue.locale_for(case.language)
        values = self.messages.notice_values_for(case.jurisdiction, locale)
        text = self.messages.catalogue.text(key, locale)
        return text.format_map(values)

    def notice(
        self, case: S, notice: RuleNotice, now: datetime, version: int, index: int
    ) -> OutboundMessage:
        """A rule's notification: the kind's update to the customer (which says nothing of
        the rule), or an alert with the rule's reasons to a staff role."""
        action = notice.action
        data = {f"{self.kind.name}_id": case.id, "rule": notice.rule}
        if action.customer:
            template = action.template or self.kind.update_template or "case.update"
            # A kind's update template may show a {summary}: the customer gets the
            # catalogue's neutral one, never the rule's description or reason.
            locale = self.messages.catalogue.locale_for(case.language)
            summary = self.messages.catalogue.text(UPDATE_SUMMARY, locale)
            built = self.messages.to_customer(
                recipient=self.recipient(case),
                template=template,
                values={"ref": case.id, "summary": summary},
                message_id=f"{case.id}/{template}/{version}/{notice.rule}/{index}",
                stream_id=case.id,
                now=now,
                data=data,
            )
            assert not isinstance(built, Held)  # no staff text: nothing to hold
            return built
        template = action.template or self.kind.staff_template
        values = {
            "ref": case.id,
            "summary": notice.summary,
            "tier": case.escalation.tier or self.oversight.ladder.start,
            "rule": notice.rule,
            "matched": "; ".join((*notice.matched, *notice.readings)),
            **self.kind.staff_values(case),
        }
        return self.messages.to_staff(
            role=action.role,
            channel=action.channel,
            template=template,
            values=values,
            message_id=f"{case.id}/{template}/{version}/{notice.rule}/{index}",
            stream_id=case.id,
            now=now,
            data=data,
        )

    def hold(
        self, case: S, messages: Sequence[OutboundMessage], now: datetime
    ) -> tuple[list[OutboundMessage], list[Event]]:
        """Messages to queue, and ``MessageHeld`` events plus review alerts for held ones."""
        queued: list[OutboundMessage] = []
        events: list[Event] = []
        for message in messages:
            data = json.loads(message.data) if '"held"' in message.data else {}
            reasons = data.pop("held", None)
            if reasons is None:
                queued.append(message)
                continue
            events.append(
                MessageHeld(
                    at=now,
                    by=SYSTEM,
                    message_id=message.id,
                    template=message.template,
                    channel=message.channel,
                    recipient=message.recipient,
                    subject=message.subject,
                    body=message.body,
                    locale=message.locale,
                    data=json.dumps(data, ensure_ascii=False),
                    reasons=tuple(reasons),
                )
            )
            policy = self.messages.policy
            queued.append(
                self.messages.to_staff(
                    role=policy.review_role,
                    channel=policy.review_channel,
                    template="case.message_held",
                    values={
                        "ref": case.id,
                        "message": message.id,
                        "template": message.template,
                        "reasons": "; ".join(reasons),
                    },
                    message_id=f"{message.id}/held",
                    stream_id=case.id,
                    now=now,
                    data={f"{self.kind.name}_id": case.id},
                )
            )
        return queued, events

    # -- commands --------------------------------------------------------------------------
    def release_held(self, case_id: str, message_id: str, *, by: Actor) -> S:
        """Queue a held message as it was written; a reviewer (staff) decides."""
        held = {
            e.message_id: e
            for e in (self.runner.from_record(r) for r in self.storage.read_stream(case_id))
            if isinstance(e, MessageHeld | MessageReleased)
        }
        event = held.get(message_id)
        if not isinstance(event, MessageHeld):
            raise NotFound(f"no message {message_id!r} is held on {case_id!r}")

        def decide(loaded: Loaded, now: datetime) -> Decision[S]:
            current, version = self.restore(case_id, loaded)
            if current is None:
                raise NotFound(f"no {self.kind.name} with id {case_id!r}")
            if self.kind.permissions is not None:
                authorise(self.kind.permissions, "release_held", by, self.kind.customer(current))
            message = OutboundMessage(
                id=event.message_id,
                stream_id=case_id,
                channel=event.channel,
                recipient=event.recipient,
                template=event.template,
                subject=event.subject,
                body=event.body,
                locale=event.locale,
                data=event.data,
                due_at=now,
            )
            released = [MessageReleased(at=now, by=by, message_id=message_id)]
            after = self.kind.apply_all(current, released)
            return self.oversee(
                current, after, (released, [message], []), now=now, version=version, loaded=loaded
            )

        return self.runner.run_case(case_id, decide).result

    def reroute(self, message: OutboundMessage, reason: str) -> None:
        """Move a dead-lettered customer message to its next channel, or record that none
        is left; either way the case records it."""
        data = json.loads(message.data)
        fallback = [tuple(c) for c in data.get("fallback", [])]
        case_id = message.stream_id

        def decide(loaded: Loaded, now: datetime) -> Decision[S]:
            current, version = self.restore(case_id, loaded)
            if current is None:
                raise NotFound(f"no {self.kind.name} with id {case_id!r}")
            served = self.messages.channels()
            rest = [c for c in fallback if c[0] in served]
            if not rest:
                undelivered = MessageUndelivered(
                    at=now, by=SYSTEM, message_id=message.id, channel=message.channel, reason=reason
                )
                state = self.kind.apply_all(current, [undelivered])
                return self.oversee(
                    current, state, ([undelivered], [], []), now=now, version=version
                )
            (channel, address), *later = rest
            moved = _with_data(
                message,
                {**data, "fallback": [list(c) for c in later], "rerouted_from": message.id},
            )
            new = OutboundMessage(
                id=f"{message.id}>{channel}",
                stream_id=case_id,
                channel=channel,
                recipient=address,
                template=message.template,
                subject=message.subject,
                body=message.body,
                locale=message.locale,
                data=moved.data,
                due_at=now,
            )
            event = MessageRerouted(
                at=now,
                by=SYSTEM,
                message_id=message.id,
                new_message_id=new.id,
                from_channel=message.channel,
                to_channel=channel,
                reason=reason,
            )
            after = self.kind.apply_all(current, [event])
            return self.oversee(
                current, after, ([event], [new], []), now=now, version=version, loaded=loaded
            )

        self.runner.run_case(case_id, decide)


def _with_data(message: OutboundMessage, data: dict[str, Any]) -> OutboundMessage:
    return OutboundMessage(
        id=message.id,
        stream_id=message.stream_id,
        channel=message.channel,
        recipient=message.recipient,
        template=message.template,
        subject=message.subject,
        body=message.body,
        locale=message.locale,
        data=json.dumps(data, ensure_ascii=False),
        due_at=message.due_at,
    )
