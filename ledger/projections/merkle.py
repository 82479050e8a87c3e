"""The Merkle log as a projection (R-LED-4): leaves in notification order, RFC 9162 subtrees.

It reads `(notification id, event_hash, topic)` straight from `stored_events` in batches (leaf
data is the stored 32-byte event hash, so no event is decoded), appends leaves with a dense
0-based `log_index`, stores every subtree the batch completes (`merkle.nodes_to_store`) and
advances its tracking position, all in one transaction: exactly once, resumable, like every
view. Appends and checkpoint signing take one write lock so the tree never changes under a
signer and two integrators never race.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from eventsourcing.persistence import Tracking
from sqlalchemy import Connection, Engine, text

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


def _select_after(dialect: str) -> str:
    nid = "rowid" if dialect == "sqlite" else "notification_id"
    return (
        f"SELECT {nid}, event_hash, topic FROM stored_events "  # noqa: S608 - constant names
        f"WHERE {nid} > :after ORDER BY {nid} LIMIT :n"
    )


class MerkleView(SQLAlchemyView):
    """The Merkle log's tables and tracking position (see the module docstring)."""

    name = "merkle"
    tables = (merkle_leaves, merkle_nodes)

    def __init__(self, engine: Engine, application_name: str = LEDGER_NAME) -> None:
        super().__init__(engine)
        self.application_name = application_name
        self._select = text(_select_after(engine.dialect.name))

    def create_tables(self, *, rebuild: bool = True) -> None:
        # its own creation (the tables' triggers); the Merkle log never changed shape
        create_tables(self.engine, [tracking_table, *self.tables])

    def integrate(self, batch_size: int = 1000) -> Integrated | None:
        """Append the next `batch_size` events of the ledger; None when there is none."""
        with locked_transaction(self.engine) as conn:
            position = self._position(conn)
            rows = conn.execute(self._select, {"after": position, "n": batch_size}).all()
            if not rows:
                return None
            start = tree_size(conn)
            hashes = [bytes(r[1]) for r in rows]
            leaf_hashes = [merkle.leaf_hash(h) for h in hashes]
            nodes = merkle.nodes_to_store(start, leaf_hashes, SQLNodes(conn))
            conn.execute(
                merkle_leaves.insert(),
                [
                    {"log_index": start + i, "notification_id": int(r[0]), "event_hash": h}
                    for i, (r, h) in enumerate(zip(rows, hashes, strict=True))
                ],
            )
            inner = [{"level": lv, "node_index": i, "hash": h} for lv, i, h in nodes if lv]
            if inner:
                conn.execute(merkle_nodes.insert(), inner)
            last = int(rows[-1][0])
            self._advance(conn, Tracking(self.application_name, last))
            return Integrated(start, start + len(rows), last, frozenset(str(r[2]) for r in rows))

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
        except BaseException as exc:  # reported by wait() / run()
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
