"""Append throughput through CellTraceLedger with the hash-chain recorder and with the
library's plain recorder on SQLite, and `verify` speed on SQLite. PostgreSQL has its own
benchmark, `bench/pgappend.py` (wall time, alternating A/B rounds)."""

from __future__ import annotations

import tempfile
import time
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


def main() -> None:
    rows = []
    for per_save, saves in ((1, 1000), (100, 30)):
        rates = {}
        for kind, cls in (("hash chain", CellTraceLedger), ("plain", PlainLedger)):
            with tempfile.TemporaryDirectory() as tmp:
                app = cls(_settings(Path(tmp), None))
                rates[kind] = append_rate(app, per_save, saves)
                app.close()
        ratio = rates["hash chain"] / rates["plain"]
        rows.append(
            f"| SQLite | {per_save} | {rates['hash chain']:,.0f} | {rates['plain']:,.0f} "
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
Targets: the hash chain costs at most 15% on SQLite. PostgreSQL: see "PostgreSQL append"
(`python -m bench pgappend`)."""
    write_section("append", body)


if __name__ == "__main__":
    main()
