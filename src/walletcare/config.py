"""Everything a host configures, in one place: settings, case kinds' policies, oversight
(SLA policies, regulatory profiles, the ladder, rules), fee remediation and business
calendars.

Every class here is frozen data a host can build in Python or load from its own config
files through the converter; mistakes are refused when ``Walletcare`` starts, naming the
field.
"""

from walletcare.domain.calendars import BusinessCalendar
from walletcare.domain.complaints import ComplaintPolicy, DuplicateHandling, SeverityPolicy
from walletcare.domain.disputes import CreditRules, DisputePolicy, DisputeProfile, Forum
from walletcare.domain.disputes.kind import DISPUTE_LADDER
from walletcare.domain.fees import RemediationPolicy
from walletcare.domain.followups import PROFILES as CONTACT_PROFILES
from walletcare.domain.followups import ContactProfile, FollowupPolicy, TriggerPolicy
from walletcare.domain.frozenmap import FrozenMap
from walletcare.domain.incidents import IncidentPolicy, Pattern, TextPattern
from walletcare.domain.ladder import DEFAULT_LADDER, Ladder, Tier
from walletcare.domain.messages import ContactWindow, MessagePolicy, PhishingAction, PiiKind
from walletcare.domain.oversight import CaseSettings, Oversight, SlaChoice
from walletcare.domain.permissions import PermissionPolicy
from walletcare.domain.regulatory import (
    DEFAULT_CHOICES,
    JURISDICTIONS,
    PROFILES,
    DailyPenalty,
    DayCount,
    DayEnd,
    Jurisdiction,
    ProfileChoice,
    ProfileDeadline,
    Regulation,
    RegulatoryProfile,
    UnknownJurisdiction,
)
from walletcare.domain.rules import Action, ActionKind, Condition, FactKind, Once, Rule
from walletcare.domain.sla import Measure, SlaPolicy, SlaTarget
from walletcare.settings import MessageSettings, RetryPolicy, Settings

__all__ = [
    "MessageSettings",
    "MessagePolicy",
    "PhishingAction",
    "PiiKind",
    "ContactWindow",
    "PermissionPolicy",
    "CONTACT_PROFILES",
    "ContactProfile",
    "FollowupPolicy",
    "TriggerPolicy",
    "Settings",
    "RetryPolicy",
    "CaseSettings",
    "ComplaintPolicy",
    "DisputePolicy",
    "DisputeProfile",
    "CreditRules",
    "Forum",
    "DISPUTE_LADDER",
    "SeverityPolicy",
    "DuplicateHandling",
    "RemediationPolicy",
    "IncidentPolicy",
    "Pattern",
    "TextPattern",
    "Oversight",
    "SlaChoice",
    "SlaPolicy",
    "SlaTarget",
    "Measure",
    "Rule",
    "Condition",
    "Action",
    "ActionKind",
    "Once",
    "FactKind",
    "Ladder",
    "Tier",
    "DEFAULT_LADDER",
    "Regulation",
    "UnknownJurisdiction",
    "ProfileChoice",
    "RegulatoryProfile",
    "ProfileDeadline",
    "DayCount",
    "DayEnd",
    "DailyPenalty",
    "Jurisdiction",
    "PROFILES",
    "JURISDICTIONS",
    "DEFAULT_CHOICES",
    "BusinessCalendar",
    "FrozenMap",
]
