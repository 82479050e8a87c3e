"""Printing from the API (R-ID-2, R-ACC-2): the label printer registry kept by QA and
administrators, labels sent as ZPL straight to a printer's raw TCP port (a real loopback
listener stands in for the Zebra printer), a fill run's PDF label sheet, person badges whose
signed QR code signs a person in, and the reconciliation of the labels printed for a lot."""

from __future__ import annotations

import hashlib
import io
import re
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from label_printing.cli import RenderOptions, load_signer, render_label
from label_printing.payload import verify_scan
from label_printing.signing import label_verifier
from ledger.api.app import create_app
from ledger.bootstrap import init_ledger
from ledger.config import Settings
from ledger.integrity.access_chain import AccessEntry
from ledger.labels import label_content
from tests.domain3 import Clinic, Clock, blinded_lots, blinded_study, certified_vials
from tests.e2e.conftest import PASSWORD, ClinicApi
from tests.pdf_qr import pdf_qr_texts
from tests.zebra import Listener, closed_port, listening, qr_texts


@pytest.fixture(scope="module")
def api(
    api_clinic_template: Clinic, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ClinicApi]:
    """One served copy of the clinic for the module (a certified lot filled into 6 vials)."""
    data = tmp_path_factory.mktemp("printing") / "data"
    shutil.copytree(api_clinic_template.plant.settings.data_dir, data)
    settings = Settings(data_dir=data, database_url=f"sqlite:///{data / 'ledger.db'}")
    init_ledger(settings)  # the label key (the template was recorded without one)
    clock = Clock()
    with TestClient(create_app(settings, clock=clock)) as client:
        served = ClinicApi(client, api_clinic_template, clock)
        served.sign_in()
        yield served


@pytest.fixture(scope="module")
def printer(api: ClinicApi) -> Iterator[Listener]:
    """A Zebra printer at 300 dpi, registered by QA as zebra-cr1."""
    with listening() as listener:
        body = {"name": "zebra-cr1", "address": listener.address, "dpi": 300, "stock": "cryo"}
        assert api.post("qa", "/printers", body).status_code == 201
        yield listener


def _log(api: ClinicApi) -> list[AccessEntry]:
    return api.client.app.state.ctx.access_log.entries()  # type: ignore[attr-defined, no-any-return]


def _zpl(api: ClinicApi, code: str, dpi: int) -> bytes:
    """The item's label as ZPL, rendered the way `celltrace label --format zpl` renders it."""
    settings = api.ledger.settings
    options = RenderOptions(dpi=dpi)
    content = label_content(api.ledger, code)
    return render_label(content, "zpl", load_signer(settings), settings.base_url, options)


def _print(api: ClinicApi, role: str, name: str, **body: Any) -> Any:
    return api.post(role, f"/printers/{name}/print", body)


def test_r_id_2_qa_registers_printers_and_bad_input_writes_nothing(api: ClinicApi) -> None:
    # Given QA registers a printer (its name kept in lower case, the port 9100 by default)
    made = api.post(
        "qa", "/printers", {"name": "Zebra-QC", "address": "zebra-qc.lab", "dpi": 203, "stock": "x"}
    )
    assert made.status_code == 201, made.text
    assert (made.json()["name"], made.json()["address"]) == ("zebra-qc", "zebra-qc.lab:9100")
    listed = api.get("operator", "/printers").json()
    before = (listed, len(_log(api)))
    assert "zebra-qc" in [p["name"] for p in listed] and all(p["recorded"] for p in listed)
    # When a printer is defined with a bad address, resolution and stock
    bad = api.post(
        "qa",
        "/printers",
        {"name": "zebra-2", "address": "tcp://10.0.0.5", "dpi": 250, "stock": " "},
    )
    # Then it is refused, each problem named with its rule and what to do; nothing written
    assert bad.status_code == 409
    messages = [(v["rule"], v["message"]) for v in bad.json()["violations"]]
    assert [rule for rule, _ in messages] == ["R-ID-2", "R-ID-2", "R-ID-2"]
    assert "'tcp://10.0.0.5' of zebra-2 is not host:port" in messages[0][1]
    assert "250 dpi is not a resolution" in messages[1][1] and "203, 300 or 600" in messages[1][1]
    assert "label stock loaded in zebra-2" in messages[2][1]
    # And a name already taken (in any case) is refused: names are never reused (R-ACC-2)
    again = api.post(
        "administrator",
        "/printers",
        {"name": "ZEBRA-qc", "address": "10.0.0.9", "dpi": 300, "stock": "cryo"},
    )
    assert again.status_code == 409
    assert again.json()["violations"][0]["rule"] == "R-ACC-2"
    assert "zebra-qc was registered on" in again.json()["detail"]
    # And an operator may not register printers (R-PPL-2)
    operator = api.post(
        "operator", "/printers", {"name": "mine", "address": "10.0.0.8", "dpi": 300, "stock": "x"}
    )
    assert operator.status_code == 403
    assert operator.json()["violations"][0]["rule"] == "R-PPL-2"
    assert (api.get("operator", "/printers").json(), len(_log(api))) == before


