"""Composing outbound messages: the catalogue, Babel formatting, masking, anti-phishing,
the verification hint, the customer's channels and quiet hours, in one place.

Every message walletcare queues is built here, so every message gets the same treatment:

- customer messages are rendered from customer templates only, in the customer's locale,
  with money and instants formatted for it and their zone; staff text in them is checked
  for phishing (refused, or held for review, by policy) and every text value masked;
  each ends with the host's verification hint; it goes on the first of the customer's
  channels a plugin serves (the rest are its fallbacks), and waits for the customer's
  daytime unless it is urgent by policy;
- staff messages are rendered from any template, with text values masked.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from attrs import frozen

from walletcare.domain.messages import (
    MessagePolicy,
    StaffText,
    mask_pii,
    phishing_reasons,
)
from walletcare.errors import ConfigurationError, UnsafeMessage
from walletcare.ports import OutboundMessage
from walletcare.services.catalogue import Catalogue
from walletcare.services.presentation import present

log = logging.getLogger("walletcare.messages")

__all__ = ["Messages", "Held", "Recipient", "HINT", "ADR_BODY", "window_data"]

HINT = "hint.verification"
"""The catalogue id of the verification hint every customer message ends with."""
OWN = frozenset({"ref", "rule", "tier", "message", "template", "notice"})
"""Values walletcare writes itself (ids, rule names, catalogue notices): never masked."""
ADR_BODY = "notice.psd2.adr_body"
"""The catalogue id of the generic ADR body named when the host configured none."""


@frozen(kw_only=True)
class Recipient:
    """Who a customer message goes to: locale tag, zone, jurisdiction, and their channels
    ``(channel, address)`` in order of preference."""

    language: str
    zone: str
    jurisdiction: str
    contacts: tuple[tuple[str, str], ...]


@frozen(kw_only=True)
class Held:
    """A customer message held for review: the message as it would have gone, and why."""

    message: OutboundMessage
    reasons: tuple[str, ...]


def window_data(policy: MessagePolicy, recipient: Recipient, template: str) -> dict[str, Any]:
    """The quiet-hours stamp a customer message carries: the delivery keeps to it."""
    if policy.may_ignore_quiet_hours(template):
        return {"urgent": True}
    window = policy.window_for(recipient.jurisdiction)
    return {
        "window": {
            "zone": recipient.zone,
            "opens": window.opens,
            "closes": window.closes,
        }
    }


class Messages:
    """Builds every outbound message of one ``Walletcare`` (see the module docstring)."""

    def __init__(
        self,
        *,
        catalogue: Catalogue,
        policy: MessagePolicy,
        channels: Callable[[], frozenset[str]],
        adr_bodies: Mapping[str, str] | None = None,
    ) -> None:
        self.catalogue = catalogue
        self.policy = policy
        self.channels = channels
        self.adr_bodies = {k.upper(): v for k, v in (adr_bodies or {}).items()}

    def notice_values_for(self, jurisdiction: str, locale: str) -> dict[str, str]:
        """What regulatory notices name: the out-of-court (ADR) body for ``jurisdiction``
        (the host's, by jurisdiction code or ``"*"``; else a generic pointer)."""
        body = self.adr_bodies.get(jurisdiction.upper()) or self.adr_bodies.get("*")
        return {"adr_body": body or self.catalogue.text(ADR_BODY, locale)}

    # -- text ------------------------------------------------------------------------------
    def vet(self, field: str, text: str) -> None:
        """Refuse staff-written ``text`` meant for many customers at once (an incident's
        update) when it asks for secrets or links outside the allowed domains: a broadcast is
        refused under either phishing policy, since holding it would hold one copy per
        customer."""
        reasons = phishing_reasons(text, self.policy.allowed_domains)
        if reasons:
            raise UnsafeMessage(field, reasons)

    def mask(self, text: str) -> str:
        """``text`` with the personal data the policy names masked."""
        return mask_pii(text, self.policy.mask)[0] if self.policy.mask else text

    def term(self, key: str, locale: str) -> str:
        """A catalogue text in ``locale``."""
        return self.catalogue.text(key, locale)

    def _values(
        self, values: Mapping[str, object], locale: str, zone: str, *, customer: bool
    ) -> tuple[dict[str, str], list[str]]:
        shown: dict[str, str] = {}
        unsafe: list[str] = []
        for name, value in values.items():
            if customer and isinstance(value, StaffText):
                found = phishing_reasons(value.text, self.policy.allowed_domains)
                unsafe += [f"{value.field}: {reason}" for reason in found]
            text = present(value, locale, zone, self.term)
            masked = isinstance(value, StaffText) or (isinstance(value, str) and name not in OWN)
            shown[name] = self.mask(text) if masked else text
        return shown, unsafe

    def render(
        self, template: str, language: str, values: Mapping[str, object]
    ) -> tuple[str, str, str]:
        """``(locale, subject, body)`` of ``template`` in a customer's language, for kinds that
        compose their own messages: values formatted and masked as in any message (the
        caller adds its own hint, channel and timing)."""
        locale = self.catalogue.locale_for(language)
        shown, _ = self._values(values, locale, "UTC", customer=False)
        subject, body = self.catalogue.render(template, locale, shown)
        return locale, subject, body

    # -- customers -------------------------------------------------------------------------
    def to_customer(
        self,
        *,
        recipient: Recipient,
        template: str,
        values: Mapping[str, object],
        message_id: str,
        stream_id: str,
        now: datetime,
        data: Mapping[str, Any],
    ) -> OutboundMessage | Held:
        """A message to a customer, or the message ``Held`` when staff text in it looks like
        phishing and the policy holds (it raises ``UnsafeMessage`` when the policy refuses)."""
        if self.catalogue.is_staff(template):
            raise ConfigurationError(
                f"{template!r} is a staff template; it is never sent to a customer"
            )
        locale = self.catalogue.locale_for(recipient.language)
        shown, unsafe = self._values(values, locale, recipient.zone, customer=True)
        if unsafe and self.policy.phishing == "refuse":
            field = unsafe[0].split(":", 1)[0]
            # The field is named once, in front; other fields' reasons keep their names.
            own = f"{field}: "
            raise UnsafeMessage(field, [r.removeprefix(own) for r in unsafe])
        subject, body = self.catalogue.render(template, locale, shown)
        body = f"{body.rstrip()}\n\n{self.term(HINT, locale)}"
        channel, address, fallback = self._route(recipient)
        stamp = window_data(self.policy, recipient, template)
        due = now
        if "window" in stamp:
            due = self.policy.window_for(recipient.jurisdiction).next_open(now, recipient.zone)
        message = OutboundMessage(
            id=message_id,
            stream_id=stream_id,
            channel=channel,
            recipient=address,
            template=template,
            subject=subject,
            body=body,
            locale=locale,
            data=json.dumps(
                {**data, **stamp, "fallback": [list(c) for c in fallback]},
                ensure_ascii=False,
            ),
            due_at=due,
        )
        return Held(message=message, reasons=tuple(unsafe)) if unsafe else message

    def _route(self, recipient: Recipient) -> tuple[str, str, tuple[tuple[str, str], ...]]:
        """The first of the customer's channels a plugin serves, and the served ones after it.

        When no plugin serves any of them the message is queued on the first anyway: it
        dead-letters there (parked, not dropped) and its case records it as undelivered.
        """
        served = self.channels()
        usable = tuple(c for c in recipient.contacts if c[0] in served)
        if not usable:
            log.warning(
                "no registered plugin serves the customer's channels (%s)",
                ", ".join(c[0] for c in recipient.contacts),
            )
            usable = recipient.contacts[:1]
        (channel, address), *rest = usable
        return channel, address, tuple(rest)

    # -- staff -----------------------------------------------------------------------------
    def to_staff(
        self,
        *,
        role: str,
        channel: str,
        template: str,
        values: Mapping[str, object],
        message_id: str,
        stream_id: str,
        now: datetime,
        data: Mapping[str, Any],
        zone: str = "UTC",
    ) -> OutboundMessage:
        """An alert to the staff ``role`` on ``channel`` (English, text values masked)."""
        shown, _ = self._values(values, "en", zone, customer=False)
        subject, body = self.catalogue.render(template, "en", shown)
        return OutboundMessage(
            id=message_id,
            stream_id=stream_id,
            channel=channel,
            recipient=f"role:{role}",
            template=template,
            subject=subject,
            body=body,
            locale="en",
            data=json.dumps({**data, "digest": True}, ensure_ascii=False),
            due_at=now,
        )
