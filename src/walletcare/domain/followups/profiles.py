"""Contact profiles: the rules a jurisdiction (or the house) sets for contacting a customer.

Shipped as data, each with its sources; a host keeps its own beside them.
"""

from __future__ import annotations

from datetime import time, timedelta

from attrs import field, frozen

from walletcare.domain.fieldtypes import check_fields
from walletcare.domain.followups.values import DEFAULT_TRIGGERS, Purpose, TriggerKind, TriggerPolicy
from walletcare.domain.frozenmap import FrozenMap, frozen_map
from walletcare.domain.messages.quiet_hours import ContactWindow
from walletcare.errors import ValidationError

__all__ = [
    "FollowupPolicy",
    "EU_STATES",
    "ContactProfile",
    "HOUSE",
    "US_TCPA",
    "US_REG_F",
    "EU_GDPR",
    "CN_SMS",
    "PROFILES",
]


def _purposes(value: object) -> frozenset[Purpose]:
    try:
        return frozenset(Purpose(p) for p in value)  # type: ignore[attr-defined]
    except (TypeError, ValueError):
        raise ValidationError.of("purposes", f"{value!r} are not purposes") from None


@frozen(kw_only=True)
class ContactProfile:
    """When, how often and on what terms a customer may be contacted.

    - ``opens`` / ``closes``: the allowed window on the recipient's local clock; outside it
      are quiet hours, for every purpose.
    - ``max_contacts`` per rolling ``per``, and ``cooldown`` after a conversation, count the
      follow-ups of the ``capped`` purposes across all of the customer's cases (0: no cap).
    - ``consent_first``: purposes that need the customer's consent before any contact;
      every other purpose may be used until the customer opts out.
    - ``opt_out_every_message``: every message says how to opt out; ``opt_out_keywords``
      are the replies that opt out (case-insensitive).
    - ``sources``: where the numbers come from.
    """

    name: str
    opens: time = time(8, 0)
    closes: time = time(21, 0)
    max_contacts: int = 0
    per: timedelta = timedelta(days=7)
    cooldown: timedelta = timedelta(0)
    capped: frozenset[Purpose] = field(
        default=frozenset({Purpose.SURVEY, Purpose.MARKETING}), converter=_purposes
    )
    consent_first: frozenset[Purpose] = field(default=frozenset(), converter=_purposes)
    opt_out_every_message: bool = True
    opt_out_keywords: tuple[str, ...] = ("STOP",)
    sources: tuple[str, ...] = ()

    def __attrs_post_init__(self) -> None:
        check_fields(self)
        if not self.name.isidentifier():
            raise ValidationError.of("name", f"a profile name is an identifier, got {self.name!r}")
        if self.opens == self.closes:
            raise ValidationError.of("closes", "the contact window must not be empty")
        if self.max_contacts < 0:
            raise ValidationError.of("max_contacts", "must be 0 (no cap) or more")
        if self.per <= timedelta(0) or self.cooldown < timedelta(0):
            raise ValidationError.of("per", "the cap window is positive, the cool-down >= 0")
        if not self.opt_out_keywords or any(not k.strip() for k in self.opt_out_keywords):
            raise ValidationError.of("opt_out_keywords", "name at least one non-blank reply")

    @property
    def window(self) -> ContactWindow:
        """``opens`` to ``closes`` as the contact window every customer message keeps to."""
        return ContactWindow(opens=self.opens, closes=self.closes)


HOUSE = ContactProfile(
    name="house",
    max_contacts=2,
    per=timedelta(days=7),
    cooldown=timedelta(hours=24),
    sources=("house default: 08:00-21:00 local, at most 2 follow-ups in 7 days",),
)
"""The default where no jurisdiction's profile applies: the TCPA window, 2 in 7 days."""

US_TCPA = ContactProfile(
    name="us_tcpa",
    sources=(
        "47 CFR 64.1200(c)(1): solicitations only 08:00-21:00 local time of the called party",
    ),
)

