"""R-LED-3: eventsourcing's own recorder test cases pass against both hash-chain recorders."""

from __future__ import annotations

from pathlib import Path

import pytest
from eventsourcing.persistence import ApplicationRecorder
from eventsourcing.postgres import PostgresDatastore
from eventsourcing.sqlite import SQLiteDatastore
from eventsourcing.tests.persistence import ApplicationRecorderTestCase

from ledger.config import DatabaseURL
from ledger.integrity.pg_recorder import HashChainPostgresRecorder
from ledger.integrity.recorders import HashChainSQLiteRecorder


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

    @pytest.fixture(autouse=True)
    def _database(self, pg_database: DatabaseURL) -> None:
        """A fresh database per test from the session's one PostgreSQL fixture."""
        self.db = pg_database

    def setUp(self) -> None:
        super().setUp()
        self.datastores: list[PostgresDatastore] = []

    def tearDown(self) -> None:
        for datastore in self.datastores:
            datastore.close()
        super().tearDown()

    def create_recorder(self) -> ApplicationRecorder:
        datastore = PostgresDatastore(
            dbname=self.db.dbname,
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
