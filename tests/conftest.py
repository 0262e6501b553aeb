"""Fixtures shared across test packages: the PostgreSQL server (see ``tests/postgres_server``)."""

from tests.postgres_server import fresh_schema, postgres_url

__all__ = ["fresh_schema", "postgres_url"]
