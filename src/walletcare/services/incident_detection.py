"""Incident detection as a service: follow the shared log for new complaints, feed the
detector, and open or grow incidents from what crosses.

Every process follows the same log in the same order, so every process's detector sees the
same windows; unique keys decide which process opens a cluster's incident (the others join
it), and the log itself is what makes detection survive a restart: windows are rebuilt from
the complaints of the last two windows' length.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from walletcare.domain.complaints import ComplaintReceived, IncidentUnlinked
from walletcare.domain.incidents import Detector, Sighting
from walletcare.domain.incidents.kind import cluster_key, signal_of
from walletcare.hookspecs import hookimpl
from walletcare.ports import StoredEvent
from walletcare.services.feed import LogFeed

if TYPE_CHECKING:
    from walletcare.services.incidents import IncidentService

__all__ = ["IncidentDetection", "WATCHED", "DetectOnIntake"]

WATCHED = (ComplaintReceived.kind, IncidentUnlinked.kind)
"""The events detection follows: new complaints, and complaints staff took out of one."""


class IncidentDetection:
    """One process's detector, fed from the shared log."""

    def __init__(self, service: IncidentService) -> None:
        self.service = service
        self.policy = service.policy
        self.detector = Detector(service.policy)
        self.feed = LogFeed(service.storage, kinds=WATCHED)
        self.unlinked: set[str] = set()
        """Complaints staff took out of an incident: detection links them nowhere again."""
        self._started = False
        self._running = False

    def detect(self) -> list[str]:
        """Incidents opened or grown from the complaints committed since the last look."""
        if self._running or (not self.policy.patterns and not self.policy.text):
            return []  # the commits detection makes itself call it again: it is running
        self._running = True
        try:
            return self._detect()
        finally:
            self._running = False

    def _detect(self) -> list[str]:
        runner = self.service.cases.runner
        if not self._started:
            self.feed.seek(runner.clock.now() - self.policy.longest_window * 2)
            self._started = True
        received: list[ComplaintReceived] = []
        for record in self.feed.read():
            event = runner.from_record(record)
            if isinstance(event, IncidentUnlinked):
                self.unlinked.add(event.complaint_id)
            elif isinstance(event, ComplaintReceived):
                received.append(event)
        touched: list[str] = []
        for sighting in self.detector.observe_all([signal_of(event) for event in received]):
            found = self._act(sighting)
            if found and found not in touched:
                touched.append(found)
        return touched

    def _act(self, sighting: Sighting) -> str | None:
        """Link the sighting's complaints to its cluster's incident, or open one if it crossed."""
        service = self.service
        members = sighting.crossed or (sighting.signal,)
        ids = [s.complaint_id for s in members if s.complaint_id not in self.unlinked]
        owner = None
        for cluster in (sighting.cluster, *sighting.absorbed):
            owner = owner or service.storage.key_owner(cluster_key(cluster))
        if owner is not None:
            return owner if service.link_detected(owner, ids) else None
        if not sighting.crossed:
            return None
        free = service.free(ids, None)
        if len(free) < len(sighting.crossed):
            return None  # linked before (a restart re-reading the log): nothing new
        return service.open_detected(
            f"Complaints about {sighting.fingerprint.replace('|', ', ')}",
            free,
            cluster=sighting.cluster,
            pattern=sighting.pattern,
            fingerprint=sighting.fingerprint,
        )


class DetectOnIntake:
    """Runs detection as soon as this instance commits a new complaint (an observer of
    commits, as any plugin can be). Complaints other processes commit are found by their
    own observers, or by the next ``detect`` here: detection reads the shared log."""

    def __init__(self, detection: IncidentDetection) -> None:
        self.detection = detection

    @hookimpl
    def walletcare_events_committed(self, events: Sequence[StoredEvent]) -> None:
        """Detect when the commit received a complaint."""
        if any(e.kind == ComplaintReceived.kind for e in events):
            self.detection.detect()
