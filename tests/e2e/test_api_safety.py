"""Study safety over HTTP: a serious adverse event pauses the study until the ethics
committee's signed decision (R-CLN-4, R-LED-5), overdue reports are listed, and emergency
unblinding is signed, restricted and shows the arm to the requester only (R-CLN-5)."""

from __future__ import annotations

import base64
from collections.abc import Sequence

from tests.domain3 import (
    CONSENT,
    WARD,
    blinded_study,
    dispense_released,
    enrolled,
    enrolled_in,
    kits,
    released,
)
from tests.e2e.conftest import ClinicApi, signed, signed_by_both
from tests.e2e.readers import as_role


def dosed(api: ClinicApi, vials: Sequence[str] = ()) -> tuple[str, str]:
    """A patient of the clinic's study given the first of `vials` (released through the
    application), through the bedside endpoints; returns (patient, vial)."""
    app, clinic = api.ledger, api.clinic
    chosen = list(vials or clinic.vials[:2])
    released(app, clinic, chosen)
    patient = enrolled(app, clinic)
    dispense_released(app, clinic, patient, chosen[0])
    dose = {"vial": chosen[0], "patient": patient, "dose": 1.0, "route": "intravenous"}
    assert api.post("nurse", "/bedside/thaw", dose).status_code == 200
    given = api.post("nurse", "/bedside/administer", signed_by_both(api, dose))
    assert given.status_code == 200, given.text
    return patient, chosen[0]


def serious(api: ClinicApi) -> dict[str, object]:
    return {
        "administration": 1,
        "grade": 3,
        "serious": True,
        "description": "grade 3 fever and joint effusion",
        "onset": api.today(),
    }


def test_r_cln_4_serious_event_pauses_the_study_until_a_signed_ethics_resume(
    clinic_api: ClinicApi,
) -> None:
    api, study = clinic_api, clinic_api.clinic.study
    patient, _ = dosed(api)
    spare = api.clinic.vials[1]  # released at the same site, not yet given
    # When the nurse reports a serious adverse event
    reported = api.post("nurse", f"/patients/{patient}/adverse-events", serious(api))
    # Then the study is paused at once: no go at the bedside, no enrolment (R-CLN-4)
    assert reported.status_code == 201, reported.text
    assert reported.json()["study_status"] == "paused"
    check = {"vial": spare, "patient": patient, "dose": 1.0, "route": "intravenous"}
    verdict = api.post("pharmacist", "/bedside/verify", check).json()
    assert verdict["decision"] == "no-go"
    assert "R-CLN-4" in {r["rule"] for r in verdict["reasons"]}
    # And the investigator scanning the study is offered the signed ethics decision
    item = api.get("investigator", f"/items/{study}", after=reported.json()["notification_id"])
    assert item.json()["status"] == "paused"
    assert "ethics_decision" in {s["key"] for s in item.json()["next_steps"]}

    # When 8 days pass without the report, it is overdue; filing it clears the list
    api.clock.advance(days=8)
    api.sign_in()
    overdue = api.get("investigator", f"/studies/{study}/overdue-reports")
    assert [(r["number"], r["patient"]) for r in overdue.json()] == [(1, patient)]
    filed = api.post(
        "investigator",
        f"/studies/{study}/adverse-events/1/report",
        {"reference": "SAE-2026-001", "reported_on": api.today()},
    )
    assert filed.status_code == 200, filed.text
    assert api.get("investigator", f"/studies/{study}/overdue-reports").json() == []

    # A resume signed with a wrong password is refused and writes nothing (R-LED-5)
    decision = {"decision": "resume", "reference": "EC-2026-14", "reason": "causality unlikely"}
    before = api.last_id()
    wrong = api.post(
        "investigator", f"/studies/{study}/ethics-decision", {**decision, **signed("nope")}
    )
    assert wrong.status_code == 401 and api.last_id() == before
    # With the password the study is active again
    resumed = api.post(
        "investigator", f"/studies/{study}/ethics-decision", {**decision, **signed()}
    )
    assert resumed.status_code == 200, resumed.text
    item = api.get("investigator", f"/items/{study}", after=resumed.json()["notification_id"])
    assert item.json()["status"] == "active"
    # A second decision on an active study is refused, naming the rule
    again = api.post("investigator", f"/studies/{study}/ethics-decision", {**decision, **signed()})
    assert again.status_code == 409 and again.json()["violations"][0]["rule"] == "R-CLN-4"


