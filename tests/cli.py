"""Running the real `celltrace` command in a subprocess (`python -m ledger`), on an SQLite ledger
in `data` or on the database `database_url` names, from `cwd` (default: this checkout)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from ledger.config import Settings
from tests.processes import with_bytecode

ROOT = Path(__file__).resolve().parent.parent


def run_celltrace(
    data: Path | None,
    *args: str,
    timeout: float = 300,
    database_url: str | None = None,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    stdin: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """`celltrace ARGS` with CELLTRACE_DATA_DIR=`data` (unset when None, so the default
    ./celltrace-data of `cwd` applies) and CELLTRACE_DATABASE_URL=`database_url` (SQLite in
    `data` when None); `env` adds or overrides variables."""
    environ = {k: v for k, v in with_bytecode(os.environ).items() if not k.startswith("CELLTRACE_")}
    # the tests' cheap password hashing (tests/conftest.py) holds in the commands they run too
    environ["CELLTRACE_PASSWORD_HASHING"] = os.environ.get("CELLTRACE_PASSWORD_HASHING", "")
    environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), environ.get("PYTHONPATH")]))
    if data is not None:
        environ["CELLTRACE_DATA_DIR"] = str(data)
    if database_url is not None:
        environ["CELLTRACE_DATABASE_URL"] = database_url
    environ.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "ledger", *args],
        env=environ,
        cwd=cwd or ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def run_in_process(settings: Settings, *args: str) -> tuple[int, str]:
    """`celltrace ARGS` in this process (typer's runner) on `settings`' ledger: exit code and
    standard output, for tests that call it many times."""
    from typer.testing import CliRunner

    from ledger.cli.main import app

    env = {"CELLTRACE_DATABASE_URL": settings.database_url}
    result = CliRunner().invoke(
        app, list(args), env={**env, "CELLTRACE_DATA_DIR": str(settings.data_dir)}
    )
    return result.exit_code, result.stdout
