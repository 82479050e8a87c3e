"""Domain II through the HTTP API, from a working-bank vial to filled product vials: every
step, the rule refusals on the way, and QA's certification as an electronic signature that
needs the password again (R-PRO-1..4, R-QC-2, R-LED-5)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from ledger.api.app import create_app
from ledger.config import Settings
from ledger.demo.production import EV_SPEC, EV_STABILITY, EV_TESTS, TFF_SEC, lot_results
from ledger.demo.run import run_demo
from ledger.identifiers import ItemType
from ledger.integrity.verify import LedgerReader
from ledger.storage.db import create_db_engine
from ledger.stores.credentials import Credentials
from tests.codes import demo_code

PASSWORD = "production test password"
# The demo's last working-bank vial, still in storage
VIAL = demo_code(ItemType.BANK_VIAL, 20)


@pytest.fixture
def api(sqlite_settings: Settings) -> Iterator[tuple[TestClient, dict[str, str], dict[str, str]]]:
    run_demo(sqlite_settings, lambda _: None)
    credentials = Credentials(create_db_engine(sqlite_settings))
    credentials.create_tables()
    staff = {
        role: demo_code(ItemType.PERSON, serial)
        for role, serial in (("operator", 2), ("qc", 3), ("qa", 4), ("investigator", 8))
    }
    for code in staff.values():
        credentials.set_password(code, PASSWORD)
    lots: dict[str, str] = {}
    with TestClient(create_app(sqlite_settings)) as client:
        ledger = client.app.state.ctx.ledger
        for record in LedgerReader(sqlite_settings.database).records():
            if record.topic.endswith("MaterialLot.Received"):
                code = json.loads(record.state)["code"]
                lots.setdefault(ledger.get_material_lot(code).material, code)
        tokens = {}
        for role, code in staff.items():
            r = client.post("/api/v1/auth/token", data={"username": code, "password": PASSWORD})
            assert r.status_code == 200, r.text
            tokens[role] = r.json()["access_token"]
        yield client, tokens, lots


def post(client: TestClient, token: str, path: str, body: dict[str, Any]) -> Any:
    return client.post(f"/api/v1{path}", json=body, headers={"Authorization": f"Bearer {token}"})


def test_r_led_5_vial_to_certified_and_filled_lot_over_http(api: Any) -> None:
    client, tokens, lots = api
    op, qc, qa = tokens["operator"], tokens["qc"], tokens["qa"]
    ledger = client.app.state.ctx.ledger
    serum = [{"lot": lots["MEM-ALPHA"]}, {"lot": lots["FBS-NZ"]}]
    thawed = post(client, op, f"/vials/{VIAL}/thaw", {"purpose": "production", "viability_pct": 90})
    assert thawed.status_code == 200, thawed.text
    culture = post(client, op, "/cultures", {"vial": VIAL, "medium": serum})
    assert culture.status_code == 201, culture.text
    cul = culture.json()["code"]
    # A passage over the bank's limit is refused (R-PRO-1); one within it is recorded
    step = {"feed": "50 %", "dissociation": "TrypLE", "medium": serum}
    over = post(client, op, f"/cultures/{cul}/passages", {"number": 11, **step})
    assert over.status_code == 409 and over.json()["violations"][0]["rule"] == "R-PRO-1"
    assert post(client, op, f"/cultures/{cul}/passages", {"number": 7, **step}).status_code == 200
    # Harvesting before the serum-free stage is refused (R-PRO-2)
    sfm = [{"lot": lots["SFM-EV"]}]
    early = post(client, op, f"/cultures/{cul}/harvests", {"volume_ml": 300, "medium": sfm})
    assert early.status_code == 409
    assert "R-PRO-2" in {v["rule"] for v in early.json()["violations"]}
    assert post(client, op, f"/cultures/{cul}/collection-stage", {"medium": sfm}).status_code == 200
    harvests = [
        post(client, op, f"/cultures/{cul}/harvests", {"volume_ml": 300, "medium": sfm}).json()[
            "code"
        ]
        for _ in range(2)
    ]
    lot = post(
        client,
        op,
        "/lots",
        {
            "harvests": harvests,
            "method": TFF_SEC.method,
            "parameters": TFF_SEC.parameters,
            "volume_ml": TFF_SEC.volume_ml,
            "specification": EV_SPEC,
        },
    )
    assert lot.status_code == 201, lot.text
    code = lot.json()["code"]
    # Certifying before the results is refused, listing what is missing (R-QC-2)
    signed = {"signature": {"password": PASSWORD, "meaning": "approved"}}
    missing = post(client, qa, f"/lots/{code}/certify", signed)
    assert missing.status_code == 409
    assert "R-QC-2" in {v["rule"] for v in missing.json()["violations"]}
    for result in lot_results(ledger, code):
        r = post(
            client, qc, f"/lots/{code}/results", {**result, "tested_on": str(result["tested_on"])}
        )
        assert r.status_code == 200, r.text
    # A wrong signature password writes nothing (R-LED-5); the right one certifies
    before = LedgerReader(client.app.state.ctx.settings.database).last_notification_id()
    wrong = post(client, qa, f"/lots/{code}/certify", {"signature": {"password": "nope"}})
    assert wrong.status_code == 401
    assert LedgerReader(client.app.state.ctx.settings.database).last_notification_id() == before
    assert post(client, qa, f"/lots/{code}/certify", signed).status_code == 200
    filled = post(
        client,
        op,
        f"/lots/{code}/fill",
        {"vials": 4, "volume_ml": 1.0, "container": "2 mL cryovial"},
    )
    assert filled.status_code == 201, filled.text
    vials = filled.json()["codes"]
    assert len(vials) == 4
    # The vials trace back to the donor, and their labels print
    trace = client.get(
        f"/api/v1/items/{vials[0]}/trace",
        params={"after": filled.json()["notification_id"]},
        headers={"Authorization": f"Bearer {qa}"},
    ).json()
    assert demo_code(ItemType.DONOR, 1) in {n["code"] for n in trace["nodes"]}
    label = client.get(
        f"/api/v1/items/{vials[0]}/label.png", headers={"Authorization": f"Bearer {op}"}
    )
    assert label.status_code == 200, label.text


def test_r_qc_1_specification_over_http_needs_every_category_and_stability(api: Any) -> None:
    client, tokens, _ = api
    tests = [dict(t) for t in EV_TESTS]
    stability = dict(EV_STABILITY)
    body = {"reference": "SPEC-EV-2", "product": "UC-MSC-EV", "stability": stability}
    before = LedgerReader(client.app.state.ctx.settings.database).last_notification_id()
    # Without potency and with no shelf life it is refused, naming both rules; nothing written
    partial = [t for t in tests if t["category"] != "potency"]
    refused = post(
        client,
        tokens["qa"],
        "/specifications",
        {**body, "tests": partial, "stability": {**stability, "shelf_life_days": 0}},
    )
    assert refused.status_code == 409
    assert {v["rule"] for v in refused.json()["violations"]} == {"R-QC-1", "R-QC-3"}
    # An operator may not issue one (R-PPL-2)
    assert (
        post(client, tokens["operator"], "/specifications", {**body, "tests": tests}).status_code
        == 403
    )
    assert LedgerReader(client.app.state.ctx.settings.database).last_notification_id() == before
    # QA issues the complete one
    issued = post(client, tokens["qa"], "/specifications", {**body, "tests": tests})
    assert issued.status_code == 201, issued.text


def test_r_cb_2_r_cb_7_clones_engineering_and_cell_lines_over_http(api: Any) -> None:
    client, tokens, _ = api
    op = tokens["operator"]
    portion = demo_code(ItemType.CELL_PORTION, 1)
    # Single-cell clones of the demo's cell portion, each with its own code (R-CB-2)
    clones = post(
        client, op, f"/cells/{portion}/clones", {"count": 2, "method": "limiting dilution"}
    )
    assert clones.status_code == 201, clones.text
    first, second = clones.json()["clones"]
    assert first.startswith("CLN-") and second.startswith("CLN-")
    # The vector of an engineered clone is recorded; an unknown vector type is refused (R-CB-7)
    vector = {"type": "lentiviral", "name": "pLV-EF1a-GFP", "lot": "VEC-2026-01"}
    assert post(client, op, f"/cells/{first}/engineering", vector).status_code == 200
    unknown = post(client, op, f"/cells/{second}/engineering", {**vector, "type": "warp"})
    assert (unknown.status_code, unknown.json()["violations"][0]["rule"]) == (409, "R-CB-7")
    # A genetically unstable line needs its proof of lawful origin (R-CB-7)
    line = {"line_name": "HEK293", "supplier": "ATCC", "supplier_lot": "70023456"}
    unstable = {**line, "genetically_unstable": True}
    refused = post(client, op, "/cell-lines", unstable)
    assert (refused.status_code, refused.json()["violations"][0]["rule"]) == (409, "R-CB-7")
    received = post(client, op, "/cell-lines", {**unstable, "lawful_origin_ref": "MTA-2026-07"})
    assert received.status_code == 201 and received.json()["code"].startswith("CEL-")


def test_r_id_3_placebo_lot_and_r_qc_1_specification_revision_over_http(api: Any) -> None:
    client, tokens, lots = api
    # A matching placebo lot of a blinded study, from its excipient lot (R-ID-3)
    body = {
        "study": "STU-F01-26-000009-X",
        "formulation": "PBS matched to the EV formulation",
        "volume_ml": 10.0,
        "specification": EV_SPEC,
        "materials": [{"lot": lots["PBS-EV"]}],
    }
    placebo = post(client, tokens["operator"], "/placebo-lots", body)
    assert placebo.status_code == 201 and placebo.json()["code"].startswith("LOT-"), placebo.text
    assert (
        post(client, tokens["operator"], "/placebo-lots", {**body, "materials": []}).status_code
        == 422
    )
    # QA revises the specification: version 2; lots made before keep version 1 (R-QC-1)
    revision = {"tests": EV_TESTS, "stability": EV_STABILITY}
    path = f"/specifications/{EV_SPEC}/versions"
    assert post(client, tokens["operator"], path, revision).status_code == 403
    revised = post(client, tokens["qa"], path, revision)
    assert revised.status_code == 201 and revised.json()["version"] == 2, revised.text


def test_r_led_1_a_wrong_entry_is_struck_out_with_its_reason_over_http(api: Any) -> None:
    client, tokens, _ = api
    donor = demo_code(ItemType.DONOR, 1)
    # A consent recorded against the wrong project, then struck out giving the reason
    consent = {
        "scopes": ["banking"],
        "project": "wrong project",
        "institution": "Demo Hospital",
        "form_version": "ICF v9",
        "consented_on": "2026-03-01",
    }
    recorded = post(client, tokens["investigator"], f"/donors/{donor}/consent", consent)
    assert recorded.status_code == 200, recorded.text
    history = client.get(
        f"/api/v1/items/{donor}/history?after={recorded.json()['notification_id']}",
        headers={"Authorization": f"Bearer {tokens['qc']}"},
    ).json()
    version = history[-1]["version"]
    reason = {"version": version, "reason": "consent entered against the wrong project"}
    path = f"/items/{donor}/corrections"
    struck = post(client, tokens["investigator"], path, reason)
    assert struck.status_code == 200, struck.text
    after = client.get(
        f"/api/v1/items/{donor}/history?after={struck.json()['notification_id']}",
        headers={"Authorization": f"Bearer {tokens['qc']}"},
    ).json()
    assert [e["version"] for e in after][-2:] == [version, version + 1]  # the entry stays
    assert after[-1]["event_type"].endswith("EntryCorrected")
    # Twice, or an entry a decision (QA's eligibility) relied on: refused (R-LED-1)
    assert (
        post(client, tokens["investigator"], path, reason).json()["violations"][0]["rule"]
        == "R-LED-1"
    )
    relied = post(client, tokens["investigator"], path, {**reason, "version": 2})
    assert (relied.status_code, relied.json()["violations"][0]["rule"]) == (409, "R-LED-1")
    # A QC result is never struck out: only an OOS investigation invalidates one (R-QMS-1)
    failed_lot = demo_code(ItemType.PRODUCT_LOT, 2)
    qc = post(client, tokens["qc"], f"/items/{failed_lot}/corrections", {**reason, "version": 2})
    assert (qc.status_code, qc.json()["violations"][0]["rule"]) == (409, "R-QMS-1")


def test_r_led_6_donor_identity_is_recorded_off_chain_over_http(api: Any) -> None:
    client, tokens, _ = api
    donor = demo_code(ItemType.DONOR, 1)
    identity = {"name": "Wang Fang", "birth_date": "1990-02-03", "contact": "+86 10 5555 0101"}
    # Only the identity-keeping roles may record it (R-PPL-2)
    assert (
        post(client, tokens["operator"], f"/donors/{donor}/identity", identity).status_code == 403
    )
    answer = post(client, tokens["investigator"], f"/donors/{donor}/identity", identity)
    assert answer.status_code == 200, answer.text
    # The identity is in the encrypted personal-data store, never in the chain
    stored = client.app.state.ctx.ledger.personal_data.read(donor)  # type: ignore[attr-defined]
    assert stored is not None and stored.name == "Wang Fang"
    records = LedgerReader(client.app.state.ctx.settings.database).records()  # type: ignore[attr-defined]
    assert not any(b"Wang Fang" in r.state for r in records)


def test_r_mat_3_epidemic_areas_in_force_are_listed_for_signed_in_staff(api: Any) -> None:
    client, tokens, _ = api
    # The demo declared bovine material from GB an epidemic area
    listed = client.get(
        "/api/v1/materials/epidemic-areas", headers={"Authorization": f"Bearer {tokens['qa']}"}
    )
    assert listed.status_code == 200 and "bovine:GB" in listed.json(), listed.text
    assert client.get("/api/v1/materials/epidemic-areas").status_code == 401
