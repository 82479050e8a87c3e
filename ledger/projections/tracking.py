"""Exactly-once SQLAlchemy views: one tracking table for every read model, on both databases.

A view is an eventsourcing `TrackingRecorder` whose rows and tracking position are written in
one SQLAlchemy transaction, so a crash can never apply an event twice or skip one: on restart
a view resumes after the last position it committed. Read models can always be rebuilt from
the ledger, so their commits skip the fsync (SQLite `synchronous=NORMAL`, PostgreSQL
`synchronous_commit=off`): a power cut loses at most the last few transactions, rows and
position together, and they are simply processed again. For the same reason a view whose
stored tables an earlier release made (a column or an index missing) is rebuilt from the first
event by the process that maintains it, and refused by one that only reads it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from threading import Event
from typing import Any, ClassVar

from eventsourcing.persistence import (
    InfrastructureFactory,
    IntegrityError,
    Tracking,
    TrackingRecorder,
    WaitInterruptedError,
)
from eventsourcing.utils import Environment, EnvType
from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    CursorResult,
    Engine,
    Executable,
    Integer,
    String,
    Table,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.exc import DBAPIError

from ledger.config import Settings
from ledger.errors import NotReady
from ledger.messages import Sentence
from ledger.storage.db import create_db_engine
from ledger.storage.tables import metadata

tracking_table = Table(
    "projection_tracking",
    metadata,
    Column("view", String(64), primary_key=True),
    Column("application_name", String(64), primary_key=True),
    Column("notification_id", BigInteger, nullable=False),
)


read_model_versions = Table(
    "read_model_versions",
    metadata,
    Column("view", String(64), primary_key=True),
    Column("version", Integer, nullable=False),
)
"""The version of the projection rules each read model's rows were made by (no row: 1, as
releases wrote before versions were recorded)."""


_batch: ContextVar[tuple[SQLAlchemyView, Connection] | None] = ContextVar(
    "celltrace_view_batch", default=None
)


class SQLAlchemyView(TrackingRecorder):
    """Base of every read model: subclasses name their tables and write in `transaction()`."""

    name: ClassVar[str]
    title: ClassVar[str] = ""  # what a person reads in the worker's progress ("" = name)
    tables: ClassVar[tuple[Table, ...]] = ()
    # Raised when a release changes what the projection writes for the same events (same
    # tables, other rows): the stored rows of another version are rebuilt like an earlier
    # release's tables.
    version: ClassVar[int] = 1

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._pending: dict[Table, list[dict[str, Any]]] | None = None

    # --- schema ------------------------------------------------------------------------

    def create_tables(self, *, rebuild: bool = True) -> None:
        """Create the view's tables if missing. A table of an earlier release (one that lacks
        a column or an index this release declares) is never queried as it is: the view is
        dropped, so that its projection processes the ledger again from its first event; with
        `rebuild=False` (a process that only reads the view) it is refused instead, saying
        what to run (NotReady)."""
        missing = self.outdated()
        if not missing:
            metadata.create_all(
                self.engine, tables=[tracking_table, read_model_versions, *self.tables]
            )
            self._record_version()
            return
        if not rebuild:
            raise outdated_error(self.name, missing)
        logging.getLogger(__name__).warning(
            "The %s read model was made by an earlier release (it lacks %s): rebuilding it "
            "from the ledger's first event.",
            self.name,
            ", ".join(missing),
        )
        try:
            self.drop()  # creates the tables again
        except DBAPIError as exc:  # e.g. PostgreSQL's application role may not drop tables
            raise outdated_error(self.name, missing) from exc

    def outdated(self) -> list[str]:
        """The columns, then the indexes, of this release that the view's stored tables lack
        ([] when they are not there yet, or have them all)."""
        columns: list[str] = []
        indexes: list[str] = []
        with self.engine.connect() as conn:
            for table in self.tables:
                if not self.engine.dialect.has_table(conn, table.name):
                    continue
                stored = {c["name"] for c in inspect(conn).get_columns(table.name)}
                columns += [c.name for c in table.columns if c.name not in stored]
                named = set(_index_names(conn, table.name))
                indexes += sorted(str(i.name) for i in table.indexes if i.name not in named)
            version = self._stored_version(conn)
        if version is not None and version != self.version:
            columns.append(f"rows of version {self.version} (its rows are of version {version})")
        return columns + indexes

    def _stored_version(self, conn: Connection) -> int | None:
        """The version of the stored rows; None when the view has no table yet."""
        if not any(self.engine.dialect.has_table(conn, t.name) for t in self.tables):
            return None
        if not self.engine.dialect.has_table(conn, read_model_versions.name):
            return 1
        found = conn.execute(
            select(read_model_versions.c.version).where(read_model_versions.c.view == self.name)
        ).scalar()
        return 1 if found is None else int(found)

    def _record_version(self) -> None:
        """Say which version made the rows (once; a reader's role may not write it)."""
        with self.engine.connect() as conn:
            known = conn.execute(
                select(read_model_versions.c.version).where(read_model_versions.c.view == self.name)
            ).scalar()
        if known is None:
            with self.engine.begin() as conn:
                conn.execute(
                    read_model_versions.insert().values(view=self.name, version=self.version)
                )

    def drop(self) -> None:
        """Forget everything this view knows (for a rebuild from the start of the ledger)."""
        with self.engine.begin() as conn:
            for table in reversed(self.tables):
                table.drop(conn, checkfirst=True)
            if self.engine.dialect.has_table(conn, tracking_table.name):
                conn.execute(tracking_table.delete().where(tracking_table.c.view == self.name))
            if self.engine.dialect.has_table(conn, read_model_versions.name):
                conn.execute(
                    read_model_versions.delete().where(read_model_versions.c.view == self.name)
                )
        self.create_tables()

    # --- writing -----------------------------------------------------------------------

    @contextmanager
    def transaction(self, tracking: Tracking) -> Iterator[Connection]:
        """Write rows and advance the tracking position to `tracking` atomically.

        Refuses (IntegrityError, nothing written) a position not after the current one: an
        event is never applied twice. Inside `batch()` it joins the batch's transaction.
        """
        active = _batch.get()
        if active is not None and active[0] is self:
            yield active[1]
            return
        with self._begin() as conn:
            yield conn
            self._advance(conn, tracking)

    @contextmanager
    def batch(self, last: Tracking) -> Iterator[Connection]:
        """One transaction for many events (catching up): every `transaction()` inside it
        joins it, and the position moves once, to `last`, when it commits."""
        with self._begin() as conn:
            token = _batch.set((self, conn))
            self._pending = {}
            try:
                yield conn
                self.flush(conn)
            finally:
                self._pending = None
                _batch.reset(token)
            self._advance(conn, last)

    def insert(self, conn: Connection, table: Table, row: dict[str, Any]) -> None:
        """Insert a row now, or with the batch's other rows in one executemany."""
        if self._pending is None:
            conn.execute(self.insert_statement(conn, table), [row])
        else:
            self._pending.setdefault(table, []).append(row)

    def flush(self, conn: Connection) -> None:
        """Write the batch's queued rows (in the order their tables were first used)."""
        if self._pending:
            for table, rows in self._pending.items():
                conn.execute(self.insert_statement(conn, table), rows)
            self._pending.clear()

    def insert_statement(self, conn: Connection, table: Table) -> Executable:
        """How rows of `table` are inserted (a view may skip rows it already has)."""
        return table.insert()

    def execute(self, conn: Connection, statement: Executable) -> CursorResult[Any]:
        """Run a read or an update after writing the queued rows, so it sees them."""
        self.flush(conn)
        return conn.execute(statement)

    @contextmanager
    def _begin(self) -> Iterator[Connection]:
        with self.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql("SET LOCAL synchronous_commit TO OFF")
            yield conn

    def _advance(self, conn: Connection, tracking: Tracking) -> None:
        key = (tracking_table.c.view == self.name) & (
            tracking_table.c.application_name == tracking.application_name
        )
        moved = conn.execute(
            update(tracking_table)
            .where(key & (tracking_table.c.notification_id < tracking.notification_id))
            .values(notification_id=tracking.notification_id)
        )
        if moved.rowcount == 1:
            return
        current = conn.execute(select(tracking_table.c.notification_id).where(key)).scalar()
        if current is not None:
            raise IntegrityError(
                f"view {self.name} is already at notification {current}; "
                f"refusing to apply {tracking.notification_id} again"
            )
        conn.execute(
            tracking_table.insert().values(
                view=self.name,
                application_name=tracking.application_name,
                notification_id=tracking.notification_id,
            )
        )

    def insert_tracking(self, tracking: Tracking) -> None:
        with self.transaction(tracking):
            pass

    # --- reading -----------------------------------------------------------------------

    def max_tracking_id(self, application_name: str) -> int | None:
        with self.engine.connect() as conn:
            return conn.execute(
                select(tracking_table.c.notification_id).where(
                    (tracking_table.c.view == self.name)
                    & (tracking_table.c.application_name == application_name)
                )
            ).scalar()

    def wait(
        self,
        application_name: str,
        notification_id: int | None,
        timeout: float = 1.0,
        interrupt: Event | None = None,
    ) -> None:
        """Block until the view has processed `notification_id` (read-your-writes).

        Polls from 2 ms, doubling to 50 ms, so a reader right after a command waits only as
        long as the projection needs.
        """
        deadline = time.monotonic() + timeout
        interval = 0.002
        while not self.has_tracking_id(application_name, notification_id):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(
                    f"view {self.name} has not reached notification {notification_id} "
                    f"after {timeout:.1f} s"
                )
            pause = min(interval, remaining)
            if interrupt is not None:
                if interrupt.wait(pause):
                    raise WaitInterruptedError
            else:
                time.sleep(pause)
            interval = min(interval * 2, 0.05)


def outdated_error(view: str, missing: list[str]) -> NotReady:
    """The refusal to read a view of an earlier release, saying how to rebuild it (naming the
    columns it lacks, or when it has them all, the indexes)."""
    columns = [name for name in missing if not name.startswith(f"{view}_")]
    return NotReady(
        Sentence(
            "The {view} read model was made by an earlier release of CellTrace (it lacks "
            "{missing:list}); as the database's owner run `celltrace init` (on PostgreSQL "
            "`celltrace init --grant-to` the application role, as after every upgrade), which "
            "rebuilds it, then start again: the read models catch up from the ledger's first "
            "event. Nothing was changed",
            view=view,
            missing=columns or missing,
        )
    )


def _index_names(conn: Connection, table: str) -> list[str]:
    """The names of a stored table's indexes, expression and partial ones included (which
    SQLAlchemy's reflection may leave out)."""
    if conn.dialect.name == "postgresql":
        query = text(
            "SELECT indexname FROM pg_indexes "
            "WHERE schemaname = current_schema() AND tablename = :table"
        )
    else:
        query = text("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = :table")
    return [str(name) for name in conn.execute(query, {"table": table}).scalars()]


def view_engine(settings: Settings) -> Engine:
    """An engine for read models (commits without fsync on SQLite; see the module docstring)."""
    return create_db_engine(settings, durable=False)


class ViewFactory(InfrastructureFactory[SQLAlchemyView]):
    """eventsourcing infrastructure factory that builds SQLAlchemy views for ProjectionRunner.

    Selected with PERSISTENCE_MODULE=ledger.projections.tracking:ViewFactory; it reads the
    ledger's own CELLTRACE_* settings from the runner's environment.
    """

    def __init__(self, env: Environment | EnvType | None) -> None:
        super().__init__(env)
        self.settings = Settings.from_env(dict(self.env))
        self.engine = view_engine(self.settings)

    def tracking_recorder(
        self, tracking_recorder_class: type[SQLAlchemyView] | None = None
    ) -> SQLAlchemyView:
        if tracking_recorder_class is None:
            raise TypeError("ViewFactory builds named views only")
        view = tracking_recorder_class(self.engine)
        view.create_tables()
        return view

    def aggregate_recorder(self, purpose: str = "events") -> Any:
        raise NotImplementedError("views are not event stores")

    def application_recorder(self) -> Any:
        raise NotImplementedError("views are not event stores")

    def process_recorder(self) -> Any:
        raise NotImplementedError("views are not event stores")

    def close(self) -> None:
        self.engine.dispose()
