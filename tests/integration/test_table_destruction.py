"""R-LED-9: PostgreSQL refuses TRUNCATE of the event store, the checkpoints and the Merkle log
(statement-level triggers; row-level ones do not fire on TRUNCATE), and a verification of an
emptied or shortened ledger says what it cannot prove, failing when the database itself still
remembers a longer ledger."""

from __future__ import annotations

import json

import psycopg
import pytest
from typer.testing import CliRunner

from ledger.application import Actor
from ledger.bootstrap import init_ledger, open_ledger
from ledger.cli.main import app as cli
from ledger.config import DatabaseURL, Settings
from tests.attacker import Attacker
from tests.cli import run_celltrace, run_in_process
from tests.specimen import Specimen

LEDGER_TABLES = ("stored_events", "log_checkpoints", "merkle_leaves", "merkle_nodes")


run = run_in_process


def record_and_checkpoint(settings: Settings) -> None:
    """Given a ledger of 6 events, integrated into the Merkle log and signed."""
    init_ledger(settings)
    app = open_ledger(settings)
    for n in range(3):
        with app.command(Actor("PER-TEST", "operator")):
            specimen = Specimen(f"specimen {n}")
            specimen.annotate("thawed")
        app.record(specimen)
    app.close()
    code, out = run(settings, "checkpoint")
    assert code == 0, out


def connect(db: DatabaseURL) -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(
        host=db.host,
        port=db.port,
        user=db.user,
        password=db.password,
        dbname=db.dbname,
        autocommit=True,
    )


@pytest.mark.postgres
@pytest.mark.parametrize("table", LEDGER_TABLES)
def test_r_led_9_postgres_refuses_truncate_even_for_the_owner(
    pg_settings: Settings, table: str
) -> None:
    record_and_checkpoint(pg_settings)
    # When the owning role truncates a ledger table, Then PostgreSQL refuses
    with connect(pg_settings.database) as conn:
        with pytest.raises(psycopg.errors.RaiseException, match=r"append-only|truncated"):
            conn.execute(f"TRUNCATE {table}")
        # And nothing was removed
        count = conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()
        assert count is not None and count[0] > 0


@pytest.mark.postgres
def test_r_led_9_an_existing_database_gets_the_truncate_guard_on_the_next_init(
    pg_settings: Settings,
) -> None:
    # Given a ledger created before the guards existed (their triggers absent)
    record_and_checkpoint(pg_settings)
    with connect(pg_settings.database) as conn:
        for table in LEDGER_TABLES:
            conn.execute(f"DROP TRIGGER {table}_no_truncate ON {table}")
    # When `celltrace init` runs again
    assert run(pg_settings, "init")[0] == 0
    # Then every ledger table refuses TRUNCATE
    with connect(pg_settings.database) as conn:
        for table in LEDGER_TABLES:
            with pytest.raises(psycopg.errors.RaiseException):
                conn.execute(f"TRUNCATE {table}")


def test_r_led_9_emptied_ledger_fails_when_its_read_models_remember_it(
    settings: Settings,
) -> None:
    # Given a signed ledger, When the event store, checkpoints and Merkle log are emptied
    record_and_checkpoint(settings)
    Attacker(settings.database).empty_tables(*LEDGER_TABLES)
    # Then verify fails: the Merkle log's tracking position remembers record 6
    code, out = run(settings, "verify", "--json")
    report = json.loads(out)
    assert code == 1, report
    assert report["break"]["kind"] == "truncated"
    assert "up to record 6" in report["break"]["message"]
    assert "the ledger is empty" in report["break"]["message"]


def test_r_led_9_empty_ledger_without_an_anchor_says_it_proves_nothing(
    sqlite_settings: Settings,
) -> None:
    # Given a new ledger, When it is verified without a kept chain head or checkpoint
    init_ledger(sqlite_settings)
    code, out = run(sqlite_settings, "verify")
    # Then it is intact (nothing contradicts it) and says plainly what it cannot prove
    assert code == 0, out
    assert "the ledger is empty" in out
    assert "nothing can be proven about earlier history" in out


def test_r_led_9_intact_ledger_without_an_anchor_names_what_is_unproven(
    sqlite_settings: Settings,
) -> None:
    record_and_checkpoint(sqlite_settings)
    code, out = run(sqlite_settings, "verify", "--json")
    report = json.loads(out)
    assert code == 0, report
    assert "not that no events were removed after them" in report["caveat"]
    # And with an anchor kept outside the system there is no caveat
    head = report["chain_head"]
    assert (
        json.loads(run(sqlite_settings, "verify", "--json", "--chain-head", head)[1])["caveat"]
        is None
    )


def test_r_led_9_dropped_event_table_is_a_truncation_not_a_traceback(
    sqlite_settings: Settings,
) -> None:
    # Given a signed ledger, When its event table is dropped
    record_and_checkpoint(sqlite_settings)
    Attacker(sqlite_settings.database).run("DROP TABLE stored_events")
    # Then verify reports the truncation (the Merkle log remembers 6 events), exit 1
    code, out = run(sqlite_settings, "verify", "--json")
    assert code == 1, out
    assert json.loads(out)["break"]["kind"] == "truncated"


def test_verify_of_an_unreadable_sqlite_file_exits_3_without_a_traceback(
    sqlite_settings: Settings,
) -> None:
    # Given a file where the ledger should be that is not a database
    sqlite_settings.data_dir.mkdir(parents=True)
    assert sqlite_settings.database.sqlite_path is not None
    sqlite_settings.database.sqlite_path.write_bytes(b"not a database" * 100)
    # When verified / Then exit 3 (cannot read), with a sentence and no traceback
    result = CliRunner().invoke(
        cli,
        ["verify"],
        env={
            "CELLTRACE_DATABASE_URL": sqlite_settings.database_url,
            "CELLTRACE_DATA_DIR": str(sqlite_settings.data_dir),
        },
    )
    assert result.exit_code == 3, result.output
    assert "cannot read the ledger" in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.mark.postgres
def test_verify_with_a_wrong_password_exits_3(pg_settings: Settings) -> None:
    # Given the right server but a wrong password
    db = pg_settings.database
    url = f"postgresql://{db.user}:wrong-password@{db.host}:{db.port}/{db.dbname}"
    result = run_celltrace(pg_settings.data_dir, "verify", "--json", database_url=url)
    # Then exit 3, never 1 (nothing about tampering is known), with one line saying why
    assert result.returncode == 3, result.stdout + result.stderr
    assert "password" in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
