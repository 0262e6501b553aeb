"""Settings: where cases are stored, in which zone, and how hard delivery is retried."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from attrs import field, frozen

from walletcare.domain.fees.remediation import RemediationPolicy
from walletcare.domain.fieldtypes import as_map, check_fields
from walletcare.domain.frozenmap import FrozenMap
from walletcare.domain.messages import MessagePolicy
from walletcare.domain.oversight import CaseSettings
from walletcare.domain.regulatory import Regulation
from walletcare.errors import ValidationError

__all__ = ["Settings", "RetryPolicy", "MessageSettings", "DEFAULT_STORAGE_URL"]

DEFAULT_STORAGE_URL = "sqlite:///walletcare.db"
MAX_ATTEMPTS = 1000
"""The most tries a retry policy may make before a message is dead-lettered."""


def _positive_delta(_: object, attribute: Any, value: Any) -> None:
    name = getattr(attribute, "name", "value")
    if not isinstance(value, timedelta) or value <= timedelta(0):
        raise ValidationError.of(name, f"must be a positive timedelta, got {value!r}")


def _positive_int(_: object, attribute: Any, value: Any) -> None:
    name = getattr(attribute, "name", "value")
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValidationError.of(name, f"must be a positive int, got {value!r}")


def _zone(_: object, __: object, value: Any) -> None:
    try:
        ZoneInfo(str(value))
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError.of("zone", f"{value!r} is not an IANA time zone") from None


def _storage_url(_: object, __: object, value: Any) -> None:
    if not isinstance(value, str) or "://" not in value:
        raise ValidationError.of("storage_url", f"must look like 'scheme://...', got {value!r}")


def _cases(value: Any) -> FrozenMap[str, CaseSettings]:
    cases = as_map(value)
    if not isinstance(cases, FrozenMap):
        raise ValidationError.of("cases", f"must be a mapping, got {type(value).__name__}")
    for name, chosen in cases.items():
        if not isinstance(chosen, CaseSettings):
            raise ValidationError.of(
                f"cases.{name}", f"must be a CaseSettings, got {type(chosen).__name__}"
            )
    return cases


def _remediation(_: object, __: object, value: Any) -> None:
    if not isinstance(value, RemediationPolicy):
        raise ValidationError.of(
            "fee_remediation", f"must be a RemediationPolicy, got {type(value).__name__}"
        )


def _directories(value: Any) -> tuple[str, ...]:
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise ValidationError.of("catalogues", "must be a list of directories, not one string")
    found = tuple(str(v) for v in value)
    for i, d in enumerate(found):
        if not d.strip():
            raise ValidationError.of(f"catalogues[{i}]", "must name a directory")
    return found


def _adr_bodies(value: Any) -> FrozenMap[str, str]:
    bodies = as_map(value)
    if not isinstance(bodies, FrozenMap):
        raise ValidationError.of("adr_bodies", f"must be a mapping, got {type(value).__name__}")
    for code, name in bodies.items():
        if not isinstance(code, str) or not isinstance(name, str) or not name.strip():
            raise ValidationError.of(
                f"adr_bodies.{code}", "must map a jurisdiction code (or '*') to a body's name"
            )
    return bodies


def _policy(_: object, __: object, value: Any) -> None:
    if not isinstance(value, MessagePolicy):
        raise ValidationError.of("policy", f"must be a MessagePolicy, got {type(value).__name__}")


@frozen(kw_only=True)
class MessageSettings:
    """Messages: the host's catalogue directories, the outbound policy and the ADR bodies.

    ``catalogues``: directories laid out like walletcare's own
    (``<locale>/LC_MESSAGES/walletcare.po`` or ``.mo``); their texts override walletcare's
    and add locales (a later directory overrides an earlier one). ``adr_bodies``: the
    out-of-court body the PSD2 final response names, by jurisdiction code (``"*"``: any).
    """

    catalogues: tuple[str, ...] = field(default=(), converter=_directories)
    policy: MessagePolicy = field(factory=MessagePolicy, validator=_policy)
    adr_bodies: FrozenMap[str, str] = field(factory=FrozenMap, converter=_adr_bodies)


def _messages(_: object, __: object, value: Any) -> None:
    if not isinstance(value, MessageSettings):
        raise ValidationError.of(
            "messages", f"must be a MessageSettings, got {type(value).__name__}"
        )


@frozen(kw_only=True)
class RetryPolicy:
    """Outbox retries: exponential backoff from ``first_delay``, capped, then a dead letter."""

    max_attempts: int = field(default=8, validator=_positive_int)
    first_delay: timedelta = field(default=timedelta(seconds=30), validator=_positive_delta)
    factor: int = field(default=2, validator=_positive_int)
    max_delay: timedelta = field(default=timedelta(hours=1), validator=_positive_delta)

    def __attrs_post_init__(self) -> None:
        check_fields(self)
        if self.max_attempts > MAX_ATTEMPTS:
            raise ValidationError.of(
                "max_attempts", f"must be at most {MAX_ATTEMPTS}, got {self.max_attempts}"
            )
        if self.max_delay < self.first_delay:
            raise ValidationError.of("max_delay", "must not be shorter than first_delay")

    def delay_after(self, attempts: int) -> timedelta:
        """The wait before the next try once ``attempts`` tries have failed."""
        delay = self.first_delay
        # Capped step by step: first_delay * factor ** n overflows timedelta for large n.
        for _ in range(max(attempts - 1, 0)):
            if delay >= self.max_delay:
                break
            delay = min(delay * self.factor, self.max_delay)
        return min(delay, self.max_delay)


@frozen(kw_only=True)
class Settings:
    """Everything a ``Walletcare`` needs to know that is not code.

    ``cases`` configures each kind of case by its name (``"complaint"``: a ``CaseSettings``
    with a ``ComplaintPolicy`` and an ``Oversight``); a kind not named uses its defaults.
    ``fee_remediation`` says what a fee audit's overcharges lead to; ``messages``: the
    host's catalogues, the outbound message policy and the ADR bodies. ``regulation`` says
    which regulatory profile applies where, for every kind: the built-in profiles and
    jurisdictions plus the host's own (``Regulation``). ``upcasters`` maps
    ``(event kind, from_version)`` to a function that lifts a stored
    event's data one schema version.
    """

    storage_url: str = field(default=DEFAULT_STORAGE_URL, validator=_storage_url)
    zone: str = field(default="UTC", validator=_zone)
    retry: RetryPolicy = field(factory=RetryPolicy)
    delivery_timeout: timedelta = field(default=timedelta(seconds=30), validator=_positive_delta)
    claim_lease: timedelta = field(default=timedelta(minutes=5), validator=_positive_delta)
    tick_batch: int = field(default=500, validator=_positive_int)
    command_retries: int = field(default=10, validator=_positive_int)
    load_entry_points: bool = True
    cases: FrozenMap[str, CaseSettings] = field(factory=FrozenMap, converter=_cases)
    regulation: Regulation = field(factory=Regulation)
    upcasters: FrozenMap[tuple[str, int], Callable[[dict[str, Any]], dict[str, Any]]] = field(
        factory=FrozenMap, converter=as_map
    )
    fee_remediation: RemediationPolicy = field(factory=RemediationPolicy, validator=_remediation)
    messages: MessageSettings = field(factory=MessageSettings, validator=_messages)

    def __attrs_post_init__(self) -> None:
        check_fields(self)
        # A claim that ran out while a slow channel was still sending would let a second
        # worker send the same message: the lease must outlast the delivery timeout.
        if self.claim_lease <= self.delivery_timeout:
            raise ValidationError.of(
                "claim_lease", "must be longer than delivery_timeout, so a claim outlives a send"
            )
