"""Verification of stored records (R-LED-3, R-LED-4), streaming in constant memory.

`verify_records` is pure: it takes stored records in notification order and recomputes every
event hash, every per-aggregate link and the global chain, stopping at the first break; an
optional `RecordObserver` (the Merkle checkpoint audit) sees each verified record. Only the
standard library is imported, so the offline audit-bundle verifier reuses this module.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from ledger.integrity.chain import ZERO_HASH, chain_hash, event_hash


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
    # Set by the reader when a column is not stored the way the recorder writes it
    # (kind, why): a non-canonical originator id, a state stored as text, ...
    defect: tuple[str, str] | None = None


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
    checkpoints: int = 0  # signed checkpoints checked against the recomputed Merkle root
    merkle_root: bytes | None = None  # RFC 9162 root over every verified event hash

    @property
    def intact(self) -> bool:
        return self.first_break is None


class RecordObserver(Protocol):
    """Sees every record once it verified (in order), e.g. to recompute the Merkle root."""

    def add(self, notification_id: int, event_hash: bytes) -> Break | None: ...
    def finish(self, count: int, last_id: int | None) -> Break | None: ...


class BatchObserver(RecordObserver, Protocol):
    """A `RecordObserver` that also takes verified records a batch at a time."""

    def add_many(
        self, notification_ids: Sequence[int], event_hashes: Sequence[bytes]
    ) -> tuple[int, Break] | None:
        """`add` for each record in order; the first break with its position in the batch."""
        ...


def verify_records(
    records: Iterable[StoredRecord],
    *,
    kept_head: KeptHead | None = None,
    progress: Callable[[int], None] | None = None,
    observer: RecordObserver | None = None,
) -> Report:
    """Recompute the chain over `records` (ascending notification id) and report the first break."""
    running = ZERO_HASH
    count = 0
    last_id: int | None = None
    kept_seen = kept_head is None
    for rec in records:
        found = check_record(rec, running, last_id)
        if found is not None:
            return Report(count, head_at(last_id, running), found)
        assert rec.chain_hash is not None and rec.event_hash is not None
        running = rec.chain_hash
        last_id = rec.notification_id
        count += 1
        if observer is not None and (found := observer.add(last_id, rec.event_hash)) is not None:
            return Report(count, head_at(last_id, running), found)
        if kept_head is not None and not kept_seen:
            kept_seen, mismatch = match_kept(kept_head, rec)
            if mismatch is not None:
                return Report(count, head_at(last_id, running), mismatch)
        if progress is not None and count % 10_000 == 0:
            progress(10_000)
    if progress is not None:
        progress(count % 10_000)
    return finish(count, last_id, running, kept_head, kept_seen, observer)


def finish(
    count: int,
    last_id: int | None,
    running: bytes,
    kept_head: KeptHead | None,
    kept_seen: bool,
    observer: RecordObserver | None,
) -> Report:
    """The report once every record verified: a kept head never met, or the observer's end."""
    if not kept_seen:
        assert kept_head is not None
        return Report(count, head_at(last_id, running), _kept_missing(kept_head, last_id))
    found = observer.finish(count, last_id) if observer is not None else None
    return Report(count, head_at(last_id, running), found)


def head_at(last_id: int | None, running: bytes) -> KeptHead | None:
    """The chain head after record `last_id` (None before any record)."""
    return None if last_id is None else KeptHead(running, last_id)


def check_record(rec: StoredRecord, running: bytes, previous_id: int | None) -> Break | None:
    """Why `rec` does not verify after the chain head `running` of record `previous_id`."""

    def brk(kind: str, message: str) -> Break:
        return Break(kind, rec.notification_id, rec.originator_id, rec.originator_version, message)

    if not rec.event_hash or not rec.chain_hash:
        return brk(
            "unhashed-event",
            "this event has no hash: it was inserted outside the ledger; restore the "
            "ledger from a verified backup",
        )
    if rec.defect is not None:
        return brk(*rec.defect)
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


def match_kept(kept: KeptHead, rec: StoredRecord) -> tuple[bool, Break | None]:
    """Compare a kept head with this verified record; returns (done, mismatch)."""
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
        ends = "is empty" if last_id is None else f"ends at record {last_id}"
        return Break(
            "truncated",
            kept.notification_id,
            None,
            None,
            f"the ledger {ends} but you kept a head at record "
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
