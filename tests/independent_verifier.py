"""A verifier of a CellTrace SQLite ledger written only from docs/ledger-format.md.

It shares no code with `ledger` (standard library, plus `cryptography` for Ed25519): if the
document were not enough to write it, or disagreed with `celltrace verify`, the tests that
run both on the same attacked files (`tests/integration/test_independent_verifier.py`) fail.
It returns the first finding as (kind, notification id or None), or None when intact.
"""

from __future__ import annotations

import base64
import hashlib
import re
import sqlite3
import struct
from collections.abc import Sequence
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

Finding = tuple[str, int | None]
ZERO = bytes(32)
SQLITE_ID = re.compile(r"[0-9a-f]{32}")


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


# --- "Event hash" and "Chain hash" --------------------------------------------------------


def event_hash(nid: int, oid: str, version: int, topic: str, state: bytes, prev: bytes) -> bytes:
    oid_b, topic_b = oid.encode(), topic.encode()
    return sha256(
        b"celltrace/event/v1\x00"
        + struct.pack(">Q", nid)
        + struct.pack(">I", len(oid_b))
        + oid_b
        + struct.pack(">Q", version)
        + struct.pack(">I", len(topic_b))
        + topic_b
        + sha256(state)
        + prev
    )


def hyphenated(hex32: str) -> str:
    h = hex32
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


# --- "Leaves and nodes" (RFC 9162) -------------------------------------------------------


def leaf_hash(data: bytes) -> bytes:
    return sha256(b"\x00" + data)


def node_hash(left: bytes, right: bytes) -> bytes:
    return sha256(b"\x01" + left + right)


def mth(leaves: Sequence[bytes]) -> bytes:
    """RFC 9162 2.1.1 over leaf hashes."""
    n = len(leaves)
    if n == 0:
        return sha256(b"")
    if n == 1:
        return leaves[0]
    k = 1
    while k * 2 < n:
        k *= 2
    return node_hash(mth(leaves[:k]), mth(leaves[k:]))


# --- "Checkpoints" (C2SP signed note, tlog-checkpoint) --------------------------------------


def parse_vkey(line: str) -> tuple[str, bytes, Ed25519PublicKey]:
    name, key_id_hex, encoded = line.strip().split("+", 2)  # base64 may hold "+"
    raw = base64.b64decode(encoded)
    if raw[0] != 1:
        raise ValueError("not an Ed25519 verifier key")
    key_id = bytes.fromhex(key_id_hex)
    if sha256(name.encode() + b"\n" + raw)[:4] != key_id:
        raise ValueError("key ID does not match the key")
    return name, key_id, Ed25519PublicKey.from_public_bytes(raw[1:])


def open_checkpoint(note: str, vkeys: Sequence[str], origin: str) -> tuple[int, bytes] | None:
    """(size, root) of a checkpoint signed by one of the log's keys, else None."""
    text, sep, signatures = note.rpartition("\n\n")
    if not sep:
        return None
    text += "\n"
    keys = [parse_vkey(v) for v in vkeys]
    signed = False
    for line in signatures.splitlines():
        if not line.startswith("\u2014 "):
            continue
        name, _, blob = line[2:].partition(" ")
        raw = base64.b64decode(blob)
        for key_name, key_id, public in keys:
            if key_name == name == origin and raw[:4] == key_id:
                try:
                    public.verify(raw[4:], text.encode())
                    signed = True
                except InvalidSignature:
                    pass
    lines = text.split("\n")
    if not signed or lines[0] != origin:
        return None
    return int(lines[1]), base64.b64decode(lines[2])


# --- "Verification" ----------------------------------------------------------------------


def verify(db: Path, vkeys: Sequence[str], origin: str) -> Finding | None:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return _verify(conn, vkeys, origin)
    finally:
        conn.close()


