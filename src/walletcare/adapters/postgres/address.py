"""Where a ``postgresql://`` URL points: libpq's connection string plus walletcare's own options.

walletcare takes ``schema``, ``pool_min_size``, ``pool_max_size`` and ``pool_timeout_ms`` out
of the query string; everything else (``host``, ``sslmode``, ``application_name``, ...) is
libpq's and is checked by libpq's own parser before anything connects.
"""

from __future__ import annotations

import re
from typing import Final
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from attrs import frozen
from psycopg import conninfo

from walletcare.errors import ConfigurationError

__all__ = ["PostgresAddress", "redact"]

from walletcare.adapters.postgres import SCHEMES

_OWN_OPTIONS: Final = frozenset({"schema", "pool_min_size", "pool_max_size", "pool_timeout_ms"})
_SCHEMA_NAME: Final = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def redact(url: str) -> str:
    """``url`` with its password replaced by ``***``, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    return url.replace(f":{parts.password}@", ":***@", 1)


def _positive(name: str, text: str, url: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise ConfigurationError(
            f"{name} must be a positive integer, got {text!r} in {redact(url)!r}"
        )
    return value


@frozen(kw_only=True)
class PostgresAddress:
    """A parsed ``postgresql://`` URL: libpq's part, the schema and the pool's sizes."""

    conninfo: str
    schema: str = "walletcare"
    pool_min_size: int = 1
    pool_max_size: int = 10
    pool_timeout_ms: int = 30_000

    @classmethod
    def from_url(cls, url: str) -> PostgresAddress:
        """Parse and check ``url``; every mistake is a ``ConfigurationError`` naming the option."""
        parts = urlsplit(url)
        if parts.scheme not in SCHEMES:
            raise ConfigurationError(f"not a postgresql URL: {redact(url)!r}")
        pairs = parse_qsl(parts.query, keep_blank_values=True)
        own = {k: v for k, v in pairs if k in _OWN_OPTIONS}
        libpq = [(k, v) for k, v in pairs if k not in _OWN_OPTIONS]
        schema = own.get("schema", "walletcare")
        if not _SCHEMA_NAME.fullmatch(schema):
            raise ConfigurationError(
                f"schema must be a lower-case SQL name (letters, digits, _), got {schema!r}"
            )
        # Rebuilt by hand: urlunsplit drops the "//" of a URL without a host.
        dsn = f"{parts.scheme}://{parts.netloc}{parts.path}"
        if libpq:
            # %20 for spaces: libpq's URI parser does not read "+" as one.
            dsn += f"?{urlencode(libpq, quote_via=quote)}"
        options = dict(libpq)
        try:
            parsed = conninfo.conninfo_to_dict(dsn)
        except Exception as exc:  # libpq's parser raises psycopg.ProgrammingError
            raise ConfigurationError(
                f"storage_url is not a valid PostgreSQL URL ({exc}): {redact(url)!r}"
            ) from None
        if "application_name" not in options and "application_name" not in parsed:
            # Lets operators find walletcare's sessions in pg_stat_activity.
            dsn = conninfo.make_conninfo(dsn, application_name="walletcare")
        sizes = {
            name: _positive(name, own[name], url)
            for name in ("pool_min_size", "pool_max_size", "pool_timeout_ms")
            if name in own
        }
        address = cls(conninfo=dsn, schema=schema, **sizes)
        if address.pool_min_size > address.pool_max_size:
            raise ConfigurationError(
                f"pool_min_size ({address.pool_min_size}) is larger than pool_max_size "
                f"({address.pool_max_size}) in {redact(url)!r}"
            )
        return address
