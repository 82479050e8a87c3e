"""Monitored storage units over HTTP (R-SHP-5, R-SHP-4): registering a site's freezer, storing
into it, a logger upload whose excursion holds the vials in it, the unit's state, QA's
assessment, the temperature pictures of a unit and a shipment, and refusals with nothing
written."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import timedelta

from tests.domain3 import released
from tests.e2e.conftest import ClinicApi

SVG = "{http://www.w3.org/2000/svg}"


def register(api: ClinicApi, site: str | None) -> str:
    body = {
        "name": "Pharmacy freezer F2",
        "site": site,
        "kind": "-80 C freezer",
        "min_c": -90,
        "max_c": -60,
        "logger_interval_minutes": 15,
    }
    code = api.posted("pharmacist", "/storage-units", body, 201)["code"]
    assert isinstance(code, str) and code.startswith("UNT-")
    return code


def test_r_shp_5_a_units_excursion_holds_its_vials_over_http(clinic_api: ClinicApi) -> None:
    api, c = clinic_api, clinic_api.clinic
    unit = register(api, c.site)
    shipment = released(api.ledger, c, c.vials[:2])
    # storing at a site with units needs the unit: 409 naming R-SHP-5, nothing written
    before = api.last_id()
    body = {"vials": list(c.vials[:2]), "place": "rack 3/box 1", "unit_c": -80}
    refused = api.post("pharmacist", f"/shipments/{shipment}/storage", body)
    assert refused.status_code == 409, refused.text
    assert [v["rule"] for v in refused.json()["violations"]] == ["R-SHP-5"]
    assert api.last_id() == before
    api.posted("pharmacist", f"/shipments/{shipment}/storage", {**body, "storage_unit": unit})
    # When the unit's logger file shows it warm
    now = api.clock()
    csv = "timestamp,temperature\n" + "".join(
        f"{(now + timedelta(minutes=15 * i)).isoformat()},{t}\n"
        for i, t in enumerate([-80, -80, -35, -80])
    )
    api.clock.advance(hours=2)
    logged = api.posted("operator", f"/storage-units/{unit}/logger", {"logger": "LG", "csv": csv})
    # Then both vials are held, and the unit shows them, its excursion and its range
    assert logged["held"] == list(c.vials[:2])
    shown = api.get("qa", f"/storage-units/{unit}").json()
    assert [s["item"] for s in shown["contents"]] == list(c.vials[:2])
    assert shown["excursion"]["items"] == list(c.vials[:2])
    assert shown["allowed"] == {"min_c": -90, "max_c": -60} and shown["readings"] == 4
    item = api.get("qa", f"/items/{c.vials[0]}", after=api.last_id()).json()
    assert item["status"] == "on hold" and "storage unit" in item["holds"][0]
    # the unit's own status says it has an excursion, and the next step is its assessment
    card = api.get("qa", f"/items/{unit}", after=api.last_id()).json()
    assert card["status"] == "excursion"
    assert "unit_assess_excursion" in [s["key"] for s in card["next_steps"]]
    # When QA assesses it acceptable  Then the holds are lifted
    api.posted(
        "qa",
        f"/storage-units/{unit}/excursion-assessment",
        {"acceptable": True, "reason": "door open 5 min", "report_ref": "DEV-7"},
    )
    item = api.get("qa", f"/items/{c.vials[0]}", after=api.last_id()).json()
    assert item["holds"] == []


def test_r_shp_5_registering_is_for_qa_and_pharmacists_with_clear_errors(
    clinic_api: ClinicApi,
) -> None:
    api = clinic_api
    before = api.last_id()
    body = {"name": "F1", "kind": "freezer", "min_c": -90, "max_c": -60}
    operator = api.post("operator", "/storage-units", {**body, "logger_interval_minutes": 15})
    assert operator.status_code == 403
    no_interval = api.post("qa", "/storage-units", body)
    assert no_interval.status_code == 422 and "logger_interval_minutes" in no_interval.text
    empty = api.post(
        "qa", "/storage-units", {**body, "min_c": -60, "max_c": -90, "logger_interval_minutes": 5}
    )
    assert empty.status_code == 409 and empty.json()["violations"][0]["rule"] == "R-SHP-5"
    assert api.last_id() == before


def test_r_shp_5_temperature_pictures_of_a_unit_and_a_shipment(clinic_api: ClinicApi) -> None:
    api, c = clinic_api, clinic_api.clinic
    unit = register(api, None)
    now = api.clock()
    later = now + timedelta(minutes=15)
    csv = f"timestamp,temperature\n{now.isoformat()},-80\n{later.isoformat()},-20\n"
    api.posted("operator", f"/storage-units/{unit}/logger", {"logger": "LG", "csv": csv})
    shipment = released(api.ledger, c, c.vials[2:3])
    for path in (
        f"/storage-units/{unit}/temperatures.svg",
        f"/shipments/{shipment}/temperatures.svg",
    ):
        # nobody reads a record anonymously (R-ACC-1)
        assert api.client.get(f"/api/v1{path}").status_code == 401
        picture = api.get("qa", path)
        assert picture.status_code == 200
        assert picture.headers["content-type"].startswith("image/svg+xml")
        root = ET.fromstring(picture.text)
        assert root.tag == f"{SVG}svg"
        assert root.findall(f".//{SVG}*[@class='band']")
    warm = ET.fromstring(api.get("qa", f"/storage-units/{unit}/temperatures.svg").text)
    assert len(warm.findall(f".//{SVG}*[@class='outside']")) == 1
    chinese = api.get("qa", f"/storage-units/{unit}/temperatures.svg", lang="zh").text
    assert "允许范围" in chinese
    # a code of another kind is refused clearly
    wrong = api.get("qa", f"/storage-units/{c.study}/temperatures.svg")
    assert wrong.status_code == 422


def test_r_shp_5_the_units_trace_page_pictures_its_record_in_the_readers_language(
    clinic_api: ClinicApi,
) -> None:
    api = clinic_api
    unit = register(api, api.clinic.site)
    now = api.clock().isoformat()
    api.posted("operator", f"/storage-units/{unit}/logger", {"logger": "LG", "csv": f"{now},-80\n"})
    api.get("qa", f"/items/{unit}", after=api.last_id())  # the views have caught up
    panel = api.client.get(f"/trace/{unit}/panel?lang=zh", headers=api.headers("qa"))
    assert panel.status_code == 200
    assert 'id="temperature"' in panel.text and "允许范围" in panel.text
    english = api.client.get(f"/trace/{unit}/panel?lang=en", headers=api.headers("qa")).text
    assert "allowed range" in english and "允许范围" not in english
