"""Running the real `celltrace` command in a subprocess, on an SQLite ledger in `data`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def run_celltrace(
    data: Path, *args: str, timeout: float = 300, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CELLTRACE_DATA_DIR": str(data)}
    env.pop("CELLTRACE_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "ledger", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
