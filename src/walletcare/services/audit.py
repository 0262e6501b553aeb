"""The audit trail's entries: one per event of a case, readable by an auditor."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from attrs import frozen

__all__ = ["AuditEntry"]


@frozen(kw_only=True)
class AuditEntry:
    """One line of the audit trail: when, who, what, and the event's own details."""

    version: int
    at: datetime
    actor: str
    kind: str
    details: dict[str, Any]

    @property
    def line(self) -> str:
        """The entry as one readable line for an auditor."""
        shown = ", ".join(
            f"{k}={json.dumps(v, ensure_ascii=False)}" for k, v in self.details.items()
        )
        return f"#{self.version} {self.at.isoformat()} {self.actor} {self.kind}" + (
            f" {shown}" if shown else ""
        )
