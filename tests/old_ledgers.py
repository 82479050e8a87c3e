"""Ledgers written by earlier releases, kept in `tests/data/ledgers/<release>/<backend>/` for ever
(docs/ledger-format.md): each is a `celltrace demo` data directory (SQLite: the ledger and key
store files, gzipped; PostgreSQL: a `pg_dump` of the database, gzipped) with its signing keys and
demo staff, and `expected.json.gz`, what that release answered when the fixture was made: every
aggregate's version and, for every item, the item and its traces up and down as the HTTP API
served them to the auditor.

`python -m tests.record_old_ledger` adds the running release's ledgers;
tests/integration/test_old_ledgers.py opens every one with the current code.
"""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from fastapi.testclient import TestClient
from sqlalchemy import text

from ledger.application import CellTraceLedger
from ledger.config import DatabaseURL, Settings
from ledger.core import Clock
from ledger.storage.db import create_db_engine

LEDGERS = Path(__file__).parent / "data" / "ledgers"
SQLITE_FILES = ("ledger.db", "personal-keys.db")
"""The SQLite files of a data directory, stored gzipped as `<name>.gz`."""
KEPT = ("keys", "demo-staff.txt")
"""What else of the data directory a fixture keeps: the signing keys and the staff passwords."""
PAGE = 200
EXPECTED = "expected.json.gz"


def fixtures() -> list[Path]:
    """Every stored ledger: `tests/data/ledgers/<release>/<backend>`, oldest release first."""
    return sorted(p.parent for p in LEDGERS.glob(f"*/*/{EXPECTED}"))


def staff_password(data_dir: Path, role: str) -> tuple[str, str]:
    """The demo staff's (code, password) for `role`, from the data directory's demo-staff.txt."""
    for line in (data_dir / "demo-staff.txt").read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] == role:
            return parts[0], parts[2]
    raise LookupError(f"no {role} in {data_dir / 'demo-staff.txt'}")


def auditor_headers(client: TestClient, data_dir: Path) -> dict[str, str]:
    code, password = staff_password(data_dir, "auditor")
    answer = client.post("/api/v1/auth/token", data={"username": code, "password": password})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def item_codes(client: TestClient, headers: dict[str, str]) -> list[str]:
    """Every item code, read through the item list (`GET /api/v1/items`), in code order."""
    codes: list[str] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": PAGE, **({"after": cursor} if cursor else {})}
        answer = client.get("/api/v1/items", params=params, headers=headers)
        assert answer.status_code == 200, answer.text
        page = answer.json()
        codes += [row["code"] for row in page["items"]]
        cursor = page["next"]
        if not cursor:
            return codes


def served_items(
    client: TestClient,
    headers: dict[str, str],
    codes: list[str],
    traces: dict[str, tuple[str, ...]] | None = None,
) -> dict[str, Any]:
    """Each item and its traces up and down (or only the directions `traces` names for it), as
    the API answers them."""
    served: dict[str, Any] = {}
    for code in codes:
        wanted = ("up", "down") if traces is None else traces.get(code, ())
        answers = {"item": client.get(f"/api/v1/items/{code}", headers=headers)}
        for direction in wanted:
            answers[direction] = client.get(
                f"/api/v1/items/{code}/trace", params={"direction": direction}, headers=headers
            )
        for name, answer in answers.items():
            assert answer.status_code == 200, f"{code} {name}: {answer.text}"
        served[code] = {name: answer.json() for name, answer in answers.items()}
    return served


def ends(recorded: dict[str, Any]) -> dict[str, tuple[str, ...]]:
    """The traces that reach every item and edge between them: up from each item nothing is
    below (vials, patients), down from each item nothing is above (donors, material lots)."""
    return {
        code: tuple(
            direction
            for direction, other in (("up", "down"), ("down", "up"))
            if len(answers[other]["nodes"]) == 1
        )
        for code, answers in recorded.items()
    }


