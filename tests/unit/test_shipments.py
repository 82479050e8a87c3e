"""Cold-chain shipments, receipt re-inspection and the site QP's release (R-SHP-1..3, R-QC-4,
R-PPL-3)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from ledger.domain.base import Meaning
from ledger.domain.temperature_log import parse_logger_csv
from ledger.errors import InvalidInput
from tests.domain1 import NOW, history, refused_step
from tests.domain2 import purified_lot
from tests.domain3 import (
    PLACE,
    WARD,
    Clinical,
    enrolled,
    logged,
    received,
    shipped,
)

LOGGER_OK = "timestamp,temperature\n2026-03-02T09:10+00:00,-78.5\n2026-03-02T09:20+00:00,-77.0\n"
LOGGER_WARM = LOGGER_OK + "2026-03-02T09:30+00:00,-41.2\n2026-03-02T09:40+00:00,-75.0\n"


def holds(app: object, vial: str) -> list[str]:
    from ledger.application import CellTraceLedger

    assert isinstance(app, CellTraceLedger)
    return [h["rule"] for h in app.get_product_vial(vial).holds]


# --- R-SHP-1: what a shipment records --------------------------------------------------------


def test_r_shp_1_shipment_records_containers_vials_range_and_first_custodian(
    clinic: Clinical,
) -> None:
    # Given certified vials  When the operator ships two containers to the site
    app, c, _ = clinic
    code, boxes, _ = app.ship_vials(
        c.staff["operator"], c.site, [c.vials[:2], c.vials[2:3]], "ColdCourier WB-1", 10
    )
    # Then the shipment holds the containers, the lot's transport range and the courier
    shipment = app.get_shipment(code)
    assert code.startswith("SHP-") and all(b.startswith("CNT-") for b in boxes)
    assert shipment.containers == {boxes[0]: list(c.vials[:2]), boxes[1]: [c.vials[2]]}
    assert shipment.required == app.get_product_vial(c.vials[0]).transport
    assert shipment.custody == [{"custodian": "ColdCourier WB-1", "at": NOW}]
    assert type(history(app, code)[0]).__name__ == "Shipped"
    # and each vial's genealogy names the shipment
    derived = history(app, c.vials[0])[-1]
    assert (derived.codes, derived.step) == ([code], "shipped in")


def test_r_shp_1_vials_of_an_uncertified_lot_are_refused(clinic: Clinical) -> None:
    # Given vials filled from a lot QA has not certified
    app, c, _ = clinic
    lot = purified_lot(app, c.plant)
    vials, _ = app.fill_lot(c.staff["operator"], lot, 1, 1.0, "2 mL cryovial, closed")
    # When they are shipped  Then it is refused, nothing written
    assert refused_step(app, lambda: shipped(app, c, vials)) == ["R-SHP-1"]


def test_r_shp_1_a_vial_shipped_twice_is_refused(clinic: Clinical) -> None:
    app, c, _ = clinic
    shipped(app, c, c.vials[:1])
    assert refused_step(app, lambda: shipped(app, c, c.vials[:1])) == ["R-SHP-1"]


def test_r_shp_1_empty_container_and_missing_courier_are_refused(clinic: Clinical) -> None:
    app, c, _ = clinic
    refused = refused_step(
        app, lambda: app.ship_vials(c.staff["operator"], c.site, [c.vials[:1], []], " ", 10)
    )
    assert refused == ["R-SHP-1", "R-SHP-1"]


def test_r_shp_1_a_disposed_vial_is_refused(clinic: Clinical) -> None:
    app, c, _ = clinic
    qa, operator = c.staff["qa"], c.staff["operator"]
    app.dispose_item(qa, c.vials[0], "surplus", "autoclave", operator)
    refused = refused_step(app, lambda: shipped(app, c, c.vials[:2]))
    assert refused == ["R-PRO-6"]


def test_r_shp_1_custody_hand_offs_are_recorded_in_order(clinic: Clinical) -> None:
    # Given a shipment  When the courier hands it to the site pharmacist an hour later
    app, c, clock = clinic
    code = shipped(app, c)
    at = clock.advance(hours=1)
    app.hand_off_shipment(c.staff["operator"], code, c.staff["pharmacist"].person_id, at)
    # Then the chain of custody has both links
    custody = app.get_shipment(code).custody
    assert [h["custodian"] for h in custody] == [
        "ColdCourier WB-1",
        c.staff["pharmacist"].person_id,
    ]
    # and a hand-off before the previous one, or in the future, is refused
    earlier = NOW - timedelta(minutes=5)
    refused = refused_step(
        app, lambda: app.hand_off_shipment(c.staff["operator"], code, "X", earlier)
    )
    assert refused == ["R-SHP-1"]


def test_r_shp_1_logger_file_is_parsed_into_readings() -> None:
    readings = parse_logger_csv(LOGGER_OK)
    assert [r["temp_c"] for r in readings] == [-78.5, -77.0]
    assert readings[0]["at"] == NOW + timedelta(minutes=10)


def test_r_shp_1_malformed_logger_line_is_refused_naming_the_line() -> None:
    with pytest.raises(InvalidInput, match="line 4"):
        parse_logger_csv(LOGGER_OK + "2026-03-02T09:30,-70\n")


@pytest.mark.parametrize("value", ["nan", "inf", "-Infinity"])
def test_r_shp_1_logger_line_without_a_measured_temperature_is_refused(value: str) -> None:
    # A reading that parses as a float but is no measurement would hide an excursion
    with pytest.raises(InvalidInput, match=r"line 4.*not a measured number"):
        parse_logger_csv(LOGGER_OK + f"2026-03-02T09:30+00:00,{value}\n")


# --- R-SHP-2: excursions ---------------------------------------------------------------------


def test_r_shp_2_readings_within_range_quarantine_nothing(clinic: Clinical) -> None:
    app, c, _ = clinic
    code = shipped(app, c)
    outside, _ = app.upload_logger_file(c.staff["operator"], code, "LG-7", LOGGER_OK)
    assert outside == []
    assert all(holds(app, v) == [] for v in c.vials[:3])


def test_r_shp_2_excursion_quarantines_exactly_the_vials_of_that_shipment(
    clinic: Clinical,
) -> None:
    # Given two shipments
    app, c, _ = clinic
    warm = shipped(app, c, c.vials[:2])
    cold = shipped(app, c, c.vials[2:4])
    # When the logger file of the first shows -41.2 C
    outside, _ = app.upload_logger_file(c.staff["operator"], warm, "LG-7", LOGGER_WARM)
    # Then exactly its vials are on hold with the reason; the others are not
    assert [r["temp_c"] for r in outside] == [-41.2]
    assert [holds(app, v) for v in c.vials[:4]] == [["R-SHP-2"], ["R-SHP-2"], [], []]
    reason = app.get_product_vial(c.vials[0]).holds[0]["reason"]
    assert "-41.2 C" in reason and warm in reason
    assert app.get_shipment(cold).excursion is None


def test_r_shp_2_acceptable_assessment_lifts_the_quarantine(clinic: Clinical) -> None:
    app, c, _ = clinic
    code = shipped(app, c)
    app.upload_logger_file(c.staff["operator"], code, "LG-7", LOGGER_WARM)
    # When QA assesses the excursion as acceptable
    app.assess_excursion(c.staff["qa"], code, True, "10 min at -41 C; stability covers it", "DEV-9")
    # Then the holds are lifted and the lifting is in each vial's history
    assert all(holds(app, v) == [] for v in c.vials[:3])
    assert type(history(app, c.vials[0])[-1]).__name__ == "HoldLifted"


def test_r_shp_2_unacceptable_assessment_keeps_the_vials_quarantined(clinic: Clinical) -> None:
    app, c, _ = clinic
    code = shipped(app, c)
    app.upload_logger_file(c.staff["operator"], code, "LG-7", LOGGER_WARM)
    app.assess_excursion(c.staff["qa"], code, False, "not covered by stability", "DEV-9")
    assert all(holds(app, v) == ["R-SHP-2"] for v in c.vials[:3])


def test_r_shp_2_assessment_without_an_excursion_is_refused(clinic: Clinical) -> None:
    app, c, _ = clinic
    code = shipped(app, c)
    refused = refused_step(app, lambda: app.assess_excursion(c.staff["qa"], code, True, "", ""))
    assert refused == ["R-SHP-2", "R-SHP-2"]


def test_r_shp_2_assessment_by_an_operator_is_refused(clinic: Clinical) -> None:
    app, c, _ = clinic
    code = shipped(app, c)
    app.upload_logger_file(c.staff["operator"], code, "LG-7", LOGGER_WARM)
    call = lambda: app.assess_excursion(c.staff["operator"], code, True, "ok", "D")  # noqa: E731
    assert refused_step(app, call)[0] == "R-PPL-2"


# --- R-SHP-3: receipt re-inspection ----------------------------------------------------------


def test_r_shp_3_inspection_before_delivery_is_refused(clinic: Clinical) -> None:
    app, c, _ = clinic
    code = shipped(app, c)
    call = lambda: app.inspect_receipt(c.staff["pharmacist"], code, c.vials[:3])  # noqa: E731
    assert refused_step(app, call) == ["R-SHP-3"]


def test_r_shp_3_failed_and_missing_vials_are_held_for_good(clinic: Clinical) -> None:
    # Given a delivered shipment of three vials
    app, c, _ = clinic
    code = shipped(app, c)
    logged(app, c, code)
    pharmacist = c.staff["pharmacist"]
    app.deliver_shipment(pharmacist, code, NOW)
    # When one passes, one fails and one is not there
    app.inspect_receipt(pharmacist, code, [c.vials[0]], {c.vials[1]: "cracked cap"})
    # Then the missing vial is listed and the failed and missing ones are on hold
    shipment = app.get_shipment(code)
    assert (shipment.passed, shipment.failed, shipment.missing) == (
        [c.vials[0]],
        {c.vials[1]: "cracked cap"},
        [c.vials[2]],
    )
    assert [holds(app, v) for v in c.vials[:3]] == [[], ["R-SHP-3"], ["R-SHP-3"]]
    # and the QP releases only the vial that passed
    released, _ = app.release_for_use(c.staff["qp"], code)
    assert released == [c.vials[0]]


def test_r_shp_3_vial_not_in_the_shipment_is_refused(clinic: Clinical) -> None:
    app, c, _ = clinic
    code = shipped(app, c)
    app.deliver_shipment(c.staff["pharmacist"], code, NOW)
    call = lambda: app.inspect_receipt(c.staff["pharmacist"], code, [c.vials[5]])  # noqa: E731
    assert refused_step(app, call) == ["R-SHP-3"]


# --- R-SHP-4: a complete temperature record, dispatch to receipt -----------------------------


def test_r_shp_4_the_qp_releases_nothing_without_a_temperature_record(clinic: Clinical) -> None:
    # Given a shipment delivered and re-inspected with no logger reading at all
    app, c, clock = clinic
    code = shipped(app, c)
    pharmacist = c.staff["pharmacist"]
    clock.advance(hours=3)
    app.deliver_shipment(pharmacist, code, app.clock())
    app.inspect_receipt(pharmacist, code, app.get_shipment(code).vials)
    release = lambda: app.release_for_use(c.staff["qp"], code)  # noqa: E731
    # Then the QP's release is refused: there is no record
    assert refused_step(app, release) == ["R-SHP-4"]
    # When the logger's readings stop an hour before receipt (interval 10 min)
    start = NOW
    readings = "".join(
        f"{(start + timedelta(minutes=10 * i)).isoformat()},-78.0\n" for i in range(13)
    )
    app.upload_logger_file(c.staff["operator"], code, "LG-9", "timestamp,temperature\n" + readings)
    # Then it is still refused, saying where the record ends
    assert refused_step(app, release) == ["R-SHP-4"]
    # When the rest up to receipt is uploaded, Then the QP releases
    rest = "".join(
        f"{(start + timedelta(minutes=10 * i)).isoformat()},-78.0\n" for i in range(13, 19)
    )
    app.upload_logger_file(c.staff["operator"], code, "LG-9", "timestamp,temperature\n" + rest)
    released, _ = app.release_for_use(c.staff["qp"], code)
    assert released == list(c.vials[:3])


def test_r_shp_4_a_gap_longer_than_twice_the_interval_is_an_excursion(clinic: Clinical) -> None:
    # Given a shipment whose logger records every 10 minutes
    app, c, _ = clinic
    code = shipped(app, c)
    # When its file shows no reading for 45 minutes
    times = [NOW, NOW + timedelta(minutes=10), NOW + timedelta(minutes=55)]
    csv = "timestamp,temperature\n" + "".join(f"{t.isoformat()},-78.0\n" for t in times)
    app.upload_logger_file(c.staff["operator"], code, "LG-9", csv)
    # Then every vial of the shipment is held, as for an excursion, until QA assesses it
    assert [holds(app, v) for v in c.vials[:3]] == [["R-SHP-4"]] * 3
    shipment = app.get_shipment(code)
    assert shipment.excursion is not None and "45 min" in shipment.excursion
    # And a later file filling part of the gap opens no new excursion once assessed
    app.assess_excursion(c.staff["qa"], code, True, "courier's own probe covers it", "DEV-9")
    assert [holds(app, v) for v in c.vials[:3]] == [[]] * 3
    fill = f"timestamp,temperature\n{(NOW + timedelta(minutes=30)).isoformat()},-78.0\n"
    app.upload_logger_file(c.staff["operator"], code, "LG-9b", fill)
    assert app.get_shipment(code).excursion is None


def test_r_shp_4_the_logger_interval_is_declared(clinic: Clinical) -> None:
    app, c, _ = clinic
    ship = lambda: app.ship_vials(c.staff["operator"], c.site, [c.vials[:1]], "WB-1", 0)  # noqa: E731
    assert refused_step(app, ship) == ["R-SHP-4"]


# --- R-QC-4 and R-PPL-3: the site QP's release -----------------------------------------------


def test_r_qc_4_site_qp_releases_the_vials_that_passed(clinic: Clinical) -> None:
    app, c, _ = clinic
    code = received(app, c)
    released, _ = app.release_for_use(c.staff["qp"], code)
    assert released == list(c.vials[:3])
    signed = history(app, code)[-1]
    assert type(signed).__name__ == "ReleasedForUse"
    assert (signed.stamp.actor_role, signed.stamp.meaning) == ("qp", Meaning.RELEASED)


def test_r_qc_4_release_before_receipt_inspection_is_refused(clinic: Clinical) -> None:
    app, c, _ = clinic
    code = shipped(app, c)
    logged(app, c, code)
    app.deliver_shipment(c.staff["pharmacist"], code, NOW)
    assert refused_step(app, lambda: app.release_for_use(c.staff["qp"], code)) == ["R-QC-4"]


def test_r_qc_4_release_of_quarantined_vials_is_refused(clinic: Clinical) -> None:
    app, c, _ = clinic
    code = received(app, c)
    app.upload_logger_file(c.staff["pharmacist"], code, "LG-7", LOGGER_WARM)
    assert refused_step(app, lambda: app.release_for_use(c.staff["qp"], code)) == ["R-SHP-2"] * 3


def test_r_ppl_3_qp_not_authorised_for_the_site_is_refused(clinic: Clinical) -> None:
    # Given a shipment received at a site the QP is not authorised for
    app, c, _ = clinic
    site, _ = app.register_site(c.staff["administrator"], "City Hospital C")
    code = received(app, c, site=site)
    # When the QP releases it  Then it is refused under R-PPL-3
    assert refused_step(app, lambda: app.release_for_use(c.staff["qp"], code)) == ["R-PPL-3"]


def test_r_qc_4_release_by_a_pharmacist_is_refused(clinic: Clinical) -> None:
    app, c, _ = clinic
    code = received(app, c)
    assert refused_step(app, lambda: app.release_for_use(c.staff["pharmacist"], code))[0] == (
        "R-PPL-2"
    )


def test_r_shp_1_hand_off_time_without_utc_offset_is_refused(clinic: Clinical) -> None:
    app, c, _ = clinic
    code = shipped(app, c)
    naive = NOW.replace(tzinfo=None)
    with pytest.raises(InvalidInput, match="UTC offset"):
        app.hand_off_shipment(c.staff["operator"], code, "Courier B", naive)


def test_r_shp_2_read_model_shows_the_hold_and_its_lifting(clinic: Clinical) -> None:
    from sqlalchemy import select

    from ledger.bootstrap import open_projections
    from ledger.projections.items import items_table
    from ledger.projections.tracking import view_engine

    app, c, _ = clinic
    code = shipped(app, c)
    vial = c.vials[0]

    def scanned() -> tuple[str, list[str]]:
        open_projections(app.settings).catch_up()
        engine = view_engine(app.settings)
        with engine.connect() as conn:
            row = conn.execute(select(items_table).where(items_table.c.code == vial)).one()
        engine.dispose()
        return row.status, [h["rule"] for h in json.loads(row.holds)]

    before, _ = scanned()
    # When an excursion holds the vial, Then a scan shows the hold
    app.upload_logger_file(c.staff["operator"], code, "LG-7", LOGGER_WARM)
    assert scanned() == ("on hold", ["R-SHP-2"])
    # When QA finds it acceptable, Then the vial shows its status from before the hold again
    app.assess_excursion(c.staff["qa"], code, True, "10 min at -41 C; stability covers it", "DEV-9")
    assert scanned() == (before, [])


def test_r_shp_1_read_model_follows_each_vial_from_transit_to_the_patient(
    clinic: Clinical,
) -> None:
    from sqlalchemy import select

    from ledger.bootstrap import open_projections
    from ledger.projections.items import items_table
    from ledger.projections.tracking import view_engine

    app, c, _ = clinic

    def scanned(vial: str) -> tuple[str, str | None]:
        open_projections(app.settings).catch_up()
        engine = view_engine(app.settings)
        with engine.connect() as conn:
            row = conn.execute(select(items_table).where(items_table.c.code == vial)).one()
        engine.dispose()
        return row.status, row.location

    # When vials are shipped, Then each shows in transit on that shipment
    code = shipped(app, c)
    vial = c.vials[0]
    assert scanned(vial) == ("in transit", f"shipment {code} to {c.site}")
    # When delivered, inspected and released by the site QP, Then released for use
    pharmacist = c.staff["pharmacist"]
    logged(app, c, code)
    app.deliver_shipment(pharmacist, code, app.clock())
    assert scanned(vial)[0] == "at site"
    app.inspect_receipt(pharmacist, code, app.get_shipment(code).vials)
    app.release_for_use(c.staff["qp"], code)
    assert scanned(vial)[0] == "released for use"
    # When stored in the pharmacy freezer, Then it keeps its status and shows its place
    app.store_vials(pharmacist, code, [vial], PLACE, -80)
    assert scanned(vial) == ("released for use", f"{c.site}: {PLACE}")
    # When dispensed for a subject, Then it shows where it went and for whom (R-TRC-2)
    patient = enrolled(app, c)
    app.dispense(pharmacist, patient, WARD, vial)
    assert scanned(vial) == ("dispensed", f"{c.site}: {WARD}, for {patient}")
    # When thawed and administered, Then it is with the patient
    nurse = c.staff["nurse"]
    app.thaw_at_bedside(nurse, vial, patient, 1.0, "intravenous")
    assert scanned(vial)[0] == "thawed"
    app.administer(nurse, vial, patient, 1.0, "intravenous", pharmacist)
    assert scanned(vial) == ("administered", f"patient {patient}")
