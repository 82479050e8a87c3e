"""R-TRC-1..3 read models on a generated Domain I ledger (donors to thawed working-bank vials,
look-backs, recalls): incremental processing, a SIGKILLed worker restarted, and a rebuild
all give the same items (status, holds, place, lot, expiry), timelines and genealogy edges,
on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from eventsourcing.persistence import Tracking
from sqlalchemy import func, select

from bench.generate import SERUM, Generator, Shape, generate
from ledger.application import CellTraceLedger
from ledger.bootstrap import init_ledger, open_projections
from ledger.config import Settings
from ledger.demo.records import register_staff
from ledger.projections.genealogy import edges_table
from ledger.projections.items import ItemsView, items_table
from ledger.projections.tracking import view_engine
from tests.integration.test_projections import kill_worker_part_way, positions, worker

Snapshot = dict[str, list[tuple[Any, ...]]]


def snapshot(settings: Settings) -> Snapshot:
    """Every row of every table of the items view, in primary-key order."""
    engine = view_engine(settings)
    try:
        with engine.connect() as conn:
            return {
                table.name: [
                    tuple(row) for row in conn.execute(select(table).order_by(*table.primary_key))
                ]
                for table in ItemsView.tables
            }
    finally:
        engine.dispose()


def count(settings: Settings, *where: Any) -> int:
    engine = view_engine(settings)
    try:
        with engine.connect() as conn:
            return int(
                conn.execute(
                    select(func.count()).select_from(items_table).where(*where)
                ).scalar_one()
            )
    finally:
        engine.dispose()


def test_r_trc_3_domain_views_processed_while_the_ledger_grows_equal_a_rebuild(
    settings: Settings,
) -> None:
    # Given a Domain I ledger followed by the projections while lineages, a look-back and a
    # material recall are recorded
    init_ledger(settings)
    app = CellTraceLedger(settings)
    generator = Generator(app, register_staff(app, lambda _line: None), lot_uses=2)
    with open_projections(settings) as projections:
        for shape in (Shape(), Shape(working_banks=2, working_vials=6), Shape(portions=3)):
            donor = generator.lineage(shape).donor
            projections.wait(app.recorder.max_notification_id())
        generator.lookback(donor)
        generator.recall(SERUM)
        last = app.recorder.max_notification_id()
        projections.wait(last)
    app.close()
    incremental = snapshot(settings)
    # When every view is rebuilt from the first event
    rebuilt = open_projections(settings)
    rebuilt.rebuild()
    rebuilt.catch_up()
    # Then every item, timeline entry and genealogy edge is the same
    assert snapshot(settings) == incremental
    assert len(incremental["genealogy_edges"]) > 50
    assert count(settings, items_table.c.status == "on hold") > 0
    assert count(settings, items_table.c.status == "recalled") == 1
    assert count(settings, items_table.c.location.is_not(None)) > 20


def worker_to_the_end(settings: Settings, *args: str) -> Snapshot:
    """Run `celltrace worker --once` (with `args`) to completion; the views it leaves."""
    proc = worker(settings, "--once", *args)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    return snapshot(settings)


def test_r_trc_3_worker_killed_in_a_domain_ledger_resumes_and_equals_a_rebuild(
    settings: Settings,
) -> None:
    # Given a generated Domain I backlog
    stats = generate(settings, 6000)
    # When a worker catching up on it is killed with SIGKILL part-way through
    killed_at = kill_worker_part_way(settings)
    assert 0 < killed_at < stats.events
    # And restarted to catch up
    resumed = worker_to_the_end(settings)
    assert positions(settings)["items"] == stats.events
    # Then the views equal a clean rebuild: nothing missing, nothing applied twice
    assert worker_to_the_end(settings, "--rebuild") == resumed
    assert len(resumed["genealogy_edges"]) >= stats.vials


def test_r_trc_2_an_edge_recorded_again_is_kept_once(settings: Settings) -> None:
    # Given the items view
    engine = view_engine(settings)
    view = ItemsView(engine)
    view.create_tables()
    edge = {"parent_code": "MAT-1", "child_code": "CUL-1", "relation": "material used in"}
    # When the same lot is recorded as used by the same item in later events, one by one
    # and within one catch-up batch
    for n in (1, 2):
        with view.transaction(Tracking("CellTrace", n)) as conn:
            view.insert(conn, edges_table, {**edge, "notification_id": n})
    with view.batch(Tracking("CellTrace", 4)) as conn:
        for n in (3, 4):
            view.insert(conn, edges_table, {**edge, "notification_id": n})
    # Then the edge is kept once, from the first event
    with engine.connect() as conn:
        rows = conn.execute(select(edges_table)).all()
    engine.dispose()
    assert [row.notification_id for row in rows] == [1]
