"""What every request handler needs: the ledger, credentials, read models and the clock."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine

from ledger.application import CellTraceLedger, Clock
from ledger.config import Settings
from ledger.errors import InvalidInput, NotReady
from ledger.integrity.proofs import TransparencyLog
from ledger.projections.items import ItemsView
from ledger.projections.merkle import MerkleView
from ledger.projections.runner import Projections
from ledger.stores.access_log import AccessLog
from ledger.stores.credentials import Credentials
from ledger.stores.printers import Printers


@dataclass
class ApiContext:
    settings: Settings
    ledger: CellTraceLedger
    credentials: Credentials
    views_engine: Engine
    clock: Clock
    projections: Projections | None = None
    items: ItemsView = field(init=False)
    access_log: AccessLog = field(init=False)
    printers: Printers = field(init=False)

    log: TransparencyLog = field(init=False)
    merkle: MerkleView = field(init=False)

    def __post_init__(self) -> None:
        self.items = ItemsView(self.views_engine)
        self.access_log = AccessLog(self.credentials.engine)
        self.printers = Printers(self.credentials.engine, self.access_log)
        self.merkle = MerkleView(self.views_engine)
        self.log = TransparencyLog(self.settings, self.views_engine)

    def extra_keys(self) -> list[str]:
        """Keys published beside the log's: the label key (R-ID-2)."""
        from label_printing.signing import label_verifier

        return [label_verifier(self.settings).key_string()]

    def wait_for(self, notification_id: int | None, timeout: float = 10.0) -> None:
        """Read-your-writes: block until the read models include `notification_id`."""
        if not notification_id:
            return
        last = self.ledger.recorder.max_notification_id() or 0
        if notification_id > last:
            raise InvalidInput(
                f"?after={notification_id} names a notification that does not exist yet "
                f"(the ledger is at {last}); pass the notification_id a write returned"
            )
        try:
            for view in (self.items, self.merkle):
                view.wait(CellTraceLedger.name, notification_id, timeout=timeout)
        except TimeoutError:
            raise NotReady(
                f"The read models have not reached notification {notification_id} within "
                f"{timeout:.0f} s; is `celltrace worker` running? Retry shortly."
            ) from None
