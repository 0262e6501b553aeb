"""Repeat complaints linked to an open one, and complaints merged into another: what each
records, and each refusal's exact error (its type, the field it names, what it says)."""

from __future__ import annotations

import pytest

from walletcare import Actor
from walletcare.domain import complaints as c
from walletcare.domain.complaints.values import EvidenceRef
from walletcare.errors import DomainError, TransitionNotAllowed, ValidationError

from ..complaints_fixtures import EXPLANATION, T0, intake

STAFF = Actor.staff("agent-7")
CUSTOMER = Actor.customer("cust-1")
POLICY = c.ComplaintPolicy()
ALLOWED = (
    " (allowed from: acknowledged, awaiting_customer, awaiting_merchant, awaiting_network,"
    " investigating, received)"
)
RECEIPT = EvidenceRef(kind="file", ref="receipt.pdf", description="the shop's receipt")


def received(complaint_id: str = "cmp-1", **changes: object) -> c.Complaint:
    state = c.replay(c.receive(complaint_id, intake(**changes), by=CUSTOMER, at=T0, policy=POLICY))
    assert state is not None
    return state


def step(state: c.Complaint, events: list[c.Event]) -> c.Complaint:  # type: ignore[name-defined]
    for event in events:
        state = c.apply(state, event)
    return state


def closed() -> c.Complaint:
    state = received()
    state = step(state, c.acknowledge(state, by=STAFF, at=T0, message_id="m1"))
    state = step(state, c.start_investigation(state, by=STAFF, at=T0))
    state = step(
        state,
        c.resolve(
            state, by=STAFF, at=T0, outcome="upheld", explanation=EXPLANATION, message_id="m2"
        ),
    )
    return step(state, c.close(state, by=STAFF, at=T0, reason="answered"))


def test_a_linked_duplicate_brings_its_transactions_evidence_and_intake_id() -> None:
    """The repeat's transactions and evidence join the complaint, and its host id is kept."""
    repeat = intake(transactions=("tx-1", "tx-2"), evidence=(RECEIPT,))
    [event] = c.link_duplicate(received(), repeat, by=CUSTOMER, at=T0, intake_id="host-9")
    assert event.transactions == ("tx-1", "tx-2")
    assert event.evidence == (RECEIPT,)
    assert event.intake_id == "host-9"
    state = step(received(), [event])
    assert state.transactions == ("tx-1", "tx-2")
    assert state.evidence == (RECEIPT,)
    assert state.linked_intakes == ("host-9",)
    assert state.linked_duplicates == 1


def test_the_same_intake_id_links_once_and_repeats_without_one_each_link() -> None:
    """A host id already linked changes nothing; repeats without an id link every time."""
    state = step(received(), c.link_duplicate(received(), intake(), by=CUSTOMER, at=T0, intake_id="h1"))
    assert c.link_duplicate(state, intake(), by=CUSTOMER, at=T0, intake_id="h1") == []
    assert len(c.link_duplicate(state, intake(), by=CUSTOMER, at=T0, intake_id="h2")) == 1
    for _ in range(2):
        state = step(state, c.link_duplicate(state, intake(), by=CUSTOMER, at=T0))
    assert state.linked_duplicates == 3
    assert state.linked_intakes == ("h1",)


def test_absorbing_takes_the_sources_transactions_and_evidence() -> None:
    """Merging one complaint into another carries both its transactions and its evidence."""
    source = received("cmp-2", transactions=("tx-7",), evidence=(RECEIPT,))
    [event] = c.absorb(received(), source, by=STAFF, at=T0)
    assert event.transactions == ("tx-7",)
    assert event.evidence == (RECEIPT,)
    assert event.source == "cmp-2"


def refusals() -> list[tuple[str, object, type[Exception], tuple[str, ...], str]]:
    other = received("cmp-2", customer_id="cust-2")
    return [
        ("customer merges", lambda: c.merge_into(received(), received("cmp-2"), by=CUSTOMER, at=T0),
         DomainError, (), "only staff can merge complaints"),
        ("into itself", lambda: c.merge_into(received(), received(), by=STAFF, at=T0),
         ValidationError, ("into",), "a complaint cannot be merged into itself"),
        ("other customer", lambda: c.merge_into(received(), other, by=STAFF, at=T0),
         ValidationError, ("into",), "complaints of different customers cannot be merged"),
        ("closed source", lambda: c.merge_into(closed(), received("cmp-2"), by=STAFF, at=T0),
         TransitionNotAllowed, (), "cannot merge complaint cmp-1: it is closed"),
        ("closed target", lambda: c.merge_into(received("cmp-2"), closed(), by=STAFF, at=T0),
         TransitionNotAllowed, (), "cannot merge into complaint cmp-1: it is closed"),
        ("duplicate of closed", lambda: c.link_duplicate(closed(), intake(), by=CUSTOMER, at=T0),
         TransitionNotAllowed, (), "cannot link a duplicate to complaint cmp-1: it is closed"),
    ]


@pytest.mark.parametrize("case", refusals(), ids=lambda case: case[0])
def test_each_refusal_has_its_own_error(
    case: tuple[str, object, type[Exception], tuple[str, ...], str],
) -> None:
    """Each refusal raises its own error type, names its field, and says why in words."""
    _, command, kind, fields, words = case
    with pytest.raises(kind) as err:
        command()  # type: ignore[operator]
    assert type(err.value) is kind
    said = str(err.value).removesuffix(ALLOWED)
    if fields:
        assert err.value.fields == fields  # type: ignore[attr-defined]
        assert said == f"{fields[0]}: {words}"
    else:
        assert said == words
