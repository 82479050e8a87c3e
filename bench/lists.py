"""Item lists on a generated 1,000,000-event SQLite ledger (R-TRC-2): the first page of
representative filter and sort combinations (median of repeated runs; target < 50 ms), the same
page 10,000 rows deep, the query plans, the items projection's catch-up with and without the
list indexes (same run), and the CSV export of 10,000 and 100,000 rows with its peak memory, in
process (tracemalloc) and as a served download (the server's peak RSS).

    python -m bench.lists [--db celltrace-data/generated/bench-ledger.db] [--skip-rebuild]

The ledger is the one `python -m bench.projections` makes (`bench.generate --events 1000000
--big-vials 10000`), generated here when missing with CELLTRACE_PASSWORD_HASHING=cheapest: the
generator signs its decisions with passwords, and with the production Argon2 parameters those
checks, not the events, take most of its time. The events are the same either way.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine, select, text

from bench.common import machine, write_section
from bench.generate import big_shape, generate
from ledger.api.csv_stream import csv_chunks
from ledger.api.item_lists import CSV_COLUMNS, ListRequest, row_cells
from ledger.application import SYSTEM, CellTraceLedger
from ledger.bootstrap import open_ledger
from ledger.config import Settings
from ledger.projections.item_list import ItemFilter, Sort, iter_items, list_items, page_query
from ledger.projections.items import ItemsProjection, ItemsView, items_table
from ledger.projections.runner import catch_up
from ledger.projections.tracking import view_engine
from ledger.storage.db import create_db_engine
from ledger.stores.credentials import Credentials

REPEATS = 25
PASSWORD = "benchmark password"
LIST_INDEXES = [i.name for i in items_table.indexes if str(i.name).startswith("items_")]


@dataclass(frozen=True)
class Case:
    name: str
    where: ItemFilter
    sort: Sort = Sort.CODE
    descending: bool = False


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def mib(size: float) -> str:
    return f"{size / 2**20:.1f} MiB"


def median_time(run: Callable[[], object], repeats: int = REPEATS) -> float:
    run()  # warm the page cache once; the median is of the runs after it
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def facts(engine: Engine) -> dict[str, Any]:
    """Values the cases filter on: the lot with most vials, a busy site, a dosed patient."""
    with engine.connect() as conn:

        def one(sql: str) -> Any:
            return conn.execute(text(sql)).scalar()

        return {
            "lot": one(
                "SELECT lot FROM items WHERE item_type = 'PVL' GROUP BY lot "
                "ORDER BY count(*) DESC LIMIT 1"
            ),
            "site": one(
                "SELECT site FROM items WHERE site IS NOT NULL GROUP BY site "
                "ORDER BY count(*) DESC LIMIT 1"
            ),
            "patient": one(
                "SELECT patient FROM items WHERE item_type = 'PVL' AND patient "
                "IS NOT NULL ORDER BY code LIMIT 1"
            ),
            "last_day": one("SELECT substr(max(created_at), 1, 10) FROM items"),
            "items": one("SELECT count(*) FROM items"),
            "held": one("SELECT count(*) FROM items WHERE held"),
            "types": conn.execute(
                text("SELECT item_type, count(*) FROM items GROUP BY 1 ORDER BY 2 DESC")
            ).all(),
        }


def cases(known: dict[str, Any]) -> list[Case]:
    last = date.fromisoformat(known["last_day"])
    return [
        Case("every item, by code", ItemFilter()),
        Case("product vials, newest first", ItemFilter(types=("PVL",)), Sort.CREATED, True),
        Case(
            "certified lots, soonest expiry first",
            ItemFilter(types=("LOT",), statuses=("certified",)),
            Sort.EXPIRY,
        ),
        Case("bank vials in storage, by status", ItemFilter(statuses=("in storage",)), Sort.STATUS),
        Case("items on hold, newest first", ItemFilter(held=True), Sort.CREATED, True),
        Case("held under R-DON-7, by code", ItemFilter(hold_rule="R-DON-7")),
        Case(
            f"site {known['site']}, newest first",
            ItemFilter(site=known["site"]),
            Sort.CREATED,
            True,
        ),
        Case(f"vials of lot {known['lot']}, by expiry", ItemFilter(lot=known["lot"]), Sort.EXPIRY),
        Case(
            "lots and shipments, newest first", ItemFilter(types=("LOT", "SHP")), Sort.CREATED, True
        ),
        Case(f"search a patient ({known['patient']})", ItemFilter(q=known["patient"])),
        Case("search a code prefix (PVL-F01-26-0001)", ItemFilter(q="PVL-F01-26-0001")),
        Case(
            "recorded on the last day, newest first",
            ItemFilter(created_from=last, created_to=last),
            Sort.CREATED,
            True,
        ),
        Case("location contains 'R3/B2', by code", ItemFilter(location="R3/B2")),
    ]


def plan(engine: Engine, case: Case) -> str:
    query = page_query(case.where, case.sort, case.descending, 51, None)
    sql = str(query.compile(engine, compile_kwargs={"literal_binds": True}))
    with engine.connect() as conn:
        rows = conn.execute(text(f"EXPLAIN QUERY PLAN {sql}")).all()
    return "; ".join(dict.fromkeys(str(r[-1]) for r in rows if "CO-ROUTINE" not in str(r[-1])))


def deep_key(engine: Engine, case: Case, depth: int) -> tuple[str, ...] | None:
    """The key after which the page `depth` rows into the list starts."""
    after: tuple[str, ...] | None = None
    read = 0
    while read < depth:
        page = list_items(engine, case.where, case.sort, case.descending, 500, after)
        read += len(page.rows)
        if page.next_key is None:
            return None
        after = page.next_key
    return after


def export_peak(engine: Engine, where: ItemFilter, rows: int) -> tuple[int, float, int]:
    """Peak Python memory (tracemalloc) and seconds to write `rows` rows of the list as CSV."""
    tracemalloc.start()
    try:
        start = time.perf_counter()
        sent = written = 0
        lines = (row_cells(r) for r in _first(iter_items(engine, where), rows))
        for chunk in csv_chunks(CSV_COLUMNS, lines):
            sent += len(chunk)
            written += chunk.count(b"\r\n")
        seconds = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert written == rows + 1, written
    return peak, seconds, sent


def _first(rows: Iterator[Any], n: int) -> Iterator[Any]:
    for i, row in enumerate(rows):
        if i == n:
            return
        yield row


def reader_app() -> Any:
    """The API without projections, for `uvicorn --factory` (the list read as served)."""
    from ledger.api.app import create_app

    return create_app(Settings.from_env(), run_projections=False)


def serve(settings: Settings, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "CELLTRACE_DATABASE_URL": settings.database_url,
        "CELLTRACE_DATA_DIR": str(settings.data_dir),
        "CELLTRACE_PASSWORD_HASHING": "cheapest",
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "bench.lists:reader_app",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env=env,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
            return server
        except httpx.HTTPError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("the reader did not come up")


def peak_rss(pid: int) -> int:
    """The process's peak resident memory so far (VmHWM), in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmHWM")


