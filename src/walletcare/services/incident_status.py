"""An incident's public status page: its latest update, state and size, in a language."""

from __future__ import annotations

from walletcare.domain.incidents import Incident
from walletcare.domain.incidents.texts import WORDS
from walletcare.services.cases import CaseService

__all__ = ["status_page"]


def status_page(cases: CaseService[Incident], i: Incident, language: str) -> tuple[str, str]:
    """The public status page text ``(title, body)`` in ``language`` (English fallback)."""
    words = WORDS.get(language.split("_", maxsplit=1)[0].split("-", maxsplit=1)[0], WORDS["en"])
    texts = i.updates[-1] if i.updates else {}
    status = texts.get(language) or texts.get("en", "")
    _, subject, body = cases.texts.render(
        "incident.status_page",
        language,
        {
            "ref": i.id,
            "title": i.title,
            "state": words[i.status.value],
            "status": status,
            "complaints": str(len(i.members)),
            "customers": str(len(i.customers())),
        },
    )
    return subject, body
