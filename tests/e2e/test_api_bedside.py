"""The bedside over HTTP (R-CLN-2, R-CLN-3, R-LED-5): go / no-go with every reason, in the shape
DESIGN.md gives; on the demo ledger the study is paused by a serious adverse event (R-CLN-4).
Once the ethics committee resumes it, the thaw and the administration are recorded, the
administration signed by both the nurse and the verifying pharmacist; a wrong password of
either writes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from ledger.api.app import create_app
from ledger.application import Actor
from ledger.config import Settings
from ledger.demo.run import run_demo
from ledger.domain.patient import Consent
from ledger.identifiers import ItemType, format_code
from ledger.storage.db import create_db_engine
from ledger.stores.credentials import Credentials
from tests.codes import demo_code

PHARMACIST = demo_code(ItemType.PERSON, 6)
NURSE = demo_code(ItemType.PERSON, 7)
INVESTIGATOR = demo_code(ItemType.PERSON, 8)
PASSWORD = "bedside test password"
NURSE_PASSWORD = "nurse test password"


@pytest.fixture
def client(sqlite_settings: Settings) -> Iterator[TestClient]:
    run_demo(sqlite_settings, lambda _: None)
    credentials = Credentials(create_db_engine(sqlite_settings))
    credentials.create_tables()
    credentials.set_password(PHARMACIST, PASSWORD)
    credentials.set_password(NURSE, NURSE_PASSWORD)
    credentials.set_password(INVESTIGATOR, PASSWORD)
    with TestClient(create_app(sqlite_settings)) as test_client:
        yield test_client


def _headers(client: TestClient, person: str, password: str) -> dict[str, str]:
    answer = client.post("/api/v1/auth/token", data={"username": person, "password": password})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def _codes(client: TestClient) -> tuple[str, str, str]:
    """The demo's second released vial (unused), its dosed patient and their study."""
    year = client.app.state.ctx.ledger.clock().year
    return (
        format_code(ItemType.PRODUCT_VIAL, "F01", year, 2),
        format_code(ItemType.PATIENT, "F01", year, 1),
        format_code(ItemType.STUDY, "F01", year, 1),
    )


def _resumed(client: TestClient) -> dict[str, Any]:
    """The demo's paused study resumed by the ethics committee; a new subject enrolled, the
    second vial dispensed for them (R-CLN-8) and its thaw recorded by the nurse. Returns the
    administration request for that vial."""
    vial, dosed, study = _codes(client)
    ledger = client.app.state.ctx.ledger
    investigator = Actor(INVESTIGATOR, "investigator")
    ledger.record_ethics_decision(
        investigator.signed(PASSWORD), study, "resume", "EC-2026-017", "causality excluded"
    )
    consent = Consent(form_version="ICF v2.0", signed_on=ledger.today())
    site = ledger.get_patient(dosed).site
    patient, _ = ledger.enrol_patient(investigator, study, site, "high", consent)
    ledger.dispense(Actor(PHARMACIST, "pharmacist"), patient, "Ward 5 treatment room", vial)
    given = {"vial": vial, "patient": patient, "dose": 1.0, "route": "intravenous"}
    thawed = client.post(
        "/api/v1/bedside/thaw", json=given, headers=_headers(client, NURSE, NURSE_PASSWORD)
    )
    assert thawed.status_code == 200, thawed.text
    return {
        **given,
        "pharmacist": PHARMACIST,
        "signature": {"password": NURSE_PASSWORD, "meaning": "performed"},
        "pharmacist_signature": {"password": PASSWORD, "meaning": "reviewed"},
    }


def test_r_cln_2_bedside_verify_lists_every_no_go_reason(client: TestClient) -> None:
    headers = _headers(client, PHARMACIST, PASSWORD)
    vial, patient, _ = _codes(client)  # the vial is released at the site
    # When the pharmacist checks a wrong dose and route while the study is paused
    answer = client.post(
        "/api/v1/bedside/verify",
        json={"vial": vial, "patient": patient, "dose": 2.0, "route": "intranasal"},
        headers=headers,
    )
    # Then it is no-go with every reason, each with its rule
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["decision"] == "no-go"
    messages = " ".join(r["message"] for r in body["reasons"])
    assert {r["rule"] for r in body["reasons"]} >= {"R-CLN-2", "R-CLN-4"}
    assert "dose" in messages and "intranasal" in messages and "paused" in messages
    # And without signing in it is refused
    anonymous = client.post(
        "/api/v1/bedside/verify",
        json={"vial": vial, "patient": patient, "dose": 1.0, "route": "intravenous"},
    )
    assert anonymous.status_code == 401


def test_r_cln_3_administration_is_signed_by_the_nurse_and_the_pharmacist(
    client: TestClient,
) -> None:
    # Given the study resumed and the vial thawed at the bedside, the check is go
    request = _resumed(client)
    headers = _headers(client, NURSE, NURSE_PASSWORD)
    check = {k: request[k] for k in ("vial", "patient", "dose", "route")}
    decision = client.post("/api/v1/bedside/verify", json=check, headers=headers).json()
    assert decision == {"decision": "go", "reasons": []}
    # When the nurse records the administration, both people re-entering their passwords
    answer = client.post("/api/v1/bedside/administer", json=request, headers=headers)
    # Then it is the patient's first administration, naming the nurse and the pharmacist
    assert answer.status_code == 200, answer.text
    assert answer.json()["administration"] == 1
    ledger = client.app.state.ctx.ledger
    dose = ledger.get_patient(request["patient"]).doses[-1]
    assert (dose["vial"], dose["nurse"], dose["pharmacist"]) == (request["vial"], NURSE, PHARMACIST)
    # And the patient's history shows the nurse performed it
    after = answer.json()["notification_id"]
    history = client.get(
        f"/api/v1/items/{request['patient']}/history",
        params={"after": after},
        headers=_headers(client, PHARMACIST, PASSWORD),
    ).json()
    last = history[-1]
    assert (last["actor_id"], last["meaning"]) == (NURSE, "performed")
    # And the vial is used: checking it again is no-go
    again = client.post("/api/v1/bedside/verify", json=check, headers=headers).json()
    assert again["decision"] == "no-go"


@pytest.mark.parametrize("signer", ["signature", "pharmacist_signature"])
def test_r_led_5_a_wrong_password_of_either_signer_writes_nothing(
    client: TestClient, signer: str
) -> None:
    # Given a go at the bedside with the vial thawed
    request = _resumed(client)
    headers = _headers(client, NURSE, NURSE_PASSWORD)
    ledger = client.app.state.ctx.ledger
    before = ledger.recorder.max_notification_id()
    # When one of the two people enters a wrong password
    request[signer] = {"password": "not the password", "meaning": "performed"}
    answer = client.post("/api/v1/bedside/administer", json=request, headers=headers)
    # Then the signature is refused naming whose password was wrong, and nothing is written
    assert answer.status_code == 401, answer.text
    whose = NURSE if signer == "signature" else PHARMACIST
    assert "R-LED-5" in answer.json()["detail"] and whose in answer.json()["detail"]
    assert ledger.recorder.max_notification_id() == before
    assert ledger.get_patient(request["patient"]).doses == ()
