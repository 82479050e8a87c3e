"""R-LED-4 on SQLite: `init` never gives a ledger that already signed checkpoints a second log
key, nor another key than the one its database names."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from ledger.stores.keys import KeyFile
from tests.cli import run_celltrace


def test_r_led_4_init_refuses_a_new_log_key_for_a_ledger_with_checkpoints(tmp_path: Path) -> None:
    # Given an SQLite ledger with a signed checkpoint, whose keys folder was then lost
    assert run_celltrace(tmp_path, "init").returncode == 0
    assert run_celltrace(tmp_path, "checkpoint").returncode == 0
    shutil.rmtree(tmp_path / "keys")
    # When init runs again
    result = run_celltrace(tmp_path, "init")
    # Then it refuses (exit 2) instead of creating another log identity, and writes no key
    assert result.returncode == 2, result.stdout + result.stderr
    assert "already has a log identity" in result.stderr
    assert f"no log signing key at {tmp_path / 'keys' / 'log.key'}" in result.stderr
    assert not (tmp_path / "keys").exists()


def test_r_led_4_init_refuses_another_log_key_than_the_ledgers(tmp_path: Path) -> None:
    # Given an SQLite ledger, and some other log key in another folder
    assert run_celltrace(tmp_path / "data", "init").returncode == 0
    other = KeyFile(tmp_path / "other-keys" / "log.key")
    other.create()
    # When init runs with CELLTRACE_LOG_KEY pointing at that key
    result = run_celltrace(tmp_path / "data", "init", env={"CELLTRACE_LOG_KEY": str(other.path)})
    # Then it refuses, naming the key file and the ledger's own key
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"the log signing key {other.path}" in result.stderr
    assert "is not the log key of this ledger" in result.stderr


def test_r_led_4_init_refuses_a_new_log_key_for_an_older_ledger_with_checkpoints(
    tmp_path: Path,
) -> None:
    # Given a ledger with a signed checkpoint but no recorded log identity (an older release),
    # whose keys folder was then lost
    assert run_celltrace(tmp_path, "init").returncode == 0
    assert run_celltrace(tmp_path, "checkpoint").returncode == 0
    with sqlite3.connect(tmp_path / "ledger.db") as conn:
        conn.execute("DROP TABLE log_identity")
    shutil.rmtree(tmp_path / "keys")
    # When init runs again
    result = run_celltrace(tmp_path, "init")
    # Then it refuses, as its checkpoints were signed by a key it does not have
    assert result.returncode == 2, result.stdout + result.stderr
    assert "holds signed checkpoints but there is no log signing key" in result.stderr
    assert not (tmp_path / "keys").exists()
