"""Commands for product quality: versioned specifications, QC results with quarantine, QA's
signed certification, major changes and their comparability assessments (R-QC-1..3, R-PRO-5)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from ledger.commands.deviations import quality_refusals
from ledger.commands.donors import donor_standings
from ledger.commands.materials import find
from ledger.core import Actor, LedgerCore, Receipt
from ledger.domain.change_control import (
    ChangeLog,
    Comparability,
    MajorChange,
    change_log_id,
    change_refusals,
)
from ledger.domain.product_lot import ProductLot
from ledger.domain.quality import QcResult
from ledger.domain.specification import (
    Specification,
    SpecTest,
    SpecVersion,
    Stability,
    specification_id,
)
from ledger.errors import NotFound, RuleViolation, Violation
from ledger.identifiers import ItemType

SPECIFY = "quality.specification"
TEST = "quality.test"
CERTIFY = "quality.certify"
OOS_FINDING = "quality.oos_finding"
OOS_CONCLUSION = "quality.oos_conclusion"
REJECT = "quality.reject"
CHANGE = "quality.change"
COMPARABILITY = "quality.comparability"


class QualityCommands(LedgerCore):
    def issue_specification(
        self,
        actor: Actor,
        reference: str,
        product: str,
        tests: Sequence[SpecTest],
        stability: Stability,
    ) -> Receipt:
        """QA approves a product's first specification version (R-QC-1, R-QC-3)."""
        actor = self.authorise(actor, SPECIFY)
        if find(self, Specification, specification_id(reference)) is not None:
            raise RuleViolation(
                [
                    Violation.of(
                        "R-QC-1",
                        "specification {reference} exists; revise it instead",
                        reference=reference,
                    )
                ]
            )
        with self.command(actor):
            spec = Specification.issue(reference, product, tests, stability)
        return self.record(spec)

    def revise_specification(
        self, actor: Actor, reference: str, tests: Sequence[SpecTest], stability: Stability
    ) -> tuple[int, Receipt]:
        """A new version; lots made before keep theirs. Returns the version number."""
        actor, spec = self.on_item(actor, SPECIFY, self.get_specification, reference)
        with self.command(actor):
            number = spec.revise(tests, stability)
        return number, self.record(spec)

    def record_lot_result(self, actor: Actor, lot_code: str, result: QcResult) -> Receipt:
        """One QC result; out of specification it quarantines the lot (R-QC-1, R-QC-2)."""
        actor, lot = self.on_item(actor, TEST, self._lot_loader, lot_code)
        tests = self.get_specification(lot.specification).versions[lot.spec_version]["tests"]
        with self.command(actor):
            lot.record_result(result, tests, donor_standings(self, lot.donor_codes))
        return self.record(lot)

    def certify_lot(self, actor: Actor, lot_code: str) -> Receipt:
        """QA's signed certification: every required result present and in spec, and every
        major change before the lot assessed as comparable (R-QC-2, R-PRO-5)."""
        actor, lot = self.on_item(actor, CERTIFY, self._lot_loader, lot_code)
        changes = [
            *change_refusals(
                find(self, ChangeLog, change_log_id(lot.product)), lot.code, lot.made_at
            ),
            *quality_refusals(self, [lot.code]),
        ]
        with self.command(actor):
            lot.certify(changes, donor_standings(self, lot.donor_codes))
        return self.record(lot)

    def record_oos_finding(
        self, actor: Actor, lot_code: str, number: int, phase: str, finding: str
    ) -> Receipt:
        """A finding of OOS investigation `number` of the lot: the laboratory's (phase I) or
        production's (phase II) (R-QMS-1)."""
        actor, lot = self.on_item(actor, OOS_FINDING, self._lot_loader, lot_code)
        with self.command(actor):
            lot.record_oos_finding(number, phase, finding)
        return self.record(lot)

    def conclude_oos_investigation(
        self,
        actor: Actor,
        lot_code: str,
        number: int,
        invalidate: bool,
        assignable_cause: str,
        conclusion: str,
    ) -> Receipt:
        """QA's signed conclusion of OOS investigation `number`: the result invalidated for
        the assignable cause named, or confirmed (R-QMS-1, R-LED-5)."""
        actor, lot = self.on_item(actor, OOS_CONCLUSION, self._lot_loader, lot_code)
        with self.command(actor):
            lot.conclude_oos(number, invalidate, assignable_cause, conclusion)
        return self.record(lot)

    def reject_lot(self, actor: Actor, lot_code: str, reason: str) -> Receipt:
        """QA's signed rejection; the lot can then only be disposed of (R-QMS-5)."""
        actor, lot = self.on_item(actor, REJECT, self._lot_loader, lot_code)
        with self.command(actor):
            lot.reject(reason)
        return self.record(lot)

    def _lot_loader(self, code: str) -> ProductLot:
        return self.load(code, ItemType.PRODUCT_LOT, ProductLot)

    def record_major_change(
        self,
        actor: Actor,
        product: str,
        reference: str,
        category: str,
        description: str,
        effective_at: datetime | None = None,
    ) -> Receipt:
        """A major change of `product` (R-PRO-5); lots made from `effective_at` (default now)
        need a comparability assessment before certification."""
        actor = self.authorise(actor, CHANGE)
        log = find(self, ChangeLog, change_log_id(product))
        with self.command(actor):
            log = log or ChangeLog(product.strip())
            log.record_change(
                MajorChange(
                    reference=reference.strip(),
                    category=category,
                    description=description.strip(),
                    effective_at=effective_at or self.clock(),
                )
            )
        return self.record(log)

    def record_comparability(
        self, actor: Actor, product: str, assessment: Comparability
    ) -> Receipt:
        """The comparability assessment of a major change (R-PRO-5, §5.4.3)."""
        actor = self.authorise(actor, COMPARABILITY)
        log = find(self, ChangeLog, change_log_id(product))
        if log is None:
            raise RuleViolation(
                [
                    Violation.of(
                        "R-PRO-5", "no major change is recorded for {product}", product=product
                    )
                ]
            )
        with self.command(actor):
            log.assess_comparability(assessment)
        return self.record(log)

    def get_specification(self, reference: str) -> Specification:
        spec = find(self, Specification, specification_id(reference))
        if spec is None:
            raise NotFound(f"no specification {reference} is recorded; QA issues it first")
        return spec


def spec_version(core: LedgerCore, reference: str) -> tuple[str, SpecVersion]:
    """The current version of specification `reference`, for a new lot (R-QC-1)."""
    spec = find(core, Specification, specification_id(reference))
    if spec is None:
        raise RuleViolation(
            [
                Violation.of(
                    "R-QC-1",
                    "no specification {reference} is approved; QA issues it first",
                    reference=reference,
                )
            ]
        )
    return spec.reference, spec.versions[spec.current]
