"""SQLAlchemy engines on the ledger's own database, for read models and side tables."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text

from ledger.config import CONNECT_TIMEOUT_SECONDS, Settings


def create_db_engine(settings: Settings, *, durable: bool = True, **kwargs: Any) -> Engine:
    """An engine on the same database as the event store (SQLite file or PostgreSQL).

    `durable=False` (read models only) lets SQLite commit without fsync in WAL mode.
    """
    db = settings.database
    if db.backend == "sqlite":
        assert db.sqlite_path is not None
        db.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            db.sqlalchemy_url(), connect_args={"timeout": 30, "check_same_thread": False}, **kwargs
        )

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            if not durable:
                cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    connect_args = {"connect_timeout": CONNECT_TIMEOUT_SECONDS}
    return create_engine(
        db.sqlalchemy_url(), pool_pre_ping=True, connect_args=connect_args, **kwargs
    )


def describe_database(settings: Settings) -> str:
    db = settings.database
    if db.backend == "sqlite":
        return f"SQLite file {db.sqlite_path}"
    return f"PostgreSQL database {db.dbname} on {db.host}:{db.port}"


SCHEMA_LOCK_KEY = 0x43454C4C  # "CELL": processes creating or changing tables take turns


@contextmanager
def schema_turn(engine: Engine) -> Iterator[Connection]:
    """A connection in a transaction that one process creating or changing tables holds at a
    time: SQLite's write lock, or PostgreSQL's schema advisory lock (the recorders take it
    too). The caller commits."""
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": SCHEMA_LOCK_KEY})
        yield conn
