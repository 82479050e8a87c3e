"""Reading one stored event row exactly as the recorder wrote it (R-LED-3, R-LED-7).

The event hash covers the canonical text of the originator id, so a verifier that normalised
whatever it found would accept a re-encoded id that the application can no longer load. Each
column is therefore checked against the one form the recorder writes (docs/ledger-format.md,
"Tables"): on SQLite the originator id is TEXT of 32 lowercase hex digits, on PostgreSQL the
`uuid` type (read as its 36-character text); `state` and both hashes are bytes. A row that
differs is returned with a `defect` (`identity-altered` or `event-altered`), never an exception.

`verify_stored_rows` is `records.verify_records` over such rows in one tight loop: a row in the
recorder's form whose hashes recompute is accepted without building a `StoredRecord`; any other
row takes the path of `verify_records` itself, so both report the same first break.
Only the standard library is imported.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Callable, Iterable, Sequence
from hashlib import sha256
from typing import Any

from ledger.integrity.chain import EVENT_DOMAIN, ZERO_HASH, canonical_originator_id
from ledger.integrity.records import (
    BatchObserver,
    Break,
    KeptHead,
    Report,
    StoredRecord,
    check_record,
    finish,
    head_at,
    match_kept,
)

_SQLITE_ID = re.compile(r"[0-9a-f]{32}")
_UUID_TEXT = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def stored_id_defect(raw: object, backend: str) -> str | None:
    """Why `raw` is not the canonical stored originator id of `backend`, or None."""
    pattern, form = (
        (_SQLITE_ID, "TEXT of 32 lowercase hex digits")
        if backend == "sqlite"
        else (_UUID_TEXT, "a uuid")
    )
    if isinstance(raw, str) and pattern.fullmatch(raw):
        return None
    return (
        f"the originator id is stored as {raw!r}, not as {form} as the ledger writes it: "
        "its encoding was changed (the application can no longer load this aggregate); "
        "restore the row's original id from a verified backup"
    )


def record_from_stored_row(row: tuple[Any, ...], backend: str) -> StoredRecord:
    """A row (nid, originator id, version, topic, state, event hash, chain hash, previous
    event hash) as a StoredRecord; any column not in the recorder's form sets `defect`."""
    raw_id = row[1]
    defect: tuple[str, str] | None = None
    why_id = stored_id_defect(raw_id, backend)
    if why_id is not None:
        defect = ("identity-altered", why_id)
    oid = canonical_originator_id(raw_id) if isinstance(raw_id, str) else repr(raw_id)
    version, why_version = _integer(row[2])
    state, why_state = _blob(row[4], "state")
    topic = row[3] if isinstance(row[3], str) else repr(row[3])
    event, why_event = _blob(row[5], "event_hash")
    chain, why_chain = _blob(row[6], "chain_hash")
    previous, _ = _blob(row[7], "previous event hash")
    why_type = why_version or why_state or why_event or why_chain
    if not isinstance(row[3], str):
        why_type = why_type or f"the topic is stored as {type(row[3]).__name__}, not text"
    if defect is None and why_type is not None:
        defect = (
            "event-altered",
            f"{why_type}: the stored row was changed after it was written; restore it from a "
            "verified backup",
        )
    return StoredRecord(
        notification_id=int(row[0]),
        originator_id=oid,
        originator_version=version,
        topic=topic,
        state=state,
        event_hash=event,
        chain_hash=chain,
        previous_event_hash=previous,
        defect=defect,
    )


def _blob(value: object, name: str) -> tuple[Any, str | None]:
    if value is None:
        return None, None
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value), None
    if isinstance(value, str):
        return value.encode("utf-8"), f"the {name} is stored as text, not as bytes"
    return repr(value).encode(), f"the {name} is stored as {type(value).__name__}, not as bytes"


def _integer(value: object) -> tuple[int, str | None]:
    if isinstance(value, int) and not isinstance(value, bool):
        return value, None
    return 0, f"the originator version is stored as {value!r}, not as an integer"


_U64 = struct.Struct(">Q").pack
_U32 = struct.Struct(">I").pack
_PREFIXES_KEPT = 16_384  # length-prefixed ids and topics cached, then the cache starts over


