"""What happens to fee schedules and audited charges, as events."""

from __future__ import annotations

from datetime import datetime

from attrs import field, frozen

from walletcare.domain.events import Event, aware
from walletcare.domain.fees.audit import Finding
from walletcare.domain.fees.schedule import NoticePeriod, ScheduleVersion
from walletcare.domain.money import Money

__all__ = ["FeeVersionPublished", "FeeDiscrepancyRemedied", "FEE_EVENTS"]


@frozen(kw_only=True)
class FeeVersionPublished(Event):
    """A schedule version was recorded; ``at`` is when walletcare recorded it, next to the
    version's own announcement date."""

    kind = "fees.version_published"

    schedule: str
    zone: str
    notice: NoticePeriod
    version: ScheduleVersion


@frozen(kw_only=True)
class FeeDiscrepancyRemedied(Event):
    """An audited charge was put right: a refund ordered (``refund_message_id``) and a
    ``fees`` complaint opened or linked (``complaint_id``), each when the policy asks."""

    kind = "fees.discrepancy_remedied"

    transaction_id: str
    customer_id: str
    charged_at: datetime = field(validator=aware)
    finding: Finding
    expected: Money
    charged: Money
    refund: Money
    schedule: str
    version: str
    rule: str
    fingerprint: str
    refund_message_id: str = ""
    complaint_id: str = ""


FEE_EVENTS: tuple[type[Event], ...] = (FeeVersionPublished, FeeDiscrepancyRemedied)
"""The events of fee schedule and remedy streams, for the converter."""
