"""Projection and trace benchmark (R-TRC-1, R-TRC-2, R-DON-7) on a generated SQLite ledger:
catch-up rate of the items projection, trace-up p50/p99 from thawed working-bank vials and
from dosed patients (the deepest items), trace-down and look-back from the donor with the
most vials, the same traversals on an in-memory networkx graph of the same rows, peak memory
of each, and the query plans that show which index each query uses.

    python -m bench.projections [--events 1000000] [--db celltrace-data/generated/bench-ledger.db]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import networkx as nx  # type: ignore[import-untyped]
from sqlalchemy import Engine, text

from bench.common import machine, write_section
from bench.generate import big_shape, generate
from ledger.application import CellTraceLedger
from ledger.config import Settings
from ledger.projections.items import ItemsProjection, ItemsView
from ledger.projections.recall import lookback
from ledger.projections.runner import catch_up
from ledger.projections.trace import _QUERIES, trace_down, trace_up
from ledger.projections.tracking import view_engine

BIG_VIALS = 10_000
NxGraph = Any  # networkx.DiGraph (the package ships no type information)
SAMPLES = 1000


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def mib(size: float) -> str:
    return f"{size / 2**20:.1f} MiB"


def peak(run: Callable[[], object]) -> int:
    """Peak bytes Python allocated while `run` ran (a separate, untimed run)."""
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def timings(run: Callable[[], object], repeats: int) -> list[float]:
    out = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        out.append(time.perf_counter() - start)
    return sorted(out)


def pct(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, int(q * len(values)))]


def rebuild_items(settings: Settings, limit: int | None = None) -> tuple[int, float]:
    """Drop the items view and catch it up (to `limit` events if given); events, seconds."""
    engine = view_engine(settings)
    app = CellTraceLedger(settings)
    try:
        view = ItemsView(engine)
        view.drop()
        projection = ItemsProjection(view)
        if limit is not None:  # stop after `limit` events (for the memory run)
            app.recorder.select_notifications = partial(  # type: ignore[method-assign]
                app.recorder.select_notifications, stop=limit
            )
        start = time.perf_counter()
        position = catch_up(app, projection, view, batch_size=1000)
        return position, time.perf_counter() - start
    finally:
        app.close()
        engine.dispose()


def networkx_graph(engine: Engine) -> NxGraph:
    """The same items and edges, in memory."""
    graph: NxGraph = nx.DiGraph()
    with engine.connect() as conn:
        for code, kind, status, location in conn.execute(
            text("SELECT code, item_type, status, location FROM items")
        ):
            graph.add_node(code, item_type=kind, status=status, location=location)
        for parent, child, relation in conn.execute(
            text("SELECT parent_code, child_code, relation FROM genealogy_edges")
        ):
            graph.add_edge(parent, child, relation=relation)
    return graph


def nx_trace(graph: NxGraph, code: str, down: bool) -> tuple[dict[str, Any], list[Any]]:
    reached = (nx.descendants if down else nx.ancestors)(graph, code) | {code}
    sub = graph.subgraph(reached)
    return dict(sub.nodes(data=True)), list(sub.edges(data="relation"))


def pick(engine: Engine, seed: int = 1) -> tuple[list[str], list[str], str, Counter[str]]:
    """Samples of thawed working-bank vials and of dosed patients, the donor with the most
    vials (the first, big lineage) and its descendants counted by item type."""
    with engine.connect() as conn:
        deepest = list(
            conn.execute(
                text(
                    "SELECT i.code FROM items i JOIN genealogy_edges e ON e.child_code = i.code "
                    "WHERE i.item_type = 'BVL' AND i.status = 'thawed' "
                    "AND e.parent_code LIKE 'WCB-%'"
                )
            ).scalars()
        )
        patients = list(
            conn.execute(
                text(
                    "SELECT DISTINCT child_code FROM genealogy_edges "
                    "WHERE relation = 'administered to' ORDER BY child_code"
                )
            ).scalars()
        )
        donor = conn.execute(
            text("SELECT code FROM items WHERE item_type = 'DON' ORDER BY code LIMIT 1")
        ).scalar_one()
    below = Counter(n.item_type for n in trace_down(engine, donor, actors=False).nodes.values())
    random.Random(seed).shuffle(deepest)
    random.Random(seed).shuffle(patients)
    return deepest[:SAMPLES], patients[:SAMPLES], donor, below


def plans(engine: Engine, deep: str, donor: str) -> list[str]:
    lines = []
    with engine.connect() as conn:
        for (direction, actors), sql in sorted(_QUERIES.items()):
            if not actors:
                continue
            code = deep if direction == "up" else donor
            rows = conn.execute(text("EXPLAIN QUERY PLAN " + sql), {"code": code}).all()
            used = sorted({r[-1] for r in rows if "USING" in r[-1] or "SCAN" in r[-1]})
            lines.append(f"- trace {direction}: " + "; ".join(used))
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.projections")
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, default=Path("celltrace-data/generated/bench-ledger.db"))
    parser.add_argument("--note", default="reused", help="how an existing --db was generated")
    args = parser.parse_args(argv)
    db = args.db.resolve()
    settings = Settings(data_dir=db.parent, database_url=f"sqlite:///{db}")
    generated = args.note
    if not db.exists():
        stats = generate(settings, args.events, big=big_shape(BIG_VIALS), echo=print)
        generated = f"generated in {stats.seconds:.0f} s ({stats.rate:,.0f} events/s)"
    print("catching up the items projection from scratch ...")
    events, seconds = rebuild_items(settings)
    catch_up_peak = peak(lambda: rebuild_items(settings, 50_000))
    rebuild_items(settings)  # leave it complete after the memory run
    engine = view_engine(settings)
    deepest, patients, donor, below = pick(engine)
    if not patients:
        raise SystemExit(
            f"{db} holds no dosed patients: an older generator made it; delete it to regenerate"
        )
    vials = f"{below['BVL']:,} bank vials, {below['PVL']:,} product vials, {below['PAT']} patients"
    print(f"{events} events, {len(deepest)} vials, {len(patients)} patients; {donor}: {vials}")
    up: list[float] = []
    for code in deepest:
        up += timings(lambda c=code: trace_up(engine, c), 1)  # type: ignore[misc]
    up.sort()
    patient_up: list[float] = []
    for code in patients:
        patient_up += timings(lambda c=code: trace_up(engine, c), 1)  # type: ignore[misc]
    patient_up.sort()
    down = timings(lambda: trace_down(engine, donor), 20)
    down_bare = timings(lambda: trace_down(engine, donor, actors=False), 20)
    recall = timings(lambda: lookback(engine, donor), 10)
    start = time.perf_counter()
    graph = networkx_graph(engine)
    nx_build = time.perf_counter() - start
    nx_up: list[float] = []
    for code in deepest:
        nx_up += timings(lambda c=code: nx_trace(graph, c, False), 1)  # type: ignore[misc]
    nx_up.sort()
    nx_down = timings(lambda: nx_trace(graph, donor, True), 20)
    memory = {
        "trace up (SQL)": peak(lambda: trace_up(engine, deepest[0])),
        "trace up from a patient (SQL)": peak(lambda: trace_up(engine, patients[0])),
        "trace down (SQL)": peak(lambda: trace_down(engine, donor)),
        "look-back list (SQL)": peak(lambda: lookback(engine, donor)),
        "catch-up, 50,000 events": catch_up_peak,
        "networkx graph (build)": peak(lambda: networkx_graph(engine)),
        "trace down (networkx)": peak(lambda: nx_trace(graph, donor, True)),
    }
    index_plan = plans(engine, deepest[0], donor)
    engine.dispose()
    p50_up, p99_up = statistics.median(up), pct(up, 0.99)
    body = "\n".join(
        [
            "## Projections and trace (R-TRC-1, R-TRC-2, R-DON-7)",
            "",
            f"Machine: {machine()}",
            f"Ledger: {events:,} events on SQLite through `CellTraceLedger` ({generated}; "
            "the generator's full mix: donors, collections, portions, seed/master/working "
            "banks and vials, cultures, harvests, product lots with QC and certification, "
            "product vials, shipments to three sites with receipt, QP release and pharmacy "
            "storage, patients dosed from dispensed vials, material lots, look-backs, "
            "recalls). The deepest items are dosed patients; thawed working-bank vials are "
            "measured as before.",
            "",
            "| measure | result | target |",
            "|---|---|---|",
            f"| items projection catch-up from scratch | {events / seconds:,.0f} events/s "
            f"({seconds:.1f} s) | >= 10,000 events/s |",
            f"| trace-up from a thawed WCB vial, {len(up)} vials: p50 / p99 | "
            f"{ms(p50_up)} / {ms(p99_up)} | p99 < 10 ms |",
            f"| trace-up from a dosed patient, {len(patient_up)} patients: p50 / p99 | "
            f"{ms(statistics.median(patient_up))} / {ms(pct(patient_up, 0.99))} | "
            "p99 < 10 ms |",
            f"| trace-down from a donor with {vials} (with actors), median | "
            f"{ms(statistics.median(down))} | < 200 ms |",
            f"| same, nodes and edges only, median | {ms(statistics.median(down_bare))} | |",
            f"| look-back recall list of that donor, median | {ms(statistics.median(recall))} | |",
            f"| networkx: build the graph of {graph.number_of_nodes():,} items | "
            f"{nx_build:.1f} s | |",
            f"| networkx trace-up p50 / p99 | {ms(statistics.median(nx_up))} / "
            f"{ms(pct(nx_up, 0.99))} | |",
            f"| networkx trace-down, median | {ms(statistics.median(nx_down))} | |",
            f"| ratio SQL / networkx: up p50, down | "
            f"{p50_up / statistics.median(nx_up):.1f}x, "
            f"{statistics.median(down) / statistics.median(nx_down):.1f}x | |",
            "",
            "Peak Python memory (tracemalloc, separate untimed runs):",
            "",
            *(f"- {name}: {mib(size)}" for name, size in memory.items()),
            "",
            "Indexes: `items` by code (primary key); `genealogy_edges` by parent (primary key "
            "parent, child, relation) and by child (`genealogy_by_child`); `timeline` by "
            "item (`timeline_by_item`). SQLite's plans for the trace queries:",
            "",
            *index_plan,
        ]
    )
    write_section("projections", body)
    print(body)


if __name__ == "__main__":
    main()
