"""R-LED-8, R-LED-6: erasing a person's identity leaves neither their key, nor their ciphertext,
nor their name in any file of the data directory - the ledger database, its -wal and -shm, the
key store and its journal - as an attacker carving the raw bytes would find them."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select, text
from typer.testing import CliRunner

from ledger.bootstrap import init_ledger
from ledger.cli.main import app as cli
from ledger.config import Settings
from ledger.storage.db import create_db_engine
from ledger.stores.personal_data import (
    KEY_STORE_FILE,
    PersonalData,
    PersonalDataVault,
    data_table,
    keys_table,
)
from tests.domain1 import NOW, staffed_ledger

ALICE = PersonalData("Zhang Wei-Lin", date(1990, 7, 14), "wl.zhang@example.org")
BOB = PersonalData("Li Na", None, "+86 21 5555 0101")


def secrets_of(vault: PersonalDataVault, code: str) -> dict[str, bytes]:
    """The subject's key and ciphertext as stored, and the plaintext an attacker wants."""
    with vault.engine.connect() as conn:
        key = conn.execute(select(keys_table.c.aes_key).where(keys_table.c.subject_code == code))
        sealed = conn.execute(
            select(data_table.c.ciphertext).where(data_table.c.subject_code == code)
        )
        found = {"key": bytes(key.scalar_one()), "ciphertext": bytes(sealed.scalar_one())}
    return found | {"name": b"Zhang Wei-Lin", "birth date": b"1990-07-14"}


def carve(data_dir: Path, secrets: dict[str, bytes]) -> list[str]:
    """Every (secret, file) where the secret's bytes occur anywhere in a file of the directory."""
    hits = []
    for path in sorted(p for p in data_dir.rglob("*") if p.is_file()):
        raw = path.read_bytes()
        for what, value in secrets.items():
            if value in raw:
                hits.append(f"{what} in {path.name}")
    return hits


def test_r_led_8_erased_identity_cannot_be_carved_from_the_data_directory(
    sqlite_settings: Settings,
) -> None:
    # Given two donors whose identities were recorded through the application
    init_ledger(sqlite_settings)
    with staffed_ledger(sqlite_settings) as (app, staff):
        erased, _ = app.register_donor(staff["investigator"])
        kept, _ = app.register_donor(staff["investigator"])
        app.record_donor_identity(staff["investigator"], erased, ALICE)
        app.record_donor_identity(staff["investigator"], kept, BOB)
        secrets = secrets_of(app.personal_data, erased)
        # (the carve finds them before erasure: the search itself works)
        found = {hit.split(" in ")[0] for hit in carve(sqlite_settings.data_dir, secrets)}
        assert {"key", "ciphertext"} <= found
        # When the first donor's identity is erased
        app.erase_donor_identity(staff["investigator"], erased, "donor's request (PIPL art. 47)")
        # Then, while the application still runs (no checkpoint, WAL in place), nothing is found
        assert carve(sqlite_settings.data_dir, secrets) == []
        # And the other donor is still readable
        assert app.get_donor_identity(kept) == BOB
    # And nothing after the application closed either
    assert carve(sqlite_settings.data_dir, secrets) == []
    # And the key store is a file of its own, apart from the ledger database
    assert (sqlite_settings.data_dir / KEY_STORE_FILE).exists()
    ledger_db = sqlite3.connect(str(sqlite_settings.database.sqlite_path))
    tables = {r[0] for r in ledger_db.execute("SELECT name FROM sqlite_master")}
    ledger_db.close()
    assert not tables & {"personal_keys", "personal_data"}


