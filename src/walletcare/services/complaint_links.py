"""Complaint commands that span cases: links to incidents, and merging two complaints."""

from __future__ import annotations

from walletcare.domain import complaints as domain
from walletcare.domain.complaints import Complaint
from walletcare.domain.events import Actor
from walletcare.ports import CancelTimer
from walletcare.services.intake import ComplaintIntake

__all__ = ["ComplaintLinks", "AUTO_CLOSE"]

AUTO_CLOSE = "complaint:auto_close"


class ComplaintLinks(ComplaintIntake):
    """Links to incidents and merges; the complaint service's cross-case half."""

    def link_incident(self, complaint_id: str, incident_id: str, *, by: Actor) -> Complaint:
        """Link the complaint to an incident (the rule fact ``linked_incident``); once only."""
        return self._decide(
            complaint_id,
            lambda c, now, _v: (domain.link_incident(c, incident_id, by=by, at=now), [], []),
            "link_incident",
            by,
        )

    def unlink_incident(
        self, complaint_id: str, incident_id: str, *, by: Actor, reason: str
    ) -> Complaint:
        """Take the complaint out of the incident it was linked to, saying why."""
        return self._decide(
            complaint_id,
            lambda c, now, _v: (
                domain.unlink_incident(c, incident_id, by=by, at=now, reason=reason),
                [],
                [],
            ),
            "unlink_incident",
            by,
        )

    def merge(self, source_id: str, *, into: str, by: Actor) -> Complaint:
        """Merge ``source_id`` into ``into``: the target absorbs it first, then the source closes.

        Two cases are two streams, so this is two commits; if the second fails, calling merge
        again completes it (the target has already absorbed the source once).
        """
        source = self.get(source_id)
        target = self.get(into)
        if source_id not in target.absorbed:
            self._decide(
                into,
                lambda t, now, _v: (domain.absorb(t, source, by=by, at=now), [], []),
                "merge",
                by,
            )
        return self._decide(
            source_id,
            lambda c, now, _v: (
                domain.merge_into(c, self.get(into), by=by, at=now),
                [],
                [CancelTimer(name=AUTO_CLOSE)],
            ),
            "merge",
            by,
        )
