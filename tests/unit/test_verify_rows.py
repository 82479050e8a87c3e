"""R-LED-3, R-LED-4, R-LED-7: the fast verification of stored rows (`verify_stored_rows`, the
batched checkpoint audit and the streamed stored-tree comparison) reports exactly what the
record-by-record reference (`verify_records` over `record_from_stored_row`) reports, on an
intact ledger and on every kind of tampered row, whatever the batch size."""

from __future__ import annotations

import hashlib
import random
import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from ledger.config import DatabaseURL
from ledger.integrity.chain import ZERO_HASH, chain_hash, event_hash
from ledger.integrity.merkle import leaf_hash, node_hash, root_of
from ledger.integrity.note import Checkpoint, Signer, sign_note
from ledger.integrity.records import KeptHead, Report, verify_records
from ledger.integrity.stored_row import record_from_stored_row, verify_stored_rows
from ledger.integrity.tree_audit import CheckpointAudit, CompactRange, SignedCheckpoint
from ledger.integrity.tree_check import StoredTreeMatch, check_stored_tree
from ledger.integrity.verify import _Chunks

Row = tuple[Any, ...]
ORIGIN = "celltrace.test/verify-rows"
SIGNER = Signer.generate(ORIGIN)
TOPICS = ("tests.specimen:Specimen.Created", "tests.specimen:Specimen.Annotated")


def ledger_rows(events: int = 60, aggregates: int = 7) -> list[Row]:
    """Rows as `select_records_sql` returns them on SQLite, aggregates interleaved."""
    rng = random.Random(3)
    ids = [f"{rng.getrandbits(128):032x}" for _ in range(aggregates)]
    versions = dict.fromkeys(ids, 0)
    last: dict[str, bytes] = {}
    rows: list[Row] = []
    running = ZERO_HASH
    for nid in range(1, events + 1):
        oid = ids[rng.randrange(aggregates)]
        versions[oid] += 1
        version = versions[oid]
        canonical = f"{oid[:8]}-{oid[8:12]}-{oid[12:16]}-{oid[16:20]}-{oid[20:]}"
        topic = TOPICS[version > 1]
        state = b'{"n":%d}' % nid
        previous = last.get(oid)
        this = event_hash(nid, canonical, version, topic, state, previous or ZERO_HASH)
        running = chain_hash(running, this)
        last[oid] = this
        rows.append((nid, oid, version, topic, state, this, running, previous))
    return rows


def edit(position: int, column: int, value: object) -> Callable[[list[Row]], list[Row]]:
    def apply(rows: list[Row]) -> list[Row]:
        row = list(rows[position])
        row[column] = value(row[column]) if callable(value) else value
        return [*rows[:position], tuple(row), *rows[position + 1 :]]

    return apply


TAMPERING: dict[str, Callable[[list[Row]], list[Row]]] = {
    "intact": lambda rows: rows,
    "state altered": edit(20, 4, b'{"n":0}'),
    "state stored as text": edit(20, 4, lambda s: s.decode()),
    "state as memoryview (accepted)": edit(20, 4, memoryview),
    "event hash as bytearray (accepted)": edit(21, 5, bytearray),
    "topic altered": edit(22, 3, "tests.specimen:Specimen.Other"),
    "topic stored as a number": edit(22, 3, 7),
    "version stored as text": edit(23, 2, str),
    "version stored as a float": edit(23, 2, float),
    "version stored as a bool": edit(0, 2, True),
    "id upper case": edit(24, 1, str.upper),
    "id hyphenated": edit(24, 1, lambda o: f"{o[:8]}-{o[8:12]}-{o[12:16]}-{o[16:20]}-{o[20:]}"),
    "id stored as bytes": edit(24, 1, bytes.fromhex),
    "empty event hash": edit(25, 5, b""),
    "no chain hash": edit(25, 6, None),
    "chain hash stored as text": edit(26, 6, lambda h: h.hex()),
    "chain altered": edit(27, 6, bytes(32)),
    "previous event removed": edit(28, 7, None),
    "previous hash altered": edit(29, 7, lambda h: bytes(32) if h else bytes(31) + b"\x01"),
    "row removed": lambda rows: rows[:30] + rows[31:],
    "rows swapped": lambda rows: [*rows[:31], rows[32], rows[31], *rows[33:]],
    "row repeated": lambda rows: [*rows[:33], rows[33], *rows[33:]],
    "position renumbered": edit(34, 0, 1000),
    "last row removed": lambda rows: rows[:-1],
}


