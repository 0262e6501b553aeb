"""``sqlite:///path``: the default storage, one file, stdlib ``sqlite3``, safe across processes.

WAL journal, ``synchronous=FULL`` (a returned commit survives power loss) unless the URL asks
for ``?synchronous=normal``, a busy timeout, writes in ``BEGIN IMMEDIATE`` transactions so
several processes can share one file, and schema migrations numbered by ``user_version``.
"""

from __future__ import annotations

from walletcare.adapters.sqlite.schema import MIGRATIONS, from_us, parse_url, to_us
from walletcare.adapters.sqlite.storage import SQLiteStorage
from walletcare.hookspecs import hookimpl
from walletcare.ports import Storage
from walletcare.settings import Settings

__all__ = ["SQLiteStorage", "walletcare_storage", "MIGRATIONS", "to_us", "from_us", "parse_url"]


@hookimpl
def walletcare_storage(settings: Settings) -> Storage | None:
    """Open ``sqlite:///path`` storage."""
    if not settings.storage_url.startswith("sqlite:"):
        return None
    return SQLiteStorage.from_url(settings.storage_url)
