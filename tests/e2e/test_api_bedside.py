"""POST /bedside/verify over HTTP (R-CLN-2): go / no-go with every reason, in the shape
DESIGN.md gives; on the demo ledger the study is paused by a serious adverse event (R-CLN-4)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from ledger.api.app import create_app
from ledger.config import Settings
from ledger.credentials import Credentials
from ledger.db import create_db_engine
from ledger.demo import run_demo
from ledger.identifiers import ItemType, format_code

PHARMACIST = "PER-F01-26-000006-3"
PASSWORD = "bedside test password"


@pytest.fixture
def client(sqlite_settings: Settings) -> Iterator[TestClient]:
    run_demo(sqlite_settings, lambda _: None)
    credentials = Credentials(create_db_engine(sqlite_settings))
    credentials.create_tables()
    credentials.set_password(PHARMACIST, PASSWORD)
    with TestClient(create_app(sqlite_settings)) as test_client:
        yield test_client


def test_r_cln_2_bedside_verify_lists_every_no_go_reason(client: TestClient) -> None:
    token = client.post(
        "/api/v1/auth/token", data={"username": PHARMACIST, "password": PASSWORD}
    ).json()["access_token"]
    ledger = client.app.state.ctx.ledger
    year = ledger.clock().year
    vial = format_code(ItemType.PRODUCT_VIAL, "F01", year, 2)  # released at the site
    patient = format_code(ItemType.PATIENT, "F01", year, 1)
    # When the pharmacist checks a wrong dose and route while the study is paused
    answer = client.post(
        "/api/v1/bedside/verify",
        json={"vial": vial, "patient": patient, "dose": 2.0, "route": "intranasal"},
        headers={"Authorization": f"Bearer {token}"},
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
