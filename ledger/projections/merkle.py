"""The Merkle log as a projection (R-LED-4): leaves in notification order, RFC 9162 subtrees.

It reads `(notification id, event_hash, topic)` straight from `stored_events` in batches (leaf
data is the stored 32-byte event hash, so no event is decoded), appends leaves with a dense
0-based `log_index`, stores every subtree the batch completes (`merkle.new_subtrees`) and
advances its tracking position, all in one transaction: exactly once, resumable, like every
view. The writes go through the DB-API cursor, a statement per tree level (and on SQLite one
statement copying the batch's leaves), not a parameter set per row. Appends and checkpoint
signing take one write lock so the tree never changes under a signer and two integrators never
race.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from eventsourcing.persistence import Tracking
from sqlalchemy import Connection, Engine
from sqlalchemy.engine.interfaces import DBAPICursor

from ledger.config import LEDGER_NAME
from ledger.integrity import merkle
from ledger.integrity.merkle_log import (
    Integrated,
    SQLNodes,
    create_tables,
    locked_transaction,
    merkle_leaves,
    merkle_nodes,
    tree_size,
)
from ledger.projections.tracking import SQLAlchemyView, tracking_table

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Statements:
    """The integrator's statements in the DB-API's own parameter style (constant names only;
    every value is bound)."""

    select: str  # (after, n) -> (notification id, event_hash, topic) in order
    leaves: str | None  # SQLite: (start, after, last) copies the batch's rows in one statement
    dense: str | None  # SQLite, the same when the rowids are consecutive: (offset, after, last)
    leaf: str  # (log_index, notification_id, event_hash), executemany
    level: str  # (count, level, first index, the nodes' 32-byte hashes joined): one level


def _statements(dialect: str) -> _Statements:
    if dialect == "sqlite":
        return _Statements(
            select="SELECT rowid, event_hash, topic FROM stored_events "
            "WHERE rowid > ? ORDER BY rowid LIMIT ?",
            # Inside BEGIN IMMEDIATE no other writer commits: the same rows as the SELECT.
            leaves="INSERT INTO merkle_leaves (log_index, notification_id, event_hash) "
            "SELECT ? - 1 + row_number() OVER (ORDER BY rowid), rowid, event_hash "
            "FROM stored_events WHERE rowid > ? AND rowid <= ? ORDER BY rowid",
            dense="INSERT INTO merkle_leaves (log_index, notification_id, event_hash) "
            "SELECT rowid + ?, rowid, event_hash FROM stored_events "
            "WHERE rowid > ? AND rowid <= ? ORDER BY rowid",
            leaf="INSERT INTO merkle_leaves (log_index, notification_id, event_hash) "
            "VALUES (?, ?, ?)",
            level="WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?) "
            "INSERT INTO merkle_nodes (level, node_index, hash) "
            "SELECT ?, ? + i, substr(?, i * 32 + 1, 32) FROM n",
        )
    return _Statements(
        select="SELECT notification_id, event_hash, topic FROM stored_events "
        "WHERE notification_id > %s ORDER BY notification_id LIMIT %s",
        # Each statement of a READ COMMITTED transaction sees newer commits: leaves are
        # written from the rows read, never selected again.
        leaves=None,
        dense=None,
        leaf="INSERT INTO merkle_leaves (log_index, notification_id, event_hash) "
        "VALUES (%s, %s, %s)",
        level="INSERT INTO merkle_nodes (level, node_index, hash) "
        "SELECT p.lv, p.fi + i, substring(p.h FROM i * 32 + 1 FOR 32) FROM (SELECT "
        "%s::integer AS c, %s::smallint AS lv, %s::bigint AS fi, %s::bytea AS h) AS p, "
        "generate_series(0, p.c - 1) AS i",
    )


class MerkleView(SQLAlchemyView):
    """The Merkle log's tables and tracking position (see the module docstring)."""

    name = "merkle"
    tables = (merkle_leaves, merkle_nodes)

    def __init__(self, engine: Engine, application_name: str = LEDGER_NAME) -> None:
        super().__init__(engine)
        self.application_name = application_name
        self._sql = _statements(engine.dialect.name)

    def create_tables(self, *, rebuild: bool = True) -> None:
        # its own creation (the tables' triggers); the Merkle log never changed shape
        create_tables(self.engine, [tracking_table, *self.tables])

    def integrate(self, batch_size: int = 1000) -> Integrated | None:
        """Append the next `batch_size` events of the ledger; None when there is none."""
        # Rows go through the DB-API cursor as tuples, and the nodes of a level as one
        # statement: per-row parameter handling cost more than the hashing.
        sql = self._sql
        with locked_transaction(self.engine) as conn:
            position = self._position(conn)
            cursor = conn.connection.cursor()
            try:
                cursor.execute(sql.select, (position, batch_size))
                rows = cursor.fetchall()
                if not rows:
                    return None
                start = tree_size(conn)
                last = int(rows[-1][0])
                sha256 = hashlib.sha256  # RFC 9162 leaf hash SHA-256(0x00 || event_hash)
                leaf_hashes = [sha256(b"\x00" + r[1]).digest() for r in rows]
                levels = merkle.new_subtrees(start, leaf_hashes, SQLNodes(conn))
                self._insert_leaves(cursor, start, position, rows)
                for level, first, nodes in levels[1:]:
                    cursor.execute(sql.level, (len(nodes), level, first, b"".join(nodes)))
            finally:
                cursor.close()
            self._advance(conn, Tracking(self.application_name, last))
            return Integrated(start, start + len(rows), last, frozenset({r[2] for r in rows}))

    def _insert_leaves(
        self, cursor: DBAPICursor, start: int, position: int, rows: Sequence[Sequence[Any]]
    ) -> None:
        """Leaves `start`... of `rows` (read after `position`): on SQLite copied from
        stored_events by one statement, on PostgreSQL sent as tuples."""
        sql, first, last = self._sql, int(rows[0][0]), int(rows[-1][0])
        if sql.dense is not None and last - first == len(rows) - 1:
            cursor.execute(sql.dense, (start - first, position, last))
        elif sql.leaves is not None:
            cursor.execute(sql.leaves, (start, position, last))
        else:
            cursor.executemany(
                sql.leaf, [(start + i, r[0], bytes(r[1])) for i, r in enumerate(rows)]
            )
            return
        if cursor.rowcount != len(rows):
            raise RuntimeError("the ledger changed under the Merkle integrator")

    def _position(self, conn: Connection) -> int:
        value = conn.execute(
            tracking_table.select()
            .with_only_columns(tracking_table.c.notification_id)
            .where(
                (tracking_table.c.view == self.name)
                & (tracking_table.c.application_name == self.application_name)
            )
        ).scalar()
        return 0 if value is None else int(value)


