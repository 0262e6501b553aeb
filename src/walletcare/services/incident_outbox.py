"""What an incident sends: its updates to every affected customer and its payment
instructions, batch by batch, each with an id stable per (update, customer) and per
(incident, customer), so a retry, a crash or a second process never sends one twice."""

from __future__ import annotations

import json
from datetime import datetime

import attrs

from walletcare.domain import incidents as domain
from walletcare.domain.events import SYSTEM
from walletcare.domain.incidents import Incident, IncidentPolicy, Payment
from walletcare.domain.messages import StaffText
from walletcare.ports import CancelTimer, OutboundMessage, SetTimer
from walletcare.services.cases import CaseService, StepResult
from walletcare.services.messages import Recipient

__all__ = ["IncidentOutbox", "SEND", "PAY", "SYNC", "later"]

SEND, PAY, SYNC = "incident:send", "incident:pay", "incident:sync"
"""The incident's timers: send the rest of an update, pay the rest of a remedy, and bring
the linked complaints in line."""


def later(name: str, now: datetime, policy: IncidentPolicy) -> SetTimer:
    """The timer ``name``, due when the command that armed it should long have finished."""
    return SetTimer(name=name, due_at=now + policy.sync_after)


class IncidentOutbox:
    """Builds the next batch of an incident's update messages or payment instructions."""

    def __init__(self, *, cases: CaseService[Incident], policy: IncidentPolicy) -> None:
        self.cases = cases
        self.policy = policy

    def updates(self, i: Incident, now: datetime, version: int) -> StepResult:
        events, batch = domain.send_update(i, by=SYSTEM, at=now, limit=self.policy.batch_size)
        if not events:
            return [], [], [CancelTimer(name=SEND)]
        # Armed with each batch: if this process dies, a tick sends the rest.
        number = i.update_number
        texts = i.updates[-1]
        # Each through the customer-message path: their locale, their daytime, their further
        # channels, the verification hint; staff text checked and masked.
        messages = [
            self.cases.message(
                i,
                "incident.update",
                {
                    "title": StaffText(i.title, "title"),
                    "status": StaffText(texts.get(c.language) or texts["en"], "texts"),
                },
                version,
                now,
                recipient=Recipient(
                    language=c.language,
                    zone=c.zone,
                    jurisdiction=c.jurisdiction,
                    contacts=((c.channel, c.address), *c.fallback),
                ),
                message_id=f"{i.id}/update/{number}/{c.customer_id}",
            )
            for c in batch
        ]
        return events, messages, [later(SEND, now, self.policy)]

    def payments(self, i: Incident, now: datetime, version: int) -> StepResult:
        events, batch = domain.pay(i, by=SYSTEM, at=now, limit=self.policy.batch_size)
        if not events:
            return [], [], [CancelTimer(name=PAY)]
        payments = [self._payment(i, p, now) for p in batch]
        return events, payments, [later(PAY, now, self.policy)]

    def _payment(self, i: Incident, p: Payment, now: datetime) -> OutboundMessage:
        kind = i.remedy.value if i.remedy is not None else "refund"
        message = self._message(
            i,
            "incident.remedy",
            {
                "amount": str(p.amount),
                "remedy": kind,
                "customer": p.customer_id,
                "reason": i.remedy_reason,
            },
            (self.policy.payment_channel, p.customer_id, "en"),
            # One id per incident and customer: a payment plugin that sees it twice pays once.
            f"{i.id}/remedy/{p.customer_id}",
            now=now,
        )
        data = {
            "incident_id": i.id,
            "customer_id": p.customer_id,
            "remedy": kind,
            "amount": str(p.amount.amount),
            "currency": p.amount.currency,
        }
        return attrs.evolve(message, data=json.dumps(data))

    def _message(
        self,
        i: Incident,
        template: str,
        values: dict[str, str],
        to: tuple[str, str, str],
        message_id: str,
        *,
        now: datetime,
    ) -> OutboundMessage:
        """One message of the incident to ``to`` = (channel, address, language)."""
        channel, address, language = to
        locale, subject, body = self.cases.texts.render(template, language, {"ref": i.id, **values})
        return OutboundMessage(
            id=message_id,
            stream_id=i.id,
            channel=channel,
            recipient=address,
            template=template,
            subject=subject,
            body=body,
            locale=locale,
            data=json.dumps({"incident_id": i.id}),
            due_at=now,
        )
