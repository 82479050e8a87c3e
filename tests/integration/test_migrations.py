"""Schema migrations of the kept tables (docs/operations.md "Upgrading"): the revisions make
exactly the tables the code uses, go down and up again without losing a row, adopt the databases
release 0.1.0 made (tests/data/ledgers), and `celltrace upgrade` runs them; on SQLite and
PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, MetaData, create_engine, func, inspect, select, text

from ledger.bootstrap import upgrade_ledger
from ledger.config import DatabaseURL, Settings
from ledger.integrity.checkpoints import log_checkpoints
from ledger.integrity.log_identity import log_identity
from ledger.storage import migrations
from ledger.storage.db import create_db_engine
from ledger.stores import personal_data
from ledger.stores.access_log import access_log_table
from ledger.stores.credentials import credentials_table, sessions_table, throttles_table
from ledger.stores.printers import printers_table
from tests.conftest import new_pg_database, pg_url
from tests.old_ledgers import fixtures, unpack_postgres, unpack_sqlite

KEPT = (
    log_checkpoints,
    log_identity,
    credentials_table,
    sessions_table,
    throttles_table,
    access_log_table,
    printers_table,
)


def _kept_metadata() -> MetaData:
    md = MetaData()
    for table in KEPT:
        table.to_metadata(md)
    return md


def _differences(engine: Engine, md: MetaData, schema: str | None = None) -> list[Any]:
    """What the database lacks or has beyond `md`'s tables (Alembic's autogenerate compare)."""
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={
                "compare_type": True,
                "include_name": lambda name, kind, parent: kind != "table" or name in md.tables,
            },
        )
        found = compare_metadata(context, md)
    return [d for d in found if schema is None or d]


def _indexes(engine: Engine) -> set[str]:
    return {str(i["name"]) for i in inspect(engine).get_indexes("sessions")}


def test_revisions_make_exactly_the_tables_the_code_uses(settings: Settings) -> None:
    """A table the code changes without a revision (or a revision the code does not follow)
    is found here."""
    engine = create_db_engine(settings)
    try:
        assert migrations.upgrade(engine, migrations.LEDGER) == (None, migrations.head("ledger"))
        assert _differences(engine, _kept_metadata()) == []
    finally:
        engine.dispose()


def test_downgrade_and_upgrade_again_keep_every_row(settings: Settings) -> None:
    engine = create_db_engine(settings)
    try:
        migrations.upgrade(engine, migrations.LEDGER)
        with engine.begin() as conn:
            conn.execute(
                sessions_table.insert().values(
                    token_sha256=b"t" * 32, person_code="PER-1", role="qa", expires_at="2030"
                )
            )
        assert "sessions_by_person" in _indexes(engine)
        assert migrations.downgrade(engine, migrations.LEDGER, "0001") == ("0002", "0001")
        assert "sessions_by_person" not in _indexes(engine)
        assert migrations.current(engine, migrations.LEDGER) == "0001"
        assert migrations.upgrade(engine, migrations.LEDGER) == ("0001", "0002")
        assert "sessions_by_person" in _indexes(engine)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT person_code FROM sessions")).scalars().all() == [
                "PER-1"
            ]
        assert migrations.upgrade(engine, migrations.LEDGER) == ("0002", "0002")  # idempotent
    finally:
        engine.dispose()


def test_the_first_revision_is_never_removed(sqlite_settings: Settings) -> None:
    engine = create_db_engine(sqlite_settings)
    try:
        migrations.upgrade(engine, migrations.LEDGER)
        with pytest.raises(NotImplementedError, match="restore a backup"):
            migrations.downgrade(engine, migrations.LEDGER, "base")
        assert migrations.current(engine, migrations.LEDGER) == "0002"
    finally:
        engine.dispose()


def _counts(engine: Engine, tables: list[str]) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            t: int(conn.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar_one()) for t in tables
        }


ROWS = ["credentials", "log_checkpoints", "log_identity", "access_log"]


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def test_release_0_1_0_databases_are_adopted(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """A database 0.1.0 made (no revision recorded) is brought to the newest revision by
    `upgrade_ledger` with every row kept, and then matches the code's tables."""
    fixture = next(f for f in fixtures() if f.parent.name == "0.1.0" and f.name == backend)
    data = tmp_path / "data"
    if backend == "sqlite":
        unpack_sqlite(fixture, data)
        _adopt(Settings(data_dir=data, database_url=f"sqlite:///{data / 'ledger.db'}"))
        return
    admin: DatabaseURL = request.getfixturevalue("pg_admin")
    with new_pg_database(admin) as db:
        unpack_postgres(fixture, data, db)
        _adopt(Settings(data_dir=data, database_url=pg_url(db)))


def _adopt(settings: Settings) -> None:
    engine = create_db_engine(settings)
    key_store = personal_data.open_key_store(settings)
    try:
        assert migrations.current(engine, migrations.LEDGER) is None
        before = _counts(engine, ROWS)
        assert before["credentials"] > 0 and before["log_checkpoints"] > 0
        upgraded = upgrade_ledger(settings)
        assert upgraded.ledger == (None, "0002")
        assert upgraded.key_store == (None, "k0001")
        assert _counts(engine, ROWS) == before
        assert _differences(engine, _kept_metadata()) == []
        assert "sessions_by_person" in _indexes(engine)
        with key_store.connect() as conn:
            keys = conn.execute(select(func.count()).select_from(personal_data.keys_table))
            assert keys.scalar_one() > 0
        assert upgrade_ledger(settings).ledger == ("0002", "0002")
    finally:
        engine.dispose()
        key_store.dispose()


def test_key_store_revisions_make_its_tables(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'keys.db'}")
    try:
        assert migrations.upgrade(engine, migrations.KEY_STORE) == (None, "k0001")
        assert _differences(engine, personal_data.metadata) == []
    finally:
        engine.dispose()


@pytest.mark.parametrize("which", [migrations.LEDGER, migrations.KEY_STORE])
def test_the_known_head_is_the_newest_revision_file(which: migrations.Database) -> None:
    """The head a process checks against without loading Alembic is the revisions' own."""
    assert migrations.head(which) == migrations.script_head(which)
