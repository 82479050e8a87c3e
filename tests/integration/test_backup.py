"""`celltrace backup` and `celltrace restore` on SQLite and PostgreSQL (R-LED-1, R-LED-3,
docs/operations.md "Backups and restore"): a backup taken while a writer records restores to a
ledger that verifies; a restore never replaces a longer ledger, nor another history; a damaged
backup restores nothing; a restored ledger older than a checkpoint kept outside is reported as
rolled back."""

from __future__ import annotations

import json
import multiprocessing
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ledger.cli.main import app
from ledger.config import DatabaseURL
from ledger.integrity.verify import LedgerReader
from tests.cli import run_celltrace
from tests.concurrent_writer import keep_writing
from tests.conftest import new_pg_database, pg_url
from tests.processes import wait_until


@dataclass
class Ledger:
    data: Path
    url: str

    def run(self, *args: str) -> tuple[int, str, str]:
        """`celltrace ARGS` in its own process: exit code, standard output and error."""
        done = run_celltrace(self.data, *args, database_url=self.url)
        return done.returncode, done.stdout, done.stderr

    def set_up(self, *args: str, stdin: str | None = None) -> str:
        """`celltrace ARGS` that must succeed, run in this process (quicker); its output."""
        result = CliRunner().invoke(
            app,
            list(args),
            input=stdin,
            env={"CELLTRACE_DATA_DIR": str(self.data), "CELLTRACE_DATABASE_URL": self.url},
        )
        assert result.exit_code == 0, result.output
        return result.stdout

    def events(self) -> int:
        return LedgerReader(DatabaseURL.parse(self.url)).count()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def ledgers(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Ledger, Ledger]]:
    """A ledger (created by `celltrace init`) and a place to restore into, on one backend."""
    if request.param == "sqlite":
        yield (
            Ledger(tmp_path / "a", f"sqlite:///{tmp_path / 'a' / 'ledger.db'}"),
            Ledger(tmp_path / "b", f"sqlite:///{tmp_path / 'b' / 'ledger.db'}"),
        )
        return
    admin = request.getfixturevalue("pg_admin")
    with new_pg_database(admin) as a, new_pg_database(admin) as b:
        yield Ledger(tmp_path / "a", pg_url(a)), Ledger(tmp_path / "b", pg_url(b))


def test_backup_while_writing_restores_a_verified_ledger(
    ledgers: tuple[Ledger, Ledger], tmp_path: Path
) -> None:
    """R-LED-3: the backup is one consistent state of a ledger that keeps growing meanwhile; the
    restored ledger verifies and holds exactly the events the manifest names."""
    source, target = ledgers
    source.set_up("init")
    stop = tmp_path / "stop"
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        writer = pool.submit(keep_writing, str(source.data), source.url, str(stop))
        try:
            wait_until(lambda: source.events() >= 40, "the writer's first events")
            code, out, err = source.run("backup", str(tmp_path / "backup"))
            assert code == 0, err
            manifest = json.loads((tmp_path / "backup" / "ledger" / "backup.json").read_text())
            wait_until(
                lambda: source.events() > manifest["events"] + 20,
                "events written after the backup",
            )
        finally:
            stop.touch()  # the writer stops whatever happened here
        assert writer.result(timeout=120) > 0
    assert manifest["events"] >= 40
    assert "WARNING" in err and "key-store" in err

    code, out, err = target.run("restore", str(tmp_path / "backup"))
    assert code == 0, out + err
    assert f"Intact: {manifest['events']} events verified" in out
    assert target.events() == manifest["events"] < source.events()
    code, out, err = target.run("verify")
    assert code == 0, out + err
    assert manifest["chain_head"] in out


def test_restore_refuses_a_longer_ledger_and_reports_a_rollback(
    ledgers: tuple[Ledger, Ledger], tmp_path: Path
) -> None:
    """R-LED-1: restoring an older backup over the ledger is refused (nothing changes); restored
    elsewhere, it is reported as rolled back against the newer checkpoint kept outside."""
    source, target = ledgers
    source.set_up("init")
    _add_person(source)
    source.set_up("backup", str(tmp_path / "old"))
    _add_person(source)
    checkpoint = source.set_up("checkpoint")
    (tmp_path / "checkpoint.txt").write_text(checkpoint)
    before = source.events()

    code, out, err = source.run("restore", str(tmp_path / "old"))
    assert code == 2, out + err
    assert "would remove" in err and "R-LED-1" in err and "Nothing was restored" in err
    assert source.events() == before
    assert source.run("verify")[0] == 0

    code, out, err = target.run(
        "restore", str(tmp_path / "old"), "--checkpoint", str(tmp_path / "checkpoint.txt")
    )
    assert code == 1, out + err
    assert "ROLLED BACK" in err
    assert target.events() < before


def test_a_damaged_backup_or_another_history_restores_nothing(tmp_path: Path) -> None:
    """A backup file that differs from its manifest is refused before anything is written; a
    shorter ledger that is not a part of the backup (another history) is not replaced; a
    backup never writes into a directory that holds anything."""
    one = Ledger(tmp_path / "one", f"sqlite:///{tmp_path / 'one' / 'ledger.db'}")
    other = Ledger(tmp_path / "other", f"sqlite:///{tmp_path / 'other' / 'ledger.db'}")
    for ledger in (one, other):
        ledger.set_up("init")
    _add_person(one)
    _add_person(one)
    _add_person(other)
    one.set_up("backup", str(tmp_path / "b"))

    before = other.events()
    code, out, err = other.run("restore", str(tmp_path / "b"))
    assert code == 2, out + err
    assert "another history" in err
    assert other.events() == before

    code, _, err = one.run("backup", str(tmp_path / "b"))  # never over another backup
    assert code == 2
    assert "not an empty directory" in err

    copy = tmp_path / "b" / "ledger" / "ledger.db"
    data = bytearray(copy.read_bytes())
    data[-100] ^= 1
    copy.write_bytes(bytes(data))
    target = Ledger(tmp_path / "t", f"sqlite:///{tmp_path / 't' / 'ledger.db'}")
    code, out, err = target.run("restore", str(tmp_path / "b"))
    assert code == 1, out + err
    assert "BACKUP DAMAGED OR ALTERED: ledger/ledger.db" in err
    assert not (tmp_path / "t" / "ledger.db").exists()


def _add_person(ledger: Ledger) -> None:
    ledger.set_up(
        "users", "add", "--role", "operator", "--password-stdin", stdin="a long enough password 1\n"
    )
