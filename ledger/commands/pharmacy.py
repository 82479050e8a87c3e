"""Commands of the site pharmacy: storing received vials in a place (and moving or returning
them), dispensing a vial for a subject, and the randomisation list by which the ledger
allocates a blinded kit (R-TRC-2, R-QC-3, R-SHP-3, R-CLN-2, R-CLN-5, §7.2.3, §7.3.2).
"""

from __future__ import annotations

from collections.abc import Sequence

from ledger.commands.blinding import kit_link, opened_randomisation, sealed_lineage_refusals
from ledger.commands.donors import donor_standings
from ledger.commands.shipments import shipment_of, vial_refusals
from ledger.commands.storage import leave_units, storage_unit
from ledger.core import Actor, LedgerCore, Receipt
from ledger.domain.adverse_event import StudyStatus
from ledger.domain.bedside import autologous_mismatch
from ledger.domain.patient import Patient
from ledger.domain.product_vial import ProductVial
from ledger.domain.shipment import Shipment
from ledger.domain.site import Site
from ledger.domain.study import Study
from ledger.errors import RuleViolation, Violation
from ledger.identifiers import ItemType
from ledger.stores import sealed

STORE = "pharmacy.store"
DISPENSE = "pharmacy.dispense"
RANDOMISATION = "pharmacy.randomisation"


