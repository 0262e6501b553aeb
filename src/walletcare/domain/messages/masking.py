"""Finding and masking personal data in outbound text: phones, cards, resident ids, e-mail,
IBANs and account numbers.

Each kind is found by its shape and, where the shape allows one, its check digits: card
numbers by Luhn, China's 18-digit resident identity numbers by ISO 7064 MOD 11-2 and a real
birth date, IBANs by ISO 13616 MOD 97. Checks keep order numbers, amounts and dates from
being taken for personal data.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from datetime import date
from typing import Any

from attrs import frozen

__all__ = [
    "PiiKind",
    "Finding",
    "find_pii",
    "mask_pii",
    "mask_details",
    "mask_reference",
    "luhn_valid",
    "resident_id_valid",
    "iban_valid",
]


class PiiKind(enum.StrEnum):
    """The kinds of personal data the masker knows."""

    PHONE = "phone"
    CARD = "card"
    RESIDENT_ID = "resident_id"
    EMAIL = "email"
    IBAN = "iban"
    ACCOUNT = "account"


@frozen
class Finding:
    """One piece of personal data: its kind and where it is (``start``, ``end``) in the text."""

    kind: PiiKind
    start: int
    end: int


def luhn_valid(digits: str) -> bool:
    """Tell whether a string of digits passes the Luhn check (card numbers)."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def resident_id_valid(text: str) -> bool:
    """Tell whether ``text`` is a valid 18-character PRC resident identity number."""
    if len(text) != 18 or not text[:17].isdigit():
        return False
    check = text[17].upper()
    if check != _ID_CHECK[sum(int(c) * w for c, w in zip(text, _ID_WEIGHTS, strict=False)) % 11]:
        return False
    try:
        born = date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        return False
    return born.year >= 1900


def iban_valid(text: str) -> bool:
    """Tell whether ``text`` (spaces removed) is an IBAN with a correct MOD 97 check."""
    compact = text.replace(" ", "").upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}", compact):
        return False
    moved = compact[4:] + compact[:4]
    number = "".join(str(int(ch, 36)) for ch in moved)
    return int(number) % 97 == 1


_EMAIL = re.compile(r"(?<![A-Za-z0-9_.+-])[A-Za-z0-9_.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_IBAN = re.compile(
    r"(?:(?<![A-Za-z0-9])|(?<=IBAN))[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?(?![A-Za-z0-9])"
)
_RESIDENT_ID = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_CARD = re.compile(r"(?<![A-Za-z0-9_+-])\d(?:[ -]?\d){12,18}(?![A-Za-z0-9_-])")
_ACCOUNT_NAMED = re.compile(
    r"(?:account|acct|a/c|账号|账户|帐号|帐户|户号)(?:\s*(?:no\.?|number|#|号码|号))?"
    r"\s*[:：#]?\s*(\d(?:[ -]?\d){5,33})(?![\d])",
    re.IGNORECASE,
)
# Digits inside a token (a hex id, cmp_8029...) are part of a reference, not an account.
_LONG_DIGITS = re.compile(r"(?<![A-Za-z0-9_.,-])\d{12,34}(?![A-Za-z0-9_.,-])")
_PHONE = re.compile(
    r"(?<![A-Za-z0-9_+:-])(?<!\d[.,])(?:\+\d{1,3}[ .-]?)?(?:\(\d{1,4}\)[ .-]?)?\d{2,4}(?:[ .-]?\d{2,4}){1,4}"
    r"(?![A-Za-z0-9_:%]|[.,]\d)"
)
_CN_MOBILE = re.compile(r"1[3-9]\d{9}")
_THOUSANDS = re.compile(r"\d{1,3}(?:[ ,.]\d{3})+")
_DATE_LIKE = re.compile(r"\d{4}[-.]\d{1,2}[-.]\d{1,2}|\d{1,2}[.]\d{1,2}[.]\d{2,4}")


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def _is_phone(found: str) -> bool:
    digits = _digits(found)
    if not 7 <= len(digits) <= 15 or _DATE_LIKE.match(found) or _THOUSANDS.fullmatch(found):
        return False
    if found.startswith(("+", "(")):
        return True
    if _CN_MOBILE.fullmatch(digits):
        return True
    # A local number written with separators (020-7946 0958, 415 555 0100): at least
    # eight digits in groups; a bare run of digits is an order or reference number.
    return len(digits) >= 8 and found != digits


