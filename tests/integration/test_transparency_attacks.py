"""R-LED-4: attacks on a real SQLite file that only a checkpoint kept outside the system can
reveal - truncation, rollback to an older copy, a complete re-hash of history - are reported
by `celltrace verify --checkpoint FILE` (exit 1, naming what happened)."""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ledger.application import CellTraceLedger
from ledger.bootstrap import init_ledger, open_ledger
from ledger.cli.main import app as cli
from ledger.config import Settings
from ledger.integrity.merkle import node_hash
from ledger.integrity.note import Checkpoint, Signer, parse_checkpoint, sign_note
from tests.attacker import Attacker
from tests.specimen import record_samples


def run(settings: Settings, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        cli,
        list(args),
        env={
            "CELLTRACE_DATABASE_URL": settings.database_url,
            "CELLTRACE_DATA_DIR": str(settings.data_dir),
        },
    )
    return result.exit_code, result.stdout


def verify(settings: Settings, *args: str) -> tuple[int, dict[str, object]]:
    code, out = run(settings, "verify", "--json", *args)
    return code, json.loads(out)


def keep_checkpoint(settings: Settings, path: Path) -> Path:
    """`celltrace checkpoint`, its note kept in a file outside the system."""
    code, note = run(settings, "checkpoint")
    assert code == 0, note
    path.write_text(note)
    return path


def finding(settings: Settings, *args: str) -> dict[str, object]:
    code, report = verify(settings, *args)
    assert code == 1, report
    brk = report["break"]
    assert isinstance(brk, dict)
    return brk


@pytest.fixture
def ledger(sqlite_settings: Settings) -> Iterator[CellTraceLedger]:
    # Given a ledger on a real SQLite file with 4 coded samples (13 events)
    init_ledger(sqlite_settings)
    app = open_ledger(sqlite_settings)
    record_samples(app, 4)
    yield app
    app.close()


def test_r_led_4_intact_ledger_verifies_against_a_kept_checkpoint(
    ledger: CellTraceLedger, tmp_path: Path
) -> None:
    # Given a checkpoint kept, and more events since
    kept = keep_checkpoint(ledger.settings, tmp_path / "kept.checkpoint")
    record_samples(ledger, 2)
    # When verified against it / Then intact: the ledger extends the kept checkpoint
    code, report = verify(ledger.settings, "--checkpoint", str(kept))
    assert code == 0, report
    assert report["checkpoints_verified"] == 2  # the stored one and the kept one


def test_r_led_4_deleting_the_last_events_is_reported_as_truncation(
    ledger: CellTraceLedger, tmp_path: Path
) -> None:
    # Given a checkpoint the auditor kept
    kept = keep_checkpoint(ledger.settings, tmp_path / "kept.checkpoint")
    # When the last 3 events are deleted (every remaining hash still links)
    Attacker(ledger.settings.database).delete_last_events(3)
    # Then verify --checkpoint names the truncation and how many events went
    brk = finding(ledger.settings, "--checkpoint", str(kept))
    assert brk["kind"] == "truncated"
    assert "the last 3 events were deleted" in str(brk["message"])


def test_r_led_4_restoring_an_older_copy_of_the_database_is_reported_as_rollback(
    ledger: CellTraceLedger, tmp_path: Path
) -> None:
    # Given a copy of the database file taken early on
    db = ledger.settings.database.sqlite_path
    assert db is not None
    keep_checkpoint(ledger.settings, tmp_path / "early.checkpoint")
    backup = tmp_path / "backup.db"
    src, dst = sqlite3.connect(db), sqlite3.connect(backup)
    src.backup(dst)
    src.close()
    dst.close()
    # And a later checkpoint the auditor kept
    record_samples(ledger, 3)
    kept = keep_checkpoint(ledger.settings, tmp_path / "kept.checkpoint")
    # When the old copy is restored over the database
    ledger.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(backup, db)
    open_ledger(ledger.settings).close()  # the service restarts on the restored file
    # Then it verifies on its own, but the kept checkpoint reveals the rollback
    assert verify(ledger.settings)[0] == 0
    brk = finding(ledger.settings, "--checkpoint", str(kept))
    assert brk["kind"] == "rolled-back"
    assert "older copy of the ledger" in str(brk["message"])


