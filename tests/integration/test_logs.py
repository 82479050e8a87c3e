"""Logs (docs/operations.md "Logs"): one JSON object per line when asked, and an error in a
background thread that follows the ledger is logged when it happens, with its traceback, not
only when someone next waits on that thread."""

from __future__ import annotations

import io
import json
import logging
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from ledger import logs
from ledger.application import Actor
from ledger.bootstrap import init_ledger, open_ledger, open_projections
from ledger.config import Settings
from tests.cli import run_celltrace
from tests.processes import wait_until
from tests.specimen import Specimen


@pytest.fixture
def logged() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    logs.configure("info", "json", stream)
    try:
        yield stream
    finally:
        logs.configure("warning", "text")


def _entries(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def test_json_lines_with_extra_fields_and_exceptions(logged: io.StringIO) -> None:
    log = logging.getLogger("celltrace.test")
    log.info("checkpoint signed", extra={"tree_size": 560})
    try:
        raise ValueError("boom")
    except ValueError:
        log.exception("failed")
    logs.configure("info", "json", logged)  # configured again: still one line per record
    log.warning("once")
    first, second, third = _entries(logged)
    assert first["message"] == "checkpoint signed" and first["tree_size"] == 560
    assert first["level"] == "info" and first["logger"] == "celltrace.test"
    assert str(first["time"]).endswith("+00:00")
    assert second["level"] == "error" and "ValueError: boom" in str(second["exception"])
    assert third["message"] == "once"


def test_a_background_failure_is_logged_when_it_happens(
    sqlite_settings: Settings, logged: io.StringIO
) -> None:
    init_ledger(sqlite_settings)
    projections = open_projections(sqlite_settings)
    ledger = open_ledger(sqlite_settings)
    with projections:
        # the Merkle log's table disappears under the running follower
        assert sqlite_settings.database.sqlite_path is not None
        with sqlite3.connect(sqlite_settings.database.sqlite_path) as conn:
            conn.execute("DROP TABLE merkle_leaves")
        with ledger.command(Actor("PER-T", "operator")):
            item = Specimen("logged")
        ledger.record(item)
        found = wait_until(
            lambda: [e for e in _entries(logged) if e["level"] == "error"], "the error's log line"
        )
        assert "The Merkle log stopped following the ledger" in str(found[0]["message"])
        assert "merkle_leaves" in str(found[0]["exception"])
    ledger.close()


def test_no_personal_data_in_the_logs_even_at_debug(tmp_path: Path) -> None:
    """A name given to the ledger is kept in the key store only; a command run at the most
    talkative level logs JSON lines without it."""
    env = {"CELLTRACE_LOG_LEVEL": "debug", "CELLTRACE_LOG_FORMAT": "json"}
    data = tmp_path / "data"
    init = run_celltrace(data, "init", env=env)
    assert init.returncode == 0, init.stderr
    added = run_celltrace(
        data,
        "users",
        "add",
        "--role",
        "qa",
        "--name",
        "Wilhelmina Quarantotto",
        "--password-stdin",
        env=env,
        stdin="a long enough password\n",
    )
    assert added.returncode == 0, added.stderr
    logged = init.stderr + added.stderr
    assert "Quarantotto" not in logged
    entries = [json.loads(line) for line in logged.splitlines() if line.startswith("{")]
    assert any("schema went from revision" in str(e["message"]) for e in entries)
