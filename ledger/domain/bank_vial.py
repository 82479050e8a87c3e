"""Cell bank vials (R-CB-4..6, §5.4.1(5)): what freezing a bank records (passage and its
studied limit, post-thaw viability specification); each vial has its own code and its place in
vapor-phase liquid nitrogen; it is thawed once, and its cells go to production only when the
bank was released and the post-thaw viability meets the bank's specification.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import TypedDict

from eventsourcing.domain import event

from ledger.domain.donor_standing import ConsentScope, DonorStanding
from ledger.domain.lineage import DerivedItem
from ledger.errors import RuleViolation, Violation


class Tier(StrEnum):
    SEED = "seed"
    MASTER = "master"
    WORKING = "working"


class ThawPurpose(StrEnum):
    PRODUCTION = "production"
    TESTING = "testing"


class StorageLocation(TypedDict):
    tank: str
    rack: str
    box: str
    position: str


def box_positions(
    tank: str, rack: str, box: str, count: int, first: int = 1
) -> list[StorageLocation]:
    """`count` consecutive positions in one box, e.g. for a freshly frozen bank."""
    return [
        StorageLocation(tank=tank, rack=rack, box=box, position=str(p))
        for p in range(first, first + count)
    ]


def describe(location: StorageLocation) -> str:
    return "tank {tank} / rack {rack} / box {box} / position {position}".format(**location)


VAPOR_PHASE_LN2 = "vapor_phase_ln2"


@dataclass(frozen=True)
class BankPlan:
    """What the operator records when freezing a bank (R-CB-4)."""

    passage: int
    max_passage: int  # from the passage-stability study
    stability_study_ref: str
    viability_spec_pct: float  # minimum post-thaw viability
    locations: tuple[StorageLocation, ...]  # one per vial
    frozen_on: date
    storage: str = VAPOR_PHASE_LN2


def plan_problems(bank: str, plan: BankPlan, vials: int, today: date) -> list[Violation]:
    """R-CB-4: storage in vapor-phase LN2, one place per vial, passage within the studied
    limit, a viability specification; `bank` names the bank in the messages."""
    problems = []
    if plan.storage != VAPOR_PHASE_LN2:
        problems.append(
            Violation.of(
                "R-CB-4", "{bank} must be stored in vapor-phase liquid nitrogen", bank=bank
            )
        )
    places = [
        tuple(loc[k].strip() for k in ("tank", "rack", "box", "position")) for loc in plan.locations
    ]
    if vials < 1 or len(places) != vials or len(set(places)) != vials or not all(map(all, places)):
        problems.append(
            Violation.of(
                "R-CB-4",
                "give {bank}'s vials one distinct tank / rack / box / position each",
                bank=bank,
            )
        )
    if not 0 <= plan.passage <= plan.max_passage or not plan.stability_study_ref.strip():
        problems.append(
            Violation.of(
                "R-CB-4",
                "passage {passage} of {bank} must be within the limit {max_passage} "
                "set by a referenced passage-stability study",
                passage=plan.passage,
                bank=bank,
                max_passage=plan.max_passage,
            )
        )
    if not 0 < plan.viability_spec_pct <= 100:
        problems.append(
            Violation.of(
                "R-CB-4", "give {bank}'s post-thaw viability specification in %", bank=bank
            )
        )
    if plan.frozen_on > today:
        problems.append(Violation.of("R-CB-4", "{bank} cannot be frozen after today", bank=bank))
    return problems


class BankVial(DerivedItem):
    """One cryovial of a seed, master or working cell bank."""

    @event("Frozen")
    def __init__(
        self,
        code: str,
        bank: str,
        tier: str,
        donor_codes: list[str],
        location: StorageLocation,
        passage: int,
        max_passage: int,
        viability_spec_pct: float,
        pluripotent: bool,
    ) -> None:
        self.code = code
        self.bank = bank
        self.tier = Tier(tier)
        self.donor_codes = donor_codes
        self.sources = [bank]
        self.location = location
        self.passage = passage
        self.max_passage = max_passage
        self.viability_spec_pct = viability_spec_pct
        self.pluripotent = pluripotent
        self.thawed: ThawPurpose | None = None
        self.viability_pct = 0.0

    def thaw(
        self,
        purpose: ThawPurpose,
        viability_pct: float,
        thawed_at: datetime,
        bank_released: bool,
        donors: Sequence[DonorStanding],
    ) -> None:
        """Record the thaw; below the bank's viability specification the cells are kept out
        of production (R-CB-6)."""
        problems = self.step_refusals(donors)
        if self.thawed is not None:
            problems.append(
                Violation.of(
                    "R-CB-6",
                    "{code} was already thawed; a vial is thawed once - take another vial",
                    code=self.code,
                )
            )
        if not 0 <= viability_pct <= 100:
            problems.append(
                Violation.of(
                    "R-CB-6",
                    "post-thaw viability {viability_pct}% is impossible",
                    viability_pct=viability_pct,
                )
            )
        if purpose is ThawPurpose.PRODUCTION and not bank_released:
            problems.append(
                Violation.of(
                    "R-CB-5",
                    "bank {bank} is not released; its vials may be thawed for testing only",
                    bank=self.bank,
                )
            )
        if problems:
            raise RuleViolation(problems)
        self._thawed(purpose.value, float(viability_pct), thawed_at)

    @event("Thawed")
    def _thawed(self, purpose: str, viability_pct: float, thawed_at: datetime) -> None:
        self.thawed = ThawPurpose(purpose)
        self.viability_pct = viability_pct

    @property
    def fit_for_production(self) -> bool:
        return (
            self.thawed is ThawPurpose.PRODUCTION and self.viability_pct >= self.viability_spec_pct
        )

    def production_refusals(
        self, donors: Sequence[DonorStanding], needs: frozenset[ConsentScope] = frozenset()
    ) -> list[Violation]:
        """Why this vial's cells may not go into production (a culture or a further bank)."""
        problems = self.step_refusals(donors, needs)
        if self.thawed is None:
            problems.append(
                Violation.of("R-CB-6", "{code} is not thawed; thaw it first", code=self.code)
            )
        elif self.thawed is ThawPurpose.TESTING:
            problems.append(
                Violation.of(
                    "R-CB-5",
                    "{code} was thawed for testing; its cells may not go into production",
                    code=self.code,
                )
            )
        elif self.viability_pct < self.viability_spec_pct:
            problems.append(
                Violation.of(
                    "R-CB-6",
                    "{code} had {viability_pct}% post-thaw viability, below the bank's "
                    "{viability_spec_pct}% specification; it may not be used for "
                    "production - dispose of it",
                    code=self.code,
                    viability_pct=self.viability_pct,
                    viability_spec_pct=self.viability_spec_pct,
                )
            )
        return problems