def test_r_led_4_rehashing_the_whole_history_is_reported_as_rewritten(
    ledger: CellTraceLedger, tmp_path: Path
) -> None:
    # Given a checkpoint the auditor kept
    kept = keep_checkpoint(ledger.settings, tmp_path / "kept.checkpoint")
    # When an event is edited, every hash recomputed, and the log's own checkpoints and
    # Merkle tree removed (so the ledger is perfectly self-consistent again)
    attacker = Attacker(ledger.settings.database)
    state = bytes(attacker.rows()[5][4]).replace(b'"new"', b'"old"')
    attacker.rehash_from(1, {6: state})
    attacker.forget_transparency_log()
    assert verify(ledger.settings)[0] == 0
    # Then the kept checkpoint's root no longer matches the ledger's: history rewritten
    brk = finding(ledger.settings, "--checkpoint", str(kept))
    assert brk["kind"] == "history-rewritten"
    assert "the checkpoint you kept signs" in str(brk["message"])


def test_r_led_4_stored_checkpoints_catch_a_rehash_without_the_auditors_copy(
    ledger: CellTraceLedger, tmp_path: Path
) -> None:
    # Given a stored checkpoint
    keep_checkpoint(ledger.settings, tmp_path / "kept.checkpoint")
    # When history is re-hashed but the signed checkpoint left in place
    attacker = Attacker(ledger.settings.database)
    attacker.rehash_from(1, {6: bytes(attacker.rows()[5][4]).replace(b'"new"', b'"old"')})
    # Then plain verify names checkpoint #1 as signing a different history
    brk = finding(ledger.settings)
    assert brk["kind"] == "history-rewritten"
    assert "checkpoint #1 signs" in str(brk["message"])


def test_r_led_4_a_kept_checkpoint_with_a_forged_signature_is_refused(
    ledger: CellTraceLedger, tmp_path: Path
) -> None:
    # Given a checkpoint re-signed by a key that is not the log's
    note = keep_checkpoint(ledger.settings, tmp_path / "kept.checkpoint").read_text()
    cp = parse_checkpoint(note.split("\n\n")[0] + "\n")
    forger = Signer.generate(ledger.settings.origin)
    forged = tmp_path / "forged.checkpoint"
    forged.write_text(sign_note(Checkpoint(cp.origin, cp.size, cp.root_hash).to_text(), [forger]))
    # When verified against it / Then refused: no published log key signed it
    brk = finding(ledger.settings, "--checkpoint", str(forged))
    assert brk["kind"] == "checkpoint-signature-invalid"


def test_r_led_4_edited_merkle_tree_table_is_reported(
    ledger: CellTraceLedger, tmp_path: Path
) -> None:
    # Given the Merkle log and a checkpoint of 13 leaves (8 + 4 + 1)
    keep_checkpoint(ledger.settings, tmp_path / "kept.checkpoint")
    # When its largest stored subtree is overwritten
    Attacker(ledger.settings.database).set_merkle_node(3, 0, node_hash(bytes(32), bytes(32)))
    # Then verify reports the tree table as altered (its proofs would not verify)
    brk = finding(ledger.settings)
    assert brk["kind"] == "merkle-log-altered"


@pytest.mark.parametrize("content", ["not a checkpoint\n", ""])
def test_r_led_4_unreadable_checkpoint_file_is_a_usage_error(
    ledger: CellTraceLedger, tmp_path: Path, content: str
) -> None:
    # Given a file that is not a signed checkpoint / When passed / Then exit 2
    path = tmp_path / "junk"
    path.write_text(content)
    assert run(ledger.settings, "verify", "--checkpoint", str(path))[0] == 2
