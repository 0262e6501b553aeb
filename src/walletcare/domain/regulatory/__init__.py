"""Regulatory profiles: the deadlines complaint rules set, where they apply, how they count.

``profiles`` holds the vocabulary and the day arithmetic, ``data`` the built-in profiles,
jurisdictions and choices with their sources, ``regulation`` the host's configuration.
"""

from __future__ import annotations

from walletcare.domain.regulatory.data import (
    ALIASES,
    DEFAULT_CHOICES,
    EEA_ZONES,
    JURISDICTIONS,
    PROFILES,
)
from walletcare.domain.regulatory.profiles import (
    CountFrom,
    DailyPenalty,
    DayCount,
    DayEnd,
    Deadline,
    Jurisdiction,
    ProfileChoice,
    ProfileDeadline,
    RegulatoryProfile,
    allowances,
    deadline_for,
    deadlines,
    late_days,
    normalise_jurisdiction,
    penalty_due,
)
from walletcare.domain.regulatory.regulation import (
    CompiledRegulation,
    NoRegulatoryProfile,
    Regulation,
    UnknownJurisdiction,
    choose_profile,
    default_regulation,
)

__all__ = [
    "DayCount",
    "DayEnd",
    "Deadline",
    "CountFrom",
    "ProfileDeadline",
    "DailyPenalty",
    "RegulatoryProfile",
    "Jurisdiction",
    "ProfileChoice",
    "normalise_jurisdiction",
    "PROFILES",
    "JURISDICTIONS",
    "EEA_ZONES",
    "ALIASES",
    "DEFAULT_CHOICES",
    "Regulation",
    "CompiledRegulation",
    "UnknownJurisdiction",
    "NoRegulatoryProfile",
    "default_regulation",
    "choose_profile",
    "deadline_for",
    "deadlines",
    "allowances",
    "late_days",
    "penalty_due",
]
