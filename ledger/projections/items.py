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
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import singledispatchmethod
from typing import Any, TypeVar

from eventsourcing.domain import Aggregate, CanInitAggregate
from eventsourcing.persistence import Mapper, Notification, Tracking
from eventsourcing.projection import Projection
from eventsourcing.utils import resolve_topic
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    Engine,
    Index,
    Integer,
    String,
    Table,
    Text,
    delete,
    false,
    func,
    literal_column,
    select,
)

from ledger.identifiers import item_id
from ledger.item_effects import Effect, Moved, Shown, effect_named, facts_from, moved_from
from ledger.projections.genealogy import edges_from, edges_table
from ledger.projections.tracking import SQLAlchemyView, tracking_table
from ledger.projections.worklist import (
    VISIT,
    Context,
    WorkEntries,
    lot_qc_table,
    worklist_table,
)
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


K = TypeVar("K")
V = TypeVar("V")


class Bounded(OrderedDict[K, V]):
    """A mapping that keeps at most `size` entries, forgetting the least recently used."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def get_recent(self, key: K) -> V | None:
        """The value of `key` (None when not kept), now the most recently used."""
        value = self.get(key)
        if value is not None:
            self.move_to_end(key)
        return value

    def keep(self, key: K, value: V) -> None:
        self[key] = value
        self.move_to_end(key)
        if len(self) > self.size:
            self.popitem(last=False)


ITEM_COLUMNS = tuple(c.name for c in items_table.columns)


class ItemsView(SQLAlchemyView):
    """Items, timelines and edges, written a transaction (or a catch-up batch) at a time.

    While it runs, every row it writes waits in memory and goes to the database once, at the
    transaction's end, as tuples in a few DB-API `executemany` calls: a new item takes the
    updates of the later events of the same batch before it is inserted, an item's updates
    are merged, a worklist entry or a lot's QC state written several times is written once.
    Item codes (by aggregate id) and item status and holds (by code) are kept in memory
    between transactions, written through, up to `CACHED` of each (the least recently used
    are forgotten and read again when needed). They are kept only while every position of the
    view was committed by this instance: a failed transaction, or a position another process
    moved, empties them.
    """

    name = "items"
    title = "items, timelines, genealogy"
    tables = (items_table, timeline_table, edges_table, worklist_table, lot_qc_table)
    CACHED = 100_000
    NOT_AN_ITEM = ""  # cached for aggregates that are not coded items

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine)
        self._sql = _Sql(engine.dialect.name)
        self._codes: Bounded[str, str] = Bounded(self.CACHED)  # aggregate id -> code
        self._shown: Bounded[str, tuple[str, str]] = Bounded(self.CACHED)  # (status, holds)
        self._committed: int | None = None  # the position the caches are true at
        # what the open transaction will write
        self._new_items: dict[str, dict[str, Any]] = {}
        self._new_ids: dict[str, str] = {}  # aggregate id -> code, of the new items
        self._updates: dict[str, dict[str, Any]] = {}
        self._rows: dict[Table, list[tuple[Any, ...]]] = {}
        self._work: dict[tuple[str, str, str], tuple[Any, ...] | None] = {}
        self._lots: dict[str, str] = {}
        self._conn: Connection | None = None
        self.work = WorkEntries(self)  # what awaits someone, for the dashboards

    # --- transactions ------------------------------------------------------------------

    @contextmanager
    def transaction(self, tracking: Tracking) -> Iterator[Connection]:
        """One event outside a batch is a batch of one: the same writes either way."""
        if self._conn is not None:
            yield self._conn
            return
        with self.batch(tracking) as conn:
            yield conn

    @contextmanager
    def batch(self, last: Tracking) -> Iterator[Connection]:
        self._forget_pending()
        try:
            with super().batch(last) as conn:
                if self._position(conn, last.application_name) != self._committed:
                    self._forget_cached()
                self._conn = conn
                yield conn
        except BaseException:
            self._forget_cached()
            raise
        finally:
            self._conn = None
            self._forget_pending()
        self._committed = last.notification_id

    def _position(self, conn: Connection, application_name: str) -> int | None:
        found = conn.execute(
            select(tracking_table.c.notification_id).where(
                (tracking_table.c.view == self.name)
                & (tracking_table.c.application_name == application_name)
            )
        ).scalar()
        return None if found is None else int(found)

    def _forget_pending(self) -> None:
        self._new_items.clear()
        self._new_ids.clear()
        self._updates.clear()
        self._rows.clear()
        self._work.clear()
        self._lots.clear()

    def _forget_cached(self) -> None:
        self._codes.clear()
        self._shown.clear()
        self._committed = None

    def drop(self) -> None:
        self._forget_cached()
        super().drop()

    # --- items ---------------------------------------------------------------------------

    def add_item(self, originator_id: str, row: dict[str, Any]) -> None:
        code = row["code"]
        self._new_items[code] = row
        self._new_ids[originator_id] = code
        self._codes.keep(originator_id, code)
        self._shown.keep(code, (row["status"], row["holds"]))

    def not_an_item(self, originator_id: str) -> None:
        self._codes.keep(originator_id, self.NOT_AN_ITEM)

    def code_of(self, originator_id: str) -> str | None:
        """The code of an item (None for aggregates that are not coded items)."""
        code = self._codes.get_recent(originator_id)
        if code is None:
            code = self._new_ids.get(originator_id)
        if code is None:
            code = self._one(self._sql.code_of, (originator_id,))
            self._codes.keep(originator_id, code or self.NOT_AN_ITEM)
        return code or None

    def update_item(self, code: str, values: dict[str, Any]) -> None:
        """Set columns of item `code` when the transaction is written."""
        new = self._new_items.get(code)
        if new is not None:
            new.update(values)
        else:
            self._updates.setdefault(code, {}).update(values)
        if "status" in values or "holds" in values:
            shown = self._shown.get(code)
            if shown is not None:
                status = values.get("status", shown[0])
                self._shown.keep(code, (status, values.get("holds", shown[1])))

    def item_state(self, code: str) -> tuple[str, str]:
        """The item's status and holds (JSON), including updates not yet written."""
        shown = self._shown.get_recent(code)
        if shown is not None:
            return shown
        new = self._new_items.get(code)
        if new is not None:
            return new["status"], new["holds"]
        row = self._cursor_one(self._sql.item_state, (code,))
        if row is None:
            raise LookupError(f"item {code} is not in the items view")
        pending = self._updates.get(code, {})
        shown = pending.get("status", row[0]), pending.get("holds", row[1])
        self._shown.keep(code, shown)
        return shown

    # --- rows ----------------------------------------------------------------------------

    def add(self, table: Table, row: tuple[Any, ...]) -> None:
        """Insert a row (the table's columns in order) when the transaction is written."""
        self._rows.setdefault(table, []).append(row)

    def insert(self, conn: Connection, table: Table, row: dict[str, Any]) -> None:
        self.add(table, tuple(row.get(c.name) for c in table.columns))

    def shipped_vials(self, shipment: str) -> list[str]:
        """The vials shipped in `shipment` (its edges, those of this transaction included)."""
        self.flush(self._connection())
        cursor = self._connection().connection.cursor()
        try:
            cursor.execute(self._sql.shipped, (shipment, "shipped in"))
            return [str(r[0]) for r in cursor.fetchall()]
        finally:
            cursor.close()

    # --- worklist and lots' QC state (WorkStore) -----------------------------------------

    def work_entry(self, key: tuple[str, str, str]) -> tuple[Any, ...] | None:
        if key in self._work:
            return self._work[key]
        return self._cursor_one(self._sql.work_entry, key)

    def put_work(self, key: tuple[str, str, str], row: tuple[Any, ...] | None) -> None:
        self._work[key] = row

    def lot_state(self, code: str) -> str | None:
        state = self._lots.get(code)
        if state is None:
            state = self._one(self._sql.lot_state, (code,))
        return state

    def put_lot(self, code: str, state: str) -> None:
        self._lots[code] = state

    def end_visits_after(self, code: str, due: str) -> None:
        self.flush(self._connection())
        self._connection().execute(
            delete(worklist_table).where(
                (worklist_table.c.kind == VISIT)
                & (worklist_table.c.code == code)
                & (worklist_table.c.due > due)
            )
        )

    # --- writing -------------------------------------------------------------------------

    def flush(self, conn: Connection) -> None:
        """Write what the transaction has gathered: new items, the other new rows (an edge
        already recorded is kept once, from its first event), item updates, then the worklist
        and the lots' QC state."""
        sql = self._sql
        cursor = conn.connection.cursor()
        try:
            if self._new_items:
                rows = [tuple(r[c] for c in ITEM_COLUMNS) for r in self._new_items.values()]
                self._new_items.clear()
                self._new_ids.clear()
                cursor.executemany(sql.insert(items_table), rows)
            for table, rows in self._rows.items():
                cursor.executemany(sql.insert(table), rows)
            self._rows.clear()
            by_columns: dict[tuple[str, ...], list[tuple[Any, ...]]] = {}
            for code, values in self._updates.items():
                columns = tuple(sorted(values))
                by_columns.setdefault(columns, []).append((*(values[c] for c in columns), code))
            self._updates.clear()
            for columns, rows in by_columns.items():
                cursor.executemany(sql.update_item(columns), rows)
            if self._work:
                cursor.executemany(sql.delete_work, list(self._work))
                entries = [row for row in self._work.values() if row is not None]
                if entries:
                    cursor.executemany(sql.insert(worklist_table), entries)
                self._work.clear()
            if self._lots:
                cursor.executemany(sql.save_lot, list(self._lots.items()))
                self._lots.clear()
        finally:
            cursor.close()

    def _connection(self) -> Connection:
        if self._conn is None:
            raise RuntimeError("the items view writes only inside a transaction")
        return self._conn

    def _cursor_one(self, statement: str, params: tuple[Any, ...]) -> tuple[Any, ...] | None:
        cursor = self._connection().connection.cursor()
        try:
            cursor.execute(statement, params)
            row = cursor.fetchone()
            return None if row is None else tuple(row)
        finally:
            cursor.close()

    def _one(self, statement: str, params: tuple[Any, ...]) -> Any:
        row = self._cursor_one(statement, params)
        return None if row is None else row[0]


