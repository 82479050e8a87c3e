"""Reading one stored event row exactly as the recorder wrote it (R-LED-3, R-LED-7).

The event hash covers the canonical text of the originator id, so a verifier that normalised
whatever it found would accept a re-encoded id that the application can no longer load. Each
column is therefore checked against the one form the recorder writes (docs/ledger-format.md,
"Tables"): on SQLite the originator id is TEXT of 32 lowercase hex digits, on PostgreSQL the
`uuid` type (read as its 36-character text); `state` and both hashes are bytes. A row that
differs is returned with a `defect` (`identity-altered` or `event-altered`), never an exception.
Only the standard library is imported.
"""

from __future__ import annotations

import re
from typing import Any

from ledger.integrity.chain import canonical_originator_id
from ledger.integrity.records import StoredRecord

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
