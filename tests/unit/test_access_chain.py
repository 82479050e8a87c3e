"""The access log's hash chain (R-ACC-2, docs/access-log.md): known-answer vector, every
field bound, rows renumbered or removed detected."""

from __future__ import annotations

import hashlib
import struct

import pytest

from ledger.integrity.access_chain import (
    AccessChainBroken,
    AccessEntry,
    entry_hash,
    verify_chain,
)
from ledger.integrity.chain import ZERO_HASH

ENTRY = AccessEntry(
    1,
    "2026-03-02T09:00:00+00:00",
    "PER-F01-26-000006-3",
    "pharmacist",
    "read:clinical",
    "PAT-F01-26-000001-L",
    "GET /api/v1/patients/PAT-F01-26-000001-L/prescription",
)


def _lp(text: str) -> bytes:
    raw = text.encode()
    return struct.pack(">I", len(raw)) + raw


def test_r_acc_2_entry_hash_known_answer() -> None:
    fields = (ENTRY.at, ENTRY.person, ENTRY.role, ENTRY.action, ENTRY.subject, ENTRY.via, "", "")
    expected = hashlib.sha256(
        b"celltrace/access/v1\x00"
        + struct.pack(">Q", 1)
        + b"".join(_lp(f) for f in fields)
        + ZERO_HASH
    ).digest()
    assert entry_hash(ENTRY, ZERO_HASH) == expected
    # The vector docs/access-log.md quotes, for independent implementations
    assert expected.hex() == "4ac6fdf8d517e0bb3626843ffd83930107290a1aef6760658cf1d6583bee6d03"


def test_r_acc_2_every_field_is_bound() -> None:
    base = entry_hash(ENTRY, ZERO_HASH)
    for name in ("at", "person", "role", "action", "subject", "via", "reason", "payload_sha256"):
        changed = AccessEntry(**{**vars(ENTRY), name: getattr(ENTRY, name) + "x"})
        assert entry_hash(changed, ZERO_HASH) != base, name


def test_r_acc_2_chain_round_trip_and_breaks() -> None:
    second = AccessEntry(**{**vars(ENTRY), "seq": 2, "subject": "DON-F01-26-000001-V"})
    h1 = entry_hash(ENTRY, ZERO_HASH)
    h2 = entry_hash(second, h1)
    assert verify_chain([(ENTRY, h1), (second, h2)]) == h2
    # A removed first row: the numbering no longer starts at 1
    with pytest.raises(AccessChainBroken, match="entry 2: expected entry 1"):
        verify_chain([(second, h2)])
    # A changed field: the row's hash no longer follows
    edited = AccessEntry(**{**vars(second), "person": "PER-F01-26-000001-X"})
    with pytest.raises(AccessChainBroken, match="entry 2: its hash does not match"):
        verify_chain([(ENTRY, h1), (edited, h2)])
