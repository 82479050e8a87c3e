"""A writer process for the concurrency tests: it records new items and, in lock-step with the
other writers, all of them update one shared item at the same version to force conflicts."""

from __future__ import annotations

from pathlib import Path
from threading import Barrier
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from ledger.application import Actor
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
