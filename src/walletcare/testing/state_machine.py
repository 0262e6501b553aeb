"""A hypothesis state machine that drives a storage and memory:// alike and compares them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
)

from walletcare.adapters.memory import MemoryStorage
from walletcare.errors import ConcurrencyConflict, ValidationError
from walletcare.ports import (
    CancelTimer,
    Commit,
    MessageStatus,
    SetTimer,
    Storage,
    Timer,
)
from walletcare.testing.records import LEASE, T0, message_for, new_event, summary_for

__all__ = ["against_memory"]

_STREAMS = st.sampled_from(["s1", "s2", "s3"])
_NAMES = st.sampled_from(["ack", "resolve"])
_OFFSETS = st.integers(min_value=0, max_value=120).map(lambda m: T0 + timedelta(minutes=m))


def against_memory(storage_factory: Callable[[], Storage]) -> type[RuleBasedStateMachine]:
    class AgainstMemory(RuleBasedStateMachine):
        """Drives the storage under test and memory:// with the same operations."""

        def __init__(self) -> None:
            super().__init__()
            self.real = storage_factory()
            self.model = MemoryStorage()
            self.counter = 0
            self.claims: dict[tuple[str, str], tuple[str, str]] = {}

        @initialize()
        def start(self) -> None:
            self.counter = 0

        def both(self, fn: Callable[[Storage], object]) -> tuple[object, object]:
            results = []
            for target in (self.real, self.model):
                try:
                    results.append(("ok", fn(target)))
                except (ConcurrencyConflict, ValidationError) as exc:
                    results.append(("error", type(exc).__name__))
            return results[0], results[1]

        @rule(
            stream=_STREAMS,
            n=st.integers(0, 3),
            stale=st.booleans(),
            timer=st.none() | _NAMES,
            due=_OFFSETS,
            msg=st.booleans(),
        )
        def append(  # noqa: PLR0917 (hypothesis passes rule arguments by name)
            self, stream: str, n: int, stale: bool, timer: str | None, due: datetime, msg: bool
        ) -> None:
            version = self.model.stream_version(stream) - (1 if stale else 0)
            self.counter += 1
            commit = Commit(
                stream_id=stream,
                expected_version=version,
                events=[new_event(self.counter * 10 + i) for i in range(n)],
                timers=[SetTimer(name=timer, due_at=due)] if timer else [],
                messages=[message_for(stream, f"m{self.counter}", due)] if msg else [],
                summary=summary_for(stream, status=f"v{version + n}"),
            )
            real, model = self.both(
                lambda s: [(e.stream_version, e.data) for e in s.append(commit)]
            )
            assert real == model

        @rule(stream=_STREAMS, name=_NAMES)
        def cancel(self, stream: str, name: str) -> None:
            version = self.model.stream_version(stream)
            commit = Commit(
                stream_id=stream, expected_version=version, timers=[CancelTimer(name=name)]
            )
            real, model = self.both(lambda s: s.append(commit))
            assert real == model

        @rule(now=_OFFSETS)
        def claim_and_fire(self, now: datetime) -> None:
            real = self.real.claim_due_timers(now, 100, LEASE)
            model = self.model.claim_due_timers(now, 100, LEASE)

            def key(t: Timer) -> tuple[datetime, str, str]:
                return (t.due_at, t.stream_id, t.name)

            assert [key(t) for t in real] == [key(t) for t in model]
            for r, m in zip(real, model, strict=True):
                for storage, timer in ((self.real, r), (self.model, m)):
                    storage.append(
                        Commit(
                            stream_id=timer.stream_id,
                            expected_version=storage.stream_version(timer.stream_id),
                            events=[new_event(0, kind="timer.fired")],
                            consumes=(timer.name, timer.token or ""),
                        )
                    )

        @rule(now=_OFFSETS, deliver=st.booleans())
        def drain(self, now: datetime, deliver: bool) -> None:
            real = self.real.claim_due_messages(now, 100, LEASE)
            model = self.model.claim_due_messages(now, 100, LEASE)
            assert [m.id for m in real] == [m.id for m in model]
            status = MessageStatus.DELIVERED if deliver else MessageStatus.DEAD
            for storage, messages in ((self.real, real), (self.model, model)):
                for message in messages:
                    assert storage.settle_message(message, status=status, attempts=1, due_at=now)

        @invariant()
        def same_state(self) -> None:
            for stream in ("s1", "s2", "s3"):
                assert self.real.stream_version(stream) == self.model.stream_version(stream)
                assert [e.data for e in self.real.read_stream(stream)] == [
                    e.data for e in self.model.read_stream(stream)
                ]
                assert [(t.name, t.due_at) for t in self.real.get_timers(stream)] == [
                    (t.name, t.due_at) for t in self.model.get_timers(stream)
                ]
                assert self.real.get_summary(stream) == self.model.get_summary(stream)
            assert [(e.stream_id, e.stream_version) for e in self.real.read_all()] == [
                (e.stream_id, e.stream_version) for e in self.model.read_all()
            ]
            for status in MessageStatus:
                assert [m.id for m in self.real.list_messages(status)] == [
                    m.id for m in self.model.list_messages(status)
                ]

        def teardown(self) -> None:
            self.real.close()
            self.model.close()

    return AgainstMemory
