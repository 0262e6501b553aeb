"""What the PostgreSQL storage does beyond the shared contract: commit order, migrations, errors."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest

from walletcare import Settings, Walletcare
from walletcare.errors import ConfigurationError, StorageError
from walletcare.ports import Commit
from walletcare.testing.ordering import follow_while_writing
from walletcare.testing.records import new_event

psycopg = pytest.importorskip("psycopg")

from walletcare.adapters.postgres.address import PostgresAddress  # noqa: E402
from walletcare.adapters.postgres.schema import MIGRATIONS  # noqa: E402
from walletcare.adapters.postgres.storage import PostgresStorage  # noqa: E402


def admin(url: str) -> Any:
    """A plain autocommit connection to the test server."""
    return psycopg.connect(PostgresAddress.from_url(url).conninfo, autocommit=True)


@pytest.fixture
def storage(fresh_schema: Callable[[], str]) -> Iterator[PostgresStorage]:
    opened = PostgresStorage.from_url(fresh_schema())
    yield opened
    opened.close()


class NaivePositions(PostgresStorage):
    """Numbers events from a sequence as they are inserted (the BIGSERIAL way), no lock.

    It pauses a moment after inserting, as a busy server might before the COMMIT lands.
    """

    def __init__(self, address: PostgresAddress) -> None:
        super().__init__(address)
        s = f'"{address.schema}"'
        with psycopg.connect(address.conninfo, autocommit=True) as conn:
            conn.execute(f"CREATE SEQUENCE {s}.naive_positions".encode())
        self._sql.insert_events = (
            f"WITH inserted AS (INSERT INTO {s}.events "
            "(position, stream_id, version, kind, schema_version, at, data) "
            f"SELECT nextval('{s}.naive_positions'), %(id)s, %(version)s + e.n, e.kind, "
            "e.schema_version, e.at, e.data FROM unnest(%(kinds)s::text[], "
            "%(schema_versions)s::int4[], %(ats)s::timestamptz[], %(datas)s::text[]) "
            "WITH ORDINALITY AS e(kind, schema_version, at, data, n) "
            "RETURNING position) "
            "SELECT min(position) + 0 * %(count)s FROM inserted, "
            "LATERAL (SELECT pg_sleep(random() * 0.004) WHERE inserted.position > 0) AS pause"
        ).encode()


def test_commit_order_test_catches_insert_order_positions(fresh_schema: Callable[[], str]) -> None:
    """The shipped commit-order check does find the skips that insert-order positions cause."""
    naive = NaivePositions(PostgresAddress.from_url(fresh_schema()))
    try:
        report = follow_while_writing(naive, writers=8, commits=25)
    finally:
        naive.close()
    assert report.written == 8 * 25 * 2
    assert report.skipped, "insert-order positions should let the follower skip late commits"


def test_append_waits_for_a_transaction_holding_lower_positions(
    storage: PostgresStorage, postgres_url: str
) -> None:
    """An append cannot commit while an earlier transaction still holds the position counter."""
    with admin(postgres_url) as holder, admin(postgres_url) as watcher:
        holder.execute("BEGIN")
        (held,) = holder.execute(
            f'UPDATE "{storage.schema}".positions SET last = last + 1 RETURNING last'.encode()
        ).fetchone()
        done = threading.Event()
        appended: list[int] = []

        def append() -> None:
            stored = storage.append(
                Commit(stream_id="late", expected_version=0, events=[new_event()])
            )
            appended.append(stored[0].position)
            done.set()

        writer = threading.Thread(target=append)
        writer.start()
        deadline = time.monotonic() + 30
        waiting = False
        while not waiting and time.monotonic() < deadline:
            waiting = bool(
                watcher.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    "AND query LIKE %s",
                    (f'%"{storage.schema}".positions%',),
                ).fetchone()[0]
            )
            time.sleep(0.02)
        assert waiting, "the append never waited on the position counter"
        assert not done.is_set()
        holder.execute("COMMIT")
        writer.join(timeout=30)
    assert appended == [held + 1]


def test_importing_walletcare_loads_no_driver() -> None:
    """import walletcare (plugins, built-in storages and all) does not import psycopg."""
    code = (
        "import sys, walletcare\n"
        "from walletcare.plugins import make_plugin_manager\n"
        "from walletcare import Settings, Walletcare\n"
        "make_plugin_manager()\n"
        "Walletcare(Settings(storage_url='memory://')).close()\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('psycopg', 'psycopg_pool'))\n"
        "assert not loaded, loaded\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_missing_driver_is_a_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without psycopg installed, a postgresql:// URL says which extra to install."""
    monkeypatch.setitem(sys.modules, "psycopg", None)
    monkeypatch.delitem(sys.modules, "walletcare.adapters.postgres.storage")
    with pytest.raises(ConfigurationError, match=r"walletcare\[postgres\]"):
        Walletcare(Settings(storage_url="postgresql://localhost/db", load_entry_points=False))


