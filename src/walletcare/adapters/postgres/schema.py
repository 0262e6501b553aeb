"""The PostgreSQL schema: numbered migrations, applied under a lock so many processes may start.

Every migration runs in its own transaction with its row in ``schema_migrations``; DDL is
transactional in PostgreSQL, so a process killed half-way leaves the previous version whole.
A transaction-level advisory lock keyed on the schema's name makes processes that start
together wait for one another instead of racing to create the same tables.
"""

from __future__ import annotations

from typing import Any, Final

import psycopg
from psycopg import sql

from walletcare.errors import ConfigurationError

__all__ = ["MIGRATIONS", "migrate", "schema_version", "quoted"]

# Both halves of the two-key advisory lock: a fixed class for walletcare's migrations and the
# hash of the schema's name, so two walletcare schemas in one database do not wait on each other.
_LOCK_CLASS: Final = 0x57A1  # "wal"

MIGRATIONS: Final[tuple[str, ...]] = (
    # 1: streams with their summaries, indexed summary attributes, unique keys and latest
    # snapshots, the position counter, events, timers and the outbox. Keys are COLLATE "C":
    # byte order, the order Python gives the same strings.
    """
    CREATE TABLE {s}.streams (
        stream_id text COLLATE "C" PRIMARY KEY,
        version integer NOT NULL CONSTRAINT streams_expected_version CHECK (version >= 0),
        kind text COLLATE "C",
        status text COLLATE "C",
        opened_at timestamptz,
        updated_at timestamptz,
        next_deadline timestamptz,
        summary_version integer
    );
    CREATE INDEX streams_by_opened ON {s}.streams (opened_at, stream_id)
        WHERE opened_at IS NOT NULL;
    CREATE INDEX streams_by_status ON {s}.streams (status, opened_at)
        WHERE opened_at IS NOT NULL;
    CREATE INDEX streams_by_deadline ON {s}.streams (next_deadline, stream_id)
        WHERE next_deadline IS NOT NULL;
    CREATE TABLE {s}.summary_attributes (
        stream_id text COLLATE "C" NOT NULL,
        name text COLLATE "C" NOT NULL,
        value text COLLATE "C" NOT NULL,
        PRIMARY KEY (stream_id, name)
    );
    CREATE INDEX summary_attributes_by_value ON {s}.summary_attributes (name, value, stream_id);
    CREATE TABLE {s}.stream_keys (
        key text COLLATE "C" PRIMARY KEY,
        stream_id text COLLATE "C" NOT NULL
    );
    CREATE INDEX stream_keys_by_stream ON {s}.stream_keys (stream_id);
    CREATE TABLE {s}.snapshots (
        stream_id text COLLATE "C" PRIMARY KEY,
        kind text NOT NULL,
        schema integer NOT NULL,
        version integer NOT NULL,
        data text NOT NULL
    );
    CREATE TABLE {s}.positions (
        only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
        last bigint NOT NULL
    );
    INSERT INTO {s}.positions (only_row, last) VALUES (true, 0);
    CREATE TABLE {s}.events (
        position bigint PRIMARY KEY,
        stream_id text COLLATE "C" NOT NULL,
        version integer NOT NULL,
        kind text NOT NULL,
        schema_version integer NOT NULL,
        at timestamptz NOT NULL,
        data text NOT NULL,
        CONSTRAINT events_stream_version UNIQUE (stream_id, version)
    );
    CREATE TABLE {s}.timers (
        stream_id text COLLATE "C" NOT NULL,
        name text COLLATE "C" NOT NULL,
        due_at timestamptz NOT NULL,
        ready_at timestamptz NOT NULL,
        payload text NOT NULL,
        generation integer NOT NULL,
        token text,
        PRIMARY KEY (stream_id, name)
    );
    CREATE INDEX timers_by_ready ON {s}.timers (ready_at);
    CREATE TABLE {s}.outbox (
        id text COLLATE "C" CONSTRAINT outbox_id PRIMARY KEY,
        stream_id text COLLATE "C" NOT NULL,
        channel text NOT NULL,
        recipient text NOT NULL,
        template text NOT NULL,
        subject text NOT NULL,
        body text NOT NULL,
        locale text NOT NULL,
        data text NOT NULL,
        due_at timestamptz NOT NULL,
        ready_at timestamptz NOT NULL,
        attempts integer NOT NULL,
        status text COLLATE "C" NOT NULL,
        last_error text NOT NULL,
        token text
    );
    CREATE INDEX outbox_by_ready ON {s}.outbox (ready_at) WHERE status = 'pending';
    CREATE INDEX outbox_by_status ON {s}.outbox (status, due_at, id);
    CREATE INDEX outbox_by_stream ON {s}.outbox (stream_id, status);
    """,
    # 2: timers taken out of the due set because they cannot fire, with the reason.
    """
    CREATE TABLE {s}.timers_set_aside (
        stream_id text COLLATE "C" NOT NULL,
        name text COLLATE "C" NOT NULL,
        due text NOT NULL,
        reason text NOT NULL,
        at timestamptz NOT NULL,
        PRIMARY KEY (stream_id, name)
    );
    CREATE INDEX timers_set_aside_by_time ON {s}.timers_set_aside (at);
    """,
)


