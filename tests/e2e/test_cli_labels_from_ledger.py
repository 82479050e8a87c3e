"""R-ID-2 from the ledger: `celltrace demo` writes its vials' labels; `celltrace label` and
`celltrace labels --lot` print labels of recorded items that decode and verify."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from label_printing.payload import verify_scan
from label_printing.signing import label_verifier
from ledger.config import Settings
from tests.cli import run_celltrace

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
