"""The clinical part of `celltrace demo` (R-SHP, R-QC-4, R-CLN): a site and a study, a patient,
two cold-chain shipments (one with a temperature excursion), receipt and QP release, storage
in the site pharmacy and dispensing for the patient, a refused
and a verified administration, follow-up, a serious adverse event pausing the study, and the
patient's trace back to the donor."""

from __future__ import annotations

from datetime import timedelta

from ledger.application import CellTraceLedger
from ledger.demo.records import Echo, Staff, expect_refusal
from ledger.domain.patient import Consent
from ledger.domain.product_vial import TemperatureRange
from ledger.domain.study import Cohort, Protocol, with_standard_visits

PROTOCOL = Protocol(
    version="EV-KOA-01 v2.0",
    routes=["intravenous", "intra_arterial"],
    dose_unit="mL",
    cohorts=[Cohort(name="low", doses=[0.5]), Cohort(name="high", doses=[1.0])],
    in_use_minutes=60,
    follow_up=with_standard_visits(),
    blinded=False,
    administrations=2,
    min_interval_hours=28 * 24,
)


def run_clinical(app: CellTraceLedger, staff: Staff, vials: list[str], echo: Echo) -> str:
    """Returns the dosed patient's code."""
    admin, inv, pharm = staff["administrator"], staff["investigator"], staff["pharmacist"]
    site, _ = app.register_site(admin, "University Hospital A")
    app.authorise_qp(admin, staff["qp"].person_id, site)
    study, _ = app.register_study(inv, "EV for knee osteoarthritis, phase I", PROTOCOL)
    app.activate_site(inv, study, site)
    consent = Consent(form_version="ICF v2.0", signed_on=app.today())
    patient, _ = app.enrol_patient(inv, study, site, "high", consent)
    echo(
        f"Study {study} active at {site} (QP {staff['qp'].person_id}); {patient} enrolled, "
        "cohort high (1.0 mL)"
    )
    good, _, _ = app.ship_vials(staff["operator"], site, [vials[:3]], "ColdCourier WB-1", 10)
    warm, _, _ = app.ship_vials(staff["operator"], site, [vials[3:5]], "ColdCourier WB-2", 10)
    for shipment in (good, warm):
        app.hand_off_shipment(staff["operator"], shipment, "ColdCourier driver 17", app.clock())
    first, second = app.clock(), app.clock()  # logger readings taken on the way
    readings = f"timestamp,temperature\n{first.isoformat()},-78.5\n"
    app.upload_logger_file(staff["operator"], good, "LG-7", readings)
    hot = readings + f"{second.isoformat()},-41.2\n"
    outside, _ = app.upload_logger_file(staff["operator"], warm, "LG-8", hot)
    echo(
        f"Shipments {good} ({', '.join(vials[:3])}) and {warm} ({', '.join(vials[3:5])}); "
        f"{warm}'s logger read {outside[0]['temp_c']} C: its vials are quarantined (R-SHP-2)"
    )
    app.deliver_shipment(pharm, good, app.clock())
    shipped = app.get_shipment(good).vials
    app.inspect_receipt(pharm, good, shipped[:2], {shipped[2]: "cracked cap"})
    released, _ = app.release_for_use(staff["qp"], good)
    echo(
        f"{good} received: {shipped[2]} failed re-inspection (cracked cap); "
        f"{', '.join(released)} released for use by the site QP (R-QC-4)"
    )
    band = TemperatureRange(min_c=-90.0, max_c=-60.0)
    freezer, _ = app.register_storage_unit(
        pharm, "Pharmacy freezer F2", site, "-80 C freezer", band, 15
    )
    app.store_vials(pharm, good, released, "rack 3/box 1", -80, freezer)
    vial, _ = app.dispense(pharm, patient, "Ward 5 treatment room", released[0])
    echo(
        f"Storage unit {freezer}: Pharmacy freezer F2 at {site} (-90..-60 C, logger every 15 "
        f"min); stored {', '.join(released)} in it, rack 3/box 1; {vial} dispensed for "
        f"{patient} to Ward 5 treatment room"
    )
    _freezer_excursion(app, staff, freezer, echo)
    decision = app.verify_bedside(vial, patient, 2.0, "intranasal")
    echo(
        f"Bedside check {vial} for {patient}, 2.0 mL intranasal: NO-GO - "
        + "; ".join(f"{r.rule}: {r.message}" for r in decision.reasons)
    )
    nurse = staff["nurse"]
    app.thaw_at_bedside(nurse, vial, patient, 1.0, "intravenous")
    number, _ = app.administer(nurse, vial, patient, 1.0, "intravenous", pharm)
    echo(
        f"Bedside check 1.0 mL intravenous: GO; thawed and administered by {nurse.person_id}, "
        f"verified by {pharm.person_id}; follow-up scheduled (day 1 ... year 1)"
    )
    app.complete_visit(inv, patient, number, "day 1", app.today())
    event, _ = app.report_adverse_event(
        inv, patient, number, 3, True, "grade 3 fever and joint effusion", app.today()
    )
    echo(f"Serious adverse event reported for {patient}: study {study} paused at every site")
    expect_refusal(
        echo, lambda: app.thaw_at_bedside(nurse, released[1], patient, 1.0, "intravenous")
    )
    app.follow_up_adverse_event(
        inv, patient, event, "effusion drained, afebrile", resolved=True, outcome="recovered"
    )
    echo(f"Adverse event {event} of {patient} followed up to resolution: recovered (R-CLN-10)")
    run_accountability(app, staff, good, shipped[2], echo)
    return patient