def checkpoints(rows: list[Row], sizes: Sequence[int], wrong: int | None) -> list[SignedCheckpoint]:
    """Signed checkpoints of the intact rows at `sizes`; the one of size `wrong` signs a bad
    root."""
    out = []
    for sequence, size in enumerate(sizes, 1):
        root = root_of([leaf_hash(row[5]) for row in rows[:size]])
        if size == wrong:
            root = hashlib.sha256(root).digest()
        note = sign_note(Checkpoint(ORIGIN, size, root).to_text(), [SIGNER])
        out.append(SignedCheckpoint(note, sequence))
    return out


def reference(
    rows: list[Row], kept: KeptHead | None, stored: list[SignedCheckpoint] | None
) -> tuple[Report, int] | str:
    audit = None if stored is None else CheckpointAudit(ORIGIN, [SIGNER.verifier()], stored)
    records = (record_from_stored_row(row, "sqlite") for row in rows)
    try:
        report = verify_records(records, kept_head=kept, observer=audit)
    except Exception as exc:  # the reference raises: the fast path must raise the same way
        return type(exc).__name__
    return report, 0 if audit is None else audit.checked


def fast(
    rows: list[Row], batch: int, kept: KeptHead | None, stored: list[SignedCheckpoint] | None
) -> tuple[Report, int] | str:
    audit = None if stored is None else CheckpointAudit(ORIGIN, [SIGNER.verifier()], stored)
    batches = [rows[i : i + batch] for i in range(0, len(rows), batch)]
    try:
        report = verify_stored_rows(batches, "sqlite", kept_head=kept, observer=audit)
    except Exception as exc:
        return type(exc).__name__
    return report, 0 if audit is None else audit.checked


@pytest.mark.parametrize("tampering", list(TAMPERING))
def test_r_led_3_fast_row_verification_reports_what_the_reference_reports(tampering: str) -> None:
    # Given a ledger of interleaved aggregates, tampered in one way
    intact = ledger_rows()
    rows = TAMPERING[tampering](intact)
    heads = [
        None,
        KeptHead(intact[39][6], 40),
        KeptHead(intact[44][6]),
        KeptHead(bytes(32), 12),
        KeptHead(intact[-1][6], 60),
        KeptHead(bytes(32)),
    ]
    logs = [
        None,
        [],
        checkpoints(intact, [7, 16, 33, 60], None),
        checkpoints(intact, [7, 16, 33, 60], 33),
        checkpoints(intact, [16, 7], None),
        checkpoints(intact, [64], None),
    ]
    for kept in heads:
        for stored in logs:
            expected = reference(rows, kept, stored)
            # When the fast path verifies the same rows in batches of any size
            for batch in (1, 5, 1000):
                # Then it reports the same break (or none), count, head and checkpoints
                assert fast(rows, batch, kept, stored) == expected, (kept, stored, batch)


def test_r_led_4_compact_range_extend_records_every_stored_node() -> None:
    # Given leaves appended in runs of random length
    rng = random.Random(9162)
    for n in (0, 1, 2, 3, 7, 8, 9, 100, 255, 256, 257, 1000):
        leaves = [leaf_hash(i.to_bytes(4, "big")) for i in range(n)]
        tree = CompactRange(keep_nodes=True)
        done = 0
        while done < n:
            step = rng.randrange(1, 70)
            tree.extend(leaves[done : done + step])
            done = min(n, done + step)
            # Then the root at every size is the RFC 9162 root
            assert tree.root() == root_of(leaves[:done])
        # And every inner node of every complete subtree was recorded, in index order
        level, number = leaves, 0
        assert tree.nodes is not None
        while len(level) > 1:
            number += 1
            level = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
            assert tree.nodes[number] == level, (n, number)
        assert not any(tree.nodes[number + 1 :])