def find_pii(text: str, kinds: Iterable[PiiKind] = tuple(PiiKind)) -> list[Finding]:
    """Every piece of personal data of ``kinds`` in ``text``, in order, never overlapping."""
    wanted = frozenset(kinds)
    found: list[Finding] = []
    taken: list[tuple[int, int]] = []

    def claim(kind: PiiKind, start: int, end: int) -> None:
        if any(start < e and s < end for s, e in taken):
            return
        taken.append((start, end))
        if kind in wanted:
            found.append(Finding(kind, start, end))

    for m in _EMAIL.finditer(text):
        claim(PiiKind.EMAIL, m.start(), m.end())
    for m in _IBAN.finditer(text):
        if iban_valid(m.group()):
            claim(PiiKind.IBAN, m.start(), m.end())
    for m in _RESIDENT_ID.finditer(text):
        if resident_id_valid(m.group()):
            claim(PiiKind.RESIDENT_ID, m.start(), m.end())
    for m in _CARD.finditer(text):
        digits = _digits(m.group())
        if 13 <= len(digits) <= 19 and luhn_valid(digits):
            claim(PiiKind.CARD, m.start(), m.end())
    for m in _ACCOUNT_NAMED.finditer(text):
        claim(PiiKind.ACCOUNT, m.start(1), m.end(1))
    for m in _PHONE.finditer(text):
        if _is_phone(m.group()):
            claim(PiiKind.PHONE, m.start(), m.end())
    for m in _LONG_DIGITS.finditer(text):
        claim(PiiKind.ACCOUNT, m.start(), m.end())
    found.sort(key=lambda f: f.start)
    return found


def _masked(kind: PiiKind, value: str) -> str:
    if kind is PiiKind.EMAIL:
        local, _, domain = value.partition("@")
        return f"{local[:1]}***@{domain}"
    if kind is PiiKind.IBAN:
        compact = value.replace(" ", "")
        return f"{compact[:2]}** **** {compact[-4:]}"
    keep = 4
    digits = "".join(ch for ch in value if ch.isalnum())
    return "*" * max(len(digits) - keep, 3) + digits[-keep:]


def mask_pii(
    text: str, kinds: Iterable[PiiKind] = tuple(PiiKind)
) -> tuple[str, tuple[PiiKind, ...]]:
    """``text`` with the personal data of ``kinds`` masked (the last digits kept), and the
    kinds masked, in order."""
    findings = find_pii(text, kinds)
    if not findings:
        return text, ()
    parts: list[str] = []
    last = 0
    for f in findings:
        parts.append(text[last : f.start])
        parts.append(_masked(f.kind, text[f.start : f.end]))
        last = f.end
    parts.append(text[last:])
    return "".join(parts), tuple(f.kind for f in findings)


def mask_details(value: object, kinds: Iterable[PiiKind] = tuple(PiiKind)) -> Any:
    """Every text in an event's details (nested dicts and lists) with personal data masked,
    for audit lines; ids (``id``, ``*_id``) are references, not personal data, and stay."""
    wanted = tuple(kinds)
    if isinstance(value, str):
        return mask_pii(value, wanted)[0]
    if isinstance(value, dict):
        return {
            k: v if k == "id" or str(k).endswith("_id") else mask_details(v, wanted)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [mask_details(v, wanted) for v in value]
    return value


def mask_reference(reference: str, shown: int = 4) -> str:
    """``reference`` (an account or transaction id) shown by its last ``shown`` characters
    only, behind four ``*`` so its length is not told either."""
    if len(reference) <= shown:
        return "*" * len(reference)
    return "*" * 4 + reference[-shown:]
