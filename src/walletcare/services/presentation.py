"""Values shown to a customer, formatted with Babel for their locale and time zone.

Amounts use the locale's currency format (``¥17.50``, ``CN¥17.50``, ``17,50 €``); instants
are shown in the customer's zone, with the zone named, so "by 17:00" is never ambiguous.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_time, get_timezone_name
from babel.numbers import format_currency, format_decimal

from walletcare.domain.messages import StaffText, Term
from walletcare.domain.money import Money
from walletcare.errors import ConfigurationError

__all__ = ["format_money", "format_instant", "format_day", "present"]


@functools.lru_cache(maxsize=256)
def _babel(locale: str) -> Locale:
    """Babel's locale for a catalogue locale, parsed once (Babel parses a tag on every call)."""
    return Locale.parse(locale)


def format_money(amount: Money, locale: str) -> str:
    """``amount`` in the locale's currency format."""
    return format_currency(amount.amount, amount.currency, locale=_babel(locale))


def format_instant(at: datetime, locale: str, zone: str) -> str:
    """``at`` as a date and time in ``zone``, with the zone's name (``March 2, 2026, 5:00 PM
    China Standard Time``)."""
    local = at.astimezone(ZoneInfo(zone))
    babel = _babel(locale)
    name = get_timezone_name(local, width="long", locale=babel)
    day = format_date(local, "long", locale=babel)
    clock = format_time(local, "short", locale=babel)
    return f"{day} {clock} ({name})"


def format_day(day: date, locale: str) -> str:
    """A calendar day in the locale's long date format."""
    return format_date(day, "long", locale=_babel(locale))


def present(  # noqa: PLR0911 (one return per kind of value)
    value: object, locale: str, zone: str, term: Callable[[str, str], str]
) -> str:
    """One message value as text: money, instants, days, numbers and catalogue terms
    formatted for ``locale`` and ``zone``; text as it is."""
    if isinstance(value, str):
        return value
    if isinstance(value, StaffText):
        return value.text
    if isinstance(value, Term):
        return term(value.key, locale)
    if isinstance(value, Money):
        return format_money(value, locale)
    if isinstance(value, datetime):
        if value.utcoffset() is None:
            raise ConfigurationError("a message value datetime must be timezone-aware")
        return format_instant(value, locale, zone)
    if isinstance(value, date):
        return format_day(value, locale)
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return format_decimal(value, locale=_babel(locale))
    raise ConfigurationError(
        f"a message value must be text, Money, a datetime, a date, a number, a Term or "
        f"StaffText, got {type(value).__name__}"
    )
