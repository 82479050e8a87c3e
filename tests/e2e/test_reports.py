"""Signed PDF records (docs/reports.md; R-LED-4, R-LED-5, R-TRC-1, R-QC-2, R-QC-4, R-ACC-1,
R-ACC-2, R-ACC-5): the batch record, the certificate of analysis, the QP release certificate
and a patient's chain of identity and custody, generated from one demo ledger through the API
and the command line, validated with pyHanko (the library and its command line) against the
installation's published certificate, their attached proofs verified with the stand-alone
offline verifier, their text read back with pypdf."""

from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
import stat
import subprocess
import sys
import sysconfig
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.utils import CryptographyDeprecationWarning
from fastapi.testclient import TestClient
from pypdf import PdfReader

from ledger.api.app import create_app
from ledger.config import Settings
from ledger.demo.run import run_demo
from ledger.identifiers import ItemCode, ItemType
from ledger.integrity import bundle
from ledger.stores.report_key import self_signed
from tests.cli import run_celltrace
from tests.e2e.readers import bearer, register_readers

with warnings.catch_warnings():
    warnings.simplefilter("ignore", CryptographyDeprecationWarning)
    from asn1crypto import pem, x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

LOT, BAD_LOT = "LOT-F01-26-000001-5", "LOT-F01-26-000002-3"
PLACEBO = "LOT-F01-26-000004-*"
SHIPMENT, WARM_SHIPMENT = "SHP-F01-26-000001-4", "SHP-F01-26-000002-2"
PATIENT, BLINDED_PATIENT = "PAT-F01-26-000001-L", "PAT-F01-26-000002-J"
NOW = datetime.now(UTC)


@dataclass
class Served:
    settings: Settings
    client: TestClient
    readers: dict[str, str]
    staff: dict[str, tuple[str, str]]  # role -> (person code, password) of the demo's people
    pdfs: dict[str, bytes]
    certificate: bytes
    cli_data: Path  # a copy of the ledger for the command line, apart from the served one

    def headers(self, role: str) -> dict[str, str]:
        return bearer(self.client, self.readers[role])

    def get(self, path: str, role: str | None) -> Any:
        headers = self.headers(role) if role else None
        return self.client.get(f"/api/v1{path}", headers=headers)


def _staff(data: Path) -> dict[str, tuple[str, str]]:
    lines = (data / "demo-staff.txt").read_text().splitlines()
    return {role: (code, password) for code, role, password in (x.split() for x in lines[1:])}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """One demo ledger for the file; a patient's visit recorded after the demo's checkpoint,
    so that the patient report needs a new one; the four reports fetched once."""
    data = tmp_path_factory.mktemp("reports")
    settings = Settings(data_dir=data, database_url=f"sqlite:///{data / 'ledger.db'}")
    run_demo(settings, lambda _: None)
    readers = register_readers(settings)
    staff = _staff(data)
    # The command-line tests run on a copy taken now, while no process has the ledger open.
    offline = tmp_path_factory.mktemp("reports-cli") / "data"
    shutil.copytree(data, offline)
    with TestClient(create_app(settings)) as client:
        code, password = staff["investigator"]
        token = bearer(client, code, password)
        done = client.post(
            f"/api/v1/patients/{PATIENT}/visits",
            json={"administration": 1, "label": "day 3", "done_on": "2026-01-01"},
            headers=token,
        )
        served = Served(settings, client, readers, staff, {}, b"", offline)
        assert done.status_code in (200, 409), done.text
        certificate = client.get("/api/v1/reports/certificate")
        assert certificate.status_code == 200
        served.certificate = certificate.content
        for kind, code, role in (
            ("batch-record", LOT, "qa"),
            ("coa", LOT, "qc_analyst"),
            ("qp-release", SHIPMENT, "qp"),
            ("patient", PATIENT, "investigator"),
        ):
            answer = served.get(f"/reports/{kind}/{code}", role)
            assert answer.status_code == 200, (kind, answer.text[:300])
            assert answer.headers["content-type"] == "application/pdf"
            assert f'filename="{code}-{kind}.pdf"' in answer.headers["content-disposition"]
            served.pdfs[kind] = answer.content
        yield served


def _trust(certificate: bytes) -> ValidationContext:
    _, _, der = pem.unarmor(certificate)
    return ValidationContext(trust_roots=[x509.Certificate.load(der)])


def _validate(pdf: bytes, certificate: bytes) -> Any:
    (signature,) = PdfFileReader(io.BytesIO(pdf)).embedded_signatures
    return validate_pdf_signature(signature, _trust(certificate))


