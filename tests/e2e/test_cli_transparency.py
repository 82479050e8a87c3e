"""R-LED-4 / R-TRC-3 through the `celltrace` command: checkpoint, prove and verify-proof,
export and verify-export (also with the bundle's own stand-alone verifier), key rotation and
the worker's periodic checkpoints."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ledger.bootstrap import init_ledger, open_ledger, open_projections
from ledger.cli.main import app as cli
from ledger.config import Settings
from ledger.integrity.log_keys import key_history, verifier_key_lines
from ledger.integrity.note import open_checkpoint
from tests.specimen import record_samples

ROOT = Path(__file__).resolve().parents[2]


def run(settings: Settings, *args: str) -> tuple[int, str]:
    env = {
        "CELLTRACE_DATABASE_URL": settings.database_url,
        "CELLTRACE_DATA_DIR": str(settings.data_dir),
    }
    result = CliRunner().invoke(cli, list(args), env=env)
    return result.exit_code, result.stdout


@pytest.fixture
def ledger(sqlite_settings: Settings) -> Iterator[Settings]:
    # Given a ledger with 4 coded samples
    init_ledger(sqlite_settings)
    app = open_ledger(sqlite_settings)
    record_samples(app, 4)
    app.close()
    yield sqlite_settings


def a_code(settings: Settings) -> str:
    open_projections(settings).catch_up()
    import sqlite3

    conn = sqlite3.connect(str(settings.database.sqlite_path))
    code = conn.execute("SELECT item_code FROM timeline ORDER BY 1 LIMIT 1").fetchone()[0]
    conn.close()
    return str(code)


def test_r_led_4_checkpoint_prints_a_note_signed_by_the_published_key(ledger: Settings) -> None:
    # When a checkpoint is made twice without new events
    code, note = run(ledger, "checkpoint")
    again_code, again = run(ledger, "checkpoint")
    # Then it prints a signed checkpoint of every event that opens with the published key
    assert code == again_code == 0
    checkpoint, _ = open_checkpoint(note, key_history(ledger), origin=ledger.origin)
    assert checkpoint.size == 13
    # And the second time prints the same checkpoint, since the log has not grown
    assert again == note


def test_r_trc_3_prove_writes_a_proof_that_verify_proof_accepts(
    ledger: Settings, tmp_path: Path
) -> None:
    # Given an item's proof written by `prove`
    code = a_code(ledger)
    out = tmp_path / "item.tlog-proof"
    status, said = run(ledger, "prove", code, "--out", str(out))
    assert status == 0, said
    assert f"Proof of 2 events of {code} against checkpoint #1" in said
    # When it is verified / Then proven
    status, said = run(ledger, "verify-proof", str(out))
    assert status == 0, said
    assert said.startswith(f"Proven: 2 events of {code} are included")
    # And a proof with one edited hash is refused (exit 1)
    lines = out.read_text().split("\n")
    lines[4] = lines[5]
    out.write_text("\n".join(lines))
    status, said = run(ledger, "verify-proof", str(out))
    assert status == 1 and said.startswith("PROOF REFUSED")


def test_r_led_4_export_verifies_in_process_and_with_the_stand_alone_verifier(
    ledger: Settings, tmp_path: Path
) -> None:
    # Given an exported bundle
    bundle = tmp_path / "bundle"
    status, said = run(ledger, "export", str(bundle))
    assert status == 0, said
    assert "Exported 13 events and 1 checkpoints" in said
    # When verify-export checks it / Then intact, with the checkpoint matched
    status, said = run(ledger, "verify-export", str(bundle), "--json")
    assert status == 0, said
    assert json.loads(said)["checkpoints_verified"] == 1
    # And the bundle's own verifier, run without site-packages' project install (python -S)
    # and with only cryptography beside it, says the same
    purelib = sysconfig.get_paths()["purelib"]
    env = {**os.environ, "PYTHONPATH": f"{bundle / 'verifier'}{os.pathsep}{purelib}"}
    alone = subprocess.run(
        [sys.executable, "-S", "-m", "ledger.integrity.offline", str(bundle)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert alone.returncode == 0, alone.stderr
    assert "Intact: 13 events verified" in alone.stdout


def test_r_led_4_export_with_an_edited_event_is_reported(ledger: Settings, tmp_path: Path) -> None:
    # Given a bundle whose 5th event's state was edited (and its manifest hash updated)
    bundle = tmp_path / "bundle"
    assert run(ledger, "export", str(bundle))[0] == 0
    events = (bundle / "events.jsonl").read_text().splitlines()
    row = json.loads(events[4])
    row["state"] = row["state"][:-4] + "AAAA"
    events[4] = json.dumps(row)
    (bundle / "events.jsonl").write_text("\n".join(events) + "\n")
    from ledger.integrity.offline import file_sha256

    manifest = json.loads((bundle / "manifest.json").read_text())
    manifest["files"]["events.jsonl"] = file_sha256(bundle / "events.jsonl")
    (bundle / "manifest.json").write_text(json.dumps(manifest))
    # When verified / Then record 5 is named as altered (exit 1)
    status, said = run(ledger, "verify-export", str(bundle))
    assert status == 1
    assert "TAMPERING DETECTED: event-altered at record 5" in said
    # And a directory that is no bundle is a usage error (exit 2)
    assert run(ledger, "verify-export", str(tmp_path / "nowhere"))[0] == 2


def test_r_led_4_rotate_log_key_publishes_both_and_then_signs_with_the_new_one(
    ledger: Settings,
) -> None:
    # Given a first checkpoint
    assert run(ledger, "checkpoint")[0] == 0
    # When the log key is rotated
    status, said = run(ledger, "rotate-log-key")
    assert status == 0, said
    # Then both keys are published, oldest first, and the rotation checkpoint is co-signed
    published = verifier_key_lines(ledger).splitlines()
    assert len(published) == 2
    assert said.count("\u2014 ") == 2
    # And the next checkpoint is signed by the new key alone, and everything verifies
    record_samples(open_ledger(ledger), 1)
    status, note = run(ledger, "checkpoint")
    assert status == 0
    assert note.count("\u2014 ") == 1
    open_checkpoint(note, [key_history(ledger)[1]])
    status, said = run(ledger, "verify", "--json")
    assert status == 0, said
    assert json.loads(said)["checkpoints_verified"] == 3


def test_r_led_4_worker_signs_a_checkpoint_when_n_events_are_due(ledger: Settings) -> None:
    # Given checkpoints every 5 events / When the worker catches up once
    env = {
        **os.environ,
        "CELLTRACE_DATABASE_URL": ledger.database_url,
        "CELLTRACE_DATA_DIR": str(ledger.data_dir),
        "CELLTRACE_CHECKPOINT_EVERY_EVENTS": "5",
        "PYTHONPATH": str(ROOT),
    }
    done = subprocess.run(
        [sys.executable, "-m", "ledger", "worker", "--once"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    # Then it signs one checkpoint covering the backlog
    assert done.returncode == 0, done.stderr
    assert "Checkpoint #1 signed: 13 entries." in done.stdout


def test_r_led_4_verify_needs_the_published_keys_once_checkpoints_exist(
    ledger: Settings, tmp_path: Path
) -> None:
    # Given a signed checkpoint, and the published keys saved by an auditor
    assert run(ledger, "checkpoint")[0] == 0
    published = tmp_path / "keys.txt"
    published.write_text(verifier_key_lines(ledger))
    # When verify runs where the data directory's keys are absent
    (ledger.keys_dir / "log-keys.txt").rename(tmp_path / "moved-history")
    (ledger.keys_dir / "log.key").rename(tmp_path / "moved-key")
    # Then it trusts the log identity `init` recorded in the database, and says so
    status, said = run(ledger, "verify")
    assert status == 0, said
    assert "Trusted log keys (recorded in the database by `celltrace init`" in said
    # And without that record either (a ledger older than it), it is a usage error that says
    # to pass the keys, and with them the ledger verifies
    _forget_log_identity(ledger)
    assert run(ledger, "verify")[0] == 2
    status, said = run(ledger, "verify", "--keys", str(published), "--json")
    assert status == 0, said
    assert json.loads(said)["checkpoints_verified"] == 1


def _forget_log_identity(settings: Settings) -> None:
    import sqlite3

    assert settings.database.sqlite_path is not None
    with sqlite3.connect(settings.database.sqlite_path) as conn:
        conn.execute("DROP TABLE log_identity")
