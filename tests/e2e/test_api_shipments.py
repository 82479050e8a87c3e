"""The cold chain over HTTP: an excursion quarantines exactly its shipment's vials until QA's
assessment (R-SHP-2), malformed logger files are 422 with the line, rule refusals are 409 and
role or training refusals 403, with nothing written (R-SHP-1, R-SHP-3, R-QC-4, R-PPL-2)."""

from __future__ import annotations

from collections.abc import Sequence

from ledger.api.forms import FORMS
from ledger.api.pages.i18n import MESSAGES
from tests.e2e.conftest import ClinicApi, signed


def ship(api: ClinicApi, vials: Sequence[str]) -> str:
    answer = api.post(
        "operator",
        "/shipments",
        {
            "site": api.clinic.site,
            "containers": [{"vials": list(vials)}],
            "courier": "WB-9",
            "logger_interval_minutes": 10,
        },
    )
    assert answer.status_code == 201, answer.text
    code = answer.json()["code"]
    assert isinstance(code, str)
    return code


def status(api: ClinicApi, code: str) -> tuple[str, list[str]]:
    item = api.get("qa", f"/items/{code}", after=api.last_id()).json()
    return item["status"], item["holds"]


def test_r_shp_2_excursion_quarantines_exactly_that_shipments_vials(clinic_api: ClinicApi) -> None:
    api, vials = clinic_api, clinic_api.clinic.vials
    # Given two shipments in transit
    warm = ship(api, vials[:2])
    ship(api, vials[2:4])
    # When the first one's logger file shows a reading outside the range (as text)
    now = api.clock().isoformat()
    csv = f"timestamp,temperature\n{now},-78.5\n{now},-41.2\n"
    logged = api.post("operator", f"/shipments/{warm}/logger", {"logger": "LG-8", "csv": csv})
    # Then the reading outside is returned with the range
    assert logged.status_code == 200, logged.text
    body = logged.json()
    assert [r["temp_c"] for r in body["outside"]] == [-41.2]
    assert body["readings"] == 2 and body["required"]["max_c"] < -41.2
    # And exactly that shipment's vials are on hold, the other shipment's are not
    for vial in vials[:2]:
        held, holds = status(api, vial)
        assert held == "on hold" and "excursion" in holds[0]
    for vial in vials[2:4]:
        assert status(api, vial) == ("in transit", [])
    # When QA assesses the excursion as acceptable, the quarantine is lifted
    assessed = api.post(
        "qa",
        f"/shipments/{warm}/excursion-assessment",
        {
            "acceptable": True,
            "reason": "4 min above range; stability covers it",
            "report_ref": "D-1",
        },
    )
    assert assessed.status_code == 200, assessed.text
    assert status(api, vials[0]) == ("in transit", [])


def test_r_shp_1_malformed_logger_files_are_422_naming_the_line(clinic_api: ClinicApi) -> None:
    api = clinic_api
    shipment = ship(api, api.clinic.vials[:1])
    before = api.last_id()
    now = api.clock().isoformat()
    bad_line = api.post(
        "operator",
        f"/shipments/{shipment}/logger",
        {"logger": "LG-1", "csv": f"timestamp,temperature\n{now},-78\nyesterday,-77\n"},
    )
    assert bad_line.status_code == 422
    assert "line 3" in bad_line.json()["detail"] and "R-SHP-1" in bad_line.json()["detail"]
    no_number = api.post(
        "operator", f"/shipments/{shipment}/logger", {"logger": "LG-1", "csv": f"{now},nan\n"}
    )
    assert no_number.status_code == 422 and "not a measured number" in no_number.json()["detail"]
    not_text = api.client.post(
        f"/api/v1/shipments/{shipment}/logger/file",
        data={"logger": "LG-1"},
        files={"file": ("LG-1.csv", b"\xff\xfe\x00-78", "text/csv")},
        headers=api.headers("operator"),
    )
    assert not_text.status_code == 422 and "UTF-8" in not_text.json()["detail"]
    assert api.last_id() == before


