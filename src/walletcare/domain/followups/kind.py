"""Follow-ups as a kind of case: listing row, facts, texts, and the kind the kernel runs."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Final

from walletcare.domain.cases.kind import CaseKind
from walletcare.domain.followups.events import FOLLOWUP_EVENTS
from walletcare.domain.followups.state import Followup, apply_all, replay
from walletcare.domain.followups.texts import TEMPLATES
from walletcare.domain.frozenmap import FrozenMap
from walletcare.domain.rules import FactKind

__all__ = ["KIND", "FOLLOWUPS", "trigger_key"]

KIND: Final = "followup"

FOLLOWUP_FACTS: Final[FrozenMap[str, FactKind]] = FrozenMap(
    {
        "customer_id": FactKind.TEXT,
        "purpose": FactKind.TEXT,
        "trigger": FactKind.TEXT,
        "followup_status": FactKind.TEXT,
    }
)


def trigger_key(trigger: str, source_id: str) -> str:
    """The unique key a follow-up holds for its trigger: one follow-up per trigger."""
    return f"followup:trigger:{trigger}:{source_id}"


def _facts(f: Followup, now: datetime) -> Mapping[str, Callable[[], Any]]:
    return {
        "customer_id": lambda: f.customer_id,
        "purpose": lambda: f.purpose.value,
        "trigger": lambda: f.trigger.value,
        "followup_status": lambda: f.status.value,
    }


def _attributes(f: Followup) -> Mapping[str, str]:
    row = {
        "customer_id": f.customer_id,
        "trigger": f.trigger.value,
        "source_id": f.source_id,
        "purpose": f.purpose.value,
        "survey": f.survey.value,
        "category": f.category,
        "team": f.team,
        "channel": f.channel,
    }
    if f.score is not None:
        row["score"] = str(f.score)
        row["answered_on"] = f.answered_on
    return row


FOLLOWUPS: Final[CaseKind[Followup]] = CaseKind(
    name=KIND,
    events=FOLLOWUP_EVENTS,
    replay=replay,
    apply_all=lambda f, events: apply_all(f, events) if events else f,
    status=lambda f: f.status.value,
    attributes=_attributes,
    facts=_facts,
    fact_kinds=FOLLOWUP_FACTS,
    contact=lambda f: (f.contact.channel, f.contact.address),
    metrics=(),
    templates=TEMPLATES,
    staff_template="followup.staff_alert",
    keys=lambda f: frozenset({trigger_key(f.trigger.value, f.source_id)}),
    state_type=Followup,
)
"""The follow-up kind, as the case kernel runs it."""
