"""Spotting staff-written text that looks like phishing: asking for secrets, or foreign links.

Fake "support" messages are a known route to stolen accounts, so a genuine message must
never ask for a password, a one-time or SMS code, a PIN or a full card number, and never
link anywhere but the host's own domains. Sentences that *deny* asking ("we will never ask
for your PIN", "请勿向任何人透露验证码") are not requests and pass.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["phishing_reasons", "foreign_links", "SECRET_REQUEST_EN", "SECRET_REQUEST_ZH"]

_SECRET_EN = (
    r"(?:pass ?word|passcode|pin(?: code| number)?|otp|one[- ]time (?:pass ?)?code|"
    r"one[- ]time password|sms code|text(?:ed)? code|verification code|security code|"
    r"auth(?:entication|orization)? code|2fa code|cvv2?|cvc2?|card verification (?:value|code)|"
    r"(?:full|complete|whole|entire) card number|(?:full|complete) (?:16|sixteen)[- ]digit)"
)
_ASK_EN = (
    r"(?:send|give|tell|share|provide|confirm|reply with|respond with|enter|type|"
    r"read (?:out|back)|need|require|let us (?:have|know)|forward|submit|text us|email us|"
    r"what is|what's|verify)"
)
SECRET_REQUEST_EN = re.compile(rf"\b{_ASK_EN}\b[^.!?\n]{{0,40}}?\b{_SECRET_EN}\b", re.IGNORECASE)
"""An English request for a secret: a verb of asking, then the secret within the sentence."""

_SECRET_ZH = (
    r"(?:密码|验证码|校验码|动态码|动态口令|短信码|短信验证码|一次性密码|PIN码?|CVV2?|CVC|"
    r"安全码|完整(?:的)?(?:银行)?卡号|(?:银行)?卡号全部|全部卡号|卡片背面.{0,4}(?:三位|3位)数)"
)
_ASK_ZH = r"(?:提供|告诉|告知|发送|发给|发来|回复|输入|提交|报一下|报给|说出|念出|确认一下|给我们|填写|转发)"
SECRET_REQUEST_ZH = re.compile(rf"{_ASK_ZH}[^。！？\n]{{0,20}}?{_SECRET_ZH}", re.IGNORECASE)
"""A Chinese request for a secret: a verb of asking, then the secret within the sentence."""
SECRET_HANDOVER_ZH = re.compile(
    rf"把[^。！？\n]{{0,10}}?{_SECRET_ZH}[^。！？\n]{{0,10}}?(?:发|告诉|告知|提供|给|报|输入)",
    re.IGNORECASE,
)
"""A Chinese request in the 把 form: "把验证码发给我们" (hand the secret over)."""

_DENIAL = re.compile(
    r"(?:never|not|n't|no one|nobody|do not|don't|won't|will not|refuse|avoid|"
    r"绝不|不会|请勿|切勿|不要|勿|不得|决不|从不|谨防|警惕)",
    re.IGNORECASE,
)
_URL = re.compile(
    r"(?:(?:https?|hxxps?)://|www\.)[^\s<>\"'，。）)]+|"
    r"(?<![@\w.-])(?:[a-z0-9-]+\.)+(?:com|net|org|io|cn|co|info|xyz|top|app|link|me|cc|ru|uk|de|eu)"
    r"(?:/[^\s<>\"'，。）)]*)?(?![\w.-])",
    re.IGNORECASE,
)


def _host(url: str) -> str:
    host = re.sub(r"^(?:https?|hxxps?)://", "", url, flags=re.IGNORECASE)
    host = re.split(r"[/?#:]", host, maxsplit=1)[0]
    return host.lower().rstrip(".")


def foreign_links(text: str, allowed: Iterable[str]) -> list[str]:
    """The links in ``text`` whose host is not one of ``allowed`` nor a subdomain of one."""
    domains = tuple(d.lower().lstrip(".") for d in allowed)
    foreign = []
    for m in _URL.finditer(text):
        host = _host(m.group())
        if not any(host == d or host.endswith("." + d) for d in domains):
            foreign.append(m.group())
    return foreign


def _requests(pattern: re.Pattern[str], text: str) -> list[str]:
    found = []
    for m in pattern.finditer(text):
        # A denial just before the request in the same sentence ("we will never ask you to
        # send your PIN") makes it a warning, not a request.
        before = re.split(r"[.!?。！？\n]", text[max(0, m.start() - 30) : m.start()])[-1]
        if _DENIAL.search(before) or _DENIAL.search(m.group()):
            continue
        found.append(m.group())
    return found


def phishing_reasons(text: str, allowed_domains: Iterable[str]) -> list[str]:
    """Why ``text`` looks like phishing (empty if it does not), each reason quoting the text."""
    reasons = [
        f"asks for a secret: {found!r}"
        for pattern in (SECRET_REQUEST_EN, SECRET_REQUEST_ZH, SECRET_HANDOVER_ZH)
        for found in _requests(pattern, text)
    ]
    reasons += [
        f"links outside the allowed domains: {url!r}"
        for url in foreign_links(text, allowed_domains)
    ]
    return reasons
