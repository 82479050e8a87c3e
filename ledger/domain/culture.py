"""Production cultures (R-PRO-1, R-MAT-4, §5.3, §5.4.1(4)): a culture starts from a thawed
working-bank vial fit for production, records each passage (medium and other material lots,
feed, dissociation method) up to the bank's studied passage limit, and then moves from
expansion to the serum-free supernatant-collection stage.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from eventsourcing.domain import event

from ledger.domain.bank_vial import BankVial, Tier
from ledger.domain.donor_standing import DonorStanding
from ledger.domain.lineage import DerivedItem
from ledger.domain.material_use import MaterialUse, MaterialUseCheck, Stage, uses_and_tests
from ledger.errors import RuleViolation, Violation
from ledger.messages import Sentence


@dataclass(frozen=True)
class PassagePlan:
    """What the operator records for one passage (R-PRO-1, §5.4.1(4))."""

    number: int
    feed: str  # medium-change frequency and volume, e.g. "50 % every 48 h"
    dissociation: str  # e.g. "TrypLE Select, 5 min, 37 °C"


def _medium_problems(where: Sentence, medium: Sequence[MaterialUseCheck]) -> list[Violation]:
    if medium:
        return []
    return [Violation.of("R-PRO-1", "scan the medium lot used for {where}", where=where)]


class Culture(DerivedItem):
    """Cells of one thawed working-bank vial, expanded and then kept for supernatant collection."""

    @event("Started")
    def __init__(
        self,
        code: str,
        donor_codes: list[str],
        sources: list[str],
        passage: int,
        max_passage: int,
        materials: list[MaterialUse],
        mandatory_tests: list[str],
    ) -> None:
        self.code = code
        self.donor_codes = donor_codes
        self.sources = sources
        self.passage = passage
        self.max_passage = max_passage
        self.mandatory_tests = mandatory_tests
        self.stage = Stage.EXPANSION_CULTURE

    @classmethod
    def start(
        cls,
        code: str,
        vial: BankVial,
        donors: Sequence[DonorStanding],
        medium: Sequence[MaterialUseCheck],
    ) -> Culture:
        """Seed a culture from `vial` (R-PRO-1, R-CB-5, R-CB-6): a working-bank vial, thawed
        for production with viability within the bank's specification, used once."""
        problems = vial.production_refusals(donors)
        if vial.tier is not Tier.WORKING:
            problems.append(
                Violation.of(
                    "R-PRO-1",
                    "{vial} is a {tier:term} bank vial; production cultures start from a "
                    "working cell bank vial",
                    vial=vial.code,
                    tier=vial.tier.value,
                )
            )
        if vial.children:
            problems.append(
                Violation.of(
                    "R-PRO-1",
                    "{vial} already started {children:list}; thaw another vial",
                    vial=vial.code,
                    children=vial.children,
                )
            )
        problems += _medium_problems(Sentence("the culture from {vial}", vial=vial.code), medium)
        uses, tests, material_problems = uses_and_tests(medium)
        problems += material_problems
        if problems:
            raise RuleViolation(problems)
        vial.record_derived([code], "culture")
        return cls(
            code, list(vial.donor_codes), [vial.code], vial.passage, vial.max_passage, uses, tests
        )

    def record_passage(
        self,
        plan: PassagePlan,
        medium: Sequence[MaterialUseCheck],
        materials: Sequence[MaterialUseCheck],
        donors: Sequence[DonorStanding],
    ) -> None:
        """One passage (R-PRO-1); the lots are checked at the culture's current stage."""
        problems = self.step_refusals(donors)
        if not self.passage < plan.number <= self.max_passage:
            problems.append(
                Violation.of(
                    "R-PRO-1",
                    "passage {number} of {code} must follow passage {passage} and may not "
                    "exceed {max_passage}, the limit its bank's stability study set; end "
                    "the culture",
                    number=plan.number,
                    code=self.code,
                    passage=self.passage,
                    max_passage=self.max_passage,
                )
            )
        if not plan.feed.strip() or not plan.dissociation.strip():
            problems.append(
                Violation.of(
                    "R-PRO-1",
                    "record the feed (medium change) and the dissociation method of "
                    "passage {number} of {code}",
                    number=plan.number,
                    code=self.code,
                )
            )
        problems += _medium_problems(
            Sentence("passage {number} of {code}", number=plan.number, code=self.code), medium
        )
        uses, tests, material_problems = uses_and_tests([*medium, *materials])
        problems += material_problems
        if problems:
            raise RuleViolation(problems)
        self._passaged(plan.number, plan.feed.strip(), plan.dissociation.strip(), uses, tests)

    @event("Passaged")
    def _passaged(
        self,
        number: int,
        feed: str,
        dissociation: str,
        materials: list[MaterialUse],
        mandatory_tests: list[str],
    ) -> None:
        self.passage = number
        self.mandatory_tests = sorted({*self.mandatory_tests, *mandatory_tests})

    def begin_collection(
        self, medium: Sequence[MaterialUseCheck], donors: Sequence[DonorStanding]
    ) -> None:
        """Move to the supernatant-collection stage with its serum-free medium (R-PRO-2,
        R-MAT-4); the application checks the lots at that stage."""
        problems = self.step_refusals(donors)
        if self.stage is not Stage.EXPANSION_CULTURE:
            problems.append(
                Violation.of(
                    "R-PRO-2",
                    "{code} is already in the supernatant-collection stage",
                    code=self.code,
                )
            )
        problems += _medium_problems(
            Sentence("supernatant collection from {code}", code=self.code), medium
        )
        uses, tests, material_problems = uses_and_tests(medium)
        problems += material_problems
        if problems:
            raise RuleViolation(problems)
        self._collection_started(uses, tests)

    @event("CollectionStageStarted")
    def _collection_started(self, materials: list[MaterialUse], mandatory_tests: list[str]) -> None:
        self.stage = Stage.SUPERNATANT_COLLECTION
        self.mandatory_tests = sorted({*self.mandatory_tests, *mandatory_tests})
