"""Who may do what: every complaint command against every role, and nothing written when
refused."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from datetime import timedelta

import pytest

from tests.complaints_fixtures import EXPLANATION, intake
from tests.services.messages_fixtures import STAFF, investigating, make_app, opened
from walletcare import Actor, Walletcare
from walletcare.config import CaseSettings
from walletcare.domain.complaints.kind import COMPLAINT_PERMISSIONS
from walletcare.domain.events import SYSTEM, ActorRole
from walletcare.domain.permissions import PermissionPolicy
from walletcare.errors import PermissionDenied
from walletcare.services.complaints import ComplaintService

OWNER = Actor.customer("cust-1")
ROLES: dict[str, Actor] = {
    "own customer": OWNER,
    "other customer": Actor.customer("cust-2"),
    "staff": Actor.staff("agent-2"),
    "system": SYSTEM,
    "regulator": Actor("regulator", "fca"),
    "merchant": Actor("merchant", "shop-9"),
}
Call = Callable[[Walletcare, str, Actor], object]


def _resolved(app: Walletcare) -> str:
    cid = investigating(app)
    app.complaints.resolve(cid, by=STAFF, outcome="upheld", explanation=EXPLANATION)
    return cid


def _awaiting(app: Walletcare) -> str:
    cid = investigating(app)
    app.complaints.request_information(cid, by=STAFF, questions="the receipt")
    return cid


def _held(app: Walletcare) -> str:
    cid = investigating(app)
    app.complaints.resolve(cid, by=STAFF, outcome="upheld", explanation="Reply with your PIN now.")
    return cid


def _awaiting_merchant(app: Walletcare) -> str:
    cid = investigating(app)
    app.complaints.await_third_party(cid, by=STAFF, party="merchant", reason="receipt")
    return cid


def _linked(app: Walletcare) -> str:
    cid = opened(app)
    app.complaints.link_incident(cid, "inc-1", by=STAFF)
    return cid


def _second(app: Walletcare) -> str:
    return app.complaints.open(intake(transactions=("tx-9",))).complaint_id


# command -> (set-up giving the complaint, the call)
COMMANDS: dict[str, tuple[Callable[[Walletcare], str], Call]] = {
    "open": (
        lambda app: "",
        lambda app, _, by: app.complaints.open(intake(transactions=("tx-5",)), by=by),
    ),
    "acknowledge": (
        lambda app: app.complaints.open(intake()).complaint_id,
        lambda app, cid, by: app.complaints.acknowledge(cid, by=by),
    ),
    "assign": (opened, lambda app, cid, by: app.complaints.assign(cid, by=by, team="t")),
    "start_investigation": (
        opened,
        lambda app, cid, by: app.complaints.start_investigation(cid, by=by),
    ),
    "request_information": (
        investigating,
        lambda app, cid, by: app.complaints.request_information(cid, by=by, questions="receipt"),
    ),
    "provide_information": (
        _awaiting,
        lambda app, cid, by: app.complaints.provide_information(cid, by=by, summary="sent"),
    ),
    "resolve": (
        investigating,
        lambda app, cid, by: app.complaints.resolve(
            cid, by=by, outcome="upheld", explanation=EXPLANATION
        ),
    ),
    "await_third_party": (
        investigating,
        lambda app, cid, by: app.complaints.await_third_party(
            cid, by=by, party="merchant", reason="receipt"
        ),
    ),
    "third_party_answered": (
        _awaiting_merchant,
        lambda app, cid, by: app.complaints.third_party_answered(cid, by=by, summary="sent"),
    ),
    "record_finding": (
        investigating,
        lambda app, cid, by: app.complaints.record_finding(
            cid, by=by, finding="a duplicate debit", error_found=True
        ),
    ),
    "link_incident": (
        opened,
        lambda app, cid, by: app.complaints.link_incident(cid, "inc-1", by=by),
    ),
    "unlink_incident": (
        _linked,
        lambda app, cid, by: app.complaints.unlink_incident(cid, "inc-1", by=by, reason="other"),
    ),
    "reopen": (_resolved, lambda app, cid, by: app.complaints.reopen(cid, by=by, reason="no")),
    "close": (_resolved, lambda app, cid, by: app.complaints.close(cid, by=by)),
    "withdraw": (opened, lambda app, cid, by: app.complaints.withdraw(cid, by=by, reason="ok")),
    "record_contact": (
        opened,
        lambda app, cid, by: app.complaints.record_contact(
            cid, by=by, channel="phone", direction="inbound", summary="called"
        ),
    ),
    "change_severity": (
        opened,
        lambda app, cid, by: app.complaints.change_severity(
            cid, by=by, severity="critical", reason="vip"
        ),
    ),
    "send_holding_reply": (
        investigating,
        lambda app, cid, by: app.complaints.send_holding_reply(
            cid, by=by, reasons="the bank", expected_by=app.now() + timedelta(days=20)
        ),
    ),
    "add_flags": (
        opened,
        lambda app, cid, by: app.complaints.add_flags(cid, by=by, flags=["extended"], reason="x"),
    ),
    "escalate": (opened, lambda app, cid, by: app.complaints.escalate(cid, by=by, reason="x")),
    "merge": (
        lambda app: f"{opened(app)} {_second(app)}",
        lambda app, ids, by: app.complaints.merge(ids.split()[1], into=ids.split()[0], by=by),
    ),
    "release_held": (
        _held,
        lambda app, cid, by: app.complaints.release_held(
            cid,
            next(
                e.details["message_id"]
                for e in app.complaints.history(cid)
                if e.kind == "message.held"
            ),
            by=by,
        ),
    ),
}


def _allowed(command: str, who: str) -> bool:
    roles = COMPLAINT_PERMISSIONS.grants[command]
    actor = ROLES[who]
    return actor.role in roles and who != "other customer"


def test_the_table_covers_every_command_the_service_offers() -> None:
    """Every public complaint command that takes an actor is in the policy and the table."""
    taking_actor = {
        name
        for name, fn in inspect.getmembers(ComplaintService, inspect.isfunction)
        # Mutation testing adds each mutant as a method named "x...__mutmut_N": not a command.
        if not name.startswith("_")
        and "__mutmut_" not in name
        and "by" in inspect.signature(fn).parameters
    }
    assert taking_actor == set(COMPLAINT_PERMISSIONS.grants) == set(COMMANDS)


@pytest.mark.parametrize("who", list(ROLES))
@pytest.mark.parametrize("command", list(COMMANDS))
def test_every_command_for_every_role(command: str, who: str) -> None:
    """Allowed roles run the command; everyone else gets PermissionDenied and no event is
    written anywhere."""
    from walletcare.domain.messages import MessagePolicy, PhishingAction
    from walletcare.settings import MessageSettings

    app, _, _ = make_app(
        messages=MessageSettings(policy=MessagePolicy(phishing=PhishingAction.HOLD))
    )
    setup, call = COMMANDS[command]
    cid = setup(app)
    before = len(app.events_since(0, 10_000))
    if _allowed(command, who):
        call(app, cid, ROLES[who])
        assert len(app.events_since(0, 10_000)) > before
    else:
        with pytest.raises(PermissionDenied) as refused:
            call(app, cid, ROLES[who])
        assert refused.value.command == command
        assert len(app.events_since(0, 10_000)) == before


def test_a_host_changes_who_may_do_what() -> None:
    """A host policy that lets only staff withdraw refuses the customer's own withdrawal."""
    policy = COMPLAINT_PERMISSIONS.with_grants(withdraw=[ActorRole.STAFF])
    app, _, _ = make_app(cases={"complaint": CaseSettings(permissions=policy)})
    cid = opened(app)
    with pytest.raises(PermissionDenied, match="only staff"):
        app.complaints.withdraw(cid, by=OWNER, reason="changed my mind")
    assert isinstance(policy, PermissionPolicy)


def test_a_customer_cannot_add_information_to_someone_elses_complaint() -> None:
    """The reported bug: another customer adding information is refused."""
    app, _, _ = make_app()
    cid = _awaiting(app)
    with pytest.raises(PermissionDenied, match="own cases"):
        app.complaints.provide_information(cid, by=Actor.customer("mallory"), summary="hi")
    assert app.complaints.get(cid).status == "awaiting_customer"


def test_a_customer_cannot_resolve_their_own_complaint() -> None:
    """The reported bug: resolving is staff's."""
    app, _, _ = make_app()
    cid = investigating(app)
    with pytest.raises(PermissionDenied):
        app.complaints.resolve(cid, by=OWNER, outcome="upheld", explanation=EXPLANATION)
