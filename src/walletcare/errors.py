"""The one public error tree: every error walletcare raises is a ``WalletcareError``."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "WalletcareError",
    "ValidationError",
    "CaseExists",
    "CurrencyMismatch",
    "DomainError",
    "TransitionNotAllowed",
    "PermissionDenied",
    "UnsafeMessage",
    "NotFound",
    "ConfigurationError",
    "StorageError",
    "DamagedRecord",
    "ConcurrencyConflict",
    "ClaimLost",
    "KeyTaken",
    "DeliveryFailed",
]


class WalletcareError(Exception):
    """Base of every error walletcare raises on purpose."""


class ValidationError(WalletcareError, ValueError):
    """Input was refused; ``problems`` maps each offending field (a dotted path) to what is wrong.

    A refused command changes nothing.
    """

    def __init__(self, problems: dict[str, str] | Sequence[tuple[str, str]]) -> None:
        items = dict(problems)
        if not items:
            raise ValueError("a ValidationError needs at least one problem")
        self.problems: dict[str, str] = items
        super().__init__("; ".join(f"{field}: {what}" for field, what in items.items()))

    @classmethod
    def of(cls, field: str, problem: str) -> ValidationError:
        """Build the error for a single offending field."""
        return cls({field: problem})

    @property
    def fields(self) -> tuple[str, ...]:
        """The offending fields, in the order they were found."""
        return tuple(self.problems)


class CaseExists(ValidationError):
    """A new case was asked for under an id another case already has."""

    def __init__(self, field: str, case_id: str) -> None:
        self.case_id = case_id
        super().__init__({field: f"{case_id!r} is already taken"})


class CurrencyMismatch(ValidationError):
    """Two amounts in different currencies were added, subtracted or compared."""


class DomainError(WalletcareError):
    """A well-formed command that the case's rules do not allow now."""


class TransitionNotAllowed(DomainError):
    """The command is not allowed from the case's current status."""


class PermissionDenied(DomainError):
    """The actor may not run this command on this case; nothing was written."""

    def __init__(self, command: str, actor: object, why: str) -> None:
        self.command = command
        self.actor = actor
        super().__init__(f"{actor} may not {command}: {why}")


class UnsafeMessage(DomainError):
    """Staff text for a customer was refused: it asks for secrets or links outside the
    allowed domains; ``problems`` maps the offending field to the reasons."""

    def __init__(self, field: str, reasons: Sequence[str]) -> None:
        self.field = field
        self.reasons = tuple(reasons)
        super().__init__(f"{field}: {'; '.join(self.reasons)}")


class NotFound(DomainError, LookupError):
    """No case (stream) has the given id."""


class ConfigurationError(WalletcareError):
    """Settings or plugins do not fit together (e.g. no storage for a URL scheme)."""


class StorageError(WalletcareError):
    """The storage failed; the driver's own exception is chained as ``__cause__``."""


class DamagedRecord(StorageError):
    """A stored row cannot be read back (it names the row); trying again will not help."""


class ConcurrencyConflict(StorageError):
    """Another writer appended to the stream first; reload and decide again."""


class KeyTaken(ConcurrencyConflict):
    """A unique key the commit would take is held by another stream; nothing was written."""

    def __init__(self, key: str, owner: str) -> None:
        self.key = key
        self.owner = owner
        super().__init__(f"key {key!r} is held by stream {owner!r}")


class ClaimLost(ConcurrencyConflict):
    """A claimed timer was re-armed, cancelled or claimed again since; it must not fire now."""


class DeliveryFailed(WalletcareError):
    """A channel plugin could not deliver a message now; the outbox retries it."""
