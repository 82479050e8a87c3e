"""Append throughput through CellTraceLedger with the hash-chain recorder and with the
library's plain recorder, on SQLite and PostgreSQL; and `verify` speed on SQLite."""

from __future__ import annotations

import os
import tempfile
import time
import uuid
from pathlib import Path

from eventsourcing.utils import Environment, EnvType

from bench.common import machine, median_rate, write_section
from bench.specimen import BenchItem
from ledger.application import Actor, CellTraceLedger
from ledger.config import Settings
from ledger.integrity.verify import verify_database

ACTOR = Actor("PER-BENCH", "operator")


class PlainLedger(CellTraceLedger):
    """The same application on eventsourcing's own recorder (no hash chain), for the ratio."""

    def construct_env(self, name: str, env: EnvType | None = None) -> Environment:
        plain = {k: v for k, v in (env or {}).items() if k != "APPLICATION_RECORDER_TOPIC"}
        return super().construct_env(name, plain)


def append_rate(app: CellTraceLedger, per_save: int, saves: int) -> float:
    def run() -> int:
        for _ in range(saves):
            with app.command(ACTOR):
                item = BenchItem("bench")
                for i in range(per_save - 1):
                    item.annotate(f"step {i}")
            app.record(item)
        return saves * per_save

    return median_rate(run)


def _settings(tmp: Path, url: str | None) -> Settings:
    return Settings(data_dir=tmp, database_url=url or f"sqlite:///{tmp / 'bench.db'}")


def _pg_url() -> str | None:
    admin = os.environ.get(
        "CELLTRACE_TEST_POSTGRES_URL", "postgresql://celltrace:celltrace@127.0.0.1:5432/postgres"
    )
    try:
        import psycopg

        name = f"celltrace_bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(admin.replace("postgresql://", "postgres://"), autocommit=True) as c:
            c.execute(f"CREATE DATABASE {name}")
        return admin.rsplit("/", 1)[0] + "/" + name
    except Exception:
        return None


def main() -> None:
    rows = []
    backends = [("SQLite", None)]
    pg = _pg_url()
    if pg:
        backends.append(("PostgreSQL", pg))
    for label, url in backends:
        for per_save, saves in ((1, 1000), (100, 30)):
            rates = {}
            for kind, cls in (("hash chain", CellTraceLedger), ("plain", PlainLedger)):
                with tempfile.TemporaryDirectory() as tmp:
                    db_url = url if url is None else _pg_url()
                    app = cls(_settings(Path(tmp), db_url))
                    rates[kind] = append_rate(app, per_save, saves)
                    app.close()
            ratio = rates["hash chain"] / rates["plain"]
            rows.append(
                f"| {label} | {per_save} | {rates['hash chain']:,.0f} | {rates['plain']:,.0f} "
                f"| {ratio:.2f} ({(1 - ratio) * 100:+.0f}% cost) |"
            )
            print(rows[-1], flush=True)

    # verify speed on a larger SQLite ledger
    with tempfile.TemporaryDirectory() as tmp:
        settings = _settings(Path(tmp), None)
        app = CellTraceLedger(settings)
        for _ in range(200):
            with app.command(ACTOR):
                items = [BenchItem("bench") for _ in range(50)]
                for item in items:
                    for i in range(19):
                        item.annotate(f"step {i}")
            app.record(*items)
        app.close()
        timings = []
        for _ in range(3):
            start = time.perf_counter()
            report = verify_database(settings.database)
            timings.append(time.perf_counter() - start)
            assert report.intact
        timings.sort()
        verify_rate = report.events / timings[1]
        print(f"verify: {report.events} events, {verify_rate:,.0f} events/s", flush=True)

    body = f"""## Hash-chain append and verify (foundation)

Machine: {machine()}. One run of `make bench`; each rate is the median of 5 repetitions
(verify: median of 3). SQLite is a file in WAL mode with the library's default durability.

| backend | events per save | hash chain (events/s) | plain recorder (events/s) | ratio |
|---|---|---|---|---|
{chr(10).join(rows)}

`celltrace verify` on SQLite: {report.events:,} events in {timings[1]:.2f} s =
**{verify_rate:,.0f} events/s** (target: at least 100,000).
Targets: the hash chain costs at most 15% on SQLite."""
    write_section("append", body)


if __name__ == "__main__":
    main()
