"""R-LED-1: on PostgreSQL the application role gets exactly the privileges docs/operations.md
lists (run here as written): with them every daily command works, and it can append to the
ledger but never update or delete it."""

from __future__ import annotations

import re
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient

from ledger.api.app import create_app
from ledger.application import Actor
from ledger.bootstrap import init_ledger, open_ledger, upgrade_ledger
from ledger.config import DatabaseURL, Settings
from ledger.errors import NotReady, Unreachable
from ledger.storage import migrations
from ledger.storage.db import create_db_engine
from ledger.storage.schema import grant_statements
from ledger.stores.credentials import Credentials
from tests.cli import run_celltrace
from tests.conftest import pg_url
from tests.specimen import Specimen

pytestmark = pytest.mark.postgres

OPERATIONS = Path(__file__).resolve().parents[2] / "docs" / "operations.md"


def _connect(db: DatabaseURL) -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(
        host=db.host,
        port=db.port,
        user=db.user,
        password=db.password,
        dbname=db.dbname,
        autocommit=True,
    )


def _doc_sql(title: str) -> list[str]:
    """The statements of the ```sql block of docs/operations.md headed `-- celltrace: title`."""
    text = OPERATIONS.read_text("utf-8")
    blocks = re.findall(r"```sql\n(.*?)```", text, flags=re.DOTALL)
    chosen = [b for b in blocks if b.startswith(f"-- celltrace: {title}\n")]
    assert len(chosen) == 1, f"docs/operations.md needs one sql block '-- celltrace: {title}'"
    body = "\n".join(line for line in chosen[0].splitlines() if not line.startswith("--"))
    return [f"{part.strip()};" for part in body.split(";") if part.strip()]


def test_r_led_1_the_documented_grants_are_exactly_what_init_grant_to_runs() -> None:
    # Given the grants docs/operations.md lists, When compared with `init --grant-to`'s
    # Then they are the same statements, in the same order (the page cannot drift)
    assert _doc_sql("application role grants") == grant_statements("celltrace_app", "celltrace")


def test_init_grant_to_an_unknown_role_is_refused_before_anything_is_written(
    pg_settings: Settings,
) -> None:
    # When init is asked to grant a role the server does not have
    result = run_celltrace(
        pg_settings.data_dir,
        "init",
        "--grant-to",
        "no_such_role",
        database_url=pg_settings.database_url,
    )
    # Then exit 2 names the role and how to create it, and no table (nor key) was made
    assert result.returncode == 2, result.stdout + result.stderr
    assert "has no role no_such_role" in result.stderr
    assert "CREATE ROLE no_such_role LOGIN" in result.stderr
    with _connect(pg_settings.database) as conn:
        assert conn.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
        ).fetchone() == (0,)
    assert not pg_settings.data_dir.exists()


def test_init_grant_to_on_sqlite_is_a_usage_error(tmp_path: Path) -> None:
    result = run_celltrace(tmp_path, "init", "--grant-to", "celltrace_app")
    assert result.returncode == 2
    assert "applies to PostgreSQL only" in result.stderr
    assert not (tmp_path / "ledger.db").exists()


@pytest.fixture
def documented_roles(pg_admin: DatabaseURL) -> Iterator[dict[str, DatabaseURL]]:
    """The administrator's SQL of docs/operations.md, run as a superuser with unique names;
    yields the owner's and the application role's database URLs, and drops it all after."""
    suffix = uuid.uuid4().hex[:8]
    names = {
        "celltrace_owner": f"ct_owner_{suffix}",
        "celltrace_app": f"ct_app_{suffix}",
        "celltrace": f"ct_ledger_{suffix}",
    }
    statements = [_renamed(statement, names) for statement in _doc_sql("administrator")]
    admin = _connect(pg_admin)
    try:
        for statement in statements:
            admin.execute(statement.encode())
        yield {
            role: replace(pg_admin, user=names[role], password=password, dbname=names["celltrace"])
            for role, password in (
                ("celltrace_owner", "change-me-owner"),
                ("celltrace_app", "change-me-app"),
            )
        }
    finally:
        admin.execute(f"DROP DATABASE IF EXISTS {names['celltrace']} WITH (FORCE)".encode())
        for role in ("celltrace_app", "celltrace_owner"):
            admin.execute(f"DROP ROLE IF EXISTS {names[role]}".encode())
        admin.close()


def _renamed(statement: str, names: dict[str, str]) -> str:
    for documented, unique in names.items():  # longest names first: owner, app, database
        statement = re.sub(rf"\b{documented}\b", unique, statement)
    return statement


