"""Password hashing parameters (R-LED-5, R-ACC-4): RFC 9106's low-memory Argon2id profile unless
CELLTRACE_PASSWORD_HASHING names another; a stored hash keeps its parameters, verifies after a
change of profile and is hashed again with the new one at the next sign-in."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from argon2 import extract_parameters, profiles

from ledger.config import Settings
from ledger.errors import InvalidInput
from ledger.storage.db import create_db_engine
from ledger.stores.credentials import Credentials, hashing_profile

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
PASSWORD = "a long test password"


def _stored(credentials: Credentials, person: str) -> str:
    with credentials.engine.connect() as conn:
        row = conn.exec_driver_sql(
            "SELECT password_hash FROM credentials WHERE person_code = ?", (person,)
        ).one()
    return str(row[0])


def test_r_led_5_the_default_is_rfc_9106_low_memory_and_a_wrong_name_is_refused() -> None:
    assert hashing_profile({}) == "rfc9106-low-memory"
    assert hashing_profile({"CELLTRACE_PASSWORD_HASHING": "rfc9106-high-memory"}) == (
        "rfc9106-high-memory"
    )
    with pytest.raises(InvalidInput) as refused:
        hashing_profile({"CELLTRACE_PASSWORD_HASHING": "md5"})
    assert "CELLTRACE_PASSWORD_HASHING=md5" in str(refused.value)
    assert "rfc9106-low-memory" in str(refused.value)


def test_r_led_5_a_changed_profile_keeps_old_passwords_and_rehashes_them_at_sign_in(
    sqlite_settings: Settings,
) -> None:
    engine = create_db_engine(sqlite_settings)
    old = Credentials(engine, "cheapest")
    old.create_tables()
    old.set_password("PER-1", PASSWORD)
    assert extract_parameters(_stored(old, "PER-1")) == profiles.CHEAPEST
    # When the site moves to the default profile, the stored password still signs in
    new = Credentials(engine, "rfc9106-low-memory")
    new.sign_in("PER-1", PASSWORD, "10.0.0.1", NOW)
    # And is stored again with the default profile's parameters
    assert extract_parameters(_stored(new, "PER-1")) == profiles.RFC_9106_LOW_MEMORY
    new.check_password("PER-1", PASSWORD, NOW)
    # New passwords use it too
    new.set_password("PER-2", PASSWORD)
    assert extract_parameters(_stored(new, "PER-2")) == profiles.RFC_9106_LOW_MEMORY