class PharmacyCommands(LedgerCore):
    def store_vials(
        self,
        actor: Actor,
        shipment_code: str,
        vials: Sequence[str],
        place: str,
        unit_c: float,
        unit_code: str | None = None,
    ) -> Receipt:
        """Store vials of a re-inspected shipment in a place of the site pharmacy (a move if
        they were stored, a return if dispensed and not thawed) (R-TRC-2, R-QC-3, R-SHP-3); at
        a site with registered storage units, in one of them (R-SHP-5)."""
        actor, shipment = self.on_item(
            actor, STORE, self.loader(ItemType.SHIPMENT, Shipment), shipment_code
        )
        stored = [self._pharmacy_vial(v) for v in vials]
        site = self.load(shipment.site, ItemType.SITE, Site)
        unit = storage_unit(self, unit_code) if unit_code else None
        codes = [v.code for v in stored]
        with self.command(actor):
            moved = {v: u for v, u in shipment.units.items() if v in codes}
            shipment.store(stored, place, unit_c, unit, site.units, self.clock())
            left = leave_units(self, moved, "moved", keep=unit.code if unit else None)
        return self.record(shipment, unit, *left)

    def dispense(
        self, actor: Actor, patient_code: str, place: str, vial_code: str | None = None
    ) -> tuple[str, Receipt]:
        """Dispense a stored, released vial for a subject to the ward or bedside. For a subject
        of a blinded study the ledger picks the kit of their randomisation arm, so name no
        vial (R-CLN-2, R-CLN-5). Returns the vial dispensed."""
        actor, patient = self.on_item(
            actor, DISPENSE, self.loader(ItemType.PATIENT, Patient), patient_code
        )
        study = self.load(patient.study, ItemType.STUDY, Study)
        problems = subject_problems(patient, study)
        if study.blinded:
            vial, shipment = self._allocate_kit(patient, study, vial_code)
        else:
            vial, shipment = self._named_vial(patient, vial_code)
        donors = donor_standings(self, vial.donor_codes)
        problems.extend(vial.step_refusals(donors))
        problems.extend(sealed_lineage_refusals(self, vial))
        autologous = [d.code for d in donors if d.autologous]
        if autologous_mismatch(vial.donor_codes, autologous, patient.donor):
            problems.append(
                Violation.of(
                    "R-CLN-2",
                    "{vial} is autologous material of {donor_codes:list}; dispense it only for "
                    "that donor's own patient record",
                    vial=vial.code,
                    donor_codes=vial.donor_codes,
                )
            )
        with self.command(actor):
            held = {vial.code: shipment.units[vial.code]} if vial.code in shipment.units else {}
            shipment.dispense(vial, patient.code, patient.site, place, self.today(), problems)
            left = leave_units(self, held, f"dispensed for {patient.code}")
        return vial.code, self.record(shipment, *left)

    def load_randomisation(
        self, actor: Actor, study_code: str, arms: Sequence[str], reference: str
    ) -> Receipt:
        """Load (or extend) a blinded study's randomisation list, signed (R-CLN-5, R-LED-5:
        the API re-authenticates the signer). The list stays restricted."""
        actor = self.authorise(actor, RANDOMISATION)
        study = self.load(study_code, ItemType.STUDY, Study)
        now = self.clock()

        def seal(chunk: list[str]) -> str:
            return self.seals.seal(
                study.code, sealed.RANDOMISATION, study.code, chunk, now, len(chunk)
            )

        with self.command(actor):
            study.load_randomisation(arms, reference, seal)
        return self.record(study)

    def _allocate_kit(
        self, patient: Patient, study: Study, vial_code: str | None
    ) -> tuple[ProductVial, Shipment]:
        """The kit of the subject's arm at their site that expires first (R-CLN-2)."""
        if vial_code:
            raise RuleViolation(
                [
                    Violation.of(
                        "R-CLN-2",
                        "{patient} is a subject of the blinded study {study}; the ledger "
                        "allocates their kit - dispense without naming a vial",
                        patient=patient.code,
                        study=study.code,
                    )
                ]
            )
        arm = study.arm_of(patient.code, opened_randomisation(self, study))
        site = self.load(patient.site, ItemType.SITE, Site)
        kits = []
        for code in site.shipments:
            shipment = self.load(code, ItemType.SHIPMENT, Shipment)
            for vial in (self._pharmacy_vial(v) for v in shipment.in_stock()):
                if vial.blinding is None or vial.blinding["study"] != study.code:
                    continue
                link = kit_link(self, vial)
                if link is None or link.arm != arm:
                    continue
                if vial.expiry >= self.today() and not vial_refusals(self, [vial]):
                    kits.append((vial.expiry, vial.code, vial, shipment))
        if not kits:
            number = study.allocated.get(patient.code)
            raise RuleViolation(
                [
                    Violation.of(
                        "R-CLN-2",
                        "no released, stored kit at {site} fits {patient} (randomisation "
                        "number {number}); ship and release kits of {study} to the site",
                        site=site.code,
                        patient=patient.code,
                        number=number,
                        study=study.code,
                    )
                ]
            )
        _, _, vial, shipment = min(kits, key=lambda k: (k[0], k[1]))
        return vial, shipment

    def _named_vial(self, patient: Patient, vial_code: str | None) -> tuple[ProductVial, Shipment]:
        if not vial_code:
            raise RuleViolation(
                [
                    Violation.of(
                        "R-CLN-2", "scan the vial to dispense for {patient}", patient=patient.code
                    )
                ]
            )
        vial = self._pharmacy_vial(vial_code)
        if vial.blinding is not None:
            raise RuleViolation(
                [
                    Violation.of(
                        "R-CLN-2",
                        "{vial} is a blinded kit; it is dispensed only by allocation to a "
                        "randomised subject of its study",
                        vial=vial.code,
                    )
                ]
            )
        shipment = shipment_of(self, vial)
        if shipment is None:
            raise RuleViolation(
                [
                    Violation.of(
                        "R-QC-4",
                        "{vial} was never shipped to {site}; do not dispense it",
                        vial=vial.code,
                        site=patient.site,
                    )
                ]
            )
        return vial, shipment

    def _pharmacy_vial(self, code: str) -> ProductVial:
        return self.load(code, ItemType.PRODUCT_VIAL, ProductVial)


def subject_problems(patient: Patient, study: Study) -> list[Violation]:
    """Why nothing may be dispensed for the subject now: consent, the subject left the study
    (R-CLN-10), study paused."""
    problems = []
    if patient.exited_on is not None:
        problems.append(
            Violation.of(
                "R-CLN-10",
                "{patient} left the study on {on}; do not dispense",
                patient=patient.code,
                on=patient.exited_on,
            )
        )
    if not patient.consented:
        problems.append(
            Violation.of(
                "R-CLN-2",
                "{patient} has no consent in force; do not dispense",
                patient=patient.code,
            )
        )
    if study.status != StudyStatus.ACTIVE:
        problems.append(
            Violation.of(
                "R-CLN-4",
                "study {study} is {status:term}; nothing may be dispensed until the study is "
                "resumed",
                study=study.code,
                status=study.status,
            )
        )
    return problems
