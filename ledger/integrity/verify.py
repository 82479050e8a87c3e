"""Full-ledger verification of the hash chain (R-LED-3), streaming in constant memory.

`verify_records` is pure: it takes stored records in notification order and recomputes every
event hash, every per-aggregate link and the global chain, stopping at the first break.
`verify_database` feeds it from SQLite or PostgreSQL without any application code.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from ledger.config import DatabaseURL
from ledger.integrity.chain import ZERO_HASH, canonical_originator_id, chain_hash, event_hash


@dataclass(frozen=True)
class StoredRecord:
    """One stored event as read back, with its hash row and its aggregate predecessor's hash."""

    notification_id: int
    originator_id: str
    originator_version: int
    topic: str
    state: bytes
    event_hash: bytes | None
    chain_hash: bytes | None
    previous_event_hash: bytes | None  # stored hash of (originator, version - 1), if any


@dataclass(frozen=True)
class Break:
    """The first place where the stored ledger differs from what was hashed when written."""

    kind: str
    notification_id: int | None
    originator_id: str | None
    originator_version: int | None
    message: str

    def describe(self) -> str:
        where = f"record {self.notification_id}" if self.notification_id is not None else "ledger"
        if self.originator_id is not None:
            where += f" (aggregate {self.originator_id}, version {self.originator_version})"
        return f"{self.kind} at {where}: {self.message}"


@dataclass(frozen=True)
class KeptHead:
    """A chain head an auditor kept: `HEX`, or `N:HEX` with the notification id it was at."""

    chain_hash: bytes
    notification_id: int | None = None

    @classmethod
    def parse(cls, text: str) -> KeptHead:
        nid: int | None = None
        value = text.strip()
        if ":" in value:
            left, value = value.split(":", 1)
            if not left.isdigit():
                raise ValueError(f"chain head {text!r}: expected N:HEX or HEX")
            nid = int(left)
        try:
            raw = bytes.fromhex(value)
        except ValueError:
            raise ValueError(f"chain head {text!r} is not hexadecimal") from None
        if len(raw) != 32:
            raise ValueError(f"chain head {text!r} must be 32 bytes (64 hex digits)")
        return cls(raw, nid)

    def __str__(self) -> str:
        prefix = f"{self.notification_id}:" if self.notification_id is not None else ""
        return prefix + self.chain_hash.hex()


@dataclass(frozen=True)
class Report:
    """Outcome of a verification run."""

    events: int
    head: KeptHead | None
    first_break: Break | None

    @property
    def intact(self) -> bool:
        return self.first_break is None


def verify_records(
    records: Iterable[StoredRecord],
    *,
    kept_head: KeptHead | None = None,
    progress: Callable[[int], None] | None = None,
) -> Report:
    """Recompute the chain over `records` (ascending notification id) and report the first break."""
    running = ZERO_HASH
    count = 0
    last_id: int | None = None
    kept_seen = kept_head is None
    for rec in records:
        found = _check(rec, running, last_id)
        if found is not None:
            return Report(count, _head(last_id, running), found)
        assert rec.chain_hash is not None
        running = rec.chain_hash
        last_id = rec.notification_id
        count += 1
        if kept_head is not None and not kept_seen:
            kept_seen, mismatch = _match_kept(kept_head, rec)
            if mismatch is not None:
                return Report(count, _head(last_id, running), mismatch)
        if progress is not None and count % 10_000 == 0:
            progress(10_000)
    if progress is not None:
        progress(count % 10_000)
    if not kept_seen:
        assert kept_head is not None
        return Report(count, _head(last_id, running), _kept_missing(kept_head, last_id))
    return Report(count, _head(last_id, running), None)


def _head(last_id: int | None, running: bytes) -> KeptHead | None:
    return None if last_id is None else KeptHead(running, last_id)


def _check(rec: StoredRecord, running: bytes, previous_id: int | None) -> Break | None:
    def brk(kind: str, message: str) -> Break:
        return Break(kind, rec.notification_id, rec.originator_id, rec.originator_version, message)

    if rec.event_hash is None or rec.chain_hash is None:
        return brk(
            "unhashed-event",
            "this event has no hash: it was inserted outside the ledger",
        )
    prev = rec.previous_event_hash if rec.previous_event_hash is not None else ZERO_HASH
    recomputed = event_hash(
        rec.notification_id,
        rec.originator_id,
        rec.originator_version,
        rec.topic,
        rec.state,
        prev,
    )
    if recomputed != rec.event_hash:
        if rec.previous_event_hash is None and rec.originator_version > 1:
            return brk(
                "aggregate-link-broken",
                f"the aggregate's version {rec.originator_version - 1} is missing or its "
                "hash does not link: an event of this aggregate was removed",
            )
        return brk(
            "event-altered",
            "the stored event does not match its hash: its state, topic, originator, "
            "version or position (notification id) was changed after it was written",
        )
    if chain_hash(running, rec.event_hash) != rec.chain_hash:
        after = f"record {previous_id}" if previous_id is not None else "the start of the ledger"
        return brk(
            "chain-broken",
            f"the global chain does not link this record to {after}: a record between them "
            "was removed, or records were inserted or reordered",
        )
    return None