def verify_stored_rows(
    batches: Iterable[Sequence[tuple[Any, ...]]],
    backend: str,
    *,
    kept_head: KeptHead | None = None,
    progress: Callable[[int], None] | None = None,
    observer: BatchObserver | None = None,
) -> Report:
    """`verify_records` of `record_from_stored_row(row, backend)` for every row, faster.

    `batches`: lists of rows in notification order. A row whose columns have exactly the
    types the recorder writes, whose originator id has the canonical stored form and whose
    event and chain hashes recompute is accepted from the tuple (the length-prefixed id and
    topic cached); any other row is made a `StoredRecord` and checked by
    `records.check_record`. The observer sees each batch's verified records at once; a break
    is reported at the same record, with the same count and head, as `verify_records`'.
    """
    running = ZERO_HASH
    count = 0
    last_id: int | None = None
    kept_seen = kept_head is None
    ids: dict[object, bytes] = {}
    topics: dict[object, bytes] = {}
    canonical_id = _sqlite_id if backend == "sqlite" else _uuid_text
    for batch in batches:
        verified = len(batch)  # rows of this batch that verified
        converted = False  # some row was read through `record_from_stored_row`
        stop: Break | None = None  # the chain break or kept-head mismatch that ends this batch
        for position, row in enumerate(batch):
            nid, oid, version, topic, state, this, chain, previous = row
            accepted = False
            if (
                # exactly these types (not bool, not memoryview); anything else: the slow path
                type(this) is bytes
                and type(chain) is bytes
                and type(state) is bytes
                and type(version) is int
                and type(nid) is int
                and type(topic) is str
                and (previous is None or (type(previous) is bytes and len(previous) == 32))
                and 0 <= version < 1 << 64
                and 0 <= nid < 1 << 64
            ):
                oid_lp = ids.get(oid)
                if oid_lp is None:
                    if len(ids) >= _PREFIXES_KEPT:
                        ids.clear()
                    oid_lp = ids[oid] = canonical_id(oid)
                topic_lp = topics.get(topic)
                if topic_lp is None:
                    if len(topics) >= _PREFIXES_KEPT:
                        topics.clear()
                    topic_lp = topics[topic] = _length_prefixed(topic)
                if oid_lp and topic_lp:
                    recomputed = sha256(
                        EVENT_DOMAIN
                        + _U64(nid)
                        + oid_lp
                        + _U64(version)
                        + topic_lp
                        + sha256(state).digest()
                        + (ZERO_HASH if previous is None else previous)
                    ).digest()
                    accepted = recomputed == this and sha256(running + this).digest() == chain
            if not accepted:
                rec = record_from_stored_row(row, backend)
                stop = check_record(rec, running, last_id)
                if stop is not None:
                    verified = position
                    break
                assert rec.event_hash is not None and rec.chain_hash is not None
                nid, this, chain = rec.notification_id, rec.event_hash, rec.chain_hash
                converted = True
            running = chain
            last_id = nid
            if not kept_seen:
                assert kept_head is not None
                if kept_head.notification_id is None:
                    kept_seen = chain == kept_head.chain_hash
                elif nid >= kept_head.notification_id:  # else not reached yet (`match_kept`)
                    kept_seen, stop = match_kept(kept_head, record_from_stored_row(row, backend))
                    if stop is not None:
                        verified = position + 1
                        break
        # The observer comes before a kept-head mismatch at the same record, as in verify_records.
        if observer is not None and verified:
            rows = batch if verified == len(batch) else batch[:verified]
            if converted:  # as `record_from_stored_row` reads them
                rows = [(int(r[0]), *r[1:5], bytes(r[5]), bytes(r[6])) for r in rows]
            nids = [r[0] for r in rows]
            seen = observer.add_many(nids, [r[5] for r in rows])
            if seen is not None:
                at, found = seen
                return Report(count + at + 1, KeptHead(rows[at][6], nids[at]), found)
        before = count
        count += verified
        if stop is not None:
            return Report(count, head_at(last_id, running), stop)
        if progress is not None:
            for _ in range(count // 10_000 - before // 10_000):
                progress(10_000)
    if progress is not None:
        progress(count % 10_000)
    return finish(count, last_id, running, kept_head, kept_seen, observer)


def _sqlite_id(raw: object) -> bytes:
    """The length-prefixed canonical text of a stored SQLite id, b"" if not canonical."""
    if not isinstance(raw, str) or not _SQLITE_ID.fullmatch(raw):
        return b""
    return _length_prefixed(f"{raw[:8]}-{raw[8:12]}-{raw[12:16]}-{raw[16:20]}-{raw[20:]}")


def _uuid_text(raw: object) -> bytes:
    """The length-prefixed text of a PostgreSQL uuid read as text, b"" if not canonical."""
    if not isinstance(raw, str) or not _UUID_TEXT.fullmatch(raw):
        return b""
    return _length_prefixed(raw)


def _length_prefixed(text: str) -> bytes:
    """`chain.length_prefixed`; b"" for text UTF-8 cannot encode (the row takes the slow path)."""
    try:
        raw = text.encode("utf-8")
    except UnicodeEncodeError:
        return b""
    return _U32(len(raw)) + raw
