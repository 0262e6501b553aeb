"""What a message's values can be besides plain text: catalogue terms and staff-written text."""

from __future__ import annotations

from attrs import field, frozen

from walletcare.domain.events import non_empty

__all__ = ["Term", "StaffText"]


@frozen
class Term:
    """A catalogue word (``"outcome.upheld"``, ``"category.fees"``) shown in the customer's
    language."""

    key: str = field(validator=non_empty)


@frozen
class StaffText:
    """Text a member of staff wrote for the customer (an explanation, a question).

    It is checked for phishing (asking for passwords or codes, foreign links) and masked
    before it is sent; ``field`` names it in the error if it is refused.
    """

    text: str
    field: str = "text"
