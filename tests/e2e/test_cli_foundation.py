"""The `celltrace` command's foundation contracts: init is idempotent and keys are private;
verify exits 0 intact, 1 tampered, 2 on usage errors (R-LED-3)."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from tests.cli import run_celltrace

run = run_celltrace


def test_r_led_3_init_is_idempotent_and_keys_are_owner_only(tmp_path: Path) -> None:
    # When init runs twice
    first = run(tmp_path, "init")
    second = run(tmp_path, "init")
    # Then both succeed, the keys are created once and readable by the owner only
    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr
    assert "Log signing key (created)" in first.stdout
    assert "Log signing key (kept)" in second.stdout
    assert "Report signing key and certificate (created)" in first.stdout
    for name in ("log.key", "label.key", "report.key", "report.crt"):
        mode = stat.S_IMODE((tmp_path / "keys" / name).stat().st_mode)
        assert mode == 0o600
    assert stat.S_IMODE((tmp_path / "keys").stat().st_mode) == 0o700


@pytest.fixture(scope="module")
def demo_ledger(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One demo ledger for this file's tests; a test that alters it works on a copy."""
    folder = tmp_path_factory.mktemp("demo")
    demo = run(folder, "demo")
    assert demo.returncode == 0, demo.stderr
    assert "Verification: intact" in demo.stdout
    return folder


def test_r_led_3_demo_then_verify_exits_0_with_chain_head(demo_ledger: Path) -> None:
    tmp_path = demo_ledger
    result = run(tmp_path, "verify")
    assert result.returncode == 0, result.stderr
    assert "Intact:" in result.stdout
    head = next(line for line in result.stdout.splitlines() if line.startswith("Chain head: "))
    kept = head.removeprefix("Chain head: ")
    again = run(tmp_path, "verify", "--chain-head", kept)
    assert again.returncode == 0, again.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["verify", "--chain-head", "not-hex"],
        ["verify", "--chain-head", "12:abcd"],
        ["verify", "-x"],
    ],
)
def test_r_led_3_verify_usage_errors_exit_2(tmp_path: Path, args: list[str]) -> None:
    run(tmp_path, "init")
    result = run(tmp_path, *args)
    assert result.returncode == 2, result.stdout + result.stderr


def test_r_led_3_verify_without_a_ledger_exits_2_and_says_what_to_do(tmp_path: Path) -> None:
    result = run(tmp_path / "nowhere", "verify")
    assert result.returncode == 2
    assert "celltrace init" in result.stderr


def test_r_led_3_verify_exits_1_naming_the_record_when_tampered(
    demo_ledger: Path, tmp_path: Path
) -> None:
    import shutil
    import sqlite3

    tmp_path = tmp_path / "copy"
    shutil.copytree(demo_ledger, tmp_path)
    conn = sqlite3.connect(tmp_path / "ledger.db")
    conn.execute("DROP TRIGGER stored_events_no_update")
    conn.execute("UPDATE stored_events SET topic = topic || 'x' WHERE rowid = 4")
    conn.commit()
    conn.close()
    result = run(tmp_path, "verify")
    assert result.returncode == 1
    assert "TAMPERING DETECTED: event-altered at record 4" in result.stdout


def test_a_refused_command_exits_2_not_1(tmp_path: Path) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from ledger.integrity.note import Signer

    # Given a ledger whose published key history no longer lists its log key
    assert run(tmp_path, "init").returncode == 0
    stranger = Signer(Ed25519PrivateKey.generate(), "celltrace.example/ledger")
    (tmp_path / "keys" / "log-keys.txt").write_text(stranger.verifier().key_string() + "\n")
    # When `checkpoint` is refused
    result = run(tmp_path, "checkpoint")
    # Then it exits 2 with one line saying why: 1 would mean tampering was found
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.startswith("refused: ") and "is not a published log key" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_help_lists_the_exit_codes(tmp_path: Path) -> None:
    result = run(tmp_path, "--help")
    assert result.returncode == 0
    text = " ".join(result.stdout.split())
    assert "1 tampering found (verify only)" in text
    assert "3 the ledger's database or a service cannot be reached" in text