class _Sql:
    """The view's statements in the DB-API's own parameter style (written with `?`; the
    names are the view's own tables and columns, every value is bound)."""

    def __init__(self, dialect: str) -> None:
        self.p = "?" if dialect == "sqlite" else "%s"
        self.code_of = self.styled("SELECT code FROM items WHERE originator_id = ?")
        self.item_state = self.styled("SELECT status, holds FROM items WHERE code = ?")
        self.shipped = self.styled(
            "SELECT parent_code FROM genealogy_edges WHERE child_code = ? AND relation = ?"
        )
        self.work_entry = self.styled(
            'SELECT "kind", "code", "key", "due", "detail", "since", "notification_id" '
            'FROM worklist WHERE "kind" = ? AND "code" = ? AND "key" = ?'
        )
        self.delete_work = self.styled(
            'DELETE FROM worklist WHERE "kind" = ? AND "code" = ? AND "key" = ?'
        )
        self.lot_state = self.styled("SELECT state FROM lot_qc WHERE code = ?")
        self.save_lot = self.styled(
            "INSERT INTO lot_qc (code, state) VALUES (?, ?) "
            "ON CONFLICT (code) DO UPDATE SET state = excluded.state"
        )

    def styled(self, sql: str) -> str:
        return sql.replace("?", self.p)

    def insert(self, table: Table) -> str:
        names = ", ".join(f'"{c.name}"' for c in table.columns)
        marks = ", ".join("?" for _ in table.columns)
        sql = f"INSERT INTO {table.name} ({names}) VALUES ({marks})"  # noqa: S608 - names only
        if table is edges_table:  # an edge already recorded is kept once, from its first event
            sql += " ON CONFLICT DO NOTHING"
        return self.styled(sql)

    def update_item(self, columns: tuple[str, ...]) -> str:
        assignments = ", ".join(f'"{c}" = ?' for c in columns)
        return self.styled(f"UPDATE items SET {assignments} WHERE code = ?")  # noqa: S608


