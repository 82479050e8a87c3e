"""R-LED-6: personal data never enters events; it is kept encrypted per person outside the chain,
and erasing a person destroys their key without breaking verification."""

from __future__ import annotations

from datetime import date

import pytest
from cryptography.exceptions import InvalidTag
from sqlalchemy import select, update
from typer.testing import CliRunner

from ledger.bootstrap import init_ledger
from ledger.cli.main import app as cli
from ledger.config import Settings
from ledger.integrity.verify import LedgerReader, verify_database
from ledger.storage.db import create_db_engine
from ledger.stores.personal_data import (
    PersonalData,
    PersonalDataVault,
    create_tables,
    data_table,
    keys_table,
)
from tests.domain1 import NOW, staffed_ledger

ALICE = PersonalData("Zhang Wei-Lin", date(1990, 7, 14), "wl.zhang@example.org")
BOB = PersonalData("Li Na", None, "+86 21 5555 0101")


def vault(settings: Settings) -> PersonalDataVault:
    engine = create_db_engine(settings)
    create_tables(engine)
    create_tables(engine)  # idempotent
    return PersonalDataVault(engine)


def test_r_led_6_data_round_trips_under_a_key_per_person(sqlite_settings: Settings) -> None:
    # Given two people stored in the vault
    store = vault(sqlite_settings)
    store.store("DON-A", ALICE, NOW)
    store.store("DON-B", BOB, NOW)
    # Then each reads back, under its own key, and the ciphertext hides the data
    assert (store.read("DON-A"), store.read("DON-B"), store.read("DON-C")) == (ALICE, BOB, None)
    with store.engine.connect() as conn:
        keys = conn.execute(select(keys_table.c.aes_key)).scalars().all()
        sealed = conn.execute(select(data_table.c.ciphertext)).scalars().all()
    assert len(set(keys)) == 2 and all(len(k) == 32 for k in keys)
    assert not any(b"Zhang" in bytes(c) or b"Li Na" in bytes(c) for c in sealed)
    store.engine.dispose()


def test_r_led_6_ciphertext_is_bound_to_its_subject(sqlite_settings: Settings) -> None:
    # Given two people, When one's ciphertext is copied onto the other's row
    store = vault(sqlite_settings)
    store.store("DON-A", ALICE, NOW)
    store.store("DON-B", BOB, NOW)
    with store.engine.begin() as conn:
        row = conn.execute(select(data_table).where(data_table.c.subject_code == "DON-A")).one()
        key = conn.execute(select(keys_table.c.aes_key).where(keys_table.c.subject_code == "DON-A"))
        conn.execute(
            update(keys_table)
            .where(keys_table.c.subject_code == "DON-B")
            .values(aes_key=key.scalar())
        )
        conn.execute(
            update(data_table)
            .where(data_table.c.subject_code == "DON-B")
            .values(nonce=row.nonce, ciphertext=row.ciphertext)
        )
    # Then decryption fails: the subject code is authenticated with the data
    with pytest.raises(InvalidTag):
        store.read("DON-B")
    store.engine.dispose()


def test_r_led_6_identity_never_enters_the_events(sqlite_settings: Settings) -> None:
    # Given a donor registered with their identity
    with staffed_ledger(sqlite_settings) as (app, staff):
        donor, _ = app.register_donor(staff["investigator"], identity=ALICE)
        assert app.get_donor_identity(donor) == ALICE
    # Then no stored event holds the name, birth date or contact details
    states = b"".join(r.state for r in LedgerReader(sqlite_settings.database).records())
    for secret in (b"Zhang", b"1990-07-14", b"wl.zhang"):
        assert secret not in states


def erase_then_verify(settings: Settings) -> None:
    """Register two donors with identities, erase one, and check verification still passes."""
    init_ledger(settings)
    with staffed_ledger(settings) as (app, staff):
        erased, _ = app.register_donor(staff["investigator"], identity=ALICE)
        kept, _ = app.register_donor(staff["investigator"])
        app.record_donor_identity(staff["investigator"], kept, BOB)
        # When the first donor's identity is erased
        app.erase_donor_identity(staff["investigator"], erased, "donor's request (PIPL art. 47)")
        # Then their data and key are gone, the other donor's data stays readable
        assert app.get_donor_identity(erased) is None
        assert app.get_donor_identity(kept) == BOB
        with app.personal_data.engine.connect() as conn:
            codes = conn.execute(select(keys_table.c.subject_code)).scalars().all()
        # (the staff's printed names are kept there too, each under its person code)
        assert [c for c in codes if not c.startswith("PER-")] == [kept]
        # And the erasure itself is a ledger event naming only the code
        assert app.get_donor(erased).identity_erased
    # And the hash chain still verifies, in the library and through `celltrace verify`
    assert verify_database(settings.database).intact
    result = CliRunner().invoke(
        cli,
        ["verify"],
        env={
            "CELLTRACE_DATABASE_URL": settings.database_url,
            "CELLTRACE_DATA_DIR": str(settings.data_dir),
        },
    )
    assert result.exit_code == 0, result.output


def test_r_led_6_erasure_destroys_the_key_and_verify_still_passes(
    sqlite_settings: Settings,
) -> None:
    erase_then_verify(sqlite_settings)


@pytest.mark.postgres
def test_r_led_6_erasure_destroys_the_key_and_verify_still_passes_on_postgres(
    pg_settings: Settings,
) -> None:
    erase_then_verify(pg_settings)
