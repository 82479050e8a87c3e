"""Items, their timelines and genealogy (R-TRC-1..3): every coded item with its status and
holds, every event that concerns it in order (actor, role, signature meaning, times), and the
edges between items. The event hash is not copied: queries join the stored event, so what
they show is exactly what `celltrace verify` checks.
"""

from __future__ import annotations

import json
from functools import singledispatchmethod
from typing import Any
from uuid import UUID

from eventsourcing.domain import CanInitAggregate
from eventsourcing.persistence import Tracking
from eventsourcing.projection import Projection
from eventsourcing.utils import resolve_topic
from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Engine,
    Index,
    Integer,
    String,
    Table,
    Text,
    select,
    update,
)

from ledger.domain.base import LedgerAggregate
from ledger.domain.codes import CodedItem
from ledger.identifiers import parse_code
from ledger.projections.genealogy import edges_of, edges_table
from ledger.projections.tracking import SQLAlchemyView, metadata

items_table = Table(
    "items",
    metadata,
    Column("code", String(40), primary_key=True),
    Column("item_type", String(3), nullable=False),
    Column("originator_id", String(36), nullable=False, unique=True),
    Column("status", String(32), nullable=False, default="active"),
    Column("holds", Text, nullable=False, default="[]"),  # JSON list of {rule, reason, source}
    Column("created_at", String(40), nullable=False),  # ISO 8601, UTC
    Column("created_notification_id", BigInteger, nullable=False),
)

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


# The status an item shows after an event of this class name (read side only: the domain
# decides; this just names the latest state for scanning and trace pictures).
STATUS_AFTER = {
    "PutOnHold": "on hold",
    "Released": "released",
    "Rejected": "rejected",
    "Recalled": "recalled",
    "Thawed": "thawed",
    "Frozen": "in storage",
    "Disposed": "disposed",
    "Quarantined": "quarantined",
    "Certified": "certified",
    "Shipped": "in transit",
    "Delivered": "at site",
    "Administered": "administered",
    "IneligibleAfterLookback": "ineligible",
}


class ItemsView(SQLAlchemyView):
    name = "items"
    tables = (items_table, timeline_table, edges_table)
    CACHED_CODES = 100_000

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine)
        self._codes: dict[UUID, str] = {}

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
            if code is not None:
                self.remember(originator_id, code)
        return code

    def drop(self) -> None:
        self._codes.clear()
        super().drop()


class ItemsProjection(Projection[ItemsView]):
    """Registers every coded item and appends every one of its events to its timeline."""

    name = "items"

    @singledispatchmethod
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        with self.view.transaction(tracking) as conn:
            if not isinstance(domain_event, LedgerAggregate.Event):
                return
            code = self._code(conn, domain_event, tracking)
            if code is None:
                return
            self._update_status(conn, code, domain_event)
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
            stamp = domain_event.stamp
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
                    "recorded_at": stamp.recorded_at.isoformat(),
                    "client_time": stamp.client_time.isoformat() if stamp.client_time else None,
                },
            )

    def _update_status(self, conn: Connection, code: str, event: LedgerAggregate.Event) -> None:
        name = type(event).__name__
        status = STATUS_AFTER.get(name)
        if status is None:
            return
        values: dict[str, Any] = {"status": status}
        if name == "PutOnHold":
            current = self.view.execute(
                conn, select(items_table.c.holds).where(items_table.c.code == code)
            ).scalar()
            hold = dict(event.hold)  # type: ignore[attr-defined]
            values["holds"] = json.dumps([*json.loads(current or "[]"), hold], sort_keys=True)
        self.view.execute(
            conn, update(items_table).where(items_table.c.code == code).values(values)
        )

    def _code(
        self, conn: Connection, event: LedgerAggregate.Event, tracking: Tracking
    ) -> str | None:
        if isinstance(event, CanInitAggregate):
            cls = resolve_topic(event.originator_topic)
            if not (isinstance(cls, type) and issubclass(cls, CodedItem)):
                return None
            code = str(event.code)  # type: ignore[attr-defined]
            self.view.insert(
                conn,
                items_table,
                {
                    "code": code,
                    "item_type": parse_code(code).item_type.value,
                    "originator_id": str(event.originator_id),
                    "status": "active",
                    "holds": "[]",
                    "created_at": event.timestamp.isoformat(),
                    "created_notification_id": tracking.notification_id,
                },
            )
            self.view.remember(event.originator_id, code)
            return code
        return self.view.code_of(conn, event.originator_id)
