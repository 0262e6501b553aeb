"""``postgresql://``: storage for many processes and machines sharing one PostgreSQL database.

The driver (psycopg 3 with psycopg_pool, the ``walletcare[postgres]`` extra) is imported only
when a ``postgresql://`` URL is opened: importing walletcare loads and connects nothing.
See ``docs/plugins/postgresql.md`` for the URL, the pool and how to run several tickers.
"""

from __future__ import annotations

from walletcare.errors import ConfigurationError
from walletcare.hookspecs import hookimpl
from walletcare.ports import Storage
from walletcare.settings import Settings

__all__ = ["walletcare_storage", "SCHEMES"]

SCHEMES = ("postgresql", "postgres")


@hookimpl
def walletcare_storage(settings: Settings) -> Storage | None:
    """Open ``postgresql://`` storage (``postgres://`` too), creating or migrating its schema."""
    if settings.storage_url.split(":", 1)[0] not in SCHEMES:
        return None
    try:
        # Only now: nothing loads the driver for the other schemes.
        from walletcare.adapters.postgres.storage import PostgresStorage  # noqa: PLC0415
    except ImportError as exc:
        raise ConfigurationError(
            "postgresql:// storage needs psycopg 3 and psycopg_pool: "
            "pip install 'walletcare[postgres]'"
            f" ({exc})"
        ) from exc
    return PostgresStorage.from_url(settings.storage_url)
