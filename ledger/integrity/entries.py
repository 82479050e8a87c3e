"""A log entry as JSON: the exact fields its event hash covers, so anyone can recompute it
(R-LED-3, R-LED-4; `GET /ledger/entries/{log_index}`, item proofs and audit bundles).

    {"notification_id": 7, "originator_id": "<36-char UUID>", "originator_version": 2,
     "topic": "module:Class.Event", "state": "<base64 of the exact stored bytes>",
     "previous_event_hash": "<64 hex digits; zeros for an aggregate's first event>"}

Only the standard library is imported (offline verifiers).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Any

from ledger.integrity.chain import ZERO_HASH, event_hash
from ledger.integrity.merkle import leaf_hash
from ledger.integrity.records import StoredRecord

RECORD_FIELDS = (
    "notification_id",
    "originator_id",
    "originator_version",
    "topic",
    "state",
    "previous_event_hash",
)


def entry_record(record: StoredRecord) -> dict[str, Any]:
    """The hashed fields of a stored record, as JSON-ready values."""
    previous = record.previous_event_hash
    return {
        "notification_id": record.notification_id,
        "originator_id": record.originator_id,
        "originator_version": record.originator_version,
        "topic": record.topic,
        "state": base64.b64encode(record.state).decode("ascii"),
        "previous_event_hash": (previous if previous is not None else ZERO_HASH).hex(),
    }


def entry_json(log_index: int, record: StoredRecord) -> dict[str, Any]:
    """`GET /ledger/entries/{log_index}`: the leaf, its hashes and the exact hashed fields."""
    assert record.event_hash is not None
    return {
        "log_index": log_index,
        "notification_id": record.notification_id,
        "event_hash": record.event_hash.hex(),
        "leaf_hash": leaf_hash(record.event_hash).hex(),
        "record": entry_record(record),
    }


def record_event_hash(record: Mapping[str, Any]) -> bytes:
    """Recompute the event hash from an entry record; ValueError names a malformed field."""
    missing = [name for name in RECORD_FIELDS if name not in record]
    if missing:
        raise ValueError(f"entry record lacks {', '.join(missing)}")
    nid, oid, version, topic = (record[name] for name in RECORD_FIELDS[:4])
    if not (isinstance(nid, int) and isinstance(version, int)):
        raise ValueError("notification_id and originator_version must be integers")
    if not (isinstance(oid, str) and isinstance(topic, str)):
        raise ValueError("originator_id and topic must be strings")
    try:
        state = base64.b64decode(str(record["state"]), validate=True)
        previous = bytes.fromhex(str(record["previous_event_hash"]))
    except (binascii.Error, ValueError):
        raise ValueError("state must be base64 and previous_event_hash hex") from None
    return event_hash(nid, oid, version, topic, state, previous)
