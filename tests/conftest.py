"""Shared fixtures: a real SQLite file per test, and a fresh real PostgreSQL database per test.

PostgreSQL comes from CELLTRACE_TEST_POSTGRES_URL (default: the server `.ci/run` starts).
Without a reachable server the `postgres` tests skip, except under CI=true where they fail.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import hypothesis
import psycopg
import pytest
from psycopg import sql

from ledger.config import DatabaseURL, Settings

# Property tests are bounded by example counts, not by time: a busy machine is slower, never red.
hypothesis.settings.register_profile("celltrace", deadline=None)
hypothesis.settings.load_profile("celltrace")

# Test ledgers hash passwords with Argon2id's cheapest parameters (the processes the tests start
# inherit this); tests/unit/test_password_hashing.py checks the real default and its parameters.
os.environ.setdefault("CELLTRACE_PASSWORD_HASHING", "cheapest")

DEFAULT_PG_URL = "postgresql://celltrace:celltrace@127.0.0.1:5432/postgres"


def _admin_url() -> str:
    return os.environ.get("CELLTRACE_TEST_POSTGRES_URL", DEFAULT_PG_URL)


def _pg_conninfo(db: DatabaseURL) -> str:
    return psycopg.conninfo.make_conninfo(
        host=db.host, port=db.port, user=db.user, password=db.password, dbname=db.dbname
    )


@pytest.fixture(scope="session")
def pg_admin() -> DatabaseURL:
    db = DatabaseURL.parse(_admin_url())
    try:
        with psycopg.connect(_pg_conninfo(db), connect_timeout=3):
            pass
    except psycopg.OperationalError as exc:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true but PostgreSQL is not reachable at {db.host}:{db.port}: {exc}")
        pytest.skip(f"no PostgreSQL server reachable at {db.host}:{db.port}")
    return db


@contextmanager
def new_pg_database(admin: DatabaseURL) -> Iterator[DatabaseURL]:
    """A new, empty PostgreSQL database on the admin's server, dropped afterwards."""
    name = f"celltrace_t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_pg_conninfo(admin), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield replace(admin, dbname=name)
    finally:
        with psycopg.connect(_pg_conninfo(admin), autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@pytest.fixture
def pg_database(pg_admin: DatabaseURL) -> Iterator[DatabaseURL]:
    """A new, empty PostgreSQL database for one test, dropped afterwards."""
    with new_pg_database(pg_admin) as db:
        yield db


def pg_url(db: DatabaseURL) -> str:
    return (
        f"postgresql://{db.user}:{db.password}@{db.host}:{db.port}/{db.dbname}"
        if db.password
        else f"postgresql://{db.user}@{db.host}:{db.port}/{db.dbname}"
    )


@pytest.fixture
def sqlite_settings(tmp_path: Path) -> Settings:
    data = tmp_path / "data"
    return Settings(data_dir=data, database_url=f"sqlite:///{data / 'ledger.db'}")


@pytest.fixture
def pg_settings(tmp_path: Path, pg_database: DatabaseURL) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=pg_url(pg_database))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def settings(request: pytest.FixtureRequest) -> Settings:
    """Run a test once on an SQLite file and once on PostgreSQL."""
    name = "sqlite_settings" if request.param == "sqlite" else "pg_settings"
    value = request.getfixturevalue(name)
    assert isinstance(value, Settings)
    return value
