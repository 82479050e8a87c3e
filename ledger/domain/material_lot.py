"""Received material lots (R-MAT-1, §5.3): supplier, lot number, expiry, certificate of
analysis and the material's facts copied at receipt; QC release or rejection, and recall.

Whether a lot may be used at a given stage is decided in `ledger.domain.material_use`.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from eventsourcing.domain import event

from ledger.domain.codes import CodedItem
from ledger.domain.material import HasMaterialFacts, Material, MaterialFacts
from ledger.errors import RuleViolation, Violation


class Status(StrEnum):
    QUARANTINE = "quarantine"
    RELEASED = "released"
    REJECTED = "rejected"


class MaterialLot(HasMaterialFacts, CodedItem):
    """A received lot of a defined material."""

    @event("Received")
    def __init__(
        self,
        code: str,
        material: str,
        facts: MaterialFacts,
        supplier: str,
        supplier_lot: str,
        expiry: date,
        coa_ref: str,
        received_on: date,
    ) -> None:
        self.code = code
        self.material = material
        self.facts = facts
        self.expiry = expiry
        self.status = Status.QUARANTINE
        self.recalled = ""

    @classmethod
    def receive(
        cls,
        code: str,
        material: Material,
        supplier: str,
        supplier_lot: str,
        expiry: date,
        coa_ref: str,
        today: date,
    ) -> MaterialLot:
        problems = [
            Violation.of(
                "R-MAT-1",
                "give the {label:term} of the {reference} lot",
                label=label,
                reference=material.reference,
            )
            for label, text in (
                ("supplier", supplier),
                ("supplier's lot number", supplier_lot),
                ("certificate of analysis reference", coa_ref),
            )
            if not text.strip()
        ]
        if expiry < today:
            problems.append(
                Violation.of(
                    "R-MAT-1",
                    "{reference} lot {supplier_lot} expired on {expiry}; do not accept it",
                    reference=material.reference,
                    supplier_lot=supplier_lot,
                    expiry=expiry,
                )
            )
        if problems:
            raise RuleViolation(problems)
        return cls(
            code,
            material.reference,
            material.facts,
            supplier.strip(),
            supplier_lot.strip(),
            expiry,
            coa_ref.strip(),
            today,
        )

    # --- QC disposition and recall (R-MAT-1) -------------------------------------------------

    def release(self, qc_record_ref: str, today: date) -> None:
        problems = self._disposition_problems()
        if self.expiry < today:
            problems.append(
                Violation.of(
                    "R-MAT-1",
                    "{code} expired on {expiry}; it cannot be released",
                    code=self.code,
                    expiry=self.expiry,
                )
            )
        if not qc_record_ref.strip():
            problems.append(
                Violation.of("R-MAT-1", "give the QC record that releases {code}", code=self.code)
            )
        if problems:
            raise RuleViolation(problems)
        self._released(qc_record_ref.strip())

    @event("Released")
    def _released(self, qc_record_ref: str) -> None:
        self.status = Status.RELEASED

    def reject(self, reason: str) -> None:
        problems = self._disposition_problems()
        if not reason.strip():
            problems.append(
                Violation.of("R-MAT-1", "give the reason {code} is rejected", code=self.code)
            )
        if problems:
            raise RuleViolation(problems)
        self._rejected(reason.strip())

    @event("Rejected")
    def _rejected(self, reason: str) -> None:
        self.status = Status.REJECTED

    def _disposition_problems(self) -> list[Violation]:
        if self.recalled:
            return [
                Violation.of(
                    "R-MAT-1",
                    "{code} was recalled ({recalled})",
                    code=self.code,
                    recalled=self.recalled,
                )
            ]
        if self.status is not Status.QUARANTINE:
            return [
                Violation.of(
                    "R-MAT-1",
                    "{code} is already {status:term}; recall it if it must not be used",
                    code=self.code,
                    status=self.status.value,
                )
            ]
        return []

    def recall(self, reason: str) -> None:
        problems = []
        if self.recalled:
            problems.append(Violation.of("R-MAT-1", "{code} is already recalled", code=self.code))
        if not reason.strip():
            problems.append(
                Violation.of("R-MAT-1", "give the reason {code} is recalled", code=self.code)
            )
        if problems:
            raise RuleViolation(problems)
        self._recalled(reason.strip())

    @event("Recalled")
    def _recalled(self, reason: str) -> None:
        self.recalled = reason
