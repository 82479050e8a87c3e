"""R-LED-3 under load: four processes write to one SQLite file or one PostgreSQL database at
once, with deliberate version conflicts. Conflicts raise the library's integrity error and
write nothing; the chain stays intact and follows notification order."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor

from ledger.application import SYSTEM, Actor
from ledger.bootstrap import init_ledger, open_ledger
from ledger.commands.registry import STEPS
from ledger.config import Settings
from ledger.integrity.verify import LedgerReader, verify_database
from tests.concurrent_writer import train_at_once, write
from tests.specimen import Specimen

WRITERS = 4
ROUNDS = 15


def test_r_led_3_four_processes_with_conflicts_keep_the_chain_intact(settings: Settings) -> None:
    # Given a ledger with one shared item every writer will try to update
    init_ledger(settings)
    app = open_ledger(settings)
    with app.command(Actor("PER-SETUP", "operator")):
        shared = Specimen("shared")
    app.record(shared)
    app.close()

    # When 4 processes write at once, all updating the shared item at the same version
    ctx = multiprocessing.get_context("spawn")
    with ctx.Manager() as manager, ProcessPoolExecutor(WRITERS, mp_context=ctx) as pool:
        barrier = manager.Barrier(WRITERS)
        futures = [
            pool.submit(
                write,
                str(settings.data_dir),
                settings.database_url,
                str(shared.id),
                ROUNDS,
                barrier,
                worker,
            )
            for worker in range(WRITERS)
        ]
        errors = [f.exception(timeout=300) for f in futures]
        assert not any(errors), [repr(e) for e in errors]
        results = [f.result() for f in futures]

    # Then exactly one update of the shared item won each round, the rest were conflicts
    saved = sum(r[0] for r in results)
    updates = sum(r[1] for r in results)
    conflicts = sum(r[2] for r in results)
    assert saved == WRITERS * ROUNDS
    assert updates == ROUNDS
    assert conflicts == (WRITERS - 1) * ROUNDS

    # And nothing was half-written: 1 + 2 per new item + 1 per won update, each with its hash
    reader = LedgerReader(settings.database)
    records = list(reader.records())
    assert len(records) == 1 + 2 * saved + updates
    assert all(r.event_hash is not None and r.chain_hash is not None for r in records)

    # And the shared item's versions are contiguous
    app = open_ledger(settings)
    assert app.repository.get(shared.id).version == 1 + ROUNDS
    app.close()

    # And the chain verifies in notification order
    report = verify_database(settings.database)
    assert report.intact, report.first_break
    ids = [r.notification_id for r in records]
    assert ids == sorted(ids)
    assert report.head is not None and report.head.notification_id == ids[-1]


def test_r_led_3_alternating_writers_with_stale_cached_heads_keep_one_chain(
    sqlite_settings: Settings,
) -> None:
    # Given two applications (as two processes would) on one SQLite file
    init_ledger(sqlite_settings)
    first, second = open_ledger(sqlite_settings), open_ledger(sqlite_settings)
    actor = Actor("PER-A", "operator")
    # When they take turns, so each one's remembered chain head is always stale
    for n in range(10):
        for app in (first, second):
            with app.command(actor):
                item = Specimen(f"item {n}")
                item.annotate("second event")
            app.record(item)
    # Then every save landed once and the chain verifies
    report = verify_database(sqlite_settings.database)
    assert report.intact, report.first_break
    assert report.events == 40
    first.close()
    second.close()


def test_r_led_3_three_processes_recording_steps_on_one_item_lose_none(
    settings: Settings,
) -> None:
    # Given a person three administrators will train at the same moments
    init_ledger(settings)
    app = open_ledger(settings)
    person, _ = app.register_person(SYSTEM, ["operator"])
    app.close()
    keys = sorted(STEPS)[:30]
    shares = [keys[i::3] for i in range(3)]

    # When three processes each record ten trainings on that person, all at once
    ctx = multiprocessing.get_context("spawn")
    with ctx.Manager() as manager, ProcessPoolExecutor(3, mp_context=ctx) as pool:
        barrier = manager.Barrier(3)
        futures = [
            pool.submit(
                train_at_once,
                str(settings.data_dir),
                settings.database_url,
                person,
                share,
                barrier,
            )
            for share in shares
        ]
        errors = [f.exception(timeout=300) for f in futures]
        assert not any(errors), [repr(e) for e in errors]
        recorded = [f.result() for f in futures]

    # Then every training the rules allow was recorded, each once, although they collided
    assert recorded == [10, 10, 10]
    app = open_ledger(settings)
    events = [type(e).__name__ for e in app.events.get(app.get_person(person).id)]
    assert sorted(app.get_person(person).training) == keys
    assert events.count("TrainingRecorded") == 30
    app.close()
    # And the chain verifies
    assert verify_database(settings.database).intact
