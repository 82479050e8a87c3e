"""R-LED-4: a ledger has one log identity. `init` records it in the database; from another host
or folder without the log key it refuses (exit 2, nothing written) instead of creating a second
key; keys may live anywhere (CELLTRACE_KEYS_DIR, CELLTRACE_LOG_KEY) behind a passphrase."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from ledger.config import DatabaseURL
from ledger.stores.keys import KeyFile
from tests.cli import run_celltrace
from tests.conftest import pg_url

pytestmark = pytest.mark.postgres


def _ok(result: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def _first_host(tmp_path: Path, db: DatabaseURL) -> tuple[Path, str]:
    """The first host: init and one signed checkpoint; returns its folder and the key id."""
    first = tmp_path / "host-a"
    first.mkdir()
    _ok(run_celltrace(None, "init", database_url=pg_url(db), cwd=first))
    _ok(run_celltrace(None, "checkpoint", database_url=pg_url(db), cwd=first))
    verified = _ok(run_celltrace(None, "verify", "--json", database_url=pg_url(db), cwd=first))
    key = verified.stdout.split('"keys": [\n')[1].split('"')[1]
    return first, key.split("+")[1]


def test_r_led_4_init_from_another_folder_refuses_a_second_log_identity(
    tmp_path: Path, pg_database: DatabaseURL
) -> None:
    # Given a PostgreSQL ledger initialised (and checkpointed) from one folder
    _, key_id = _first_host(tmp_path, pg_database)
    other = tmp_path / "host-b"
    other.mkdir()
    # When init runs from another folder, whose ./celltrace-data/keys holds no key
    result = run_celltrace(None, "init", database_url=pg_url(pg_database), cwd=other)
    # Then it refuses with exit 2, naming the ledger's key and how to provide it
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert f"log key celltrace.example/ledger+{key_id}" in result.stderr
    assert "CELLTRACE_KEYS_DIR / CELLTRACE_LOG_KEY" in result.stderr
    # And no key (nor data folder) was written there
    assert list(other.iterdir()) == []


def test_r_led_4_init_with_the_keys_dir_of_the_first_host_keeps_the_keys(
    tmp_path: Path, pg_database: DatabaseURL
) -> None:
    # Given a ledger initialised from one folder
    first, _ = _first_host(tmp_path, pg_database)
    other = tmp_path / "host-b"
    other.mkdir()
    keys = {"CELLTRACE_KEYS_DIR": str(first / "celltrace-data" / "keys")}
    # When init runs from another folder with CELLTRACE_KEYS_DIR pointing at those keys
    result = _ok(run_celltrace(None, "init", database_url=pg_url(pg_database), cwd=other, env=keys))
    # Then it keeps them, and checkpoints and verify work from there
    assert "Log signing key (kept)" in result.stdout
    assert "Label signing key (kept)" in result.stdout
    _ok(run_celltrace(None, "checkpoint", database_url=pg_url(pg_database), cwd=other, env=keys))
    _ok(run_celltrace(None, "verify", database_url=pg_url(pg_database), cwd=other, env=keys))


def test_r_led_4_verify_elsewhere_trusts_the_keys_the_database_recorded_and_says_so(
    tmp_path: Path, pg_database: DatabaseURL
) -> None:
    # Given a checkpointed ledger, and a folder without keys
    _, key_id = _first_host(tmp_path, pg_database)
    other = tmp_path / "host-b"
    other.mkdir()
    # When verify runs there without --keys
    result = run_celltrace(None, "verify", database_url=pg_url(pg_database), cwd=other)
    # Then it trusts the database's log key, says so, and finds no (false) tampering
    assert result.returncode == 0, result.stdout + result.stderr
    assert "recorded in the database by `celltrace init`" in result.stdout
    assert f"celltrace.example/ledger+{key_id}" in result.stdout


def test_r_led_4_checkpoint_refuses_to_sign_with_a_key_the_database_does_not_name(
    tmp_path: Path, pg_database: DatabaseURL
) -> None:
    # Given a ledger, and another folder holding some other log key
    _first_host(tmp_path, pg_database)
    stranger = KeyFile(tmp_path / "stranger" / "log.key")
    stranger.create()
    env = {"CELLTRACE_KEYS_DIR": str(stranger.path.parent)}
    # When that key is asked to sign a checkpoint
    result = run_celltrace(
        tmp_path / "data", "checkpoint", database_url=pg_url(pg_database), env=env
    )
    # Then exit 2 names both keys and nothing is signed
    assert result.returncode == 2, result.stdout + result.stderr
    assert "is not this ledger's log key" in result.stderr
    assert "BEGIN" not in result.stdout and result.stdout == ""


def test_r_led_4_a_passphrase_protected_log_key_outside_the_data_dir_signs(
    tmp_path: Path, pg_database: DatabaseURL
) -> None:
    # Given a passphrase-protected log key outside the data directory
    key = KeyFile(tmp_path / "vault" / "ledger-log.pem", passphrase="correct horse")
    key.create()
    assert b"ENCRYPTED" in key.path.read_bytes()
    env = {
        "CELLTRACE_LOG_KEY": str(key.path),
        "CELLTRACE_LOG_KEY_PASSPHRASE": "correct horse",
    }
    url = pg_url(pg_database)
    # When init, checkpoint and verify run with it
    init = _ok(run_celltrace(tmp_path / "data", "init", database_url=url, env=env))
    _ok(run_celltrace(tmp_path / "data", "checkpoint", database_url=url, env=env))
    verified = _ok(run_celltrace(tmp_path / "data", "verify", database_url=url, env=env))
    # Then the key is kept where it is and its checkpoints verify
    assert f"Log signing key (kept): {key.path}" in init.stdout
    assert not (tmp_path / "data" / "keys" / "log.key").exists()
    assert "matches 1 signed checkpoint" in verified.stdout


def test_r_led_4_a_wrong_passphrase_is_refused_clearly(
    tmp_path: Path, pg_database: DatabaseURL
) -> None:
    # Given a passphrase-protected log key
    key = KeyFile(tmp_path / "vault" / "ledger-log.pem", passphrase="correct horse")
    key.create()
    url = pg_url(pg_database)
    for passphrase, expected in (
        ("wrong", "the passphrase in CELLTRACE_LOG_KEY_PASSPHRASE does not open"),
        ("", "is protected by a passphrase; set CELLTRACE_LOG_KEY_PASSPHRASE"),
    ):
        env = {"CELLTRACE_LOG_KEY": str(key.path), "CELLTRACE_LOG_KEY_PASSPHRASE": passphrase}
        # When init runs with a wrong (or no) passphrase
        result = run_celltrace(tmp_path / "data", "init", database_url=url, env=env)
        # Then exit 2 names the key file and the setting, and no ledger key was made
        assert result.returncode == 2, result.stdout + result.stderr
        assert "Traceback" not in result.stderr
        assert expected in result.stderr and str(key.path) in result.stderr
        assert not (tmp_path / "data" / "keys" / "log.key").exists()
