"""R-ID-2: every renderer's QR code decodes with a real decoder and verifies; PNG, SVG, PDF, ZPL."""

from __future__ import annotations

import dataclasses
import io
import math
import re
import xml.etree.ElementTree as ET
from functools import cache

import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from label_printing.errors import LabelLayoutError
from label_printing.examples import EXAMPLE_BASE_URL, example_labels, example_signer, fill_run
from label_printing.payload import verify_scan
from label_printing.pdf import L7651, render_pdf, render_sheet
from label_printing.phrases import Language
from label_printing.render import PreparedLabel, prepare_label, render_png, render_svg
from label_printing.zpl import escape_field, render_zpl
from tests.pdf_qr import pdf_rects, raster

NAMES = sorted(example_labels())
PT_PER_MM = 72 / 25.4


@cache
def _label(name: str) -> PreparedLabel:
    return prepare_label(example_labels()[name], example_signer(), EXAMPLE_BASE_URL)


def _trusted() -> list[str]:
    return [example_signer().verifier().key_string()]


def _decode(image: Image.Image) -> list[zxingcpp.Result]:
    return [r for r in zxingcpp.read_barcodes(image) if r.format == zxingcpp.BarcodeFormat.QRCode]


@pytest.mark.parametrize("name", NAMES)
def test_r_id_2_png_label_decodes_and_verifies(name: str) -> None:
    # Given the PNG of a label of each stage at 300 dpi
    label = _label(name)
    image = Image.open(io.BytesIO(render_png(label)))
    # When a real decoder reads it
    results = _decode(image)
    # Then it finds exactly our QR text, at level M in version 10 or less, and it verifies
    assert [r.text for r in results] == [label.symbol.text]
    assert results[0].ec_level == "M"
    assert int(results[0].extra["Version"]) == label.symbol.version <= 10
    verified = verify_scan(results[0].text, _trusted(), base_url=EXAMPLE_BASE_URL)
    assert verified.code == label.content.code
    # And the image is the label's physical size at 300 dpi
    stock = label.layout.stock
    assert image.size == (round(stock.width_mm * 300 / 25.4), round(stock.height_mm * 300 / 25.4))
    assert image.info["dpi"] == pytest.approx((300, 300), abs=0.01)


def test_r_id_2_qr_too_dense_for_the_stock_is_refused_with_advice() -> None:
    # Given a base URL so long that the cryovial QR modules would be under 0.25 mm
    long_base = "https://" + "a" * 90 + ".example"
    # When the label is prepared / Then it is refused, naming the setting to change
    with pytest.raises(LabelLayoutError, match="CELLTRACE_BASE_URL"):
        prepare_label(example_labels()["product_vial"], example_signer(), long_base)


def test_r_id_2_png_refuses_a_resolution_too_low_for_the_qr_modules() -> None:
    with pytest.raises(LabelLayoutError, match="300 dpi"):
        render_png(_label("product_vial"), dpi=150)


def test_r_id_2_png_refuses_chinese_text_without_a_font() -> None:
    label = prepare_label(
        example_labels()["product_vial"], example_signer(), EXAMPLE_BASE_URL, None, Language.ZH
    )
    with pytest.raises(LabelLayoutError, match="font"):
        render_png(label)


@pytest.mark.parametrize("name", ["product_vial", "shipment_container", "patient_wristband"])
def test_r_id_2_svg_is_well_formed_with_the_qr_and_the_text(name: str) -> None:
    # Given a label rendered as SVG
    label = _label(name)
    svg = render_svg(label)
    # When parsed as XML
    root = ET.fromstring(svg)
    ns = {"svg": "http://www.w3.org/2000/svg"}
    # Then it is sized in mm and holds every text line
    stock = label.layout.stock
    assert root.get("viewBox") == f"0 0 {stock.width_mm:g} {stock.height_mm:g}"
    texts = [t.text for t in root.iterfind(".//svg:text", ns)]
    assert texts == [line.text for line in label.layout.lines]
    # And its QR path, painted, decodes to the signed QR text
    path = root.find("svg:path", ns)
    assert path is not None
    rects = [
        (float(x), float(y), float(w), float(h))
        for x, y, w, h in re.findall(
            r"M([\d.]+) ([\d.]+)h([\d.]+)v([\d.]+)h-[\d.]+z", path.get("d", "")
        )
    ]
    image = raster(rects, stock.width_mm, stock.height_mm, 12)
    assert [r.text for r in _decode(image)] == [label.symbol.text]