def schema_version(conn: psycopg.Connection[tuple[Any, ...]], schema: str) -> int:
    """The highest migration applied to ``schema`` (0 when it has none)."""
    # A plain query on the catalog, not to_regclass: after waiting for the migration lock it
    # must see what the process that held the lock committed, and caches may not have.
    row = conn.execute(
        "SELECT EXISTS (SELECT FROM pg_catalog.pg_tables "
        "WHERE schemaname = %s AND tablename = 'schema_migrations')",
        (schema,),
    ).fetchone()
    if row is None or not row[0]:
        return 0
    found = conn.execute(
        sql.SQL("SELECT coalesce(max(version), 0) FROM {}.schema_migrations").format(
            sql.Identifier(schema)
        )
    ).fetchone()
    return int(found[0]) if found else 0


def migrate(conn: psycopg.Connection[tuple[Any, ...]], schema: str) -> int:
    """Bring ``schema`` to the newest version; refuse one written by a newer walletcare.

    ``conn`` must be in autocommit mode: each step opens its own transaction. Returns the
    version the schema is at afterwards.
    """
    target = len(MIGRATIONS)
    # A quick look without the lock: an up-to-date schema costs one query on every start.
    current = schema_version(conn, schema)
    while current < target:
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", (_LOCK_CLASS, schema))
            current = schema_version(conn, schema)
            if current >= target:
                break
            if current == 0:
                _create_schema(conn, schema)
            script = MIGRATIONS[current].format(s=quoted(schema))
            conn.execute(script.encode())
            conn.execute(
                sql.SQL("INSERT INTO {}.schema_migrations (version) VALUES (%s)").format(
                    sql.Identifier(schema)
                ),
                (current + 1,),
            )
            current += 1
    if current > target:
        raise ConfigurationError(
            f"PostgreSQL schema {schema!r} has version {current}, newer than this walletcare "
            f"({target}); upgrade walletcare"
        )
    return current


def _create_schema(conn: psycopg.Connection[tuple[Any, ...]], schema: str) -> None:
    # CREATE SCHEMA needs the CREATE privilege on the database even with IF NOT EXISTS, so a
    # schema a DBA made beforehand is only looked up.
    exists = conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,)).fetchone()
    if exists is None:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    conn.execute(
        sql.SQL(
            "CREATE TABLE {}.schema_migrations ("
            "version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
        ).format(sql.Identifier(schema))
    )


def quoted(schema: str) -> str:
    """``schema`` as a quoted SQL identifier."""
    return sql.Identifier(schema).as_string(None)
