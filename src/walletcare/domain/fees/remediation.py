"""Remediation: what to do about audited overcharges, decided as data and plain functions."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from attrs import field, frozen

from walletcare.domain.events import Actor, Event, non_empty
from walletcare.domain.fees.audit import Discrepancy
from walletcare.domain.fees.events import FeeDiscrepancyRemedied
from walletcare.domain.fieldtypes import check_fields
from walletcare.errors import DomainError, ValidationError

__all__ = [
    "RemediationPolicy",
    "CollectiveFinding",
    "collective_findings",
    "remedy",
    "remedy_stream",
]


def _positive(_: object, attribute: object, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        name = getattr(attribute, "name", "value")
        raise ValidationError.of(name, f"must be a positive int, got {value!r}")


@frozen(kw_only=True)
class RemediationPolicy:
    """What an audit's overcharges lead to.

    ``refund`` queues a refund instruction on ``refund_channel`` (a channel your payments
    plugin serves); ``open_complaints`` opens a ``fees`` complaint for each customer, filed
    through ``complaint_channel``; a fault that hits at least ``collective_threshold``
    customers is reported as collective, for an incident.
    """

    refund: bool = True
    refund_channel: str = field(default="payments", validator=non_empty)
    open_complaints: bool = True
    complaint_channel: str = field(default="in_app", validator=non_empty)
    collective_threshold: int = field(default=20, validator=_positive)

    def __attrs_post_init__(self) -> None:
        check_fields(self)


@frozen(kw_only=True)
class CollectiveFinding:
    """One fault (schedule, version, rule) that overcharged many customers."""

    fingerprint: str
    schedule: str
    version: str
    rule: str
    customers: tuple[str, ...]
    transactions: tuple[str, ...]


def collective_findings(
    discrepancies: Iterable[Discrepancy], threshold: int
) -> tuple[CollectiveFinding, ...]:
    """Faults whose overcharges hit at least ``threshold`` distinct customers."""
    groups: dict[str, list[Discrepancy]] = {}
    for found in discrepancies:
        if found.is_refundable:
            groups.setdefault(found.fingerprint, []).append(found)
    findings = []
    for fingerprint, group in sorted(groups.items()):
        customers = tuple(sorted({d.charge.customer_id for d in group}))
        if len(customers) >= threshold:
            first = group[0]
            findings.append(
                CollectiveFinding(
                    fingerprint=fingerprint,
                    schedule=first.schedule,
                    version=first.version,
                    rule=first.rule,
                    customers=customers,
                    transactions=tuple(d.charge.transaction_id for d in group),
                )
            )
    return tuple(findings)


def remedy_stream(transaction_id: str) -> str:
    """The stream that records how an audited transaction was put right (one per transaction)."""
    return f"fee-remedy:{transaction_id}"


def remedy(
    history: Iterable[Event],
    found: Discrepancy,
    *,
    by: Actor,
    at: datetime,
    refund_message_id: str,
    complaint_id: str,
) -> list[Event]:
    """Record the remedy for one overcharged transaction; refused if it was already remedied."""
    if not found.is_refundable:
        raise DomainError(f"{found.charge.transaction_id} was not overcharged; nothing to remedy")
    if any(isinstance(e, FeeDiscrepancyRemedied) for e in history):
        raise DomainError(f"{found.charge.transaction_id} has already been remedied")
    charge = found.charge
    return [
        FeeDiscrepancyRemedied(
            at=at,
            by=by,
            transaction_id=charge.transaction_id,
            customer_id=charge.customer_id,
            charged_at=charge.at,
            finding=found.finding,
            expected=found.expected,
            charged=found.charged,
            refund=found.refund,
            schedule=found.schedule,
            version=found.version,
            rule=found.rule,
            fingerprint=found.fingerprint,
            refund_message_id=refund_message_id,
            complaint_id=complaint_id,
        )
    ]
