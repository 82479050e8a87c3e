"""R-ID-2 / R-ID-3: the label file functions behind `celltrace label` and `celltrace labels`,
with the label key that `celltrace init` creates in the data directory."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from label_printing.cli import file_name, load_signer, write_label, write_labels, write_sheet
from label_printing.errors import LabelError, LabelKeyError
from label_printing.examples import example_labels, fill_run
from label_printing.payload import verify_scan
from label_printing.signing import label_verifier
from ledger.bootstrap import init_ledger
from ledger.config import Settings
from ledger.identifiers import ItemType, format_code


def _settings(data: Path) -> Settings:
    return Settings.from_env(
        {"CELLTRACE_DATA_DIR": str(data), "CELLTRACE_BASE_URL": "https://trace.example/"}
    )


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    settings = _settings(tmp_path_factory.mktemp("data"))
    init_ledger(settings)
    return settings


def test_r_id_2_label_key_from_init_is_published_as_a_c2sp_verifier_key(
    settings: Settings,
) -> None:
    # Given a data directory made by init / When the label key is loaded twice
    first, second = load_signer(settings), load_signer(settings)
    # Then it is the same key, named after the log origin, published as name+keyid+key
    assert first.verifier() == second.verifier()
    vkey = label_verifier(settings).key_string()
    assert vkey.startswith("celltrace.example/ledger/labels+")
    assert vkey.split("+")[1] == first.key_id.hex()


@pytest.mark.parametrize("fmt", ["png", "svg", "pdf", "zpl"])
def test_r_id_2_write_label_writes_each_format(settings: Settings, fmt: str) -> None:
    # Given a product vial and the deployment's label key
    content = example_labels()["product_vial"]
    out = settings.data_dir / "labels" / f"vial.{fmt}"
    # When the label file is written
    path = write_label(content, fmt, out, load_signer(settings), settings.base_url)
    # Then it exists, is readable by a print spooler, and carries the code
    assert path == out and path.stat().st_size > 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    data = path.read_bytes()
    if fmt in ("svg", "zpl"):
        assert str(content.code).encode() in data
    if fmt == "pdf":
        assert str(content.code) in PdfReader(path).pages[0].extract_text()


def test_r_id_2_written_png_decodes_and_verifies_with_the_published_key(
    settings: Settings,
) -> None:
    # Given a PNG written with the deployment's key
    content = example_labels()["harvest_container"]
    path = write_label(
        content, "png", settings.data_dir / "h.png", load_signer(settings), settings.base_url
    )
    # When a phone-like decoder reads it and a bedside scanner checks it offline
    (result,) = zxingcpp.read_barcodes(Image.open(path), formats=zxingcpp.BarcodeFormat.QRCode)
    verified = verify_scan(
        result.text, [label_verifier(settings).key_string()], base_url=settings.base_url
    )
    # Then it opens the item's page under the configured base URL and its fields verify
    assert result.text.startswith(f"https://trace.example/v/{content.code}#CT1.")
    assert verified.code == content.code and verified.expiry == content.expiry


def test_r_id_2_write_sheet_of_a_fill_run(settings: Settings) -> None:
    # Given the 100 vials of a fill run / When written as one sheet PDF
    path = write_sheet(
        fill_run(100), settings.data_dir / "run.pdf", load_signer(settings), settings.base_url
    )
    # Then it has two A4 pages of 65 labels
    reader = PdfReader(path)
    assert len(reader.pages) == 2
    assert "PVL-F01-26-000199" in reader.pages[1].extract_text()


def test_r_id_2_write_labels_names_files_by_code(settings: Settings) -> None:
    contents = fill_run(3)
    paths = write_labels(
        contents, "zpl", settings.data_dir / "demo", load_signer(settings), settings.base_url
    )
    assert [p.name for p in paths] == [f"{c.code}.zpl".replace("*", "_") for c in contents]


def test_r_id_2_a_star_check_character_is_written_as_underscore_in_file_names() -> None:
    # Given codes whose MOD 37-2 check character is "*" (not valid in Windows file names)
    codes = (format_code(ItemType.PRODUCT_VIAL, "F01", 2026, n) for n in range(1, 200))
    starred = [c for c in codes if c.endswith("*")]
    assert starred
    # Then the file name has "_" instead, and still names exactly that code
    assert file_name(starred[0], "png") == starred[0][:-1] + "_.png"
    assert "*" not in file_name(starred[0], "png")


def test_r_id_2_missing_label_key_says_to_run_init(tmp_path: Path) -> None:
    with pytest.raises(LabelKeyError, match="run `celltrace init`"):
        load_signer(_settings(tmp_path))


@pytest.mark.parametrize(
    ("fmt", "name", "message"),
    [
        ("gif", "x.gif", "not one of png, svg, pdf, zpl"),
        ("png", "x.pdf", "ends in '.pdf'"),
        ("svg", "", "is a directory"),
    ],
)
def test_r_id_2_write_label_refuses_unclear_requests(
    settings: Settings, fmt: str, name: str, message: str
) -> None:
    content = example_labels()["bank_vial"]
    with pytest.raises(LabelError, match=message):
        write_label(
            content, fmt, settings.data_dir / name, load_signer(settings), settings.base_url
        )
