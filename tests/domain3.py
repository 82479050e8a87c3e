"""Builders for the Domain III tests: a "clinic" ledger on top of the Domain II plant (trained
clinical staff, two sites, a study active at both, a QP authorised for the first site, and a
certified lot filled into product vials), built once per test module on SQLite and copied for
each test with a clock the test can move.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from ledger.application import Actor, CellTraceLedger
from ledger.commands.blinding import kit_link
from ledger.commands.registry import STEPS as REGISTRY
from ledger.config import Settings
from ledger.demo.clinical import PROTOCOL
from ledger.demo.production import EV_SPEC, lot_results, record_results
from ledger.domain.material_use import UseOf
from ledger.domain.patient import Consent
from ledger.domain.product_vial import ProductVial
from ledger.domain.study import Protocol
from ledger.identifiers import ItemType
from tests.domain1 import NOW, TODAY
from tests.domain2 import Plant, build_plant, purified_lot

STEP_ROLES = {
    key: rule.roles
    for key, rule in REGISTRY.items()
    if key.split(".")[0] in {"clinical", "shipment", "pharmacy", "bedside", "safety"}
}

CONSENT = Consent(form_version="ICF v2.0", signed_on=TODAY)
PLACE = "Pharmacy freezer F2 (-80 C)/rack 3/box 1"
WARD = "Ward 5 treatment room"


@dataclass
class Clock:
    """The tests' clock: starts at NOW and can be moved."""

    now: datetime = NOW

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@dataclass(frozen=True)
class Clinic:
    """What a clinical test starts from."""

    plant: Plant
    site: str  # the study's first site; the staff's QP is authorised for both
    other_site: str  # also active for the study
    study: str
    lot: str  # certified
    vials: tuple[str, ...]  # filled from `lot`, at the plant
    staff: dict[str, Actor]


def train(
    app: CellTraceLedger, staff: dict[str, Actor], steps: Mapping[str, Sequence[str]]
) -> None:
    admin, valid = staff["administrator"], TODAY + timedelta(days=365)
    for step, roles in steps.items():
        for role in roles:
            app.record_training(admin, staff[role].person_id, step, TODAY, valid, f"SOP-{step}")


def certified_lot(app: CellTraceLedger, plant: Plant, blinded_study: str = "") -> str:
    """A certified lot (of `blinded_study`'s active arm if given)."""
    lot = purified_lot(app, plant, blinded_study)
    record_results(app, plant.staff, lot_results(app, lot), lot)
    app.certify_lot(plant.staff["qa"], lot)
    return lot


def certified_vials(app: CellTraceLedger, plant: Plant, n: int = 6) -> tuple[str, list[str]]:
    """A certified lot filled into `n` vials of 1 mL."""
    lot = certified_lot(app, plant)
    vials, _ = app.fill_lot(plant.staff["operator"], lot, n, 1.0, "2 mL cryovial, closed")
    return lot, vials


def build_clinic(directory: Path) -> Clinic:
    plant = build_plant(directory)
    app = CellTraceLedger(plant.settings, clock=lambda: NOW)
    try:
        staff = plant.staff
        train(app, staff, STEP_ROLES)
        site, _ = app.register_site(staff["administrator"], "University Hospital A")
        other, _ = app.register_site(staff["administrator"], "Provincial Hospital B")
        for code in (site, other):
            app.authorise_qp(staff["administrator"], staff["qp"].person_id, code)
        study, _ = app.register_study(staff["investigator"], "EV for knee OA, phase I", PROTOCOL)
        for code in (site, other):
            app.activate_site(staff["investigator"], study, code)
        lot, vials = certified_vials(app, plant)
    finally:
        app.close()
    return Clinic(plant, site, other, study, lot, tuple(vials), staff)


Clinical = tuple[CellTraceLedger, Clinic, Clock]


@contextmanager
def clinic_ledger(template: Clinic, directory: Path) -> Iterator[Clinical]:
    """A copy of the template clinic in `directory`, opened with a movable clock."""
    data = directory / "data"
    shutil.copytree(template.plant.settings.data_dir, data)
    settings = Settings(data_dir=data, database_url=f"sqlite:///{data / 'ledger.db'}")
    clock = Clock()
    app = CellTraceLedger(settings, clock=clock)
    try:
        yield app, template, clock
    finally:
        app.close()


def enrolled(app: CellTraceLedger, clinic: Clinic, cohort: str = "high", **kw: str) -> str:
    """A consented subject of the clinic's study at its first site."""
    site = kw.get("site", clinic.site)
    code, _ = app.enrol_patient(clinic.staff["investigator"], clinic.study, site, cohort, CONSENT)
    return code


def shipped(app: CellTraceLedger, clinic: Clinic, vials: Sequence[str] = (), site: str = "") -> str:
    """A shipment of `vials` (default: the first three of the clinic) in one container."""
    chosen = list(vials or clinic.vials[:3])
    code, _, _ = app.ship_vials(
        clinic.staff["operator"], site or clinic.site, [chosen], "ColdCourier WB-1", 10
    )
    return code


