"""Running the projections: in-process (SQLite `serve`) or as `celltrace worker` (one per
deployment, guarded by a lock so a second worker waits instead of double-writing). Every read
model, the Merkle log of R-LED-4 included, is a `Follower` of the notification log.

The runner does not import the application (STYLE.md "Layers"): it is given the application
class to follow, one whose instances open the ledger's event store whatever env they are
given (`ledger.bootstrap.ledger_class_for`, which `bootstrap.open_projections` and
`bootstrap.bring_up_to_date` pass in).
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Protocol, runtime_checkable

import psycopg
from eventsourcing.application import Application
from eventsourcing.persistence import IntegrityError, Mapper, Notification, Tracking
from eventsourcing.projection import Projection, ProjectionRunner
from sqlalchemy import Engine

from ledger.config import CONNECT_TIMEOUT_SECONDS, Settings
from ledger.integrity.checkpoint_policy import PeriodicCheckpoints
from ledger.integrity.checkpoints import StoredCheckpoint
from ledger.projections.items import ItemsProjection, ItemsView
from ledger.projections.merkle import MerkleFollower
from ledger.projections.tracking import SQLAlchemyView, view_engine

PROJECTIONS: tuple[tuple[type[Projection[Any]], type[SQLAlchemyView]], ...] = (
    (ItemsProjection, ItemsView),
)
WORKER_LOCK_KEY = 0x574F524B  # "WORK"

Progress = Callable[[int], object]
"""Told the notification id a catch-up has reached, after each batch."""

FollowedApplication = type[Application[Any]]
"""The application the read models follow: `cls()` and `cls(env)` open the ledger's event store
(a ProjectionRunner constructs it with an env only); `cls.name` names it in tracking rows."""


_log = logging.getLogger(__name__)


def runner_env(settings: Settings) -> dict[str, str]:
    return {
        "CELLTRACE_DATABASE_URL": settings.database_url,
        "CELLTRACE_DATA_DIR": str(settings.data_dir),
        "CELLTRACE_LOG_ORIGIN": settings.origin,
        "CELLTRACE_FACILITY": settings.facility,
        "PERSISTENCE_MODULE": "ledger.projections.tracking:ViewFactory",
    }


@runtime_checkable
class StoredEventProjection(Protocol):
    """A projection that catches up from stored events without making event objects: given
    a batch's notifications inside the view's batch (`ItemsProjection.process_stored`)."""

    def process_stored(
        self, notifications: Sequence[Notification], mapper: Mapper[Any]
    ) -> None: ...


class Follower(Protocol):
    """One read model following the ledger's notification log, exactly once and resumable:
    an eventsourcing projection (`ProjectionFollower`) or the Merkle log (`MerkleFollower`)."""

    name: str
    title: str  # what a person reads: "items, timelines, genealogy", "Merkle log"

    def rebuild(self) -> None: ...
    def catch_up(self, batch_size: int = 1000, progress: Progress | None = None) -> int: ...
    def start(self) -> None: ...
    def stop(self) -> None: ...
    def run(self, timeout: float) -> None: ...
    def wait(self, notification_id: int | None, timeout: float) -> None: ...
    def position(self) -> int | None: ...


def _log_failure(runner: ProjectionRunner[Any, Any], title: str) -> None:
    """Log a projection thread's error when it happens (the runner raises it again only to
    whoever next waits on it), with its traceback; a stop without error logs nothing."""
    runner.is_interrupted.wait()
    error = getattr(runner, "_thread_error", None)  # eventsourcing keeps it there until raised
    if error is not None:
        _log.error(
            "The %s read model stopped following the ledger: %s",
            title,
            error,
            exc_info=(type(error), error, error.__traceback__),
        )


class ProjectionFollower:
    """An eventsourcing Projection and its SQLAlchemy view: batched catch-up through the
    projection's own `process_stored` or `process_event` (`catch_up`), then an eventsourcing
    ProjectionRunner."""

    def __init__(
        self,
        settings: Settings,
        engine: Engine,
        application_class: FollowedApplication,
        projection_class: type[Projection[Any]],
        view_class: type[SQLAlchemyView],
    ) -> None:
        self.settings, self.engine = settings, engine
        self.application_class = application_class
        self.projection_class, self.view_class = projection_class, view_class
        self.name = view_class.name
        self.title = view_class.title or view_class.name
        self.runner: ProjectionRunner[Any, Any] | None = None

    def rebuild(self) -> None:
        self.view_class(self.engine).drop()

    def catch_up(self, batch_size: int = 1000, progress: Progress | None = None) -> int:
        app = self.application_class()
        try:
            view = self.view_class(self.engine)
            view.create_tables()
            return catch_up(app, self.projection_class(view), view, batch_size, progress)
        finally:
            app.close()

    def start(self) -> None:
        runner: ProjectionRunner[Any, Any] = ProjectionRunner(
            application_class=self.application_class,
            projection_class=self.projection_class,
            view_class=self.view_class,
            env=runner_env(self.settings),
        )
        self.runner = runner.__enter__()
        threading.Thread(
            target=_log_failure, args=(runner, self.title), name=f"{self.name}-watch", daemon=True
        ).start()

    def stop(self) -> None:
        runner, self.runner = self.runner, None
        if runner is not None:
            runner.__exit__(None, None, None)

    def run(self, timeout: float) -> None:
        if self.runner is not None:
            self.runner.run_forever(timeout=timeout)

    def wait(self, notification_id: int | None, timeout: float) -> None:
        if self.runner is not None:
            self.runner.wait(notification_id, timeout=timeout)
        else:
            view = self.view_class(self.engine)
            view.wait(self.application_class.name, notification_id, timeout=timeout)

    def position(self) -> int | None:
        return self.view_class(self.engine).max_tracking_id(self.application_class.name)


class Projections:
    """Every read model of the ledger (the PROJECTIONS and the Merkle log), each a Follower of
    `application_class` (see FollowedApplication).

    With `checkpoints=True` (the worker) the Merkle log signs checkpoints as
    `Settings.checkpoint_every_*` and the milestone suffixes say (R-LED-4).
    """

    def __init__(
        self,
        settings: Settings,
        application_class: FollowedApplication,
        *,
        checkpoints: bool = False,
        on_checkpoint: Callable[[StoredCheckpoint], object] | None = None,
        on_progress: Callable[[str, int], object] | None = None,
    ) -> None:
        """`on_progress(title, notification_id)` follows the catch-up on entering (rebuild)."""
        self.settings = settings
        self.on_progress = on_progress
        self.engine = view_engine(settings)
        observer = (
            PeriodicCheckpoints.from_settings(settings, self.engine, on_signed=on_checkpoint)
            if checkpoints
            else None
        )
        self.followers: list[Follower] = [
            ProjectionFollower(
                settings, self.engine, application_class, projection_class, view_class
            )
            for projection_class, view_class in PROJECTIONS
        ]
        self.followers.append(MerkleFollower(self.engine, observer=observer))
        self._started: list[Follower] = []

    def rebuild(self) -> None:
        """Drop every view so the followers start again from the first event."""
        for follower in self.followers:
            follower.rebuild()

    def catch_up(self, batch_size: int = 1000) -> dict[str, int]:
        """Bring every view up to the ledger's end in large batches (start-up, rebuild)."""
        try:
            return {f.name: f.catch_up(batch_size, self._progress(f)) for f in self.followers}
        finally:
            self.engine.dispose()

    def _progress(self, follower: Follower) -> Progress | None:
        report = self.on_progress
        if report is None:
            return None
        return lambda position: report(follower.title, position)

    def __enter__(self) -> Projections:
        self.catch_up()
        try:
            for follower in self.followers:
                follower.start()
                self._started.append(follower)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        started, self._started = self._started, []
        try:
            for follower in started:
                follower.stop()
        finally:
            self.engine.dispose()

    def wait(self, notification_id: int | None, timeout: float = 10.0) -> None:
        """Block until every view has processed `notification_id` (read-your-writes)."""
        for follower in self._started:
            follower.wait(notification_id, timeout)

    def run_forever(self, *, stop: Callable[[], bool] = lambda: False) -> None:
        """Follow the ledger until stopped; re-raises a follower's error."""
        while not stop():
            for follower in self._started:
                follower.run(0.2 / max(len(self._started), 1))

    def positions(self) -> dict[str, int | None]:
        return {f.name: f.position() for f in self.followers}

    def describe(self, last: int | None) -> str:
        """Where each read model is, for a person: "items, timelines, genealogy: at event 344
        of 344; Merkle log: 344 leaves" (events counted by notification id)."""
        parts = []
        for follower in self.followers:
            position = follower.position() or 0
            if isinstance(follower, MerkleFollower):
                parts.append(f"{follower.title}: {follower.leaves()} leaves")
            else:
                parts.append(f"{follower.title}: at event {position} of {last or 0}")
        return "; ".join(parts)


