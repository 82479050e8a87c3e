"""Items, their timelines and genealogy (R-TRC-1..3): every coded item with its status, holds,
location, lot and expiry, every event that concerns it in order (actor, role, signature
meaning, times), the edges between items, and the work in progress (`worklist`). The event
hash is not copied: queries join the stored event, so what they show is exactly what
`celltrace verify` checks.

Like every projection it reads the stored events' fields by name and imports no domain class
(STYLE.md "Layers"): a coded item is an aggregate whose id derives from the `code` its first
event records (`ledger.identifiers.item_id`, the id `CodedItem` gives itself).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from functools import singledispatchmethod
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, CanInitAggregate
from eventsourcing.persistence import Tracking
from eventsourcing.projection import Projection
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    Engine,
    Executable,
    Index,
    Integer,
    String,
    Table,
    Text,
    bindparam,
    false,
    func,
    literal_column,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from ledger.identifiers import item_id
from ledger.item_effects import Shown, effect_of, facts_of, vials_moved
from ledger.projections.genealogy import edges_of, edges_table
from ledger.projections.tracking import SQLAlchemyView
from ledger.projections.worklist import WorkEntries, lot_qc_table, worklist_table
from ledger.storage.tables import metadata

items_table = Table(
    "items",
    metadata,
    Column("code", String(40), primary_key=True),
    Column("item_type", String(3), nullable=False),
    Column("originator_id", String(36), nullable=False, unique=True),
    Column("status", String(32), nullable=False, default="active"),
    Column("holds", Text, nullable=False, default="[]"),  # JSON list of {rule, reason, source}
    Column("location", String(200)),  # where it is now (storage place, site, patient)
    Column("lot", String(60)),
    Column("expiry", String(10)),  # ISO 8601 date
    Column("created_at", String(40), nullable=False),  # ISO 8601, UTC
    Column("created_notification_id", BigInteger, nullable=False),
    # whose it is (ledger.item_effects OWNER_COLUMNS): what item lists filter and search on
    Column("site", String(40)),
    Column("study", String(40)),
    Column("patient", String(40)),
    # true while `holds` names a hold: lists of held items read only those rows
    Column("held", Boolean, nullable=False, default=False, server_default=false()),
)
#: Items without an expiry sort after every date: the key of the `expiry` sort.
EXPIRY_ORDER = func.coalesce(items_table.c.expiry, literal_column("'9999-12-31'"))
# Every filter and sort of an item list is a range of one of these, in the list's order
# (ledger.projections.item_list); a type is its code's prefix, so type order is code order.
_c = items_table.c
Index("items_by_type", _c.item_type, _c.code)
Index("items_by_type_status", _c.item_type, _c.status, _c.code)
Index("items_by_type_created", _c.item_type, _c.created_at, _c.code)
Index("items_by_type_expiry", _c.item_type, EXPIRY_ORDER, _c.code)
Index("items_by_status", _c.status, _c.code)
Index("items_by_status_created", _c.status, _c.created_at, _c.code)
Index("items_by_status_expiry", _c.status, EXPIRY_ORDER, _c.code)
Index("items_by_created", _c.created_at, _c.code)
Index("items_by_expiry", EXPIRY_ORDER, _c.code)
Index("items_by_lot", _c.lot, _c.code)
Index("items_by_site", _c.site, _c.code)
Index("items_by_study", _c.study, _c.code)
Index("items_by_patient", _c.patient, _c.code)
Index("items_held", _c.code, sqlite_where=_c.held.is_(True), postgresql_where=_c.held.is_(True))

timeline_table = Table(
    "timeline",
    metadata,
    Column("notification_id", BigInteger, primary_key=True),
    Column("item_code", String(40), nullable=False),
    Column("originator_version", Integer, nullable=False),
    Column("event_type", String(120), nullable=False),
    Column("actor_id", String(40), nullable=False),
    Column("actor_role", String(32), nullable=False),
    Column("meaning", String(16), nullable=False),
    Column("recorded_at", String(40), nullable=False),  # ISO 8601, UTC (server)
    Column("client_time", String(40)),  # ISO 8601 with the device's own offset
    Index("timeline_by_item", "item_code", "notification_id"),
)


class ItemsView(SQLAlchemyView):
    """Items, timelines and edges. While catching up in a batch, item updates are merged per
    item and written with the batch's inserts, in a few executemany calls."""

    name = "items"
    title = "items, timelines, genealogy"
    tables = (items_table, timeline_table, edges_table, worklist_table, lot_qc_table)
    CACHED_CODES = 100_000
    NOT_AN_ITEM = ""  # cached for aggregates that are not coded items

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine)
        self._codes: dict[UUID, str] = {}
        self._updates: dict[str, dict[str, Any]] = {}
        self.work = WorkEntries(self.execute)  # what awaits someone, for the dashboards

    def remember(self, originator_id: UUID, code: str) -> None:
        if len(self._codes) >= self.CACHED_CODES:
            self._codes.clear()
        self._codes[originator_id] = code

    def code_of(self, conn: Connection, originator_id: UUID) -> str | None:
        """The code of an item (None for aggregates that are not coded items)."""
        code = self._codes.get(originator_id)
        if code is None:
            code = self.execute(
                conn,
                select(items_table.c.code).where(items_table.c.originator_id == str(originator_id)),
            ).scalar()
            self.remember(originator_id, code or self.NOT_AN_ITEM)
        return code or None

    def update_item(self, conn: Connection, code: str, values: dict[str, Any]) -> None:
        """Set columns of item `code` now, or (in a batch) when the batch is written."""
        if self._pending is None:
            conn.execute(update(items_table).where(items_table.c.code == code).values(values))
        else:
            self._updates.setdefault(code, {}).update(values)

    def item_state(self, conn: Connection, code: str) -> tuple[str, str]:
        """The item's status and holds (JSON), including updates not yet written."""
        row = self.execute(
            conn,
            select(items_table.c.status, items_table.c.holds).where(items_table.c.code == code),
        ).one()
        pending = self._updates.get(code, {})
        return pending.get("status", row.status), pending.get("holds", row.holds)

    @contextmanager
    def batch(self, last: Tracking) -> Iterator[Connection]:
        self._updates.clear()
        try:
            with super().batch(last) as conn:
                yield conn
        finally:
            self._updates.clear()

    def flush(self, conn: Connection) -> None:
        super().flush(conn)
        by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for code, values in self._updates.items():
            by_columns.setdefault(tuple(sorted(values)), []).append({"_code": code, **values})
        self._updates.clear()
        for columns, rows in by_columns.items():
            statement = (
                update(items_table)
                .where(items_table.c.code == bindparam("_code"))
                .values({c: bindparam(c) for c in columns})
            )
            conn.execute(statement, rows)

    def insert_statement(self, conn: Connection, table: Table) -> Executable:
        """An edge already recorded (a lot used again in a later step of the same item) is
        kept once, from its first event."""
        if table is not edges_table:
            return super().insert_statement(conn, table)
        if conn.dialect.name == "postgresql":
            return postgresql.insert(table).on_conflict_do_nothing()
        return sqlite.insert(table).on_conflict_do_nothing()

    def drop(self) -> None:
        self._codes.clear()
        super().drop()


