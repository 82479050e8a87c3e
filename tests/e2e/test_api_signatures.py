"""Signed decisions over HTTP, checked by the application (R-LED-5): a wrong password is 401, a
meaning other than the step's is 422, and either writes nothing; the stored event says the
signer re-authenticated, with the meaning, the device's time (R-LED-2) and, for a two-person
step, the second signer, who is always another person (R-PPL-4)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from ledger.domain.codes import item_id
from ledger.identifiers import parse_code
from tests.e2e.conftest import PASSWORD, ClinicApi, signed


def _received_lot(api: ClinicApi) -> str:
    material = {
        "reference": "SIG-MED",
        "name": "signature test medium",
        "kind": "medium",
        "grade": "pharmaceutical",
    }
    assert api.post("qa", "/materials", material).status_code == 201
    lot = {
        "material_reference": "SIG-MED",
        "supplier": "Supplier A",
        "supplier_lot": "SA-1",
        "expiry": str((api.clock() + timedelta(days=400)).date()),
        "coa_ref": "COA-SA-1",
    }
    received = api.post("operator", "/materials/lots", lot)
    assert received.status_code == 201, received.text
    code: str = received.json()["code"]
    return code


def _last_stamp(api: ClinicApi, code: str) -> Any:
    *_, event = api.ledger.events.get(item_id(parse_code(code)))
    return event.stamp  # type: ignore[attr-defined]


def test_r_led_5_a_material_release_is_signed_with_the_password_and_the_steps_meaning(
    clinic_api: ClinicApi,
) -> None:
    api = clinic_api
    lot = _received_lot(api)
    path, body = f"/materials/lots/{lot}/release", {"qc_record_ref": "QC-REL-1"}
    before = api.last_id()
    # A wrong password: 401, nothing written
    wrong = api.post("qc_analyst", path, {**body, **signed("not the password")})
    assert wrong.status_code == 401, wrong.text
    assert "R-LED-5: electronic signature refused: wrong password" in wrong.json()["detail"]
    # The client showed the signer another meaning than the step's: 422, nothing written
    other = api.post("qc_analyst", path, {**body, **signed(meaning="approved")})
    assert other.status_code == 422, other.text
    assert "with the meaning released, not approved" in other.json()["detail"]
    # No signature at all: the request is incomplete
    assert api.post("qc_analyst", path, body).status_code == 422
    assert api.last_id() == before
    # When signed with the password and the meaning shown, from a device 12 minutes ahead
    device = (api.clock() + timedelta(minutes=12)).isoformat()
    done = api.client.post(
        f"/api/v1{path}",
        json={**body, **signed(meaning="released")},
        headers={**api.headers("qc_analyst"), "Device-Time": device},
    )
    assert done.status_code == 200, done.text
    # Then the stored event says who re-authenticated, with which meaning, and the device time
    stamp = _last_stamp(api, lot)
    assert (stamp.actor_id, stamp.meaning.value) == (api.code("qc_analyst"), "released")
    assert stamp.reauthenticated is True
    assert stamp.client_time.isoformat() == device
    # And the item's history flags the device clock that was 12 minutes off (R-LED-2)
    history = api.get("qa", f"/items/{lot}/history", after=done.json()["notification_id"])
    release = history.json()[-1]
    assert (release["clock_skew_s"], release["clock_flagged"]) == (720, True)
    assert release["client_time"] == device


def test_r_led_2_a_device_time_without_its_offset_is_refused_naming_the_header(
    clinic_api: ClinicApi,
) -> None:
    api = clinic_api
    before = api.last_id()
    answer = api.client.post(
        "/api/v1/materials",
        json={"reference": "X", "name": "x", "kind": "medium", "grade": "pharmaceutical"},
        headers={**api.headers("qa"), "Device-Time": "2026-03-01T09:30:00"},
    )
    assert answer.status_code == 422, answer.text
    assert "R-LED-2: the Device-Time header" in answer.json()["detail"]
    assert api.last_id() == before


def test_r_ppl_4_a_disposal_is_signed_by_the_person_disposing_and_another_person_as_witness(
    clinic_api: ClinicApi,
) -> None:
    api = clinic_api
    vial = api.clinic.vials[-1]
    path = f"/items/{vial}/dispose"
    body = {"category": "surplus", "method": "autoclave", "witness": api.code("qa")}
    before = api.last_id()
    # The witness's password is wrong: 401, nothing written
    bad = {**body, **signed(), "witness_signature": {"password": "not the password"}}
    assert api.post("operator", path, bad).status_code == 401
    # The person disposing names themselves as the witness: refused whatever they sign
    own = {**body, "witness": api.code("operator"), **signed()}
    refused = api.post("operator", path, {**own, "witness_signature": {"password": PASSWORD}})
    assert refused.status_code == 409, refused.text
    assert [v["rule"] for v in refused.json()["violations"]] == ["R-PPL-4"]
    assert api.last_id() == before
    # When both sign, the event names the witness as second signer, meaning witnessed
    both = {**body, **signed(), "witness_signature": {"password": PASSWORD, "meaning": "witnessed"}}
    done = api.post("operator", path, both)
    assert done.status_code == 200, done.text
    stamp = _last_stamp(api, vial)
    assert stamp.reauthenticated is True
    assert (stamp.cosign.person, stamp.cosign.meaning.value) == (api.code("qa"), "witnessed")
