"""Full-ledger verification from the database (R-LED-3, R-LED-4), streaming in constant memory.

`verify_database` feeds the stored rows from SQLite or PostgreSQL, without any application code,
to `stored_row.verify_stored_rows` (`records.verify_records` in one tight loop), and checks the
stored signed checkpoints and Merkle log against the ledger.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass, replace
from itertools import chain
from typing import Any

from ledger.config import DatabaseURL
from ledger.integrity.note import Verifier
from ledger.integrity.records import (
    Break,
    KeptHead,
    Report,
    StoredRecord,
    verify_records,
)
from ledger.integrity.stored_row import record_from_stored_row, verify_stored_rows
from ledger.integrity.tree_audit import CheckpointAudit, SignedCheckpoint
from ledger.integrity.tree_check import StoredTreeMatch, check_stored_tree
from ledger.storage.reachability import pg_connect

__all__ = [
    "Break",
    "KeptHead",
    "LedgerReader",
    "LogAudit",
    "Report",
    "StoredRecord",
    "select_records_sql",
    "verify_database",
    "verify_records",
]

# --- reading from a database -------------------------------------------------------------

# The previous event of an aggregate is version - 1, for versions above 1 (docs/ledger-format.md).
_SELECT = (
    "SELECT e.{nid}, e.originator_id{cast}, e.originator_version, e.topic, e.state, "
    "e.event_hash, e.chain_hash, p.event_hash "
    "FROM stored_events e "
    "LEFT JOIN stored_events p ON p.originator_id = e.originator_id "
    "AND p.originator_version = e.originator_version - 1 AND e.originator_version > 1 "
    "{where}ORDER BY e.{nid}"
)


def select_records_sql(backend: str, where: str = "") -> str:
    """The records query; `where` (e.g. "e.{nid} IN :ids") restricts it to some records."""
    nid, cast = ("rowid", "") if backend == "sqlite" else ("notification_id", "::text")
    condition = f"WHERE {where.format(nid=nid)} " if where else ""
    return _SELECT.format(nid=nid, cast=cast, where=condition)


def record_from_row(row: tuple[Any, ...], backend: str) -> StoredRecord:
    """A row of `select_records_sql` as a StoredRecord (UUIDs in canonical text form); a column
    not stored in the recorder's form is reported through `StoredRecord.defect`."""
    return record_from_stored_row(row, backend)


class LedgerReader:
    """Read-only access to the stored ledger tables of either backend."""

    def __init__(self, db: DatabaseURL) -> None:
        self.db = db

    def count(self) -> int:
        if not self.has_table("stored_events"):
            return 0
        with self._rows("SELECT COUNT(*) FROM stored_events") as rows:
            return int(next(iter(rows))[0])

    def last_notification_id(self) -> int | None:
        nid = "rowid" if self.db.backend == "sqlite" else "notification_id"
        with self._rows(f"SELECT MAX({nid}) FROM stored_events") as rows:  # noqa: S608
            value = next(iter(rows))[0]
        return None if value is None else int(value)

    def records(self) -> Iterator[StoredRecord]:
        for row in self.rows():
            yield record_from_row(row, self.db.backend)

    def rows(self) -> Iterator[tuple[Any, ...]]:
        """The rows of `select_records_sql` in notification order, streamed."""
        return chain.from_iterable(self.row_batches())  # no Python frame per row

    def row_batches(self) -> Iterator[list[tuple[Any, ...]]]:
        """`rows` as the lists the database returns them in (1000 or 5000 rows each)."""
        if not self.has_table("stored_events"):
            return  # a dropped event table is an empty ledger: nothing left to verify
        with self._rows(select_records_sql(self.db.backend), stream=True, batches=True) as found:
            yield from found

    def has_table(self, name: str) -> bool:
        if not name.isidentifier():
            raise ValueError(f"{name!r} is not a table name")
        catalogue = (
            "sqlite_master WHERE type = 'table' AND name"
            if self.db.backend == "sqlite"
            else "pg_tables WHERE tablename"
        )
        with self._rows(f"SELECT COUNT(*) FROM {catalogue} = '{name}'") as rows:  # noqa: S608
            return int(next(iter(rows))[0]) > 0

    def merkle_log_size(self) -> int:
        """Leaves in the stored Merkle log (0 before it exists)."""
        if not self.has_table("merkle_leaves"):
            return 0
        with self._rows("SELECT MAX(log_index) FROM merkle_leaves") as rows:
            value = next(iter(rows))[0]
        return 0 if value is None else int(value) + 1

    def checkpoints(self) -> Generator[SignedCheckpoint, None, None]:
        """The stored signed checkpoints in signing order (none before the first is signed)."""
        if not self.has_table("log_checkpoints"):
            return
        sql = "SELECT sequence, note FROM log_checkpoints ORDER BY sequence"
        with self._rows(sql, stream=True) as rows:
            for sequence, note in rows:
                yield SignedCheckpoint(str(note), int(sequence))

    def last_checkpoint(self) -> tuple[int, str, int] | None:
        """The latest stored checkpoint's tree size, signing time (ISO 8601) and the
        notification id of the last event it covers (0 for an empty tree)."""
        if not self.has_table("log_checkpoints") or not self.has_table("merkle_leaves"):
            return None
        sql = (
            "SELECT c.tree_size, c.signed_at, l.notification_id FROM log_checkpoints c "
            "LEFT JOIN merkle_leaves l ON l.log_index = c.tree_size - 1 "
            "ORDER BY c.sequence DESC LIMIT 1"
        )
        with self._rows(sql) as rows:
            row = next(iter(rows), None)
        return (int(row[0]), str(row[1]), int(row[2] or 0)) if row else None

    def tracked_positions(self) -> list[tuple[str, int]]:
        """(view, notification id) each read model says it has processed (none before any)."""
        if not self.has_table("projection_tracking"):
            return []
        sql = "SELECT view, MAX(notification_id) FROM projection_tracking GROUP BY view"
        with self._rows(sql) as rows:
            return [(str(view), int(nid)) for view, nid in rows]

    def _rows(self, sql: str, *, stream: bool = False, batches: bool = False) -> _Rows:
        return _Rows(self.db, sql, stream, batches)