def _match_kept(kept: KeptHead, rec: StoredRecord) -> tuple[bool, Break | None]:
    """Compare a kept head with this record; returns (done, mismatch)."""
    if kept.notification_id is None:
        return rec.chain_hash == kept.chain_hash, None
    if rec.notification_id < kept.notification_id:
        return False, None
    if rec.notification_id == kept.notification_id and rec.chain_hash == kept.chain_hash:
        return True, None
    return True, Break(
        "history-rewritten",
        kept.notification_id,
        rec.originator_id if rec.notification_id == kept.notification_id else None,
        rec.originator_version if rec.notification_id == kept.notification_id else None,
        f"the chain head you kept ({kept}) does not match this ledger at that record: "
        "history up to it was rewritten (re-hashed), or the record was removed",
    )


def _kept_missing(kept: KeptHead, last_id: int | None) -> Break:
    if kept.notification_id is not None:
        return Break(
            "truncated",
            kept.notification_id,
            None,
            None,
            f"the ledger ends at record {last_id} but you kept a head at record "
            f"{kept.notification_id}: events were removed from the end (or a backup restored)",
        )
    return Break(
        "history-rewritten",
        last_id,
        None,
        None,
        f"the chain head you kept ({kept}) occurs nowhere in this ledger: history was "
        "rewritten, truncated or rolled back to an older copy",
    )


# --- reading from a database -------------------------------------------------------------

# The previous event of an aggregate is version - 1, for versions above 1 (docs/ledger-format.md).
_SELECT = (
    "SELECT e.{nid}, e.originator_id{cast}, e.originator_version, e.topic, e.state, "
    "e.event_hash, e.chain_hash, p.event_hash "
    "FROM stored_events e "
    "LEFT JOIN stored_events p ON p.originator_id = e.originator_id "
    "AND p.originator_version = e.originator_version - 1 AND e.originator_version > 1 "
    "ORDER BY e.{nid}"
)


def select_records_sql(backend: str) -> str:
    if backend == "sqlite":
        return _SELECT.format(nid="rowid", cast="")
    return _SELECT.format(nid="notification_id", cast="::text")


def _record(row: tuple[Any, ...]) -> StoredRecord:
    return StoredRecord(
        notification_id=int(row[0]),
        originator_id=canonical_originator_id(str(row[1])),
        originator_version=int(row[2]),
        topic=str(row[3]),
        state=bytes(row[4]),
        event_hash=None if row[5] is None else bytes(row[5]),
        chain_hash=None if row[6] is None else bytes(row[6]),
        previous_event_hash=None if row[7] is None else bytes(row[7]),
    )


class LedgerReader:
    """Read-only access to the stored ledger tables of either backend."""

    def __init__(self, db: DatabaseURL) -> None:
        self.db = db

    def count(self) -> int:
        with self._rows("SELECT COUNT(*) FROM stored_events") as rows:
            return int(next(iter(rows))[0])

    def last_notification_id(self) -> int | None:
        nid = "rowid" if self.db.backend == "sqlite" else "notification_id"
        with self._rows(f"SELECT MAX({nid}) FROM stored_events") as rows:  # noqa: S608
            value = next(iter(rows))[0]
        return None if value is None else int(value)

    def records(self) -> Iterator[StoredRecord]:
        with self._rows(select_records_sql(self.db.backend), stream=True) as rows:
            for row in rows:
                yield _record(row)

    def _rows(self, sql: str, *, stream: bool = False) -> _Rows:
        return _Rows(self.db, sql, stream)


class _Rows:
    """Context manager yielding rows of one query, streamed for large results."""

    def __init__(self, db: DatabaseURL, sql: str, stream: bool) -> None:
        self.db, self.sql, self.stream = db, sql, stream
        self._close: Callable[[], None] = lambda: None

    def __enter__(self) -> Iterable[tuple[Any, ...]]:
        if self.db.backend == "sqlite":
            assert self.db.sqlite_path is not None
            uri = f"file:{self.db.sqlite_path}?mode=ro"
            conn = sqlite3.connect(uri, uri=True)
            self._close = conn.close
            cur = conn.execute(self.sql)
            cur.arraysize = 1000
            return _fetch_iter(cur)
        import psycopg

        pg = psycopg.connect(
            host=self.db.host,
            port=self.db.port,
            user=self.db.user,
            password=self.db.password,
            dbname=self.db.dbname,
        )
        self._close = pg.close
        if self.stream:
            named = pg.cursor(name="celltrace_verify")
            named.itersize = 5000
            named.execute(self.sql.encode())
            return iter(named)
        return iter(pg.execute(self.sql.encode()).fetchall())

    def __exit__(self, *exc: object) -> None:
        self._close()


def _fetch_iter(cur: sqlite3.Cursor) -> Iterator[tuple[Any, ...]]:
    while True:
        batch = cur.fetchmany()
        if not batch:
            return
        yield from batch


def verify_database(
    db: DatabaseURL,
    *,
    kept_head: KeptHead | None = None,
    progress: Callable[[int], None] | None = None,
) -> Report:
    """Verify the whole stored ledger of `db` (see `verify_records`)."""
    return verify_records(LedgerReader(db).records(), kept_head=kept_head, progress=progress)