class ItemsProjection(Projection[ItemsView]):
    """Registers every coded item and appends every one of its events to its timeline."""

    name = "items"

    @singledispatchmethod
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        with self.view.transaction(tracking) as conn:
            # Every event of the ledger carries the stamp of its command (LedgerAggregate).
            stamp = getattr(domain_event, "stamp", None)
            if not isinstance(domain_event, Aggregate.Event) or stamp is None:
                return
            code = self._code(conn, domain_event, tracking)
            if code is None:
                return
            for parent, child, relation in edges_of(domain_event, code):
                self.view.insert(
                    conn,
                    edges_table,
                    {
                        "parent_code": parent,
                        "child_code": child,
                        "relation": relation,
                        "notification_id": tracking.notification_id,
                    },
                )
            self._move_vials(conn, code, domain_event)
            recorded_at = stamp.recorded_at.isoformat()
            self.view.work.apply(conn, code, domain_event, recorded_at, tracking.notification_id)
            self.view.insert(
                conn,
                timeline_table,
                {
                    "notification_id": tracking.notification_id,
                    "item_code": code,
                    "originator_version": domain_event.originator_version,
                    "event_type": type(domain_event).__qualname__,
                    "actor_id": stamp.actor_id,
                    "actor_role": stamp.actor_role,
                    "meaning": stamp.meaning.value,
                    "recorded_at": recorded_at,
                    "client_time": stamp.client_time.isoformat() if stamp.client_time else None,
                },
            )

    def _move_vials(self, conn: Connection, code: str, event: Aggregate.Event) -> None:
        """A shipment's events move its vials: in transit, at the site, released for use,
        thawed, administered (R-SHP-1, R-CLN-3); a held vial keeps showing its hold."""
        moved = vials_moved(event)
        if moved is None:
            return
        vials = moved.vials
        if vials is None:  # every vial of the shipment (edges: vial -> shipment)
            rows = self.view.execute(
                conn,
                select(edges_table.c.parent_code).where(
                    (edges_table.c.child_code == code) & (edges_table.c.relation == "shipped in")
                ),
            )
            vials = [r[0] for r in rows]
        for vial in vials:
            current, _ = self.view.item_state(conn, vial)
            values: dict[str, Any] = dict(moved.facts)
            if current != "on hold" and moved.status:
                values["status"] = moved.status
            if values:
                self.view.update_item(conn, vial, values)

    def _update_item(self, conn: Connection, code: str, event: Aggregate.Event) -> None:
        values = facts_of(event)
        if effect_of(event).hold is not None:
            status, holds = self.view.item_state(conn, code)
            shown = Shown(status, tuple(json.loads(holds or "[]"))).after(event)
            values["status"] = shown.status
            values["holds"] = json.dumps(list(shown.holds), sort_keys=True)
            values["held"] = bool(shown.holds)
        if values:
            self.view.update_item(conn, code, values)

    def _code(self, conn: Connection, event: Aggregate.Event, tracking: Tracking) -> str | None:
        """The item's code; registers a new item (with what its first event says about it)
        and updates a known item's status, place, lot and expiry."""
        if isinstance(event, CanInitAggregate):
            recorded = getattr(event, "code", None)
            code = "" if recorded is None else str(recorded)
            if not code or item_id(code) != event.originator_id:  # not a CodedItem
                self.view.remember(event.originator_id, ItemsView.NOT_AN_ITEM)
                return None
            self.view.insert(
                conn,
                items_table,
                {
                    "code": code,
                    "item_type": code.split("-", 1)[0],  # the prefix (issued by the domain)
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
                    "created_notification_id": tracking.notification_id,
                },
            )
            self.view.remember(event.originator_id, code)
            return code
        known = self.view.code_of(conn, event.originator_id)
        if known is not None:
            self._update_item(conn, known, event)
        return known