def stored_tree(rows: list[Row]) -> tuple[list[tuple[int, int, bytes]], dict[int, list[bytes]]]:
    leaves = [(i, row[0], row[5]) for i, row in enumerate(rows)]
    levels: dict[int, list[bytes]] = {}
    level, number = [leaf_hash(row[5]) for row in rows], 0
    while len(level) > 1:
        number += 1
        level = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        levels[number] = level
    return leaves, levels


def match(
    size: int, leaves: list[tuple[int, int, bytes]], levels: dict[int, list[tuple[int, bytes]]]
) -> bool:
    """Whether `StoredTreeMatch` finds the stored tree equal to the ledger's."""
    rows = ledger_rows()
    leaves = sorted((row for row in leaves if row[0] < size), key=lambda row: row[0])

    def level(number: int, count: int) -> list[tuple[int, bytes]]:
        # as the queries read them: below `count`, in index order (level 0: the leaves)
        found = [(i, h) for i, _, h in leaves] if number == 0 else levels.get(number, [])
        return sorted((row for row in found if row[0] < count), key=lambda row: row[0])

    tree = StoredTreeMatch(size, leaves, level)
    audit = CheckpointAudit(ORIGIN, [SIGNER.verifier()], on_tree=tree.compare)
    batches = [rows[i : i + 8] for i in range(0, len(rows), 8)]
    assert verify_stored_rows(batches, "sqlite", observer=audit).intact
    found = check_stored_tree(size, ((r[0], r[5]) for r in rows[:size]), leaves, level)
    # The streamed comparison never passes a tree the separate check would refuse
    assert not (tree.matched() and found is not None)
    return tree.matched()


def test_r_led_7_stored_tree_match_passes_only_the_ledgers_own_tree() -> None:
    # Given the stored tree of the first 45 of 60 events
    leaves, levels = stored_tree(ledger_rows()[:45])
    nodes = {n: list(enumerate(hashes)) for n, hashes in levels.items()}
    # Then it matches, and every single edit of a stored leaf or node is noticed
    assert match(45, leaves, nodes)
    for i in range(45):
        for changed in ((i, 99, leaves[i][2]), (i, leaves[i][1], bytes(32)), (i + 100, 0, b"")):
            assert not match(45, [*leaves[:i], changed, *leaves[i + 1 :]], nodes)
        assert not match(45, leaves[:i] + leaves[i + 1 :], nodes)
    assert not match(45, [(-1, 0, b""), *leaves], nodes)
    for number, level in nodes.items():
        for i, (index, _) in enumerate(level):
            edited = {**nodes, number: [*level[:i], (index, bytes(32)), *level[i + 1 :]]}
            assert not match(45, leaves, edited)
            assert not match(45, leaves, {**nodes, number: level[:i] + level[i + 1 :]})


def test_r_led_7_chunked_reads_of_the_stored_tree_are_the_whole_query(tmp_path: Path) -> None:
    # Given stored leaves and nodes with an index below 0, gaps and rows past the tree's size
    path = tmp_path / "log.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE merkle_leaves (log_index, notification_id, event_hash)")
        db.execute("CREATE TABLE merkle_nodes (level, node_index, hash)")
        indexes = [-3, -1, 0, 1, 2, 4, 5, 6, 7, 9, 10, 11, 12, 13]
        db.executemany(
            "INSERT INTO merkle_leaves VALUES (?, ?, ?)", [(i, i + 1, b"h%d" % i) for i in indexes]
        )
        db.executemany(
            "INSERT INTO merkle_nodes VALUES (1, ?, ?)", [(i, b"n%d" % i) for i in indexes]
        )
    chunks = _Chunks(DatabaseURL("sqlite", path))
    chunks.SIZE = 3
    with chunks, sqlite3.connect(path) as db:
        for stop in range(15):
            # Then reading them in chunks gives exactly what one query below the size gives
            leaves = db.execute(
                "SELECT * FROM merkle_leaves WHERE log_index < ? ORDER BY log_index", (stop,)
            ).fetchall()
            nodes = db.execute(
                "SELECT node_index, hash FROM merkle_nodes WHERE node_index < ? ORDER BY 1", (stop,)
            ).fetchall()
            assert list(chunks.leaves(stop)) == (leaves if stop else [])
            assert list(chunks.level(1, stop)) == (nodes if stop else [])
