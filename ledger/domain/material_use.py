"""Every use of a material lot (R-MAT-1..5, §5.3, §5.4.1(1)): whether the lot may be used at a
stage today, and which downstream tests the use makes mandatory.

The item that used the lot records the use and the tests, so the product lot's specification
can be derived by walking up its genealogy (R-QC-1).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import TypedDict

from ledger.domain.material import AnimalSpecies, AntibioticClass
from ledger.domain.material_lot import MaterialLot, Status
from ledger.errors import Violation


class Stage(StrEnum):
    """Where a material is used; isolation, expansion and supernatant collection are cell culture
    (§5.3, §5.4.1)."""

    TRANSPORT = "transport"
    ISOLATION = "isolation"
    EXPANSION_CULTURE = "expansion_culture"
    SUPERNATANT_COLLECTION = "supernatant_collection"
    PURIFICATION = "purification"  # buffers and columns after harvest (not cell culture)


CELL_CULTURE = frozenset({Stage.ISOLATION, Stage.EXPANSION_CULTURE, Stage.SUPERNATANT_COLLECTION})

#: Tests a use makes mandatory for every downstream product lot (R-MAT-2, R-MAT-3, R-MAT-5).
ANTIBIOTIC_RESIDUE = "antibiotic_residue"
ANTIBIOTIC_NOT_DETECTED = "antibiotic_residue_not_detected"
_VIRUS_TESTS = {AnimalSpecies.BOVINE: "bovine_viruses", AnimalSpecies.PORCINE: "porcine_parvovirus"}


def virus_test(species: AnimalSpecies) -> str:
    return _VIRUS_TESTS.get(species, f"{species.value}_viruses")


@dataclass(frozen=True)
class UseOf:
    """A lot the operator scanned for a step, with what its use needs recorded."""

    lot: str
    justification: str = ""  # why an antibiotic is needed (R-MAT-2)
    removal_validation: str = ""  # validated antibiotic removal process (R-MAT-5)


class MaterialUse(TypedDict):
    lot: str
    material: str
    stage: str
    justification: str
    removal_validation: str


@dataclass(frozen=True)
class MaterialUseCheck:
    """What the application learnt about one use: the record, refusals and mandated tests."""

    use: MaterialUse
    problems: tuple[Violation, ...] = ()
    tests: tuple[str, ...] = ()


def uses_and_tests(
    checks: Sequence[MaterialUseCheck],
) -> tuple[list[MaterialUse], list[str], list[Violation]]:
    """Split checked uses into the records, the sorted mandatory tests and every refusal."""
    tests = sorted({t for c in checks for t in c.tests})
    return [c.use for c in checks], tests, [p for c in checks for p in c.problems]


def check_use(
    lot: MaterialLot, use: UseOf, stage: Stage, today: date, epidemic_area: bool
) -> MaterialUseCheck:
    """Whether this lot may be used at `stage` today, and the tests its use mandates."""
    problems = _status_problems(lot, today)
    tests: list[str] = []
    where = f"{lot.code} ({lot.material})"
    if lot.antibiotic_classes:
        if stage in CELL_CULTURE:
            if AntibioticClass.BETA_LACTAM in lot.antibiotic_classes:
                problems.append(
                    Violation.of(
                        "R-MAT-2",
                        "{where} contains a beta-lactam antibiotic, which may not be used in "
                        "cell culture ({stage:term}); use a lot without it",
                        where=where,
                        stage=stage.value,
                    )
                )
            elif not use.justification.strip():
                problems.append(
                    Violation.of(
                        "R-MAT-2",
                        "{where} contains an antibiotic; record why it is needed at {stage:term}, "
                        "or use a lot without it",
                        where=where,
                        stage=stage.value,
                    )
                )
            tests.append(ANTIBIOTIC_RESIDUE)
        else:
            if not use.removal_validation.strip():
                problems.append(
                    Violation.of(
                        "R-MAT-5",
                        "{where} puts an antibiotic in the transport medium; give the "
                        "validated antibiotic-removal process reference",
                        where=where,
                    )
                )
            tests.append(ANTIBIOTIC_NOT_DETECTED)
    if lot.animal_species is not None:
        problems += _animal_problems(lot, where, epidemic_area)
        tests.append(virus_test(lot.animal_species))
    if lot.contains_serum and stage is Stage.SUPERNATANT_COLLECTION:
        problems.append(
            Violation.of(
                "R-MAT-4",
                "{where} contains serum or a serum substitute, which may not be used "
                "in the supernatant-collection stage; use a serum-free medium",
                where=where,
            )
        )
    record = MaterialUse(
        lot=lot.code,
        material=lot.material,
        stage=stage.value,
        justification=use.justification.strip(),
        removal_validation=use.removal_validation.strip(),
    )
    return MaterialUseCheck(record, tuple(problems), tuple(tests))


def _status_problems(lot: MaterialLot, today: date) -> list[Violation]:
    problems = []
    if lot.status is not Status.RELEASED:
        problems.append(
            Violation.of(
                "R-MAT-1",
                "{lot} is {status:term}, not QC-released; only released lots may be used",
                lot=lot.code,
                status=lot.status.value,
            )
        )
    if lot.recalled:
        problems.append(
            Violation.of(
                "R-MAT-1",
                "{lot} was recalled ({recalled}); set it aside",
                lot=lot.code,
                recalled=lot.recalled,
            )
        )
    if lot.expiry < today:
        problems.append(
            Violation.of(
                "R-MAT-1",
                "{lot} expired on {expiry}; set it aside",
                lot=lot.code,
                expiry=lot.expiry,
            )
        )
    return problems


def _animal_problems(lot: MaterialLot, where: str, epidemic_area: bool) -> list[Violation]:
    problems = []
    if not lot.gmp:
        problems.append(
            Violation.of(
                "R-MAT-3",
                "{where} is animal-derived and not GMP-made; it may not be used",
                where=where,
            )
        )
    if not lot.pathogen_screening_ref:
        problems.append(
            Violation.of(
                "R-MAT-3",
                "{where} is animal-derived with no pathogen screening recorded; it may not be used",
                where=where,
            )
        )
    if epidemic_area and lot.contains_serum:
        problems.append(
            Violation.of(
                "R-MAT-3",
                "{where} is {animal_species:term} serum from {origin_country}, an epidemic "
                "area; animal serum from epidemic areas is forbidden",
                where=where,
                animal_species=lot.animal_species,
                origin_country=lot.origin_country,
            )
        )
    return problems
