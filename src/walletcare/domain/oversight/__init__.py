"""Oversight of any kind of case: SLA clocks, regulatory profiles, the ladder, rules, penalties."""

from walletcare.domain.oversight.clocks import clock_events, regulatory_deadlines
from walletcare.domain.oversight.config import (
    CaseSettings,
    CompiledOversight,
    Oversight,
    SlaChoice,
)
from walletcare.domain.oversight.facts import (
    CASE_FACTS,
    PAYMENT_PRODUCTS,
    allowances_of,
    calendar_of,
    fact_table,
    facts_of,
    final_response_notice,
    flags_of,
    jurisdiction_calendar,
    profile_of,
    sla_policy_for,
)
from walletcare.domain.oversight.reactions import (
    Reaction,
    RuleNotice,
    escalate,
    metric_text,
    on_timer,
    react,
)

__all__ = [
    "Oversight",
    "SlaChoice",
    "CaseSettings",
    "CompiledOversight",
    "CASE_FACTS",
    "PAYMENT_PRODUCTS",
    "Reaction",
    "RuleNotice",
    "react",
    "on_timer",
    "escalate",
    "metric_text",
    "clock_events",
    "regulatory_deadlines",
    "facts_of",
    "fact_table",
    "calendar_of",
    "jurisdiction_calendar",
    "profile_of",
    "allowances_of",
    "final_response_notice",
    "sla_policy_for",
    "flags_of",
]
