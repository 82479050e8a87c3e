"""R-LED-4: the Merkle log as stored in SQL tables equals a naive recursive RFC 9162
computation, and every proof it serves verifies."""

from __future__ import annotations

import hashlib
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, create_engine, event, select

from ledger.config import DatabaseURL
from ledger.errors import InvalidInput, NotFound
from ledger.integrity.merkle import (
    EMPTY_ROOT,
    leaf_hash,
    node_hash,
    verify_consistency,
    verify_inclusion,
)
from ledger.integrity.merkle_log import MerkleLog, merkle_leaves, merkle_nodes
from ledger.projections.merkle import MerkleView
from tests.conftest import new_pg_database, pg_url


def mth(leaves: list[bytes]) -> bytes:
    """RFC 9162 2.1.1, literally: split at the largest power of two smaller than n."""
    if not leaves:
        return EMPTY_ROOT
    if len(leaves) == 1:
        return leaf_hash(leaves[0])
    k = 1 << ((len(leaves) - 1).bit_length() - 1)
    return node_hash(mth(leaves[:k]), mth(leaves[k:]))


def event_hashes(n: int) -> list[bytes]:
    return [hashlib.sha256(i.to_bytes(8, "big")).digest() for i in range(n)]


@contextmanager
def ledger_file(hashes: list[bytes]) -> Iterator[Engine]:
    """A SQLite file whose stored_events hold `hashes` (only the columns the log reads)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ledger.db"
        conn = sqlite3.connect(path)
        conn.execute("CREATE TABLE stored_events (topic TEXT, event_hash BLOB NOT NULL)")
        conn.executemany(
            "INSERT INTO stored_events (topic, event_hash) VALUES (?, ?)",
            [("tests:Item.Stepped", h) for h in hashes],
        )
        conn.commit()
        conn.close()
        engine = create_engine(f"sqlite:///{path}")
        # A scratch file: commits need not reach the disk (many tiny batches per example).
        event.listen(engine, "connect", lambda c, _: c.execute("PRAGMA synchronous=OFF"))
        try:
            yield engine
        finally:
            engine.dispose()


def stored_nodes(engine: Engine) -> dict[tuple[int, int], bytes]:
    with engine.connect() as conn:
        nodes = {(int(r[0]), int(r[1])): bytes(r[2]) for r in conn.execute(select(merkle_nodes))}
        for index, _, event_hash in conn.execute(select(merkle_leaves)):
            nodes[(0, int(index))] = leaf_hash(bytes(event_hash))
    return nodes


@settings(max_examples=25, deadline=None)
@given(
    size=st.integers(min_value=1, max_value=2000),
    batches=st.lists(st.integers(min_value=1, max_value=400), min_size=1, max_size=8),
    data=st.data(),
)
def test_r_led_4_stored_tree_equals_naive_rfc_9162_and_every_proof_verifies(
    size: int, batches: list[int], data: st.DataObject
) -> None:
    # Given a ledger of `size` events integrated incrementally, in random batch sizes
    leaves = event_hashes(size)
    with ledger_file(leaves) as engine:
        view = MerkleView(engine)
        view.create_tables()
        turn, seen = 0, []
        while (done := view.integrate(batches[turn % len(batches)])) is not None:
            seen.append(done.end)
            turn += 1
        assert seen[-1] == size
        # When the stored tables are read back
        nodes = stored_nodes(engine)
        log = MerkleLog(engine)
        # Then every stored node is the naive MTH of exactly the leaves it covers
        for (level, index), h in nodes.items():
            assert h == mth(leaves[index << level : (index + 1) << level])
        # And exactly the complete subtrees are stored, no more
        assert len(nodes) == sum(size >> level for level in range(size.bit_length()))
        # And roots at the sizes each batch reached equal the naive root
        for n in {*seen[:5], size}:
            assert log.root(n) == mth(leaves[:n])
        # And inclusion and consistency proofs for sampled sizes verify
        for n in data.draw(st.lists(st.integers(1, size), min_size=1, max_size=4)):
            root = mth(leaves[:n])
            for index in {0, n - 1, *data.draw(st.lists(st.integers(0, n - 1), max_size=3))}:
                proof = log.inclusion_proof(index, n)
                verify_inclusion(leaf_hash(leaves[index]), index, n, proof, root)
            for old in {1, n, *data.draw(st.lists(st.integers(1, n), max_size=3))}:
                proof = log.consistency_proof(old, n)
                verify_consistency(old, n, mth(leaves[:old]), root, proof)


def test_r_led_4_every_proof_of_a_small_log_verifies() -> None:
    # Given a stored log of 33 leaves (one past a power of two)
    leaves = event_hashes(33)
    with ledger_file(leaves) as engine:
        MerkleView(engine).create_tables()
        while MerkleView(engine).integrate(5):
            pass
        log = MerkleLog(engine)
        # When every inclusion and consistency proof of every size is asked for
        for n in range(1, 34):
            root = mth(leaves[:n])
            # Then each verifies against the naive roots
            for index in range(n):
                proof = log.inclusion_proof(index, n)
                verify_inclusion(leaf_hash(leaves[index]), index, n, proof, root)
            for old in range(1, n + 1):
                verify_consistency(old, n, mth(leaves[:old]), root, log.consistency_proof(old, n))


def test_r_led_4_stored_log_refuses_sizes_it_does_not_hold() -> None:
    # Given a stored log of 5 leaves
    with ledger_file(event_hashes(5)) as engine:
        MerkleView(engine).create_tables()
        MerkleView(engine).integrate()
        log = MerkleLog(engine)
        # When roots and proofs beyond it or outside any tree are asked for
        # Then NotFound (the log is shorter) or InvalidInput (impossible arguments)
        with pytest.raises(NotFound, match="fewer than 6"):
            log.root(6)
        with pytest.raises(NotFound, match="fewer than 8"):
            log.inclusion_proof(2, 8)
        with pytest.raises(InvalidInput, match="outside"):
            log.inclusion_proof(5, 5)
        with pytest.raises(InvalidInput, match="0 < old <= new"):
            log.consistency_proof(0, 5)
        with pytest.raises(NotFound, match="no entry 5"):
            log.leaf(5)
        assert log.root(0) == EMPTY_ROOT


@contextmanager
def gapped_ledger(
    admin: DatabaseURL | None, hashes: list[bytes], ids: list[int]
) -> Iterator[Engine]:
    """stored_events holding `hashes` at notification ids `ids` (with gaps): on SQLite, or on
    a new PostgreSQL database of `admin`'s server."""
    rows = [(i, "tests:Item.Stepped", h) for i, h in zip(ids, hashes, strict=True)]
    if admin is None:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "ledger.db"
            conn = sqlite3.connect(path)
            conn.execute("CREATE TABLE stored_events (topic TEXT, event_hash BLOB NOT NULL)")
            conn.executemany(
                "INSERT INTO stored_events (rowid, topic, event_hash) VALUES (?, ?, ?)", rows
            )
            conn.commit()
            conn.close()
            engine = create_engine(f"sqlite:///{path}")
            try:
                yield engine
            finally:
                engine.dispose()
        return
    with new_pg_database(admin) as db:
        engine = create_engine(pg_url(db).replace("postgresql://", "postgresql+psycopg://", 1))
        with engine.begin() as conn:
            conn.exec_driver_sql(
                "CREATE TABLE stored_events (notification_id BIGINT PRIMARY KEY, "
                "topic TEXT NOT NULL, event_hash BYTEA NOT NULL)"
            )
            conn.connection.cursor().executemany(
                "INSERT INTO stored_events (notification_id, topic, event_hash) "
                "VALUES (%s, %s, %s)",
                rows,
            )
        try:
            yield engine
        finally:
            engine.dispose()


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_r_led_4_integrator_with_gapped_ids_stores_the_naive_tree_on_each_backend(
    backend: str, request: pytest.FixtureRequest
) -> None:
    """R-LED-4: notification ids with gaps (the row-by-row path on SQLite) and PostgreSQL's
    statements store the naive RFC 9162 tree, and `inclusion` serves the leaf with its proof."""
    # Given 300 events whose notification ids skip now and then
    leaves = event_hashes(300)
    ids = [i + 1 + i // 7 for i in range(300)]
    admin = request.getfixturevalue("pg_admin") if backend == "postgres" else None
    with gapped_ledger(admin, leaves, ids) as engine:
        view = MerkleView(engine)
        view.create_tables()
        # When they are integrated in uneven batches
        for batch in (1, 2, 37, 64, 100, 1000):
            view.integrate(batch)
        assert view.integrate(10) is None
        # Then every stored node is the naive MTH of the leaves it covers, and only those
        nodes = stored_nodes(engine)
        for (level, index), h in nodes.items():
            assert h == mth(leaves[index << level : (index + 1) << level])
        assert len(nodes) == sum(300 >> level for level in range(9))
        log = MerkleLog(engine)
        assert [log.leaf(i).notification_id for i in (0, 7, 299)] == [1, 9, 342]
        # And each leaf with its inclusion proof verifies against the naive roots
        for n in (1, 2, 3, 64, 65, 299, 300):
            root = mth(leaves[:n])
            for index in {0, n // 2, n - 1}:
                found, proof = log.inclusion(index, n)
                assert found == leaf_hash(leaves[index])
                verify_inclusion(found, index, n, proof, root)
        # And a size beyond the log is not found
        with pytest.raises(NotFound):
            log.inclusion(0, 301)