def logged(app: CellTraceLedger, clinic: Clinic, shipment: str) -> None:
    """The shipment's logger file, read out now: a reading in range at the present time."""
    csv = f"timestamp,temperature\n{app.clock().isoformat()},-78.0\n"
    app.upload_logger_file(clinic.staff["operator"], shipment, "LG-1", csv)


def received(
    app: CellTraceLedger, clinic: Clinic, vials: Sequence[str] = (), site: str = ""
) -> str:
    """A shipment delivered now, with a complete temperature record (R-SHP-4), and
    re-inspected at the site with every vial passing."""
    code = shipped(app, clinic, vials, site)
    logged(app, clinic, code)
    pharmacist = clinic.staff["pharmacist"]
    app.deliver_shipment(pharmacist, code, app.clock())
    app.inspect_receipt(pharmacist, code, app.get_shipment(code).vials)
    return code


def released(
    app: CellTraceLedger, clinic: Clinic, vials: Sequence[str] = (), site: str = ""
) -> str:
    """A received shipment whose vials the site QP released for use."""
    code = received(app, clinic, vials, site)
    app.release_for_use(clinic.staff["qp"], code)
    return code


def stocked(app: CellTraceLedger, c: Clinic, vials: tuple[str, ...] = ()) -> str:
    """A released shipment whose vials are stored in the pharmacy freezer."""
    shipment = released(app, c, vials or c.vials[:3])
    store = app.get_shipment(shipment).vials
    app.store_vials(c.staff["pharmacist"], shipment, store, PLACE, -80)
    return shipment


def dispensed(app: CellTraceLedger, c: Clinic, patient: str, vials: tuple[str, ...] = ()) -> str:
    """A stocked shipment's first vial dispensed for `patient` (R-CLN-8); returns the vial."""
    shipment = stocked(app, c, vials)
    vial, _ = app.dispense(
        c.staff["pharmacist"], patient, WARD, app.get_shipment(shipment).vials[0]
    )
    return vial


def dispense_released(app: CellTraceLedger, c: Clinic, patient: str, vial: str) -> None:
    """Store `vial` of a released shipment in the pharmacy and dispense it for `patient`."""
    shipment = next(s for s in app.get_product_vial(vial).children if s.startswith("SHP-"))
    app.store_vials(c.staff["pharmacist"], shipment, [vial], PLACE, -80)
    app.dispense(c.staff["pharmacist"], patient, WARD, vial)


def given(app: CellTraceLedger, c: Clinic, vial: str, site: str = "") -> str:
    """A new subject at `site` (default: the first) given `vial` of a released shipment there:
    dispensed, thawed and administered. Returns the subject."""
    patient = enrolled(app, c, site=site or c.site)
    dispense_released(app, c, patient, vial)
    app.thaw_at_bedside(c.staff["nurse"], vial, patient, 1.0, "intravenous")
    app.administer(c.staff["nurse"], vial, patient, 1.0, "intravenous", c.staff["pharmacist"])
    return patient


def blinded_study(app: CellTraceLedger, c: Clinic) -> str:
    """A blinded study active at the clinic's first site."""
    protocol = Protocol(**{**PROTOCOL, "version": "EV-KOA-02 v1.0", "blinded": True})
    study, _ = app.register_study(c.staff["investigator"], "EV vs placebo, phase II", protocol)
    app.activate_site(c.staff["investigator"], study, c.site)
    return study


def blinded_lots(app: CellTraceLedger, c: Clinic, study: str) -> tuple[str, str]:
    """A certified active lot and a certified placebo lot of `study`."""
    active = certified_lot(app, c.plant, blinded_study=study)
    placebo_lot, _ = app.formulate_placebo_lot(
        c.staff["operator"],
        study,
        "PBS matched to the EV formulation",
        10.0,
        EV_SPEC,
        [UseOf(c.plant.lots["PBS-EV"])],
    )
    record_results(app, c.plant.staff, lot_results(app, placebo_lot), placebo_lot)
    app.certify_lot(c.plant.staff["qa"], placebo_lot)
    return active, placebo_lot


def kits(app: CellTraceLedger, c: Clinic, study: str, per_arm: int = 1) -> dict[str, str]:
    """Stored kits of `study` at the site, `per_arm` of each arm: kit -> arm (opened from
    the seals, as only the application can)."""
    active, placebo = blinded_lots(app, c, study)
    lots = {active: per_arm, placebo: per_arm}
    codes, _ = app.fill_kits(c.staff["operator"], study, lots, 1.0, "2 mL cryovial")
    stocked(app, c, tuple(codes))
    return {code: arm_of_kit(app, code) for code in codes}


def arm_of_kit(app: CellTraceLedger, code: str) -> str:
    link = kit_link(app, app.load(code, ItemType.PRODUCT_VIAL, ProductVial))
    assert link is not None
    return link.arm


def enrolled_in(app: CellTraceLedger, c: Clinic, study: str) -> str:
    code, _ = app.enrol_patient(c.staff["investigator"], study, c.site, "high", CONSENT)
    return code