def test_r_id_2_svg_prints_chinese_text_without_a_font_file() -> None:
    # Given a label in Chinese / When rendered as SVG (the viewer supplies the font)
    label = prepare_label(
        example_labels()["product_vial"], example_signer(), EXAMPLE_BASE_URL, None, Language.ZH
    )
    root = ET.fromstring(render_svg(label))
    # Then the Chinese statements are in the text
    texts = [t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert any("仅供临床研究使用" in t for t in texts)


def test_r_id_2_svg_escapes_markup_in_text() -> None:
    content = dataclasses.replace(example_labels()["material_lot"], product="A <b> & 'c'")
    svg = render_svg(prepare_label(content, example_signer(), EXAMPLE_BASE_URL))
    assert "A &lt;b&gt; &amp; 'c'" in svg
    ET.fromstring(svg)


@pytest.mark.parametrize(
    ("count", "skip", "pages"), [(1, 0, 1), (65, 0, 1), (66, 0, 2), (100, 40, 3)]
)
def test_r_id_2_pdf_sheet_has_the_right_page_count(count: int, skip: int, pages: int) -> None:
    # Given `count` labels of a fill run, starting at label `skip` of a partly used sheet
    labels = _sheet_labels()[:count]
    # When laid out on A4 65-up sheets / Then the PDF has ceil((count + skip) / 65) pages
    reader = PdfReader(io.BytesIO(render_sheet(labels, skip=skip)))
    assert len(reader.pages) == pages == math.ceil((count + skip) / L7651.per_page)


@cache
def _sheet_labels() -> tuple[PreparedLabel, ...]:
    signer = example_signer()
    return tuple(prepare_label(c, signer, EXAMPLE_BASE_URL, L7651.stock) for c in fill_run(100))


def test_r_id_2_pdf_sheet_text_is_readable_and_every_qr_decodes() -> None:
    # Given a sheet PDF of 100 vial labels
    labels = _sheet_labels()
    reader = PdfReader(io.BytesIO(render_sheet(labels)))
    # When a PDF reader extracts each page's text
    for page_number, on_page in enumerate((labels[:65], labels[65:])):
        text = reader.pages[page_number].extract_text()
        # Then every label on that page shows each of its lines, the code first
        lines = text.splitlines()
        for label in on_page:
            start = lines.index(str(label.content.code))
            printed = [line.text for line in label.layout.lines]
            assert lines[start : start + len(printed)] == printed
    # And the vector QR codes of page 2, painted, all decode to their signed texts
    rects, width, height = pdf_rects(reader, 1)
    decoded = _decode(raster(rects, width, height, 4))
    assert sorted(r.text for r in decoded) == sorted(label.symbol.text for label in labels[65:])


def test_r_id_2_single_label_pdf_page_is_the_label_size() -> None:
    label = _label("harvest_container")
    reader = PdfReader(io.BytesIO(render_pdf([label])))
    page = reader.pages[0]
    stock = label.layout.stock
    assert float(page.mediabox.width) == pytest.approx(stock.width_mm * PT_PER_MM, abs=0.01)
    assert float(page.mediabox.height) == pytest.approx(stock.height_mm * PT_PER_MM, abs=0.01)
    assert "HRV-F01-26-000004-M" in (page.extract_text() or "")
    rects, width, height = pdf_rects(reader, 0)
    assert [r.text for r in _decode(raster(rects, width, height, 8))] == [label.symbol.text]


def test_r_id_2_pdf_sheet_refuses_labels_laid_out_for_another_stock() -> None:
    with pytest.raises(LabelLayoutError, match=r"stock=sheet\.stock"):
        render_sheet([_label("product_vial")])


def _zpl_numbers(zpl: str, command: str) -> list[list[int]]:
    return [[int(n) for n in m.split(",")] for m in re.findall(rf"\^{command}([\d,]+)", zpl)]


def test_r_id_2_zpl_is_structurally_valid_at_203_and_300_dpi() -> None:
    label = _label("product_vial")
    zpl = {dpi: render_zpl(label, dpi) for dpi in (203, 300)}
    for text in zpl.values():
        # Then each is one label ^XA ... ^XZ, UTF-8, with the QR text behind ^FDMA,
        assert text.startswith("^XA\n") and text.endswith("^XZ\n")
        assert text.count("^XA") == text.count("^XZ") == 1
        assert "^CI28" in text
        assert f"^FDMA,{label.symbol.text}^FS" in text
        assert text.count("^FS") == text.count("^FO") == len(label.layout.lines) + 1
        assert text.isascii()
    # And sizes scale by the printers' dots per mm: 8 at 203 dpi, 12 at 300 dpi
    assert "^PW304\n^LL152" in zpl[203] and "^PW456\n^LL228" in zpl[300]
    assert "^BQN,2,2,M^FDMA," in zpl[203] and "^BQN,2,3,M^FDMA," in zpl[300]
    fonts = {dpi: _zpl_numbers(text, "A0N,") for dpi, text in zpl.items()}
    assert len(fonts[203]) == len(fonts[300]) == len(label.layout.lines)
    for low, high in zip(fonts[203], fonts[300], strict=True):
        assert abs(high[0] - low[0] * 1.5) <= 1
    origins = {dpi: _zpl_numbers(text, "FO") for dpi, text in zpl.items()}
    for low, high in zip(origins[203][1:], origins[300][1:], strict=True):
        assert all(abs(h - lo * 1.5) <= 1.5 for lo, h in zip(low, high, strict=True))


def test_r_id_2_zpl_escapes_command_characters_and_non_ascii() -> None:
    # Given text with ZPL's command prefixes, its hex indicator and non-ASCII characters
    # When escaped for ^FH / Then they become UTF-8 hex bytes and the rest stays readable
    assert escape_field("a^b~c_d") == "a_5Eb_7Ec_5Fd"
    assert escape_field("-150 °C") == "-150 _C2_B0C"
    assert escape_field("仅") == "_E4_BB_85"
    with pytest.raises(LabelLayoutError):
        escape_field("bell\x07")


def test_r_id_2_zpl_needs_a_printer_font_for_chinese() -> None:
    label = prepare_label(
        example_labels()["shipment_container"],
        example_signer(),
        EXAMPLE_BASE_URL,
        None,
        Language.ZH,
    )
    with pytest.raises(LabelLayoutError, match="font"):
        render_zpl(label)
    zpl = render_zpl(label, 300, font="E:SIMSUN.TTF")
    assert "^A@N," in zpl and ",E:SIMSUN.TTF^FH^FD" in zpl
    with pytest.raises(LabelLayoutError):
        render_zpl(label, 300, font="SIMSUN")
    with pytest.raises(LabelLayoutError, match="203, 300 or 600"):
        render_zpl(label, 400)