def served_export(
    settings: Settings, token: str, params: list[tuple[str, str]]
) -> tuple[int, int, int, float]:
    """In a fresh server: peak RSS after one small list, then after downloading the CSV of
    `params` (streamed, discarded); rows, bytes and seconds of the download."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    server = serve(settings, port)
    try:
        base = f"http://127.0.0.1:{port}/api/v1"
        headers = {"Authorization": f"Bearer {token}"}
        httpx.get(
            f"{base}/items", params={"limit": 5}, headers=headers, timeout=60
        ).raise_for_status()
        idle = peak_rss(server.pid)
        start = time.perf_counter()
        lines = size = 0
        with httpx.stream(
            "GET", f"{base}/items.csv", params=params, headers=headers, timeout=600
        ) as r:
            r.raise_for_status()
            for chunk in r.iter_bytes():
                size += len(chunk)
                lines += chunk.count(b"\n")  # a CRLF may be split between two chunks
        seconds = time.perf_counter() - start
        return idle, peak_rss(server.pid), lines - 1, seconds
    finally:
        server.terminate()
        server.wait(30)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.lists")
    parser.add_argument("--db", type=Path, default=Path("celltrace-data/generated/bench-ledger.db"))
    parser.add_argument("--skip-rebuild", action="store_true", help="the items view is current")
    parser.add_argument("--note", default="", help="how an existing --db was generated")
    args = parser.parse_args(argv)
    db = args.db.resolve()
    settings = Settings(data_dir=db.parent, database_url=f"sqlite:///{db}")
    note = args.note
    if not db.exists():  # as bench.projections makes it; signers' checks at the cheapest cost
        os.environ["CELLTRACE_PASSWORD_HASHING"] = "cheapest"
        stats = generate(settings, 1_000_000, big=big_shape(10_000), echo=print)
        note = (
            f"generated here with CELLTRACE_PASSWORD_HASHING=cheapest in {stats.seconds:.0f} s "
            f"({stats.rate:,.0f} events/s)"
        )
    catch_up: list[str] = []
    if not args.skip_rebuild:
        catch_up = rebuild_with_and_without_indexes(settings)
    engine = view_engine(settings)
    known = facts(engine)
    print(f"{known['items']:,} items, {known['held']:,} held; {known['types'][:6]}")
    rows = []
    for case in cases(known):
        first = median_time(
            lambda c=case: list_items(engine, c.where, c.sort, c.descending, 50)  # type: ignore[misc]
        )
        key = deep_key(engine, case, 10_000)
        deep = (
            median_time(
                lambda c=case, k=key: list_items(engine, c.where, c.sort, c.descending, 50, k)  # type: ignore[misc]
            )
            if key
            else None
        )
        count = len(list_items(engine, case.where, case.sort, case.descending, 50).rows)
        rows.append((case, first, deep, count, plan(engine, case)))
        print(f"{case.name}: {ms(first)}" + (f", 10,000 deep {ms(deep)}" if deep else ""))
    with engine.connect() as conn:
        code = conn.execute(select(items_table.c.code).limit(1)).scalar_one()
        lookup = median_time(
            lambda: conn.execute(select(items_table).where(items_table.c.code == code)).first()
        )
    bank_vials = ItemFilter(types=("BVL",))
    exports = {n: export_peak(engine, bank_vials, n) for n in (10_000, 100_000)}
    for n, (peak, seconds, size) in exports.items():
        print(f"export {n:,} rows: peak {mib(peak)}, {seconds:.1f} s, {size:,} bytes")
    token = reader_token(settings)
    served = {
        n: served_export(settings, token, export_params(engine, n)) for n in (10_000, 100_000)
    }
    http_first = served_first_pages(settings, token)
    engine.dispose()
    body = report(known, catch_up, rows, lookup, exports, served, http_first, note)
    write_section("lists", body)


def export_params(engine: Engine, rows: int) -> list[tuple[str, str]]:
    """`GET /items.csv` of the last `rows` bank vials in code order (`after` the one before)."""
    asked = ListRequest(ItemFilter(types=("BVL",)), Sort.CODE, False, 50, None)
    with engine.connect() as conn:
        before = conn.execute(
            select(items_table.c.code)
            .where(items_table.c.item_type == "BVL")
            .order_by(items_table.c.code.desc())
            .offset(rows)
            .limit(1)
        ).scalar_one()
    return [("type", "BVL"), ("after", str(asked.cursor((before,))))]


def served_first_pages(settings: Settings, token: str) -> list[tuple[str, float]]:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    server = serve(settings, port)
    headers = {"Authorization": f"Bearer {token}"}
    out = []
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}/api/v1", headers=headers) as client:
            for name, params in (
                ("every item, by code", {}),
                (
                    "product vials, newest first",
                    {"type": "PVL", "sort": "created", "order": "desc"},
                ),
                (
                    "items on hold, newest first",
                    {"holds": "true", "sort": "created", "order": "desc"},
                ),
            ):
                out.append(
                    (
                        name,
                        median_time(
                            lambda p=params: client.get("/items", params=p).raise_for_status()
                        ),
                    )
                )  # type: ignore[misc]
    finally:
        server.terminate()
        server.wait(30)
    return out


def reader_token(settings: Settings) -> str:
    """A QA reader registered in the bench ledger (once), signed in."""
    os.environ["CELLTRACE_PASSWORD_HASHING"] = "cheapest"
    marker = settings.data_dir / "bench-lists-reader.txt"
    if not marker.exists():
        ledger = open_ledger(settings)
        try:
            code = ledger.register_person(SYSTEM, ["qa"])[0]
        finally:
            ledger.close()
        credentials = Credentials(create_db_engine(settings))
        credentials.create_tables()
        credentials.set_password(code, PASSWORD)
        credentials.engine.dispose()
        marker.write_text(code)
    from fastapi.testclient import TestClient

    from ledger.api.app import create_app

    with TestClient(create_app(settings, run_projections=False)) as client:
        answer = client.post(
            "/api/v1/auth/token", data={"username": marker.read_text(), "password": PASSWORD}
        )
        answer.raise_for_status()
        return str(answer.json()["access_token"])


def rebuild_with_and_without_indexes(settings: Settings) -> list[str]:
    """The items projection's catch-up from scratch without the list indexes, then with them
    (the read model is left complete, with them)."""
    lines = []
    for label, indexed in (("without the list indexes (baseline)", False), ("with them", True)):
        events, seconds = rebuild_items(settings, indexed)
        lines.append(f"{label}: {events / seconds:,.0f} events/s ({seconds:.1f} s)")
        print(lines[-1])
    return lines


def rebuild_items(settings: Settings, indexed: bool) -> tuple[int, float]:
    """Drop the items view and catch it up from the first event; events, seconds."""
    engine = view_engine(settings)
    app = CellTraceLedger(settings)
    try:
        view = ItemsView(engine)
        view.drop()
        if not indexed:
            with engine.begin() as conn:
                for name in LIST_INDEXES:
                    conn.exec_driver_sql(f"DROP INDEX IF EXISTS {name}")
        start = time.perf_counter()
        position = catch_up(app, ItemsProjection(view), view, batch_size=1000)
        return position, time.perf_counter() - start
    finally:
        app.close()
        engine.dispose()


def report(
    known: dict[str, Any],
    catch_up: list[str],
    rows: list[tuple[Case, float, float | None, int, str]],
    lookup: float,
    exports: dict[int, tuple[int, float, int]],
    served: dict[int, tuple[int, int, int, float]],
    http_first: list[tuple[str, float]],
    note: str,
) -> str:
    types = ", ".join(f"{n:,} {t}" for t, n in known["types"][:8])
    slowest = max(((case, first) for case, first, *_ in rows), key=lambda pair: pair[1])
    table = [
        "| list (first page of 50) | median | 10,000 rows deep | rows | SQLite plan |",
        "|---|---|---|---|---|",
    ]
    for case, first, deep, count, used in rows:
        deeper = ms(deep) if deep else "(shorter list)"
        table.append(f"| {case.name} | {ms(first)} | {deeper} | {count} | {used} |")
    return "\n".join(
        [
            "## Item lists (R-TRC-2)",
            "",
            f"Machine: {machine()}",
            f"Ledger: the 1,000,000-event SQLite ledger of the projection benchmark"
            f"{f' ({note})' if note else ''}: {known['items']:,} items ({types}); "
            f"{known['held']:,} on hold. Times are of "
            f"`list_items` (the query and the rows of one page, as `GET /api/v1/items` runs it), "
            f"median of {REPEATS} runs after one warm-up; target < 50 ms.",
            "",
            *table,
            "",
            f"Slowest first page: {slowest[0].name}, {ms(slowest[1])} "
            f"({'within' if slowest[1] < 0.05 else 'over'} the 50 ms target). The lists "
            "without an index in their order read the rows that match and sort them (a site's "
            "items, a lot's vials: thousands at most); a location is a substring, so its list "
            "reads items in the sort's order until a page is found.",
            "",
            f"Baseline in the same run: one item by its code (what `GET /items/{{code}}` reads) "
            f"{ms(lookup)}.",
            "",
            "Through HTTP (uvicorn, loopback, one client; sign-in check and the access-log row "
            "of each list read included), median:",
            "",
            *(f"- {name}: {ms(t)}" for name, t in http_first),
            "",
            "Items projection catch-up from scratch (1,000,000 events; the list indexes cost "
            "every insert and status change; the same run, so the same load):",
            "",
            *(f"- {line}" for line in catch_up),
            "",
            "A rebuild (after an upgrade, or `worker --rebuild`) takes that much longer; the "
            "live projection's cost per event grows in the same ratio. PostgreSQL was not "
            "measured at this size: its plans use the same indexes (tests/unit/test_item_list.py "
            "runs every list on both databases).",
            "",
            "CSV export of bank vials in code order, read 1,000 rows at a time by key, in "
            "process (`iter_items` into `csv_chunks`, as `GET /items.csv` streams it; the time "
            "is under tracemalloc, which slows it several times):",
            "",
            "| rows | peak Python memory (tracemalloc) | time | size |",
            "|---|---|---|---|",
            *(
                f"| {n:,} | {mib(peak)} | {seconds:.1f} s | {size / 2**20:.1f} MiB |"
                for n, (peak, seconds, size) in exports.items()
            ),
            "",
            "Served by a fresh `uvicorn` for each size and downloaded in a stream (the "
            "server's peak RSS after one small list, then after the download):",
            "",
            "| rows | peak RSS before | peak RSS after | download |",
            "|---|---|---|---|",
            *(
                f"| {n:,} | {mib(idle)} | {mib(after)} | {seconds:.1f} s ({got:,} rows) |"
                for n, (idle, after, got, seconds) in served.items()
            ),
        ]
    )


if __name__ == "__main__":
    main()
