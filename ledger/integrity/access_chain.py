"""Hash chain of the access log: who read or printed which record, when, through what
(R-ACC-2). Standard library only, like `chain.py`, whose length-prefixed encoding it reuses.

Byte-exact contract, documented in docs/access-log.md:

    entry_hash[n] = SHA-256( "celltrace/access/v1" 0x00
                             || u64be(n)                        (1-based, dense)
                             || lp(at) || lp(person) || lp(role) || lp(action)
                             || lp(subject) || lp(via) || lp(reason) || lp(payload_sha256)
                             || entry_hash[n-1] )               (32 zero bytes for n = 1)

where lp(text) = u32be(len(utf8)) || utf8. Editing, deleting or inserting any row changes
every later hash; a chain head kept outside the database shows a rewrite of the whole log.
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass

from ledger.integrity.chain import ZERO_HASH, length_prefixed

ACCESS_DOMAIN = b"celltrace/access/v1\x00"
_U64 = struct.Struct(">Q")


@dataclass(frozen=True)
class AccessEntry:
    """One recorded read or print, as hashed."""

    seq: int
    at: str
    person: str
    role: str
    action: str
    subject: str
    via: str
    reason: str = ""
    payload_sha256: str = ""


def entry_hash(entry: AccessEntry, previous: bytes) -> bytes:
    """The 32-byte hash of `entry` chained to `previous` (see the module docstring)."""
    if len(previous) != 32:
        raise ValueError("previous must be 32 bytes")
    fields = (
        entry.at,
        entry.person,
        entry.role,
        entry.action,
        entry.subject,
        entry.via,
        entry.reason,
        entry.payload_sha256,
    )
    return hashlib.sha256(
        ACCESS_DOMAIN
        + _U64.pack(entry.seq)
        + b"".join(length_prefixed(f) for f in fields)
        + previous
    ).digest()


class AccessChainBroken(Exception):
    """The access log was changed after it was written: names the first bad row."""

    def __init__(self, seq: int, problem: str) -> None:
        super().__init__(f"access log entry {seq}: {problem}")
        self.seq = seq


def verify_chain(rows: list[tuple[AccessEntry, bytes]]) -> bytes:
    """Recompute every hash in order; return the head hash or raise AccessChainBroken at the
    first row whose number or hash does not follow."""
    previous = ZERO_HASH
    for expected, (entry, stored) in enumerate(rows, start=1):
        if entry.seq != expected:
            raise AccessChainBroken(entry.seq, f"expected entry {expected}; a row is missing")
        if entry_hash(entry, previous) != stored:
            raise AccessChainBroken(entry.seq, "its hash does not match its fields")
        previous = stored
    return previous
