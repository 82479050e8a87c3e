"""The HTTP API's foundation: sign-in, roles and training (R-PPL-2), error shapes, read-your-
writes and item history with stored event hashes (R-TRC-3)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from ledger.api.app import create_app
from ledger.application import SYSTEM
from ledger.bootstrap import init_ledger, open_ledger
from ledger.commands.people import ADMINISTER
from ledger.config import Settings
from ledger.identifiers import ItemType
from ledger.integrity.verify import LedgerReader
from ledger.storage.db import create_db_engine
from ledger.stores.credentials import Credentials
from tests.codes import demo_code, mistyped

ADMIN_PASSWORD = "correct horse battery"


@pytest.fixture
def admin_code(sqlite_settings: Settings) -> str:
    init_ledger(sqlite_settings)
    app = open_ledger(sqlite_settings)
    code, _ = app.register_person(SYSTEM, ["administrator"])
    today = app.today()
    app.record_training(SYSTEM, code, ADMINISTER, today, today + timedelta(days=30), "SOP-1 v1")
    app.close()
    credentials = Credentials(create_db_engine(sqlite_settings))
    credentials.create_tables()
    credentials.set_password(code, ADMIN_PASSWORD)
    return code


@pytest.fixture
def client(sqlite_settings: Settings, admin_code: str) -> Iterator[TestClient]:
    with TestClient(create_app(sqlite_settings)) as test_client:
        yield test_client


def login(client: TestClient, code: str, password: str, role: str | None = None) -> Any:
    data = {"username": code, "password": password}
    if role:
        data["role"] = role
    return client.post("/api/v1/auth/token", data=data)


def auth(client: TestClient, code: str, password: str = ADMIN_PASSWORD) -> dict[str, str]:
    response = login(client, code, password)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def test_r_ppl_1_administrator_registers_a_person_and_reads_it_back(
    client: TestClient, admin_code: str
) -> None:
    # Given a signed-in administrator
    headers = auth(client, admin_code)
    # When they register an operator with a password
    created = client.post(
        "/api/v1/people",
        json={"roles": ["operator"], "password": "operator-password"},
        headers=headers,
    )
    # Then the new code is returned with the notification id of the write
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["code"].startswith("PER-")
    # And reading the item after that notification id finds it (read-your-writes)
    item = client.get(
        f"/api/v1/items/{body['code']}", params={"after": body["notification_id"]}, headers=headers
    )
    assert item.status_code == 200, item.text
    assert item.json()["item_type"] == "PER"
    # And the new person can sign in
    assert login(client, body["code"], "operator-password").status_code == 200


def test_r_trc_3_history_shows_who_when_meaning_and_the_stored_event_hash(
    client: TestClient, admin_code: str, sqlite_settings: Settings
) -> None:
    headers = auth(client, admin_code)
    created = client.post(
        "/api/v1/people", json={"roles": ["qa"], "password": "qa-password"}, headers=headers
    ).json()
    # Read by the new QA person (administrators may not read histories, R-ACC-1)
    history = client.get(
        f"/api/v1/items/{created['code']}/history",
        params={"after": created["notification_id"]},
        headers=auth(client, created["code"], "qa-password"),
    )
    assert history.status_code == 200, history.text
    (event,) = history.json()
    assert event["event_type"] == "Person.Registered"
    assert (event["actor_id"], event["actor_role"], event["meaning"]) == (
        admin_code,
        "administrator",
        "performed",
    )
    stored = {r.notification_id: r for r in LedgerReader(sqlite_settings.database).records()}
    assert event["event_hash"] == stored[event["notification_id"]].event_hash.hex()


def test_r_ppl_2_untrained_role_is_refused_with_403_naming_what_is_missing(
    client: TestClient, admin_code: str
) -> None:
    # Given an operator without any training
    headers = auth(client, admin_code)
    operator = client.post(
        "/api/v1/people",
        json={"roles": ["operator"], "password": "operator-password"},
        headers=headers,
    ).json()["code"]
    before = LedgerReader(client.app.state.ctx.settings.database).last_notification_id()
    # When the operator tries an administrator's step
    refused = client.post(
        "/api/v1/people",
        json={"roles": ["operator"]},
        headers=auth(client, operator, "operator-password"),
    )
    # Then 403 names the rule and what is missing, and nothing was written
    assert refused.status_code == 403
    body = refused.json()
    assert body["error"] == "forbidden"
    assert {v["rule"] for v in body["violations"]} == {"R-PPL-2"}
    assert "training" in body["detail"]
    assert LedgerReader(client.app.state.ctx.settings.database).last_notification_id() == before
    # And Prometheus sees the refusal under its rule, and the request under its route's template
    metrics = client.get("/metrics").text
    assert re.search(r'^celltrace_refusals_total\{rule="R-PPL-2"\} [1-9]', metrics, re.M)
    assert re.search(
        r'^celltrace_http_request_duration_seconds_count\{method="POST",'
        r'route="/api/v1/people",status="4xx"\} [1-9]',
        metrics,
        re.M,
    )


def test_r_ppl_1_unknown_role_is_refused_with_409_and_the_rule(
    client: TestClient, admin_code: str
) -> None:
    refused = client.post(
        "/api/v1/people", json={"roles": ["wizard"]}, headers=auth(client, admin_code)
    )
    assert refused.status_code == 409
    assert refused.json()["violations"][0]["rule"] == "R-PPL-1"


def test_sign_in_errors_are_401_and_five_failures_block_the_address(
    client: TestClient, admin_code: str
) -> None:
    assert client.post("/api/v1/people", json={"roles": ["qa"]}).status_code == 401
    bad = {"Authorization": "Bearer not-a-token"}
    assert client.post("/api/v1/people", json={"roles": ["qa"]}, headers=bad).status_code == 401
    for _ in range(5):
        assert login(client, admin_code, "wrong password").status_code == 401
    blocked = login(client, admin_code, ADMIN_PASSWORD)
    assert blocked.status_code == 429
    assert "too many wrong passwords from this address" in blocked.json()["detail"]


def test_r_id_1_errors_are_422_404_with_the_documented_shape(
    client: TestClient, admin_code: str
) -> None:
    headers = auth(client, admin_code)
    typo = client.get(f"/api/v1/items/{mistyped(admin_code)}", headers=headers)
    assert typo.status_code == 422
    assert typo.json()["violations"][0]["rule"] == "R-ID-1"
    unknown = client.get(f"/api/v1/items/{demo_code(ItemType.PERSON, 999)}", headers=headers)
    assert unknown.status_code == 404
    assert set(unknown.json()) == {"error", "detail", "violations"}
    impossible = client.post("/api/v1/auth/token", data={"username": "x"})
    assert impossible.status_code == 422
    assert impossible.json()["error"] == "invalid_input"


def test_openapi_schema_lists_the_areas(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert "/api/v1/auth/token" in schema["paths"]
    assert "/api/v1/items/{code}/history" in schema["paths"]
