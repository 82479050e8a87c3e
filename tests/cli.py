"""Running the real `celltrace` command in a subprocess, on an SQLite ledger in `data`."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path


def run_celltrace(
    data: Path,
    *args: str,
    timeout: float = 300,
    env: Mapping[str, str] | None = None,
    stdin: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """`celltrace ARGS` with CELLTRACE_DATA_DIR=`data`, plus `env` (e.g. a bad setting)."""
    full_env = {**os.environ, "CELLTRACE_DATA_DIR": str(data)}
    full_env.pop("CELLTRACE_DATABASE_URL", None)
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "ledger", *args],
        env=full_env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
