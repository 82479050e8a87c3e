"""Exit code 3 (DESIGN.md "Contracts added for the second release"): when PostgreSQL cannot be
reached or used, every command says in one line on stderr what failed and what to do, with no
traceback, and never exits 1 (which means tampering). `init` creates a missing database."""

from __future__ import annotations

import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from ledger.config import DatabaseURL
from tests.cli import run_celltrace
from tests.conftest import _pg_conninfo, pg_url

pytestmark = pytest.mark.postgres

VIAL = "PVL-F01-26-000042-7"
COMMANDS = (("verify",), ("init",), ("trace", VIAL), ("worker", "--once"), ("label", VIAL))


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _one_line_error(result: subprocess.CompletedProcess[str], *expected: str) -> None:
    assert result.returncode == 3, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    for text in expected:
        assert text in lines[0], lines[0]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_unreachable_server_exits_3_in_one_line(
    command: tuple[str, ...], tmp_path: Path, pg_admin: DatabaseURL
) -> None:
    # Given a URL whose port nobody listens on
    port = _closed_port()
    url = f"postgresql://celltrace:x@127.0.0.1:{port}/celltrace"
    # When a command runs, Then it fails fast with exit 3, naming the server and what to do
    started = time.monotonic()
    result = run_celltrace(None, *command, database_url=url, cwd=tmp_path, timeout=60)
    _one_line_error(
        result,
        f"cannot connect to PostgreSQL at 127.0.0.1:{port}: connection refused",
        "CELLTRACE_DATABASE_URL",
    )
    assert time.monotonic() - started < 30


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_wrong_password_exits_3_in_one_line(
    command: tuple[str, ...], tmp_path: Path, pg_database: DatabaseURL
) -> None:
    # Given the right server and database but a wrong password
    url = pg_url(replace(pg_database, password="not-the-password"))
    # When a command runs, Then exit 3 says the password was refused
    result = run_celltrace(None, *command, database_url=url, cwd=tmp_path)
    _one_line_error(result, f"refused the password of role {pg_database.user}")


@pytest.mark.parametrize("command", COMMANDS[:1] + COMMANDS[2:], ids=lambda c: c[0])
def test_missing_database_exits_3_saying_init_creates_it(
    command: tuple[str, ...], tmp_path: Path, pg_admin: DatabaseURL
) -> None:
    # Given a database name that does not exist on the server
    name = f"celltrace_missing_{uuid.uuid4().hex[:8]}"
    url = pg_url(replace(pg_admin, dbname=name))
    # When a command other than init runs, Then exit 3 names the database and `celltrace init`
    result = run_celltrace(None, *command, database_url=url, cwd=tmp_path)
    _one_line_error(result, f"the database {name} does not exist", "celltrace init")


@pytest.fixture
def missing_database(pg_admin: DatabaseURL) -> Iterator[DatabaseURL]:
    """A database name that does not exist yet; dropped afterwards if a test created it."""
    db = replace(pg_admin, dbname=f"celltrace_new_{uuid.uuid4().hex[:8]}")
    yield db
    with psycopg.connect(_pg_conninfo(pg_admin), autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(db.dbname))
        )


def _database_exists(admin: DatabaseURL, name: str) -> bool:
    with psycopg.connect(_pg_conninfo(admin)) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
    return found is not None


def test_init_creates_a_missing_database(
    missing_database: DatabaseURL, pg_admin: DatabaseURL, tmp_path: Path
) -> None:
    # When init runs against a database that does not exist
    result = run_celltrace(tmp_path / "data", "init", database_url=pg_url(missing_database))
    # Then it creates it and the ledger in it
    assert result.returncode == 0, result.stderr
    assert f"Database {missing_database.dbname} created on" in result.stdout
    assert _database_exists(pg_admin, missing_database.dbname)
    verified = run_celltrace(tmp_path / "data", "verify", database_url=pg_url(missing_database))
    assert verified.returncode == 0, verified.stderr


@pytest.fixture
def role_without_createdb(pg_admin: DatabaseURL) -> Iterator[DatabaseURL]:
    role = f"ct_nocreate_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(_pg_conninfo(pg_admin), autocommit=True) as conn:
        conn.execute(
            sql.SQL("CREATE ROLE {} LOGIN PASSWORD 'pw' NOCREATEDB").format(sql.Identifier(role))
        )
    yield replace(pg_admin, user=role, password="pw")
    with psycopg.connect(_pg_conninfo(pg_admin), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))


def test_init_without_createdb_exits_3_with_the_sql_to_run(
    role_without_createdb: DatabaseURL,
    missing_database: DatabaseURL,
    pg_admin: DatabaseURL,
    tmp_path: Path,
) -> None:
    # Given a role that may not create databases, and a database that does not exist
    db = replace(role_without_createdb, dbname=missing_database.dbname)
    # When it runs init
    result = run_celltrace(tmp_path / "data", "init", database_url=pg_url(db))
    # Then exit 3 gives the SQL an administrator runs, and nothing was created
    _one_line_error(
        result,
        f"CREATE DATABASE {db.dbname} OWNER {db.user};",
        "psql -U postgres",
        f"role {db.user} cannot create it",
    )
    assert not _database_exists(pg_admin, db.dbname)
    assert not (tmp_path / "data").exists()
