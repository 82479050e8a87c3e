"""`celltrace verify` against a raw read + SHA-256 loop, measured in the same run (R-LED-3,
R-LED-4): `python -m bench verify [--quick]`.

On one SQLite ledger of synthetic events (correct hashes, inserted through the hash-chain
recorder, as `bench/merkle.py` builds it) whose Merkle log is up to date and signed by one
checkpoint, it times as process CPU time, medians of several interleaved runs:

- the raw loop (the baseline): a bare `sqlite3` read of the stored events with their
  aggregate predecessor's stored hash (the query verify reads), recomputing each event hash
  and the global chain hash of docs/ledger-format.md with `chain.py`'s reference functions
  (`canonical_originator_id`, `event_hash`, `chain_hash`) - nothing checked, no Merkle;
- a tighter version of that loop, the contract inlined (no UUID parsed), a stricter baseline;
- `verify_database` with the log audit, what `celltrace verify` runs: every event hash, both
  chains, the Merkle root at each checkpoint and every stored Merkle leaf and node;
- and, to show where verify's time goes, its parts: without the log audit (event hashes,
  links and chain), and with it on a copy of the ledger taken before the Merkle log was
  written (the streamed Merkle root, no stored tree to compare).

The last line printed is the ratios as JSON.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import statistics
import struct
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.common import machine, write_section
from bench.transparency import build_ledger
from ledger.config import Settings
from ledger.integrity.chain import ZERO_HASH, canonical_originator_id, chain_hash, event_hash
from ledger.integrity.checkpoints import Checkpoints
from ledger.integrity.log_keys import key_history
from ledger.integrity.verify import LogAudit, select_records_sql, verify_database
from ledger.projections.merkle import MerkleFollower
from ledger.projections.tracking import view_engine

_SHA256 = hashlib.sha256
_U64 = struct.Struct(">Q").pack
_U32 = struct.Struct(">I").pack


def tight_read_and_hash(path: Path) -> int:
    """`raw_read_and_hash` with the contract inlined: the id formatted by slicing."""
    db = sqlite3.connect(path)
    cur = db.execute(select_records_sql("sqlite"))
    chain, stored, count = bytes(32), bytes(32), 0
    while rows := cur.fetchmany(1000):
        for nid, oid, version, topic, state, _, _, previous in rows:
            canonical = f"{oid[:8]}-{oid[8:12]}-{oid[12:16]}-{oid[16:20]}-{oid[20:]}".encode()
            name = topic.encode()
            event = _SHA256(
                b"celltrace/event/v1\x00"
                + _U64(nid)
                + _U32(len(canonical))
                + canonical
                + _U64(version)
                + _U32(len(name))
                + name
                + _SHA256(state).digest()
                + (previous or bytes(32))
            ).digest()
            chain = _SHA256(chain + event).digest()
            count += 1
        stored = rows[-1][6]
    db.close()
    assert chain == stored, "the loop must recompute the stored chain"
    return count


CHANGE = """What changed: verify checks each stored row from the tuple the database returns (the
length-prefixed id and topic cached, no UUID parsed, no record object built) and sends every
row not in the recorder's exact form through the record-by-record check as before; the
checkpoint audit takes a batch of verified events at a time and hashes whole perfect subtrees
a level at a time; the stored Merkle leaves and nodes are compared with the nodes that audit
computes anyway, each stored row read once, instead of a second pass that read every row
twice. Before (the previous code, this benchmark with `--quick` the same day): 51,520
events/s, **0.34x** the plain loop and 0.23x the tight loop; shares then: chains 60%, Merkle
root 12%, stored tree 28%. Findings and exit codes are unchanged: a row or tree that does not
match is handed to the previous checks, which name the same first break (the unit tests in
`test_verify_rows.py` compare both on every kind of tampered row). On the generated ledger of
`python -m bench.generate` (300,093 events of 167,067 aggregates, Merkle log integrated, no
checkpoint; measured by hand, 3 runs taking turns): 0.42x the plain loop before, 0.80x now
(0.32x and 0.59x the tight loop): its larger states and 1.8 events per aggregate leave less
to cache than the synthetic ledger's. Splitting the hashing across processes was not needed
and would not lower the CPU time per event (it adds the cost of passing rows between
processes); it would only shorten wall time on an idle machine."""


def raw_read_and_hash(path: Path) -> int:
    """Read every stored event with bare sqlite3 and recompute its event and chain hash with
    `chain.py`'s reference functions (the contract written plainly)."""
    db = sqlite3.connect(path)
    cur = db.execute(select_records_sql("sqlite"))
    running, stored, count = ZERO_HASH, ZERO_HASH, 0
    while rows := cur.fetchmany(1000):
        for nid, oid, version, topic, state, _, _, previous in rows:
            this = event_hash(
                nid, canonical_originator_id(oid), version, topic, state, previous or ZERO_HASH
            )
            running = chain_hash(running, this)
            count += 1
        stored = rows[-1][6]
    db.close()
    assert running == stored, "the loop must recompute the stored chain"
    return count


