"""Isolation and received cell lines (R-CB-2, R-CB-7, §5.4.1(2), (6)): the isolation method and
critical parameters with one code per cell portion, and the lawful origin of genetically
unstable lines such as HEK293.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from eventsourcing.domain import event

from ledger.domain.cell_source import CellSource
from ledger.domain.collection import Collection
from ledger.domain.donor_standing import DonorStanding
from ledger.domain.material_use import MaterialUse, MaterialUseCheck, uses_and_tests
from ledger.errors import RuleViolation, Violation


class IsolationMethod(StrEnum):
    MECHANICAL = "mechanical"
    ENZYMATIC = "enzymatic"
    SORTING = "sorting"
    DENSITY_GRADIENT = "density_gradient"


#: Lines §5.4.1(6) names as genetically unstable, recognised whatever the caller declares.
KNOWN_UNSTABLE_LINES = ("HEK293", "HELA")


def is_known_unstable(line_name: str) -> bool:
    name = line_name.upper().replace("-", "").replace(" ", "")
    return any(name.startswith(known) for known in KNOWN_UNSTABLE_LINES)


class CellPortion(CellSource):
    """A portion of cells isolated from one collection."""

    @event("Isolated")
    def __init__(
        self,
        code: str,
        donor_codes: list[str],
        sources: list[str],
        method: str,
        parameters: dict[str, str],
        cell_type: str,
        pluripotent: bool,
        materials: list[MaterialUse],
        mandatory_tests: list[str],
    ) -> None:
        self._cells(code, donor_codes, sources, cell_type, pluripotent, None)
        self.mandatory_tests = mandatory_tests

    @classmethod
    def isolate(
        cls,
        codes: list[str],
        collection: Collection,
        donors: Sequence[DonorStanding],
        method: IsolationMethod,
        parameters: dict[str, str],
        cell_type: str,
        pluripotent: bool,
        materials: Sequence[MaterialUseCheck],
    ) -> list[CellPortion]:
        """Isolate `len(codes)` portions from `collection` (R-CB-2)."""
        problems = collection.step_refusals(donors)
        if not collection.acceptable:
            problems.append(
                Violation.of(
                    "R-CB-1",
                    "{collection} arrived damaged or not immersed in transport medium; it "
                    "may not be processed",
                    collection=collection.code,
                )
            )
        if not parameters or any(not str(v).strip() for v in parameters.values()):
            problems.append(
                Violation.of(
                    "R-CB-2",
                    "record the critical process parameters of the {method:term} isolation "
                    "(name and value each)",
                    method=method.value,
                )
            )
        if not codes or not cell_type.strip():
            problems.append(Violation.of("R-CB-2", "give the cell type and at least one portion"))
        uses, tests, material_problems = uses_and_tests(materials)
        problems += material_problems
        if problems:
            raise RuleViolation(problems)
        collection.record_derived(codes, "isolation")
        params = {k.strip(): str(v).strip() for k, v in parameters.items()}
        return [
            cls(
                code,
                list(collection.donor_codes),
                [collection.code],
                method.value,
                params,
                cell_type.strip(),
                pluripotent,
                uses,
                tests,
            )
            for code in codes
        ]


@dataclass(frozen=True)
class CellLine:
    """An established cell line as received from its supplier (R-CB-7, §5.3)."""

    line_name: str
    supplier: str
    supplier_lot: str
    cell_type: str = ""
    pluripotent: bool = False
    genetically_unstable: bool = False
    lawful_origin_ref: str = ""


class CellLineStock(CellSource):
    """Cells of an established line received from a supplier (no donor of ours)."""

    @event("Received")
    def __init__(
        self,
        code: str,
        line_name: str,
        supplier: str,
        supplier_lot: str,
        cell_type: str,
        pluripotent: bool,
        genetically_unstable: bool,
        lawful_origin_ref: str,
    ) -> None:
        self._cells(code, [], [], cell_type, pluripotent, None)

    @classmethod
    def receive(cls, code: str, line: CellLine) -> CellLineStock:
        unstable = line.genetically_unstable or is_known_unstable(line.line_name)
        problems = []
        if not (line.line_name.strip() and line.supplier.strip() and line.supplier_lot.strip()):
            problems.append(
                Violation.of("R-CB-7", "give the line name, supplier and supplier's lot (§5.3)")
            )
        if unstable and not line.lawful_origin_ref.strip():
            problems.append(
                Violation.of(
                    "R-CB-7",
                    "{line_name} is genetically unstable; give the document proving its "
                    "lawful origin",
                    line_name=line.line_name,
                )
            )
        if problems:
            raise RuleViolation(problems)
        return cls(
            code,
            line.line_name.strip(),
            line.supplier.strip(),
            line.supplier_lot.strip(),
            line.cell_type.strip() or line.line_name.strip(),
            line.pluripotent,
            unstable,
            line.lawful_origin_ref.strip(),
        )