class _Rows:
    """Context manager yielding rows of one query (or, with `batches`, lists of rows),
    streamed for large results."""

    def __init__(self, db: DatabaseURL, sql: str, stream: bool, batches: bool = False) -> None:
        self.db, self.sql, self.stream, self.batches = db, sql, stream, batches
        self._close: Callable[[], None] = lambda: None

    def __enter__(self) -> Iterable[Any]:
        if self.db.backend == "sqlite":
            assert self.db.sqlite_path is not None
            # mode=rw (never creates a file): a read-only open cannot recover a WAL database
            # restored without its -wal/-shm files; nothing is written by these queries.
            uri = f"file:{self.db.sqlite_path}?mode=rw"
            conn = sqlite3.connect(uri, uri=True)
            self._close = conn.close
            cur = conn.execute(self.sql)
            cur.arraysize = 1000
            return iter(cur.fetchmany, []) if self.batches else _fetch_iter(cur)
        pg = pg_connect(self.db)
        self._close = pg.close
        if self.stream:
            named = pg.cursor(name="celltrace_verify")
            named.itersize = 5000
            named.execute(self.sql.encode())
            return iter(lambda: named.fetchmany(5000), []) if self.batches else iter(named)
        return iter(pg.execute(self.sql.encode()).fetchall())

    def __exit__(self, *exc: object) -> None:
        self._close()


def _fetch_iter(cur: sqlite3.Cursor) -> Iterator[tuple[Any, ...]]:
    while True:
        batch = cur.fetchmany()
        if not batch:
            return
        yield from batch


@dataclass(frozen=True)
class LogAudit:
    """What checking the Merkle log needs: its origin, its published verifier keys (oldest
    first) and, optionally, a signed checkpoint an auditor kept outside the system."""

    origin: str
    log_keys: tuple[Verifier, ...]
    kept_checkpoint: str | None = None


def verify_database(
    db: DatabaseURL,
    *,
    kept_head: KeptHead | None = None,
    progress: Callable[[int], None] | None = None,
    log: LogAudit | None = None,
) -> Report:
    """Verify the whole stored ledger of `db` (see `verify_records`).

    With `log`, also recompute the Merkle root at every stored checkpoint's size (and at the
    kept checkpoint's), check their signatures and order (`tree_audit.CheckpointAudit`), and
    check that the stored Merkle log's root equals the root recomputed from the ledger.
    """
    reader = LedgerReader(db)
    backend = db.backend
    if log is None:
        return verify_stored_rows(
            reader.row_batches(), backend, kept_head=kept_head, progress=progress
        )
    # Read the stored tree's size first: it can only be <= the ledger streamed afterwards.
    tree_size = reader.merkle_log_size()
    kept = SignedCheckpoint(log.kept_checkpoint) if log.kept_checkpoint is not None else None
    with _Chunks(db) as chunks:
        tree = StoredTreeMatch(tree_size, chunks.leaves(tree_size), chunks.level)
        audit = CheckpointAudit(
            log.origin,
            log.log_keys,
            reader.checkpoints(),
            kept,
            tree_size,
            on_tree=tree.compare,
        )
        report = verify_stored_rows(
            reader.row_batches(), backend, kept_head=kept_head, progress=progress, observer=audit
        )
    report = replace(report, checkpoints=audit.checked, merkle_root=audit.range.root())
    last = report.head.notification_id if report.head else None
    if report.intact and tree_size and not (tree_size <= report.events and tree.matched()):
        # Something differs: the separate check names the first difference, as it always did.
        found = _check_stored_tree(db, tree_size, report.events, last)
        if found is not None:
            return replace(report, first_break=found, merkle_root=None)
    if report.intact:
        found = _check_tracking(reader, last)
        if found is not None:
            return replace(report, first_break=found)
    return report


