"""What a newcomer meets first at the `celltrace` command: settings refused at once, no ledger
created by accident, the version, readable help and shell completion."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ledger.identifiers import ItemType
from tests.cli import run_celltrace
from tests.codes import demo_code, mistyped

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


def test_version_prints_the_installed_version(tmp_path: Path) -> None:
    from importlib.metadata import version

    result = run(tmp_path, "--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"celltrace {version('celltrace')}\n"


def _commands() -> list[list[str]]:
    import typer.main

    from ledger.cli.main import app

    root = typer.main.get_command(app)
    found: list[list[str]] = [[]]
    for name, command in getattr(root, "commands", {}).items():
        found.append([name])
        found += [[name, sub] for sub in getattr(command, "commands", {})]
    return found


TYPE_TAGS = ("<bool>", "<str>", "<int>", "<path>", "<float>", "{code}")


@pytest.mark.parametrize("command", _commands(), ids=lambda c: " ".join(c) or "celltrace")
def test_help_shows_no_type_tags_and_names_values_by_metavar(command: list[str]) -> None:
    from typer.testing import CliRunner

    from ledger.cli.main import app

    # When a command's help is shown (Rich panels, as on a terminal)
    result = CliRunner().invoke(app, [*command, "--help"], prog_name="celltrace")
    # Then no parameter carries a Python type tag; flags show none, values their metavar
    assert result.exit_code == 0, result.output
    assert not [tag for tag in TYPE_TAGS if tag in result.output], result.output


def test_plain_help_names_values_by_metavar(tmp_path: Path) -> None:
    # Given help rendered without Rich (as TYPER_USE_RICH=0 or a missing rich package gives)
    result = run(tmp_path, "users", "train", "--help", env={"TYPER_USE_RICH": "0"})
    # Then values read CODE, STEP, SOP and N, and no type tag appears
    assert result.returncode == 0, result.stderr
    assert "users train [OPTIONS] CODE STEP" in result.stdout
    assert "--sop SOP" in result.stdout and "--days N" in result.stdout
    assert not [tag for tag in TYPE_TAGS if tag in result.stdout], result.stdout


def test_shell_completion_script_is_offered(tmp_path: Path) -> None:
    # typer detects the calling shell among the process's ancestors unless told not to; a test
    # names the shell, so its answer does not depend on what started the test run
    no_detection = {"_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"}
    result = run(tmp_path, "--show-completion", "bash", env=no_detection)
    assert result.returncode == 0, result.stderr
    assert "complete" in result.stdout and "COMP_WORDS" in result.stdout


@pytest.fixture(scope="module")
def with_operator(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A ledger made by `init` with one operator added by `users add` (copied per test)."""
    data = tmp_path_factory.mktemp("operator")
    assert run(data, "init").returncode == 0
    added = run(data, "users", "add", "--role", "operator", "--password-stdin", stdin="p" * 16)
    assert added.returncode == 0, added.stderr
    return data, added.stdout.strip()


@pytest.fixture
def operator_ledger(with_operator: tuple[Path, str], tmp_path: Path) -> tuple[Path, str]:
    template, code = with_operator
    data = tmp_path / "data"
    shutil.copytree(template, data)
    return data, code


def _events(data: Path) -> int:
    import sqlite3

    with sqlite3.connect(data / "ledger.db") as conn:
        (count,) = conn.execute("SELECT count(*) FROM stored_events").fetchone()
    return int(count)


def test_r_ppl_1_users_train_refuses_an_unknown_step_type_with_exit_2(
    operator_ledger: tuple[Path, str],
) -> None:
    # Given a registered operator
    tmp_path, code = operator_ledger
    before = _events(tmp_path)
    # When training is recorded for a step that does not exist
    result = run(tmp_path, "users", "train", code, "fly.to.moon", "--sop", "SOP-1 v1")
    # Then exit 2 names the step, the rule and the valid step types; nothing is written
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.startswith(
        "error: R-PPL-1: 'fly.to.moon' is not a step type of this ledger, so no training can "
        "be recorded for it; use one of: banks.establish, "
    )
    assert "people.administer" in result.stderr and "shipment.ship" in result.stderr
    assert _events(tmp_path) == before
    # And a known step type is recorded
    trained = run(tmp_path, "users", "train", code, "banks.thaw", "--sop", "SOP-1 v1")
    assert trained.returncode == 0, trained.stderr
    assert f"{code} trained for banks.thaw until" in trained.stdout
    assert _events(tmp_path) == before + 1