def interleaved(runs: dict[str, Callable[[], int]], repeats: int) -> dict[str, float]:
    """Median items per CPU second of each run, the runs taking turns (the load drifts)."""
    rates: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeats):
        for name, run in runs.items():
            start = time.process_time()
            n = run()
            rates[name].append(n / (time.process_time() - start))
    return {name: statistics.median(found) for name, found in rates.items()}


def copy_database(source: Path, target: Path) -> None:
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)


def main(argv: list[str] | None = None) -> dict[str, float]:
    args = sys.argv[1:] if argv is None else argv
    quick = "--quick" in args
    events = 100_000 if quick else 500_000
    repeats = 3 if quick else 5
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        settings = Settings(data_dir=Path(tmp), database_url=f"sqlite:///{path}")
        build_ledger(settings, events)
        unlogged = Settings(data_dir=Path(tmp), database_url=f"sqlite:///{tmp}/unlogged.db")
        copy_database(path, Path(tmp) / "unlogged.db")
        engine = view_engine(settings)
        MerkleFollower(engine).catch_up(batch_size=10_000)
        Checkpoints(settings, engine).sign()
        engine.dispose()
        audit = LogAudit(settings.origin, tuple(key_history(settings)))

        def verify() -> int:
            report = verify_database(settings.database, log=audit)
            assert report.intact and report.checkpoints == 1, report.first_break
            return report.events

        def root_only() -> int:
            report = verify_database(unlogged.database, log=audit)
            assert report.intact and report.merkle_root is not None, report.first_break
            return report.events

        rates = interleaved(
            {
                "raw": lambda: raw_read_and_hash(path),
                "verify": verify,
                "tight": lambda: tight_read_and_hash(path),
                "chains": lambda: verify_database(settings.database).events,
                "root": root_only,
            },
            repeats,
        )
    raw, full, tight = rates["raw"], rates["verify"], rates["tight"]
    # Shares of verify's CPU time per event (1 / rate): the chains alone, the streamed root
    # on top of them, and the stored tree and checkpoint on top of both.
    chain_share = full / rates["chains"]
    root_share = full / rates["root"] - chain_share
    tree_share = 1 - full / rates["root"]
    ratios = {
        "verify_events_per_cpu_s": round(full),
        "raw_read_hash_events_per_cpu_s": round(raw),
        "verify_vs_raw": round(full / raw, 3),
        "tight_loop_events_per_cpu_s": round(tight),
        "verify_vs_tight_loop": round(full / tight, 3),
        "share_chains": round(chain_share, 2),
        "share_merkle_root": round(root_share, 2),
        "share_stored_tree": round(tree_share, 2),
    }
    target_row = (
        "`verify_database` with the log audit, as `celltrace verify` (target >= 0.7x) | "
        f"**{full:,.0f} events/s** | bare sqlite3 read of the same rows (verify's query), the "
        "event hash and chain hash recomputed with `chain.py`'s reference functions, written "
        f"plainly: {raw:,.0f} events/s | **{full / raw:.2f}x**"
    )
    tight_row = (
        f"the same verify | {full:,.0f} events/s | the same loop with the contract inlined "
        f"(id formatted by slicing, no UUID parsed): {tight:,.0f} events/s | {full / tight:.2f}x"
    )
    body = f"""## `celltrace verify` against a raw read + SHA-256 loop (R-LED-3, R-LED-4)

Machine: {machine()}; load average {load:.1f} at the start (other work on the machine).
`python -m bench verify{" --quick" if quick else ""}`: one SQLite ledger of {events:,} synthetic
events (1,000 per aggregate, as `bench/merkle.py` builds it), its Merkle log up to date and one
signed checkpoint; rates are events per second of process CPU time, medians of {repeats} runs
taking turns, the baseline measured in the same run.

| run | median | baseline in the same run | ratio |
|---|---|---|---|
| {target_row} |
| {tight_row} |

Where verify's time goes (shares of its CPU time per event, from its parts timed in the same
run): event hashes, aggregate links and the global chain {chain_share:.0%}
({rates["chains"]:,.0f} events/s alone); the streamed Merkle root and checkpoint audit
(`tree_audit`) {root_share:.0%}; every stored Merkle leaf and node compared (`tree_check`,
read once while the ledger streams) {tree_share:.0%}.

{CHANGE}"""
    if not quick:
        write_section("verify", body)
    print(body)
    print(json.dumps(ratios))
    return ratios


if __name__ == "__main__":
    main()
