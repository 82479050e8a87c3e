"""PostgreSQL append: the hash-chain recorder against eventsourcing's plain recorder, measured in
the same run (R-LED-3): `python -m bench pgappend [--quick]`.

Each recorder gets a database of its own (created with a unique name on the server of
CELLTRACE_TEST_POSTGRES_URL, dropped at the end), written at 1 and 100 events per save through
the same application (`CellTraceLedger`, and `PlainLedger` without the hash chain), and then
through the recorders alone (`insert_events` of the events such a save stores), where nothing
but the recorder differs.
A save costs mostly round trips to the server and the server's own work, which the client's
CPU time does not see, so the rates here are wall time: rounds alternate A/B (which recorder
goes first alternates too), and the table gives the median rate over the rounds and the
median of the rounds' ratios. The last line printed is the ratios as JSON.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path

import psycopg
from eventsourcing.persistence import ApplicationRecorder, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder

from bench.append import ACTOR, PlainLedger
from bench.common import machine, write_section
from bench.specimen import BenchItem
from ledger.application import CellTraceLedger
from ledger.config import Settings

ADMIN_URL = "postgresql://celltrace:celltrace@127.0.0.1:5432/postgres"
HEADER = (
    "| through | events per save | saves per round | hash chain (events/s) "
    "| plain recorder (events/s) | ratio, wall | ratio, client CPU |\n|---|---|---|---|---|---|---|"
)

BEFORE = """What changed: a save sent 8 statements (BEGIN, SET, advisory lock, NOTIFY, head
SELECT, `nextval`, INSERT, COMMIT; one more for links to earlier events) and waited for the server
4 or 5 times (head, ids, links, INSERT, COMMIT), against the plain recorder's pipelined 2. The
recorder now remembers the chain head it committed and hashes before it connects; lock, a guarded
INSERT (which draws the ids and notifies only while the table's head and the sequence's last value
are still the remembered ones) and COMMIT go in one round trip. A stale head (another process
appended) is redone with head, ids and links read under the lock in one round trip, then INSERT
and COMMIT. The stored rows, hashes and notifications are the same. Before, measured with this
benchmark on the earlier recorder on 2026-12-08 (load average 13.8): through the application 0.82x
(1 per save) and 0.80x (100 per save); through the recorder alone 0.80x and 0.68x. The client CPU
ratio stays below 1 at 100 per save: hashing 100 events costs about 0.25 ms of client CPU per
save."""


@contextmanager
def scratch_databases(names: list[str]) -> Iterator[dict[str, str]]:
    """Create a database per name (unique on the server), yield their URLs, drop them."""
    admin = os.environ.get("CELLTRACE_TEST_POSTGRES_URL", ADMIN_URL)
    tag = uuid.uuid4().hex[:8]
    dbs = {name: f"celltrace_pgappend_{tag}_{i}" for i, name in enumerate(names)}
    with psycopg.connect(admin, autocommit=True) as conn:
        for db in dbs.values():
            conn.execute(f"CREATE DATABASE {db}")
    try:
        yield {name: admin.rsplit("/", 1)[0] + "/" + db for name, db in dbs.items()}
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            for db in dbs.values():
                conn.execute(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")


def save_rate(app: CellTraceLedger, per_save: int, saves: int) -> tuple[float, float]:
    """Events per wall second and per client CPU second of `saves` saves."""
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(saves):
        with app.command(ACTOR):
            item = BenchItem("bench")
            for i in range(per_save - 1):
                item.annotate(f"step {i}")
        app.record(item)
    events = saves * per_save
    return events / (time.perf_counter() - wall), events / (time.process_time() - cpu)


def insert_rate(recorder: ApplicationRecorder, per_save: int, saves: int) -> tuple[float, float]:
    """The same as `save_rate`, through the recorder alone: events of a stored size."""
    batches = []
    for _ in range(saves):
        oid = uuid.uuid4()
        batches.append(
            [
                StoredEvent(oid, v, "bench.specimen:BenchItem.Annotated", bytes(280))
                for v in range(1, per_save + 1)
            ]
        )
    wall, cpu = time.perf_counter(), time.process_time()
    for batch in batches:
        recorder.insert_events(batch)
    events = saves * per_save
    return events / (time.perf_counter() - wall), events / (time.process_time() - cpu)


def alternate(
    runners: dict[str, Callable[[], tuple[float, float]]], rounds: int
) -> dict[str, list[tuple[float, float]]]:
    """(wall, CPU) rates of each runner per round, the first runner first in even rounds."""
    runs: dict[str, list[tuple[float, float]]] = {kind: [] for kind in runners}
    for r in range(rounds):
        for kind in list(runners) if r % 2 == 0 else list(reversed(runners)):
            runs[kind].append(runners[kind]())
    return runs


def main(argv: list[str] | None = None) -> dict[str, float]:
    args = sys.argv[1:] if argv is None else argv
    quick = "--quick" in args
    rounds = 9 if quick else 25
    shapes = ((1, 30), (100, 2)) if quick else ((1, 60), (100, 4))
    kinds = {"hash chain": CellTraceLedger, "plain": PlainLedger}
    load = os.getloadavg()
    results: dict[tuple[str, int], dict[str, list[tuple[float, float]]]] = {}
    with tempfile.TemporaryDirectory() as tmp, scratch_databases(list(kinds)) as urls:
        apps = {
            kind: cls(
                Settings(data_dir=Path(tmp) / str(i), database_url=urls[kind]),
                create_tables=True,
            )
            for i, (kind, cls) in enumerate(kinds.items())
        }
        try:
            for app in apps.values():
                save_rate(app, 1, 20)  # connections, prepared statements, caches
            for per_save, saves in shapes:
                results["application", per_save] = alternate(
                    {kind: partial(save_rate, app, per_save, saves) for kind, app in apps.items()},
                    rounds,
                )
            recorders = {
                "hash chain": apps["hash chain"].recorder,
                "plain": apps["plain"].recorder,
            }
            # by name: the benchmark also runs against earlier versions of the recorder
            assert type(recorders["hash chain"]).__name__ == "HashChainPostgresRecorder"
            assert type(recorders["plain"]) is PostgresApplicationRecorder
            for per_save, saves in shapes:
                results["recorder", per_save] = alternate(
                    {
                        kind: partial(insert_rate, recorder, per_save, saves)
                        for kind, recorder in recorders.items()
                    },
                    rounds,
                )
        finally:
            for app in apps.values():
                app.close()

    ratios: dict[str, float] = {}
    rows = []
    saves_of = dict(shapes)
    for (through, per_save), runs in results.items():
        chain, plain = runs["hash chain"], runs["plain"]
        wall_ratio = statistics.median(c[0] / p[0] for c, p in zip(chain, plain, strict=True))
        cpu_ratio = statistics.median(c[1] / p[1] for c, p in zip(chain, plain, strict=True))
        ratios[f"{through}_{per_save}_per_save_wall"] = round(wall_ratio, 3)
        ratios[f"{through}_{per_save}_per_save_client_cpu"] = round(cpu_ratio, 3)
        rows.append(
            f"| {through} | {per_save} | {saves_of[per_save]:,} "
            f"| {statistics.median(c[0] for c in chain):,.0f} "
            f"| {statistics.median(p[0] for p in plain):,.0f} | **{wall_ratio:.2f}x** "
            f"| {cpu_ratio:.2f}x |"
        )
    body = f"""## PostgreSQL append: hash chain against the plain recorder (R-LED-3)

Machine: {machine()}; load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (1 / 5 / 15
min) at the start; PostgreSQL {_server_version()} on the same machine, over TCP to 127.0.0.1.
`python -m bench pgappend{" --quick" if quick else ""}`: each recorder on a fresh database of
its own, written through the same application and then through the recorder alone, at 1 and
100 events per save; {rounds} rounds alternating A/B. Rates are events per **wall** second:
a save costs round trips and the server's work, which the client's CPU time does not see (its
ratio is given too). Rates are medians over the rounds, the ratio is the median of the rounds'
ratios (target >= 0.9x). Under load the absolute rates fall far below a quiet machine's (other
test suites share the 2 cores and the server); compare the ratios.

{HEADER}
{chr(10).join(rows)}

{BEFORE}"""
    if not quick:
        write_section("pgappend", body)
    print(body)
    print(json.dumps(ratios))
    return ratios


def _server_version() -> str:
    admin = os.environ.get("CELLTRACE_TEST_POSTGRES_URL", ADMIN_URL)
    with psycopg.connect(admin) as conn:
        row = conn.execute("SHOW server_version").fetchone()
    return str(row[0]).split()[0] if row else "?"


if __name__ == "__main__":
    main()
