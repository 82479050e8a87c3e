"""Settings come from CELLTRACE_* variables; bad database URLs are refused clearly."""

from __future__ import annotations

from pathlib import Path

import pytest

from ledger.config import DatabaseURL, Settings
from ledger.errors import InvalidInput


def test_default_is_an_sqlite_file_in_the_data_dir() -> None:
    settings = Settings.from_env({})
    assert settings.data_dir == Path("./celltrace-data")
    assert settings.database.backend == "sqlite"
    assert settings.database.sqlite_path == Path("celltrace-data/ledger.db")
    assert settings.keys_dir == Path("./celltrace-data/keys")
    env = settings.eventsourcing_env()
    assert env["PERSISTENCE_MODULE"] == "eventsourcing.sqlite"
    assert env["APPLICATION_RECORDER_TOPIC"].endswith(":HashChainSQLiteRecorder")


def test_postgres_url_maps_to_the_library_environment() -> None:
    settings = Settings.from_env(
        {"CELLTRACE_DATABASE_URL": "postgresql://ct:p%40ss@db.local:6543/ledger"}
    )
    db = settings.database
    assert (db.backend, db.host, db.port, db.user, db.password, db.dbname) == (
        "postgres",
        "db.local",
        6543,
        "ct",
        "p@ss",
        "ledger",
    )
    env = settings.eventsourcing_env()
    assert env["PERSISTENCE_MODULE"] == "eventsourcing.postgres"
    assert env["POSTGRES_PASSWORD"] == "p@ss"
    assert db.sqlalchemy_url() == "postgresql+psycopg://ct:p%40ss@db.local:6543/ledger"


@pytest.mark.parametrize(
    "url", ["mysql://x/y", "sqlite://", "postgresql://localhost", "postgresql:///db"]
)
def test_unsupported_or_incomplete_database_url_is_refused(url: str) -> None:
    with pytest.raises(InvalidInput, match="CELLTRACE_DATABASE_URL"):
        DatabaseURL.parse(url)


def test_password_is_not_shown_in_repr() -> None:
    db = DatabaseURL.parse("postgresql://ct:secret@h/d")
    assert "secret" not in repr(db)


@pytest.mark.parametrize("facility", ["f-1", "F", "f01", "FACIL1", "F 01"])
def test_r_id_1_malformed_facility_setting_is_refused_when_settings_are_read(
    facility: str,
) -> None:
    # Given a CELLTRACE_FACILITY that cannot appear in an item code
    # When the settings are read, Then they are refused naming the setting and the allowed form
    with pytest.raises(InvalidInput) as refused:
        Settings.from_env({"CELLTRACE_FACILITY": facility})
    assert f"CELLTRACE_FACILITY={facility!r}" in refused.value.detail
    assert "2 to 5 characters A-Z or 0-9, e.g. F01 (R-ID-1)" in refused.value.detail


def test_facility_setting_of_2_to_5_capitals_or_digits_is_kept() -> None:
    assert Settings.from_env({"CELLTRACE_FACILITY": "SH02"}).facility == "SH02"
    assert Settings.from_env({}).facility == "F01"


def test_serve_warns_when_labels_would_open_another_address() -> None:
    from ledger.config import label_address_problem

    assert label_address_problem("http://localhost:8000", "127.0.0.1", 8000) is None
    assert label_address_problem("https://trace.example.org", "0.0.0.0", 443) is None
    assert label_address_problem("http://10.0.0.5:8000", "10.0.0.5", 8000) is None
    other_port = label_address_problem("http://localhost:8000", "127.0.0.1", 8001)
    assert other_port is not None and "CELLTRACE_BASE_URL=http://localhost:8000" in other_port
    assert label_address_problem("http://10.0.0.5:8000", "127.0.0.1", 8000) is not None