def test_r_cln_5_unblinding_needs_the_password_and_shows_the_arm_only_to_the_requester(
    clinic_api: ClinicApi,
) -> None:
    # Given a subject of a blinded study given the kit the ledger allocated (active arm)
    api = clinic_api
    app, clinic = api.ledger, api.clinic
    study = blinded_study(app, clinic)
    app.load_randomisation(clinic.staff["investigator"], study, ["active"], "RL-EV-02 v1")
    kits(app, clinic, study)
    patient = enrolled_in(app, clinic, study)
    vial, _ = app.dispense(clinic.staff["pharmacist"], patient, WARD)
    dose = {"vial": vial, "patient": patient, "dose": 1.0, "route": "intravenous"}
    assert api.post("nurse", "/bedside/thaw", dose).status_code == 200
    given = api.post("nurse", "/bedside/administer", signed_by_both(api, dose))
    assert given.status_code == 200, given.text
    body = {"vial": vial, "reason": "anaphylaxis, ICU"}
    # When the investigator signs with a wrong password: 401 and nothing written (R-LED-5)
    before = api.last_id()
    wrong = api.post("investigator", f"/patients/{patient}/unblinding", {**body, **signed("x")})
    assert wrong.status_code == 401 and "R-LED-5" in wrong.json()["detail"]
    assert "arm" not in wrong.json()
    assert api.last_id() == before
    # And a nurse may not unblind at all (R-PPL-2)
    nurse = api.post("nurse", f"/patients/{patient}/unblinding", {**body, **signed()})
    assert nurse.status_code == 403 and api.last_id() == before
    # When the investigator signs with their password
    unblinded = api.post("investigator", f"/patients/{patient}/unblinding", {**body, **signed()})
    # Then the arm is in the answer to them
    assert unblinded.status_code == 200, unblinded.text
    assert unblinded.json()["arm"] == "active"
    # And the audit trail shows who unblinded, signed, but not the arm
    after = unblinded.json()["notification_id"]
    history = api.get("qa", f"/items/{patient}/history", after=after).json()
    event = history[-1]
    assert event["event_type"].endswith("EmergencyUnblinded")
    assert (event["actor_role"], event["meaning"]) == ("investigator", "approved")
    entry = api.client.get(
        f"/api/v1/ledger/entries/{event['log_index']}", headers=as_role(api.client, "auditor")
    ).json()
    state = base64.b64decode(entry["record"]["state"]).decode()
    assert "anaphylaxis" in state and "active" not in state


def test_r_cln_1_enrolment_refusals_are_409_and_consent_withdrawal_is_recorded(
    clinic_api: ClinicApi,
) -> None:
    api, clinic = clinic_api, clinic_api.clinic
    body = {
        "study": clinic.study,
        "site": clinic.site,
        "cohort": "ultra",
        "consent": {"form_version": CONSENT["form_version"], "signed_on": api.today()},
    }
    before = api.last_id()
    refused = api.post("investigator", "/patients", body)
    assert refused.status_code == 409 and "ultra" in refused.json()["detail"]
    not_autologous = api.post(
        "investigator", "/patients", {**body, "cohort": "high", "donor": clinic.plant.donor}
    )
    assert not_autologous.status_code == 409
    assert not_autologous.json()["violations"][0]["rule"] == "R-CLN-1"
    nurse = api.post("nurse", "/patients", {**body, "cohort": "high"})
    assert nurse.status_code == 403
    assert api.last_id() == before
    patient = api.post("investigator", "/patients", {**body, "cohort": "low"}).json()["code"]
    withdrawn = api.post(
        "investigator", f"/patients/{patient}/consent/withdraw", {"reason": "moved abroad"}
    )
    assert withdrawn.status_code == 200, withdrawn.text
    assert not api.ledger.get_patient(patient).consented


def test_r_cln_9_a_sponsor_pause_over_http_is_signed_and_its_report_tracked(
    clinic_api: ClinicApi,
) -> None:
    api, study = clinic_api, clinic_api.clinic.study
    halt = {"action": "pause", "by": "sponsor", "reason": "assay review", "reference": "SP-4"}
    # Unsigned, it is refused and nothing is written
    before = api.last_id()
    assert api.post("investigator", f"/studies/{study}/halt", halt).status_code == 422
    assert api.last_id() == before
    paused = api.posted("investigator", f"/studies/{study}/halt", {**halt, **signed()})
    assert paused["number"] == 1
    item = api.get("investigator", f"/items/{study}", after=paused["notification_id"]).json()
    assert item["status"] == "paused"
    # Eight days later its report is overdue, until filed
    api.clock.advance(days=8)
    api.sign_in()
    overdue = api.get("investigator", f"/studies/{study}/overdue-halt-reports").json()
    assert [(h["number"], h["by"]) for h in overdue] == [(1, "sponsor")]
    report = {"decision": 1, "reference": "SP-REP-4", "reported_on": api.today()}
    api.posted("investigator", f"/studies/{study}/halt-reports", report)
    assert api.get("investigator", f"/studies/{study}/overdue-halt-reports").json() == []