def _freezer_excursion(app: CellTraceLedger, staff: Staff, freezer: str, echo: Echo) -> None:
    """The freezer's logger shows it warmed while the door stood open: the vial still in it is
    held until QA assesses the excursion, found acceptable (R-SHP-5)."""
    now = app.clock()
    temps = [(now - timedelta(minutes=15 * i), -80.0) for i in range(4, 0, -1)]
    temps.append((now, -55.0))
    csv = "timestamp,temperature\n" + "".join(f"{t.isoformat()},{c:g}\n" for t, c in temps)
    held, _ = app.upload_unit_logger(staff["pharmacist"], freezer, "LG-F2", csv)
    echo(f"{freezer}'s logger read -55 C: {', '.join(held)} held until assessed (R-SHP-5)")
    app.assess_unit_excursion(
        staff["qa"],
        freezer,
        True,
        "door open 3 min during a stock count; product below -60 C",
        "DEV-F2-01",
    )
    echo(f"QA assessed the excursion of {freezer} acceptable (DEV-F2-01): hold lifted")


def run_accountability(
    app: CellTraceLedger, staff: Staff, shipment: str, cracked: str, echo: Echo
) -> None:
    """The cracked vial goes back to the manufacturer and is destroyed; the site and the plant
    count their vials against the record; the lot is not closed while vials are in stock
    (R-QMS-6)."""
    operator, pharm, qa = staff["operator"], staff["pharmacist"], staff["qa"]
    back, _ = app.return_vials(pharm, shipment, [cracked], "cracked cap", "ColdCourier WB-3")
    app.receive_return(operator, back, [cracked], "Returns cage QA-2")
    app.dispose_item(qa, cracked, "non_conforming", "autoclave, then incineration", operator)
    site, _, _ = app.reconcile_shipment(pharm, shipment, 1)
    echo(
        f"{cracked} returned in {back}, received back and destroyed; {shipment} counted at "
        f"the site: {site.equation()}"
    )
    lot = app.get_product_vial(cracked).lot
    plant, _, _ = app.reconcile_lot(operator, lot, retained=1, in_stock=4)
    echo(f"{lot} counted at the plant: {plant.equation()} (R-QMS-6)")
    expect_refusal(echo, lambda: app.close_lot(qa, lot))
