"""Domain I through the HTTP API: donor to thawed vial, with electronic signatures that need
the signer's password again (R-LED-5), role and rule refusals as 403/409."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from ledger.api.app import create_app
from ledger.application import Actor
from ledger.bootstrap import init_ledger, open_ledger
from ledger.config import Settings
from ledger.demo.records import (
    MSC_IDENTITY,
    collect,
    eligible_donor,
    passing_bank_tests,
    register_staff,
    released_lot,
    screening_record,
)
from ledger.domain.material_use import UseOf
from ledger.integrity.verify import LedgerReader
from ledger.storage.db import create_db_engine
from ledger.stores.credentials import Credentials

PASSWORD = "a long test password"


@pytest.fixture
def api(sqlite_settings: Settings) -> Iterator[tuple[TestClient, dict[str, str], dict[str, str]]]:
    init_ledger(sqlite_settings)
    app = open_ledger(sqlite_settings)
    staff = register_staff(app, lambda _: None)
    lots = {ref: released_lot(app, staff, ref) for ref in ("TM-GENTA", "COLL-I", "MEM-ALPHA")}
    app.close()
    credentials = Credentials(create_db_engine(sqlite_settings))
    credentials.create_tables()
    for actor in staff.values():
        credentials.set_password(actor.person_id, PASSWORD)
    with TestClient(create_app(sqlite_settings)) as client:
        tokens = {}
        for role, actor in staff.items():
            response = client.post(
                "/api/v1/auth/token", data={"username": actor.person_id, "password": PASSWORD}
            )
            assert response.status_code == 200, response.text
            tokens[role] = response.json()["access_token"]
        yield client, tokens, lots


def staff_of(client: TestClient, tokens: dict[str, str]) -> dict[str, Actor]:
    """The people behind the sign-in tokens, as the application's actors."""
    ctx = client.app.state.ctx
    sessions = {role: ctx.credentials.session(token, ctx.clock()) for role, token in tokens.items()}
    return {
        role: Actor(s.person_code, s.role).signed(PASSWORD)
        for role, s in sessions.items()
        if s is not None
    }


def as_(tokens: dict[str, str], role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens[role]}"}


def screened_donor(client: TestClient, tokens: dict[str, str]) -> str:
    investigator = as_(tokens, "investigator")
    donor = client.post("/api/v1/donors", json={}, headers=investigator).json()["code"]
    today = client.app.state.ctx.ledger.today()
    consent = client.post(
        f"/api/v1/donors/{donor}/consent",
        json={
            "scopes": ["banking", "long_term_storage"],
            "project": "PRJ-EV-01",
            "institution": "Hospital A",
            "form_version": "ICF v2",
            "consented_on": str(today),
        },
        headers=investigator,
    )
    assert consent.status_code == 200, consent.text
    record = screening_record(today)
    body: dict[str, Any] = {**record, "screened_on": str(today)}
    screened = client.post(f"/api/v1/donors/{donor}/screenings", json=body, headers=investigator)
    assert screened.status_code == 200, screened.text
    return donor


def sign(eligible: bool, password: str) -> dict[str, Any]:
    return {
        "eligible": eligible,
        "reason": "all markers non-reactive",
        "signature": {"password": password, "meaning": "approved"},
    }


def test_r_led_5_wrong_signature_password_is_401_and_nothing_is_written(api: Any) -> None:
    client, tokens, _ = api
    donor = screened_donor(client, tokens)
    before = LedgerReader(client.app.state.ctx.settings.database).last_notification_id()
    refused = client.post(
        f"/api/v1/donors/{donor}/eligibility",
        json=sign(True, "not my password"),
        headers=as_(tokens, "qa"),
    )
    assert refused.status_code == 401
    assert "R-LED-5" in refused.json()["detail"]
    assert LedgerReader(client.app.state.ctx.settings.database).last_notification_id() == before


