"""Merkle integrator and inclusion proofs against their limits, measured in the same run
(R-LED-4): `python -m bench merkle [--quick]`.

On one SQLite ledger of synthetic events (correct hashes, inserted through the hash-chain
recorder) it times, as process CPU time, medians of several runs:

- the raw read + hash limit: a bare `sqlite3` loop reading `(rowid, event_hash, topic)` in
  batches of 10,000 and hashing every RFC 9162 leaf and inner node of each batch - what any
  integrator must at least do, with nothing written;
- the integrator's catch-up from an empty log (`MerkleFollower.catch_up`, 10,000 per batch),
  which also writes leaves, subtrees and its tracking position;
- `TransparencyLog.inclusion(index, size)` (what `GET /ledger/proof/inclusion` returns) for
  random leaves, against a bare `sqlite3` read of the same stored nodes.

The last line printed is the ratios as JSON.
"""

from __future__ import annotations

import hashlib
import json
import random
import sqlite3
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from bench.common import cpu_rate, machine, p50_ms, write_section
from bench.transparency import build_ledger
from ledger.config import Settings
from ledger.integrity import merkle
from ledger.integrity.proofs import TransparencyLog
from ledger.projections.merkle import MerkleFollower
from ledger.projections.tracking import view_engine

_SHA256 = hashlib.sha256


def raw_read_and_hash(path: Path, batch: int = 10_000) -> int:
    """Read every event hash with bare sqlite3 and hash the batch's leaves and inner nodes."""
    db = sqlite3.connect(path)
    after, count = 0, 0
    sql = (
        "SELECT rowid, event_hash, topic FROM stored_events WHERE rowid > ? ORDER BY rowid LIMIT ?"
    )
    while rows := db.execute(sql, (after, batch)).fetchall():
        level = [_SHA256(b"\x00" + r[1]).digest() for r in rows]
        while len(level) > 1:
            it = iter(level)
            level = [_SHA256(b"\x01" + a + b).digest() for a, b in zip(it, it, strict=False)]
        after = rows[-1][0]
        count += len(rows)
    db.close()
    return count


class BareReader:
    """`merkle.NodeReader` with bare sqlite3: one prepared SELECT per node."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def get_nodes(self, ids: Sequence[tuple[int, int]]) -> list[bytes]:
        out = []
        for level, index in ids:
            if level == 0:
                row = self.db.execute(
                    "SELECT event_hash FROM merkle_leaves WHERE log_index = ?", (index,)
                ).fetchone()
                out.append(merkle.leaf_hash(row[0]))
            else:
                row = self.db.execute(
                    "SELECT hash FROM merkle_nodes WHERE level = ? AND node_index = ?",
                    (level, index),
                ).fetchone()
                out.append(row[0])
        return out


def bare_inclusion(reader: BareReader, index: int, size: int) -> tuple[bytes, list[bytes]]:
    """The same plan as the API's, read with bare sqlite3 on one open connection."""
    return reader.get_nodes([(0, index)])[0], merkle.inclusion_proof(reader, index, size)


def main(argv: list[str] | None = None) -> dict[str, float]:
    args = sys.argv[1:] if argv is None else argv
    quick = "--quick" in args
    leaves = 100_000 if quick else 500_000
    repeats = 3 if quick else 5
    proofs = 2000 if quick else 10_000
    rng = random.Random(9162)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        settings = Settings(data_dir=Path(tmp), database_url=f"sqlite:///{path}")
        build_ledger(settings, leaves)
        engine = view_engine(settings)
        follower = MerkleFollower(engine)

        def integrate() -> int:
            follower.catch_up(batch_size=10_000)
            return follower.leaves()

        raw = cpu_rate(lambda: raw_read_and_hash(path), repeats)
        integrator = cpu_rate(integrate, repeats, setup=follower.rebuild)
        log = TransparencyLog(settings, engine)
        size = follower.leaves()
        db = sqlite3.connect(path)
        reader = BareReader(db)
        inclusion = p50_ms(lambda: log.inclusion(rng.randrange(size), size), proofs)
        bare = p50_ms(lambda: bare_inclusion(reader, rng.randrange(size), size), proofs)
        db.close()
        engine.dispose()
    ratios = {
        "integrator_leaves_per_cpu_s": round(integrator),
        "raw_read_hash_leaves_per_cpu_s": round(raw),
        "integrator_vs_raw": round(integrator / raw, 3),
        "inclusion_p50_ms": round(inclusion, 4),
        "bare_sqlite_nodes_p50_ms": round(bare, 4),
        "inclusion_vs_bare": round(inclusion / bare, 2),
    }
    integrator_row = (
        "integrator catch-up, 10,000 per batch (target >= 200,000 leaves/s, >= 0.4x) | "
        f"**{integrator:,.0f} leaves/s** | bare sqlite3 read + RFC 9162 hashing of every "
        f"leaf and node: {raw:,.0f} leaves/s | **{integrator / raw:.2f}x**"
    )
    inclusion_row = (
        f"`inclusion(index, size)` p50, {proofs:,} random leaves (target < 0.3 ms) | "
        f"**{inclusion:.3f} ms** | the same plan read by bare sqlite3, one prepared SELECT "
        f"per node on an open connection: {bare:.3f} ms | {inclusion / bare:.2f}x"
    )
    body = f"""## Merkle integrator and inclusion proofs against their limits (R-LED-4)

Machine: {machine()}. `python -m bench merkle{" --quick" if quick else ""}`: one SQLite ledger of
{leaves:,} synthetic events; rates are process CPU time, medians of {repeats} runs, the baseline
measured in the same run.

| run | median | baseline in the same run | ratio |
|---|---|---|---|
| {integrator_row} |
| {inclusion_row} |"""
    if not quick:
        write_section("merkle", body)
    print(body)
    print(json.dumps(ratios))
    return ratios


if __name__ == "__main__":
    main()
