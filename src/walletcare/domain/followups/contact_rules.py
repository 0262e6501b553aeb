"""The contact rules, as pure functions of (ledger, now, profile): may we contact now, or when?

Checked across all of a customer's cases, before anything is queued: opt-out and consent per
purpose, quiet hours in the recipient's zone, the cool-down after a conversation, and the
cap over a rolling window. A refusal says why, and when (if ever) a contact may be made.
"""

from __future__ import annotations

from datetime import datetime

from attrs import frozen

from walletcare.domain.followups.ledger import ContactLedger
from walletcare.domain.followups.profiles import ContactProfile
from walletcare.domain.followups.values import Purpose

__all__ = ["Verdict", "check_contact", "capped_contacts"]


@frozen(kw_only=True)
class Verdict:
    """Whether a contact may be made now; if not, why, and the earliest time worth retrying
    (None: not until the customer changes their mind)."""

    allowed: bool
    reason: str = ""
    retry_at: datetime | None = None


ALLOWED = Verdict(allowed=True)


def capped_contacts(ledger: ContactLedger, profile: ContactProfile) -> dict[str, datetime]:
    """When each follow-up of a capped purpose was first contacted, by follow-up id.

    A fallback to another channel is the same follow-up: it counts once.
    """
    first: dict[str, datetime] = {}
    for c in ledger.contacts:
        if c.purpose in profile.capped and c.followup_id not in first:
            first[c.followup_id] = c.at
    return first


def check_contact(  # noqa: PLR0911 (one return per rule, in the order they apply)
    ledger: ContactLedger,
    *,
    followup_id: str,
    purpose: Purpose,
    at: datetime,
    zone: str,
    profile: ContactProfile,
) -> Verdict:
    """May ``followup_id`` contact the customer for ``purpose`` at ``at``? Pure."""
    consent = ledger.consent(purpose)
    if consent is not None and not consent.granted:
        return Verdict(
            allowed=False,
            reason=f"opted out of {purpose.value} at {consent.at.isoformat()} ({consent.source})",
        )
    if purpose in profile.consent_first and consent is None:
        return Verdict(
            allowed=False, reason=f"{profile.name}: no consent for {purpose.value} contacts"
        )
    window = profile.window
    if not window.is_open(at, zone):
        return Verdict(
            allowed=False,
            reason=(
                f"{profile.name}: quiet hours in {zone} "
                f"(contacts {profile.opens:%H:%M}-{profile.closes:%H:%M} local)"
            ),
            retry_at=window.next_open(at, zone),
        )
    if purpose not in profile.capped:
        return ALLOWED
    first = capped_contacts(ledger, profile)
    if followup_id in first:
        return ALLOWED  # a fallback of a contact already counted
    if profile.cooldown and ledger.conversations:
        until = max(ledger.conversations) + profile.cooldown
        if at < until:
            return Verdict(
                allowed=False,
                reason=f"{profile.name}: cool-down after a conversation until {until.isoformat()}",
                retry_at=until,
            )
    if profile.max_contacts:
        recent = sorted(t for t in first.values() if t > at - profile.per)
        if len(recent) >= profile.max_contacts:
            frees_at = recent[len(recent) - profile.max_contacts] + profile.per
            return Verdict(
                allowed=False,
                reason=(
                    f"{profile.name}: cap of {profile.max_contacts} follow-ups in "
                    f"{profile.per} reached"
                ),
                retry_at=frees_at,
            )
    return ALLOWED
