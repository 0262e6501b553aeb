"""Incidents as a kind of case: facts, clocks, keys, listing row, and how complaints feed them."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, Final

from walletcare.domain.cases.kind import (
    CaseKind,
    ClockEffect,
    RestartClock,
    StartClocks,
    StopClock,
    StopClocks,
)
from walletcare.domain.complaints.events import ComplaintReceived
from walletcare.domain.complaints.state import Complaint
from walletcare.domain.events import ActorRole, Event
from walletcare.domain.frozenmap import FrozenMap
from walletcare.domain.incidents import events as ev
from walletcare.domain.incidents.state import Incident, apply_all, replay
from walletcare.domain.incidents.texts import TEMPLATES
from walletcare.domain.incidents.values import Member, Signal
from walletcare.domain.money import Money
from walletcare.domain.permissions import PermissionPolicy
from walletcare.domain.rules import FactKind

__all__ = [
    "KIND",
    "INCIDENT_FACTS",
    "INCIDENTS",
    "INCIDENT_PERMISSIONS",
    "cluster_key",
    "member_key",
    "signal_of",
    "member_of",
]

KIND: Final = "incident"

INCIDENT_FACTS: Final[FrozenMap[str, FactKind]] = FrozenMap(
    {
        "linked_complaints": FactKind.NUMBER,
        "affected_customers": FactKind.NUMBER,
        "money_at_stake": FactKind.MONEY,
        "owner": FactKind.TEXT,
        "pattern": FactKind.TEXT,
        "updates": FactKind.NUMBER,
    }
)
"""What rules may read of an incident, beyond the facts every case offers.

``money_at_stake`` is the total in the currency most of the stated losses are in."""


def cluster_key(cluster: str) -> str:
    """The key an open incident holds for the cluster it was detected from."""
    return f"incident:cluster:{cluster}"


def member_key(complaint_id: str) -> str:
    """The key an incident holds for each complaint linked to it: one incident per complaint."""
    return f"incident:member:{complaint_id}"


def signal_of(c: Complaint | ComplaintReceived) -> Signal:
    """What detection reads of a complaint (or of the event that received it)."""
    return Signal(
        complaint_id=c.id if isinstance(c, Complaint) else c.complaint_id,
        customer_id=c.customer_id,
        at=c.received_at if isinstance(c, Complaint) else c.at,
        fields=FrozenMap(
            {
                "category": c.category.value,
                "product": c.product,
                "merchant": c.merchant,
                "error_code": c.error_code,
                "region": c.region,
                "fee_rule": c.fee_rule,
            }
        ),
        text=c.description,
    )


def member_of(c: Complaint) -> Member:
    """A complaint as an incident's member: its customer, how to reach them, what they lost."""
    return Member(
        complaint_id=c.id,
        customer_id=c.customer_id,
        channel=c.contact.channel,
        address=c.contact.address,
        language=c.language,
        loss=c.amount_lost,
        received_at=c.received_at,
        zone=c.customer_zone,
        jurisdiction=c.jurisdiction,
        fallback=c.fallback_contacts,
    )


def _main_stake(i: Incident) -> Money | None:
    stakes = i.stakes()
    if not stakes:
        return None
    counts: dict[str, int] = {}
    for m in i.members.values():
        if m.loss is not None:
            counts[m.loss.currency] = counts.get(m.loss.currency, 0) + 1
    return stakes[max(sorted(counts), key=lambda cur: counts[cur])]


def incident_facts(i: Incident, now: datetime) -> Mapping[str, Callable[[], Any]]:
    """The incident's own facts, each computed only when a rule reads it."""
    return {
        "linked_complaints": lambda: len(i.members),
        "affected_customers": lambda: len(i.customers()),
        "money_at_stake": lambda: _main_stake(i),
        "owner": lambda: i.owner,
        "pattern": lambda: i.pattern,
        "updates": lambda: i.update_number,
    }


def clock_effects(i: Incident, event: Event) -> Sequence[ClockEffect]:
    """What an incident event does to its clocks: updates restart the update clock."""
    match event:
        case ev.IncidentOpened():
            return (StartClocks(),)
        case ev.UpdatePosted():
            return (StopClock("update", "update posted"), RestartClock("update"))
        case ev.IncidentSolved():
            return (StopClocks("solved"),)
    return ()


def _keys(i: Incident) -> frozenset[str]:
    held = {member_key(cid) for cid in i.members}
    if i.is_open and i.cluster:
        held.add(cluster_key(i.cluster))
    return frozenset(held)


def _attributes(i: Incident) -> Mapping[str, str]:
    return {"pattern": i.pattern, "owner": i.owner, "fingerprint": i.fingerprint}


def _apply_all(i: Incident, events: Sequence[Event]) -> Incident:
    return apply_all(i, events) if events else i


_WALLET = (ActorRole.STAFF, ActorRole.SYSTEM)
INCIDENT_PERMISSIONS: Final[PermissionPolicy] = PermissionPolicy(
    grants=dict.fromkeys(
        ("open", "link", "unlink", "assign", "escalate", "post_update", "solve", "remedy"),
        _WALLET,
    )
)
"""The wallet's staff and the system run an incident; customers hear of it through updates."""

INCIDENTS: Final[CaseKind[Incident]] = CaseKind(
    name=KIND,
    events=ev.INCIDENT_EVENTS,
    replay=replay,
    apply_all=_apply_all,
    status=lambda i: i.status.value,
    attributes=_attributes,
    facts=incident_facts,
    fact_kinds=INCIDENT_FACTS,
    # Rule notices to "the customer" of an incident go to its owner's staff channel: an
    # incident reaches its customers through updates, one message each.
    contact=lambda i: ("staff", f"role:{i.owner or 'incident-owner'}"),
    clock_effects=clock_effects,
    metrics=("acknowledgement", "update", "resolution"),
    templates=TEMPLATES,
    update_template="incident.notice",
    staff_values=lambda i: {"severity": str(len(i.members))},
    keys=_keys,
    state_type=Incident,
    permissions=INCIDENT_PERMISSIONS,
)
"""The incident kind, as the case kernel runs it."""