def test_r_led_8_rows_of_an_earlier_release_move_out_of_the_ledger_database(
    sqlite_settings: Settings,
) -> None:
    # Given a ledger database where an earlier release kept a key and ciphertext
    init_ledger(sqlite_settings)
    old = PersonalDataVault.open(sqlite_settings)
    old.store("DON-OLD", ALICE, NOW)
    secrets = secrets_of(old, "DON-OLD")
    old.engine.dispose()
    # (a running application keeps the ledger's WAL file open: an idle connection does too)
    running = sqlite3.connect(str(sqlite_settings.database.sqlite_path))
    running.execute("SELECT COUNT(*) FROM sqlite_master").fetchall()
    ledger_db = sqlite3.connect(str(sqlite_settings.database.sqlite_path))
    ledger_db.execute(
        "CREATE TABLE personal_keys (subject_code VARCHAR(40) PRIMARY KEY, "
        "aes_key BLOB NOT NULL, created_at VARCHAR(40) NOT NULL)"
    )
    ledger_db.execute(
        "CREATE TABLE personal_data (subject_code VARCHAR(40) PRIMARY KEY REFERENCES "
        "personal_keys (subject_code) ON DELETE CASCADE, nonce BLOB NOT NULL, "
        "ciphertext BLOB NOT NULL, updated_at VARCHAR(40) NOT NULL)"
    )
    ks = sqlite3.connect(str(sqlite_settings.data_dir / KEY_STORE_FILE))
    for table in ("personal_keys", "personal_data"):
        rows = ks.execute(f"SELECT * FROM {table}").fetchall()
        marks = ",".join("?" * len(rows[0]))
        ledger_db.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)
    ks.execute("PRAGMA secure_delete=ON")
    ks.execute("DELETE FROM personal_data")
    ks.execute("DELETE FROM personal_keys")
    ks.commit()
    ks.close()
    ledger_db.commit()
    ledger_db.close()
    # When the key store is opened for the first time by this release
    vault = PersonalDataVault.open(sqlite_settings)
    # Then the data reads back from the key store
    assert vault.read("DON-OLD") == ALICE
    # And the ledger database (and its WAL) no longer holds the key or the ciphertext
    hits = [h for h in carve(sqlite_settings.data_dir, secrets) if KEY_STORE_FILE not in h]
    assert hits == []
    # And erasing it then leaves nothing anywhere
    assert vault.erase("DON-OLD")
    assert carve(sqlite_settings.data_dir, secrets) == []
    vault.engine.dispose()
    running.close()


@pytest.mark.postgres
def test_r_led_8_postgres_keeps_personal_data_in_its_own_schema(pg_settings: Settings) -> None:
    # Given a PostgreSQL ledger with one donor identity recorded through the application
    init_ledger(pg_settings)
    with staffed_ledger(pg_settings) as (app, staff):
        donor, _ = app.register_donor(staff["investigator"], identity=ALICE)
        assert app.get_donor_identity(donor) == ALICE
        engine = create_db_engine(pg_settings)
    # Then its key and ciphertext are in the `celltrace_personal` schema, not beside the ledger
    with engine.connect() as conn:
        found = conn.execute(
            text(
                "SELECT table_schema, table_name FROM information_schema.tables "
                "WHERE table_name IN ('personal_keys', 'personal_data') ORDER BY 2"
            )
        ).all()
    engine.dispose()
    assert [tuple(r) for r in found] == [
        ("celltrace_personal", "personal_data"),
        ("celltrace_personal", "personal_keys"),
    ]


def test_r_led_8_erasures_are_reapplied_after_a_key_store_restore(
    sqlite_settings: Settings,
) -> None:
    # Given a key store backup taken before a donor's identity was erased
    init_ledger(sqlite_settings)
    store = sqlite_settings.data_dir / KEY_STORE_FILE
    with staffed_ledger(sqlite_settings) as (app, staff):
        erased, _ = app.register_donor(staff["investigator"], identity=ALICE)
        kept, _ = app.register_donor(staff["investigator"], identity=BOB)
        secrets = secrets_of(app.personal_data, erased)
        app.personal_data.engine.dispose()
        backup = store.read_bytes()
        app.erase_donor_identity(staff["investigator"], erased, "donor's request")
        app.personal_data.engine.dispose()
    # When the backup is restored (the erased key is back)
    store.write_bytes(backup)
    assert carve(sqlite_settings.data_dir, secrets) != []
    result = CliRunner().invoke(
        cli,
        ["reapply-erasures"],
        env={
            "CELLTRACE_DATABASE_URL": sqlite_settings.database_url,
            "CELLTRACE_DATA_DIR": str(sqlite_settings.data_dir),
        },
    )
    # Then the erasures the ledger records are applied again: nothing left to carve
    assert result.exit_code == 0, result.output
    assert f"Erased again: the identity of {erased}" in result.stdout
    assert carve(sqlite_settings.data_dir, secrets) == []
    # And the other donor's identity is untouched
    vault = PersonalDataVault.open(sqlite_settings)
    assert vault.read(kept) == BOB
    vault.engine.dispose()
