"""Invariants under random workloads and injected crashes: one incident per complaint, each
customer paid exactly once, each update sent to each customer exactly once."""

from __future__ import annotations

import contextlib
from collections import Counter
from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.incidents.builders import complaint, make_app, policy
from walletcare import Actor, Money
from walletcare.adapters.memory import MemoryStorage
from walletcare.config import Pattern
from walletcare.domain.incidents import RemedyPaid, UpdateSent
from walletcare.ports import Commit, StoredEvent

OPS = Actor.staff("ops-1")
PROPERTY = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


class Crash(Exception):
    """The process died here."""


class CrashingStorage:
    """Memory storage that dies at its ``at``-th append, before or after writing it."""

    def __init__(self, inner: MemoryStorage, at: int, after: bool) -> None:
        self.inner, self.at, self.after, self.count = inner, at, after, 0

    def append(self, commit: Commit) -> list[StoredEvent]:
        self.count += 1
        if self.count == self.at and not self.after:
            raise Crash
        stored = self.inner.append(commit)
        if self.count == self.at:
            raise Crash
        return stored

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def _incident_with(customers: int, batch: int) -> tuple[MemoryStorage, str]:
    storage = MemoryStorage()
    app, _clock, _ = make_app(
        chosen=policy(patterns=(), text=(), batch_size=batch), storage=storage
    )
    for n in range(customers):
        app.complaints.open(
            complaint(n, amount_lost=Money.of(f"{n + 1}.00", "EUR")), complaint_id=f"cmp-{n}"
        )
    opened = app.incidents.open("Outage", [f"cmp-{n}" for n in range(customers)], by=OPS)
    return storage, opened.id


def _restart(storage: MemoryStorage, batch: int) -> Any:
    app, clock, _ = make_app(chosen=policy(patterns=(), text=(), batch_size=batch), storage=storage)
    return app, clock


@PROPERTY
@given(
    customers=st.integers(1, 14),
    batch=st.integers(1, 5),
    crash_at=st.integers(1, 8),
    after=st.booleans(),
    by_timer=st.booleans(),
)
def test_each_customer_is_paid_exactly_once_through_crashes(
    customers: int, batch: int, crash_at: int, after: bool, by_timer: bool
) -> None:
    """A crash at any commit of a remedy, then a retry or the timer: one payment each."""
    storage, incident_id = _incident_with(customers, batch)
    crashing = CrashingStorage(storage, crash_at, after)
    app, clock, _ = make_app(
        chosen=policy(patterns=(), text=(), batch_size=batch),
        storage=crashing,  # type: ignore[arg-type]
    )
    with contextlib.suppress(Crash):
        app.incidents.remedy(incident_id, by=OPS, reason="refund", losses=True)
    app, clock = _restart(storage, batch)
    if by_timer and app.incidents.get(incident_id).remedy is not None:
        for _ in range(customers + 2):
            app.tick(clock.now() + timedelta(minutes=5))
            clock.advance(timedelta(minutes=5))
    else:
        app.incidents.remedy(incident_id, by=OPS, reason="refund", losses=True)
    payments = [m for m in app.messages(incident_id) if m.channel == "payments"]
    assert Counter(m.recipient for m in payments) == {f"cust-{n}": 1 for n in range(customers)}
    paid = [p for e in app.events(incident_id) if isinstance(e, RemedyPaid) for p in e.payments]
    assert len(paid) == customers
    assert {p.customer_id: p.amount for p in paid} == {
        f"cust-{n}": Money.of(f"{n + 1}.00", "EUR") for n in range(customers)
    }


@PROPERTY
@given(
    customers=st.integers(1, 10),
    batch=st.integers(1, 4),
    posts=st.lists(st.sampled_from(["a", "b", "c"]), min_size=1, max_size=5),
    crash_at=st.integers(1, 10),
    after=st.booleans(),
)
def test_each_update_reaches_each_customer_once_through_crashes(
    customers: int, batch: int, posts: list[str], crash_at: int, after: bool
) -> None:
    """Updates posted (and reposted) under their ids, a crash anywhere, then the timer: every
    customer has every update exactly once."""
    storage, incident_id = _incident_with(customers, batch)
    crashing = CrashingStorage(storage, crash_at, after)
    app, clock, _ = make_app(
        chosen=policy(patterns=(), text=(), batch_size=batch),
        storage=crashing,  # type: ignore[arg-type]
    )
    try:
        for update in posts:
            app.incidents.post_update(incident_id, f"update {update}", by=OPS, update_id=update)
    except Crash:
        pass
    app, clock = _restart(storage, batch)
    for update in posts:  # the host retries what it did not see succeed
        app.incidents.post_update(incident_id, f"update {update}", by=OPS, update_id=update)
    for _ in range(customers + 2):
        app.tick(clock.now() + timedelta(minutes=5))
        clock.advance(timedelta(minutes=5))
    numbers = len(set(posts))
    updates = [m for m in app.messages(incident_id) if m.template == "incident.update"]
    wanted = {
        f"{incident_id}/update/{u}/cust-{n}"
        for u in range(1, numbers + 1)
        for n in range(customers)
    }
    assert sorted(m.id for m in updates) == sorted(wanted)
    sent = Counter(
        (e.number, c)
        for e in app.events(incident_id)
        if isinstance(e, UpdateSent)
        for c in e.customers
    )
    assert set(sent.values()) == {1} and len(sent) == numbers * customers


SHAPES = st.lists(
    st.tuples(
        st.sampled_from(["E1", "E2", ""]), st.sampled_from(["M1", "M2", ""]), st.integers(0, 30)
    ),
    min_size=1,
    max_size=30,
)


@PROPERTY
@given(shapes=SHAPES, threshold=st.integers(2, 4), unlink=st.lists(st.integers(0, 29), max_size=3))
def test_every_complaint_is_linked_to_at_most_one_incident(
    shapes: list[tuple[str, str, int]], threshold: int, unlink: list[int]
) -> None:
    """Two overlapping patterns, random arrivals and unlinks: no complaint is in two incidents,
    and each complaint's own record names the incident that holds it."""
    patterns = (
        Pattern(
            name="errors", fields=("error_code",), window=timedelta(minutes=30), threshold=threshold
        ),
        Pattern(
            name="merchants",
            fields=("merchant",),
            window=timedelta(minutes=30),
            threshold=threshold,
        ),
    )
    app, clock, _ = make_app(chosen=policy(patterns=patterns, text=()))
    for n, (code, merchant, gap) in enumerate(shapes):
        app.complaints.open(
            complaint(n, error_code=code, merchant=merchant), complaint_id=f"cmp-{n}"
        )
        clock.advance(timedelta(minutes=gap))
        if n in unlink:
            holder = app.complaints.get(f"cmp-{n}").incident
            if holder and app.incidents.get(holder).is_open:
                app.incidents.unlink(holder, f"cmp-{n}", by=OPS, reason="another root cause")
    holders: Counter[str] = Counter()
    owner: dict[str, str] = {}
    for row in app.incidents.list(limit=1000):
        for cid in app.incidents.get(row.stream_id).members:
            holders[cid] += 1
            owner[cid] = row.stream_id
    assert all(count == 1 for count in holders.values())
    for n in range(len(shapes)):
        assert app.complaints.get(f"cmp-{n}").incident == owner.get(f"cmp-{n}", "")
