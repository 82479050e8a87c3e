"""Commands for materials: definitions, received lots, QC disposition, recall, the epidemic-area
register, and the use check every step that consumes a lot runs (R-MAT-1..5)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate

from ledger.core import Actor, LedgerCore, Receipt
from ledger.domain.base import parse_enum, parse_enums
from ledger.domain.material import (
    EPIDEMIC_AREAS_ID,
    AnimalSpecies,
    AntibioticClass,
    EpidemicAreas,
    Grade,
    Material,
    MaterialKind,
    material_id,
)
from ledger.domain.material_lot import MaterialLot
from ledger.domain.material_use import MaterialUseCheck, Stage, UseOf, check_use
from ledger.errors import NotFound, RuleViolation, Violation
from ledger.identifiers import ItemType

A = TypeVar("A", bound=Aggregate)

DEFINE = "materials.define"
RECEIVE = "materials.receive"
DISPOSITION = "materials.disposition"
RECALL = "materials.recall"
EPIDEMIC_AREAS = "materials.epidemic_areas"

#: Who may record each step (R-PPL-2); every role listed also needs the step's training.


class MaterialCommands(LedgerCore):
    def define_material(
        self,
        actor: Actor,
        reference: str,
        name: str,
        kind: str,
        grade: str,
        *,
        risk_assessment_ref: str = "",
        antibiotic_classes: Sequence[str] = (),
        contains_serum: bool = False,
        animal_species: str | None = None,
        origin_country: str | None = None,
        gmp: bool = False,
        pathogen_screening_ref: str = "",
    ) -> Receipt:
        """Qualify a material for use: its kind, grade and origin (R-MAT-1..3)."""
        actor = self.authorise(actor, DEFINE)
        if find(self, Material, material_id(reference)) is not None:
            raise RuleViolation(
                [
                    Violation.of(
                        "R-MAT-1", "material {reference} is already defined", reference=reference
                    )
                ]
            )
        with self.command(actor):
            material = Material.define(
                reference,
                name,
                parse_enum(MaterialKind, kind, "R-MAT-1", "material kind"),
                parse_enum(Grade, grade, "R-MAT-1", "grade"),
                risk_assessment_ref=risk_assessment_ref,
                antibiotic_classes=parse_enums(
                    AntibioticClass, antibiotic_classes, "R-MAT-2", "antibiotic class"
                ),
                contains_serum=contains_serum,
                animal_species=_species(animal_species),
                origin_country=origin_country,
                gmp=gmp,
                pathogen_screening_ref=pathogen_screening_ref,
            )
        return self.record(material)

    def receive_material_lot(
        self,
        actor: Actor,
        material_reference: str,
        supplier: str,
        supplier_lot: str,
        expiry: date,
        coa_ref: str,
    ) -> tuple[str, Receipt]:
        """Receive a lot into quarantine; returns its new code (R-MAT-1)."""
        actor, material = self.on_item(actor, RECEIVE, self.get_material, material_reference)
        with self.command(actor):
            sequence, (code,) = self.issue_codes(ItemType.MATERIAL_LOT)
            lot = MaterialLot.receive(
                str(code), material, supplier, supplier_lot, expiry, coa_ref, self.today()
            )
        return str(code), self.record(sequence, lot)

    def release_material_lot(self, actor: Actor, lot_code: str, qc_record_ref: str) -> Receipt:
        actor, lot = self.on_item(actor, DISPOSITION, self.get_material_lot, lot_code)
        with self.command(actor):
            lot.release(qc_record_ref, self.today())
        return self.record(lot)

    def reject_material_lot(self, actor: Actor, lot_code: str, reason: str) -> Receipt:
        actor, lot = self.on_item(actor, DISPOSITION, self.get_material_lot, lot_code)
        with self.command(actor):
            lot.reject(reason)
        return self.record(lot)

    def recall_material_lot(self, actor: Actor, lot_code: str, reason: str) -> Receipt:
        actor, lot = self.on_item(actor, RECALL, self.get_material_lot, lot_code)
        with self.command(actor):
            lot.recall(reason)
        return self.record(lot)

    def declare_epidemic_area(
        self, actor: Actor, species: str, country: str, reference: str
    ) -> Receipt:
        """List an animal-origin country as an epidemic area for a species (R-MAT-3)."""
        return self._epidemic_areas(
            actor, species, lambda areas, kind: areas.declare(kind, country, reference)
        )

    def lift_epidemic_area(self, actor: Actor, species: str, country: str, reason: str) -> Receipt:
        return self._epidemic_areas(
            actor, species, lambda areas, kind: areas.lift(kind, country, reason)
        )

    def _epidemic_areas(
        self, actor: Actor, species: str, change: Callable[[EpidemicAreas, AnimalSpecies], None]
    ) -> Receipt:
        """Change the one register of epidemic areas, made on first use (R-MAT-3)."""
        actor = self.authorise(actor, EPIDEMIC_AREAS)
        checked = parse_enum(AnimalSpecies, species, "R-MAT-3", "animal species")
        with self.command(actor):
            register = find(self, EpidemicAreas, EPIDEMIC_AREAS_ID) or EpidemicAreas()
            change(register, checked)
        return self.record(register)

    def list_epidemic_areas(self) -> dict[str, str]:
        """Listed epidemic areas as `species:COUNTRY` -> the announcement that lists them."""
        register = find(self, EpidemicAreas, EPIDEMIC_AREAS_ID)
        return dict(register.areas) if register else {}

    def get_material(self, reference: str) -> Material:
        material = find(self, Material, material_id(reference))
        if material is None:
            raise NotFound(f"no material {reference} is defined; define it first")
        return material

    def get_material_lot(self, lot_code: str) -> MaterialLot:
        return self.load(lot_code, ItemType.MATERIAL_LOT, MaterialLot)


def check_material_uses(
    core: LedgerCore, uses: Sequence[UseOf], stage: Stage
) -> list[MaterialUseCheck]:
    """Load each scanned lot and check its use at `stage` today (R-MAT-1..5); the step's
    aggregate records the uses and refuses with every problem found."""
    register = find(core, EpidemicAreas, EPIDEMIC_AREAS_ID)
    checks = []
    for use in uses:
        lot = core.load(use.lot, ItemType.MATERIAL_LOT, MaterialLot)
        epidemic = register is not None and register.covers(lot.animal_species, lot.origin_country)
        checks.append(check_use(lot, use, stage, core.today(), epidemic))
    return checks


def find(core: LedgerCore, kind: type[A], aggregate_id: UUID) -> A | None:
    """The aggregate with `aggregate_id` if it exists and is a `kind`."""
    try:
        found: Aggregate = core.repository.get(aggregate_id)
    except AggregateNotFoundError:
        return None
    return found if isinstance(found, kind) else None


def _species(name: str | None) -> AnimalSpecies | None:
    if not name:
        return None
    return parse_enum(AnimalSpecies, name, "R-MAT-3", "animal species")