def test_r_led_5_signed_eligibility_records_who_when_and_meaning(api: Any) -> None:
    client, tokens, _ = api
    donor = screened_donor(client, tokens)
    signed = client.post(
        f"/api/v1/donors/{donor}/eligibility", json=sign(True, PASSWORD), headers=as_(tokens, "qa")
    )
    assert signed.status_code == 200, signed.text
    history = client.get(
        f"/api/v1/items/{donor}/history",
        params={"after": signed.json()["notification_id"]},
        headers=as_(tokens, "qa"),
    ).json()
    decision = next(e for e in history if e["event_type"].endswith("EligibilityDetermined"))
    assert (decision["actor_role"], decision["meaning"]) == ("qa", "approved")
    assert decision["recorded_at"]


def test_r_ppl_2_an_operator_cannot_sign_eligibility(api: Any) -> None:
    client, tokens, _ = api
    donor = screened_donor(client, tokens)
    refused = client.post(
        f"/api/v1/donors/{donor}/eligibility",
        json=sign(True, PASSWORD),
        headers=as_(tokens, "operator"),
    )
    assert refused.status_code == 403
    assert refused.json()["violations"][0]["rule"] == "R-PPL-2"


def test_r_cb_1_whole_chain_from_donor_to_thawed_vial_over_http(api: Any) -> None:
    client, tokens, lots = api
    operator, qa, qc = as_(tokens, "operator"), as_(tokens, "qa"), as_(tokens, "qc_analyst")
    ledger = client.app.state.ctx.ledger
    now, today = ledger.clock(), ledger.today()
    donor = screened_donor(client, tokens)
    # A collection before eligibility is refused with the rule (R-DON-4)
    collection_body = {
        "donor": donor,
        "sample_type": "umbilical_cord",
        "collected_at": (now - timedelta(hours=5)).isoformat(),
        "sop_version": "SOP-COL-003 v4",
        "transport_media": [{"lot": lots["TM-GENTA"], "removal_validation": "VAL-WASH-3x-2025"}],
        "arrival": {
            "arrived_at": (now - timedelta(hours=1)).isoformat(),
            "temperature_c": 4.0,
            "container_intact": True,
            "sample_immersed": True,
        },
    }
    early = client.post("/api/v1/collections", json=collection_body, headers=operator)
    assert early.status_code == 409
    assert "R-DON-4" in {v["rule"] for v in early.json()["violations"]}
    # Eligible (signed), then collected, isolated, identity confirmed
    eligible = client.post(
        f"/api/v1/donors/{donor}/eligibility", json=sign(True, PASSWORD), headers=qa
    )
    assert eligible.status_code == 200, eligible.text
    collected = client.post("/api/v1/collections", json=collection_body, headers=operator)
    assert collected.status_code == 201, collected.text
    cells = client.post(
        f"/api/v1/collections/{collected.json()['code']}/isolations",
        json={
            "method": "enzymatic",
            "parameters": {"digestion_min": "60"},
            "cell_type": "umbilical cord MSC",
            "materials": [{"lot": lots["COLL-I"]}],
        },
        headers=operator,
    )
    assert cells.status_code == 201, cells.text
    (portion,) = cells.json()["codes"]
    confirmed = client.post(
        f"/api/v1/cells/{portion}/identity",
        json={"method": "flow cytometry", "findings": MSC_IDENTITY, "report_ref": "ID-1"},
        headers=qc,
    )
    assert confirmed.status_code == 200, confirmed.text
    # A seed bank, fully tested, released with QA's signature; then a vial thawed
    bank = client.post(
        "/api/v1/banks",
        json={
            "tier": "seed",
            "source": portion,
            "passage": 2,
            "max_passage": 10,
            "stability_study_ref": "STAB-1",
            "viability_spec_pct": 80,
            "locations": [
                {"tank": "T1", "rack": "R1", "box": "B1", "position": str(p)} for p in (1, 2)
            ],
            "frozen_on": str(today),
            "materials": [{"lot": lots["MEM-ALPHA"]}],
        },
        headers=operator,
    )
    assert bank.status_code == 201, bank.text
    code, vials = bank.json()["code"], bank.json()["vials"]
    for result in passing_bank_tests(today):
        r = client.post(
            f"/api/v1/banks/{code}/tests",
            json={**result, "tested_on": str(today)},
            headers=qc,
        )
        assert r.status_code == 200, r.text
    wrong = client.post(
        f"/api/v1/banks/{code}/release", json={"signature": {"password": "x"}}, headers=qa
    )
    assert wrong.status_code == 401
    released = client.post(
        f"/api/v1/banks/{code}/release", json={"signature": {"password": PASSWORD}}, headers=qa
    )
    assert released.status_code == 200, released.text
    thawed = client.post(
        f"/api/v1/vials/{vials[0]}/thaw",
        json={"purpose": "production", "viability_pct": 92.0},
        headers=operator,
    )
    assert thawed.status_code == 200, thawed.text
    again = client.post(
        f"/api/v1/vials/{vials[0]}/thaw",
        json={"purpose": "production", "viability_pct": 92.0},
        headers=operator,
    )
    assert again.status_code == 409
    assert "R-CB-6" in {v["rule"] for v in again.json()["violations"]}
    # And the vial traces back to the donor over HTTP
    trace = client.get(
        f"/api/v1/items/{vials[0]}/trace",
        params={"after": thawed.json()["notification_id"]},
        headers=qa,
    ).json()
    assert donor in {n["code"] for n in trace["nodes"]}


