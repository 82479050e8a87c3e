"""What a newcomer meets first at the `celltrace` command: settings refused at once, no ledger
created by accident, the version, readable help and shell completion."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli import run_celltrace

run = run_celltrace


@pytest.mark.parametrize("command", [["init"], ["demo"], ["verify"], ["serve", "--port", "9"]])
def test_r_id_1_malformed_facility_setting_is_refused_by_every_command_at_once(
    tmp_path: Path, command: list[str]
) -> None:
    # Given CELLTRACE_FACILITY=f-1, which no item code may contain
    data = tmp_path / "data"
    # When any command runs
    result = run(data, *command, env={"CELLTRACE_FACILITY": "f-1"}, timeout=60)
    # Then it exits 2 naming the setting and the allowed form, and nothing was created
    assert result.returncode == 2, result.stdout + result.stderr
    assert "CELLTRACE_FACILITY='f-1' is not a facility code" in result.stderr
    assert "2 to 5 characters A-Z or 0-9, e.g. F01" in result.stderr
    assert "Traceback" not in result.stderr
    assert not data.exists()


def test_serve_without_a_ledger_exits_2_and_creates_nothing(tmp_path: Path) -> None:
    # Given a directory with no ledger
    data = tmp_path / "wrong-directory"
    # When serve is started there
    result = run(data, "serve", "--port", "9", timeout=60)
    # Then it refuses in one line saying what to do, and creates neither a ledger nor keys
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert f"no ledger at {data / 'ledger.db'}" in lines[0]
    assert "run `celltrace init`" in lines[0]
    assert "CELLTRACE_DATA_DIR / CELLTRACE_DATABASE_URL" in lines[0]
    assert not data.exists()


def test_users_commands_without_a_ledger_exit_2_and_create_nothing(tmp_path: Path) -> None:
    data = tmp_path / "wrong-directory"
    result = run(data, "users", "add", "--role", "operator", "--password-stdin", stdin="x" * 16)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "no ledger at" in result.stderr
    assert not data.exists()
