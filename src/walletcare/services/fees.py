"""The fee service: publish schedules, quote, disclose, audit and remedy, through
``Walletcare.fees``."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from attrs import field, frozen

from walletcare.domain.complaints import ContactPoint, NewComplaint
from walletcare.domain.events import SYSTEM, Actor, Event, non_empty
from walletcare.domain.fees import (
    ANY,
    AllowanceKey,
    AuditReport,
    Charge,
    CollectiveFinding,
    CompiledSchedule,
    Discrepancy,
    ExchangeRate,
    FeeDiscrepancyRemedied,
    FeeSchedule,
    FeeVersionPublished,
    Quote,
    RemediationPolicy,
    TransactionType,
    audit,
    collective_findings,
    compile_schedule,
    quote,
    remedy,
    remedy_stream,
)
from walletcare.domain.money import Money
from walletcare.errors import DomainError, NotFound, ValidationError
from walletcare.ports import OutboundMessage, Storage
from walletcare.serialization import WalletcareConverter
from walletcare.services import disclosures
from walletcare.services.commands import CommandRunner, Decision
from walletcare.services.complaints import ComplaintService

__all__ = ["FeeService", "FeeCustomer", "RemedyReport", "schedule_stream"]

REFUND_TEMPLATE = "fees.refund"


def schedule_stream(name: str) -> str:
    """The stream a schedule's published versions are recorded in."""
    return f"fee-schedule:{name}"


@frozen(kw_only=True)
class FeeCustomer:
    """How to reach a customer about a fee complaint, in their language and zone."""

    contact: ContactPoint
    language: str = field(default="en", validator=non_empty)
    zone: str = field(default="UTC", validator=non_empty)


@frozen(kw_only=True)
class RemedyReport:
    """What ``remedy`` did: remedies recorded now, those already recorded by an earlier run,
    the complaints opened (or linked), and the faults that hit many customers."""

    remedied: tuple[str, ...]
    already_remedied: tuple[str, ...]
    refunds: tuple[OutboundMessage, ...]
    complaints: tuple[str, ...]
    collective: tuple[CollectiveFinding, ...]


def _fold(history: Sequence[Event]) -> FeeSchedule | None:
    published = [e for e in history if isinstance(e, FeeVersionPublished)]
    if not published:
        return None
    last = published[-1]
    return FeeSchedule(
        name=last.schedule,
        zone=last.zone,
        notice=last.notice,
        versions=tuple(e.version for e in published),
    )