def _text(pdf: bytes) -> str:
    """The PDF's text, whitespace collapsed (table cells wrap their lines)."""
    pages = PdfReader(io.BytesIO(pdf)).pages
    return " ".join(" ".join(page.extract_text() or "" for page in pages).split())


@pytest.mark.parametrize("kind", ["batch-record", "coa", "qp-release", "patient"])
def test_r_led_5_each_report_is_signed_by_the_installation_over_the_whole_file(
    served: Served, kind: str
) -> None:
    # Given a report and the installation's certificate, fetched anonymously
    # When pyHanko validates its signature with that certificate as the only trust root
    status = _validate(served.pdfs[kind], served.certificate)
    # Then it is intact, trusted and covers the whole file (PAdES)
    assert status.intact and status.valid and status.trusted, status.pretty_print_details()
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert status.bottom_line


def test_r_led_5_a_changed_byte_fails_the_signature(served: Served) -> None:
    # Given the signed batch record with one byte of its signed content changed
    pdf = served.pdfs["batch-record"]
    at = pdf.index(b"CellTrace", pdf.index(b"/Author"))
    changed = pdf[:at] + b"X" + pdf[at + 1 :]
    # When it is validated / Then the signature no longer holds
    status = _validate(changed, served.certificate)
    assert not status.intact
    assert not status.bottom_line


def test_r_led_5_another_certificate_is_not_trusted(served: Served) -> None:
    # Given another installation's certificate (its own key, the same name)
    key = ec.generate_private_key(ec.SECP256R1())
    other = self_signed(key, "CellTrace report signing - celltrace.example/ledger", "F01", NOW)
    # When the report is validated against it / Then it is intact but not trusted
    status = _validate(served.pdfs["coa"], other.public_bytes(serialization.Encoding.PEM))
    assert status.intact and not status.trusted
    assert not status.bottom_line


