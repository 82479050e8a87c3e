"""Items and their timelines (R-TRC-3): every coded item, and every event that concerns it in
order, with actor, role, signature meaning and times. The event hash is not copied: queries
join the stored event, so what they show is exactly what `celltrace verify` checks.
"""

from __future__ import annotations

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
    select,
)

from ledger.domain.base import LedgerAggregate
from ledger.domain.codes import CodedItem
from ledger.identifiers import parse_code
from ledger.projections.tracking import SQLAlchemyView, metadata

items_table = Table(
    "items",
    metadata,
    Column("code", String(40), primary_key=True),
    Column("item_type", String(3), nullable=False),
    Column("originator_id", String(36), nullable=False, unique=True),
    Column("status", String(32), nullable=False, default="active"),
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


class ItemsView(SQLAlchemyView):
    name = "items"
    tables = (items_table, timeline_table)
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
                    "created_at": event.timestamp.isoformat(),
                    "created_notification_id": tracking.notification_id,
                },
            )
            self.view.remember(event.originator_id, code)
            return code
        return self.view.code_of(conn, event.originator_id)