@pytest.mark.parametrize(
    ("url", "option"),
    [
        ("postgresql:///db?colour=red", "colour"),
        ("postgresql:///db?schema=Bad-Name", "schema"),
        ("postgresql:///db?pool_max_size=0", "pool_max_size"),
        ("postgresql:///db?pool_min_size=many", "pool_min_size"),
        ("postgresql:///db?pool_min_size=5&pool_max_size=2", "pool_min_size"),
        ("postgresql:///db?pool_timeout_ms=-1", "pool_timeout_ms"),
    ],
)
def test_bad_urls_are_configuration_errors(url: str, option: str) -> None:
    """Unknown options and bad values are refused before connecting, naming the option."""
    with pytest.raises(ConfigurationError, match=option):
        PostgresAddress.from_url(url)


def test_passwords_stay_out_of_messages() -> None:
    """A refused URL is quoted with its password masked."""
    with pytest.raises(ConfigurationError) as err:
        PostgresAddress.from_url("postgresql://app:s3cret@db.internal/care?pool_max_size=0")
    assert "s3cret" not in str(err.value) and "app:***@" in str(err.value)


def test_url_options_reach_the_pool_and_libpq() -> None:
    """walletcare's options are taken out of the URL; the rest is libpq's, plus a session name."""
    address = PostgresAddress.from_url(
        "postgres://app@db.internal:6432/care?sslmode=require&schema=care_eu"
        "&pool_min_size=2&pool_max_size=20&pool_timeout_ms=1500"
    )
    assert (address.schema, address.pool_min_size, address.pool_max_size) == ("care_eu", 2, 20)
    assert address.pool_timeout_ms == 1500
    parsed = psycopg.conninfo.conninfo_to_dict(address.conninfo)
    assert parsed == {
        "user": "app",
        "host": "db.internal",
        "port": "6432",
        "dbname": "care",
        "sslmode": "require",
        "application_name": "walletcare",
    }


def test_no_server_is_a_storage_error(tmp_path: Path) -> None:
    """A server that cannot be reached is a StorageError when the storage opens."""
    url = f"postgresql:///db?host={tmp_path}&pool_timeout_ms=300&connect_timeout=1"
    with pytest.raises(StorageError, match="cannot open PostgreSQL storage"):
        PostgresStorage.from_url(url)


def test_opened_through_the_plugin(fresh_schema: Callable[[], str]) -> None:
    """Walletcare opens postgresql:// URLs with the built-in plugin."""
    with Walletcare(Settings(storage_url=fresh_schema(), load_entry_points=False)) as app:
        assert isinstance(app.storage, PostgresStorage)


