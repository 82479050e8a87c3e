"""Transparency log at 1,000,000 leaves on SQLite (R-LED-4): Merkle integrator append rate,
inclusion and consistency proof time through the API functions, checkpoint signing time,
and `verify` speed with the Merkle root recomputed. The ledger is built quickly from
synthetic events with correct hashes, inserted through the hash-chain recorder itself."""

from __future__ import annotations

import os
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from eventsourcing.persistence import StoredEvent

from bench.common import machine, write_section
from ledger.application import CellTraceLedger
from ledger.config import Settings
from ledger.integrity.checkpoints import Checkpoints
from ledger.integrity.log_keys import key_history
from ledger.integrity.proofs import TransparencyLog
from ledger.integrity.verify import LogAudit, verify_database
from ledger.projections.merkle import MerkleFollower
from ledger.projections.tracking import view_engine

LEAVES = int(os.environ.get("BENCH_LEAVES", "1000000"))  # smaller for a quick try
TOPIC = "bench.synthetic:Item.Stepped"


def build_ledger(settings: Settings, events: int) -> float:
    """Insert `events` synthetic events, 1000 per batch (one aggregate each); events/s."""
    app = CellTraceLedger(settings)
    start = time.perf_counter()
    for _ in range(events // 1000):
        oid = uuid.uuid4()
        app.recorder.insert_events(
            [StoredEvent(oid, v, TOPIC, b'{"step":%d}' % v) for v in range(1, 1001)]
        )
    rate = events / (time.perf_counter() - start)
    app.close()
    return rate


def timings_ms(call: Callable[[int], object], runs: int) -> tuple[float, float]:
    """Median and 99th percentile, in milliseconds, of `runs` calls."""
    samples = []
    for n in range(runs):
        start = time.perf_counter()
        call(n)
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(runs * 0.99) - 1]


def main() -> None:
    rng = random.Random(9162)
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), database_url=f"sqlite:///{tmp}/bench.db")
        insert_rate = build_ledger(settings, LEAVES)
        print(f"ledger built: {insert_rate:,.0f} events/s", flush=True)
        engine = view_engine(settings)
        follower = MerkleFollower(engine)
        start = time.perf_counter()
        follower.catch_up(batch_size=10_000)
        catch_up_rate = LEAVES / (time.perf_counter() - start)
        print(f"integrator catch-up: {catch_up_rate:,.0f} leaves/s", flush=True)
        checkpoints = Checkpoints(settings, engine)
        checkpoints.sign()
        # Live following: 100 batches of 1000 new events onto the 1M-leaf tree.
        build_extra = CellTraceLedger(settings)
        appended, live_time = 0, 0.0
        for _ in range(100):
            oid = uuid.uuid4()
            build_extra.recorder.insert_events(
                [StoredEvent(oid, v, TOPIC, b"{}") for v in range(1, 1001)]
            )
            start = time.perf_counter()
            done = follower.view.integrate(1000)
            live_time += time.perf_counter() - start
            appended += done.end - done.start if done else 0
        build_extra.close()
        live_rate = appended / live_time
        size = LEAVES + appended
        print(f"integrator live, 1000 per batch: {live_rate:,.0f} leaves/s", flush=True)
        log = TransparencyLog(settings, engine)
        inclusion = timings_ms(lambda n: log.inclusion(rng.randrange(size), size), 2000)
        consistency = timings_ms(lambda n: log.consistency(rng.randrange(1, size), size), 2000)
        root = timings_ms(lambda n: log.tree.root(size - rng.randrange(1000)), 2000)
        signing = timings_ms(lambda n: checkpoints.sign(force=True), 50)
        print(f"inclusion {inclusion}, consistency {consistency}, signing {signing}", flush=True)
        audit = LogAudit(settings.origin, tuple(key_history(settings)))
        start = time.perf_counter()
        report = verify_database(settings.database, log=audit)
        verify_seconds = time.perf_counter() - start
        assert report.intact, report.first_break
        engine.dispose()

    def row(name: str, value: tuple[float, float]) -> str:
        return f"| {name} | {value[0]:.2f} ms | {value[1]:.2f} ms |"

    body = f"""## Transparency log at 1,000,000 leaves (R-LED-4)

Machine: {machine()}. One run of `python -m bench.transparency`, SQLite file (WAL).
The ledger holds {LEAVES:,} synthetic events with correct hashes, inserted through the
hash-chain recorder in batches of 1000 ({insert_rate:,.0f} events/s).

Merkle integrator (leaves appended, subtrees stored and tracking advanced in one
transaction per batch; target at least 50,000 leaves/s):

| run | leaves/s |
|---|---|
| catch-up from empty to {LEAVES:,}, 10,000 per batch | **{catch_up_rate:,.0f}** |
| live, 100 batches of 1000 onto the {LEAVES:,}-leaf tree | **{live_rate:,.0f}** |

At {size:,} leaves, through the functions behind the API (one SELECT of at most
2 log2(n) + 1 stored subtrees each; target < 2 ms):

| call (2000 random arguments; signing 50 runs) | median | p99 |
|---|---|---|
{row("`inclusion(index, size)` with its leaf hash", inclusion)}
{row("`consistency(old, size)`", consistency)}
{row("root at a size near the end", root)}
{row("checkpoint signing (consistency check, Ed25519, insert)", signing)}

`celltrace verify` of the {size:,} events, recomputing every event hash, both chains and the
Merkle root of {report.checkpoints} checkpoints: {verify_seconds:.1f} s =
{report.events / verify_seconds:,.0f} events/s."""
    write_section("transparency", body)
    print(body)


if __name__ == "__main__":
    main()
