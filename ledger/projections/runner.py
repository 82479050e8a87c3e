"""Running the projections: in-process (SQLite `serve`) or as `celltrace worker` (one per
deployment, guarded by a lock so a second worker waits instead of double-writing)."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from eventsourcing.persistence import IntegrityError, Tracking
from eventsourcing.projection import Projection, ProjectionRunner

from ledger.application import CellTraceLedger
from ledger.config import Settings
from ledger.projections.items import ItemsProjection, ItemsView
from ledger.projections.tracking import SQLAlchemyView, view_engine

PROJECTIONS: tuple[tuple[type[Projection[Any]], type[SQLAlchemyView]], ...] = (
    (ItemsProjection, ItemsView),
)
WORKER_LOCK_KEY = 0x574F524B  # "WORK"


def ledger_class_for(settings: Settings) -> type[CellTraceLedger]:
    """The application class a ProjectionRunner constructs (it passes only an env)."""

    class FollowedLedger(CellTraceLedger):
        name = CellTraceLedger.name

        def __init__(self, env: Any = None) -> None:
            super().__init__(settings)

    return FollowedLedger


def runner_env(settings: Settings) -> dict[str, str]:
    return {
        "CELLTRACE_DATABASE_URL": settings.database_url,
        "CELLTRACE_DATA_DIR": str(settings.data_dir),
        "CELLTRACE_LOG_ORIGIN": settings.origin,
        "CELLTRACE_FACILITY": settings.facility,
        "PERSISTENCE_MODULE": "ledger.projections.tracking:ViewFactory",
    }


class Projections:
    """Every projection of the ledger, each followed by an eventsourcing ProjectionRunner."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.runners: list[ProjectionRunner[Any, Any]] = []

    def rebuild(self) -> None:
        """Drop every view so the runners start again from the first event."""
        engine = view_engine(self.settings)
        try:
            for _, view_class in PROJECTIONS:
                view_class(engine).drop()
        finally:
            engine.dispose()

    def catch_up(self, batch_size: int = 1000) -> dict[str, int]:
        """Bring every view up to the ledger's end in large batches (start-up, rebuild)."""
        app = CellTraceLedger(self.settings)
        engine = view_engine(self.settings)
        try:
            reached = {}
            for projection_class, view_class in PROJECTIONS:
                view = view_class(engine)
                view.create_tables()
                reached[view.name] = catch_up(app, projection_class(view), view, batch_size)
            return reached
        finally:
            engine.dispose()
            app.close()

    def __enter__(self) -> Projections:
        self.catch_up()
        app_class = ledger_class_for(self.settings)
        env = runner_env(self.settings)
        try:
            for projection_class, view_class in PROJECTIONS:
                runner: ProjectionRunner[Any, Any] = ProjectionRunner(
                    application_class=app_class,
                    projection_class=projection_class,
                    view_class=view_class,
                    env=env,
                )
                self.runners.append(runner.__enter__())
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        runners, self.runners = self.runners, []
        for runner in runners:
            runner.__exit__(None, None, None)

    def wait(self, notification_id: int | None, timeout: float = 10.0) -> None:
        """Block until every view has processed `notification_id` (read-your-writes)."""
        for runner in self.runners:
            runner.wait(notification_id, timeout=timeout)

    def run_forever(self, *, stop: Callable[[], bool] = lambda: False) -> None:
        """Follow the ledger until stopped; re-raises a projection's error."""
        while not stop():
            for runner in self.runners:
                runner.run_forever(timeout=0.2 / max(len(self.runners), 1))

    def positions(self) -> dict[str, int | None]:
        return {
            type(r.projection).name: r.projection.view.max_tracking_id(CellTraceLedger.name)
            for r in self.runners
        }


def catch_up(
    app: CellTraceLedger,
    projection: Projection[Any],
    view: SQLAlchemyView,
    batch_size: int = 1000,
) -> int:
    """Process every event after the view's position, `batch_size` per transaction, through
    the projection's own `process_event`; returns the position reached."""
    position = view.max_tracking_id(app.name) or 0
    while True:
        notifications = app.recorder.select_notifications(
            start=position, limit=batch_size, inclusive_of_start=False, topics=projection.topics
        )
        if not notifications:
            return position
        with view.batch(Tracking(app.name, notifications[-1].id)):
            for notification in notifications:
                event = app.mapper.to_domain_event(notification)
                projection.process_event(event, Tracking(app.name, notification.id))
        position = notifications[-1].id


def bring_up_to_date(settings: Settings, timeout: float = 60.0) -> None:
    """Make the read models include everything recorded so far (for one-off commands).

    Catches up here; if a running worker got there first, the views refuse the duplicate
    batch (exactly once) and we wait for the worker instead.
    """
    from ledger.integrity.verify import LedgerReader

    target = LedgerReader(settings.database).last_notification_id()
    try:
        Projections(settings).catch_up()
    except IntegrityError:
        engine = view_engine(settings)
        try:
            for _, view_class in PROJECTIONS:
                view_class(engine).wait(CellTraceLedger.name, target, timeout=timeout)
        finally:
            engine.dispose()


@contextmanager
def worker_lock(settings: Settings, on_wait: Callable[[], None]) -> Iterator[None]:
    """Exclusive right to maintain the views: a PostgreSQL advisory lock, or a file lock
    beside the SQLite file. A second worker calls `on_wait` and blocks until it is free."""
    db = settings.database
    if db.backend == "postgres":
        with psycopg.connect(
            host=db.host,
            port=db.port,
            user=db.user,
            password=db.password,
            dbname=db.dbname,
            autocommit=True,
        ) as conn:
            got = conn.execute("SELECT pg_try_advisory_lock(%s)", (WORKER_LOCK_KEY,)).fetchone()
            if not (got and got[0]):
                on_wait()
                conn.execute("SELECT pg_advisory_lock(%s)", (WORKER_LOCK_KEY,))
            yield
        return
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(settings.data_dir / "worker.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            on_wait()
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)
