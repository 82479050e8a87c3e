"""The items projection as it was written before it kept item state in memory: an oracle for
tests that the faster projection writes the same rows.

Every event is made an event object and applied with one SQL statement per row it writes;
an item's status and holds are read back from the items table whenever an event needs them,
and a worklist entry or a lot's QC state is deleted, inserted or updated in place as each
event says (`ledger.projections.worklist`'s rules, which this shares). It writes into a
scratch SQLite database of its own.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from eventsourcing.domain import Aggregate, CanInitAggregate
from sqlalchemy import Connection, Engine, create_engine, delete, select, update
from sqlalchemy.dialects import sqlite

from ledger.application import CellTraceLedger
from ledger.config import Settings
from ledger.identifiers import item_id
from ledger.item_effects import Shown, effect_of, facts_of, vials_moved
from ledger.projections.genealogy import edges_of, edges_table
from ledger.projections.items import ItemsView, items_table, timeline_table
from ledger.projections.worklist import Context, WorkEntries, lot_qc_table, worklist_table
from ledger.storage.tables import metadata

Rows = dict[str, list[tuple[Any, ...]]]


class StatementByStatement:
    """A worklist store that runs each change as its own statement."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def _key(self, key: tuple[str, str, str]) -> Any:
        t = worklist_table.c
        return (t.kind == key[0]) & (t.code == key[1]) & (t.key == key[2])

    def work_entry(self, key: tuple[str, str, str]) -> tuple[Any, ...] | None:
        row = self.conn.execute(select(worklist_table).where(self._key(key))).first()
        return None if row is None else tuple(row)

    def put_work(self, key: tuple[str, str, str], row: tuple[Any, ...] | None) -> None:
        self.conn.execute(delete(worklist_table).where(self._key(key)))
        if row is not None:
            names = [c.name for c in worklist_table.columns]
            self.conn.execute(worklist_table.insert(), dict(zip(names, row, strict=True)))

    def lot_state(self, code: str) -> str | None:
        found = select(lot_qc_table.c.state).where(lot_qc_table.c.code == code)
        return self.conn.execute(found).scalar()

    def put_lot(self, code: str, state: str) -> None:
        self.conn.execute(
            sqlite.insert(lot_qc_table)
            .values(code=code, state=state)
            .on_conflict_do_update(index_elements=["code"], set_={"state": state})
        )

    def end_visits_after(self, code: str, due: str) -> None:
        t = worklist_table.c
        self.conn.execute(
            delete(worklist_table).where((t.kind == "visit") & (t.code == code) & (t.due > due))
        )


class ReferenceItems:
    """Applies one event object at a time (see the module docstring)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.store = StatementByStatement(conn)
        self.work = WorkEntries(self.store)

    def process(self, event: Any, position: int) -> None:
        stamp = getattr(event, "stamp", None)
        if not isinstance(event, Aggregate.Event) or stamp is None:
            return
        code = self._code(event, position)
        if code is None:
            return
        for parent, child, relation in edges_of(event, code):
            self.conn.execute(
                sqlite.insert(edges_table).on_conflict_do_nothing(),
                {
                    "parent_code": parent,
                    "child_code": child,
                    "relation": relation,
                    "notification_id": position,
                },
            )
        self._move_vials(code, event)
        recorded_at = stamp.recorded_at.isoformat()
        cls = type(event)
        handler = self.work.handler(cls.__name__)
        if handler is not None:
            aggregate = cls.__qualname__.split(".", 1)[0]
            at = Context(
                self.store,
                code,
                aggregate,
                cls.__name__,
                event.originator_version,
                recorded_at,
                position,
            )
            handler(at, vars(event))
        self.conn.execute(
            timeline_table.insert(),
            {
                "notification_id": position,
                "item_code": code,
                "originator_version": event.originator_version,
                "event_type": cls.__qualname__,
                "actor_id": stamp.actor_id,
                "actor_role": stamp.actor_role,
                "meaning": stamp.meaning.value,
                "recorded_at": recorded_at,
                "client_time": stamp.client_time.isoformat() if stamp.client_time else None,
            },
        )

    def _state(self, code: str) -> tuple[str, str]:
        found = select(items_table.c.status, items_table.c.holds).where(items_table.c.code == code)
        row = self.conn.execute(found).one()
        return row.status, row.holds

    def _set(self, code: str, values: dict[str, Any]) -> None:
        self.conn.execute(update(items_table).where(items_table.c.code == code).values(values))

    def _move_vials(self, code: str, event: Any) -> None:
        moved = vials_moved(event)
        if moved is None:
            return
        vials = moved.vials
        if vials is None:
            e = edges_table.c
            rows = self.conn.execute(
                select(e.parent_code).where((e.child_code == code) & (e.relation == "shipped in"))
            )
            vials = [r[0] for r in rows]
        for vial in vials:
            current, _ = self._state(vial)
            values: dict[str, Any] = dict(moved.facts)
            if current != "on hold" and moved.status:
                values["status"] = moved.status
            if values:
                self._set(vial, values)

    def _code(self, event: Any, position: int) -> str | None:
        if isinstance(event, CanInitAggregate):
            recorded = getattr(event, "code", None)
            code = "" if recorded is None else str(recorded)
            if not code or item_id(code) != event.originator_id:
                return None
            self.conn.execute(
                items_table.insert(),
                {
                    "code": code,
                    "item_type": code.split("-", 1)[0],
                    "originator_id": str(event.originator_id),
                    "status": "active",
                    "holds": "[]",
                    "location": None,
                    "lot": None,
                    "expiry": None,
                    "site": None,
                    "study": None,
                    "patient": None,
                    "held": False,
                    **facts_of(event),
                    "created_at": event.timestamp.isoformat(),
                    "created_notification_id": position,
                },
            )
            return code
        known = self.conn.execute(
            select(items_table.c.code).where(
                items_table.c.originator_id == str(event.originator_id)
            )
        ).scalar()
        if known is None:
            return None
        values = facts_of(event)
        if effect_of(event).hold is not None:
            status, holds = self._state(known)
            shown = Shown(status, tuple(json.loads(holds or "[]"))).after(event)
            values["status"] = shown.status
            values["holds"] = json.dumps(list(shown.holds), sort_keys=True)
            values["held"] = bool(shown.holds)
        if values:
            self._set(known, values)
        return str(known)


def reference_rows(settings: Settings, folder: Path, stop: int) -> Rows:
    """Every row the reference projection writes for the ledger's events up to `stop`."""
    engine = create_engine(f"sqlite:///{folder / 'reference.db'}")
    metadata.create_all(engine, tables=list(ItemsView.tables))
    app = CellTraceLedger(settings)
    try:
        with engine.begin() as conn:
            reference = ReferenceItems(conn)
            position = 0
            while batch := app.recorder.select_notifications(
                position, 500, stop=stop, inclusive_of_start=False
            ):
                for notification in batch:
                    reference.process(app.mapper.to_domain_event(notification), notification.id)
                position = batch[-1].id
        return table_rows(engine)
    finally:
        app.close()
        engine.dispose()


def table_rows(engine: Engine) -> Rows:
    """Every row of every table of the items view, in one order on both databases."""
    with engine.connect() as conn:
        return {
            table.name: sorted((tuple(row) for row in conn.execute(select(table))), key=repr)
            for table in ItemsView.tables
        }
