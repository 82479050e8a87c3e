"""The site pharmacy over HTTP on the demo ledger: storage places, dispensing refused while the
study is paused, and the signed randomisation list (R-TRC-2, R-QC-3, R-CLN-4, R-CLN-5,
R-LED-5)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from ledger.api.app import create_app
from ledger.config import Settings
from ledger.demo.clinical import PROTOCOL
from ledger.demo.run import run_demo
from ledger.domain.study import Protocol
from ledger.identifiers import ItemType, format_code
from ledger.storage.db import create_db_engine
from ledger.stores.credentials import Credentials

PASSWORD = "pharmacy test password"
PHARMACIST, INVESTIGATOR = 6, 8  # the demo's staff serial numbers


def code(item_type: ItemType, serial: int, client: TestClient) -> str:
    return format_code(item_type, "F01", client.app.state.ctx.ledger.clock().year, serial)  # type: ignore[attr-defined]


@pytest.fixture
def client(sqlite_settings: Settings) -> Iterator[TestClient]:
    run_demo(sqlite_settings, lambda _: None)
    with TestClient(create_app(sqlite_settings)) as test_client:
        credentials = Credentials(create_db_engine(sqlite_settings))
        for serial in (PHARMACIST, INVESTIGATOR):
            credentials.set_password(code(ItemType.PERSON, serial, test_client), PASSWORD)
        yield test_client


def signed_in(client: TestClient, serial: int) -> dict[str, str]:
    person = code(ItemType.PERSON, serial, client)
    answer = client.post("/api/v1/auth/token", data={"username": person, "password": PASSWORD})
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def last_id(client: TestClient) -> int:
    return client.app.state.ctx.ledger.recorder.max_notification_id() or 0  # type: ignore[attr-defined, no-any-return]


def test_r_trc_2_storage_and_dispensing_over_http(client: TestClient) -> None:
    pharmacist = signed_in(client, PHARMACIST)
    shipment = code(ItemType.SHIPMENT, 1, client)
    vial = code(ItemType.PRODUCT_VIAL, 2, client)  # released and stored by the demo
    # When the pharmacist moves the vial to another box  Then it is recorded
    freezer = code(ItemType.STORAGE_UNIT, 2, client)  # the site's monitored freezer (R-SHP-5)
    body: dict[str, Any] = {
        "vials": [vial],
        "place": "rack 1/box 2",
        "unit_c": -75,
        "storage_unit": freezer,
    }
    moved = client.post(f"/api/v1/shipments/{shipment}/storage", json=body, headers=pharmacist)
    assert moved.status_code == 200, moved.text
    after = moved.json()["notification_id"]
    item = client.get(f"/api/v1/items/{vial}?after={after}", headers=pharmacist).json()
    assert item["location"].endswith("rack 1/box 2")
    # When put in a -20 C freezer  Then 409 under R-QC-3, nothing written
    before = last_id(client)
    warm = client.post(
        f"/api/v1/shipments/{shipment}/storage", json={**body, "unit_c": -20}, headers=pharmacist
    )
    assert (warm.status_code, warm.json()["violations"][0]["rule"]) == (409, "R-QC-3")
    # When dispensed for the patient while the study is paused  Then 409 under R-CLN-4
    patient = code(ItemType.PATIENT, 1, client)
    refused = client.post(
        f"/api/v1/patients/{patient}/dispense",
        json={"place": "Ward 5", "vial": vial},
        headers=pharmacist,
    )
    assert refused.status_code == 409
    assert "R-CLN-4" in {v["rule"] for v in refused.json()["violations"]}
    assert last_id(client) == before


def test_r_cln_5_randomisation_list_needs_the_signers_password(client: TestClient) -> None:
    # Given a blinded study
    ledger = client.app.state.ctx.ledger  # type: ignore[attr-defined]
    investigator = signed_in(client, INVESTIGATOR)
    protocol = Protocol(**{**PROTOCOL, "version": "EV-KOA-02 v1.0", "blinded": True})
    from ledger.core import Actor

    actor = Actor(code(ItemType.PERSON, INVESTIGATOR, client), "investigator")
    study, _ = ledger.register_study(actor, "EV vs placebo, phase II", protocol)
    path = f"/api/v1/studies/{study}/randomisation"
    body: dict[str, Any] = {"arms": ["active", "placebo"], "reference": "RL-EV-02 v1"}
    # When signed with a wrong password  Then 401 and nothing written
    before = last_id(client)
    wrong = client.post(
        path, json={**body, "signature": {"password": "not it"}}, headers=investigator
    )
    assert wrong.status_code == 401 and "R-LED-5" in wrong.json()["detail"]
    assert last_id(client) == before
    # When signed with the right one  Then recorded; the list never appears in the item read
    right = client.post(
        path, json={**body, "signature": {"password": PASSWORD}}, headers=investigator
    )
    assert right.status_code == 200, right.text
    item = client.get(
        f"/api/v1/items/{study}?after={right.json()['notification_id']}", headers=investigator
    )
    assert "placebo" not in item.text
    # And a list for the open-label demo study is refused under R-CLN-5
    open_label = code(ItemType.STUDY, 1, client)
    refused = client.post(
        f"/api/v1/studies/{open_label}/randomisation",
        json={**body, "signature": {"password": PASSWORD}},
        headers=investigator,
    )
    assert (refused.status_code, refused.json()["violations"][0]["rule"]) == (409, "R-CLN-5")
