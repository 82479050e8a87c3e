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


def record_samples(app: CellTraceLedger, count: int, events_each: int = 2) -> int:
    """Record `count` samples with `events_each` events each; return the last notification id."""
    last = 0
    for _ in range(count):
        with app.command(Actor("PER-TEST", "operator")):
            sequence, (code,) = app.issue_codes(ItemType.CELL_PORTION)
            sample = Sample(str(code), "new")
            for n in range(events_each - 1):
                sample.annotate(f"step {n}")
        last = app.record(sequence, sample).notification_id
    return last