@dataclass(frozen=True)
class EventType:
    """What the items projection does with the events of one stored type, found once per type
    (its topic names the class): a stored event is projected from its decoded state, and an
    event object from its fields, alike."""

    qualname: str  # what the timeline shows, e.g. "BankVial.Frozen"
    name: str  # the class's own name, e.g. "Frozen"
    aggregate: str  # the aggregate's, e.g. "BankVial"
    of_aggregate: bool  # an aggregate's event (only those are projected)
    created: bool  # the event that creates its aggregate
    effect: Effect  # what it does to its item (ledger.item_effects)
    work: Callable[[Context, dict[str, Any]], None] | None  # what it does to the worklist
    plain: bool  # stored as its fields are (no upcasting from an older class version)

    @classmethod
    def of(cls, event_class: type[Any], work: WorkEntries) -> EventType:
        qualname, name = event_class.__qualname__, event_class.__name__
        return cls(
            qualname=qualname,
            name=name,
            aggregate=qualname.split(".", 1)[0],
            of_aggregate=issubclass(event_class, Aggregate.Event),
            created=issubclass(event_class, CanInitAggregate),
            effect=effect_named(qualname, name),
            work=work.handler(name),
            plain=getattr(event_class, "class_version", 1) == 1,
        )


class ItemsProjection(Projection[ItemsView]):
    """Registers every coded item and appends every one of its events to its timeline.

    Catching up (`process_stored`) it projects each stored event from its decoded state,
    without making an event object; following the ledger (`process_event`) from the event's
    fields: the same fields, the same rows.
    """

    name = "items"

    def __init__(self, view: ItemsView) -> None:
        super().__init__(view)
        self._by_class: dict[type[Any], EventType] = {}
        self._by_topic: dict[str, EventType] = {}

    @singledispatchmethod
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        with self.view.transaction(tracking):
            kind = self._by_class.get(type(domain_event))
            if kind is None:
                kind = self._by_class[type(domain_event)] = EventType.of(
                    type(domain_event), self.view.work
                )
            if kind.of_aggregate:
                self._project(
                    kind,
                    vars(domain_event),
                    domain_event.originator_id,
                    domain_event.originator_version,
                    tracking.notification_id,
                )

    def process_stored(self, notifications: Sequence[Notification], mapper: Mapper[Any]) -> None:
        """Project stored events in order, inside the view's open batch (catching up)."""
        decode = mapper.transcoder.decode
        plain = mapper.cipher is None and mapper.compressor is None
        for notification in notifications:
            kind = self._by_topic.get(notification.topic)
            if kind is None:
                kind = self._by_topic[notification.topic] = EventType.of(
                    resolve_topic(notification.topic), self.view.work
                )
            if not kind.of_aggregate:
                continue
            if plain and kind.plain:
                fields = decode(notification.state)
            else:
                fields = vars(mapper.to_domain_event(notification))
            self._project(
                kind,
                fields,
                notification.originator_id,
                notification.originator_version,
                notification.id,
            )

    def _project(
        self,
        kind: EventType,
        fields: dict[str, Any],
        originator_id: Any,
        version: int,
        position: int,
    ) -> None:
        # Every event of the ledger carries the stamp of its command (LedgerAggregate).
        stamp = fields.get("stamp")
        if stamp is None:
            return
        view = self.view
        code = self._code(kind, fields, originator_id, position)
        if code is None:
            return
        for parent, child, relation in edges_from(kind.name, fields, code):
            view.add(edges_table, (parent, child, relation, position))
        moved = moved_from(kind.effect, fields)
        if moved is not None:
            self._move_vials(code, moved)
        recorded_at = stamp.recorded_at.isoformat()
        if kind.work is not None:
            at = Context(view, code, kind.aggregate, kind.name, version, recorded_at, position)
            kind.work(at, fields)
        client_time = stamp.client_time
        view.add(
            timeline_table,
            (
                position,
                code,
                version,
                kind.qualname,
                stamp.actor_id,
                stamp.actor_role,
                stamp.meaning.value,
                recorded_at,
                client_time.isoformat() if client_time else None,
            ),
        )

    def _move_vials(self, code: str, moved: Moved) -> None:
        """A shipment's events move its vials: in transit, at the site, released for use,
        thawed, administered (R-SHP-1, R-CLN-3); a held vial keeps showing its hold."""
        vials = moved.vials
        if vials is None:  # every vial of the shipment (edges: vial -> shipment)
            vials = self.view.shipped_vials(code)
        for vial in vials:
            current, _ = self.view.item_state(vial)
            values: dict[str, Any] = dict(moved.facts)
            if current != "on hold" and moved.status:
                values["status"] = moved.status
            if values:
                self.view.update_item(vial, values)

    def _update_item(self, code: str, kind: EventType, fields: dict[str, Any]) -> None:
        values = facts_from(kind.effect, fields)
        if kind.effect.hold is not None:
            status, holds = self.view.item_state(code)
            shown = Shown(status, tuple(json.loads(holds or "[]"))).after_fields(
                kind.effect, fields
            )
            values["status"] = shown.status
            values["holds"] = json.dumps(list(shown.holds), sort_keys=True)
            values["held"] = bool(shown.holds)
        if values:
            self.view.update_item(code, values)

    def _code(
        self, kind: EventType, fields: dict[str, Any], originator_id: Any, position: int
    ) -> str | None:
        """The item's code; registers a new item (with what its first event says about it)
        and updates a known item's status, place, lot and expiry."""
        aggregate_id = str(originator_id)
        if kind.created:
            recorded = fields.get("code")
            code = "" if recorded is None else str(recorded)
            if not code or item_id(code) != originator_id:  # not a CodedItem
                self.view.not_an_item(aggregate_id)
                return None
            self.view.add_item(
                aggregate_id,
                {
                    "code": code,
                    "item_type": code.split("-", 1)[0],  # the prefix (issued by the domain)
                    "originator_id": aggregate_id,
                    "status": "active",
                    "holds": "[]",
                    "location": None,
                    "lot": None,
                    "expiry": None,
                    "site": None,
                    "study": None,
                    "patient": None,
                    "held": False,
                    **facts_from(kind.effect, fields),
                    "created_at": fields["timestamp"].isoformat(),
                    "created_notification_id": position,
                },
            )
            return code
        known = self.view.code_of(aggregate_id)
        if known is not None:
            self._update_item(known, kind, fields)
        return known
