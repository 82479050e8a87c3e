"""Event hash and global chain hash of the CellTrace ledger (R-LED-3).

Byte-exact contract, documented in docs/ledger-format.md:

    event_hash = SHA-256( "celltrace/event/v1" 0x00
                          || u64be(notification_id)
                          || u32be(len(oid)) || oid          (originator id, canonical UTF-8 text)
                          || u64be(originator_version)
                          || u32be(len(topic)) || topic      (UTF-8)
                          || SHA-256(state)                  (the exact stored state bytes)
                          || previous_event_hash )           (same aggregate, version - 1;
                                                              32 zero bytes for none)
    chain_hash[n] = SHA-256( chain_hash[n-1] || event_hash[n] ),  chain_hash[-1] = 32 zero bytes

Only the standard library is imported, so an independent verifier can reuse this module.
"""

from __future__ import annotations

import hashlib
import struct
from uuid import UUID

EVENT_DOMAIN = b"celltrace/event/v1\x00"
ZERO_HASH = bytes(32)
_U64 = struct.Struct(">Q")
_U32 = struct.Struct(">I")


def canonical_originator_id(originator_id: UUID | str) -> str:
    """The text form hashed for an originator id: a UUID as 36 lowercase hyphenated characters.

    SQLite stores UUIDs as 32 hex digits and PostgreSQL as the `uuid` type; both map here.
    """
    if isinstance(originator_id, UUID):
        return str(originator_id)
    if len(originator_id) == 32:
        try:
            return str(UUID(hex=originator_id))
        except ValueError:
            return originator_id
    return originator_id


def event_hash(
    notification_id: int,
    originator_id: str,
    originator_version: int,
    topic: str,
    state: bytes,
    previous_event_hash: bytes,
) -> bytes:
    """Return the 32-byte hash of one stored event (see the module docstring)."""
    if len(previous_event_hash) != 32:
        raise ValueError("previous_event_hash must be 32 bytes")
    return event_hash_encoded(
        notification_id,
        length_prefixed(originator_id),
        originator_version,
        length_prefixed(topic),
        state,
        previous_event_hash,
    )


def length_prefixed(text: str) -> bytes:
    """u32be(len(utf8)) || utf8: how the originator id and the topic enter the event hash."""
    raw = text.encode("utf-8")
    return _U32.pack(len(raw)) + raw


def event_hash_encoded(
    notification_id: int,
    originator_id_lp: bytes,
    originator_version: int,
    topic_lp: bytes,
    state: bytes,
    previous_event_hash: bytes,
) -> bytes:
    """`event_hash` with the originator id and topic already length-prefixed (for batches)."""
    return hashlib.sha256(
        EVENT_DOMAIN
        + _U64.pack(notification_id)
        + originator_id_lp
        + _U64.pack(originator_version)
        + topic_lp
        + hashlib.sha256(state).digest()
        + previous_event_hash
    ).digest()


def chain_hash(previous_chain_hash: bytes, this_event_hash: bytes) -> bytes:
    """Return chain_hash[n] = SHA-256(chain_hash[n-1] || event_hash[n])."""
    return hashlib.sha256(previous_chain_hash + this_event_hash).digest()
