"""What every request handler needs: the ledger, credentials, read models and the clock."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine

from ledger.application import CellTraceLedger, Clock
from ledger.config import Settings
from ledger.credentials import Credentials
from ledger.projections.items import ItemsView
from ledger.projections.runner import Projections


@dataclass
class ApiContext:
    settings: Settings
    ledger: CellTraceLedger
    credentials: Credentials
    views_engine: Engine
    clock: Clock
    projections: Projections | None = None
    items: ItemsView = field(init=False)

    def __post_init__(self) -> None:
        self.items = ItemsView(self.views_engine)

    def wait_for(self, notification_id: int | None, timeout: float = 10.0) -> None:
        """Read-your-writes: block until the read models include `notification_id`."""
        if notification_id:
            self.items.wait(CellTraceLedger.name, notification_id, timeout=timeout)
