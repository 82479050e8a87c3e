"""The production and clinical part of a generated lineage (R-PRO-1..4, R-QC-1..4, R-SHP-1..3,
R-CLN-1..3, for R-TRC-1..2): from a thawed working-bank vial, a culture and its supernatant
harvests, purified product lots with their QC results, QA certification and fill; shipments of
some vials to a few sites with hand-off, logger readings, delivery, receipt re-inspection, QP
release and storage in the site pharmacy; patients enrolled in rotating studies, each given
one vial dispensed for them. Every step goes through `CellTraceLedger`'s commands, so every
GMP rule applies as in real use.

No randomness here: the lineage's `Shape` (drawn by the caller) says how much is made, and
fixed rotations say which shipment logs an excursion or has a vial failing re-inspection.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from ledger.application import CellTraceLedger
from ledger.demo.clinical import PROTOCOL
from ledger.demo.production import (
    EV_SPEC,
    TFF_SEC,
    grow,
    harvest,
    issue_ev_specification,
    lot_results,
    record_results,
)
from ledger.demo.records import Staff
from ledger.domain.material_use import UseOf
from ledger.domain.patient import Consent

#: Materials of production (reference -> step): expansion medium and serum, dissociation
#: enzyme, serum-free collection medium, purification buffer.
CULTURE_MATERIALS = ("MEM-ALPHA", "FBS-NZ", "TRYPLE", "SFM-EV")
COLLECTION_MEDIUM, BUFFER = "SFM-EV", "PBS-EV"
HARVESTS_PER_LOT = 2
VIAL_ML = 1.0  # TFF + SEC gives 20 mL a lot: at most 20 vials
SITES = ("University Hospital A", "Provincial Hospital B", "City Hospital C")
PATIENTS_PER_STUDY = 200  # a new study (active at every site) after this many subjects
DOSES = (("high", 1.0), ("low", 0.5))  # the protocol's cohorts, alternately
ROUTE = "intravenous"
PHARMACY, FREEZER_C = "Pharmacy freezer F2 (-80 C)/rack 1", -80.0
WARD = "Ward 5 treatment room"
EXCURSION_EVERY = 20  # this shipment logs an excursion that QA assesses as acceptable
FAILED_EVERY = 10  # this shipment has one vial failing receipt re-inspection


@dataclass
class Made:
    """What the production and clinical steps of one lineage recorded, oldest first."""

    items: list[str] = field(default_factory=list)
    lots: set[str] = field(default_factory=set)  # material lots used
    product_lots: list[str] = field(default_factory=list)
    product_vials: list[str] = field(default_factory=list)
    shipments: list[str] = field(default_factory=list)
    patients: list[str] = field(default_factory=list)


class Downstream:
    """Records product lots to patients; sets up its specification, sites and first study
    when created (so a ledger without production holds none of them)."""

    def __init__(self, app: CellTraceLedger, staff: Staff, lot: Callable[[str], str]) -> None:
        self.app, self.staff, self.lot = app, staff, lot
        admin = staff["administrator"]
        issue_ev_specification(app, staff)
        self.sites: list[str] = []
        for name in SITES:
            site, _ = app.register_site(admin, name)
            app.authorise_qp(admin, staff["qp"].person_id, site)
            self.sites.append(site)
        self.studies: list[str] = []
        self.enrolled = PATIENTS_PER_STUDY
        self.shipped = 0

    def produce(self, vial: str, lots: int, vials: int, made: Made) -> list[list[str]]:
        """A culture of the thawed working-bank `vial` and `lots` product lots of it, each
        tested, certified and filled into `vials` vials; the vials of each lot."""
        app, operator = self.app, self.staff["operator"]
        materials = {ref: self.lot(ref) for ref in CULTURE_MATERIALS}
        culture = grow(app, self.staff, vial, materials)
        made.items.append(culture)
        made.lots |= set(materials.values())
        filled = []
        for _ in range(lots):
            medium = {COLLECTION_MEDIUM: self.lot(COLLECTION_MEDIUM)}
            harvests = harvest(app, self.staff, culture, medium, HARVESTS_PER_LOT)
            buffer = self.lot(BUFFER)
            lot, _ = app.purify_lot(operator, harvests, TFF_SEC, EV_SPEC, [UseOf(buffer)])
            record_results(app, self.staff, lot_results(app, lot), lot)
            app.certify_lot(self.staff["qa"], lot)
            codes, _ = app.fill_lot(operator, lot, vials, VIAL_ML, "2 mL cryovial, closed")
            made.items += [*harvests, lot, *codes]
            made.lots |= {medium[COLLECTION_MEDIUM], buffer}
            made.product_lots.append(lot)
            made.product_vials += codes
            filled.append(codes)
        return filled

    def distribute(self, vials: Sequence[str], doses: int, made: Made) -> None:
        """Ship `vials` to the next site; after delivery, re-inspection, the site QP's release
        and storage in the pharmacy, enrol `doses` patients there and give each one vial."""
        app, staff = self.app, self.staff
        operator, pharmacist, nurse = staff["operator"], staff["pharmacist"], staff["nurse"]
        site = self.sites[self.shipped % len(self.sites)]
        self.shipped += 1
        half = (len(vials) + 1) // 2
        containers = [vials[:half], vials[half:]] if len(vials) > 3 else [vials]
        shipment, _, _ = app.ship_vials(operator, site, containers, "ColdCourier WB-1", 10)
        app.hand_off_shipment(operator, shipment, "ColdCourier driver 17", app.clock())
        now = app.clock()
        readings = [(now - timedelta(minutes=30), -78.5), (now, -77.9)]
        excursion = self.shipped % EXCURSION_EVERY == 0
        if excursion:
            readings.append((now, -41.2))
        csv = "timestamp,temperature\n" + "".join(f"{at.isoformat()},{t}\n" for at, t in readings)
        app.upload_logger_file(operator, shipment, "LG-7", csv)
        if excursion:
            app.assess_excursion(
                staff["qa"], shipment, True, "single reading, within the stability data", "DEV-7"
            )
        app.deliver_shipment(pharmacist, shipment, app.clock())
        failed = {vials[-1]: "cracked cap"} if self.shipped % FAILED_EVERY == 0 else {}
        app.inspect_receipt(pharmacist, shipment, [v for v in vials if v not in failed], failed)
        released, _ = app.release_for_use(staff["qp"], shipment)
        if released:
            app.store_vials(pharmacist, shipment, released, PHARMACY, FREEZER_C)
        made.items.append(shipment)
        made.shipments.append(shipment)
        for vial in released[:doses]:
            study = self._study()
            cohort, dose = DOSES[self.enrolled % len(DOSES)]
            consent = Consent(form_version="ICF v2.0", signed_on=app.today())
            patient, _ = app.enrol_patient(staff["investigator"], study, site, cohort, consent)
            app.dispense(pharmacist, patient, WARD, vial)
            app.thaw_at_bedside(nurse, vial, patient, dose, ROUTE)
            app.administer(nurse, vial, patient, dose, ROUTE, pharmacist)
            made.items.append(patient)
            made.patients.append(patient)

    def _study(self) -> str:
        """The study now enrolling; a new one, active at every site, every so many subjects."""
        if self.enrolled >= PATIENTS_PER_STUDY:
            investigator = self.staff["investigator"]
            title = f"EV for knee osteoarthritis, phase I, part {len(self.studies) + 1}"
            study, _ = self.app.register_study(investigator, title, PROTOCOL)
            for site in self.sites:
                self.app.activate_site(investigator, study, site)
            self.studies.append(study)
            self.enrolled = 0
        self.enrolled += 1
        return self.studies[-1]


__all__ = ["Downstream", "Made"]