US_REG_F = ContactProfile(
    name="us_reg_f",
    max_contacts=7,
    per=timedelta(days=7),
    cooldown=timedelta(days=7),
    sources=(
        "12 CFR 1006.6(b)(1)(i): before 08:00 or after 21:00 at the consumer's location is "
        "presumed inconvenient, for calls, texts and emails",
        "12 CFR 1006.14(b)(2): more than 7 calls in 7 consecutive days, or any call within 7 "
        "days after a telephone conversation, is presumed harassment (counted here across "
        "all of a customer's cases, a stricter reading than per debt)",
    ),
)

EU_GDPR = ContactProfile(
    name="eu_gdpr",
    consent_first=frozenset({Purpose.MARKETING}),
    sources=(
        "GDPR Art. 21(2)-(3): absolute right to object to direct marketing at any time",
        "GDPR Art. 21(4): the right is shown clearly, no later than the first communication",
        "ePrivacy Directive 2002/58 Art. 13: prior consent for e-mail and SMS marketing, an "
        "opt-out in every message",
        "08:00-21:00 is the house window: EU law sets none",
    ),
)

CN_SMS = ContactProfile(
    name="cn_sms",
    consent_first=frozenset({Purpose.SURVEY, Purpose.MARKETING}),
    opt_out_keywords=("TD", "T", "退订", "STOP"),
    sources=(
        "MIIT Order No. 31 (2015): no commercial SMS without the user's consent or request; "
        "stop once the user refuses; every message carries an easy opt-out",
        "PIPL Arts 15-16: consent may be withdrawn by a convenient method",
        "08:00-21:00 is the house window: the order sets none",
    ),
)

PROFILES: FrozenMap[str, ContactProfile] = frozen_map(
    {p.name: p for p in (HOUSE, US_TCPA, US_REG_F, EU_GDPR, CN_SMS)}
)
"""The shipped profiles by name."""


EU_STATES = (
    *("AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE"),
    *("IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE"),
    *("IS", "LI", "NO"),
)
"""EU and EEA states, where ``eu_gdpr`` applies by default."""


def _profiles(value: object) -> FrozenMap[str, ContactProfile]:
    mapping = frozen_map(value)
    for key, profile in mapping.items():
        if not isinstance(key, str) or not isinstance(profile, ContactProfile):
            raise ValidationError.of("profiles", f"{key!r} must map a code to a ContactProfile")
    return mapping


def _triggers(value: object) -> FrozenMap[TriggerKind, TriggerPolicy]:
    mapping = frozen_map(value)
    out = {}
    for key, policy in mapping.items():
        try:
            kind = TriggerKind(key)
        except ValueError:
            raise ValidationError.of("triggers", f"{key!r} is not a trigger kind") from None
        if not isinstance(policy, TriggerPolicy):
            raise ValidationError.of(f"triggers.{kind.value}", "must be a TriggerPolicy")
        out[kind] = policy
    return FrozenMap(out)


@frozen(kw_only=True)
class FollowupPolicy:
    """How follow-ups run: a policy per trigger, a contact profile per jurisdiction (the
    ``default_profile`` elsewhere), and the staff role told of a "not me" or an unhappy
    answer that cannot reopen its case. ``follow_resolved_complaints`` turns on the survey
    after every resolved complaint, ``follow_closed_disputes`` after every dispute that ends
    (resolved or closed); both off by default: a host opts in."""

    triggers: FrozenMap[TriggerKind, TriggerPolicy] = field(
        factory=lambda: DEFAULT_TRIGGERS, converter=_triggers
    )
    profiles: FrozenMap[str, ContactProfile] = field(
        factory=lambda: frozen_map(
            {"US": US_TCPA, "CN": CN_SMS, **dict.fromkeys(EU_STATES, EU_GDPR)}
        ),
        converter=_profiles,
    )
    default_profile: ContactProfile = HOUSE
    staff_role: str = "security"
    follow_resolved_complaints: bool = False
    follow_closed_disputes: bool = False

    def __attrs_post_init__(self) -> None:
        check_fields(self)
        missing = [k.value for k in TriggerKind if k not in self.triggers]
        if missing:
            raise ValidationError.of("triggers", f"no policy for {', '.join(missing)}")

    def profile_for(self, jurisdiction: str) -> ContactProfile:
        """The contact profile for a customer in ``jurisdiction``."""
        return self.profiles.get(jurisdiction.upper(), self.default_profile)
