"""R-LED-3: eventsourcing's own recorder test cases pass against both hash-chain recorders."""

from __future__ import annotations

import os
from pathlib import Path

import psycopg
import pytest
from eventsourcing.persistence import ApplicationRecorder
from eventsourcing.postgres import PostgresDatastore
from eventsourcing.sqlite import SQLiteDatastore
from eventsourcing.tests.persistence import ApplicationRecorderTestCase

from ledger.config import DatabaseURL
from ledger.integrity.recorders import HashChainPostgresRecorder, HashChainSQLiteRecorder
from tests.conftest import DEFAULT_PG_URL


class TestRLed3HashChainSQLiteRecorderLibraryCases(
    ApplicationRecorderTestCase[ApplicationRecorder]
):
    """The library's ApplicationRecorderTestCase on a real SQLite file."""

    def setUp(self) -> None:
        super().setUp()
        import tempfile

        self._tmp = tempfile.TemporaryDirectory()
        self.db_path = Path(self._tmp.name) / "ledger.db"

    def tearDown(self) -> None:
        self._tmp.cleanup()
        super().tearDown()

    def create_recorder(self) -> ApplicationRecorder:
        recorder = HashChainSQLiteRecorder(SQLiteDatastore(str(self.db_path)))
        recorder.create_table()
        return recorder

    def test_insert_subscribe(self) -> None:
        self.optional_test_insert_subscribe()


@pytest.mark.postgres
class TestRLed3HashChainPostgresRecorderLibraryCases(
    ApplicationRecorderTestCase[ApplicationRecorder]
):
    """The library's ApplicationRecorderTestCase on a real PostgreSQL database."""

    def setUp(self) -> None:
        super().setUp()
        db = DatabaseURL.parse(os.environ.get("CELLTRACE_TEST_POSTGRES_URL", DEFAULT_PG_URL))
        self.admin = psycopg.conninfo.make_conninfo(
            host=db.host, port=db.port, user=db.user, password=db.password, dbname=db.dbname
        )
        try:
            conn = psycopg.connect(self.admin, autocommit=True, connect_timeout=3)
        except psycopg.OperationalError as exc:
            if os.environ.get("CI", "").lower() == "true":
                raise
            pytest.skip(f"no PostgreSQL server: {exc}")
        self.dbname = f"celltrace_lib_{os.getpid()}"
        with conn:
            conn.execute(f"DROP DATABASE IF EXISTS {self.dbname} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {self.dbname}")
        self.db = db
        self.datastores: list[PostgresDatastore] = []

    def tearDown(self) -> None:
        for datastore in self.datastores:
            datastore.close()
        with psycopg.connect(self.admin, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {self.dbname} WITH (FORCE)")
        super().tearDown()

    def create_recorder(self) -> ApplicationRecorder:
        datastore = PostgresDatastore(
            dbname=self.dbname,
            host=self.db.host,
            port=self.db.port,
            user=self.db.user,
            password=self.db.password,
            pool_size=4,
            max_overflow=8,
        )
        self.datastores.append(datastore)
        recorder = HashChainPostgresRecorder(datastore)
        recorder.create_table()
        return recorder

    def test_insert_subscribe(self) -> None:
        self.optional_test_insert_subscribe()
