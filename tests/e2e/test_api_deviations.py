"""Deviations and CAPA over HTTP (R-QMS-2, R-QMS-3, R-QMS-4, R-LED-5): a major deviation holds
the vial it names, is listed as open, blocks the QP's release, and is closed by QA only with a
signature and its CAPA actions; overdue actions are listed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.domain3 import received
from tests.e2e.conftest import ClinicApi, signed


def _ok(answer: Any) -> Any:
    assert answer.status_code in (200, 201), answer.text
    return answer.json()


def test_r_qms_2_a_deviation_is_recorded_held_listed_and_closed_by_qa_over_http(
    clinic_api: ClinicApi,
) -> None:
    api = clinic_api
    vial = api.clinic.vials[0]
    shipment = received(api.ledger, api.clinic, [vial])
    body = {
        "kind": "unplanned",
        "severity": "major",
        "items": [vial],
        "description": "vial found outside the freezer for 20 min",
    }
    made = _ok(api.post("pharmacist", "/deviations", body))
    code = made["code"]
    assert code.startswith("DEV-")
    # The vial is held and the deviation listed with what it concerns
    card = _ok(api.get("qa", f"/items/{vial}", after=made["notification_id"]))
    assert card["status"] == "on hold" and any(code in h for h in card["holds"])
    (listed,) = _ok(api.get("qa", "/deviations"))
    assert (listed["code"], listed["severity"], listed["items"]) == (code, "major", [vial])
    assert set(listed["concerned"]) == {vial, shipment}  # and what it was shipped in
    # The trace and the donor's look-back list show it as an open quality event (R-QMS-3)
    trace = _ok(api.get("qa", f"/items/{vial}/trace", direction="up"))
    node = next(n for n in trace["nodes"] if n["code"] == vial)
    assert node["quality"] == [f"deviation {code}"]
    donor = next(n["code"] for n in trace["nodes"] if n["item_type"] == "DON")
    recall = _ok(api.get("qa", f"/donors/{donor}/lookback"))
    assert next(i for i in recall["items"] if i["code"] == vial)["quality"] == [f"deviation {code}"]
    # and the auditor's trace page outlines it, listing the deviation
    panel = api.client.get(f"/trace/{vial}/panel", headers=api.headers("qa"))
    assert panel.status_code == 200 and f'data-quality="deviation {code}"' in panel.text
    # The QP's release is refused while it is open
    release = api.post("qp", f"/shipments/{shipment}/release", signed())
    assert release.status_code == 409
    assert {v["rule"] for v in release.json()["violations"]} >= {"R-QMS-2"}
    # QA plans the CAPA action; closing needs QA's own password
    due = str((api.clock() + timedelta(days=10)).date())
    capa = {"action": "door alarm on freezer F2", "owner": api.code("operator"), "due_on": due}
    action = _ok(api.post("qa", f"/deviations/{code}/capas", capa))["code"]
    closing = {
        "impact": "vial stayed below -60 C per logger",
        "root_cause": "door not latched",
        "capas": [action],
    }
    before = api.last_id()
    assert (
        api.post("qa", f"/deviations/{code}/close", {**closing, **signed("wrong")}).status_code
        == 401
    )
    assert (
        api.post("operator", f"/deviations/{code}/close", {**closing, **signed()}).status_code
        == 403
    )
    assert api.last_id() == before
    closed = _ok(api.post("qa", f"/deviations/{code}/close", {**closing, **signed()}))
    assert _ok(api.get("qa", "/deviations")) == []
    card = _ok(api.get("qa", f"/items/{vial}", after=closed["notification_id"]))
    assert card["holds"] == []
    # The action is overdue once its date passes, until checked effective
    api.clock.now += timedelta(days=11)
    api.sign_in()
    assert [c["code"] for c in _ok(api.get("qa", "/capas/overdue"))] == [action]
