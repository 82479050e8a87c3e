"""What a report is built from: the ledger, its read models, the steps it cites and who reads
it, which decides what a blinded study lets them see (R-ACC-5, docs/blinding.md)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine

from ledger.application import CellTraceLedger
from ledger.reports.steps import StepSource


@dataclass(frozen=True)
class Reader:
    """Who asked for the report: a person code and the role they act in (or, from the
    command line, `local:<user>` and "command line"), and whether that role may open a
    blinded study's seals (QA, the sponsor's unblinded role)."""

    person: str
    role: str
    may_see_sealed: bool = False


@dataclass
class Sources:
    ledger: CellTraceLedger
    engine: Engine  # the read models
    reader: Reader
    steps: StepSource = field(init=False)

    def __post_init__(self) -> None:
        self.steps = StepSource(self.ledger, self.engine)