def test_processes_starting_together_migrate_once(fresh_schema: Callable[[], str]) -> None:
    """Several storages opening one new schema at once all start; each migration runs once."""
    url = fresh_schema()
    opened: list[PostgresStorage] = []
    start = threading.Barrier(6)

    def open_one() -> None:
        start.wait()
        opened.append(PostgresStorage.from_url(url))

    threads = [threading.Thread(target=open_one) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(opened) == 6
    schema = opened[0].schema
    for storage in opened:
        storage.close()
    with admin(url) as conn:
        rows = conn.execute(f'SELECT version FROM "{schema}".schema_migrations'.encode()).fetchall()
    assert [r[0] for r in rows] == list(range(1, len(MIGRATIONS) + 1))


def test_newer_schema_is_refused(fresh_schema: Callable[[], str]) -> None:
    """A schema migrated by a newer walletcare is refused rather than misread."""
    url = fresh_schema()
    storage = PostgresStorage.from_url(url)
    storage.close()
    with admin(url) as conn:
        conn.execute(
            f'INSERT INTO "{storage.schema}".schema_migrations (version) VALUES (99)'.encode()
        )
    with pytest.raises(ConfigurationError, match="newer"):
        PostgresStorage.from_url(url)


def test_schema_made_by_a_dba_is_used(fresh_schema: Callable[[], str]) -> None:
    """An existing, empty schema is migrated in place rather than created."""
    url = fresh_schema()
    schema = PostgresAddress.from_url(url).schema
    with admin(url) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"'.encode())
    storage = PostgresStorage.from_url(url)
    storage.append(Commit(stream_id="s", expected_version=0, events=[new_event()]))
    assert storage.stream_version("s") == 1
    storage.close()


def _terminate(conn: Any, application_name: str) -> int:
    return int(
        conn.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE application_name = %s",
            (application_name,),
        ).fetchone()[0]
    )


def test_connection_loss_is_a_storage_error_then_recovers(
    fresh_schema: Callable[[], str], postgres_url: str
) -> None:
    """A write on a connection the server dropped is a StorageError; the next one reconnects."""
    url = fresh_schema() + "&application_name=wc-loss-write&pool_max_size=1"
    storage = PostgresStorage.from_url(url)
    try:
        storage.append(Commit(stream_id="s", expected_version=0, events=[new_event(1)]))
        with admin(postgres_url) as conn:
            assert _terminate(conn, "wc-loss-write") == 1
        with pytest.raises(StorageError) as err:
            storage.append(Commit(stream_id="s", expected_version=1, events=[new_event(2)]))
        assert isinstance(err.value.__cause__, psycopg.OperationalError)
        storage.append(Commit(stream_id="s", expected_version=1, events=[new_event(2)]))
        assert [e.data for e in storage.read_stream("s")] == ['{"n":1}', '{"n":2}']
    finally:
        storage.close()


def test_reads_survive_one_lost_connection(
    fresh_schema: Callable[[], str], postgres_url: str
) -> None:
    """A read on a connection the server dropped is retried once on a new connection."""
    url = fresh_schema() + "&application_name=wc-loss-read&pool_max_size=1"
    storage = PostgresStorage.from_url(url)
    try:
        storage.append(Commit(stream_id="s", expected_version=0, events=[new_event(1)]))
        with admin(postgres_url) as conn:
            assert _terminate(conn, "wc-loss-read") == 1
        assert storage.stream_version("s") == 1
    finally:
        storage.close()


def test_read_only_sessions_read_a_migrated_schema(fresh_schema: Callable[[], str]) -> None:
    """Opened read-only, as on a hot standby, the storage reads and refuses writes as StorageError."""
    url = fresh_schema()
    writer = PostgresStorage.from_url(url)
    writer.append(Commit(stream_id="s", expected_version=0, events=[new_event(1)]))
    writer.close()
    reader = PostgresStorage.from_url(url + "&options=-c%20default_transaction_read_only%3Don")
    try:
        assert [e.data for e in reader.read_all()] == ['{"n":1}']
        with pytest.raises(StorageError, match="read-only"):
            reader.append(Commit(stream_id="s", expected_version=1, events=[new_event(2)]))
    finally:
        reader.close()


def test_options_with_spaces_reach_the_server(fresh_schema: Callable[[], str]) -> None:
    """libpq options with spaces (``-c name=value``) arrive intact."""
    url = fresh_schema() + "&options=-c%20statement_timeout%3D4321"
    address = PostgresAddress.from_url(url)
    with psycopg.connect(address.conninfo, autocommit=True) as conn:
        assert conn.execute("SHOW statement_timeout").fetchone()[0] == "4321ms"


