"""What cell banks are made from (R-CB-2, R-CB-7, §5.4.1(3), (4), (6)): cell portions, clones
and received lines share identity confirmation, engineering with its vector, and cloning into
single-cell clones that each get their own code.

A source may be banked only after a conforming identity confirmation recorded after its last
engineering step.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import TYPE_CHECKING, TypedDict

from eventsourcing.domain import event

from ledger.domain.base import enum_problems
from ledger.domain.donor_standing import DonorStanding
from ledger.domain.lineage import DerivedItem
from ledger.errors import RuleViolation, Violation
from ledger.messages import Sentence


class VectorType(StrEnum):
    LENTIVIRAL = "lentiviral"
    RETROVIRAL = "retroviral"
    AAV = "aav"
    ADENOVIRAL = "adenoviral"
    SENDAI = "sendai"
    PLASMID = "plasmid"
    MRNA = "mrna"
    TRANSPOSON = "transposon"


class Vector(TypedDict):
    type: str
    name: str
    lot: str


class IdentityFinding(TypedDict):
    marker: str
    expected: str
    observed: str


class CellSource(DerivedItem):
    """What a seed or master bank can be made from: a cell portion, a clone or a cell line."""

    if TYPE_CHECKING:
        cell_type: str
        pluripotent: bool
        vector: Vector | None
        identity: Mapping[int, bool]
        engineered_at: int
    else:
        identity = {}
        engineered_at = 0

    def _cells(
        self,
        code: str,
        donor_codes: list[str],
        sources: list[str],
        cell_type: str,
        pluripotent: bool,
        vector: Vector | None,
    ) -> None:
        """Assign what every cell source holds (called from the creation event only)."""
        self.code, self.donor_codes, self.sources = code, donor_codes, sources
        self.cell_type, self.pluripotent, self.vector = cell_type, pluripotent, vector

    def confirm_identity(
        self,
        method: str,
        findings: list[IdentityFinding],
        report_ref: str,
        donors: Sequence[DonorStanding],
    ) -> None:
        """Record the identity confirmation (§5.4.1(3)); non-conforming results are kept."""
        problems = self.step_refusals(donors)
        if not method.strip() or not report_ref.strip():
            problems.append(
                Violation.of(
                    "R-CB-2", "give the identity method and QC report for {code}", code=self.code
                )
            )
        if not findings or any(not (f["expected"] and f["observed"]) for f in findings):
            problems.append(
                Violation.of(
                    "R-CB-2",
                    "list each marker of {code} with its expected and observed result",
                    code=self.code,
                )
            )
        if problems:
            raise RuleViolation(problems)
        conforms = all(f["expected"] == f["observed"] for f in findings)
        self._identity_confirmed(method.strip(), findings, report_ref.strip(), conforms)

    @event("IdentityConfirmed")
    def _identity_confirmed(
        self, method: str, findings: list[IdentityFinding], report_ref: str, conforms: bool
    ) -> None:
        version = self._note_entry("IdentityConfirmed")
        self.identity = {**self.identity, version: conforms}

    def record_engineering(
        self, vector: Vector, reprogramming: bool, donors: Sequence[DonorStanding]
    ) -> None:
        """Engineered cells record the vector used (R-CB-7); identity must then be redone."""
        problems = self.step_refusals(donors)
        problems += enum_problems(VectorType, vector["type"], "R-CB-7", "vector type")
        if not vector["name"].strip() or not vector["lot"].strip():
            problems.append(
                Violation.of(
                    "R-CB-7", "give the vector name and lot used on {code}", code=self.code
                )
            )
        if problems:
            raise RuleViolation(problems)
        self._engineered(vector, reprogramming)

    @event("Engineered")
    def _engineered(self, vector: Vector, reprogramming: bool) -> None:
        self.vector = vector
        self.pluripotent = self.pluripotent or reprogramming
        self.engineered_at = self.version + 1

    def banking_refusals(self) -> list[Violation]:
        """R-CB-2: a conforming identity confirmation, later than any engineering."""
        current = [v for v in self.identity if v > self.engineered_at and not self.is_struck(v)]
        if current and self.identity[max(current)]:
            return []
        why = Sentence("did not conform") if current else Sentence("is not confirmed")
        return [
            Violation.of(
                "R-CB-2",
                "the identity of {code} {why}{since}; confirm it before banking",
                code=self.code,
                why=why,
                since=Sentence(" since its engineering")
                if self.engineered_at and not current
                else "",
            )
        ]

    def pick_clones(
        self, codes: list[str], method: str, donors: Sequence[DonorStanding]
    ) -> list[Clone]:
        """Single-cell clones, each with its own code (§5.4.1(4))."""
        problems = self.step_refusals(donors)
        if not codes or not method.strip():
            problems.append(
                Violation.of(
                    "R-CB-2",
                    "give the cloning method and at least one clone of {code}",
                    code=self.code,
                )
            )
        if problems:
            raise RuleViolation(problems)
        self.record_derived(codes, "cloning")
        return [
            Clone(
                code,
                list(self.donor_codes),
                [self.code],
                method.strip(),
                self.cell_type,
                self.pluripotent,
                self.vector,
            )
            for code in codes
        ]


class Clone(CellSource):
    """A single-cell clone with its own code, tracked from its parent."""

    @event("Picked")
    def __init__(
        self,
        code: str,
        donor_codes: list[str],
        sources: list[str],
        method: str,
        cell_type: str,
        pluripotent: bool,
        vector: Vector | None,
    ) -> None:
        self._cells(code, donor_codes, sources, cell_type, pluripotent, vector)
