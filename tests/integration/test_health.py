"""Health, readiness and metrics with real processes (docs/operations.md "Health and metrics"):
on PostgreSQL, `celltrace serve --workers 2` answers `/readyz` ready while a real `celltrace
worker` keeps up, not ready (503, naming the read model) once it has stopped and events went
on being recorded, and ready again when a new worker has caught up."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from ledger.cli.main import app
from ledger.config import Settings
from ledger.readiness import readiness
from tests.processes import Server, celltrace_env, start_celltrace, wait_until


def _cli(settings: Settings, *args: str, stdin: str | None = None) -> str:
    result = CliRunner().invoke(
        app,
        list(args),
        input=stdin,
        env={
            "CELLTRACE_DATA_DIR": str(settings.data_dir),
            "CELLTRACE_DATABASE_URL": settings.database_url,
        },
    )
    assert result.exit_code == 0, result.output
    return result.stdout


def _ready(server: Server) -> httpx.Response:
    return httpx.get(f"{server.base}/readyz", timeout=10)


@pytest.mark.postgres
def test_readyz_follows_a_real_worker(pg_settings: Settings, tmp_path: Path) -> None:
    _cli(pg_settings, "init")
    env = celltrace_env(pg_settings, CELLTRACE_READY_MAX_LAG="3")
    server = Server(env, tmp_path / "serve.log", "--workers", "2")
    worker = start_celltrace(env, "worker")
    try:
        server.wait_ready()
        assert httpx.get(f"{server.base}/healthz", timeout=10).json() == {"status": "ok"}
        wait_until(lambda: _ready(server).status_code == 200, "ready with the worker running")
        # When the worker stops and steps go on being recorded
        worker.terminate()
        worker.wait(timeout=120)
        for _ in range(3):
            _cli(
                pg_settings,
                "users",
                "add",
                "--role",
                "qa",
                "--password-stdin",
                stdin="pw long enough\n",
            )
        # Then the servers answer not ready, naming what is behind
        answer = wait_until(
            lambda: (r := _ready(server)).status_code == 503 and r, "not ready without a worker"
        )
        assert any("items read model" in p for p in answer.json()["problems"])
        assert answer.json()["lag"]["items"] > 3
        # And once a worker runs again and has caught up, ready again
        worker = start_celltrace(env, "worker")
        last: list[httpx.Response] = []

        def ready_again() -> bool:
            last[:] = [_ready(server)]
            return last[0].status_code == 200

        try:
            wait_until(ready_again, "ready again after catching up", bound=60)
        except AssertionError as exc:
            raise AssertionError(f"{exc}: {last[0].text}") from None
        metrics = httpx.get(f"{server.base}/metrics", timeout=10).text
        assert 'celltrace_projection_lag_events{read_model="items"} 0.0' in metrics
    finally:
        worker.terminate()
        worker.wait(timeout=120)
        server.stop()


def test_several_server_processes_need_postgresql(sqlite_settings: Settings) -> None:
    _cli(sqlite_settings, "init")
    result = CliRunner().invoke(
        app,
        ["serve", "--workers", "2"],
        env={
            "CELLTRACE_DATA_DIR": str(sqlite_settings.data_dir),
            "CELLTRACE_DATABASE_URL": sqlite_settings.database_url,
        },
    )
    assert result.exit_code == 2
    assert "several server processes need PostgreSQL" in result.output


def test_events_waiting_long_for_a_checkpoint_are_not_ready(sqlite_settings: Settings) -> None:
    _cli(sqlite_settings, "init")
    add = ("users", "add", "--role", "qa", "--password-stdin")
    _cli(sqlite_settings, *add, stdin="pw long enough\n")
    _cli(sqlite_settings, "checkpoint")
    signed = datetime.now(UTC)
    settings = replace(sqlite_settings, ready_max_lag=10**6, ready_max_checkpoint_age=600)
    assert readiness(settings, signed + timedelta(hours=2)).ready  # nothing waits
    _cli(sqlite_settings, *add, stdin="pw long enough\n")
    waiting = readiness(settings, signed + timedelta(seconds=601))
    assert not waiting.ready and waiting.uncovered > 0
    assert "waited for a signed checkpoint longer than 600 s" in waiting.problems[0]
    assert readiness(settings, signed + timedelta(seconds=60)).ready
