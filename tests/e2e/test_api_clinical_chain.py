"""The clinical chain through the HTTP API, from vials of a certified lot to a dosed patient
with follow-up: site, study, shipment, chain of custody, logger file without excursion,
delivery, receipt re-inspection, the QP's signed release, enrolment, bedside go / thaw /
administration, a follow-up visit, an adverse event and the overdue lists (R-SHP-1..3,
R-QC-4, R-PPL-3, R-LED-5, R-CLN-1..4, R-CLN-6)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from ledger.demo.clinical import PROTOCOL
from tests.e2e.conftest import ClinicApi, signed, signed_by_both

BEDSIDE = {"dose": 1.0, "route": "intravenous"}


def protocol_body() -> dict[str, Any]:
    """The demo's protocol as the API takes it: the standard visits are implied."""
    body: dict[str, Any] = {k: v for k, v in PROTOCOL.items() if k != "follow_up"}
    return body


def step_keys(api: ClinicApi, role: str, code: str, after: int) -> set[str]:
    item = api.get(role, f"/items/{code}", after=after)
    assert item.status_code == 200, item.text
    return {s["key"] for s in item.json()["next_steps"]}


def test_r_cln_6_certified_vials_to_a_dosed_patient_with_follow_up_over_http(
    clinic_api: ClinicApi,
) -> None:
    api, vials = clinic_api, list(clinic_api.clinic.vials[:3])
    # Given a new site with its QP and a study active there (R-CLN-1, R-PPL-3)
    site = api.post("administrator", "/sites", {"name": "City Hospital C"})
    assert site.status_code == 201, site.text
    site_code = site.json()["code"]
    qp = api.post("administrator", f"/people/{api.code('qp')}/qp-sites", {"site_code": site_code})
    assert qp.status_code == 200, qp.text
    study = api.post(
        "investigator",
        "/studies",
        {"title": "EV for knee OA, phase Ib", "protocol": protocol_body()},
    )
    assert study.status_code == 201, study.text
    study_code = study.json()["code"]
    activated = api.post("investigator", f"/studies/{study_code}/sites", {"site": site_code})
    assert activated.status_code == 200, activated.text

    # When the operator ships three vials of the certified lot in two containers (R-SHP-1)
    dispatched = api.clock()
    shipped = api.post(
        "operator",
        "/shipments",
        {
            "site": site_code,
            "containers": [{"vials": vials[:2]}, {"vials": vials[2:]}],
            "courier": "ColdCourier, waybill WB-17",
            "logger_interval_minutes": 10,
        },
    )
    assert shipped.status_code == 201, shipped.text
    shipment = shipped.json()["code"]
    assert len(shipped.json()["containers"]) == 2
    # Then a scan of the shipment offers the operator the hand-off and the logger file
    after = shipped.json()["notification_id"]
    assert {"hand_off", "logger_upload"} <= step_keys(api, "operator", shipment, after)
    assert "deliver" not in step_keys(api, "operator", shipment, after)

    # And the chain of custody and a logger file within range are recorded (R-SHP-1, R-SHP-2)
    api.clock.advance(hours=2)
    handed = api.post("operator", f"/shipments/{shipment}/hand-off", {"custodian": "driver 17"})
    assert handed.status_code == 200, handed.text
    # (a complete record: a reading every 10 minutes from dispatch, R-SHP-4)
    times = [dispatched + timedelta(minutes=10 * i) for i in range(13)]
    readings = "timestamp,temperature\n" + "".join(f"{t.isoformat()},-78.5\n" for t in times)
    logged = api.client.post(
        f"/api/v1/shipments/{shipment}/logger/file",
        data={"logger": "LG-7"},
        files={"file": ("LG-7.csv", readings.encode(), "text/csv")},
        headers=api.headers("operator"),
    )
    assert logged.status_code == 200, logged.text
    assert logged.json()["readings"] == 13 and logged.json()["outside"] == []

    # When the pharmacist takes delivery and re-inspects: two pass, one failed (R-SHP-3)
    assert "deliver" in step_keys(api, "pharmacist", shipment, logged.json()["notification_id"])
    delivered = api.post("pharmacist", f"/shipments/{shipment}/delivery", {})
    assert delivered.status_code == 200, delivered.text
    after = delivered.json()["notification_id"]
    assert "inspect_receipt" in step_keys(api, "pharmacist", shipment, after)
    assert "qp_release" not in step_keys(api, "qp", shipment, after)  # re-inspect first
    inspected = api.post(
        "pharmacist",
        f"/shipments/{shipment}/receipt-inspection",
        {"passed": vials[:2], "failed": {vials[2]: "cracked cap"}},
    )
    assert inspected.status_code == 200, inspected.text
    assert inspected.json()["missing"] == []
    assert inspected.json()["failed"] == {vials[2]: "cracked cap"}
    after = inspected.json()["notification_id"]
    assert "inspect_receipt" not in step_keys(api, "pharmacist", shipment, after)
    assert "qp_release" in step_keys(api, "qp", shipment, after)
    assert "store" in step_keys(api, "pharmacist", shipment, after)

    # Then the QP's release needs their password again (R-LED-5) and releases the two (R-QC-4)
    before = api.last_id()
    wrong = api.post("qp", f"/shipments/{shipment}/release", signed("not my password"))
    assert wrong.status_code == 401 and "R-LED-5" in wrong.json()["detail"]
    assert api.last_id() == before
    released = api.post("qp", f"/shipments/{shipment}/release", signed(meaning="released"))
    assert released.status_code == 200, released.text
    assert released.json()["released"] == vials[:2]
    shipped_item = api.get("qp", f"/items/{shipment}", after=released.json()["notification_id"])
    assert shipped_item.json()["status"] == "released for use"
    assert shipped_item.json()["next_steps"] == []

    # When the investigator enrols a consented patient, identity kept off the chain (R-LED-6)
    enrolled = api.post(
        "investigator",
        "/patients",
        {
            "study": study_code,
            "site": site_code,
            "cohort": "high",
            "consent": {"form_version": "ICF v2.0", "signed_on": api.today()},
            "identity": {"name": "Li Wei", "birth_date": "1961-05-04"},
        },
    )
    assert enrolled.status_code == 201, enrolled.text
    patient = enrolled.json()["code"]
    identity = api.ledger.get_patient_identity(patient)
    assert identity is not None and identity.name == "Li Wei"

    # And the pharmacist stores the released vials and dispenses one for the patient (R-TRC-2)
    stored = api.post(
        "pharmacist",
        f"/shipments/{shipment}/storage",
        {"vials": vials[:2], "place": "Pharmacy freezer F2/rack 3/box 1", "unit_c": -80},
    )
    assert stored.status_code == 200, stored.text
    dispensed = api.post(
        "pharmacist", f"/patients/{patient}/dispense", {"place": "Ward 5", "vial": vials[0]}
    )
    assert dispensed.status_code == 200 and dispensed.json()["vial"] == vials[0], dispensed.text
    where = api.get("nurse", f"/items/{vials[0]}", after=dispensed.json()["notification_id"])
    assert where.json()["location"] == f"{site_code}: Ward 5, for {patient}"

    # Then the bedside check is go, and the nurse thaws and administers (R-CLN-2, R-CLN-3)
    dose = {"vial": vials[0], "patient": patient, **BEDSIDE}
    go = api.post("pharmacist", "/bedside/verify", dose)
    assert go.status_code == 200 and go.json() == {"decision": "go", "reasons": []}, go.text
    assert api.post("nurse", "/bedside/thaw", dose).status_code == 200
    given = api.post("nurse", "/bedside/administer", signed_by_both(api, dose))
    assert given.status_code == 200, given.text
    number = given.json()["administration"]

    # And the dosed patient's scan offers the nurse the follow-up visit and an adverse event
    keys = step_keys(api, "nurse", patient, given.json()["notification_id"])
    assert {"follow_up_visit", "adverse_event"} <= keys
    visit = {"administration": number, "label": "day 1", "done_on": api.today()}
    assert api.post("nurse", f"/patients/{patient}/visits", visit).status_code == 200
    event = {
        "administration": number,
        "grade": 1,
        "serious": False,
        "description": "mild headache",
        "onset": api.today(),
    }
    reported = api.post("nurse", f"/patients/{patient}/adverse-events", event)
    assert reported.status_code == 201, reported.text
    assert reported.json()["study_status"] == "active"  # not serious: no pause (R-CLN-4)

    # When five days pass without the day 3 visit (R-CLN-6)
    api.clock.advance(days=5)
    api.sign_in()
    overdue = api.get("investigator", f"/studies/{study_code}/overdue-visits")
    # Then it is listed overdue, and no serious event report is overdue
    assert overdue.status_code == 200, overdue.text
    assert [(v["patient"], v["label"]) for v in overdue.json()] == [(patient, "day 3")]
    reports = api.get("investigator", f"/studies/{study_code}/overdue-reports")
    assert reports.status_code == 200 and reports.json() == []

    # And the patient traces back through the vial and its lot to the donor (R-TRC-1)
    trace = api.get("qa", f"/items/{patient}/trace", after=api.last_id()).json()
    codes = {n["code"] for n in trace["nodes"]}
    assert {vials[0], api.clinic.lot, api.clinic.plant.donor} <= codes