def test_r_don_7_signed_lookback_holds_every_derived_item_and_refuses_the_next_step(
    api: Any,
) -> None:
    client, tokens, lots = api
    ledger = client.app.state.ctx.ledger
    staff = staff_of(client, tokens)
    # Given a donor whose sample was collected and isolated
    donor = eligible_donor(ledger, staff)
    sample = collect(ledger, staff, donor, [UseOf(lots["TM-GENTA"], removal_validation="V-1")])
    # When QA declares the donor ineligible after look-back, signing it
    signed = client.post(
        f"/api/v1/donors/{donor}/lookback",
        json={
            "reason": "HIV seroconversion at 6-month follow-up",
            "found_on": str(ledger.today()),
            "signature": {"password": PASSWORD, "meaning": "approved"},
        },
        headers=as_(tokens, "qa"),
    )
    assert signed.status_code == 200, signed.text
    # Then scanning the sample shows the hold and its reason
    item = client.get(
        f"/api/v1/items/{sample}",
        params={"after": signed.json()["notification_id"]},
        headers=as_(tokens, "operator"),
    ).json()
    assert item["status"] == "on hold"
    assert "seroconversion" in item["holds"][0]
    # And the next step on it is refused with R-DON-7
    refused = client.post(
        f"/api/v1/collections/{sample}/isolations",
        json={"method": "enzymatic", "cell_type": "MSC", "materials": [{"lot": lots["COLL-I"]}]},
        headers=as_(tokens, "operator"),
    )
    assert refused.status_code == 409
    assert "R-DON-7" in {v["rule"] for v in refused.json()["violations"]}


def test_r_don_7_lookback_and_impact_recall_lists_over_http(api: Any) -> None:
    client, tokens, lots = api
    ledger = client.app.state.ctx.ledger
    staff = staff_of(client, tokens)
    donor = eligible_donor(ledger, staff)
    sample = collect(ledger, staff, donor, [UseOf(lots["TM-GENTA"], removal_validation="V-1")])
    last = LedgerReader(client.app.state.ctx.settings.database).last_notification_id()
    # The donor's look-back list and the transport medium's impact list both name the sample
    for path in (f"/donors/{donor}/lookback", f"/materials/{lots['TM-GENTA']}/impact"):
        recall = client.get(f"/api/v1{path}", params={"after": last}, headers=as_(tokens, "qa"))
        assert recall.status_code == 200, recall.text
        assert sample in {item["code"] for item in recall.json()["items"]}
        assert recall.json()["patients"] == []
    # A code of the wrong kind is refused with what to give instead
    wrong = client.get(f"/api/v1/materials/{donor}/impact", headers=as_(tokens, "qa"))
    assert wrong.status_code == 422
    assert "not a material lot" in wrong.json()["detail"]