def test_r_acc_2_changing_and_retiring_a_printer_are_recorded_with_their_reasons(
    api: ClinicApi,
) -> None:
    # Given a registered printer
    body = {"name": "zebra-old", "address": "10.0.0.7", "dpi": 203, "stock": "cryo"}
    assert api.post("administrator", "/printers", body).status_code == 201
    # When its resolution changes without a reason  Then refused, nothing written
    assert (
        api.client.patch(
            "/api/v1/printers/zebra-old",
            json={"dpi": 300, "reason": " "},
            headers=api.headers("qa"),
        ).status_code
        == 409
    )
    # When it changes with a reason, then is retired
    changed = api.client.patch(
        "/api/v1/printers/zebra-old",
        json={"dpi": 300, "reason": "new printhead"},
        headers=api.headers("qa"),
    )
    assert changed.status_code == 200 and changed.json()["dpi"] == 300
    retired = api.post("qa", "/printers/zebra-old/retire", {"reason": "replaced by zebra-cr1"})
    assert retired.status_code == 200 and retired.json()["in_service"] is False
    # Then the auditor lists each step under the printer: who did it, its reason, and the
    # hash of the printer's definition at that step
    log = api.get("auditor", "/access-log", subject="printer:zebra-old").json()
    steps = log["entries"]
    assert [e["action"] for e in steps] == ["printer:register", "printer:change", "printer:retire"]
    people = [api.code("administrator"), api.code("qa"), api.code("qa")]
    assert [e["person"] for e in steps] == people
    assert steps[1]["reason"] == "new printhead (203 -> 300 dpi)"
    assert steps[2]["reason"] == "replaced by zebra-cr1"
    assert len({e["payload_sha256"] for e in steps}) == 3 and log["intact"] is True
    # And a retired printer prints nothing, and is listed only when asked for
    refused = _print(api, "operator", "zebra-old", codes=[api.clinic.vials[0]])
    assert refused.status_code == 409 and "was retired on" in refused.json()["detail"]
    assert "zebra-old" not in [p["name"] for p in api.get("qa", "/printers").json()]
    assert "zebra-old" in [p["name"] for p in api.get("qa", "/printers", retired=True).json()]


def test_r_id_2_a_label_goes_to_the_printer_as_its_zpl_and_is_recorded_once_sent(
    api: ClinicApi, printer: Listener
) -> None:
    vial = api.clinic.vials[0]
    # When the operator prints the vial's label on zebra-cr1
    answer = _print(api, "operator", "zebra-cr1", codes=[vial])
    # Then the printer received the vial's label as ZPL at its 300 dpi
    assert answer.status_code == 200, answer.text
    assert answer.json() == {
        "printer": "zebra-cr1",
        "address": printer.address,
        "dpi": 300,
        "printed": [vial],
    }
    sent = printer.received()
    assert sent == _zpl(api, vial, 300) and b"^FX CellTrace label" in sent
    # And the QR code in it carries the vial's signed payload
    (text,) = qr_texts(sent)
    assert str(verify_scan(text, [label_verifier(api.ledger.settings)]).code) == vial
    # And the print is recorded: who, the printer, the SHA-256 of the bytes sent
    (entry,) = [e for e in _log(api) if e.subject == vial and e.action == "print:label"]
    assert (entry.person, entry.role) == (api.code("operator"), "operator")
    assert entry.via.startswith(f"printer zebra-cr1 at {printer.address}: POST /api/v1/printers/")
    assert entry.payload_sha256 == hashlib.sha256(sent).hexdigest()


