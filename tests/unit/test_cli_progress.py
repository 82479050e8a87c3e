"""The worker's catch-up progress on stderr: bounded output on a terminal and in a log."""

from __future__ import annotations

import io

from ledger.cli.progress import CatchUpProgress


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_progress_in_a_log_is_a_few_summary_lines_per_read_model() -> None:
    # Given stderr that is not a terminal, and a catch-up of 100 000 events in 1000 batches
    out, clock = io.StringIO(), Clock()
    progress = CatchUpProgress(100_000, out, tty=False, clock=clock)
    # When two read models each report every batch, 1/16 s apart
    for title in ("items, timelines, genealogy", "Merkle log"):
        for batch in range(1, 1001):
            clock.now += 0.0625
            progress(title, batch * 100)
    progress.finish()
    lines = out.getvalue().splitlines()
    # Then each read model gets a start line, one line per 10 s and an end line
    assert lines[0] == "items, timelines, genealogy: catching up with 100000 events"
    assert lines[1] == "items, timelines, genealogy: event 16100 of 100000 (16%)"
    assert lines[7] == "items, timelines, genealogy: event 100000 of 100000 (100%), done in 62.5 s"
    assert lines[8] == "Merkle log: catching up with 100000 events"
    assert lines[-1] == "Merkle log: event 100000 of 100000 (100%), done in 62.4 s"
    assert len(lines) == 16


def test_progress_on_a_terminal_redraws_one_line_at_a_bounded_rate() -> None:
    # Given a terminal, and 1024 batches reported 1/1024 s apart
    out, clock = io.StringIO(), Clock()
    progress = CatchUpProgress(1024, out, tty=True, clock=clock, interval=0.125)
    for position in range(1, 1025):
        clock.now += 1 / 1024
        progress("Merkle log", position)
    progress.finish()
    text = out.getvalue()
    # Then the line is redrawn in place every 1/8 s, not for every batch, and ended once
    assert text.count("\r") == 7 + 1
    assert "\n" not in text[:-1]
    assert text.endswith("\r\x1b[2KMerkle log: event 1024 of 1024 (100%), done in 1.0 s\n")