def _verify(conn: sqlite3.Connection, vkeys: Sequence[str], origin: str) -> Finding | None:
    rows = conn.execute(
        "SELECT rowid, originator_id, originator_version, topic, state, event_hash, chain_hash "
        "FROM stored_events ORDER BY rowid"
    ).fetchall()
    stored_hash = {(r[1], r[2]): r[5] for r in rows}
    running = ZERO
    nids: list[int] = []
    hashes: list[bytes] = []
    for nid, oid, version, topic, state, eh, ch in rows:
        if not eh or not ch:
            return "unhashed-event", nid
        if not (isinstance(oid, str) and SQLITE_ID.fullmatch(oid)):
            return "identity-altered", nid
        typed = (
            isinstance(version, int)
            and isinstance(topic, str)
            and all(isinstance(v, bytes) for v in (state, eh, ch))
        )
        if not typed:
            return "event-altered", nid
        prev = stored_hash.get((oid, version - 1)) if version > 1 else ZERO
        if prev is None or event_hash(nid, hyphenated(oid), version, topic, state, prev) != eh:
            missing = prev is None
            return ("aggregate-link-broken" if missing else "event-altered"), nid
        if sha256(running + eh) != ch:
            return "chain-broken", nid
        running = ch
        nids.append(nid)
        hashes.append(eh)
    last = nids[-1] if nids else None
    return (
        _checkpoints(conn, vkeys, origin, nids, hashes)
        or _merkle_tables(conn, nids, hashes, last)
        or _tracking(conn, last)
    )


def _tables(conn: sqlite3.Connection) -> set[str]:
    return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def _checkpoints(
    conn: sqlite3.Connection,
    vkeys: Sequence[str],
    origin: str,
    nids: list[int],
    hashes: list[bytes],
) -> Finding | None:
    if "log_checkpoints" not in _tables(conn):
        return None
    leaves = [leaf_hash(h) for h in hashes]
    previous = 0
    last = nids[-1] if nids else None
    for (note,) in conn.execute("SELECT note FROM log_checkpoints ORDER BY sequence"):
        opened = open_checkpoint(note, vkeys, origin)
        if opened is None:
            return "checkpoint-signature-invalid", None
        size, root = opened
        if size < previous:
            return "checkpoint-inconsistent", None
        if size > len(leaves):
            return "truncated", last
        if mth(leaves[:size]) != root:
            return "history-rewritten", nids[size - 1] if size else None
        previous = size
    return None


def _merkle_tables(
    conn: sqlite3.Connection, nids: list[int], hashes: list[bytes], last: int | None
) -> Finding | None:
    if "merkle_leaves" not in _tables(conn):
        return None
    (top,) = conn.execute("SELECT MAX(log_index) FROM merkle_leaves").fetchone()
    size = 0 if top is None else top + 1
    if size > len(hashes):
        return "truncated", last
    stored = conn.execute(
        "SELECT log_index, notification_id, event_hash FROM merkle_leaves "
        "WHERE log_index < ? ORDER BY log_index",
        (size,),
    ).fetchall()
    if [r[0] for r in stored] != list(range(size)):
        return "merkle-log-altered", None
    for index, nid, eh in stored:
        if (nid, eh) != (nids[index], hashes[index]):
            return "merkle-log-altered", nid
    below = [leaf_hash(r[2]) for r in stored]
    level = 1
    while size >> level:
        count = size >> level
        nodes = conn.execute(
            "SELECT node_index, hash FROM merkle_nodes WHERE level = ? AND node_index < ? "
            "ORDER BY node_index",
            (level, count),
        ).fetchall()
        if [r[0] for r in nodes] != list(range(count)):
            return "merkle-log-altered", None
        for index, value in nodes:
            if node_hash(below[2 * index], below[2 * index + 1]) != value:
                return "merkle-log-altered", None
        below = [r[1] for r in nodes]
        level += 1
    return None


def _tracking(conn: sqlite3.Connection, last: int | None) -> Finding | None:
    if "projection_tracking" not in _tables(conn):
        return None
    (top,) = conn.execute("SELECT MAX(notification_id) FROM projection_tracking").fetchone()
    if top is not None and top > (last or 0):
        return "truncated", last
    return None
