"""The inspector's check that what the API serves is what the ledger says (R-LED-7).

`audit_read_models` recomputes the read models from the events, with the very projection code
that maintains them, into a scratch SQLite file, then compares every stored row with the
recomputed one, table by table in primary-key order (items, timeline, genealogy edges), and
reports every row that differs, is missing or should not be there. Read models follow the
ledger asynchronously, so the comparison covers the events up to the position the stored read
models claim (`projection_tracking`); rows beyond it are reported as unexpected. It lives above
both `integrity` and `projections` (the CLI calls it), so neither layer imports the other.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eventsourcing.persistence import Tracking
from sqlalchemy import Engine, Table, create_engine, event, inspect, select

from ledger.application import CellTraceLedger
from ledger.config import Settings
from ledger.projections.items import ItemsProjection, ItemsView
from ledger.projections.tracking import outdated_error
from ledger.storage.db import create_db_engine

BATCH = 1000


@dataclass(frozen=True)
class RowDifference:
    """One stored read-model row that is not what the events imply."""

    table: str
    key: dict[str, Any]
    stored: dict[str, Any] | None  # None: the row is missing from the stored read model
    expected: dict[str, Any] | None  # None: the events imply no such row

    @property
    def items(self) -> list[str]:
        """The item codes the row is about."""
        row = self.stored or self.expected or {}
        names = ("code", "item_code", "parent_code", "child_code")
        return [str(row[n]) for n in names if row.get(n)]

    def describe(self) -> str:
        where = f"{self.table} row {_show(self.key)} (item {', '.join(self.items)})"
        if self.stored is None:
            return f"{where}: missing; the events imply {_show(self.expected or {})}"
        if self.expected is None:
            return f"{where}: the events imply no such row; stored {_show(self.stored)}"
        changed = [c for c in self.stored if self.stored[c] != self.expected.get(c)]
        parts = [
            f"{c} stored {self.stored[c]!r}, expected {self.expected.get(c)!r}" for c in changed
        ]
        return f"{where}: {'; '.join(parts)}"


@dataclass(frozen=True)
class ReadModelReport:
    """Outcome of comparing the stored read models with those recomputed from the events."""

    position: int  # the last notification id the stored read models claim to have processed
    rows_compared: int
    differences: tuple[RowDifference, ...]

    @property
    def intact(self) -> bool:
        return not self.differences


def audit_read_models(
    settings: Settings, progress: Callable[[int], None] | None = None
) -> ReadModelReport:
    """Recompute the read models up to the stored position and compare every row."""
    stored = create_db_engine(settings)
    try:
        missing = ItemsView(stored).outdated()
        if missing:  # its rows cannot be compared column by column; rebuilding is the owner's
            raise outdated_error(ItemsView.name, missing)
        position = ItemsView(stored).max_tracking_id(CellTraceLedger.name) or 0
        with tempfile.TemporaryDirectory(prefix="celltrace-read-models-") as scratch_dir:
            scratch = _scratch_engine(Path(scratch_dir))
            try:
                view = ItemsView(scratch)
                view.create_tables()
                _recompute(settings, view, position, progress)
                return _compare(stored, scratch, ItemsView.tables, position)
            finally:
                scratch.dispose()
    finally:
        stored.dispose()


def _scratch_engine(folder: Path) -> Engine:
    # A private throw-away file: no journal, no fsync.
    engine = create_engine(f"sqlite:///{folder / 'expected.db'}")

    @event.listens_for(engine, "connect")
    def _fast(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute("PRAGMA journal_mode=OFF")
        dbapi_connection.execute("PRAGMA synchronous=OFF")

    return engine


def _recompute(
    settings: Settings,
    view: ItemsView,
    position: int,
    progress: Callable[[int], None] | None,
) -> None:
    """Process the ledger's events up to `position` with the read model's own projection."""
    app = CellTraceLedger(settings)
    projection = ItemsProjection(view)
    try:
        done = 0
        while done < position:
            notifications = app.recorder.select_notifications(
                start=done,
                limit=BATCH,
                stop=position,
                topics=projection.topics,
                inclusive_of_start=False,
            )
            if not notifications:
                return
            with view.batch(Tracking(app.name, notifications[-1].id)):
                for notification in notifications:
                    event = app.mapper.to_domain_event(notification)
                    projection.process_event(event, Tracking(app.name, notification.id))
            if progress is not None:
                progress(notifications[-1].id - done)
            done = notifications[-1].id
    finally:
        app.close()


def _compare(
    stored: Engine, expected: Engine, tables: tuple[Table, ...], position: int
) -> ReadModelReport:
    found: list[RowDifference] = []
    compared = 0
    present = set(inspect(stored).get_table_names())
    for table in tables:
        stored_rows = _rows(stored, table) if table.name in present else iter(())
        names = [c.name for c in table.primary_key.columns]
        for key, mine, theirs in _merge(stored_rows, _rows(expected, table)):
            compared += 1
            if mine != theirs:
                found.append(
                    RowDifference(table.name, dict(zip(names, key, strict=True)), mine, theirs)
                )
    return ReadModelReport(position, compared, tuple(found))


def _rows(engine: Engine, table: Table) -> Iterator[tuple[tuple[Any, ...], dict[str, Any]]]:
    """(primary key, row) in byte order of the key on both databases."""
    keys = list(table.primary_key.columns)
    postgres = engine.dialect.name == "postgresql"
    order = [c.collate("C") if postgres and c.type.python_type is str else c for c in keys]
    with engine.connect() as conn:
        result = conn.execution_options(stream_results=True).execute(select(table).order_by(*order))
        for row in result.mappings():
            values = dict(row)
            yield tuple(values[c.name] for c in keys), values


def _merge(
    left: Iterator[tuple[tuple[Any, ...], dict[str, Any]]],
    right: Iterator[tuple[tuple[Any, ...], dict[str, Any]]],
) -> Iterator[tuple[tuple[Any, ...], dict[str, Any] | None, dict[str, Any] | None]]:
    """Pairs of rows with equal keys from two streams sorted by key."""
    a, b = next(left, None), next(right, None)
    while a is not None or b is not None:
        if b is None or (a is not None and _sort_key(a[0]) < _sort_key(b[0])):
            assert a is not None
            yield a[0], a[1], None
            a = next(left, None)
        elif a is None or _sort_key(b[0]) < _sort_key(a[0]):
            yield b[0], None, b[1]
            b = next(right, None)
        else:
            yield a[0], a[1], b[1]
            a, b = next(left, None), next(right, None)


def _sort_key(key: tuple[Any, ...]) -> tuple[Any, ...]:
    # Byte order for text, as SQLite and PostgreSQL's "C" collation sort it.
    return tuple(k.encode("utf-8") if isinstance(k, str) else k for k in key)


def _show(values: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in values.items())
