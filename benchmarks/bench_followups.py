"""Follow-ups: the contact-rule check against the plainest hand-written Python doing it.

(a) ``check_contact`` for N customers, each with a ledger of K contacts, consents and a
conversation, under the ``house`` profile (quiet hours in the customer's zone, an opt-out
look-up, a cool-down, a cap of 2 in 7 days), against a hand-written function over plain
tuples doing the same checks.

Variants run interleaved, in an order rotated every round, for at least 5 rounds; the
ratio walletcare/hand-written of each round is reported as min / median / max.

Run: ``python benchmarks/bench_followups.py [customers] [contacts_each] [rounds]``.
"""

from __future__ import annotations

import random
import statistics
import sys
from datetime import UTC, datetime, time as clock_time, timedelta
from zoneinfo import ZoneInfo

from walletcare.domain.followups import HOUSE, ContactLedger, Purpose, check_contact
from walletcare.domain.followups.ledger import Consent, ContactRecord
from _timing import interleaved

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
ZONES = ["UTC", "America/New_York", "Europe/Berlin", "Asia/Shanghai", "Asia/Kolkata"]


def make_ledgers(n: int, k: int) -> list[tuple[ContactLedger, str]]:
    rng = random.Random(7)
    ledgers = []
    for c in range(n):
        contacts = tuple(
            ContactRecord(
                at=NOW - timedelta(hours=rng.randint(1, 24 * 30)),
                followup_id=f"fu-{c}-{i}",
                purpose=rng.choice([Purpose.SURVEY, Purpose.SECURITY]),
                channel="sms",
                message_id=f"m-{c}-{i}",
                attempt=1,
            )
            for i in range(k)
        )
        consents = (Consent(purpose=Purpose.MARKETING, granted=False, at=NOW - timedelta(days=3), source="app"),)
        talks = (NOW - timedelta(hours=rng.randint(1, 24 * 10)),)
        ledgers.append(
            (ContactLedger(customer_id=f"c{c}", contacts=contacts, consents=consents, conversations=talks), rng.choice(ZONES))
        )
    return ledgers


def plain_check(
    contacts: list[tuple[datetime, str, str]],
    opted_out: set[str],
    last_talk: datetime,
    purpose: str,
    at: datetime,
    zone: str,
) -> bool:
    """The same rules, hand-written over plain tuples (allowed or not, no reasons)."""
    if purpose in opted_out:
        return False
    local = at.astimezone(ZoneInfo(zone)).time()
    if not (clock_time(8) <= local < clock_time(21)):
        return False
    if purpose not in ("survey", "marketing"):
        return True
    if at < last_talk + timedelta(hours=24):
        return False
    first: dict[str, datetime] = {}
    for t, fid, p in contacts:
        if p in ("survey", "marketing") and fid not in first:
            first[fid] = t
    window_start = at - timedelta(days=7)
    return sum(1 for t in first.values() if t > window_start) < 2


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    k = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    rounds = max(int(sys.argv[3]) if len(sys.argv) > 3 else 5, 5)
    ledgers = make_ledgers(n, k)
    plain = [
        (
            [(c.at, c.followup_id, c.purpose.value) for c in ledger.contacts],
            {c.purpose.value for c in ledger.consents if not c.granted},
            max(ledger.conversations),
            zone,
        )
        for ledger, zone in ledgers
    ]
    wc_answers: list[bool] = []
    plain_answers: list[bool] = []

    def walletcare() -> None:
        wc_answers[:] = [
            check_contact(ledger, followup_id="new", purpose=Purpose.SURVEY, at=NOW, zone=zone, profile=HOUSE).allowed
            for ledger, zone in ledgers
        ]

    def hand_written() -> None:
        plain_answers[:] = [plain_check(c, o, t, "survey", NOW, z) for c, o, t, z in plain]

    times = interleaved({"walletcare": walletcare, "hand-written": hand_written}, rounds)
    assert wc_answers == plain_answers, "the two variants disagree"
    ratios = [p / w for w, p in zip(times["walletcare"], times["hand-written"], strict=True)]
    print(f"(a) contact-rule checks: {n:,} customers, {k} contacts each ({sum(wc_answers):,} allowed)")
    for name, secs in times.items():
        print(f"    {name:<14} {n / min(secs):14,.0f} checks/s (best of {len(secs)})")
    print(
        f"    walletcare/hand-written  min {min(ratios):.2f}  median {statistics.median(ratios):.2f}"
        f"  max {max(ratios):.2f}   (goal >= 0.5)"
    )


if __name__ == "__main__":
    main()
