"""R-ACC-2: reads of a patient's or donor's record and every label print are recorded (who,
when, which record, through what) in a hash-chained log; an auditor lists them over HTTP and
with `celltrace access-log`, and a row changed in the database is detected."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from ledger.api.app import create_app
from ledger.config import Settings
from ledger.demo.run import run_demo
from ledger.identifiers import ItemType
from ledger.stores.access_log import access_log_table
from tests.cli import run_celltrace
from tests.codes import demo_code
from tests.e2e.readers import as_role, readers_of

PATIENT = demo_code(ItemType.PATIENT, 1)
DONOR = demo_code(ItemType.DONOR, 1)
VIAL = demo_code(ItemType.BANK_VIAL, 17)


@pytest.fixture
def served(sqlite_settings: Settings) -> Iterator[TestClient]:
    run_demo(sqlite_settings, lambda _: None)
    with TestClient(create_app(sqlite_settings)) as client:
        yield client


def _log(client: TestClient, **params: str) -> dict[str, object]:
    answer = client.get("/api/v1/access-log", params=params, headers=as_role(client, "auditor"))
    assert answer.status_code == 200, answer.text
    body: dict[str, object] = answer.json()
    return body


def test_r_acc_2_reads_of_a_patient_and_a_donor_are_listed_for_the_auditor(
    served: TestClient,
) -> None:
    pharmacist, qa = readers_of(served)["pharmacist"], readers_of(served)["qa"]
    # Given the pharmacist reads a patient's prescription and history, QA a donor's look-back
    as_pharmacist = as_role(served, "pharmacist")
    assert served.get(f"/api/v1/patients/{PATIENT}/prescription", headers=as_pharmacist).is_success
    assert served.get(f"/api/v1/items/{PATIENT}/history", headers=as_pharmacist).is_success
    assert served.get(f"/api/v1/donors/{DONOR}/lookback", headers=as_role(served, "qa")).is_success
    # When the auditor lists the reads of the patient
    log = _log(served, subject=PATIENT)
    # Then each read names who, as what, which record, what kind of read and the path
    entries = log["entries"]
    assert isinstance(entries, list)
    assert [(e["person"], e["role"], e["action"], e["subject"]) for e in entries] == [
        (pharmacist, "pharmacist", "read:clinical", PATIENT),
        (pharmacist, "pharmacist", "read:history", PATIENT),
    ]
    assert entries[0]["via"] == f"GET /api/v1/patients/{PATIENT}/prescription"
    assert all(e["at"] for e in entries)
    assert log["intact"] is True and log["problem"] is None and log["head"]
    # And the donor's look-back read is listed under the donor
    (donor_read,) = _log(served, subject=DONOR)["entries"]  # type: ignore[misc]
    assert (donor_read["person"], donor_read["action"]) == (qa, "read:recall")


def test_r_acc_2_the_trace_page_read_is_recorded_as_a_page_read(served: TestClient) -> None:
    assert served.get(f"/trace/{PATIENT}/panel", headers=as_role(served, "investigator")).is_success
    (entry,) = _log(served, subject=PATIENT)["entries"]  # type: ignore[misc]
    assert entry["via"] == f"GET /trace/{PATIENT}/panel"


def test_r_acc_2_a_row_changed_in_the_database_is_detected(
    served: TestClient, sqlite_settings: Settings
) -> None:
    # Given two recorded reads of the patient
    headers = as_role(served, "pharmacist")
    for _ in range(2):
        served.get(f"/api/v1/items/{PATIENT}/history", headers=headers)
    first = _log(served)["entries"][0]["seq"]  # type: ignore[index]
    # When someone with database access rewrites who read it
    engine = served.app.state.ctx.credentials.engine  # type: ignore[attr-defined]
    with engine.begin() as conn:
        conn.execute(
            update(access_log_table)
            .where(access_log_table.c.seq == first)
            .values(person="PER-F01-26-000001-X")
        )
    # Then the auditor's listing says the log was changed, naming the row
    log = _log(served)
    assert log["intact"] is False
    assert f"access log entry {first}:" in str(log["problem"])
    # And `celltrace access-log` exits 1 naming it
    result = run_celltrace(sqlite_settings.data_dir, "access-log")
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"access log entry {first}: its hash does not match" in result.stderr


def test_r_acc_2_cli_lists_reads_and_detects_a_rewritten_log(
    served: TestClient, sqlite_settings: Settings
) -> None:
    served.get(f"/api/v1/items/{PATIENT}/history", headers=as_role(served, "pharmacist"))
    # When the auditor lists the patient's reads from the console
    listed = run_celltrace(sqlite_settings.data_dir, "access-log", "--subject", PATIENT)
    assert listed.returncode == 0, listed.stderr
    assert f"read:history {PATIENT} via GET /api/v1/items/{PATIENT}/history" in listed.stdout
    head = listed.stdout.strip().splitlines()[-1].rsplit(" ", 1)[-1]
    # Then the head they keep still checks out
    kept = run_celltrace(sqlite_settings.data_dir, "access-log", "--head", head)
    assert kept.returncode == 0, kept.stderr
    # But not once the whole log is rewritten consistently (here: emptied and refilled)
    engine = served.app.state.ctx.credentials.engine  # type: ignore[attr-defined]
    with engine.begin() as conn:
        conn.execute(access_log_table.delete())
    served.get(f"/api/v1/items/{VIAL}", headers=as_role(served, "operator"))
    rewritten = run_celltrace(sqlite_settings.data_dir, "access-log", "--head", head)
    assert rewritten.returncode == 1
    assert "the log was rewritten" in rewritten.stderr


def test_r_acc_2_each_label_print_is_recorded_and_a_reprint_needs_a_reason(
    served: TestClient,
) -> None:
    operator = as_role(served, "operator")
    path = f"/api/v1/items/{VIAL}/label.png"
    # The first print needs no reason
    first = served.get(path, headers=operator)
    assert first.status_code == 200, first.text
    # A reprint without a reason is refused, naming the earlier print
    again = served.get(path, headers=operator)
    assert again.status_code == 409
    assert again.json()["violations"][0]["rule"] == "R-ID-2"
    assert "printed before" in again.json()["detail"]
    # With the reason it prints, and both prints are recorded with the file's hash
    reprint = served.get(path, params={"reason": "label smudged by condensation"}, headers=operator)
    assert reprint.status_code == 200
    prints = [e for e in _log(served, subject=VIAL)["entries"] if e["action"] == "print:label"]  # type: ignore[attr-defined]
    assert [p["reason"] for p in prints] == ["", "label smudged by condensation"]
    assert prints[1]["payload_sha256"] == hashlib.sha256(reprint.content).hexdigest()
    assert prints[0]["person"] == readers_of(served)["operator"]


def test_r_acc_2_access_log_subject_must_be_a_code(served: TestClient) -> None:
    answer = served.get(
        "/api/v1/access-log", params={"subject": "nobody"}, headers=as_role(served, "auditor")
    )
    assert answer.status_code == 422
    assert "not an item, patient, donor or person code" in answer.json()["detail"]


def test_r_acc_2_access_log_is_for_auditors(served: TestClient) -> None:
    answer = served.get("/api/v1/access-log", headers=as_role(served, "qa"))
    assert answer.status_code == 403
