"""A kind's case states: restored from memory, a snapshot or the events, and frozen into
snapshots when one is due (``services.states`` says when)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Generic, TypeVar

from walletcare.domain.cases import CaseKind, CaseState
from walletcare.domain.events import Event
from walletcare.errors import ValidationError
from walletcare.ports import Snapshot
from walletcare.serialization import WalletcareConverter
from walletcare.services.commands import CommandRunner, Loaded
from walletcare.services.states import CachedState, snapshot_due

__all__ = ["CaseStates"]

S = TypeVar("S", bound=CaseState)
log = logging.getLogger("walletcare.cases")


class CaseStates(Generic[S]):
    """Restores and freezes the states of one kind of case."""

    def __init__(
        self, *, kind: CaseKind[S], converter: WalletcareConverter, runner: CommandRunner
    ) -> None:
        self.kind = kind
        self.converter = converter
        self.runner = runner

    def restore(self, case_id: str, loaded: Loaded) -> tuple[S | None, int]:
        """The case from the state held in memory, or its snapshot, and the events after it;
        and the stream's version.

        A snapshot of another kind, of an older state layout, or that does not read back, is
        ignored and the whole stream replayed: events are the truth, snapshots a cache.
        """
        kind, cached, events = self.kind, loaded.cached, loaded.events
        if cached is not None and cached.kind == kind.name:
            state: S = cached.state
            folded = kind.apply_all(state, list(events)) if events else state
            return folded, cached.version + len(events)
        snapshot = loaded.snapshot
        if snapshot is None:
            return kind.replay(events), len(events)
        thawed = self._thaw(snapshot)
        if thawed is not None:
            folded = kind.apply_all(thawed, list(events)) if events else thawed
            return folded, snapshot.version + len(events)
        history, version = self.runner.load(case_id)
        return kind.replay(history), version

    def _thaw(self, snapshot: Snapshot) -> S | None:
        kind = self.kind
        if (
            kind.state_type is None
            or snapshot.kind != kind.name
            or snapshot.schema != kind.state_schema
        ):
            return None
        try:
            return self.converter.loads_trusted(snapshot.data, kind.state_type)
        except ValidationError:
            log.warning("snapshot of %s does not read back; replaying its events", kind.name)
            return None

    def settle(
        self, final: S, *, version: int, events: Sequence[Event], loaded: Loaded | None
    ) -> tuple[Snapshot | None, CachedState]:
        """The snapshot a commit of ``events`` (leaving the stream at ``version``) writes,
        if one is due, and the state to keep in memory once it is durable."""
        base_version, base_size = self._snapshot_base(loaded)
        snapshot = None
        if events and self.kind.state_type is not None and snapshot_due(
            version=version, snapshot_version=base_version, snapshot_size=base_size
        ):
            data = self.converter.dumps(final)
            snapshot = Snapshot(kind=self.kind.name, schema=self.kind.state_schema, data=data)
            base_version, base_size = version, len(data)
        last_at: datetime | None = events[-1].at if events else None
        if last_at is None and loaded is not None:
            last_at = loaded.last_at
        cache = CachedState(
            kind=self.kind.name,
            state=final,
            version=version,
            snapshot_version=base_version,
            snapshot_size=base_size,
            last_at=last_at,
        )
        return snapshot, cache

    def _snapshot_base(self, loaded: Loaded | None) -> tuple[int, int]:
        """The version and size of the stream's latest usable snapshot ((0, 0): none)."""
        if loaded is None:
            return 0, 0
        if loaded.cached is not None:
            return loaded.cached.snapshot_version, loaded.cached.snapshot_size
        snapshot = loaded.snapshot
        if (
            snapshot is None
            or snapshot.kind != self.kind.name
            or snapshot.schema != self.kind.state_schema
        ):
            return 0, 0
        return snapshot.version, len(snapshot.data)
