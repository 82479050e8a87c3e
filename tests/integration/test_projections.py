"""R-TRC-3 read side: views are maintained exactly once, resume after a crash, and a rebuild
gives the same rows, on SQLite and on PostgreSQL."""

from __future__ import annotations

import signal
import subprocess
from typing import Any

import pytest
from sqlalchemy import select

from ledger.bootstrap import init_ledger, open_ledger, open_projections
from ledger.config import Settings
from ledger.projections.items import items_table, timeline_table
from ledger.projections.runner import PROJECTIONS
from ledger.projections.tracking import tracking_table, view_engine
from tests.processes import STARTUP_BOUND, Lines, celltrace_env, start_celltrace, wait_until
from tests.specimen import record_samples

# Events behind a killed worker: a few of its 1,000-event batches.
BACKLOG = 3000


def snapshot(settings: Settings) -> dict[str, list[tuple[Any, ...]]]:
    engine = view_engine(settings)
    try:
        with engine.connect() as conn:
            return {
                table.name: [
                    tuple(row) for row in conn.execute(select(table).order_by(*table.primary_key))
                ]
                for table in (items_table, timeline_table)
            }
    finally:
        engine.dispose()


def positions(settings: Settings) -> dict[str, int]:
    engine = view_engine(settings)
    try:
        with engine.connect() as conn:
            if not engine.dialect.has_table(conn, tracking_table.name):
                return {}
            return {r.view: r.notification_id for r in conn.execute(select(tracking_table)).all()}
    finally:
        engine.dispose()


def worker(settings: Settings, *args: str) -> subprocess.Popen[str]:
    return start_celltrace(celltrace_env(settings), "worker", *args)


def kill_worker_part_way(settings: Settings) -> int:
    """Start `celltrace worker --once`, SIGKILL it as soon as it committed its first batch of
    a larger backlog; returns the position it reached."""
    proc = worker(settings, "--once")
    engine = view_engine(settings)
    query = select(tracking_table.c.notification_id).where(tracking_table.c.view == "items")

    def committed() -> bool:
        assert proc.poll() is None, "the worker finished before it could be killed"
        with engine.connect() as conn:
            return bool(
                engine.dialect.has_table(conn, tracking_table.name) and conn.execute(query).scalar()
            )

    try:
        wait_until(committed, "the worker's first committed batch", interval=0.002)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=STARTUP_BOUND)
    finally:
        engine.dispose()
    return positions(settings)["items"]


def test_r_trc_3_incremental_views_equal_a_rebuild(settings: Settings) -> None:
    # Given a ledger processed incrementally while it grows
    init_ledger(settings)
    app = open_ledger(settings)
    with open_projections(settings) as projections:
        last = record_samples(app, 20, events_each=3)
        projections.wait(last)
        last = record_samples(app, 10)
        projections.wait(last)
    incremental = snapshot(settings)
    # When every view is rebuilt from the first event
    projections = open_projections(settings)
    projections.rebuild()
    assert snapshot(settings) == {"items": [], "timeline": []}
    with projections:
        projections.wait(last)
    # Then every row is the same
    assert snapshot(settings) == incremental
    assert len(incremental["items"]) == 30
    assert len(incremental["timeline"]) == 20 * 3 + 10 * 2
    app.close()


def test_r_trc_3_worker_killed_mid_way_resumes_without_applying_an_event_twice(
    settings: Settings,
) -> None:
    # Given a backlog of events and a worker process catching up on it
    init_ledger(settings)
    app = open_ledger(settings)
    last = record_samples(app, BACKLOG // 2, events_each=2, per_save=50)
    app.close()
    # When a worker catching up on it is killed with SIGKILL part-way through
    killed_at = kill_worker_part_way(settings)
    assert 0 < killed_at < last
    # And restarted to catch up
    restarted = worker(settings, "--once")
    _, err = restarted.communicate(timeout=STARTUP_BOUND * 3)
    assert restarted.returncode == 0, err
    resumed = snapshot(settings)
    # Then nothing is missing or doubled, and the views equal a clean rebuild
    assert len(resumed["timeline"]) == BACKLOG
    assert positions(settings)["items"] == last
    rebuilt = worker(settings, "--rebuild", "--once")
    _, err = rebuilt.communicate(timeout=STARTUP_BOUND * 3)
    assert rebuilt.returncode == 0, err
    assert snapshot(settings) == resumed


def test_r_trc_3_a_second_worker_waits_for_the_first(sqlite_settings: Settings) -> None:
    # Given a running worker
    init_ledger(sqlite_settings)
    first = worker(sqlite_settings)
    second = None
    try:
        Lines(first.stdout).wait_for("Projections running")
        # When a second worker starts
        second = worker(sqlite_settings, "--once")
        errors = Lines(second.stderr)
        # Then it says it waits, and does wait (still running) instead of double-writing
        errors.wait_for("Another celltrace worker is running")
        assert second.poll() is None
    finally:
        first.send_signal(signal.SIGINT)
        first.wait(timeout=STARTUP_BOUND)
    # And it does its work once the first has stopped
    assert second.wait(timeout=STARTUP_BOUND) == 0, errors.text()


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_r_trc_3_a_worker_stops_in_order_on_ctrl_c_or_a_service_stop(
    sqlite_settings: Settings, stop: signal.Signals
) -> None:
    # Given a running worker
    init_ledger(sqlite_settings)
    running = worker(sqlite_settings)
    output = Lines(running.stdout)
    output.wait_for("Projections running")
    # When it is asked to stop (Ctrl-C, or a service manager's SIGTERM)
    running.send_signal(stop)
    # Then it stops its read models in order and exits 0
    assert running.wait(timeout=STARTUP_BOUND) == 0
    output.wait_for("Stopping.")


def test_r_trc_3_every_projection_has_a_view_with_tables() -> None:
    assert PROJECTIONS
    for projection_class, view_class in PROJECTIONS:
        assert projection_class.name == view_class.name
        assert view_class.tables


@pytest.mark.parametrize("bad", [0, -1])
def test_r_trc_3_tracking_refuses_to_go_backwards(sqlite_settings: Settings, bad: int) -> None:
    from eventsourcing.persistence import IntegrityError, Tracking

    from ledger.projections.items import ItemsView

    engine = view_engine(sqlite_settings)
    view = ItemsView(engine)
    view.create_tables()
    view.insert_tracking(Tracking("CellTrace", 5))
    with pytest.raises(IntegrityError, match="already at notification 5"):
        view.insert_tracking(Tracking("CellTrace", 5 + bad))
    assert view.max_tracking_id("CellTrace") == 5
    engine.dispose()
