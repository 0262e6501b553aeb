"""The PostgreSQL server the tests use: named by an environment variable, one schema per storage.

Without ``WALLETCARE_TEST_POSTGRES_URL`` the PostgreSQL tests skip, saying how to run them;
under CI (``CI=true``) they fail instead, so a CI that forgot the server cannot pass green.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator

import pytest

ENV = "WALLETCARE_TEST_POSTGRES_URL"
HOW = (
    f"PostgreSQL tests need a server: set {ENV} to a URL such as "
    "postgresql:///postgres?host=/path/to/socket/dir&user=postgres "
    "(each test makes and drops its own schema); .ci/run starts a throwaway server and sets it"
)


def server_url() -> str:
    """The test server's URL; skips the test without one (fails it under CI)."""
    url = os.environ.get(ENV, "")
    if url:
        return url
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true but {ENV} is not set. {HOW}")
    pytest.skip(HOW)


def with_schema(url: str, schema: str) -> str:
    """``url`` naming ``schema`` (the storage's ``schema`` option)."""
    return f"{url}{'&' if '?' in url else '?'}schema={schema}"


def drop_schemas(url: str, schemas: list[str]) -> None:
    """Drop the given schemas and everything in them."""
    import psycopg

    from walletcare.adapters.postgres.address import PostgresAddress

    if not schemas:
        return
    with psycopg.connect(PostgresAddress.from_url(url).conninfo, autocommit=True) as conn:
        for schema in schemas:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'.encode())


@pytest.fixture
def postgres_url() -> str:
    """The server's URL (see ``server_url``)."""
    return server_url()


@pytest.fixture
def fresh_schema(postgres_url: str) -> Iterator[Callable[[], str]]:
    """A function returning the URL of a new, empty schema; all are dropped afterwards."""
    made: list[str] = []

    def make() -> str:
        schema = f"test_{uuid.uuid4().hex[:16]}"
        made.append(schema)
        return with_schema(postgres_url, schema)

    yield make
    drop_schemas(postgres_url, made)
