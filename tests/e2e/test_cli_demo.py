"""`make demo` can be run again: a second demo on the same ledger is refused before anything
is written, `--fresh` (what `make demo` runs) replaces an earlier demo's ledger, and never a
ledger the demo did not create."""

from __future__ import annotations

import shlex
import subprocess
from pathlib import Path

from fastapi.testclient import TestClient

from ledger.api.app import create_app
from ledger.config import Settings
from ledger.demo.ledger import MARKER, recorded_events
from ledger.demo.run import STAFF_FILE
from tests.cli import run_celltrace

REPO = Path(__file__).resolve().parents[2]


def _settings(data: Path) -> Settings:
    return Settings(data_dir=data, database_url=f"sqlite:///{data / 'ledger.db'}")


def _make_demo_arguments() -> list[str]:
    """The arguments `make demo` gives `celltrace` (read from the Makefile, not restated)."""
    dry = subprocess.run(
        ["make", "-s", "-n", "demo"], cwd=REPO, capture_output=True, text=True, check=True
    )
    line = next(line for line in dry.stdout.splitlines() if "celltrace demo" in line)
    words = shlex.split(line)
    return words[words.index("demo") :]


def test_make_demo_twice_records_one_complete_demo_each_time(tmp_path: Path) -> None:
    data = tmp_path / "data"
    demo = _make_demo_arguments()
    assert demo[:1] == ["demo"]
    # Given a first demo
    first = run_celltrace(data, *demo)
    assert first.returncode == 0, first.stderr
    events = recorded_events(_settings(data))
    assert events > 300
    # and its people can sign in at the stations with the passwords in its owner-only file
    staff = data / STAFF_FILE
    assert f"Sign-in for these people: {staff}" in first.stdout
    assert staff.stat().st_mode & 0o777 == 0o600
    code, role, password = staff.read_text().splitlines()[2].split()
    with TestClient(create_app(_settings(data))) as client:
        signed_in = client.post("/api/v1/auth/token", data={"username": code, "password": password})
    assert signed_in.status_code == 200, signed_in.text
    assert signed_in.json()["role"] == role
    assert "Their QR codes open http://localhost:8000/v/" in first.stdout
    # When `celltrace demo` runs again without --fresh
    again = run_celltrace(data, "demo")
    # Then it is refused with what to do, and nothing was written
    assert again.returncode == 2, again.stdout + again.stderr
    assert f"already holds {events} events" in again.stderr
    assert "celltrace demo --fresh" in again.stderr
    assert "Traceback" not in again.stderr
    assert recorded_events(_settings(data)) == events
    # When `make demo` runs again
    second = run_celltrace(data, *demo)
    # Then it records the same complete demo on a new ledger, which verifies
    assert second.returncode == 0, second.stderr
    assert "Verification: intact" in second.stdout
    assert recorded_events(_settings(data)) == events
    assert run_celltrace(data, "verify").returncode == 0


def test_demo_fresh_leaves_a_ledger_it_did_not_create_alone(tmp_path: Path) -> None:
    # Given a ledger with a registered person, not made by the demo
    data = tmp_path / "data"
    assert run_celltrace(data, "init").returncode == 0
    added = run_celltrace(
        data,
        *("users", "add", "--role", "administrator", "--password-stdin"),
        stdin="a long enough password\n",
    )
    assert added.returncode == 0, added.stderr
    events = recorded_events(_settings(data))
    assert events > 0
    # When the demo runs with --fresh
    result = run_celltrace(data, "demo", "--fresh")
    # Then it is refused, and the ledger and its keys are untouched
    assert result.returncode == 2, result.stdout + result.stderr
    assert "did not create" in result.stderr and MARKER in result.stderr
    assert recorded_events(_settings(data)) == events
    assert (data / "keys" / "log.key").exists()
