"""`celltrace demo`: record a realistic history in the configured ledger, then verify it.

The history so far: the facility's staff (R-PPL), qualified materials (R-MAT), three donors
(one refused as ineligible, R-DON) and one donor's umbilical cord through isolation, seed,
master and working cell banks, their testing, release and a thaw (R-CB); then the working-bank
vial's culture, harvests, two purified lots, QC, QA certification and fill of one lot, and the
quarantine and disposal of the other (R-PRO, R-QC); then shipments, receipt, QP release, a
patient dosed after a refused check, follow-up and a serious adverse event (R-SHP, R-CLN); and
a last lot whose release tests passed, awaiting QA's certification (R-QC-2).
"""

from __future__ import annotations

import os
from datetime import date, timedelta

from ledger.application import CellTraceLedger
from ledger.bootstrap import bring_up_to_date, init_ledger, open_ledger
from ledger.config import Settings
from ledger.demo.blinded import run_blinded
from ledger.demo.clinical import run_clinical
from ledger.demo.production import run_awaiting_certification, run_production
from ledger.demo.records import (
    MSC_IDENTITY,
    Echo,
    Staff,
    arrival,
    bank_plan,
    collect,
    expect_refusal,
    isolate,
    register_staff,
    released_bank,
    released_lot,
    screened_donor,
)
from ledger.domain.material_use import UseOf
from ledger.domain.product_vial import TemperatureRange
from ledger.errors import RuleViolation
from ledger.integrity.checkpoints import Checkpoints, StoredCheckpoint
from ledger.integrity.verify import verify_database
from ledger.projections.trace import render_tree, trace_up
from ledger.projections.tracking import view_engine
from ledger.storage.db import describe_database
from ledger.stores.personal_data import PersonalData

__all__ = ["register_staff", "run_demo"]


def run_demo(settings: Settings, echo: Echo) -> None:
    init_ledger(settings)
    app = open_ledger(settings)
    try:
        echo(f"CellTrace demo - ledger: {describe_database(settings)}")
        staff = register_staff(app, echo)
        _staff_sign_in(settings, staff, echo)
        lots = _materials(app, staff, echo)
        donor = _donors(app, staff, echo)
        vial = _cells_and_banks(app, staff, lots, donor, echo)
        vials, kept = run_production(app, staff, lots, vial, echo)
        patient = run_clinical(app, staff, vials, echo)
        run_blinded(app, staff, lots, kept, echo)
        run_awaiting_certification(app, staff, lots, kept, echo)
    finally:
        app.close()
    checkpoint = _checkpoint(settings)
    report = verify_database(settings.database)
    echo("")
    if report.intact:
        echo(f"Verification: intact - {report.events} events, every hash and link recomputed.")
        echo(f"Chain head (keep it to detect later rewrites): {report.head}")
        echo(f"Signed checkpoint #{checkpoint.sequence} of the Merkle log (size {checkpoint.size})")
        _patient_trace(settings, patient, echo)
    else:
        assert report.first_break is not None
        echo(f"Verification: TAMPERING DETECTED - {report.first_break.describe()}")


STAFF_FILE = "demo-staff.txt"


