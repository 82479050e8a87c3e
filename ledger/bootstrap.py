"""Wiring: create the database tables and signing keys, and open the ledger application."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ledger import keys, personal_data
from ledger.application import CellTraceLedger, Clock, utc_now
from ledger.config import Settings
from ledger.db import create_db_engine


@dataclass(frozen=True)
class InitResult:
    database: str
    log_key: Path
    label_key: Path
    created_keys: tuple[str, ...]


def init_ledger(settings: Settings) -> InitResult:
    """Create database, tables and keys; safe to run again (idempotent)."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    created = []
    for name in (keys.LOG_KEY, keys.LABEL_KEY):
        path = settings.keys_dir / name
        if not path.exists():
            created.append(name)
        keys.load_or_create(path)
    app = CellTraceLedger(settings, create_tables=True)
    app.close()
    _create_log_tables(settings)
    key_store = personal_data.open_key_store(settings)
    try:
        personal_data.prepare_key_store(settings, key_store)
    finally:
        key_store.dispose()
    return InitResult(
        database=describe_database(settings),
        log_key=settings.keys_dir / keys.LOG_KEY,
        label_key=settings.keys_dir / keys.LABEL_KEY,
        created_keys=tuple(created),
    )


def _create_log_tables(settings: Settings) -> None:
    """The Merkle log and checkpoint tables with their append-only and no-truncate triggers,
    so an existing database gets new guards on the next `celltrace init`."""
    from ledger.integrity.checkpoints import Checkpoints
    from ledger.projections.merkle import MerkleView

    engine = create_db_engine(settings)
    try:
        MerkleView(engine).create_tables()
        Checkpoints(settings, engine).create_tables()
    finally:
        engine.dispose()


def open_ledger(settings: Settings, *, clock: Clock = utc_now) -> CellTraceLedger:
    """The one place that builds the application (on SQLite it creates missing tables)."""
    return CellTraceLedger(settings, clock=clock)


def describe_database(settings: Settings) -> str:
    db = settings.database
    if db.backend == "sqlite":
        return f"SQLite file {db.sqlite_path}"
    return f"PostgreSQL database {db.dbname} on {db.host}:{db.port}"
