"""Sealed blinding over HTTP (R-ACC-5): a blinded study recorded through the API leaves nothing
in the stored rows that tells its active kit from its placebo kit; only unblinded roles trace a
kit to its lot and donor, and emergency unblinding tells the arm to the requester alone."""

from __future__ import annotations

import re
import sqlite3
from typing import Any

from ledger.demo.clinical import PROTOCOL
from ledger.domain.codes import item_id
from tests.domain3 import PLACE, WARD, arm_of_kit, blinded_lots
from tests.e2e.conftest import ClinicApi, signed, signed_by_both

CODE = re.compile(r"[A-Z]{3}-[A-Z0-9]{3}-\d{2}-\d{6}-[0-9A-Z*]")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}:\d{2}|Z)?")
SEAL = re.compile(r"v1\.[A-Za-z0-9_=-]+")
HASH = re.compile(r"[0-9a-f]{64}")


def masked(state: str) -> str:
    """An event's stored state without what may differ between kits: codes, ids, times,
    seals and hashes."""
    for pattern, mask in ((SEAL, "SEAL"), (CODE, "CODE"), (UUID, "ID"), (TIME, "T"), (HASH, "H")):
        state = pattern.sub(mask, state)
    return state


def post_ok(api: ClinicApi, role: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
    answer = api.post(role, path, body)
    assert answer.status_code in (200, 201), (path, answer.text)
    result: dict[str, Any] = answer.json()
    return result


def new_person(api: ClinicApi, role: str) -> dict[str, str]:
    """Register a person with `role` through the API; their sign-in headers."""
    person = {"roles": [role], "password": f"{role} of the sponsor pw"}
    code = post_ok(api, "administrator", "/people", person)["code"]
    signed_in = api.client.post(
        "/api/v1/auth/token", data={"username": code, "password": person["password"]}
    )
    assert signed_in.status_code == 200, signed_in.text
    return {"Authorization": f"Bearer {signed_in.json()['access_token']}"}


def blinded_study_over_http(api: ClinicApi) -> dict[str, Any]:
    """A blinded study through the API: list, kits of both arms, shipment, receipt, release,
    storage, two subjects each dosed with the kit the ledger allocated."""
    app, c = api.ledger, api.clinic
    protocol = {k: v for k, v in PROTOCOL.items() if k != "follow_up"}
    protocol.update(version="EV-KOA-02 v1.0", blinded=True)
    body = {"title": "EV for knee OA, phase II, double-blind", "protocol": protocol}
    study = post_ok(api, "investigator", "/studies", body)["code"]
    post_ok(api, "investigator", f"/studies/{study}/sites", {"site": c.site})
    arms = {"arms": ["placebo", "active"], "reference": "RL-EV-02 v1", **signed()}
    post_ok(api, "investigator", f"/studies/{study}/randomisation", arms)
    # Manufacturing is not blinded: its lots say which is placebo
    active, placebo = blinded_lots(app, c, study)
    fill = {"lots": {active: 1, placebo: 1}, "volume_ml": 1.0, "container": "2 mL cryovial"}
    kits = post_ok(api, "operator", f"/studies/{study}/kits", fill)["codes"]
    ship = {
        "site": c.site,
        "containers": [{"vials": kits}],
        "courier": "ColdCourier WB-7",
        "logger_interval_minutes": 10,
    }
    shipment = post_ok(api, "operator", "/shipments", ship)["code"]
    csv = f"timestamp,temperature\n{api.clock().isoformat()},-78.0\n"
    post_ok(api, "operator", f"/shipments/{shipment}/logger", {"logger": "LG-7", "csv": csv})
    post_ok(api, "pharmacist", f"/shipments/{shipment}/delivery", {})
    post_ok(api, "pharmacist", f"/shipments/{shipment}/receipt-inspection", {"passed": kits})
    post_ok(api, "qp", f"/shipments/{shipment}/release", signed())
    store = {"vials": kits, "place": PLACE, "unit_c": -80}
    post_ok(api, "pharmacist", f"/shipments/{shipment}/storage", store)
    consent = {"form_version": "ICF v2.0", "signed_on": api.today()}
    given = {}
    for _ in range(2):
        enrol = {"study": study, "site": c.site, "cohort": "high", "consent": consent}
        patient = post_ok(api, "investigator", "/patients", enrol)["code"]
        kit = post_ok(api, "pharmacist", f"/patients/{patient}/dispense", {"place": WARD})["vial"]
        dose = {"vial": kit, "patient": patient, "dose": 1.0, "route": "intravenous"}
        post_ok(api, "nurse", "/bedside/thaw", dose)
        post_ok(api, "nurse", "/bedside/administer", signed_by_both(api, dose))
        given[kit] = patient
    return {"study": study, "lots": (active, placebo), "kits": kits, "given": given}


def test_r_acc_5_stored_rows_do_not_tell_the_active_kit_from_the_placebo_kit(
    clinic_api: ClinicApi,
) -> None:
    # Given a blinded study recorded through the API, one subject given each arm's kit
    api = clinic_api
    made = blinded_study_over_http(api)
    arms = {arm_of_kit(api.ledger, kit): kit for kit in made["kits"]}
    assert set(made["given"]) == set(arms.values())
    # When every stored row of the ledger is read as it lies in the database
    path = api.ledger.settings.database.sqlite_path
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        rows = db.execute(
            "SELECT originator_id, topic, state FROM stored_events ORDER BY rowid"
        ).fetchall()
    events = [(str(o), str(t), bytes(s).decode()) for o, t, s in rows]
    ids = {kit: item_id(kit).hex for kit in made["kits"]}  # as SQLite stores them

    def concerning(kit: str) -> list[tuple[str, str]]:
        return [
            (topic, masked(state))
            for originator, topic, state in events
            if originator == ids[kit] or kit in state
        ]

    # Then the events of the active kit and of the placebo kit, and every event that names
    # either, are the same event types with the same bytes apart from codes, ids, times,
    # hashes and seals
    active, placebo = concerning(arms["active"]), concerning(arms["placebo"])
    assert len(active) >= 8
    assert active == placebo
    # And none of them names either lot, the arm or a donor
    both = " ".join(state for _, state in active + placebo)
    for word in (*made["lots"], "placebo", '"arm"'):
        assert word not in " ".join(
            s for o, _, s in events if o in ids.values() or any(k in s for k in made["kits"])
        ), word
    assert "DON-" not in both
    # And outside the manufacturing lots' own records no row says placebo (the randomisation
    # list and every kit are sealed) but the training for the step of formulating it
    lots = {item_id(lot).hex for lot in made["lots"]}
    said = [t for o, t, s in events if "placebo" in s and o not in lots]
    assert all(t.endswith("Person.TrainingRecorded") for t in said), said  # production.placebo


def test_r_acc_5_only_unblinded_roles_trace_a_kit_to_its_lot_and_donor(
    clinic_api: ClinicApi,
) -> None:
    # Given a dosed blinded study and a member of the sponsor's unblinded team
    api = clinic_api
    made = blinded_study_over_http(api)
    kit = next(k for k in made["kits"] if arm_of_kit(api.ledger, k) == "active")
    unblinded, auditor = new_person(api, "unblinded"), new_person(api, "auditor")
    after = api.last_id()

    def trace(headers: dict[str, str], item: str, direction: str) -> set[str]:
        answer = api.client.get(
            f"/api/v1/items/{item}/trace",
            params={"direction": direction, "after": after},
            headers=headers,
        )
        assert answer.status_code == 200, answer.text
        return {n["code"] for n in answer.json()["nodes"]}

    active_lot = made["lots"][0]
    donors = set(api.ledger.get_product_lot(active_lot).donor_codes)
    # When the site's pharmacist, the investigator and an auditor trace the kit up
    for headers in (api.headers("pharmacist"), api.headers("investigator"), auditor):
        seen = trace(headers, kit, "up")
        # Then they see the kit and its custody, never its lot or donor
        assert kit in seen and active_lot not in seen and not seen & donors
    # When the unblinded team member and QA trace it
    for headers in (unblinded, api.headers("qa")):
        up = trace(headers, kit, "up")
        # Then they reach its lot and its donor
        assert {kit, active_lot} | donors <= up
        # and down from the lot to the kit
        assert kit in trace(headers, active_lot, "down")
    # And down from the lot a blinded reader sees no kit
    assert kit not in trace(auditor, active_lot, "down")


def test_r_acc_5_emergency_unblinding_tells_the_arm_to_the_requester_only(
    clinic_api: ClinicApi,
) -> None:
    api = clinic_api
    made = blinded_study_over_http(api)
    kit, patient = next(iter(made["given"].items()))
    body = {"vial": kit, "reason": "anaphylaxis, ICU", **signed()}
    unblinded = post_ok(api, "investigator", f"/patients/{patient}/unblinding", body)
    assert unblinded["arm"] == arm_of_kit(api.ledger, kit)
    # The patient's history, read by an auditor, shows the unblinding but not the arm
    item = api.client.get(
        f"/api/v1/items/{patient}/history",
        params={"after": unblinded["notification_id"]},
        headers=new_person(api, "auditor"),
    )
    assert item.status_code == 200 and "EmergencyUnblinded" in item.text
    assert "active" not in item.text and "placebo" not in item.text


def test_r_acc_5_a_look_back_list_names_every_kit_of_the_study_and_its_patients(
    clinic_api: ClinicApi,
) -> None:
    # Given a dosed blinded study whose active lot descends from a donor
    api = clinic_api
    made = blinded_study_over_http(api)
    donor = api.ledger.get_product_lot(made["lots"][0]).donor_codes[0]
    # When the look-back recall list of the donor is read
    answer = api.get("investigator", f"/donors/{donor}/lookback", after=api.last_id())
    assert answer.status_code == 200, answer.text
    recall = answer.json()
    # Then it lists every kit of the study, placebo too, and every patient dosed from them:
    # the site recalls them all and learns no arm
    assert set(made["kits"]) <= {item["code"] for item in recall["items"]}
    assert {dose["code"] for dose in recall["patients"]} >= set(made["given"].values())
