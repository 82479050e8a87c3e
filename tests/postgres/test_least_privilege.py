"""R-LED-1: on PostgreSQL the application's role needs only SELECT and INSERT on the ledger
table (and USAGE on its id sequence); with it the ledger appends, and cannot update or delete."""

from __future__ import annotations

import uuid

import psycopg
import pytest

from ledger.application import Actor
from ledger.bootstrap import init_ledger, open_ledger
from ledger.config import DatabaseURL, Settings
from ledger.integrity.verify import verify_database
from tests.conftest import pg_url
from tests.specimen import Specimen

pytestmark = pytest.mark.postgres


def _connect(db: DatabaseURL) -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(
        host=db.host,
        port=db.port,
        user=db.user,
        password=db.password,
        dbname=db.dbname,
        autocommit=True,
    )


def test_r_led_1_app_role_with_only_select_and_insert_appends_and_verifies(
    pg_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # Given the owner created the ledger, and a role with SELECT and INSERT only
    init_ledger(pg_settings)
    owner = pg_settings.database
    role = f"ct_app_{uuid.uuid4().hex[:8]}"
    with _connect(owner) as conn:
        conn.execute(f"CREATE ROLE {role} LOGIN PASSWORD 'app'")
        conn.execute(f"GRANT SELECT, INSERT ON stored_events TO {role}")
        conn.execute(f"GRANT USAGE ON SEQUENCE stored_events_notification_id_seq TO {role}")
    app_db = DatabaseURL(
        backend="postgres",
        host=owner.host,
        port=owner.port,
        user=role,
        password="app",
        dbname=owner.dbname,
    )
    settings = Settings(data_dir=tmp_path_factory.mktemp("app"), database_url=pg_url(app_db))
    try:
        # When that role records steps
        app = open_ledger(settings)
        for n in range(3):
            with app.command(Actor("PER-APP", "operator")):
                item = Specimen(f"item {n}")
                item.annotate("second step")
            app.record(item)
        app.close()
        # Then they were appended and the chain verifies
        report = verify_database(settings.database)
        assert report.intact and report.events == 6
        # And the role can neither change nor remove what was written
        with _connect(app_db) as conn:
            for sql in ("UPDATE stored_events SET topic = 'x'", "DELETE FROM stored_events"):
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    conn.execute(sql)
    finally:
        with _connect(owner) as conn:
            conn.execute(f"DROP OWNED BY {role}")
            conn.execute(f"DROP ROLE {role}")


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
