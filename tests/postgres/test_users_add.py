"""R-PPL-1: `celltrace users add` registers a person only if their password can be stored too:
every check that can refuse the password runs before the ledger write (nothing half-written)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import psycopg
import pytest

from ledger.bootstrap import init_ledger
from ledger.config import DatabaseURL, Settings
from ledger.integrity.verify import LedgerReader
from ledger.storage.schema import grant_statements
from tests.cli import run_celltrace
from tests.conftest import _pg_conninfo, pg_url

pytestmark = pytest.mark.postgres


@pytest.fixture
def app_role_without_credentials(pg_settings: Settings) -> Iterator[DatabaseURL]:
    """A ledger, and an application role with every grant except INSERT on credentials."""
    init_ledger(pg_settings)
    owner = pg_settings.database
    role = f"ct_app_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(_pg_conninfo(owner), autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {role} LOGIN PASSWORD 'app'".encode())
        for statement in grant_statements(role, owner.dbname):
            conn.execute(statement.encode())
        conn.execute(f"REVOKE INSERT ON credentials FROM {role}".encode())
    yield replace(owner, user=role, password="app")
    with psycopg.connect(_pg_conninfo(owner), autocommit=True) as conn:
        conn.execute(f"DROP OWNED BY {role}".encode())
        conn.execute(f"DROP ROLE {role}".encode())


def test_r_ppl_1_users_add_registers_no_one_when_the_password_cannot_be_stored(
    app_role_without_credentials: DatabaseURL, pg_settings: Settings, tmp_path: Path
) -> None:
    # Given a role that may write the ledger but not the password store
    url = pg_url(app_role_without_credentials)
    before = LedgerReader(pg_settings.database).count()
    # When it adds a person with an acceptable password
    result = run_celltrace(
        tmp_path,
        "users",
        "add",
        "--role",
        "qa",
        "--password-stdin",
        database_url=url,
        stdin="a long password\n",
    )
    # Then exit 3 names the table and what to do, and no person was registered
    assert result.returncode == 3, result.stdout + result.stderr
    assert "permission denied for table credentials" in result.stderr
    assert "--grant-to" in result.stderr
    assert LedgerReader(pg_settings.database).count() == before


def test_r_ppl_1_users_add_registers_no_one_with_a_too_short_password(
    pg_settings: Settings, tmp_path: Path
) -> None:
    # Given a ledger
    init_ledger(pg_settings)
    before = LedgerReader(pg_settings.database).count()
    # When a person is added with a password shorter than the rule allows
    result = run_celltrace(
        tmp_path,
        "users",
        "add",
        "--role",
        "qa",
        "--password-stdin",
        database_url=pg_settings.database_url,
        stdin="short\n",
    )
    # Then exit 2 says the rule, and nothing was written
    assert result.returncode == 2, result.stdout + result.stderr
    assert "at least 10 characters" in result.stderr
    assert LedgerReader(pg_settings.database).count() == before