def catch_up(
    app: Application[Any],
    projection: Projection[Any],
    view: SQLAlchemyView,
    batch_size: int = 1000,
    progress: Progress | None = None,
) -> int:
    """Process every event after the view's position, `batch_size` per transaction, through
    the projection's own `process_stored` (a StoredEventProjection, from the stored state) or
    else `process_event`; returns the position reached."""
    position = view.max_tracking_id(app.name) or 0
    while True:
        notifications = app.recorder.select_notifications(
            start=position, limit=batch_size, inclusive_of_start=False, topics=projection.topics
        )
        if not notifications:
            return position
        with view.batch(Tracking(app.name, notifications[-1].id)):
            if isinstance(projection, StoredEventProjection):
                projection.process_stored(notifications, app.mapper)
            else:
                for notification in notifications:
                    event = app.mapper.to_domain_event(notification)
                    projection.process_event(event, Tracking(app.name, notification.id))
        position = notifications[-1].id
        if progress is not None:
            progress(position)


def bring_up_to_date(
    settings: Settings, application_class: FollowedApplication, timeout: float = 60.0
) -> None:
    """Make the read models include everything recorded so far (for one-off commands).

    Catches up here; if a running worker got there first, the views refuse the duplicate
    batch (exactly once) and we wait for the worker instead.
    """
    from ledger.integrity.verify import LedgerReader

    target = LedgerReader(settings.database).last_notification_id()
    projections = Projections(settings, application_class)
    try:
        for follower in projections.followers:
            try:
                follower.catch_up()
            except IntegrityError:
                follower.wait(target, timeout)
    finally:
        projections.engine.dispose()


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
            connect_timeout=CONNECT_TIMEOUT_SECONDS,
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