class FeeService:
    """Publishes versioned schedules, quotes from them, renders disclosures, audits charges
    and remedies overcharges: a refund on the outbox and a ``fees`` complaint, once each."""

    def __init__(
        self,
        *,
        runner: CommandRunner,
        storage: Storage,
        converter: WalletcareConverter,
        complaints: ComplaintService,
        policy: RemediationPolicy,
    ) -> None:
        self.runner = runner
        self.storage = storage
        self.converter = converter
        self.complaints = complaints
        self.policy = policy
        self._compiled: dict[str, tuple[int, CompiledSchedule]] = {}

    # -- schedules as data -----------------------------------------------------------------
    def load(self, data: object) -> FeeSchedule:
        """A schedule from plain data (JSON-ready); a ``ValidationError`` names each bad path."""
        return self.converter.load(data, FeeSchedule)

    def dump(self, schedule: FeeSchedule) -> dict[str, Any]:
        """A schedule as plain data that ``load`` reads back."""
        data: dict[str, Any] = self.converter.dump(schedule)
        return data

    # -- publishing ------------------------------------------------------------------------
    def publish(self, schedule: FeeSchedule, *, by: Actor = SYSTEM) -> FeeSchedule:
        """Record the schedule's versions not recorded yet; recorded versions never change.

        A new version must already be announced (``announced_at`` not after now), and a change
        to a schedule already published must not take effect in the past. The notice period
        is checked by ``FeeSchedule`` itself.
        """
        if not isinstance(schedule, FeeSchedule):
            raise ValidationError.of("schedule", "must be a FeeSchedule")

        def decide(history: Sequence[Event], now: datetime) -> Decision[FeeSchedule | None]:
            current = _fold(history)
            known = current.versions if current is not None else ()
            if current is not None:
                for name in ("zone", "notice"):
                    if getattr(current, name) != getattr(schedule, name):
                        raise DomainError(
                            f"schedule {schedule.name!r} was published with another {name}"
                        )
            for i, version in enumerate(known):
                if i >= len(schedule.versions) or schedule.versions[i] != version:
                    raise DomainError(
                        f"version {version.id!r} of {schedule.name!r} is published and cannot "
                        "change or go; publish a new version instead"
                    )
            events: list[Event] = []
            for i, version in enumerate(schedule.versions[len(known) :], start=len(known)):
                if version.announced_at > now:
                    raise ValidationError.of(
                        f"versions[{i}].announced_at", "is in the future: publish it when announced"
                    )
                if known and version.effective_from < now:
                    raise ValidationError.of(
                        f"versions[{i}].effective_from", "a change cannot take effect in the past"
                    )
                events.append(
                    FeeVersionPublished(
                        at=now,
                        by=by,
                        schedule=schedule.name,
                        zone=schedule.zone,
                        notice=schedule.notice,
                        version=version,
                    )
                )
            return Decision(events=events, result=_fold([*history, *events]))

        published = self.runner.run(schedule_stream(schedule.name), decide).result
        assert published is not None  # a schedule always has at least one version
        return published

    def schedule(self, name: str) -> FeeSchedule:
        """The schedule ``name`` as published."""
        history, _ = self.runner.load(schedule_stream(name))
        found = _fold(history)
        if found is None:
            raise NotFound(f"no fee schedule named {name!r}")
        return found

    def compiled(self, name: str) -> CompiledSchedule:
        """The schedule compiled for quotes and audits, recompiled only when a version is added.

        Hold on to it for a hot path: its ``in_force`` and ``walletcare.domain.fees.quote``
        touch no storage.
        """
        version = self.storage.stream_version(schedule_stream(name))
        cached = self._compiled.get(name)
        if cached is not None and cached[0] == version:
            return cached[1]
        compiled = compile_schedule(self.schedule(name))
        self._compiled[name] = (version, compiled)
        return compiled

    # -- quoting and disclosing ------------------------------------------------------------
    def quote(
        self,
        schedule: str,
        *,
        transaction_type: TransactionType | str,
        amount: Money,
        at: datetime | None = None,
        channel: str = ANY,
        segment: str = ANY,
        used_this_month: int = 0,
        rate: ExchangeRate | None = None,
        pay_in: str | None = None,
        pay_out: str | None = None,
    ) -> Quote:
        """The fee before paying, under the version in force ``at`` (default: now)."""
        when = at if at is not None else self.runner.clock.now()
        return quote(
            self.compiled(schedule).in_force(when),
            transaction_type=transaction_type,
            amount=amount,
            channel=channel,
            segment=segment,
            used_this_month=used_this_month,
            rate=rate,
            pay_in=pay_in,
            pay_out=pay_out,
        )

    def disclose_schedule(
        self, schedule: str, locale: str, *, version: str | None = None
    ) -> disclosures.Disclosure:
        """The published schedule in ``locale`` (e.g. ``en``, ``zh_CN``), with worked examples."""
        compiled = self.compiled(schedule)
        chosen = compiled.version(version).version if version is not None else None
        return disclosures.disclose_schedule(compiled, locale, version=chosen)

    def disclose_quote(self, priced: Quote, locale: str) -> disclosures.Disclosure:
        """A quote in ``locale``: every line, the total, what is paid and received."""
        return disclosures.disclose_quote(priced, locale)

    def remittance_disclosure(self, priced: Quote, locale: str = "en") -> disclosures.Disclosure:
        """A Reg E style pre-payment disclosure ending in "Total to Recipient"."""
        return disclosures.remittance_disclosure(priced, locale)

    def markup_statement(self, priced: Quote, locale: str = "en") -> disclosures.Disclosure:
        """A CBPR style statement of the conversion charges as a mark-up over the reference."""
        return disclosures.markup_statement(priced, locale)

    # -- auditing and remedying ------------------------------------------------------------
    def audit(
        self,
        schedule: str,
        charges: Iterable[Charge],
        *,
        used: Mapping[AllowanceKey, int] | Iterable[tuple[AllowanceKey, int]] = (),
    ) -> AuditReport:
        """Check charges (in time order) against the version in force at each charge."""
        return audit(self.compiled(schedule), charges, used=used)

    def remedy(
        self,
        report: AuditReport | Iterable[Discrepancy],
        *,
        contact_for: Callable[[str], FeeCustomer] | None = None,
        policy: RemediationPolicy | None = None,
        by: Actor = SYSTEM,
    ) -> RemedyReport:
        """Put each overcharge right, once per transaction however often it is run.

        Per the policy, a ``fees`` complaint is opened for the customer (reached through
        ``contact_for(customer_id)``, else in the app) and a refund instruction is queued on
        the refund channel, recorded in the transaction's remedy stream in one commit. A
        transaction already remedied is skipped. Faults that hit at least the policy's
        threshold of customers are returned as ``collective`` for an incident.
        """
        chosen = policy or self.policy
        found = report.discrepancies if isinstance(report, AuditReport) else tuple(report)
        remedied: list[str] = []
        already: list[str] = []
        refunds: list[OutboundMessage] = []
        complaints: list[str] = []
        for discrepancy in found:
            if not discrepancy.is_refundable:
                continue
            tx = discrepancy.charge.transaction_id
            if self.storage.stream_version(remedy_stream(tx)):
                already.append(tx)
                continue
            complaint_id = ""
            if chosen.open_complaints:
                complaint_id = self._complain(discrepancy, contact_for, chosen)
                complaints.append(complaint_id)
            done, message = self._record(discrepancy, chosen, complaint_id, by)
            if done:
                remedied.append(tx)
                refunds.extend([message] if message is not None else [])
            else:
                already.append(tx)
        return RemedyReport(
            remedied=tuple(remedied),
            already_remedied=tuple(already),
            refunds=tuple(refunds),
            complaints=tuple(complaints),
            collective=collective_findings(found, chosen.collective_threshold),
        )

    def remedy_of(self, transaction_id: str) -> FeeDiscrepancyRemedied | None:
        """How an audited transaction was put right, or None if it has not been."""
        history, _ = self.runner.load(remedy_stream(transaction_id))
        for event in history:
            if isinstance(event, FeeDiscrepancyRemedied):
                return event
        return None

    def _complain(
        self,
        found: Discrepancy,
        contact_for: Callable[[str], FeeCustomer] | None,
        policy: RemediationPolicy,
    ) -> str:
        charge = found.charge
        customer = (
            contact_for(charge.customer_id)
            if contact_for is not None
            else FeeCustomer(contact=ContactPoint(channel="in_app", address=charge.customer_id))
        )
        if not isinstance(customer, FeeCustomer):
            raise ValidationError.of("contact_for", "must return a FeeCustomer")
        rule = f"rule {found.rule!r}" if found.rule else "no rule (an unlisted fee)"
        description = (
            f"Fee audit: transaction {charge.transaction_id} was charged {found.charged}; "
            f"fee schedule {found.schedule!r} version {found.version!r}, {rule}, gives "
            f"{found.expected} ({found.finding.value}). {found.refund} is to be refunded."
        )
        receipt = self.complaints.open(
            NewComplaint(
                customer_id=charge.customer_id,
                category="fees",
                channel=policy.complaint_channel,
                description=description,
                occurred_at=charge.at,
                transactions=[charge.transaction_id],
                amount_lost=found.refund,
                contact=customer.contact,
                language=customer.language,
                customer_zone=customer.zone,
                product=found.fingerprint,
            ),
            by=SYSTEM,
            complaint_id=f"fees-{charge.transaction_id}",
        )
        return receipt.complaint_id

    def _refund_message(
        self, found: Discrepancy, policy: RemediationPolicy, complaint_id: str, now: datetime
    ) -> OutboundMessage:
        charge = found.charge
        refund = found.refund
        body = (
            f"Refund {refund} to {charge.customer_id} for transaction {charge.transaction_id}: "
            f"charged {found.charged}, schedule gives {found.expected}."
        )
        data = {
            "transaction_id": charge.transaction_id,
            "customer_id": charge.customer_id,
            "amount": str(refund.amount),
            "currency": refund.currency,
            "reason": found.finding.value,
            "fingerprint": found.fingerprint,
            "complaint_id": complaint_id,
        }
        return OutboundMessage(
            # One id per transaction: a channel that sees it twice pays once.
            id=f"fee-refund/{charge.transaction_id}",
            stream_id=remedy_stream(charge.transaction_id),
            channel=policy.refund_channel,
            recipient=charge.customer_id,
            template=REFUND_TEMPLATE,
            subject=f"Fee refund {refund}",
            body=body,
            data=json.dumps(data, ensure_ascii=False),
            due_at=now,
        )

    def _record(
        self, found: Discrepancy, policy: RemediationPolicy, complaint_id: str, by: Actor
    ) -> tuple[bool, OutboundMessage | None]:
        def decide(
            history: Sequence[Event], now: datetime
        ) -> Decision[tuple[bool, OutboundMessage | None]]:
            if history:
                return Decision(result=(False, None))  # another run got here first
            message = (
                self._refund_message(found, policy, complaint_id, now) if policy.refund else None
            )
            events = remedy(
                history,
                found,
                by=by,
                at=now,
                refund_message_id=message.id if message is not None else "",
                complaint_id=complaint_id,
            )
            sent = [message] if message is not None else []
            return Decision(events=events, messages=sent, result=(True, message))

        result: tuple[bool, OutboundMessage | None] = self.runner.run(
            remedy_stream(found.charge.transaction_id), decide
        ).result
        return result
