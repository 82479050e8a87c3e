"""Change control (R-PRO-5, §5.4.3, §5.8): a major change of a product's critical material,
culture condition, process, site or scale is recorded when it takes effect; every lot made
after it needs a recorded multi-lot comparability assessment concluding "comparable" before QA
may certify it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, TypedDict
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from ledger.domain.base import LedgerAggregate, enum_problems
from ledger.errors import RuleViolation, Violation
from ledger.messages import Sentence

RULE = "R-PRO-5"
_NAMESPACE = uuid5(NAMESPACE_URL, "https://celltrace.invalid/changes")


def change_log_id(product: str) -> UUID:
    return uuid5(_NAMESPACE, f"changes:{product.strip().upper()}")


class ChangeCategory(StrEnum):
    """The major changes §5.4.3 names (关键原材料、细胞培养条件、制备工艺、生产场地、生产规模)."""

    CRITICAL_MATERIAL = "critical_material"
    CULTURE_CONDITION = "culture_condition"
    PROCESS = "process"
    SITE = "site"
    SCALE = "scale"


class MajorChange(TypedDict):
    reference: str
    category: str
    description: str
    effective_at: datetime


class Comparability(TypedDict):
    change: str
    report_ref: str
    lots_studied: list[str]
    comparable: bool
    conclusion: str


class ChangeLog(LedgerAggregate):
    """The major changes of one product and their comparability assessments."""

    if TYPE_CHECKING:
        changes: Mapping[str, MajorChange]
        assessments: Mapping[str, Comparability]

    @event("Opened")
    def __init__(self, product: str) -> None:
        self.product = product
        self.changes = {}
        self.assessments = {}

    @staticmethod
    def create_id(product: str) -> UUID:
        return change_log_id(product)

    def record_change(self, change: MajorChange) -> None:
        problems = enum_problems(ChangeCategory, change["category"], RULE, "change category")
        if not change["reference"].strip() or not change["description"].strip():
            problems.append(Violation.of(RULE, "give the change's reference and description"))
        if change["reference"] in self.changes:
            problems.append(
                Violation.of(
                    RULE, "change {reference} is already recorded", reference=change["reference"]
                )
            )
        if problems:
            raise RuleViolation(problems)
        self._change_recorded(change)

    @event("MajorChangeRecorded")
    def _change_recorded(self, change: MajorChange) -> None:
        self.changes = {**self.changes, change["reference"]: change}

    def assess_comparability(self, assessment: Comparability) -> None:
        """The multi-lot comparability study of a change (§5.4.3 重新开展多批次可比性研究)."""
        reference = assessment["change"]
        problems = []
        if reference not in self.changes:
            problems.append(
                Violation.of(
                    RULE,
                    "no major change {reference} is recorded for {product}",
                    reference=reference,
                    product=self.product,
                )
            )
        elif reference in self.assessments and self.assessments[reference]["comparable"]:
            problems.append(
                Violation.of(
                    RULE, "change {reference} was already found comparable", reference=reference
                )
            )
        if not assessment["report_ref"].strip() or not assessment["conclusion"].strip():
            problems.append(
                Violation.of(
                    RULE,
                    "give the comparability report and conclusion for {reference}",
                    reference=reference,
                )
            )
        if not assessment["lots_studied"]:
            problems.append(
                Violation.of(
                    RULE,
                    "list the lots studied for the comparability of {reference}",
                    reference=reference,
                )
            )
        if problems:
            raise RuleViolation(problems)
        self._assessed(assessment)

    @event("ComparabilityAssessed")
    def _assessed(self, assessment: Comparability) -> None:
        self.assessments = {**self.assessments, assessment["change"]: assessment}

    def refusals_for(self, lot: str, made_at: datetime) -> list[Violation]:
        """The changes `lot`, made at `made_at`, was made after with no comparable result."""
        problems = []
        for reference, change in self.changes.items():
            if change["effective_at"] > made_at:
                continue
            found = self.assessments.get(reference)
            if found is None or not found["comparable"]:
                why = (
                    Sentence("was found not comparable")
                    if found
                    else Sentence("has no comparability assessment")
                )
                problems.append(
                    Violation.of(
                        RULE,
                        "{lot} was made after major change {reference} "
                        "({category:term-change}), which {why}; record a comparability "
                        "assessment before certifying it",
                        lot=lot,
                        reference=reference,
                        category=change["category"].replace("_", " "),
                        why=why,
                    )
                )
        return problems


def change_refusals(log: ChangeLog | None, lot: str, made_at: datetime) -> Sequence[Violation]:
    return [] if log is None else log.refusals_for(lot, made_at)
