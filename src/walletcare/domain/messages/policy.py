"""The host's outbound message policy: masking, anti-phishing, quiet hours and urgency."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import Any

from attrs import field, frozen

from walletcare.domain.frozenmap import FrozenMap, frozen_map
from walletcare.domain.messages.masking import PiiKind
from walletcare.domain.messages.quiet_hours import DAYTIME, ContactWindow
from walletcare.errors import ValidationError

__all__ = ["PhishingAction", "MessagePolicy"]


class PhishingAction(enum.StrEnum):
    """What happens to staff text that looks like phishing: refused, or held for review."""

    REFUSE = "refuse"
    HOLD = "hold"


def _kinds(value: Any) -> frozenset[PiiKind]:
    if isinstance(value, str | bytes):
        raise ValidationError.of("mask", "must be a collection of PiiKind, not a string")
    try:
        return frozenset(PiiKind(v) for v in value)
    except (TypeError, ValueError):
        known = ", ".join(k.value for k in PiiKind)
        raise ValidationError.of("mask", f"{value!r} is not a collection of: {known}") from None


def _domains(value: Any) -> tuple[str, ...]:
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise ValidationError.of("allowed_domains", "must be a list of domains, not a string")
    domains = tuple(value)
    for i, d in enumerate(domains):
        if not isinstance(d, str) or not d.strip() or "/" in d or " " in d.strip():
            raise ValidationError.of(f"allowed_domains[{i}]", f"{d!r} is not a domain name")
    return tuple(d.strip().lower() for d in domains)


def _windows(value: Any) -> FrozenMap[str, ContactWindow]:
    windows = frozen_map(value)
    for code, window in windows.items():
        if not isinstance(code, str) or not isinstance(window, ContactWindow):
            raise ValidationError.of(
                f"contact_windows.{code}", "must map a jurisdiction code to a ContactWindow"
            )
    return FrozenMap({code.upper(): w for code, w in windows.items()})


def _names(value: Any) -> frozenset[str]:
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise ValidationError.of("urgent_templates", "must be a collection of template names")
    try:
        names = frozenset(value)
    except TypeError:
        raise ValidationError.of("urgent_templates", "template names are text") from None
    for name in names:
        if not isinstance(name, str) or not name.strip():
            raise ValidationError.of("urgent_templates", f"{name!r} is not a template name")
    return names


def _phishing(value: Any) -> PhishingAction:
    try:
        return PhishingAction(value)
    except ValueError:
        choices = ", ".join(a.value for a in PhishingAction)
        raise ValidationError.of("phishing", f"{value!r} is not one of {choices}") from None


@frozen(kw_only=True)
class MessagePolicy:
    """How walletcare keeps outbound messages safe and polite.

    - ``mask``: the kinds of personal data masked in every message (all kinds by default);
      ``mask_audit``: mask them in audit lines (``history``) too.
    - ``allowed_domains``: the only domains staff text may link to; ``phishing``: what
      happens to staff text that asks for secrets or links elsewhere (refuse, or hold for
      review by ``review_role`` on ``review_channel``).
    - ``contact_window`` and ``contact_windows`` (by jurisdiction code): when, in the
      customer's local time, a non-urgent customer message may leave.
    - ``urgent_templates``: templates that are urgent security messages; they leave at
      night too when ``urgent_ignores_quiet_hours``.
    """

    mask: frozenset[PiiKind] = field(factory=lambda: frozenset(PiiKind), converter=_kinds)
    mask_audit: bool = True
    allowed_domains: tuple[str, ...] = field(default=(), converter=_domains)
    phishing: PhishingAction = field(default=PhishingAction.REFUSE, converter=_phishing)
    review_role: str = "complaints_officer"
    review_channel: str = "staff"
    contact_window: ContactWindow = DAYTIME
    contact_windows: FrozenMap[str, ContactWindow] = field(factory=FrozenMap, converter=_windows)
    urgent_templates: frozenset[str] = field(factory=frozenset, converter=_names)
    urgent_ignores_quiet_hours: bool = True

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.contact_window, ContactWindow):
            raise ValidationError.of("contact_window", "must be a ContactWindow")
        for flag in ("mask_audit", "urgent_ignores_quiet_hours"):
            if not isinstance(getattr(self, flag), bool):
                raise ValidationError.of(flag, "must be True or False")
        for name in ("review_role", "review_channel"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise ValidationError.of(name, "must be a non-empty string")

    def window_for(self, jurisdiction: str) -> ContactWindow:
        """The contact window for a customer in ``jurisdiction`` (the default if not named)."""
        return self.contact_windows.get(jurisdiction.upper(), self.contact_window)

    def may_ignore_quiet_hours(self, template: str) -> bool:
        """Tell whether a message from ``template`` may leave outside the contact window."""
        return self.urgent_ignores_quiet_hours and template in self.urgent_templates
