"""Masking what a follow-up message shows of a reference: only its last four characters.

A seam: the customer-messages work masks every message; this keeps follow-ups minimal
until then, with the same contract (text in, masked text out).
"""

from __future__ import annotations

__all__ = ["mask_reference"]


def mask_reference(reference: str, shown: int = 4) -> str:
    """``reference`` with all but its last ``shown`` characters replaced by ``*``."""
    if len(reference) <= shown:
        return "*" * len(reference)
    return "*" * 4 + reference[-shown:]
