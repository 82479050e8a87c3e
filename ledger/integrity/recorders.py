"""Hash-chain application recorder for SQLite, and the hashing and locks it shares with the
PostgreSQL one (`ledger.integrity.pg_recorder`) (R-LED-1, R-LED-3).

Each recorder subclasses eventsourcing's own application recorder. While holding the write
lock, inside the very transaction that inserts the events, it allocates the notification ids,
reads the chain head, computes each event's `event_hash` and `chain_hash`
(`ledger.integrity.chain`) and inserts them in the same row as the event: no window after
commit in which an event exists unprotected, and one write per event. Triggers refuse UPDATE
and DELETE, so the application itself can only append.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from uuid import UUID

from eventsourcing.persistence import (
    ApplicationRecorder,
    IntegrityError,
    ListenNotifySubscription,
    StoredEvent,
    Subscription,
)
from eventsourcing.sqlite import (
    SQLiteApplicationRecorder,
    SQLiteCursor,
    SQLiteDatastore,
    SQLiteTransaction,
)

from ledger.integrity.chain import (
    ZERO_HASH,
    canonical_originator_id,
    chain_hash,
    event_hash_encoded,
    length_prefixed,
)

WRITE_LOCK_KEY = 0x4C454447  # "LEDG": serialises appends, so commit order = notification order
APPEND_ONLY_MESSAGE = "CellTrace ledger records are append-only (R-LED-1)"

Link = tuple[UUID | str, int]
HashedRow = tuple[int, StoredEvent, bytes, bytes]  # notification id, event, event/chain hash


def hash_batch(
    stored_events: Sequence[StoredEvent],
    notification_ids: Sequence[int],
    head: bytes,
    links: dict[Link, bytes],
) -> list[HashedRow]:
    """Hash a batch given its ascending notification ids, following chain head `head`.

    `links` holds the stored event hashes of earlier events the batch links to, keyed by
    (originator id, version); the batch's own events are linked as they are hashed.
    """
    rows: list[HashedRow] = []
    known = {(str(oid), version): h for (oid, version), h in links.items()}
    last_obj: object = None
    oid = ""
    oid_lp_bytes = b""
    topics: dict[str, bytes] = {}
    for nid, stored in zip(notification_ids, stored_events, strict=True):
        if stored.originator_id is not last_obj:  # events usually come grouped by aggregate
            last_obj = stored.originator_id
            oid = canonical_originator_id(stored.originator_id)
            oid_lp_bytes = length_prefixed(oid)
        topic_lp = topics.get(stored.topic)
        if topic_lp is None:
            topic_lp = topics[stored.topic] = length_prefixed(stored.topic)
        version = stored.originator_version
        prev = known.get((oid, version - 1), ZERO_HASH)
        this = event_hash_encoded(nid, oid_lp_bytes, version, topic_lp, stored.state, prev)
        head = chain_hash(head, this)
        known[(oid, version)] = this
        rows.append((nid, stored, this, head))
    return rows


def links_to_read(stored_events: Sequence[StoredEvent]) -> list[Link]:
    """Earlier versions (>= 1) the batch links to that are not in the batch itself."""
    needed: dict[Link, None] = {}
    in_batch: set[Link] = set()
    for e in stored_events:
        link = (e.originator_id, e.originator_version - 1)
        if e.originator_version > 1 and link not in in_batch:
            needed[link] = None
        in_batch.add((e.originator_id, e.originator_version))
    return list(needed)


class PollingSubscription(ListenNotifySubscription[ApplicationRecorder]):
    """A subscription for recorders without LISTEN/NOTIFY: it looks for new events every
    `interval` seconds (SQLite has no cross-process notification)."""

    def __init__(
        self,
        recorder: ApplicationRecorder,
        gt: int | None = None,
        topics: Sequence[str] = (),
        interval: float = 0.1,
    ) -> None:
        self._interval = interval
        self._stopped = threading.Event()
        # The head before the first pull: an event written at any moment after it is noticed
        # (read in the polling thread instead, one written while the subscription starts could
        # be taken as already seen and never pulled).
        self._head = recorder.max_notification_id() or 0
        super().__init__(recorder=recorder, gt=gt, topics=topics)
        self._poll_thread = threading.Thread(target=self._poll, daemon=True)
        self._poll_thread.start()

    def stop(self) -> None:
        self._stopped.set()
        super().stop()

    def __exit__(self, *args: object, **kwargs: Any) -> None:
        try:
            super().__exit__(*args, **kwargs)
        finally:
            self._poll_thread.join()

    def _poll(self) -> None:
        last = self._head
        while not self._stopped.wait(self._interval):
            current = self._recorder.max_notification_id() or 0
            if current != last:
                last = current
                self._has_been_notified.set()


class _ImmediateTransaction(SQLiteTransaction):
    """A write transaction that takes SQLite's write lock at BEGIN, waiting for it if needed,
    so that the chain head it reads cannot be overtaken by another writer."""

    def __enter__(self) -> SQLiteCursor:
        cursor = self.connection.cursor()
        cursor.execute("BEGIN IMMEDIATE")
        return cursor


class ChainHeadCache:
    """The chain head and recent event hashes a recorder committed, kept to save a query per
    save; each recorder says when its cache may be trusted."""

    CACHED_LINKS = 10_000

    def _start_cache(self) -> None:
        self._cache_lock = threading.Lock()
        self._head: tuple[int, bytes] | None = None
        self._links: dict[Link, bytes] = {}

    def _cached_head(self) -> tuple[int, bytes] | None:
        with self._cache_lock:
            return self._head

    def _remember(self, rows: list[HashedRow]) -> None:
        """Cache what was just committed (never anything uncommitted)."""
        nid, _, _, chain = rows[-1]
        with self._cache_lock:
            if self._head is None or self._head[0] < nid:
                self._head = (nid, chain)
            if len(self._links) > self.CACHED_LINKS:
                self._links.clear()
            for _, s, eh, _ in rows:
                self._links[(s.originator_id, s.originator_version)] = eh


class HashChainSQLiteRecorder(ChainHeadCache, SQLiteApplicationRecorder):
    """SQLite application recorder that hash-chains every event as it is inserted.

    It remembers the chain head and recent event hashes it committed, to save a query per
    save. That is safe across processes: notification ids are inserted explicitly as the next
    rowid, so if anyone appended meanwhile the insert collides, the transaction rolls back
    and the save is redone once with the head read under the write lock.
    """

    def __init__(
        self, datastore: SQLiteDatastore, events_table_name: str = "stored_events"
    ) -> None:
        super().__init__(datastore, events_table_name)
        e = self.events_table_name
        self.insert_events_statement = (
            f"INSERT INTO {e} (rowid, originator_id, originator_version, topic, state, "
            "event_hash, chain_hash) VALUES (?,?,?,?,?,?,?)"
        )
        self.select_head_statement = (
            f"SELECT rowid, chain_hash FROM {e} ORDER BY rowid DESC LIMIT 1"
        )
        self.select_link_statement = (
            f"SELECT event_hash FROM {e} WHERE originator_id = ? AND originator_version = ?"
        )
        self._start_cache()

    def construct_create_table_statements(self) -> list[str]:
        e = self.events_table_name
        statements = [
            f"CREATE TABLE IF NOT EXISTS {e} ("
            "originator_id TEXT, "
            "originator_version INTEGER, "
            "topic TEXT, "
            "state BLOB, "
            "event_hash BLOB NOT NULL, "
            "chain_hash BLOB NOT NULL, "
            "PRIMARY KEY (originator_id, originator_version))"
        ]
        for action in ("UPDATE", "DELETE"):
            statements.append(
                f"CREATE TRIGGER IF NOT EXISTS {e}_no_{action.lower()} BEFORE {action} ON {e} "
                f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END"
            )
        return statements

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        if not stored_events:
            return []
        head = self._cached_head()
        try:
            with self._write_transaction() as c:
                rows = self._insert_hashed(c, stored_events, head)
        except IntegrityError:
            if head is None:
                raise  # read fresh under the lock: a genuine version conflict
            with self._write_transaction() as c:
                rows = self._insert_hashed(c, stored_events, None)
        self._remember(rows)
        return [r[0] for r in rows]

    def _insert_events(
        self,
        c: SQLiteCursor,
        stored_events: Sequence[StoredEvent],
        **_: Any,
    ) -> Sequence[int] | None:
        return [r[0] for r in self._insert_hashed(c, stored_events, None)]

    @contextmanager
    def _write_transaction(self) -> Iterator[SQLiteCursor]:
        with (
            self.datastore.get_connection(commit=True) as conn,
            _ImmediateTransaction(conn, commit=True) as curs,
            curs,
        ):
            yield curs

    def _insert_hashed(
        self,
        c: SQLiteCursor,
        stored_events: Sequence[StoredEvent],
        head: tuple[int, bytes] | None,
    ) -> list[HashedRow]:
        if head is None:
            c.execute(self.select_head_statement)
            row = c.fetchone()
            head = (int(row[0]), bytes(row[1])) if row else (0, ZERO_HASH)
        last_id, chain_head = head
        links: dict[Link, bytes] = {}
        for link in links_to_read(stored_events):
            with self._cache_lock:
                cached = self._links.get(link)
            if cached is None:
                c.execute(self.select_link_statement, (_sqlite_id(link[0]), link[1]))
                found = c.fetchone()
                cached = None if found is None else bytes(found[0])
            if cached is not None:
                links[link] = cached
        ids = range(last_id + 1, last_id + 1 + len(stored_events))
        rows = hash_batch(stored_events, ids, chain_head, links)
        ids_as_stored: dict[UUID | str, str] = {}
        params = []
        for nid, s, eh, ch in rows:
            oid = ids_as_stored.get(s.originator_id)
            if oid is None:
                oid = ids_as_stored[s.originator_id] = _sqlite_id(s.originator_id)
            params.append((nid, oid, s.originator_version, s.topic, s.state, eh, ch))
        if len(params) == 1:
            c.execute(self.insert_events_statement, params[0])
        else:
            c.executemany(self.insert_events_statement, params)
        return rows

    def subscribe(
        self, gt: int | None = None, topics: Sequence[str] = ()
    ) -> Subscription[ApplicationRecorder]:
        return PollingSubscription(recorder=self, gt=gt, topics=topics)


def _sqlite_id(originator_id: UUID | str) -> str:
    return originator_id.hex if isinstance(originator_id, UUID) else originator_id
