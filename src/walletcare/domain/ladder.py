"""The escalation ladder: who handles a case, from the chatbot to bodies outside the provider."""

from __future__ import annotations

import enum

from attrs import field, frozen

from walletcare.domain.fieldtypes import as_map, as_tuple, check_fields
from walletcare.domain.frozenmap import FrozenMap
from walletcare.errors import ValidationError

__all__ = [
    "Tier",
    "DEFAULT_LADDER",
    "Ladder",
]


class Tier(enum.StrEnum):
    """Who handles a case, from the chatbot up to bodies outside the provider."""

    CHATBOT = "chatbot"
    AGENT = "agent"
    SENIOR_AGENT = "senior_agent"
    COMPLAINTS_OFFICER = "complaints_officer"
    MEDIATOR = "mediator"
    OMBUDSMAN = "ombudsman"
    REGULATOR = "regulator"


DEFAULT_LADDER: tuple[str, ...] = (
    Tier.CHATBOT,
    Tier.AGENT,
    Tier.SENIOR_AGENT,
    Tier.COMPLAINTS_OFFICER,
    Tier.OMBUDSMAN,
)


@frozen(kw_only=True)
class Ladder:
    """The tiers in order; ``tier_sla`` names the SLA policy a tier's work is held to."""

    tiers: tuple[str, ...] = field(default=DEFAULT_LADDER, converter=as_tuple)
    start: str = Tier.AGENT
    tier_sla: FrozenMap[str, str] = field(factory=FrozenMap, converter=as_map)

    def __attrs_post_init__(self) -> None:
        check_fields(self)
        if self.start not in self.tiers:
            raise ValidationError.of("start", f"{self.start!r} is not on the ladder {self.tiers}")
        for tier in self.tier_sla:
            if tier not in self.tiers:
                raise ValidationError.of(f"tier_sla.{tier}", "is not on the ladder")

    def above(self, tier: str) -> str | None:
        """The next tier up, or None at the top."""
        index = self.tiers.index(tier) if tier in self.tiers else -1
        return self.tiers[index + 1] if index + 1 < len(self.tiers) else None

    def rank(self, tier: str) -> int:
        """Position on the ladder (unknown tiers rank below all)."""
        return self.tiers.index(tier) if tier in self.tiers else -1
