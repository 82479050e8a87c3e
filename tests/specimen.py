"""A stand-in aggregate for storage and integrity tests that need events but no GMP rules."""

from __future__ import annotations

from eventsourcing.domain import event

from ledger.application import Actor, CellTraceLedger
from ledger.domain.base import LedgerAggregate
from ledger.domain.codes import CodedItem
from ledger.identifiers import ItemType


class Specimen(LedgerAggregate):
    @event("Registered")
    def __init__(self, label: str) -> None:
        self.label = label

    def annotate(self, note: str) -> None:
        self._annotated(note)

    @event("Annotated")
    def _annotated(self, note: str) -> None:
        self.label = note


class Sample(CodedItem):
    """A stand-in coded item (projected like every real item)."""

    @event("Registered")
    def __init__(self, code: str, label: str) -> None:
        self.code = code
        self.label = label

    def annotate(self, note: str) -> None:
        self._annotated(note)

    @event("Annotated")
    def _annotated(self, note: str) -> None:
        self.label = note


def record_samples(
    app: CellTraceLedger, count: int, events_each: int = 2, per_save: int = 1
) -> int:
    """Record `count` samples with `events_each` events each, `per_save` samples a transaction;
    return the last notification id."""
    last = 0
    for start in range(0, count, per_save):
        with app.command(Actor("PER-TEST", "operator")):
            sequence, codes = app.issue_codes(ItemType.CELL_PORTION, min(per_save, count - start))
            samples = [Sample(str(code), "new") for code in codes]
            for sample in samples:
                for n in range(events_each - 1):
                    sample.annotate(f"step {n}")
        last = app.record(sequence, *samples).notification_id
    return last
