"""Domain III end to end on a real SQLite database (R-SHP-1..3, R-QC-4, R-TRC-2, R-CLN-1..4,
R-CLN-6): certified vials shipped to a site with a logger file, delivered, re-inspected and
released by the site QP and stored in the site pharmacy; a patient enrolled, a vial dispensed
for them, verified at the bedside, dosed and followed up; a refused administration and an SAE
pausing the study; the genealogy traces the patient back to the donor and the ledger verifies.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from ledger.application import CellTraceLedger
from ledger.bootstrap import open_projections
from ledger.identifiers import ItemType
from ledger.integrity.verify import verify_database
from ledger.projections.trace import render_tree, trace_up
from ledger.projections.tracking import view_engine
from tests.domain1 import TODAY, refused_step
from tests.domain3 import PLACE, WARD, Clock, build_clinic, enrolled

# A reading every 10 minutes from dispatch (09:00) to delivery (12:00): a complete record
LOGGER = "timestamp,temperature\n" + "".join(
    f"2026-03-02T{9 + i // 6:02d}:{i % 6 * 10:02d}+00:00,{-78.1 + i * 0.05:.2f}\n"
    for i in range(19)
)


def test_domain3_story_from_donor_to_a_dosed_patient_with_follow_up(tmp_path: Path) -> None:
    # Given a plant with a certified lot filled into vials, and a study active at two sites
    clinic = build_clinic(tmp_path)
    staff, clock = clinic.staff, Clock()
    app = CellTraceLedger(clinic.plant.settings, clock=clock)
    try:
        # When three vials are shipped, handed over, logged in range and delivered
        shipment, _, _ = app.ship_vials(
            staff["operator"], clinic.site, [clinic.vials[:3]], "ColdCourier WB-1", 10
        )
        pharmacist = staff["pharmacist"]
        at = clock.advance(hours=3)
        app.hand_off_shipment(staff["operator"], shipment, pharmacist.person_id, at)
        outside, _ = app.upload_logger_file(pharmacist, shipment, "LG-7", LOGGER)
        assert outside == []
        app.deliver_shipment(pharmacist, shipment, at)
        # And re-inspected at the site (one vial cracked) and released by the site QP
        good, cracked, spare = clinic.vials[:3]
        app.inspect_receipt(pharmacist, shipment, [good, spare], {cracked: "cracked cap"})
        released, _ = app.release_for_use(staff["qp"], shipment)
        assert released == [good, spare]
        # And the released vials are stored in the pharmacy freezer
        app.store_vials(pharmacist, shipment, released, PLACE, -80)
        # And a patient is enrolled and the good vial dispensed for them to the ward
        patient = enrolled(app, clinic)
        assert app.dispense(pharmacist, patient, WARD, good)[0] == good
        # Then the cracked vial is no-go, the good one go
        assert not app.verify_bedside(cracked, patient, 1.0, "intravenous").go
        assert app.verify_bedside(good, patient, 1.0, "intravenous").go
        # And the good vial is thawed and administered by a nurse, verified by the pharmacist
        nurse = staff["nurse"]
        app.thaw_at_bedside(nurse, good, patient, 1.0, "intravenous")
        app.administer(nurse, good, patient, 1.0, "intravenous", pharmacist)
        # And the day-1 visit is recorded the next day
        clock.advance(days=1)
        app.complete_visit(staff["investigator"], patient, 1, "day 1", TODAY + timedelta(days=1))
        assert app.list_overdue_visits(clinic.study) == {}
        # When a serious adverse event is reported  Then the next subject's dose is refused
        second = enrolled(app, clinic)
        app.dispense(pharmacist, second, WARD, spare)
        app.report_adverse_event(staff["investigator"], patient, 1, 3, True, "fever 40 C", TODAY)
        call = lambda: app.thaw_at_bedside(nurse, spare, second, 1.0, "intravenous")  # noqa: E731
        assert refused_step(app, call) == ["R-CLN-4"]
    finally:
        app.close()
    # Then the genealogy traces the patient back through the vial and the lot to the donor
    settings = clinic.plant.settings
    open_projections(settings).catch_up()
    engine = view_engine(settings)
    try:
        graph = trace_up(engine, patient)
    finally:
        engine.dispose()
    assert {good, clinic.lot, clinic.plant.donor} <= set(graph.nodes)
    assert [n.code for n in graph.of_type(ItemType.DONOR)] == [clinic.plant.donor]
    # including the shipment the vial travelled in (R-TRC-1), but not its other vials
    assert {e.child for e in graph.children(good) if e.relation == "shipped in"} == {shipment}
    assert spare not in graph.nodes and cracked not in graph.nodes
    assert f"shipped in: {shipment}" in render_tree(graph)
    # And the whole ledger verifies
    assert verify_database(settings.database).intact