def test_claims_find_due_rows_through_their_indexes(
    storage: PostgresStorage, postgres_url: str
) -> None:
    """Claiming due timers and messages reads the ready-time indexes, never the whole table."""
    from datetime import timedelta

    from walletcare.ports import OutboundMessage, SetTimer
    from walletcare.testing.records import T0

    later = T0 + timedelta(days=30)
    for s in range(400):
        storage.append(
            Commit(
                stream_id=f"s{s}",
                expected_version=0,
                timers=[SetTimer(name="t", due_at=T0 if s < 3 else later)],
                messages=[
                    OutboundMessage(
                        id=f"m{s}",
                        stream_id=f"s{s}",
                        channel="sms",
                        recipient="r",
                        template="t",
                        body="b",
                        due_at=T0 if s < 3 else later,
                    )
                ],
            )
        )
    with admin(postgres_url) as conn:
        conn.execute(f'ANALYZE "{storage.schema}".timers, "{storage.schema}".outbox'.encode())
        literal = psycopg.ClientCursor(conn)
        plans = {
            statement: "\n".join(
                row[0]
                for row in conn.execute(
                    "EXPLAIN "
                    + literal.mogrify(getattr(storage._sql, statement), (T0, 10, later, "tok"))
                ).fetchall()
            )
            for statement in ("claim_timers", "claim_messages")
        }
    assert "timers_by_ready" in plans["claim_timers"], plans["claim_timers"]
    assert "outbox_by_ready" in plans["claim_messages"], plans["claim_messages"]
    assert len(storage.claim_due_timers(T0, 10, timedelta(minutes=5))) == 3
    assert len(storage.claim_due_messages(T0, 10, timedelta(minutes=5))) == 3


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        ("SerializationFailure", "ConcurrencyConflict"),
        ("DeadlockDetected", "ConcurrencyConflict"),
        ("UniqueViolation", "ConcurrencyConflict"),
        ("AdminShutdown", "StorageError"),
        ("DiskFull", "StorageError"),
    ],
)
def test_driver_errors_are_translated(error: str, expected: str) -> None:
    """Serialisation failures, deadlocks and unique violations conflict; the rest is storage."""
    from psycopg import errors as pg

    from walletcare.adapters.postgres.driver_errors import translate

    translated = translate(getattr(pg, error)("from the server"), "appending", "s")
    assert type(translated).__name__ == expected


def test_serializable_sessions_conflict_cleanly(fresh_schema: Callable[[], str]) -> None:
    """Under SERIALIZABLE, racing appends fail as ConcurrencyConflict and retries lose nothing."""
    from walletcare.errors import ConcurrencyConflict

    url = fresh_schema() + "&options=-c%20default_transaction_isolation%3Dserializable"
    storage = PostgresStorage.from_url(url)

    def writer() -> None:
        for _ in range(10):
            while True:
                version = storage.stream_version("shared")
                try:
                    storage.append(
                        Commit(stream_id="shared", expected_version=version, events=[new_event()])
                    )
                    break
                except ConcurrencyConflict:
                    continue

    try:
        threads = [threading.Thread(target=writer) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        versions = [e.stream_version for e in storage.read_stream("shared")]
        assert versions == list(range(1, 41))
        positions = [e.position for e in storage.read_all()]
        assert positions == sorted(positions) and len(positions) == 40
    finally:
        storage.close()


def test_a_batch_is_one_transaction(storage: PostgresStorage) -> None:
    """append_many writes its commits in one transaction: a failure that is not a refusal
    (here a NUL byte, which is no PostgreSQL text) writes none of them, earlier ones too."""
    storage.append(Commit(stream_id="a", expected_version=0, events=[new_event(1)]))
    with pytest.raises(StorageError):
        storage.append_many(
            [
                Commit(stream_id="c", expected_version=0, events=[new_event(2)]),
                Commit(stream_id="a", expected_version=1, events=[new_event(3)]),
                Commit(
                    stream_id="d",
                    expected_version=0,
                    events=[attrs.evolve(new_event(4), data='{"n":"\x00"}')],
                ),
            ]
        )
    assert storage.read_stream("c") == [] and storage.read_stream("d") == []
    assert storage.stream_version("a") == 1
    assert [e.stream_id for e in storage.read_all()] == ["a"]