def test_r_led_1_least_privilege_as_documented(
    documented_roles: dict[str, DatabaseURL], tmp_path: Path
) -> None:
    # Given the roles and database made by the administrator's SQL of docs/operations.md,
    # and a ledger the owner filled (demo) and then granted with `init --grant-to`
    owner, app = documented_roles["celltrace_owner"], documented_roles["celltrace_app"]
    data = tmp_path / "owner"
    _ok(run_celltrace(data, "demo", database_url=pg_url(owner)))
    _ok(run_celltrace(data, "init", "--grant-to", app.user, database_url=pg_url(owner)))
    vial = _one_vial(owner)
    # When the application role, on another host with the same keys, does the daily work
    env = {"CELLTRACE_KEYS_DIR": str(data / "keys")}
    host = tmp_path / "app-host"

    def as_app(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return _ok(run_celltrace(host, *args, database_url=pg_url(app), env=env, stdin=stdin))

    person = as_app("users", "add", "--role", "qa", "--password-stdin", stdin="a long password\n")
    code = person.stdout.strip()
    as_app("worker", "--once")
    as_app("checkpoint")
    verified = as_app("verify")
    traced = as_app("trace", vial)
    # Then each succeeded: the new person is in the ledger, verified and traceable
    assert "Intact:" in verified.stdout
    assert vial in traced.stdout
    # And the API, as the application role, signs the new person in and answers a read
    settings = Settings(data_dir=host, database_url=pg_url(app), keys_dir_setting=data / "keys")
    with TestClient(create_app(settings)) as client:
        signed_in = client.post(
            "/api/v1/auth/token", data={"username": code, "password": "a long password"}
        )
        assert signed_in.status_code == 200, signed_in.text
        token = signed_in.json()["access_token"]
        item = client.get(f"/api/v1/items/{vial}", headers={"Authorization": f"Bearer {token}"})
        assert item.status_code == 200, item.text
        assert item.json()["code"] == vial
    # And after an upgrade that needs the items read model rebuilt (here: the owner takes a
    # column away, as an earlier release's table lacked it), the application role, which may
    # not drop tables, is refused with what to run, and changes nothing
    with _connect(owner) as conn:
        conn.execute(b"ALTER TABLE items DROP COLUMN site")
    refused = run_celltrace(host, "worker", "--once", database_url=pg_url(app), env=env)
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "The items read model was made by an earlier release" in refused.stderr
    assert "(it lacks site)" in refused.stderr and "init --grant-to" in refused.stderr
    with pytest.raises(NotReady, match="as the database's owner"):
        create_app(settings)
    # And once the owner has run init again (as after every upgrade), which rebuilds it, the
    # application role's worker fills it again and the API answers from it
    _ok(run_celltrace(data, "init", "--grant-to", app.user, database_url=pg_url(owner)))
    as_app("worker", "--once")
    with TestClient(create_app(settings)) as client:
        headers = {"Authorization": f"Bearer {token}"}
        listed = client.get("/api/v1/items", params={"q": vial}, headers=headers)
        assert [row["code"] for row in listed.json()["items"]] == [vial], listed.text
    # And when a release needs a kept table changed (here: the owner takes the schema back a
    # revision), the application role, which may not alter tables, is refused with what to
    # run; the owner's `celltrace upgrade` (upgrade_ledger) brings it forward again
    owner_settings = Settings(data_dir=data, database_url=pg_url(owner))
    owner_engine, app_engine = create_db_engine(owner_settings), create_db_engine(settings)
    try:
        migrations.downgrade(owner_engine, migrations.LEDGER, "0001")
        with pytest.raises(Unreachable, match="run `celltrace upgrade` as the database owner"):
            Credentials(app_engine).create_tables()
        assert upgrade_ledger(owner_settings).ledger == ("0001", migrations.head("ledger"))
        Credentials(create_db_engine(settings)).create_tables()
    finally:
        owner_engine.dispose()
        app_engine.dispose()
    # And the application role can neither change nor remove what was recorded
    with _connect(app) as conn:
        for table in ("stored_events", "log_checkpoints", "log_identity", "merkle_leaves"):
            for statement in (
                f"UPDATE {table} SET {_a_column(table)} = NULL",
                f"DELETE FROM {table}",
            ):
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    conn.execute(statement.encode())


def _ok(result: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert result.returncode == 0, f"{result.args}: {result.stdout}{result.stderr}"
    return result


def _one_vial(db: DatabaseURL) -> str:
    with _connect(db) as conn:
        row = conn.execute(
            "SELECT code FROM items WHERE item_type = 'PVL' ORDER BY code"
        ).fetchone()
    assert row is not None
    return str(row[0])


def _a_column(table: str) -> str:
    return {"stored_events": "topic", "log_checkpoints": "note", "log_identity": "recorded_at"}.get(
        table, "event_hash"
    )


def test_r_led_1_even_the_owner_cannot_update_or_delete_through_the_triggers(
    pg_settings: Settings,
) -> None:
    # Given a ledger with one event
    init_ledger(pg_settings)
    app = open_ledger(pg_settings)
    with app.command(Actor("PER-APP", "operator")):
        item = Specimen("item")
    app.record(item)
    app.close()
    # When the owning role tries to edit or delete it, Then the triggers refuse (R-LED-1)
    with _connect(pg_settings.database) as conn:
        for sql in ("UPDATE stored_events SET topic = 'x'", "DELETE FROM stored_events"):
            with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
                conn.execute(sql)