Observer = Callable[[Integrated | None], object]
"""Told what each batch integrated, or None when the ledger had nothing new (a clock tick)."""


class MerkleFollower:
    """Keeps the Merkle log up to date: `catch_up()` now, or a polling thread after `start()`."""

    name = MerkleView.name
    title = "Merkle log"

    def __init__(
        self,
        engine: Engine,
        *,
        observer: Observer | None = None,
        batch_size: int = 1000,
        interval: float = 0.05,
    ) -> None:
        self.view = MerkleView(engine)
        self.observer = observer
        self.batch_size = batch_size
        self.interval = interval
        self._stopped = threading.Event()
        self._failed = threading.Event()
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None

    def rebuild(self) -> None:
        self.view.drop()

    def catch_up(
        self, batch_size: int = 10_000, progress: Callable[[int], object] | None = None
    ) -> int:
        """Integrate everything the ledger holds now; tell the observer once at the end and
        `progress` the notification id reached after each batch."""
        self.view.create_tables()
        first: Integrated | None = None
        last: Integrated | None = None
        topics: set[str] = set()
        while (done := self.view.integrate(batch_size)) is not None:
            first = first or done
            last = done
            topics |= done.topics
            if progress is not None:
                progress(done.notification_id)
        if first is not None and last is not None and self.observer is not None:
            self.observer(
                Integrated(first.start, last.end, last.notification_id, frozenset(topics))
            )
        return self.position() or 0

    def position(self) -> int | None:
        return self.view.max_tracking_id(self.view.application_name)

    def leaves(self) -> int:
        """How many leaves the stored log holds."""
        with self.view.engine.connect() as conn:
            return tree_size(conn)

    def start(self) -> None:
        self.view.create_tables()
        self._thread = threading.Thread(target=self._follow, name="merkle-log", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def _follow(self) -> None:
        try:
            while not self._stopped.is_set():
                done = self.view.integrate(self.batch_size)
                if self.observer is not None:
                    self.observer(done)
                if done is None:
                    self._stopped.wait(self.interval)
        except BaseException as exc:  # logged now, and raised again by wait() / run()
            _log.exception("The Merkle log stopped following the ledger: %s", exc)
            self._error = exc
            self._failed.set()

    def raise_error(self) -> None:
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def run(self, timeout: float) -> None:
        """Block up to `timeout` seconds; re-raise the following thread's error, if any."""
        if self._failed.wait(timeout):
            self.raise_error()

    def wait(self, notification_id: int | None, timeout: float) -> None:
        """Block until the log holds `notification_id` (read-your-writes)."""
        try:
            self.view.wait(self.view.application_name, notification_id, timeout, self._failed)
        except Exception:
            self.raise_error()
            raise
