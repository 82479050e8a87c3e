"""R-PPL-1 over HTTP: training is recorded only for a step type the ledger knows; the refusal
names the step and lists the step types, and nothing is written."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi.testclient import TestClient

from ledger.config import Settings
from ledger.integrity.verify import LedgerReader
from tests.e2e.test_api_foundation import admin_code, auth, client

__all__ = ["admin_code", "client"]  # fixtures


def test_r_ppl_1_training_for_an_unknown_step_type_is_refused_over_http(
    client: TestClient, admin_code: str, sqlite_settings: Settings
) -> None:
    # Given a signed-in administrator and a registered operator
    headers = auth(client, admin_code)
    created = client.post(
        "/api/v1/people", json={"roles": ["operator"], "password": "operator-pw"}, headers=headers
    )
    assert created.status_code == 201, created.text
    code = created.json()["code"]
    before = LedgerReader(sqlite_settings.database).last_notification_id()
    today = date.today()
    training = {
        "completed_on": today.isoformat(),
        "expires_on": (today + timedelta(days=365)).isoformat(),
        "sop": "SOP-1 v1",
    }
    # When training is recorded for a step that does not exist
    refused = client.post(
        f"/api/v1/people/{code}/training",
        json={"step_type": "fly.to.moon", **training},
        headers=headers,
    )
    # Then it is refused under R-PPL-1 naming the step and the step types, nothing written
    assert refused.status_code == 409, refused.text
    body = refused.json()
    assert [v["rule"] for v in body["violations"]] == ["R-PPL-1"]
    assert "'fly.to.moon' is not a step type of this ledger" in body["detail"]
    assert "banks.thaw" in body["detail"]
    assert LedgerReader(sqlite_settings.database).last_notification_id() == before
    # And a known step type is recorded
    accepted = client.post(
        f"/api/v1/people/{code}/training",
        json={"step_type": "banks.thaw", **training},
        headers=headers,
    )
    assert accepted.status_code in (200, 201), accepted.text
