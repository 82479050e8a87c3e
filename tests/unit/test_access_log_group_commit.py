"""The access log's group commit (R-ACC-2): threads that record reads at the same time have
their entries written together, one transaction for all that queued, each caller returning
only once its own entry is committed; the chain stays whole and every entry is its caller's."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, create_engine, event, text

from ledger.integrity.access_chain import AccessEntry
from ledger.stores.access_log import AccessLog

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
BOUND = 60.0  # seconds: a hang fails the test instead of stalling it


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    engine = create_engine(
        f"sqlite:///{tmp_path / 'side.db'}",
        connect_args={"timeout": 30, "check_same_thread": False},
    )
    event.listen(engine, "connect", lambda conn, _: conn.execute("PRAGMA journal_mode=WAL"))
    return engine


def _read(log: AccessLog, n: int) -> AccessEntry:
    return log.append(AT, f"PER-{n}", "qa", "read:item", f"PVL-{n}", f"GET /api/v1/items/{n}")


def _in_threads(calls: list[Callable[[], object]]) -> list[object]:
    """Run each call in its own thread; their results (or exceptions), bounded in time."""
    results: list[object] = [None] * len(calls)

    def run(i: int) -> None:
        try:
            results[i] = calls[i]()
        except Exception as exc:
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(BOUND)
        assert not thread.is_alive(), "an append never returned"
    return results


def _until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + BOUND
    while not condition():
        assert time.monotonic() < deadline, "the condition never held"
        time.sleep(0.01)


def test_r_acc_2_concurrent_reads_each_get_their_own_committed_entry(engine: Engine) -> None:
    log = AccessLog(engine)
    log.create_tables()
    # When 16 threads record 20 reads each at the same time
    results = _in_threads(
        [lambda t=t: [_read(log, t * 100 + i) for i in range(20)] for t in range(16)]  # type: ignore[misc]
    )
    entries = [entry for batch in results for entry in batch]  # type: ignore[attr-defined]
    # Then every read has its own number, and the stored entry is the one its caller got
    assert sorted(e.seq for e in entries) == list(range(1, 321))
    stored = {e.seq: e for e in log.entries()}
    assert all(stored[e.seq] == e for e in entries)
    # And the chain over all of them verifies
    assert log.verify()[0] == 320


def test_r_acc_2_reads_queued_behind_a_write_are_committed_together(engine: Engine) -> None:
    log = AccessLog(engine)
    log.create_tables()
    _read(log, 0)
    commits: list[None] = []
    event.listen(engine, "commit", lambda _conn: commits.append(None))
    # Given another writer holding the database, so that the first read waits on it
    holder = sqlite3.connect(str(engine.url.database), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    calls = [lambda n=n: _read(log, n) for n in range(1, 9)]
    done: list[object] = []
    runner = threading.Thread(target=lambda: done.extend(_in_threads(calls)))  # type: ignore[arg-type]
    runner.start()
    # When the other seven reads queue behind it and the writer lets go
    _until(lambda: len(log._pending) == 7)
    holder.execute("COMMIT")
    holder.close()
    runner.join(BOUND)
    assert not runner.is_alive()
    # Then the eight reads took two commits: the first alone, the seven queued in one
    assert len(commits) == 2
    assert sorted(e.seq for e in done) == list(range(2, 10))  # type: ignore[attr-defined]
    assert log.verify()[0] == 9


def test_r_acc_2_a_failing_write_with_its_entry_fails_alone(engine: Engine) -> None:
    log = AccessLog(engine)
    log.create_tables()

    def broken(conn: Connection) -> None:
        conn.execute(text("INSERT INTO no_such_table VALUES (1)"))

    # When a recorded write fails, beside reads
    results = _in_threads(
        [
            lambda: log.append(AT, "PER-1", "qa", "printer:add", "zebra", "POST", within=broken),
            *[lambda n=n: _read(log, n) for n in range(8)],  # type: ignore[misc]
        ]
    )
    # Then that one fails, with nothing of it written, and every read is recorded
    assert isinstance(results[0], Exception)
    assert all(isinstance(r, AccessEntry) for r in results[1:])
    assert log.verify()[0] == 8
    # And the log takes the next read (no caller is left waiting to write)
    assert _in_threads([lambda: _read(log, 99)])[0].seq == 9  # type: ignore[attr-defined]
