"""Real `celltrace` processes in tests, synchronised on conditions, never on sleeps.

Every wait here polls for a condition (a line printed, a port answering, a predicate) and fails
with what it saw when a generous bound passes, so a loaded machine is slower, never flaky.
"""

from __future__ import annotations

import os
import queue
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO, TypeVar

import httpx

from ledger.config import Settings

T = TypeVar("T")
# Bounds on waits: far above what a busy 2-core machine needs, so only a real hang reaches them.
STARTUP_BOUND = 120.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def celltrace_env(settings: Settings, **extra: str) -> dict[str, str]:
    """The environment that points a `celltrace` process at `settings`' ledger."""
    return {
        **with_bytecode(os.environ),
        "CELLTRACE_DATABASE_URL": settings.database_url,
        "CELLTRACE_DATA_DIR": str(settings.data_dir),
        **extra,
    }


def with_bytecode(environ: Mapping[str, str]) -> dict[str, str]:
    """`environ` letting Python keep compiled modules, so each `celltrace` process started by
    the tests loads them instead of compiling the whole package again (some CI images set
    PYTHONDONTWRITEBYTECODE)."""
    return {k: v for k, v in environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def start_celltrace(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    """`python -m ledger ARGS` with stdout and stderr piped as text."""
    return subprocess.Popen(
        [sys.executable, "-m", "ledger", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_until(
    condition: Callable[[], T | None],
    what: str,
    *,
    bound: float = STARTUP_BOUND,
    interval: float = 0.02,
) -> T:
    """Poll `condition` until it returns a truthy value (returned), or fail naming `what`."""
    deadline = time.monotonic() + bound
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {bound:.0f} s for {what}")
        time.sleep(interval)


class Lines:
    """The lines a process writes to one stream, read in a thread as they come."""

    def __init__(self, stream: IO[str] | None) -> None:
        assert stream is not None, "the stream must be piped"
        self.seen: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._thread.start()

    def _read(self, stream: IO[str]) -> None:
        for line in stream:
            self._queue.put(line)
        self._queue.put(None)

    def wait_for(self, text: str, *, bound: float = STARTUP_BOUND) -> str:
        """The first line containing `text`; fails if the stream ends or the bound passes."""
        deadline = time.monotonic() + bound
        for line in self.seen:
            if text in line:
                return line
        while True:
            try:
                line = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(
                    f"waited {bound:.0f} s for {text!r}; seen: {''.join(self.seen)!r}"
                ) from None
            if line is None:
                self._queue.put(None)  # stays ended for later waits
                raise AssertionError(f"stream ended before {text!r}; seen: {''.join(self.seen)!r}")
            self.seen.append(line)
            if text in line:
                return line

    def text(self) -> str:
        """Everything read so far (call after the process ended for all of it)."""
        self._thread.join(timeout=STARTUP_BOUND)
        while True:
            try:
                line = self._queue.get_nowait()
            except queue.Empty:
                return "".join(self.seen)
            if line is None:
                self._queue.put(None)
                return "".join(self.seen)
            self.seen.append(line)


class Server:
    """A `celltrace serve` process on a free loopback port; its output goes to a log file
    (a pipe nobody reads would fill up with access-log lines and stall the server)."""

    def __init__(self, env: dict[str, str], log: Path, *args: str) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log
        with log.open("w") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "ledger", "serve", "--port", str(self.port), *args],
                env={**env, "CELLTRACE_BASE_URL": env.get("CELLTRACE_BASE_URL", self.base)},
                stdout=out,
                stderr=subprocess.STDOUT,
                text=True,
            )

    def wait_ready(self) -> None:
        """Wait until it serves its OpenAPI document; fail at once if it exited."""

        def answering() -> bool:
            if self.proc.poll() is not None:
                raise AssertionError(
                    f"celltrace serve exited ({self.proc.returncode}):\n{self.log.read_text()}"
                )
            try:
                return httpx.get(f"{self.base}/openapi.json", timeout=5).status_code == 200
            except httpx.HTTPError:
                return False

        wait_until(answering, f"{self.base} to answer", interval=0.1)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=STARTUP_BOUND)
