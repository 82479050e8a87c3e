"""`celltrace generate --events N`: realistic generated history in a new ledger, through the
ledger's own commands (so it verifies intact), refused on a ledger that already holds events
unless --append."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

from tests.cli import run_celltrace

run = run_celltrace


def _count(data: Path, topic_suffix: str = "") -> int:
    with sqlite3.connect(data / "ledger.db") as conn:
        (count,) = conn.execute(
            "SELECT count(*) FROM stored_events WHERE topic LIKE ?", (f"%{topic_suffix}",)
        ).fetchone()
    return int(count)


def test_generate_2000_events_on_a_fresh_ledger_verifies_intact_with_the_counts_it_reports(
    tmp_path: Path,
) -> None:
    # Given no ledger yet
    data = tmp_path / "generated"
    # When 2000 events of history are generated
    result = run(data, "generate", "--events", "2000")
    # Then it reports what it recorded, and the ledger holds exactly that
    assert result.returncode == 0, result.stderr
    found = re.search(
        r"Generated (\d+) events, (\d+) donors, (\d+) bank vials, (\d+) product lots, "
        r"(\d+) product vials, (\d+) shipments, (\d+) patients dosed",
        result.stdout,
    )
    assert found, result.stdout
    events, donors, bank_vials, lots, vials, shipments, dosed = map(int, found.groups())
    assert events >= 2000
    assert events == _count(data)
    assert donors == _count(data, ":Donor.Registered") > 0
    assert bank_vials == _count(data, ":BankVial.Frozen") > 0
    assert lots == _count(data, ":ProductLot.Purified")
    assert vials == _count(data, ":ProductVial.Filled")
    assert shipments == _count(data, ":Shipment.Shipped")
    assert dosed == _count(data, ":Dosing.Administered")
    # And verification recomputes every one of those events intact
    verified = run(data, "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert f"Intact: {events} events verified" in verified.stdout


def test_generate_refuses_a_ledger_that_holds_events_and_writes_nothing(tmp_path: Path) -> None:
    # Given a ledger holding a person
    assert run(tmp_path, "init").returncode == 0
    added = run(tmp_path, "users", "add", "--role", "qa", "--password-stdin", stdin="p" * 16)
    assert added.returncode == 0, added.stderr
    before = _count(tmp_path)
    # When history is generated into it without --append
    result = run(tmp_path, "generate", "--events", "2000")
    # Then exit 2 says where the history should go instead, and nothing was written
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"already holds {before} events" in result.stderr
    assert "set CELLTRACE_DATA_DIR (or CELLTRACE_DATABASE_URL) to a new one" in result.stderr
    assert _count(tmp_path) == before
    # And with --append it is added on purpose
    appended = run(tmp_path, "generate", "--events", "1", "--append")
    assert appended.returncode == 0, appended.stderr
    assert _count(tmp_path) > before
