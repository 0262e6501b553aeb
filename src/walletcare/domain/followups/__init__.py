"""Follow-up (回访): surveys and security confirmations after a trigger, on the user's terms."""

from walletcare.domain.followups.contact_rules import Verdict, check_contact
from walletcare.domain.followups.events import FOLLOWUP_EVENTS
from walletcare.domain.followups.kind import FOLLOWUPS, KIND, trigger_key
from walletcare.domain.followups.ledger import (
    LEDGER_EVENTS,
    Consent,
    ContactLedger,
    ContactRecord,
    fold_ledger,
    ledger_stream,
)
from walletcare.domain.followups.profiles import (
    CN_SMS,
    EU_GDPR,
    HOUSE,
    PROFILES,
    US_REG_F,
    US_TCPA,
    ContactProfile,
    FollowupPolicy,
)
from walletcare.domain.followups.state import Attempt, Followup, FollowupStatus
from walletcare.domain.followups.surveys import SurveyReport, is_unhappy, report
from walletcare.domain.followups.values import (
    DEFAULT_TRIGGERS,
    Purpose,
    Survey,
    Trigger,
    TriggerKind,
    TriggerPolicy,
)

__all__ = [
    "KIND",
    "FOLLOWUPS",
    "FOLLOWUP_EVENTS",
    "LEDGER_EVENTS",
    "trigger_key",
    "Verdict",
    "check_contact",
    "Consent",
    "ContactLedger",
    "ContactRecord",
    "fold_ledger",
    "ledger_stream",
    "ContactProfile",
    "FollowupPolicy",
    "HOUSE",
    "US_TCPA",
    "US_REG_F",
    "EU_GDPR",
    "CN_SMS",
    "PROFILES",
    "Attempt",
    "Followup",
    "FollowupStatus",
    "SurveyReport",
    "is_unhappy",
    "report",
    "DEFAULT_TRIGGERS",
    "Purpose",
    "Survey",
    "Trigger",
    "TriggerKind",
    "TriggerPolicy",
]