def aggregate_versions(settings: Settings) -> dict[str, int]:
    """Every aggregate id in the stored events with its last version, read by SQL."""
    with create_db_engine(settings).connect() as conn:
        rows = conn.execute(
            text(
                "SELECT originator_id, MAX(originator_version) FROM stored_events "
                "GROUP BY originator_id"
            )
        ).all()
    return {str(UUID(str(oid))): int(version) for oid, version in rows}


def loaded_versions(ledger: CellTraceLedger, ids: list[str]) -> dict[str, int]:
    """Each aggregate loaded by the application (replaying its events): its version."""
    return {oid: int(ledger.repository.get(UUID(oid)).version) for oid in ids}


def unpack_sqlite(fixture: Path, data_dir: Path) -> None:
    """The fixture's SQLite data directory, written to `data_dir`."""
    _copy_kept(fixture, data_dir)
    for name in SQLITE_FILES:
        with gzip.open(fixture / f"{name}.gz", "rb") as src, (data_dir / name).open("wb") as dst:
            shutil.copyfileobj(src, dst)


def unpack_postgres(fixture: Path, data_dir: Path, db: DatabaseURL) -> None:
    """The fixture's keys in `data_dir` and its dump restored into the empty database `db`."""
    _copy_kept(fixture, data_dir)
    dump = gzip.decompress((fixture / "dump.sql.gz").read_bytes()).decode("utf-8")
    subprocess.run(
        ["psql", "-q", "-X", "-v", "ON_ERROR_STOP=1", "-d", _libpq_url(db)],
        input=dump,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )


def dump_postgres(db: DatabaseURL, dest: Path) -> None:
    """A plain-SQL `pg_dump` of `db` (no owners, no grants), gzipped to `dest`."""
    dump = subprocess.run(
        ["pg_dump", "--no-owner", "--no-privileges", "-d", _libpq_url(db)],
        capture_output=True,
        check=True,
        timeout=120,
    ).stdout
    dest.write_bytes(gzip.compress(dump, mtime=0))


def write_expected(fixture: Path, expected: dict[str, Any]) -> None:
    text = json.dumps(expected, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    (fixture / EXPECTED).write_bytes(gzip.compress(text.encode("utf-8"), mtime=0))


def read_expected(fixture: Path) -> dict[str, Any]:
    result = json.loads(gzip.decompress((fixture / EXPECTED).read_bytes()))
    assert isinstance(result, dict)
    return result


def fixed_clock(expected: dict[str, Any]) -> Clock:
    """The clock of the moment the fixture was recorded: what the release served then (next
    steps, expiry) is what any later release must serve as of that moment."""
    moment = datetime.fromisoformat(expected["recorded_at"])
    return lambda: moment


def missing_or_changed(recorded: Any, served: Any, where: str = "") -> list[str]:
    """Where `served` differs from `recorded`: every recorded value must be served unchanged;
    keys a later release adds to an object are allowed (responses only grow)."""
    if isinstance(recorded, dict) and isinstance(served, dict):
        return [
            problem
            for key, value in recorded.items()
            for problem in (
                missing_or_changed(value, served[key], f"{where}.{key}")
                if key in served
                else [f"{where}.{key}: missing"]
            )
        ]
    if isinstance(recorded, list) and isinstance(served, list):
        if len(recorded) != len(served):
            return [f"{where}: {len(recorded)} entries recorded, {len(served)} served"]
        return [
            problem
            for i, (a, b) in enumerate(zip(recorded, served, strict=True))
            for problem in missing_or_changed(a, b, f"{where}[{i}]")
        ]
    return [] if recorded == served else [f"{where}: recorded {recorded!r}, served {served!r}"]


def _copy_kept(fixture: Path, data_dir: Path) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    shutil.copytree(fixture / "keys", data_dir / "keys")
    shutil.copy(fixture / "demo-staff.txt", data_dir / "demo-staff.txt")
    for key in (data_dir / "keys").iterdir():
        if key.suffix in (".key", ".crt"):
            key.chmod(0o600)


def _libpq_url(db: DatabaseURL) -> str:
    auth = f"{db.user}:{db.password}" if db.password else db.user
    return f"postgresql://{auth}@{db.host}:{db.port}/{db.dbname}"
