"""Writer processes for the concurrency tests: in lock-step with the other writers, they update
one shared item at the same version to force conflicts, directly or through a command."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path
from threading import Barrier
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from ledger.application import SYSTEM, Actor
from ledger.bootstrap import open_ledger
from ledger.config import Settings
from ledger.errors import Conflict
from tests.specimen import Specimen


def write(
    data_dir: str, url: str, shared_id: str, rounds: int, barrier: Barrier, worker: int
) -> tuple[int, int, int]:
    """Return (new items saved, shared updates saved, conflicts seen)."""
    app = open_ledger(Settings(data_dir=Path(data_dir), database_url=url))
    actor = Actor(f"PER-W{worker}", "operator")
    saved = updates = conflicts = 0
    try:
        for n in range(rounds):
            with app.command(actor):
                item = Specimen(f"w{worker}-{n}")
                item.annotate("batch of three events")
            app.record(item)
            saved += 1
            shared = app.repository.get(UUID(shared_id))
            assert isinstance(shared, Specimen)
            barrier.wait(timeout=60)  # everyone holds the same version now
            with app.command(actor):
                shared.annotate(f"worker {worker} round {n}")
            try:
                app.record(shared)
                updates += 1
            except Conflict as exc:
                assert isinstance(exc.__cause__, IntegrityError)
                conflicts += 1
            barrier.wait(timeout=60)
    finally:
        app.close()
    return saved, updates, conflicts


def train_at_once(data_dir: str, url: str, person: str, steps: list[str], barrier: Barrier) -> int:
    """Record training of `person` for each of `steps`, every call at the same moment as the
    other writers' (all on one person); returns how many calls returned."""
    app = open_ledger(Settings(data_dir=Path(data_dir), database_url=url))
    today = app.today()
    recorded = 0
    try:
        for step in steps:
            barrier.wait(timeout=60)
            app.record_training(SYSTEM, person, step, today, today + timedelta(days=30), "SOP v1")
            recorded += 1
    finally:
        app.close()
    return recorded


def keep_writing(
    data_dir: str, url: str, stop_file: str, most: int = 1_000_000, pause: float = 0.005
) -> int:
    """Record new items (two events each) one after another until `stop_file` exists (or `most`
    were recorded), pausing `pause` seconds between two (so that the ledger stays small while
    the test looks, not as a synchronisation: nothing waits on it); returns how many."""
    app = open_ledger(Settings(data_dir=Path(data_dir), database_url=url))
    actor = Actor("PER-W0", "operator")
    saved = 0
    try:
        while saved < most and not Path(stop_file).exists():
            with app.command(actor):
                item = Specimen(f"k-{saved}")
                item.annotate("written while a backup runs")
            app.record(item)
            saved += 1
            time.sleep(pause)
    finally:
        app.close()
    return saved
