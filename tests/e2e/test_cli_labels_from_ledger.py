"""R-ID-2 from the ledger: `celltrace demo` writes its vials' labels; `celltrace label` and
`celltrace labels --lot` print labels of recorded items that decode and verify."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import zxingcpp
from click.testing import Result
from PIL import Image
from pypdf import PdfReader
from typer.testing import CliRunner

from label_printing.badge import verify_badge
from label_printing.errors import LabelError
from label_printing.payload import verify_scan
from label_printing.signing import label_verifier
from ledger.cli.main import app
from ledger.config import Settings
from ledger.storage.db import create_db_engine
from ledger.stores.access_log import AccessLog
from tests.cli import run_celltrace
from tests.pdf_qr import pdf_qr_texts

run = run_celltrace


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    data = tmp_path_factory.mktemp("labels-demo")
    result = run(data, "demo")
    assert result.returncode == 0, result.stderr
    return data, result.stdout


def test_r_id_2_demo_writes_a_verifiable_label_for_every_vial(demo: tuple[Path, str]) -> None:
    data, out = demo
    assert "signed QR labels (PNG) and a PDF sheet written to" in out
    pngs = sorted((data / "labels").glob("BVL-*.png"))
    assert len(pngs) >= 20
    settings = Settings(data_dir=data, database_url=f"sqlite:///{data / 'ledger.db'}")
    (decoded,) = zxingcpp.read_barcodes(Image.open(pngs[0]), formats=zxingcpp.BarcodeFormat.QRCode)
    label = verify_scan(decoded.text, [label_verifier(settings)])
    assert str(label.code) == pngs[0].stem


def test_r_id_2_label_command_writes_one_verifiable_label(
    demo: tuple[Path, str], tmp_path: Path
) -> None:
    data, out = demo
    vial = re.findall(r"BVL-F01-\d\d-\d{6}-[0-9A-Z*]", out)[-1]
    result = run(data, "label", vial, "--format", "png", "--out", str(tmp_path / "v.png"))
    assert result.returncode == 0, result.stderr
    (decoded,) = zxingcpp.read_barcodes(
        Image.open(tmp_path / "v.png"), formats=zxingcpp.BarcodeFormat.QRCode
    )
    settings = Settings(data_dir=data, database_url=f"sqlite:///{data / 'ledger.db'}")
    assert str(verify_scan(decoded.text, [label_verifier(settings)]).code) == vial


def test_r_id_2_labels_for_a_fill_run_make_one_sheet_with_every_vial(
    demo: tuple[Path, str], tmp_path: Path
) -> None:
    data, out = demo
    bank = re.findall(r"WCB-F01-\d\d-\d{6}-[0-9A-Z*]", out)[0]
    result = run(data, "labels", "--lot", bank, "--out", str(tmp_path / "sheet.pdf"))
    assert result.returncode == 0, result.stderr
    count = int(result.stdout.split()[0])
    text = "".join(page.extract_text() for page in PdfReader(tmp_path / "sheet.pdf").pages)
    assert count >= 10
    assert text.count("BVL-F01-") >= count


def test_r_id_2_label_of_a_donor_is_refused_with_what_to_do(demo: tuple[Path, str]) -> None:
    data, out = demo
    donor = re.findall(r"DON-F01-\d\d-\d{6}-[0-9A-Z*]", out)[0]
    result = run(data, "label", donor)
    assert result.returncode == 2
    assert "R-ID-2" in result.stderr and "sample or vial" in result.stderr


def test_r_acc_2_a_label_printed_again_needs_a_reason_and_every_print_is_logged(
    demo: tuple[Path, str], tmp_path: Path
) -> None:
    # Given a product vial whose label is printed from the command line
    data, out = demo
    vial = re.findall(r"PVL-F01-\d\d-\d{6}-[0-9A-Z*]", out)[-1]
    first = run(data, "label", vial, "--format", "zpl", "--out", str(tmp_path / "1.zpl"))
    assert first.returncode == 0, first.stderr
    # When it is printed again without a reason  Then refused (exit 2), naming the rule, the
    # first print and how to give the reason; no file is written
    again = run(data, "label", vial, "--format", "zpl", "--out", str(tmp_path / "2.zpl"))
    assert again.returncode == 2
    assert "R-ID-2" in again.stderr and "--reason" in again.stderr and "local:" in again.stderr
    assert not (tmp_path / "2.zpl").exists()
    # When a reason is given  Then it prints
    reason = ("--reason", "label smudged by condensation")
    third = run(data, "label", vial, "--format", "zpl", "--out", str(tmp_path / "3.zpl"), *reason)
    assert third.returncode == 0, third.stderr
    # And the access log lists both prints, by the operating-system user, with the reason
    log = run(data, "access-log", "--subject", vial)
    assert log.returncode == 0, log.stderr
    prints = [line for line in log.stdout.splitlines() if "print:label" in line]
    assert len(prints) == 2 and "label smudged by condensation" in prints[1], log.stdout


def _settings(data: Path) -> Settings:
    return Settings(data_dir=data, database_url=f"sqlite:///{data / 'ledger.db'}")


def _cli(data: Path, *args: str) -> Result:
    """`celltrace ARGS` in this process (no new interpreter for each call)."""
    env = {"CELLTRACE_DATA_DIR": str(data), "CELLTRACE_DATABASE_URL": _settings(data).database_url}
    return CliRunner().invoke(app, list(args), env=env)


def test_r_acc_2_printers_are_registered_listed_and_retired_from_the_console(
    demo: tuple[Path, str],
) -> None:
    data, _ = demo
    # When a printer is registered from the server console
    added = _cli(
        data,
        "printers",
        "add",
        "zebra-cli",
        "--address",
        "10.0.0.5",
        "--dpi",
        "300",
        "--stock",
        "cryo 38x19 mm",
    )
    assert added.exit_code == 0, added.output
    assert (
        added.stdout.strip()
        == "Printer zebra-cli at 10.0.0.5:9100, 300 dpi, cryo 38x19 mm registered"
    )
    # When one is registered with a bad resolution, or with a name already used
    bad = _cli(
        data,
        "printers",
        "add",
        "zebra-2",
        "--address",
        "10.0.0.6",
        "--dpi",
        "250",
        "--stock",
        "cryo",
    )
    taken = _cli(
        data,
        "printers",
        "add",
        "ZEBRA-cli",
        "--address",
        "10.0.0.6",
        "--dpi",
        "300",
        "--stock",
        "cryo",
    )
    # Then refused (exit 2, not 1), naming the rule and what to do; nothing was written
    assert bad.exit_code == 2 and taken.exit_code == 2
    assert "R-ID-2: 250 dpi is not a resolution" in bad.stderr and "203, 300 or 600" in bad.stderr
    assert "R-ACC-2: a printer named zebra-cli was registered" in taken.stderr
    # When it is retired  Then it is listed as retired, by the operating-system user
    retired = _cli(data, "printers", "retire", "zebra-cli", "--reason", "moved to the QC lab")
    assert retired.exit_code == 0, retired.output
    listed = _cli(data, "printers", "list", "--retired", "--json")
    assert [p["name"] for p in json.loads(listed.stdout)] == ["zebra-cli"]
    (printer,) = json.loads(listed.stdout)
    assert printer["address"] == "10.0.0.5:9100" and printer["dpi"] == 300
    assert printer["in_service"] is False and printer["retired_reason"] == "moved to the QC lab"
    assert printer["registered_by"].startswith("local:") and printer["recorded"] is True


def test_r_acc_2_a_badge_written_from_the_console_signs_its_person_in_and_is_recorded(
    demo: tuple[Path, str], tmp_path: Path
) -> None:
    data, out = demo
    qa = re.findall(r"PER-F01-\d\d-\d{6}-[0-9A-Z*]", out)[0]
    # When the badge of a person is written to a PDF
    result = _cli(data, "users", "badge", qa, "--out", str(tmp_path / "badge.pdf"))
    assert result.exit_code == 0, result.output
    # Then its QR code is the person's signed badge
    (text,) = pdf_qr_texts((tmp_path / "badge.pdf").read_bytes())
    assert str(verify_badge(text, [label_verifier(_settings(data))])) == qa
    # And the print is recorded; a second one needs a reason (exit 2, no file written)
    log = AccessLog(create_db_engine(_settings(data)))
    (entry,) = [e for e in log.entries(qa) if e.action == "print:badge"]
    assert entry.person.startswith("local:") and entry.via == f"celltrace users badge {qa}"
    again = _cli(data, "users", "badge", qa, "--out", str(tmp_path / "again.pdf"))
    assert again.exit_code == 2 and "R-ACC-2" in again.stderr and "--reason" in again.stderr
    assert not (tmp_path / "again.pdf").exists()


def test_r_acc_2_labels_reconcile_lists_each_vial_s_prints_from_the_access_log(
    demo: tuple[Path, str], tmp_path: Path
) -> None:
    data, out = demo
    lots = list(dict.fromkeys(re.findall(r"LOT-F01-\d\d-\d{6}-[0-9A-Z*]", out)))
    vials = sorted(set(re.findall(r"PVL-F01-\d\d-\d{6}-[0-9A-Z*]", out)))[:10]
    # Given one vial's label printed from the command line
    printed = _cli(data, "label", vials[4], "--format", "zpl", "--out", str(tmp_path / "v.zpl"))
    assert printed.exit_code == 0, printed.output
    # When the lot's labels are reconciled
    result = _cli(data, "labels", "--lot", lots[0], "--reconcile", "--json")
    # Then each vial shows its prints, by whom and where; the others were never labelled
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    by_code = {v["code"]: v for v in found["vials"]}
    assert list(by_code) == vials
    (entry,) = by_code[vials[4]]["prints"]
    assert entry["person"].startswith("local:") and entry["printer"] is None
    assert entry["via"] == f"celltrace label {vials[4]}"
    assert vials[4] not in found["never_labelled"] and vials[5] in found["never_labelled"]
    assert found["totals"]["filled"] == 10 and found["totals"]["destroyed"] == 1
    # And a blinded study's lot is refused: its kits are reconciled with the study's
    refused = _cli(data, "labels", "--lot", lots[2], "--reconcile")
    assert isinstance(refused.exception, LabelError) and "R-ACC-5" in str(refused.exception)
