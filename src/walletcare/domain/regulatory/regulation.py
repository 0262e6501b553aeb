"""Which regulation exists where: profiles and jurisdictions, built in and the host's.

``Regulation`` is the host's configuration (``Settings.regulation``, shared by every kind of
case): profiles and jurisdictions added or replaced by name and code, aliases, and what
happens to a case whose jurisdiction is unknown. Which profile a kind's case gets is that
kind's choices (``Oversight.regulatory``), checked against it. ``Regulation.compile`` runs
once, when ``Walletcare`` starts, and refuses a mistake with a ``ConfigurationError`` that
names the path (``settings.regulation.jurisdictions[0].country``).
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from functools import cache
from typing import Any

from attrs import field, frozen

from walletcare.domain.calendars import BusinessCalendar
from walletcare.domain.escalation import EscalationEvent
from walletcare.domain.fieldtypes import as_map, check_fields, to_enum
from walletcare.domain.frozenmap import FrozenMap
from walletcare.domain.regulatory.data import ALIASES, DEFAULT_CHOICES, JURISDICTIONS, PROFILES
from walletcare.domain.regulatory.profiles import (
    Jurisdiction,
    ProfileChoice,
    RegulatoryProfile,
    normalise_jurisdiction,
)
from walletcare.errors import ConfigurationError, ValidationError

__all__ = [
    "UnknownJurisdiction",
    "Regulation",
    "CompiledRegulation",
    "NoRegulatoryProfile",
    "default_regulation",
    "choose_profile",
]


class UnknownJurisdiction(enum.StrEnum):
    """What intake does with a case whose jurisdiction is not configured (or not given)."""

    REFUSE = "refuse"  # a ValidationError on the field "jurisdiction"; nothing is stored
    NO_CLOCK = "no_clock"  # open it with no regulatory clock, and record why


def _unknown(value: Any) -> Any:
    return to_enum(UnknownJurisdiction, value)


def _each(kind: type, name: str) -> Callable[[object, object, Any], None]:
    def check(_: object, __: object, value: Any) -> None:
        if not isinstance(value, tuple):
            raise ValidationError.of(name, "must be a tuple")
        for i, item in enumerate(value):
            if not isinstance(item, kind):
                raise ValidationError.of(f"{name}[{i}]", f"must be a {kind.__name__}")

    return check


@frozen(kw_only=True)
class Regulation:
    """The host's regulatory configuration, over (or, with ``builtins=False``, instead of) ours.

    ``profiles`` and ``jurisdictions`` add to the built-in ones or replace them by name and
    code; ``aliases`` name jurisdictions other ways (``"UK"`` for ``"GB"`` is built in).
    ``unknown_jurisdiction`` says what intake does with a code none of them knows.
    """

    profiles: tuple[RegulatoryProfile, ...] = field(
        default=(), validator=_each(RegulatoryProfile, "profiles")
    )
    jurisdictions: tuple[Jurisdiction, ...] = field(
        default=(), validator=_each(Jurisdiction, "jurisdictions")
    )
    aliases: FrozenMap[str, str] = field(factory=FrozenMap, converter=as_map)
    builtins: bool = True
    unknown_jurisdiction: UnknownJurisdiction = field(
        default=UnknownJurisdiction.NO_CLOCK, converter=_unknown
    )

    def __attrs_post_init__(self) -> None:
        check_fields(self)

    def compile(self, path: str = "settings.regulation") -> CompiledRegulation:
        """Merge with the built-ins and check every reference; a ``ConfigurationError`` if wrong."""
        profiles = dict(PROFILES) if self.builtins else {}
        seen: set[str] = set()
        for i, profile in enumerate(self.profiles):
            if profile.name in seen:
                raise ConfigurationError(
                    f"{path}.profiles[{i}].name: {profile.name!r} is given twice"
                )
            seen.add(profile.name)
            profiles[profile.name] = profile
        jurisdictions = dict(JURISDICTIONS) if self.builtins else {}
        calendars = {code: _builtin_calendar(code) for code in jurisdictions}
        for i, j in enumerate(self.jurisdictions):
            code = normalise_jurisdiction(j.code)
            if not code:
                raise ConfigurationError(f"{path}.jurisdictions[{i}].code: is required")
            try:
                calendars[code] = j.calendar()
            except ValidationError as exc:
                where = ", ".join(f"{path}.jurisdictions[{i}].{f}" for f in exc.fields)
                raise ConfigurationError(f"{where}: {exc}") from None
            jurisdictions[code] = j
        aliases = {**(ALIASES if self.builtins else {})}
        for alias, target in self.aliases.items():
            to = normalise_jurisdiction(target)
            if to not in jurisdictions:
                raise ConfigurationError(
                    f"{path}.aliases.{alias}: {target!r} is not a configured jurisdiction"
                )
            aliases[normalise_jurisdiction(alias)] = to
        return CompiledRegulation(
            profiles=FrozenMap(profiles),
            jurisdictions=FrozenMap(jurisdictions),
            calendars=FrozenMap(calendars),
            aliases=FrozenMap(aliases),
            unknown_jurisdiction=self.unknown_jurisdiction,
        )


@cache
def _builtin_calendar(code: str) -> BusinessCalendar:
    # Built-in calendars are values: build each once per process, however many instances.
    return JURISDICTIONS[code].calendar()


@frozen(kw_only=True)
class CompiledRegulation:
    """``Regulation`` merged with the built-ins and checked, ready for intake and clocks."""

    profiles: FrozenMap[str, RegulatoryProfile]
    jurisdictions: FrozenMap[str, Jurisdiction]
    calendars: FrozenMap[str, BusinessCalendar]
    aliases: FrozenMap[str, str]
    unknown_jurisdiction: UnknownJurisdiction

    def code(self, jurisdiction: str) -> str:
        """The code walletcare keeps for ``jurisdiction``: normalised, aliases resolved."""
        code = normalise_jurisdiction(jurisdiction)
        if code in self.aliases:
            return self.aliases[code]
        country, dash, part = code.partition("-")
        if dash and country in self.aliases:
            return f"{self.aliases[country]}-{part}"
        return code

    def is_known(self, jurisdiction: str) -> bool:
        """Tell whether ``jurisdiction`` names a configured jurisdiction."""
        return self.code(jurisdiction) in self.jurisdictions

    def calendar(self, jurisdiction: str) -> BusinessCalendar | None:
        """The calendar deadlines count on in ``jurisdiction``, if it is configured."""
        return self.calendars.get(self.code(jurisdiction))

    def choose(self, choices: tuple[ProfileChoice, ...], path: str) -> tuple[ProfileChoice, ...]:
        """A kind's choices checked against these profiles and jurisdictions, codes resolved.

        A choice naming an unknown profile or jurisdiction is a ``ValidationError`` naming
        ``{path}[i].profile`` or ``{path}[i].jurisdictions``.
        """
        checked = []
        for i, choice in enumerate(choices):
            if not isinstance(choice, ProfileChoice):
                raise ValidationError.of(f"{path}[{i}]", "must be a ProfileChoice")
            if choice.profile not in self.profiles:
                raise ValidationError.of(
                    f"{path}[{i}].profile",
                    f"{choice.profile!r} is not a known profile "
                    f"(known: {', '.join(sorted(self.profiles))})",
                )
            codes = frozenset(self.code(c) for c in choice.jurisdictions)
            for code in sorted(codes):
                if code not in self.jurisdictions:
                    raise ValidationError.of(
                        f"{path}[{i}].jurisdictions",
                        f"{code!r} is not a configured jurisdiction; add it to "
                        "Settings.regulation.jurisdictions",
                    )
            checked.append(
                ProfileChoice(profile=choice.profile, jurisdictions=codes, products=choice.products)
            )
        return tuple(checked)

    def profile(
        self, jurisdiction: str, product: str, choices: tuple[ProfileChoice, ...]
    ) -> RegulatoryProfile | None:
        """The profile of the first of ``choices`` that fits, or None (``unapplied`` says why)."""
        code = self.code(jurisdiction)
        if code not in self.jurisdictions:
            return None
        for choice in choices:
            if choice.fits(code, product):
                return self.profiles.get(choice.profile)
        return None

    def unapplied(
        self, jurisdiction: str, product: str, choices: tuple[ProfileChoice, ...]
    ) -> str:
        """Why no profile applies to a case in a named jurisdiction ('' if one does, or none named).

        A case that names no jurisdiction has asked for no regulation: nothing to explain.
        """
        if not jurisdiction.strip():
            return ""
        code = self.code(jurisdiction)
        if code not in self.jurisdictions:
            return f"jurisdiction {code!r} is not configured: no regulatory clock runs"
        if self.profile(code, product, choices) is None:
            return (
                f"no regulatory profile is chosen for {code} and product {product!r}: "
                "no regulatory clock runs"
            )
        return ""

    def admit(self, jurisdiction: str) -> str:
        """The code intake keeps; a ``ValidationError`` on ``jurisdiction`` if it must refuse."""
        code = self.code(jurisdiction)
        if self.unknown_jurisdiction is UnknownJurisdiction.REFUSE and (
            code not in self.jurisdictions
        ):
            known = ", ".join(sorted(self.jurisdictions))
            problem = (
                "is required" if not code else f"{jurisdiction!r} is not a configured jurisdiction"
            )
            raise ValidationError.of("jurisdiction", f"{problem} (known: {known})")
        return code


@frozen(kw_only=True)
class NoRegulatoryProfile(EscalationEvent):
    """No regulatory profile applies to the case, so no regulatory clock runs: says why."""

    kind = "regulatory.no_profile"
    jurisdiction: str
    product: str
    reason: str


@cache
def default_regulation() -> CompiledRegulation:
    """The built-in profiles, jurisdictions and choices, compiled once."""
    return Regulation().compile()


def choose_profile(
    jurisdiction: str,
    product: str,
    choices: tuple[ProfileChoice, ...] = DEFAULT_CHOICES,
    regulation: CompiledRegulation | None = None,
) -> RegulatoryProfile | None:
    """The profile ``choices`` give a case's jurisdiction and product (built-ins unless given)."""
    return (regulation or default_regulation()).profile(jurisdiction, product, choices)
