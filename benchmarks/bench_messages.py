"""Customer messages: composing one against the plainest hand-written Python doing it.

(a) ``Messages.to_customer`` for N resolutions (catalogue look-up in the customer's locale,
money and the reopen date formatted with Babel, the explanation checked for phishing and
masked, the verification hint, the first served channel, the contact window) against a
hand-written function that formats the same text with ``str.format``, the same Babel calls,
``mask_pii`` and ``phishing_reasons``, and picks the same channel and due time.

Variants run interleaved, in an order rotated every round, for at least 5 rounds; the
ratio walletcare/hand-written of each round is reported as min / median / max.

Run: ``python benchmarks/bench_messages.py [messages] [rounds]``.
"""

from __future__ import annotations

import statistics
import sys
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time, get_timezone_name
from babel.numbers import format_currency

from walletcare import Money, StaffText, Term
from walletcare.domain.messages import DAYTIME, MessagePolicy, mask_pii, phishing_reasons
from walletcare.services.catalogue import Catalogue
from walletcare.services.messages import Messages, Recipient
from _timing import interleaved

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CATALOGUE = Catalogue()
POLICY = MessagePolicy()
MESSAGES = Messages(catalogue=CATALOGUE, policy=POLICY, channels=lambda: frozenset({"sms"}))
EXPLANATION = "We refunded card 4111 1111 1111 1111; call +86 138 0013 8000 with questions."


def cases(n: int) -> list[tuple[str, str, str, Money]]:
    zones = ["Asia/Shanghai", "Europe/Berlin", "America/New_York"]
    return [
        (f"cmp-{i}", "zh" if i % 2 else "en", zones[i % 3], Money.of(f"{i % 500}.50", "CNY"))
        for i in range(n)
    ]


def walletcare_compose(rows: list[tuple[str, str, str, Money]]) -> list[str]:
    out = []
    for ref, language, zone, remedy in rows:
        message = MESSAGES.to_customer(
            recipient=Recipient(
                language=language, zone=zone, jurisdiction="", contacts=(("sms", "+86"),)
            ),
            template="complaint.resolved",
            values={
                "ref": ref,
                "outcome": Term("outcome.upheld"),
                "explanation": StaffText(EXPLANATION, "explanation"),
                "remedy": remedy,
                "reopen_until": NOW + timedelta(days=14),
                "notice": "",
            },
            message_id=f"{ref}/1",
            stream_id=ref,
            now=NOW,
            data={},
        )
        out.append(message.body)  # type: ignore[union-attr]
    return out


BODY = {
    "en": CATALOGUE.text("complaint.resolved.body", "en"),
    "zh_CN": CATALOGUE.text("complaint.resolved.body", "zh_CN"),
}
WORD = {loc: CATALOGUE.text("outcome.upheld", loc) for loc in BODY}
HINT = {loc: CATALOGUE.text("hint.verification", loc) for loc in BODY}


def hand_written(rows: list[tuple[str, str, str, Money]]) -> list[str]:
    out = []
    for ref, language, zone, remedy in rows:
        locale = "zh_CN" if language == "zh" else "en"
        assert not phishing_reasons(EXPLANATION, ())
        local = (NOW + timedelta(days=14)).astimezone(ZoneInfo(zone))
        until = (
            f"{format_date(local, 'long', locale=locale)} {format_time(local, 'short', locale=locale)}"
            f" ({get_timezone_name(local, width='long', locale=locale)})"
        )
        body = BODY[locale].format(
            ref=ref,
            outcome=WORD[locale],
            explanation=mask_pii(EXPLANATION)[0],
            remedy=format_currency(remedy.amount, remedy.currency, locale=locale),
            reopen_until=until,
            notice="",
        )
        DAYTIME.next_open(NOW, zone)
        out.append(f"{body.rstrip()}\n\n{HINT[locale]}")
    return out


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2_000
    rounds = max(int(sys.argv[2]) if len(sys.argv) > 2 else 5, 5)
    rows = cases(n)
    results: dict[str, list[str]] = {}

    def wc() -> None:
        results["walletcare"] = walletcare_compose(rows)

    def plain() -> None:
        results["hand-written"] = hand_written(rows)

    times = interleaved({"walletcare": wc, "hand-written": plain}, rounds)
    assert results["walletcare"] == results["hand-written"], "the two variants disagree"
    ratios = [p / w for w, p in zip(times["walletcare"], times["hand-written"], strict=True)]
    print(f"(a) customer messages composed: {n:,} resolutions in en and zh")
    for name, secs in times.items():
        print(f"    {name:<14} {n / min(secs):14,.0f} messages/s (best of {len(secs)})")
    print(
        f"    walletcare/hand-written  min {min(ratios):.2f}  median {statistics.median(ratios):.2f}"
        f"  max {max(ratios):.2f}   (goal >= 0.7)"
    )


if __name__ == "__main__":
    main()