def test_r_acc_2_a_label_printed_before_needs_a_reason_and_is_not_sent_without(
    api: ClinicApi, printer: Listener
) -> None:
    vial = api.clinic.vials[1]
    assert _print(api, "operator", "zebra-cr1", codes=[vial]).status_code == 200
    first = printer.received()
    # When it is printed again without a reason
    again = _print(api, "pharmacist", "zebra-cr1", codes=[vial])
    # Then refused, naming the first print and how to give the reason; nothing is sent
    assert again.status_code == 409
    assert again.json()["violations"][0]["rule"] == "R-ID-2"
    assert f"{api.code('operator')}); give the reason" in again.json()["detail"]
    assert '"reason" in the request' in again.json()["detail"]
    # When it is printed again with a reason
    third = _print(api, "pharmacist", "zebra-cr1", codes=[vial], reason="label smudged")
    # Then the next bytes the printer receives are this print's (nothing came in between)
    assert third.status_code == 200 and printer.received() == first
    prints = [e for e in _log(api) if e.subject == vial and e.action == "print:label"]
    assert [(e.role, e.reason) for e in prints] == [
        ("operator", ""),
        ("pharmacist", "label smudged"),
    ]


def test_r_id_2_an_unreachable_printer_is_named_and_nothing_is_recorded(api: ClinicApi) -> None:
    # Given a printer registered at an address where nothing listens
    body = {"name": "zebra-off", "address": f"127.0.0.1:{closed_port()}", "dpi": 203, "stock": "c"}
    assert api.post("qa", "/printers", body).status_code == 201
    before = len(_log(api))
    # When a label is printed on it
    answer = _print(api, "operator", "zebra-off", codes=[api.clinic.vials[2]])
    # Then the answer says which printer could not be reached and what to do, not a 500
    assert answer.status_code == 503
    detail = answer.json()["detail"]
    assert detail.startswith("R-ID-2: printer zebra-off at 127.0.0.1:")
    assert "nothing was printed or recorded" in detail and "switched on" in detail
    assert answer.json()["violations"][0]["rule"] == "R-ID-2"
    # And no print is recorded: the label may be printed later without a reason
    assert len(_log(api)) == before


def test_r_id_2_a_fill_run_prints_every_vial_on_the_printer(
    api: ClinicApi, printer: Listener
) -> None:
    # When QA prints the lot's labels on zebra-cr1, giving a reason (some were printed before)
    answer = _print(api, "qa", "zebra-cr1", lot=api.clinic.lot, reason="new labels for the lot")
    # Then every vial's label went to the printer, in one connection, in fill order
    assert answer.status_code == 200, answer.text
    assert answer.json()["printed"] == list(api.clinic.vials)
    assert printer.received() == b"".join(_zpl(api, v, 300) for v in api.clinic.vials)
    # And naming both items and a lot is refused
    both = _print(api, "qa", "zebra-cr1", codes=[api.clinic.vials[0]], lot=api.clinic.lot)
    assert both.status_code == 422 and "either the codes" in both.json()["detail"]