NOBODY = demo_code(ItemType.PERSON, 99)  # a valid code no one was registered under


@pytest.mark.parametrize(
    ("person", "says"),
    [
        ("X", "R-ID-1: item code 'X' refused: a code has 5 parts"),
        (mistyped(NOBODY), f"R-ID-1: item code '{mistyped(NOBODY)}' refused: the check"),
        (NOBODY, f"{NOBODY} is a valid code but no such person"),
        (demo_code(ItemType.DONOR, 1), "expected a person (PER-...), got a donor (DON-...)"),
    ],
)
def test_users_train_refuses_an_unknown_person_with_exit_2(
    operator_ledger: tuple[Path, str], person: str, says: str
) -> None:
    tmp_path, _ = operator_ledger
    before = _events(tmp_path)
    result = run(tmp_path, "users", "train", person, "banks.thaw", "--sop", "SOP-1 v1")
    assert result.returncode == 2, result.stdout + result.stderr
    assert says in result.stderr
    assert "Traceback" not in result.stderr
    assert _events(tmp_path) == before


def test_worker_rebuild_shows_progress_and_where_each_read_model_is(
    operator_ledger: tuple[Path, str],
) -> None:
    # Given a ledger with a few events
    tmp_path, _ = operator_ledger
    events = _events(tmp_path)
    # When the read models are rebuilt once
    result = run(tmp_path, "worker", "--rebuild", "--once")
    # Then stderr follows the rebuild (not a terminal: a start and an end line per read model)
    assert result.returncode == 0, result.stderr
    assert f"items, timelines, genealogy: catching up with {events} events" in result.stderr
    assert f"Merkle log: event {events} of {events} (100%), done in" in result.stderr
    # And stdout says where each read model is, in words rather than a dictionary
    assert result.stdout.splitlines()[-1] == (
        f"Caught up: items, timelines, genealogy: at event {events} of {events}; "
        f"Merkle log: {events} leaves"
    )


def test_worker_without_a_ledger_exits_2_and_creates_nothing(tmp_path: Path) -> None:
    data = tmp_path / "wrong-directory"
    result = run(data, "worker", "--once")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "no ledger at" in result.stderr
    assert not data.exists()


@pytest.mark.parametrize(
    "command",
    [
        ["checkpoint"],
        ["prove", demo_code(ItemType.PRODUCT_VIAL, 1), "--out", "proof.txt"],
        ["export", "bundle"],
        ["rotate-log-key"],
    ],
)
def test_transparency_commands_without_a_ledger_exit_2_and_create_nothing(
    tmp_path: Path, command: list[str]
) -> None:
    data = tmp_path / "wrong-directory"
    result = run(data, *command)
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"no ledger at {data / 'ledger.db'}" in result.stderr
    assert "Traceback" not in result.stderr
    assert not data.exists()


def test_a_persons_printed_name_is_kept_encrypted_outside_the_ledger(tmp_path: Path) -> None:
    from ledger.bootstrap import open_ledger
    from ledger.config import Settings

    data = tmp_path / "data"
    assert run(data, "init").returncode == 0
    added = run(
        data,
        "users",
        "add",
        "--role",
        "qa",
        "--name",
        "Xu Ming Yue",
        "--password-stdin",
        stdin="p" * 16,
    )
    assert added.returncode == 0, added.stderr
    code = added.stdout.strip()
    settings = Settings(data_dir=data, database_url=f"sqlite:///{data / 'ledger.db'}")
    ledger = open_ledger(settings)
    try:
        assert ledger.person_name(code) == "Xu Ming Yue"
    finally:
        ledger.close()
    stored = b"".join(p.read_bytes() for p in data.glob("ledger.db*"))
    assert b"Xu Ming Yue" not in stored
