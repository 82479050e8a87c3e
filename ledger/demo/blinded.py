"""The demo's blinded study (R-ACC-5, R-CLN-2, R-CLN-5): a sealed randomisation list, active and
placebo lots filled together into kits that nothing stored tells apart, allocation at the site
pharmacy without anyone seeing an arm, and one signed emergency unblinding."""

from __future__ import annotations

from collections.abc import Mapping

from ledger.application import CellTraceLedger
from ledger.demo.clinical import PROTOCOL
from ledger.demo.production import EV_SPEC, TFF_SEC, lot_results, record_results
from ledger.demo.records import Echo, Staff
from ledger.domain.material_use import UseOf
from ledger.domain.patient import Consent
from ledger.domain.study import Protocol, Study
from ledger.identifiers import ItemType

RANDOMISATION = ["placebo", "active", "active", "placebo"]
FREEZER = "Pharmacy freezer F1 (-80 C)/rack 1/box 2"
WARD = "Ward 3 treatment room"


def run_blinded(
    app: CellTraceLedger, staff: Staff, lots: Mapping[str, str], harvest: str, echo: Echo
) -> None:
    admin, inv, operator = staff["administrator"], staff["investigator"], staff["operator"]
    qa, pharm, nurse = staff["qa"], staff["pharmacist"], staff["nurse"]
    site, _ = app.register_site(admin, "Provincial Hospital B")
    app.authorise_qp(admin, staff["qp"].person_id, site)
    protocol = Protocol(**{**PROTOCOL, "version": "EV-KOA-02 v1.0", "blinded": True})
    study, _ = app.register_study(
        inv, "EV for knee osteoarthritis, phase II, double-blind", protocol
    )
    app.activate_site(inv, study, site)
    app.load_randomisation(inv, study, RANDOMISATION, "RL-EV-02 v1")
    echo(
        f"Blinded study {study} at {site}: randomisation list RL-EV-02 v1 "
        f"({len(RANDOMISATION)} numbers) signed by {inv.person_id} and stored sealed"
    )
    buffer = [UseOf(lots["PBS-EV"])]
    active, _ = app.purify_lot(operator, [harvest], TFF_SEC, EV_SPEC, buffer, blinded_study=study)
    placebo, _ = app.formulate_placebo_lot(
        operator, study, "PBS matched to the EV formulation", 10.0, EV_SPEC, buffer
    )
    for lot in (active, placebo):
        record_results(app, staff, lot_results(app, lot), lot)
        app.certify_lot(qa, lot)
    kits, _ = app.fill_kits(operator, study, {active: 2, placebo: 2}, 1.0, "2 mL cryovial, closed")
    echo(
        f"Lots {active} (active) and {placebo} (placebo) certified and filled together into kits "
        f"{', '.join(kits)}: each kit's lot and arm sealed under the study's key, codes in random "
        "order (R-ACC-5)"
    )
    shipment, _, _ = app.ship_vials(operator, site, [kits], "ColdCourier WB-3", 10)
    readings = f"timestamp,temperature\n{app.clock().isoformat()},-78.1\n"
    app.upload_logger_file(operator, shipment, "LG-9", readings)
    app.deliver_shipment(pharm, shipment, app.clock())
    app.inspect_receipt(pharm, shipment, kits)
    released, _ = app.release_for_use(staff["qp"], shipment)
    app.store_vials(pharm, shipment, released, FREEZER, -80)
    consent = Consent(form_version="ICF v2.0", signed_on=app.today())
    given = []
    for _ in range(2):
        patient, _ = app.enrol_patient(inv, study, site, "high", consent)
        kit, _ = app.dispense(pharm, patient, WARD)
        app.thaw_at_bedside(nurse, kit, patient, 1.0, "intravenous")
        app.administer(nurse, kit, patient, 1.0, "intravenous", pharm)
        given.append((patient, kit))
    # Which kit each subject got depends on the kits' random code order: not printed here.
    echo(
        f"{shipment} received and released at {site}; "
        + " and ".join(p for p, _ in given)
        + " each dosed with the kit the ledger allocated from their sealed randomisation "
        "number - no arm shown to anyone at the site"
    )
    patient, kit = given[0]
    arm, _ = app.unblind_emergency(inv, patient, kit, "anaphylaxis, transfer to ICU")
    echo(
        f"Emergency unblinding of {patient}'s kit, signed by {inv.person_id}: the arm "
        f"({arm}) is shown to the investigator only; {patient}'s history records who, when "
        "and why, without the arm"
    )
    _leaving_and_pausing(app, staff, study, given[1][0], echo)


def _leaving_and_pausing(
    app: CellTraceLedger, staff: Staff, study: str, patient: str, echo: Echo
) -> None:
    """A subject leaves with a visit 3 months on (R-CLN-10); the sponsor pauses the study,
    signed, and its report is filed within 5 working days (R-CLN-9)."""
    inv = staff["investigator"]
    app.exit_study(inv, patient, "treatment completed")
    visit = app.get_patient(patient).visits[-1]
    echo(f"{patient} left the study: no further dose; {visit['label']} due {visit['due']}")
    number, _ = app.halt_study(
        inv, study, "pause", "sponsor", "kit supply under investigation", "SPN-2026-04"
    )
    due = app.load(study, ItemType.STUDY, Study).halts[-1]["report_due"]
    app.record_halt_report(inv, study, number, "RPT-SPN-2026-04", app.today())
    echo(
        f"Study {study} paused by the sponsor (SPN-2026-04), signed by {inv.person_id}; "
        f"report due {due}, filed the same day (R-CLN-9)"
    )
