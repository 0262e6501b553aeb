"""walletcare follow-up: a satisfaction survey after a resolved complaint, on the customer's
terms (push first, SMS if push fails, never at night), and a detractor reopening the case.

Run it from any directory; it keeps its cases in ``walletcare.db`` there.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from walletcare import (
    Actor,
    ContactPoint,
    DeliveryFailed,
    DeliveryReceipt,
    NewComplaint,
    OutboundMessage,
    Settings,
    Walletcare,
    hookimpl,
)
from walletcare.config import CaseSettings, FollowupPolicy
from walletcare.testing import FixedClock


class Gateways:
    """Stand-in channels: push is down today, SMS prints. Real hosts plug in their gateways."""

    @hookimpl
    def walletcare_channels(self) -> list[str]:
        return ["push", "sms"]

    @hookimpl
    def walletcare_deliver(self, message: OutboundMessage) -> DeliveryReceipt | None:
        if message.channel == "push":
            raise DeliveryFailed("push service unavailable")
        if message.channel != "sms":
            return None
        print(f"  [{message.channel} to {message.recipient} at {message.due_at:%H:%M} UTC]")
        print(f"  {message.body}")
        return DeliveryReceipt(message_id=message.id, channel=message.channel)


def main() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    clock = FixedClock(datetime(2026, 3, 2, 22, 30, tzinfo=berlin))  # resolved late at night
    policy = FollowupPolicy(follow_resolved_complaints=True)
    with Walletcare(
        Settings(storage_url="sqlite:///walletcare.db",
                 cases={"followup": CaseSettings(policy=policy)}),
        plugins=[Gateways()],
        clock=clock,
    ) as app:
        app.followups.prefer_channels("cust-42", [
            ContactPoint(channel="push", address="device-42"),
            ContactPoint(channel="sms", address="+4915100000042"),
        ])
        receipt = app.complaints.open(NewComplaint(
            customer_id="cust-42", category="service", channel="chat",
            description="Nobody answered my chat for two days.",
            occurred_at=clock.now() - timedelta(days=3),
            contact=ContactPoint(channel="sms", address="+4915100000042"),
            customer_zone="Europe/Berlin", jurisdiction="DE",
        ))
        staff = Actor.staff("agent-7")
        app.complaints.acknowledge(receipt.complaint_id, by=staff)
        app.complaints.resolve(receipt.complaint_id, by=staff, outcome="upheld",
                               explanation="We have added evening chat staff.")
        survey_id = f"fu:complaint_resolved:{receipt.complaint_id}"
        print("Resolved at 22:30 Berlin time; the survey is due 24 hours later, at night.")

        for _ in range(4 * 40):  # a scheduler ticking every 15 minutes, for 40 hours
            clock.advance(timedelta(minutes=15))
            app.tick()
        survey = app.followups.get(survey_id)
        for attempt in survey.attempts:
            local = attempt.at.astimezone(berlin)
            print(f"attempt {attempt.number}: {attempt.channel} at {local:%a %H:%M} Berlin"
                  + (f", failed: {attempt.failed}" if attempt.failed else ""))
        assert [a.channel for a in survey.attempts] == ["push", "sms"]
        assert all(8 <= a.at.astimezone(berlin).hour < 21 for a in survey.attempts)

        answered = app.followups.reply(survey_id, text="1", channel="sms")
        print(f"answer {answered.score}/5 -> {answered.actions}")
        complaint = app.complaints.get(receipt.complaint_id)
        print(f"complaint {complaint.id} is {complaint.status.value} again")
        assert complaint.is_open
        print("CSAT this period:", app.followups.survey_results().csat, "%")


if __name__ == "__main__":
    main()
