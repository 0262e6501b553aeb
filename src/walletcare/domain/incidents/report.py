"""The regulator-ready incident report: a structured value, and the same as Markdown."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from attrs import frozen

from walletcare.domain.escalation import Escalated, RegulatorFlagged
from walletcare.domain.events import Event
from walletcare.domain.incidents.events import (
    ComplaintsLinked,
    ComplaintUnlinked,
    IncidentOpened,
    IncidentSolved,
    OwnerAssigned,
    RemedyPaid,
    RemedyPlanned,
    UpdatePosted,
    UpdateSent,
)
from walletcare.domain.incidents.state import Incident
from walletcare.domain.money import Money

__all__ = ["TimelineEntry", "IncidentReport", "build_report"]


@frozen(kw_only=True)
class TimelineEntry:
    """One dated line of an incident's timeline."""

    at: datetime
    what: str


def _money(amounts: tuple[Money, ...]) -> str:
    return ", ".join(str(m) for m in amounts) if amounts else "none"


@frozen(kw_only=True)
class IncidentReport:
    """What a regulator asks of an incident: when, how big, how much money, what was done,
    and what is still open."""

    incident_id: str
    title: str
    fingerprint: str
    status: str
    owner: str
    opened_at: datetime
    first_complaint_at: datetime
    solved_at: datetime | None
    flagged_for_regulator: bool
    complaints_linked: int
    customers_affected: int
    money_at_stake: tuple[Money, ...]
    updates_posted: int
    remedy: str
    remedies_planned: int
    remedies_paid: int
    remedies_paid_total: tuple[Money, ...]
    open_complaints: tuple[str, ...]
    timeline: tuple[TimelineEntry, ...]

    def to_markdown(self) -> str:
        """The report as a Markdown document."""
        solved = self.solved_at.isoformat() if self.solved_at else "not yet"
        lines = [
            f"# Incident report {self.incident_id}: {self.title}",
            "",
            "| | |",
            "|---|---|",
            f"| Status | {self.status} |",
            f"| Owner | {self.owner or 'unassigned'} |",
            f"| Fingerprint | {self.fingerprint or 'opened by staff'} |",
            f"| First complaint | {self.first_complaint_at.isoformat()} |",
            f"| Opened | {self.opened_at.isoformat()} |",
            f"| Solved | {solved} |",
            f"| Flagged for a regulator report | {'yes' if self.flagged_for_regulator else 'no'} |",
            f"| Complaints linked | {self.complaints_linked} |",
            f"| Customers affected | {self.customers_affected} |",
            f"| Money at stake | {_money(self.money_at_stake)} |",
            f"| Updates posted | {self.updates_posted} |",
            f"| Remedy | {self.remedy or 'none'} |",
            f"| Remedies paid | {self.remedies_paid} of {self.remedies_planned} |",
            f"| Paid in total | {_money(self.remedies_paid_total)} |",
            f"| Complaints still open | {len(self.open_complaints)} |",
            "",
            "## Timeline",
            "",
        ]
        lines.extend(f"- {e.at.isoformat()}: {e.what}" for e in self.timeline)
        if self.open_complaints:
            lines.extend(["", "## Complaints still open", ""])
            lines.extend(f"- {c}" for c in self.open_complaints)
        return "\n".join(lines) + "\n"


def _line(event: Event) -> str | None:  # noqa: PLR0911
    match event:
        case IncidentOpened(cluster=cluster, fingerprint=fingerprint, title=title):
            how = f"detected ({fingerprint})" if cluster else f"opened by {event.by}"
            return f"incident opened, {how}: {title}"
        case ComplaintsLinked(members=members):
            return f"{len(members)} complaint(s) linked"
        case ComplaintUnlinked(complaint_id=cid, reason=reason):
            return f"complaint {cid} unlinked: {reason}"
        case OwnerAssigned(owner=owner):
            return f"owner: {owner}"
        case UpdatePosted(number=number, texts=texts):
            return f"update {number} posted: {texts['en']}"
        case UpdateSent(number=number, customers=customers):
            return f"update {number} sent to {len(customers)} customer(s)"
        case IncidentSolved(outcome=outcome, explanation=texts):
            return f"solved ({outcome}): {texts['en']}"
        case RemedyPlanned(remedy=remedy, payments=payments):
            return f"{remedy.value} planned for {len(payments)} customer(s)"
        case RemedyPaid(payments=payments):
            return f"{len(payments)} payment instruction(s) sent"
        case RegulatorFlagged(reason=reason):
            return f"flagged for a regulator report: {reason}"
        case Escalated(to_tier=tier, reason=reason):
            return f"escalated to {tier}: {reason}"
    return None


def _timeline(history: Sequence[Event]) -> tuple[TimelineEntry, ...]:
    """One line per event worth reporting; runs of links, sends and payments as one line."""
    entries: list[TimelineEntry] = []
    run: tuple[str, int, int, datetime, datetime] | None = None  # kind, number, count, from, to

    def close() -> None:
        if run is None:
            return
        kind, number, count, first, last = run
        what = {
            "linked": f"{count} complaint(s) linked",
            "sent": f"update {number} sent to {count} customer(s)",
            "paid": f"{count} payment instruction(s) sent",
        }[kind]
        until = f", the last at {last.isoformat()}" if last != first else ""
        entries.append(TimelineEntry(at=first, what=what + until))

    for e in history:
        match e:
            case ComplaintsLinked(members=members):
                step = ("linked", 0, len(members))
            case UpdateSent(number=number, customers=customers):
                step = ("sent", number, len(customers))
            case RemedyPaid(payments=payments):
                step = ("paid", 0, len(payments))
            case _:
                line = _line(e)
                if line is not None:
                    close()
                    run = None
                    entries.append(TimelineEntry(at=e.at, what=line))
                continue
        if run is not None and run[:2] == step[:2]:
            run = (run[0], run[1], run[2] + step[2], run[3], e.at)
        else:
            close()
            run = (step[0], step[1], step[2], e.at, e.at)
    close()
    return tuple(entries)


def _totals(amounts: Iterable[Money]) -> tuple[Money, ...]:
    totals: dict[str, Money] = {}
    for m in amounts:
        held = totals.get(m.currency)
        totals[m.currency] = m if held is None else held + m
    return tuple(totals[c] for c in sorted(totals))


def build_report(
    incident: Incident, history: Sequence[Event], open_complaints: Sequence[str]
) -> IncidentReport:
    """The report of ``incident`` from its state, its history and its complaints still open."""
    return IncidentReport(
        incident_id=incident.id,
        title=incident.title,
        fingerprint=incident.fingerprint,
        status=incident.status.value,
        owner=incident.owner,
        opened_at=incident.opened_at,
        first_complaint_at=incident.occurred_at,
        solved_at=incident.solved_at,
        flagged_for_regulator=incident.escalation.flagged_for_regulator,
        complaints_linked=len(incident.members),
        customers_affected=len(incident.customers()),
        money_at_stake=_totals(incident.stakes().values()),
        updates_posted=incident.update_number,
        remedy=incident.remedy.value if incident.remedy is not None else "",
        remedies_planned=len(incident.planned),
        remedies_paid=len(incident.paid),
        remedies_paid_total=_totals(incident.paid.values()),
        open_complaints=tuple(sorted(open_complaints)),
        timeline=_timeline(history),
    )