def _offline(folder: Path, proof: Path, keys: Path) -> subprocess.CompletedProcess[str]:
    """The stand-alone verifier of an audit bundle (standard library and cryptography only),
    as an auditor runs it."""
    verifier = folder / "verifier"
    if not verifier.exists():
        bundle._copy_verifier(verifier)
    purelib = sysconfig.get_paths()["purelib"]
    env = {**os.environ, "PYTHONPATH": f"{verifier}{os.pathsep}{purelib}"}
    return subprocess.run(
        [
            sys.executable,
            "-S",
            "-m",
            "ledger.integrity.offline",
            "--proof",
            str(proof),
            "--keys",
            str(keys),
        ],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize("kind", ["batch-record", "patient"])
def test_r_led_4_the_attached_proofs_verify_offline_against_the_checkpoint(
    served: Served, kind: str, tmp_path: Path
) -> None:
    # Given the files attached to a report, and the log's keys obtained from the server
    pdf = served.pdfs[kind]
    attached = {name: body[0] for name, body in PdfReader(io.BytesIO(pdf)).attachments.items()}
    code = LOT if kind == "batch-record" else PATIENT
    proof_name = f"{code}-{kind}.proof.txt"
    assert set(attached) == {proof_name, "log-keys.txt"}
    keys = served.client.get("/api/v1/ledger/keys").text
    log_keys = "".join(
        line + "\n" for line in keys.splitlines() if "+" in line and "label" not in line
    )
    assert attached["log-keys.txt"].decode() == log_keys
    (tmp_path / proof_name).write_bytes(attached[proof_name])
    (tmp_path / "keys.txt").write_text(keys)
    # When the stand-alone verifier checks the proofs
    result = _offline(tmp_path, tmp_path / proof_name, tmp_path / "keys.txt")
    # Then every cited event is proven included in the signed checkpoint the report prints
    assert result.returncode == 0, result.stdout + result.stderr
    said = result.stdout.splitlines()
    assert said[0].startswith("Proven: ") and f"cited by the {kind} of {code}" in said[0]
    listed = [re.fullmatch(r"  log index (\d+): event hash ([0-9a-f]{64})", x) for x in said[1:]]
    assert listed and all(listed)
    text = _text(pdf)
    for match in listed:
        assert match is not None
        assert f"#{match.group(1)} {match.group(2)}" in text  # Appendix A, row by row
    note = attached[proof_name].decode().partition("\n\n")[2]
    size = int(note.splitlines()[1])
    assert note.splitlines()[2] in text and f"size {size}" in text


def test_r_led_4_a_report_citing_events_newer_than_the_checkpoint_signs_a_new_one(
    served: Served,
) -> None:
    # Given the patient's visit recorded after the demo's checkpoint (fixture)
    history = served.get(f"/items/{PATIENT}/history", "auditor").json()
    newest = max(e["log_index"] for e in history)
    # When the patient report was made / Then its checkpoint covers that visit
    attached = PdfReader(io.BytesIO(served.pdfs["patient"])).attachments
    note = attached[f"{PATIENT}-patient.proof.txt"][0].decode().partition("\n\n")[2]
    assert int(note.splitlines()[1]) > newest
    assert "Follow-up visit day 3" in _text(served.pdfs["patient"]) or "day 3" in _text(
        served.pdfs["patient"]
    )


def _signed_step(served: Served, code: str, event: str) -> tuple[str, str, str]:
    """Printed name with code, server time (UTC) and meaning of an item's step, as recorded."""
    history = served.get(f"/items/{code}/history", "auditor").json()
    step = next(e for e in history if e["event_type"].endswith(event))
    ledger = served.client.app.state.ctx.ledger  # type: ignore[attr-defined]
    name = ledger.person_name(step["actor_id"])
    when = step["recorded_at"].replace("T", " ")[:19]
    return f"{name} ({step['actor_id']})", when, step["meaning"]


def test_r_qc_2_the_records_show_signatures_and_results_against_the_specification(
    served: Served,
) -> None:
    # Given the batch record and the certificate of analysis of the certified lot
    record, coa = _text(served.pdfs["batch-record"]), _text(served.pdfs["coa"])
    # Then QA's certification shows the printed name, the time (UTC) and the meaning
    signer, when, meaning = _signed_step(served, LOT, ".Certified")
    assert signer.startswith("Chen Jing (PER-") and meaning == "approved"
    for text in (record, coa):
        assert signer in text and when in text and "approved" in text
    # And a QC result and the analyst who recorded it (21 CFR 11.50)
    analyst, at, performed = _signed_step(served, LOT, ".TestResultRecorded")
    assert analyst in record and at in record and performed in record
    # And the results against the specification: limit, value, verdict
    for text in (record, coa):
        assert "endotoxin ChP 1143 kinetic LAL <= 2.0 EU/mL 0.4 EU/mL in spec" in text
        assert "size_mode NTA 50-200 nm 118 nm in spec" in text
    # And the batch record has the genealogy, the materials, the deviation and the accounts
    assert "DON-F01-26-000001-V" in record and "WCB-F01-26-000001-R" in record
    assert "MAT-F01-26-000007-P SFM-EV" in record
    assert "DEV-F01-26-000001-A" in record and "CPA-F01-26-000001-E" in record
    assert "filled 10 = retained 1 + shipped 4 + destroyed 1 + in stock 4" in record


def test_r_qc_4_the_qp_release_certificate_shows_the_qp_signature(served: Served) -> None:
    text = _text(served.pdfs["qp-release"])
    qp, when, meaning = _signed_step(served, SHIPMENT, ".ReleasedForUse")
    assert qp.startswith("Liu Yang (PER-") and meaning == "released"
    assert f"Qualified Person {qp}, QP, signed with password" in text
    assert when in text
    assert "PVL-F01-26-000001-P" in text and LOT in text and "cracked cap" in text


def test_r_trc_1_the_patient_report_traces_each_vial_to_the_donor_and_its_custody(
    served: Served,
) -> None:
    text = _text(served.pdfs["patient"])
    nurse, when, _ = _signed_step(served, PATIENT, ".Administered")
    assert nurse.startswith("Sun Li (PER-") and nurse in text and when in text
    assert "Zhang Wei (PER-" in text  # the verifying pharmacist
    assert "Chain of identity of PVL-F01-26-000001-P" in text
    assert "DON-F01-26-000001-V" in text and LOT in text
    assert "Handed off to ColdCourier driver 17" in text


def test_r_acc_5_a_blinded_patients_report_shows_no_arm_and_no_lot(served: Served) -> None:
    # Given a subject of the blinded study, dosed with a kit
    answer = served.get(f"/reports/patient/{BLINDED_PATIENT}", "auditor")
    assert answer.status_code == 200, answer.text
    text = _text(answer.content)
    # Then the report names the kit and says its lot is sealed, and names neither lot nor arm
    assert "kit of the blinded study" in text and "sealed" in text
    assert "LOT-F01-26-000003" not in text and "LOT-F01-26-000004" not in text
    assert "placebo" not in text.lower()
    assert not re.search(r"\barm\s*:", text)


def test_r_acc_5_a_placebo_lot_record_only_for_roles_that_may_open_seals(served: Served) -> None:
    # When an auditor (no sealed reads) asks for the placebo lot's batch record / Then 403
    refused = served.get(f"/reports/batch-record/{PLACEBO}", "auditor")
    assert refused.status_code == 403
    assert "R-ACC-5" in refused.json()["detail"] and PLACEBO in refused.json()["detail"]
    # And QA, who may, gets it
    given = served.get(f"/reports/batch-record/{PLACEBO}", "qa")
    assert given.status_code == 200
    assert "placebo lot of the blinded study" in _text(given.content)


def _unknown(item_type: ItemType) -> str:
    """A well-formed code of `item_type` that no item has."""
    return str(ItemCode.issue(item_type, "F01", 26, 999_999))


@pytest.mark.parametrize(
    ("path", "role", "status", "said"),
    [
        (f"/reports/batch-record/{PATIENT}", "qa", 422, "expected a product lot"),
        (f"/reports/patient/{LOT}", "auditor", 422, "expected a patient"),
        ("/reports/coa/LOT-F01-26-000001-6", "qa", 422, "check character"),
        (f"/reports/qp-release/{_unknown(ItemType.SHIPMENT)}", "qp", 404, "no such shipment"),
        (f"/reports/coa/{BAD_LOT}", "qa", 409, "R-QC-2"),
        (f"/reports/qp-release/{WARM_SHIPMENT}", "auditor", 409, "R-QC-4"),
        (f"/reports/patient/{PATIENT}", "qa", 403, "may not read"),
        (f"/reports/batch-record/{LOT}", "nurse", 403, "may not read"),
        (f"/reports/batch-record/{LOT}", None, 401, "Sign in"),
    ],
)
def test_r_acc_1_bad_codes_and_readers_are_refused_naming_what_to_do(
    served: Served, path: str, role: str | None, status: int, said: str
) -> None:
    answer = served.get(path, role)
    assert answer.status_code == status, answer.text
    assert said in answer.json()["detail"]


def test_r_acc_2_each_report_is_recorded_with_the_files_hash(served: Served) -> None:
    log = served.get(f"/access-log?subject={LOT}", "auditor").json()
    assert log["intact"]
    made = [e for e in log["entries"] if e["action"] == "report:batch-record"]
    digest = hashlib.sha256(served.pdfs["batch-record"]).hexdigest()
    assert any(e["payload_sha256"] == digest and e["role"] == "qa" for e in made), made


def test_r_led_5_the_command_line_writes_a_report_pyhanko_validates(
    served: Served, tmp_path: Path
) -> None:
    # Given a copy of the ledger initialised before reports existed (no report key yet)
    data = tmp_path / "data"
    shutil.copytree(served.cli_data, data)
    for name in ("report.key", "report.crt"):
        (data / "keys" / name).unlink()
    # When the command line writes the certificate of analysis
    pdf = tmp_path / "coa.pdf"
    written = run_celltrace(data, "report", "coa", LOT, "--out", str(pdf))
    assert written.returncode == 0, written.stderr
    # Then the key and certificate were made on first use, said so, owner-only
    assert "Created the installation's report signing key and certificate" in written.stderr
    for name in ("report.key", "report.crt"):
        assert stat.S_IMODE((data / "keys" / name).stat().st_mode) == 0o600
    assert f"{LOT}-coa written to {pdf}" in written.stdout
    # And `pyhanko sign validate`, trusting the published certificate, judges it valid
    certificate = tmp_path / "report-signing.crt"
    published = run_celltrace(data, "report", "certificate", "--out", str(certificate))
    assert published.returncode == 0, published.stderr
    pyhanko = Path(sys.executable).with_name("pyhanko")
    checked = subprocess.run(
        [
            str(pyhanko),
            "sign",
            "validate",
            "--pretty-print",
            "--trust",
            str(certificate),
            "--trust-replace",
            str(pdf),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "The signature is judged VALID." in checked.stdout
    assert "The signature covers the entire file." in checked.stdout
    # And the command line's report is in the access log as the operating-system user's
    log = run_celltrace(data, "access-log", "--subject", LOT)
    assert "report:coa" in log.stdout and "local:" in log.stdout


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["coa", PATIENT], "expected a product lot"),
        (["qp-release", _unknown(ItemType.SHIPMENT)], "no such shipment"),
        (["batch-record", PLACEBO], "R-ACC-5"),
    ],
)
def test_r_acc_1_the_command_line_refuses_bad_codes_with_exit_2(
    served: Served, args: list[str], said: str, tmp_path: Path
) -> None:
    result = run_celltrace(served.cli_data, "report", *args, "--out", str(tmp_path / "x"))
    assert result.returncode == 2, result.stdout + result.stderr
    assert said in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "x").exists()