class _Chunks:
    """The stored Merkle log read in index order on one connection (opened at the first
    read), a few thousand rows per query, while the ledger streams on another: what
    `_check_stored_tree` reads, in chunks."""

    SIZE = 4096

    def __init__(self, db: DatabaseURL) -> None:
        self.db = db
        self._close: Callable[[], None] = lambda: None
        self._query: Callable[[str], list[Any]] = self._connect

    def __enter__(self) -> _Chunks:
        return self

    def __exit__(self, *exc: object) -> None:
        self._close()

    def _connect(self, sql: str) -> list[Any]:
        if self.db.backend == "sqlite":
            assert self.db.sqlite_path is not None
            conn = sqlite3.connect(f"file:{self.db.sqlite_path}?mode=rw", uri=True)
            self._query = lambda text: conn.execute(text).fetchall()
            self._close = conn.close
        else:
            pg = pg_connect(self.db)
            self._query = lambda text: pg.execute(text.encode()).fetchall()
            self._close = pg.close
        return self._query(sql)

    def leaves(self, size: int) -> Iterator[tuple[int, int, bytes]]:
        sql = "SELECT log_index, notification_id, event_hash FROM merkle_leaves WHERE {} "
        return self._chunks(sql + "ORDER BY log_index", "log_index", size)

    def level(self, number: int, count: int) -> Iterator[tuple[int, bytes]]:
        sql = f"SELECT node_index, hash FROM merkle_nodes WHERE level = {number} AND {{}} "  # noqa: S608
        return self._chunks(sql + "ORDER BY node_index", "node_index", count)

    def _chunks(self, sql: str, column: str, stop: int) -> Iterator[Any]:
        return chain.from_iterable(map(self._read, self._queries(sql, column, stop)))

    def _read(self, sql: str) -> list[Any]:
        return self._query(sql)

    def _queries(self, sql: str, column: str, stop: int) -> Iterator[str]:
        # The first chunk has no lower bound: together they are exactly `column < stop`.
        low = f"{column} < {{}}"
        for start in range(0, stop, self.SIZE):
            end = min(start + self.SIZE, stop)
            yield sql.format(low.format(end))
            low = f"{column} >= {end} AND {column} < {{}}"


def _check_tracking(reader: LedgerReader, last_id: int | None) -> Break | None:
    """Read models are written after the events they follow: one that has processed a later
    notification than the ledger's last proves the end of the ledger was removed (R-LED-9)."""
    ahead = [(view, nid) for view, nid in reader.tracked_positions() if nid > (last_id or 0)]
    if not ahead:
        return None
    view, nid = max(ahead, key=lambda found: found[1])
    ends = "is empty" if last_id is None else f"ends at record {last_id}"
    return Break(
        "truncated",
        last_id,
        None,
        None,
        f"the read model `{view}` has processed the ledger up to record {nid}, but the ledger "
        f"{ends}: events were removed from the end (or the event table was emptied); restore "
        "the ledger from a verified backup and check it against a chain head or checkpoint "
        "kept outside the system",
    )


def _check_stored_tree(
    db: DatabaseURL, size: int, events: int, last_id: int | None
) -> Break | None:
    """The Merkle log tables that serve proofs must hold the tree of this very ledger: every
    stored leaf and node is recomputed (`tree_check.check_stored_tree`)."""
    if size > events:
        return Break(
            "truncated",
            last_id,
            None,
            None,
            f"the Merkle log holds {size} leaves but the ledger has only {events} events: "
            "events were deleted from the end",
        )
    reader = LedgerReader(db)
    nid = "rowid" if db.backend == "sqlite" else "notification_id"

    def rows(sql: str) -> Iterator[tuple[Any, ...]]:
        with reader._rows(sql, stream=True) as found:
            yield from found

    def level(number: int, count: int) -> Iterator[tuple[int, bytes]]:
        if number == 0:
            sql = f"SELECT log_index, event_hash FROM merkle_leaves WHERE log_index < {count} "  # noqa: S608
        else:
            sql = (
                f"SELECT node_index, hash FROM merkle_nodes WHERE level = {number} "  # noqa: S608
                f"AND node_index < {count} "
            )
        return ((int(i), bytes(h)) for i, h in rows(sql + "ORDER BY 1"))

    ledger_hashes = (
        (int(n), bytes(h))
        for n, h in rows(f"SELECT {nid}, event_hash FROM stored_events ORDER BY {nid} LIMIT {size}")  # noqa: S608
    )
    leaves = (
        (int(i), int(n), bytes(h))
        for i, n, h in rows(
            "SELECT log_index, notification_id, event_hash FROM merkle_leaves "  # noqa: S608
            f"WHERE log_index < {size} ORDER BY log_index"
        )
    )
    return check_stored_tree(size, ledger_hashes, leaves, level)