def test_r_id_2_the_lot_label_sheet_is_a_pdf_recorded_like_the_command_line(
    api: ClinicApi,
) -> None:
    lot = api.clinic.lot
    # When QA downloads the lot's label sheet, a reason given (its vials were printed before)
    sheet = api.get("qa", f"/lots/{lot}/labels.pdf", reason="sheet for the batch record")
    # Then it is a PDF with every vial's label, each one's QR signed
    assert sheet.status_code == 200 and sheet.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(sheet.content)).pages)
    assert all(v in text for v in api.clinic.vials)
    trusted = [label_verifier(api.ledger.settings)]
    codes = sorted(str(verify_scan(t, trusted).code) for t in pdf_qr_texts(sheet.content))
    assert codes == sorted(api.clinic.vials)
    # And each vial's print is recorded with the sheet's hash and the reason
    digest = hashlib.sha256(sheet.content).hexdigest()
    recorded = [e for e in _log(api) if e.payload_sha256 == digest]
    assert sorted(e.subject for e in recorded) == sorted(api.clinic.vials)
    assert {e.reason for e in recorded} == {"sheet for the batch record"}
    # And without the reason it is refused (409 R-ID-2), with nothing recorded
    count = len(_log(api))
    assert api.get("qa", f"/lots/{lot}/labels.pdf").status_code == 409
    assert len(_log(api)) == count


def test_r_acc_2_label_reconciliation_lists_each_vial_s_prints_and_reprints(
    api: ClinicApi, printer: Listener
) -> None:
    # Given a new lot of 3 vials, partly labelled: one printed twice, one destroyed
    app, staff = api.ledger, api.clinic.staff
    lot, vials = certified_vials(app, api.clinic.plant, 3)
    assert _print(api, "operator", "zebra-cr1", codes=vials[:2]).status_code == 200
    printer.received()
    again = _print(api, "pharmacist", "zebra-cr1", codes=[vials[0]], reason="torn")
    assert again.status_code == 200
    printer.received()
    app.dispose_item(staff["qa"], vials[1], "surplus", "autoclave", staff["operator"])
    # When QA asks for the reconciliation of the lot's labels
    answer = api.get("qa", f"/lots/{lot}/label-reconciliation")
    assert answer.status_code == 200, answer.text
    found = answer.json()
    by_code = {v["code"]: v for v in found["vials"]}
    # Then each vial shows how often its label was printed, by whom, where and why
    first = by_code[vials[0]]
    assert first["printed"] == 2 and first["destroyed"] is False
    assert [(p["person"], p["printer"], p["reason"]) for p in first["prints"]] == [
        (api.code("operator"), "zebra-cr1", ""),
        (api.code("pharmacist"), "zebra-cr1", "torn"),
    ]
    assert by_code[vials[1]]["destroyed"] is True and by_code[vials[1]]["printed"] == 1
    # And the vial never labelled is listed, and the totals add up
    assert found["never_labelled"] == [vials[2]]
    assert found["totals"] == {
        "filled": 3,
        "labelled": 2,
        "never_labelled": 1,
        "reprinted": 1,
        "prints": 3,
        "destroyed": 1,
        "destroyed_labelled": 1,
    }
    # And only roles that review labels may read it
    assert api.get("operator", f"/lots/{lot}/label-reconciliation").status_code == 403