def test_r_shp_3_inspection_before_delivery_and_release_before_it_are_refused(
    clinic_api: ClinicApi,
) -> None:
    api = clinic_api
    shipment = ship(api, api.clinic.vials[:2])
    before = api.last_id()
    early = api.post(
        "pharmacist", f"/shipments/{shipment}/receipt-inspection", {"passed": [], "failed": {}}
    )
    assert early.status_code == 409
    assert "R-SHP-3" in {v["rule"] for v in early.json()["violations"]}
    release = api.post("qp", f"/shipments/{shipment}/release", signed())
    assert release.status_code == 409
    assert "R-QC-4" in {v["rule"] for v in release.json()["violations"]}
    unknown_site = api.post(
        "operator",
        "/shipments",
        {
            "site": api.clinic.study,
            "containers": [{"vials": [api.clinic.vials[4]]}],
            "courier": "x",
            "logger_interval_minutes": 10,
        },
    )
    assert unknown_site.status_code == 422  # a study's code where a site's is needed (R-ID-1)
    assert api.last_id() == before


def test_r_shp_3_vials_not_named_at_receipt_are_missing_and_held(clinic_api: ClinicApi) -> None:
    api, vials = clinic_api, clinic_api.clinic.vials[:3]
    shipment = ship(api, vials)
    assert api.post("pharmacist", f"/shipments/{shipment}/delivery", {}).status_code == 200
    inspected = api.post(
        "pharmacist", f"/shipments/{shipment}/receipt-inspection", {"passed": [vials[0]]}
    )
    assert inspected.status_code == 200, inspected.text
    assert inspected.json()["missing"] == list(vials[1:])
    held, holds = status(api, vials[1])
    assert held == "on hold" and "missing" in holds[0]
    # and they open a deviation concerning the shipment and them (R-QMS-6)
    deviation = inspected.json()["deviation"]
    (opened,) = [d for d in api.get("qa", "/deviations").json() if d["code"] == deviation]
    assert opened["items"] == [shipment, *vials[1:]] and opened["severity"] == "minor"


def test_r_ppl_2_wrong_roles_are_refused_with_403_and_nothing_written(
    clinic_api: ClinicApi,
) -> None:
    api = clinic_api
    shipment = ship(api, api.clinic.vials[:1])
    before = api.last_id()
    packed = {"site": api.clinic.site, "containers": [{"vials": [api.clinic.vials[5]]}]}
    assessment = {"acceptable": True, "reason": "within stability data", "report_ref": "D-2"}
    for role, path, body in (
        ("pharmacist", "/shipments", {**packed, "courier": "WB-10", "logger_interval_minutes": 10}),
        ("nurse", f"/shipments/{shipment}/release", signed()),
        ("operator", f"/shipments/{shipment}/delivery", {}),
        ("pharmacist", f"/shipments/{shipment}/excursion-assessment", assessment),
    ):
        refused = api.post(role, path, body)
        assert refused.status_code == 403, (path, refused.text)
        assert refused.json()["violations"][0]["rule"] == "R-PPL-2", path
    assert api.last_id() == before


def test_r_ppl_2_untrained_pharmacist_is_refused_delivery_naming_the_training(
    clinic_api: ClinicApi,
) -> None:
    # Given a newly registered pharmacist without any training record
    api = clinic_api
    created = api.post(
        "administrator", "/people", {"roles": ["pharmacist"], "password": "new pharmacist pw"}
    )
    assert created.status_code == 201, created.text
    code = created.json()["code"]
    token = api.client.post(
        "/api/v1/auth/token", data={"username": code, "password": "new pharmacist pw"}
    ).json()["access_token"]
    shipment = ship(api, api.clinic.vials[:1])
    before = api.last_id()
    # When they take delivery
    refused = api.client.post(
        f"/api/v1/shipments/{shipment}/delivery",
        json={},
        headers={"Authorization": f"Bearer {token}"},
    )
    # Then 403 names the missing training for the step, and nothing was written
    assert refused.status_code == 403
    assert "shipment.deliver" in refused.json()["detail"]
    assert "training" in refused.json()["detail"]
    assert api.last_id() == before


def test_every_clinical_step_and_field_has_page_texts() -> None:
    for step in FORMS:
        assert f"step.{step.key}" in MESSAGES, step.key
        for f in step.fields:
            assert f.kind == "item" or f"field.{f.name}" in MESSAGES, (step.key, f.name)
