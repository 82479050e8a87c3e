"""The benchmarks' own stand-in aggregate: events to append and verify, with no GMP rules.
It belongs to the benchmarks (its stored topic is `bench.specimen:BenchItem`); the tests keep
theirs (`tests/specimen.py`), so neither reaches into the other."""

from __future__ import annotations

from eventsourcing.domain import event

from ledger.domain.base import LedgerAggregate


class BenchItem(LedgerAggregate):
    @event("Registered")
    def __init__(self, label: str) -> None:
        self.label = label

    def annotate(self, note: str) -> None:
        self._annotated(note)

    @event("Annotated")
    def _annotated(self, note: str) -> None:
        self.label = note