def test_r_id_2_a_badge_s_signed_qr_signs_its_person_in_and_a_forged_one_is_refused(
    api: ClinicApi,
) -> None:
    qa = api.code("qa")
    # When the administrator prints QA's badge
    answer = api.get("administrator", f"/people/{qa}/badge.pdf")
    # Then it shows the code, printed name and role, and its QR decodes to a signed link
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/pdf"
    text = PdfReader(io.BytesIO(answer.content)).pages[0].extract_text()
    assert qa in text and "Chen Jing" in text and "QA" in text
    (scanned,) = pdf_qr_texts(answer.content)
    assert scanned.startswith(f"{api.ledger.settings.base_url}/v/{qa}#CT1.")
    assert PASSWORD not in scanned and "token" not in scanned
    # And the print is recorded: who printed whose badge
    (entry,) = [e for e in _log(api) if e.action == "print:badge" and e.subject == qa]
    assert entry.person == api.code("administrator")
    # When the badge text is given at sign-in with the person's password  Then signed in
    signed_in = api.client.post(
        "/api/v1/auth/token", data={"username": scanned, "password": PASSWORD}
    )
    assert signed_in.status_code == 200 and signed_in.json()["person_code"] == qa
    # When a badge with an altered signature, or an item's label, is scanned instead
    forged = scanned[:-3] + ("AAA" if not scanned.endswith("AAA") else "BBB")
    vial_text = qr_texts(_zpl(api, api.clinic.vials[3], 203))[0]
    for text_scanned, expected in ((forged, "does not verify"), (vial_text, "not a staff badge")):
        refused = api.client.post(
            "/api/v1/auth/token", data={"username": text_scanned, "password": PASSWORD}
        )
        # Then refused, naming the rule and what to do, before any password is tried
        assert refused.status_code == 422, refused.text
        assert refused.json()["detail"].startswith("R-ID-2: ") and expected in refused.text
    # And a second print of the badge needs a reason; an operator may not print badges
    assert api.get("qa", f"/people/{qa}/badge.pdf").status_code == 409
    assert api.get("operator", f"/people/{qa}/badge.pdf").status_code == 403


def test_r_id_3_a_blinded_study_s_kits_print_alike_and_its_lots_print_no_kits(
    api: ClinicApi, printer: Listener
) -> None:
    # Given a blinded study's active and placebo lots filled together into kits
    app, clinic = api.ledger, api.clinic
    study = blinded_study(app, clinic)
    active, placebo = blinded_lots(app, clinic, study)
    lots = {active: 1, placebo: 1}
    kit_codes, _ = app.fill_kits(clinic.staff["operator"], study, lots, 1.0, "2 mL cryovial")
    # When the study's kits are printed on the printer
    answer = _print(api, "operator", "zebra-cr1", lot=study)
    assert answer.status_code == 200, answer.text
    assert answer.json()["printed"] == kit_codes
    # Then the two kits' labels differ only in their code and signature: no arm, no lot
    sent = printer.received().decode("ascii")
    each = sent.split("^XZ\n")[:-1]
    labels = [masked_label(label, code) for label, code in zip(each, kit_codes, strict=True)]
    assert labels[0] == labels[1]
    assert active not in sent and placebo not in sent and "placebo" not in sent.lower()
    # And a blinded lot prints no kits: that would group them by arm (R-ACC-5)
    for path in (f"/lots/{active}/labels.pdf", f"/lots/{placebo}/label-reconciliation"):
        refused = api.get("qa", path)
        assert refused.status_code == 422 and "R-ACC-5" in refused.json()["detail"], path
    refused = _print(api, "operator", "zebra-cr1", lot=active)
    assert refused.status_code == 422 and f"give {study}" in refused.json()["detail"]


def masked_label(zpl: str, code: str) -> str:
    """A label's ZPL without its own code and its QR payload's signature."""
    return re.sub(r"#CT1\.[^^]+", "#CT1...", zpl.replace(code, "CODE"))


def test_r_id_2_the_trace_page_offers_printing_to_those_who_print_labels(
    api: ClinicApi, printer: Listener
) -> None:
    lot = api.clinic.lot
    # When an operator opens the lot's trace panel
    panel = api.client.get(f"/trace/{lot}/panel", headers=api.headers("operator")).text
    # Then it offers the registered printers, one label or the whole fill run, and the sheet
    assert 'id="print-printer"' in panel and '<option value="zebra-cr1">' in panel
    assert 'data-print="one"' in panel and 'data-print="run"' in panel
    assert f'href="/api/v1/lots/{lot}/labels.pdf"' in panel
    # And a vial's panel offers its own label only
    vial = api.client.get(f"/trace/{api.clinic.vials[0]}/panel", headers=api.headers("qa")).text
    assert 'data-print="one"' in vial and 'data-print="run"' not in vial
    # But an auditor, who prints nothing, is offered neither printers nor the sheet
    audited = api.client.get(f"/trace/{lot}/panel", headers=api.headers("auditor")).text
    assert "print-printer" not in audited and "labels.pdf" not in audited
