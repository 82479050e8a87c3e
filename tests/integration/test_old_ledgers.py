"""Ledgers written by earlier releases open with this one (R-LED-1, docs/ledger-format.md).

Each release's `celltrace demo` ledger, on SQLite and PostgreSQL, is kept in tests/data/ledgers
with its keys and what that release served (tests/old_ledgers.py). This release must verify it
intact, load every aggregate at the version stored, rebuild its read models from the events and
serve every item and its traces up and down as that release did (as of the moment it was
recorded; fields added since are allowed, none removed or changed).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from ledger.api.app import create_app
from ledger.bootstrap import open_ledger
from ledger.config import DatabaseURL, Settings
from tests.cli import run_in_process
from tests.conftest import new_pg_database, pg_url
from tests.old_ledgers import (
    aggregate_versions,
    auditor_headers,
    ends,
    fixed_clock,
    fixtures,
    item_codes,
    loaded_versions,
    missing_or_changed,
    read_expected,
    served_items,
    unpack_postgres,
    unpack_sqlite,
)

FIXTURES = fixtures()


def test_every_release_kept_both_backends() -> None:
    """The fixtures are there (a test over nothing proves nothing)."""
    releases = {f.parent.name for f in FIXTURES}
    assert "0.1.0" in releases
    for release in releases:
        assert {f.name for f in FIXTURES if f.parent.name == release} == {"sqlite", "postgresql"}


def _check(settings: Settings, expected: dict[str, Any]) -> None:
    code, out = run_in_process(settings, "verify")
    assert code == 0, out

    versions = aggregate_versions(settings)
    assert versions == expected["aggregates"]
    ledger = open_ledger(settings)
    try:
        assert loaded_versions(ledger, sorted(versions)) == versions
    finally:
        ledger.close()

    # this release's read models, rebuilt from the old events, serve what the old release did
    code, out = run_in_process(settings, "worker", "--rebuild", "--once")
    assert code == 0, out
    # every item, and the traces from the ends of the genealogy (which reach every item and
    # edge): up from what nothing is below, down from what nothing is above
    wanted = ends(expected["items"])
    recorded = {
        code: {name: answers[name] for name in ("item", *wanted[code])}
        for code, answers in expected["items"].items()
    }
    app = create_app(settings, clock=fixed_clock(expected), run_projections=False)
    with TestClient(app) as client:
        headers = auditor_headers(client, settings.data_dir)
        codes = item_codes(client, headers)
        assert codes == sorted(expected["items"])
        served = served_items(client, headers, codes, wanted)
    assert missing_or_changed(recorded, served) == []


@pytest.mark.parametrize(
    "fixture", [f for f in FIXTURES if f.name == "sqlite"], ids=lambda f: f.parent.name
)
def test_old_sqlite_ledger_verifies_loads_and_serves(fixture: Path, tmp_path: Path) -> None:
    """R-LED-1: an SQLite ledger of an earlier release, opened by this one."""
    data = tmp_path / "data"
    unpack_sqlite(fixture, data)
    _check(
        Settings(data_dir=data, database_url=f"sqlite:///{data / 'ledger.db'}"),
        read_expected(fixture),
    )


@pytest.mark.postgres
@pytest.mark.parametrize(
    "fixture", [f for f in FIXTURES if f.name == "postgresql"], ids=lambda f: f.parent.name
)
def test_old_postgres_ledger_verifies_loads_and_serves(
    fixture: Path, tmp_path: Path, pg_admin: DatabaseURL
) -> None:
    """R-LED-1: a PostgreSQL ledger of an earlier release (its dump), opened by this one."""
    data = tmp_path / "data"
    with new_pg_database(pg_admin) as db:
        unpack_postgres(fixture, data, db)
        _check(Settings(data_dir=data, database_url=pg_url(db)), read_expected(fixture))
