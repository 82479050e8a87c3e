"""Store the running release's ledgers in `tests/data/ledgers/<version>/` for every later release
to open (docs/ledger-format.md): `python -m tests.record_old_ledger [--postgres URL]`.

Runs `celltrace demo` (production password hashing, as a facility's ledger has) on SQLite and on
a new PostgreSQL database on the server the admin URL names, then records what this release
serves (tests/old_ledgers.py). A release's fixture is written once and never changed afterwards.
"""

from __future__ import annotations

import argparse
import gzip
import shutil
import sqlite3
import sys
import tempfile
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from ledger.api.app import create_app
from ledger.bootstrap import open_ledger
from ledger.config import DatabaseURL, Settings
from ledger.core import utc_now
from tests.cli import run_celltrace
from tests.conftest import DEFAULT_PG_URL, new_pg_database, pg_url
from tests.old_ledgers import (
    KEPT,
    LEDGERS,
    SQLITE_FILES,
    aggregate_versions,
    auditor_headers,
    dump_postgres,
    item_codes,
    loaded_versions,
    served_items,
    write_expected,
)

RELEASE = version("celltrace")


def record(settings: Settings, fixture: Path, store: Callable[[], None]) -> None:
    """Run the demo on `settings`, `store` its database in `fixture` as the demo left it, then
    write what this release serves."""
    env = {"CELLTRACE_PASSWORD_HASHING": ""}  # the production default, not the tests' cheapest
    demo = run_celltrace(
        settings.data_dir, "demo", database_url=settings.database_url, env=env, timeout=900
    )
    if demo.returncode != 0:
        sys.exit(f"celltrace demo failed:\n{demo.stderr}")
    fixture.mkdir(parents=True)
    store()
    versions = aggregate_versions(settings)
    ledger = open_ledger(settings)
    try:
        assert loaded_versions(ledger, sorted(versions)) == versions
    finally:
        ledger.close()
    recorded_at = utc_now()
    app = create_app(settings, run_projections=True, clock=lambda: recorded_at)
    with TestClient(app) as client:
        headers = auditor_headers(client, settings.data_dir)
        items = served_items(client, headers, item_codes(client, headers))
    expected: dict[str, Any] = {
        "release": RELEASE,
        "recorded_at": recorded_at.isoformat(),
        "backend": settings.database.backend,
        "aggregates": versions,
        "items": items,
    }
    for name in KEPT:
        source = settings.data_dir / name
        if source.is_dir():
            shutil.copytree(source, fixture / name)
        else:
            shutil.copy(source, fixture / name)
    write_expected(fixture, expected)
    print(f"{fixture}: {len(versions)} aggregates, {len(items)} items")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--postgres", default=DEFAULT_PG_URL, help="an admin URL of the server")
    args = parser.parse_args(argv)
    release = LEDGERS / RELEASE
    if release.exists():
        sys.exit(f"{release} exists: a release's ledgers are recorded once and never rewritten")
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "sqlite"
        sqlite = Settings(data_dir=data, database_url=f"sqlite:///{data / 'ledger.db'}")

        def store_sqlite() -> None:
            for name in SQLITE_FILES:
                (release / "sqlite" / f"{name}.gz").write_bytes(
                    gzip.compress(_sqlite_bytes(data / name, Path(tmp) / name), mtime=0)
                )

        record(sqlite, release / "sqlite", store_sqlite)
        with new_pg_database(DatabaseURL.parse(args.postgres)) as db:
            pg = Settings(data_dir=Path(tmp) / "postgresql", database_url=pg_url(db))
            dump = release / "postgresql" / "dump.sql.gz"
            record(pg, release / "postgresql", lambda: dump_postgres(db, dump))


def _sqlite_bytes(path: Path, scratch: Path) -> bytes:
    """The database in one file (WAL included), through SQLite's online backup."""
    with sqlite3.connect(path) as source, sqlite3.connect(scratch) as copy:
        source.backup(copy)
    data = scratch.read_bytes()
    scratch.unlink()
    return data


if __name__ == "__main__":
    main()
