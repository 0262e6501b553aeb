"""psycopg's errors as walletcare's: conflicts, refused input and failed storage."""

from __future__ import annotations

import psycopg
from psycopg import errors as pg

from walletcare.errors import ConcurrencyConflict, StorageError, ValidationError, WalletcareError

__all__ = ["translate", "is_connection_lost"]

# Constraints whose violation means "another writer got there first" or "bad input".
_STALE_VERSION = "streams_expected_version"
_DUPLICATE_MESSAGE = "outbox_id"


def is_connection_lost(exc: BaseException) -> bool:
    """Tell whether ``exc`` means the connection (or the server) went away, not the statement."""
    return isinstance(exc, psycopg.OperationalError) and not isinstance(
        exc, pg.SerializationFailure | pg.DeadlockDetected | pg.LockNotAvailable
    )


def translate(exc: psycopg.Error, doing: str, stream_id: str = "") -> WalletcareError:
    """The walletcare error for a driver error raised while ``doing`` something.

    Serialisation failures, deadlocks and unique violations are ``ConcurrencyConflict`` (reload
    and decide again); a duplicate outbox id is a ``ValidationError``; everything else, a lost
    connection included, is ``StorageError``. Chain the result to ``exc`` when raising it.
    """
    constraint = exc.diag.constraint_name if isinstance(exc, psycopg.DatabaseError) else None
    if isinstance(exc, pg.UniqueViolation) and constraint == _DUPLICATE_MESSAGE:
        return ValidationError.of("messages.id", f"already queued ({exc.diag.message_detail})")
    if isinstance(exc, pg.CheckViolation) and constraint == _STALE_VERSION:
        return ConcurrencyConflict(
            f"stream {stream_id!r} moved past the version the commit expected"
        )
    if isinstance(exc, pg.UniqueViolation | pg.SerializationFailure | pg.DeadlockDetected):
        return ConcurrencyConflict(f"{doing} on {stream_id!r} lost a race: {exc}")
    if is_connection_lost(exc):
        return StorageError(f"PostgreSQL connection lost while {doing}: {exc}")
    return StorageError(f"PostgreSQL failed while {doing}: {exc}")
