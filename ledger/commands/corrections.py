"""Command for corrections (R-LED-1): strike out a mistaken entry with a reason, by a new event
that names the entry's item and version; nothing recorded is ever edited."""

from __future__ import annotations

from ledger.core import Actor, LedgerCore, Receipt
from ledger.domain.correction import Correctable
from ledger.identifiers import ItemType

CORRECT = "ledger.correct"


class CorrectionCommands(LedgerCore):
    def correct_entry(self, actor: Actor, item_code: str, version: int, reason: str) -> Receipt:
        """Strike out event `version` of the item `item_code` (a result, screening, consent or
        confirmation) giving the reason; then record the right data with the usual command."""
        actor = self.authorise(actor, CORRECT)
        item = self.load(item_code, tuple(ItemType), Correctable)
        with self.command(actor):
            item.correct(version, reason)
        return self.record(item)
