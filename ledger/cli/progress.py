"""Progress of a long catch-up on stderr (`celltrace worker --rebuild`): on a terminal one line
per read model, redrawn at most `interval` seconds apart; elsewhere (a log file, a service
manager) a line when each read model starts and ends, and one every `log_every` seconds
between, so a log never fills with progress."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO


class CatchUpProgress:
    """Called as `progress(title, notification_id)` after each batch of each read model."""

    def __init__(
        self,
        total: int,
        out: TextIO,
        *,
        tty: bool,
        clock: Callable[[], float] = time.monotonic,
        interval: float = 0.1,
        log_every: float = 10.0,
    ) -> None:
        self.total, self.out, self.tty, self.clock = total, out, tty, clock
        self.interval = interval if tty else log_every
        self._title = ""
        self._position = 0
        self._started = self._shown = 0.0

    def __call__(self, title: str, position: int) -> None:
        now = self.clock()
        if title != self._title:
            self.finish()
            self._title, self._started, self._shown = title, now, now
            if not self.tty:
                self._write(f"{title}: catching up with {self.total} events")
        self._position = position
        if now - self._shown >= self.interval:
            self._shown = now
            self._write(self._line())

    def finish(self) -> None:
        """End the current read model's line with where it got and how long it took."""
        if not self._title:
            return
        seconds = self.clock() - self._started
        self._write(f"{self._line()}, done in {seconds:.1f} s", end="\n")
        self._title = ""

    def _line(self) -> str:
        share = 100 * self._position // self.total if self.total else 100
        return f"{self._title}: event {self._position} of {self.total} ({share}%)"

    def _write(self, line: str, end: str = "") -> None:
        if self.tty:
            self.out.write(f"\r\x1b[2K{line}{end}")
        else:
            self.out.write(f"{line}\n")
        self.out.flush()
