"""A dispute that ends is followed up, as a resolved complaint is, when the policy says so."""

from __future__ import annotations

from tests.disputes_fixtures import CUSTOMER, make_app, new_dispute
from walletcare.config import CaseSettings, FollowupPolicy
from walletcare.domain.followups import FollowupStatus


def _followed(follow: bool):  # type: ignore[no-untyped-def]
    return make_app(
        cases={"followup": CaseSettings(policy=FollowupPolicy(follow_closed_disputes=follow))}
    )


def test_a_withdrawn_dispute_gets_one_follow_up_from_the_dispute_itself() -> None:
    """Withdrawing commits ``dispute.closed``; the follow-up is scheduled from it once, to the
    dispute's customer on the dispute's contact, and catching up again adds nothing."""
    app, _, _ = _followed(True)
    app.disputes.open("dsp-1", new_dispute(), by=CUSTOMER)
    assert app.followups.cases.list() == []
    app.disputes.withdraw("dsp-1", by=CUSTOMER, reason="the parcel came")
    (row,) = app.followups.cases.list()
    assert row.stream_id == "fu:dispute_closed:dsp-1"
    fu = app.followups.get(row.stream_id)
    assert (fu.customer_id, fu.source_id, fu.status) == ("cust-1", "dsp-1", FollowupStatus.SCHEDULED)
    assert (fu.contact.channel, fu.contact.address) == ("sms", "+4915100000000")
    app.followups.catch_up()
    assert len(app.followups.cases.list()) == 1


def test_without_the_policy_switch_a_dispute_is_not_followed_up_but_can_be_by_hand() -> None:
    """Off by default: nothing is scheduled; ``after_dispute_ended`` follows it up on demand."""
    app, _, _ = _followed(False)
    app.disputes.open("dsp-1", new_dispute(), by=CUSTOMER)
    app.disputes.withdraw("dsp-1", by=CUSTOMER, reason="the parcel came")
    app.followups.catch_up()
    assert app.followups.cases.list() == []
    assert app.followups.after_dispute_ended("dsp-1").id == "fu:dispute_closed:dsp-1"
