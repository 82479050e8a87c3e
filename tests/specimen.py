"""A stand-in aggregate for storage and integrity tests that need events but no GMP rules."""

from __future__ import annotations

from eventsourcing.domain import event

from ledger.domain.base import LedgerAggregate


class Specimen(LedgerAggregate):
    @event("Registered")
    def __init__(self, label: str) -> None:
        self.label = label

    def annotate(self, note: str) -> None:
        self._annotated(note)

    @event("Annotated")
    def _annotated(self, note: str) -> None:
        self.label = note
