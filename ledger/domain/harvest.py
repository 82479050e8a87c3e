"""Supernatant harvests (R-PRO-2, R-MAT-4, §5.3, §5.4.2): each harvest records its culture, the
stage (only the serum-free supernatant-collection stage), the volume and the medium lots; a
culture gives several harvests, and each harvest is pooled into one product lot at most.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from eventsourcing.domain import event

from ledger.domain.culture import Culture
from ledger.domain.donor_standing import DonorStanding
from ledger.domain.lineage import DerivedItem
from ledger.domain.material_use import MaterialUse, MaterialUseCheck, Stage, uses_and_tests
from ledger.errors import RuleViolation, Violation


class Harvest(DerivedItem):
    """One supernatant harvest of a culture in the collection stage."""

    @event("Collected")
    def __init__(
        self,
        code: str,
        donor_codes: list[str],
        sources: list[str],
        stage: str,
        volume_ml: float,
        materials: list[MaterialUse],
        mandatory_tests: list[str],
        harvested_at: datetime,
    ) -> None:
        self.code = code
        self.donor_codes = donor_codes
        self.sources = sources
        self.volume_ml = volume_ml
        self.mandatory_tests = mandatory_tests

    @classmethod
    def collect(
        cls,
        code: str,
        culture: Culture,
        donors: Sequence[DonorStanding],
        volume_ml: float,
        medium: Sequence[MaterialUseCheck],
        harvested_at: datetime,
    ) -> Harvest:
        problems = culture.step_refusals(donors)
        if culture.stage is not Stage.SUPERNATANT_COLLECTION:
            problems.append(
                Violation.of(
                    "R-PRO-2",
                    "{culture} is in the {stage:term} stage; supernatant is harvested only in "
                    "the serum-free collection stage - move the culture to it first",
                    culture=culture.code,
                    stage=culture.stage.value.replace("_", " "),
                )
            )
        if not volume_ml > 0:
            problems.append(
                Violation.of(
                    "R-PRO-2", "give the volume harvested from {culture}", culture=culture.code
                )
            )
        if not medium:
            problems.append(
                Violation.of(
                    "R-PRO-2",
                    "scan the medium lot(s) of the harvest from {culture}",
                    culture=culture.code,
                )
            )
        uses, tests, material_problems = uses_and_tests(medium)
        problems += material_problems
        if problems:
            raise RuleViolation(problems)
        culture.record_derived([code], "harvest")
        return cls(
            code,
            list(culture.donor_codes),
            [culture.code],
            culture.stage.value,
            float(volume_ml),
            uses,
            tests,
            harvested_at,
        )

    def pooling_refusals(self, donors: Sequence[DonorStanding]) -> list[Violation]:
        """Why this harvest may not go into a product lot (R-PRO-3)."""
        problems = self.step_refusals(donors)
        if self.children:
            problems.append(
                Violation.of(
                    "R-PRO-3",
                    "{code} was already pooled into {children:list}; a harvest goes into one lot "
                    "only",
                    code=self.code,
                    children=self.children,
                )
            )
        return problems
