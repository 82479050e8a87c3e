"""Material definitions and the epidemic-area register (R-MAT-1..3, §5.3): what a raw material
is (kind, grade, antibiotic classes, serum, animal origin, GMP, pathogen screening) and which
animal-origin countries are epidemic areas today.

A definition is catalogue data, not a physical item: it is keyed by its catalogue reference.
Received lots (`ledger.domain.material_lot`) copy its facts at receipt.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, TypedDict
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from ledger.domain.base import LedgerAggregate
from ledger.errors import RuleViolation, Violation

_NAMESPACE = uuid5(NAMESPACE_URL, "https://celltrace.invalid/materials")


class MaterialKind(StrEnum):
    MEDIUM = "medium"
    SERUM = "serum"
    SERUM_SUBSTITUTE = "serum_substitute"
    ANTIBIOTIC = "antibiotic"
    ENZYME = "enzyme"
    REAGENT = "reagent"
    BUFFER = "buffer"
    CONTAINER = "container"


class Grade(StrEnum):
    PHARMACEUTICAL = "pharmaceutical"
    NON_PHARMACEUTICAL = "non_pharmaceutical"


class AntibioticClass(StrEnum):
    BETA_LACTAM = "beta_lactam"
    AMINOGLYCOSIDE = "aminoglycoside"
    MACROLIDE = "macrolide"
    TETRACYCLINE = "tetracycline"
    POLYPEPTIDE = "polypeptide"
    POLYENE_ANTIFUNGAL = "polyene_antifungal"
    OTHER = "other"


class AnimalSpecies(StrEnum):
    BOVINE = "bovine"
    PORCINE = "porcine"
    MURINE = "murine"
    EQUINE = "equine"
    OVINE = "ovine"
    CAPRINE = "caprine"
    LEPORINE = "leporine"


def material_id(reference: str) -> UUID:
    return uuid5(_NAMESPACE, f"material:{reference.strip().upper()}")


class MaterialFacts(TypedDict):
    """What decides where a material may be used (R-MAT-2..4); every lot keeps a copy."""

    kind: str
    antibiotic_classes: list[str]
    contains_serum: bool
    animal_species: str | None
    origin_country: str | None
    gmp: bool
    pathogen_screening_ref: str


class HasMaterialFacts:
    """Typed reading of the `facts` of a material definition or of one of its lots."""

    if TYPE_CHECKING:
        facts: MaterialFacts

    @property
    def antibiotic_classes(self) -> list[AntibioticClass]:
        return [AntibioticClass(c) for c in self.facts["antibiotic_classes"]]

    @property
    def animal_species(self) -> AnimalSpecies | None:
        species = self.facts["animal_species"]
        return AnimalSpecies(species) if species else None

    @property
    def contains_serum(self) -> bool:
        return self.facts["contains_serum"]

    @property
    def origin_country(self) -> str | None:
        return self.facts["origin_country"]

    @property
    def gmp(self) -> bool:
        return self.facts["gmp"]

    @property
    def pathogen_screening_ref(self) -> str:
        return self.facts["pathogen_screening_ref"]


class Material(HasMaterialFacts, LedgerAggregate):
    """A raw material, reagent or container as qualified for use (R-MAT-1..3)."""

    @event("Defined")
    def __init__(
        self, reference: str, name: str, grade: str, risk_assessment_ref: str, facts: MaterialFacts
    ) -> None:
        self.reference = reference
        self.name = name
        self.grade = Grade(grade)
        self.facts = facts

    @staticmethod
    def create_id(reference: str) -> UUID:
        return material_id(reference)

    @classmethod
    def define(
        cls,
        reference: str,
        name: str,
        kind: MaterialKind,
        grade: Grade,
        *,
        risk_assessment_ref: str = "",
        antibiotic_classes: list[AntibioticClass] | None = None,
        contains_serum: bool = False,
        animal_species: AnimalSpecies | None = None,
        origin_country: str | None = None,
        gmp: bool = False,
        pathogen_screening_ref: str = "",
    ) -> Material:
        """Check the definition and create it."""
        classes = sorted({c.value for c in antibiotic_classes or []})
        ref = reference.strip().upper()
        problems = []
        if not ref or not name.strip():
            problems.append(
                Violation.of("R-MAT-1", "give the material's catalogue reference and name")
            )
        if grade is Grade.NON_PHARMACEUTICAL and not risk_assessment_ref.strip():
            problems.append(
                Violation.of(
                    "R-MAT-1",
                    "{ref} is not pharmaceutical grade; give the reference of its risk assessment",
                    ref=ref,
                )
            )
        if kind is MaterialKind.ANTIBIOTIC and not classes:
            problems.append(
                Violation.of("R-MAT-2", "name the antibiotic class(es) of {ref}", ref=ref)
            )
        country = (origin_country or "").strip().upper()
        if animal_species is not None and not (len(country) == 2 and country.isalpha()):
            problems.append(
                Violation.of(
                    "R-MAT-3",
                    "{ref} is animal-derived; give its country of origin (ISO 3166 code, e.g. NZ)",
                    ref=ref,
                )
            )
        if problems:
            raise RuleViolation(problems)
        facts = MaterialFacts(
            kind=kind.value,
            antibiotic_classes=classes,
            contains_serum=contains_serum
            or kind in (MaterialKind.SERUM, MaterialKind.SERUM_SUBSTITUTE),
            animal_species=animal_species.value if animal_species else None,
            origin_country=country or None,
            gmp=gmp,
            pathogen_screening_ref=pathogen_screening_ref.strip(),
        )
        return cls(ref, name.strip(), grade.value, risk_assessment_ref.strip(), facts)


EPIDEMIC_AREAS_ID = uuid5(_NAMESPACE, "epidemic-areas")


class EpidemicAreas(LedgerAggregate):
    """The register of animal-origin countries that are epidemic areas (R-MAT-3: 严禁使用疫区
    来源的动物血清); checked at every use, so a listing applies to lots already received."""

    @event("Opened")
    def __init__(self) -> None:
        self.areas: dict[str, str] = {}

    @staticmethod
    def create_id() -> UUID:
        return EPIDEMIC_AREAS_ID

    @staticmethod
    def key(species: AnimalSpecies, country: str) -> str:
        return f"{species.value}:{country.strip().upper()}"

    def declare(self, species: AnimalSpecies, country: str, reference: str) -> None:
        problems = []
        if self.key(species, country) in self.areas:
            problems.append(
                Violation.of(
                    "R-MAT-3",
                    "{country} is already an epidemic area for {species:term}",
                    country=country,
                    species=species,
                )
            )
        if not reference.strip():
            problems.append(Violation.of("R-MAT-3", "give the announcement that lists the area"))
        if problems:
            raise RuleViolation(problems)
        self._declared(species.value, country.strip().upper(), reference.strip())

    @event("AreaDeclared")
    def _declared(self, species: str, country: str, reference: str) -> None:
        self.areas = {**self.areas, f"{species}:{country}": reference}

    def lift(self, species: AnimalSpecies, country: str, reason: str) -> None:
        problems = []
        if self.key(species, country) not in self.areas:
            problems.append(
                Violation.of(
                    "R-MAT-3",
                    "{country} is not an epidemic area for {species:term}",
                    country=country,
                    species=species,
                )
            )
        if not reason.strip():
            problems.append(Violation.of("R-MAT-3", "give the reason the listing is lifted"))
        if problems:
            raise RuleViolation(problems)
        self._lifted(species.value, country.strip().upper(), reason.strip())

    @event("AreaLifted")
    def _lifted(self, species: str, country: str, reason: str) -> None:
        self.areas = {k: v for k, v in self.areas.items() if k != f"{species}:{country}"}

    def covers(self, species: str | None, country: str | None) -> bool:
        return bool(species and country) and f"{species}:{country}" in self.areas