def _staff_sign_in(settings: Settings, staff: Staff, echo: Echo) -> None:
    """Write each demo person's code, role and password to a file only its owner can read, so
    the stations can be tried as any of them (the demo's people only; change a password with
    `celltrace users set-password CODE`)."""
    path = settings.data_dir / STAFF_FILE
    lines = [f"# CellTrace demo staff: sign in at {settings.base_url}/scan (or /bedside)"]
    for role, actor in staff.items():
        assert actor.signing is not None
        lines.append(f"{actor.person_id}  {role:<12}  {actor.signing.password}")
    path.unlink(missing_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write("\n".join(lines) + "\n")
    echo(f"Sign-in for these people: {path} (readable by you only)")


def _checkpoint(settings: Settings) -> StoredCheckpoint:
    """Bring the read models and the Merkle log up to date and sign a checkpoint (R-LED-4)."""
    bring_up_to_date(settings)
    engine = view_engine(settings)
    try:
        checkpoint, _ = Checkpoints(settings, engine).sign()
    finally:
        engine.dispose()
    return checkpoint


def _patient_trace(settings: Settings, patient: str, echo: Echo) -> None:
    """The dosed patient, traced back through every item to the donor (R-TRC-1)."""
    engine = view_engine(settings)
    try:
        echo(f"\nTrace of {patient} back to the donor (celltrace trace {patient}):")
        echo(render_tree(trace_up(engine, patient)))
    finally:
        engine.dispose()


def _refused(echo: Echo, refusal: RuleViolation, prefix: str = "Refused as expected") -> None:
    first = refusal.violations[0]
    echo(f"{prefix}: {first.rule}: {first.message}")


def _materials(app: CellTraceLedger, staff: Staff, echo: Echo) -> dict[str, str]:
    if "bovine:GB" not in app.list_epidemic_areas():
        app.declare_epidemic_area(staff["qa"], "bovine", "GB", "GACC/MARA announcement on BSE")
    echo("Declared GB an epidemic area for bovine material")
    refs = ["TM-GENTA", "COLL-I", "PEN-STREP", "FBS-NZ", "FBS-GB", "MEM-ALPHA"]
    refs += ["SFM-EV", "TRYPLE", "PBS-EV"]  # production: serum-free medium, enzyme, buffer
    lots = {ref: released_lot(app, staff, ref) for ref in refs}
    echo(f"Materials: {len(lots)} defined, received and QC-released: {', '.join(lots.values())}")
    return lots


def _donors(app: CellTraceLedger, staff: Staff, echo: Echo) -> str:
    """Three donors: eligible, ineligible (refused at collection), autologous with a relaxation."""
    qa = staff["qa"]
    identity = PersonalData("Demo Donor", date(1996, 5, 1), "+86 10 0000 0000")
    eligible = screened_donor(app, staff, identity=identity)
    app.determine_eligibility(qa, eligible, True, "all markers non-reactive")
    echo(
        f"Donor {eligible}: identity encrypted off-chain; consented (banking, long-term "
        "storage), screened, signed eligible by QA"
    )
    ineligible = screened_donor(app, staff, reactive=["HBV"])
    app.determine_eligibility(qa, ineligible, False, "HBV reactive")
    echo(f"Donor {ineligible}: HBV reactive, determined ineligible by QA")
    try:
        now = app.clock()
        app.record_collection(
            staff["operator"], ineligible, "umbilical_cord", now, "SOP-COL-003 v4", [], arrival(now)
        )
    except RuleViolation as refusal:
        _refused(echo, refusal, "  its collection is refused")
    autologous = screened_donor(app, staff, autologous=True, reactive=["HBV"])
    app.determine_eligibility(
        qa,
        autologous,
        True,
        "autologous use only",
        "processed in a dedicated isolator; released to this donor only",
    )
    echo(f"Donor {autologous}: autologous, HBV reactive; eligible for own use, justified by QA")
    return eligible


def _ln2_tank(app: CellTraceLedger, staff: Staff, echo: Echo) -> str:
    """The manufacturer's monitored LN2 tank (R-SHP-5, R-CB-4), its logger read out for the
    last hour, every 10 minutes."""
    band = TemperatureRange(min_c=-196.0, max_c=-150.0)
    tank, _ = app.register_storage_unit(staff["qa"], "LN2 tank T1", None, "LN2 tank", band, 10)
    now = app.clock()
    readings = "".join(
        f"{(now - timedelta(minutes=10 * i)).isoformat()},{-182.0 + i / 10:g}\n" for i in range(7)
    )
    app.upload_unit_logger(staff["operator"], tank, "LG-T1", "timestamp,temperature\n" + readings)
    echo(f"Storage unit {tank}: LN2 tank T1 (-196..-150 C), logger every 10 min, readings in range")
    return tank


def _cells_and_banks(
    app: CellTraceLedger, staff: Staff, lots: dict[str, str], donor: str, echo: Echo
) -> str:
    """Collection to a released WCB; returns its vial thawed for production."""
    operator, today = staff["operator"], app.today()
    transport = [UseOf(lots["TM-GENTA"], removal_validation="VAL-WASH-3x-2025")]
    collection = collect(app, staff, donor, transport)
    echo(
        f"Collection {collection} from {donor}: umbilical cord in antibiotic transport medium "
        "(validated removal; a no-residue result is now mandatory downstream)"
    )
    pen_strep = UseOf(lots["PEN-STREP"], "contamination risk")
    try:
        isolate(app, staff, collection, [UseOf(lots["COLL-I"]), pen_strep])
    except RuleViolation as refusal:
        _refused(echo, refusal)
    portions = isolate(app, staff, collection, [UseOf(lots["COLL-I"])])
    app.confirm_identity(staff["qc_analyst"], portions[0], "flow cytometry", MSC_IDENTITY, "ID-1")
    echo(f"Isolated {', '.join(portions)} (enzymatic); identity confirmed on {portions[0]}")
    try:
        plan = bank_plan(today, "B0", 2, 2)
        app.establish_cell_bank(operator, "seed", portions[0], plan, [UseOf(lots["FBS-GB"])])
    except RuleViolation as refusal:
        _refused(echo, refusal)
    source, passage = portions[0], 2
    culture = [UseOf(lots["MEM-ALPHA"]), UseOf(lots["FBS-NZ"])]
    tank = _ln2_tank(app, staff, echo)
    for tier, box, vials in (("seed", "B1", 4), ("master", "B2", 10), ("working", "B3", 20)):
        bank, vial_codes = released_bank(
            app, staff, tier, source, bank_plan(today, box, vials, passage, tank), culture
        )
        app.thaw_vial(operator, vial_codes[0], "production", 91.5)
        echo(
            f"{tier.capitalize()} bank {bank}: {vials} vials at passage {passage} in "
            f"{tank}/R3/{box}; full testing passed, released by QA; {vial_codes[0]} thawed "
            "at 91.5% (spec 80%)"
        )
        source, passage = vial_codes[0], passage + 2
    try:
        app.thaw_vial(operator, source, "production", 90.0)
    except RuleViolation as refusal:
        _refused(echo, refusal)
    # sharing is outside the donor's consent (banking, long-term storage): refused (R-DON-8)
    expect_refusal(
        echo,
        lambda: app.distribute(
            staff["qa"], collection, "data", "Provincial Hospital B", "PRJ-EV-02", "DTA-2026-07"
        ),
    )
    return source
