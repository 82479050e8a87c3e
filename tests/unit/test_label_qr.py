"""R-ID-2: the QR version is looked up without building the symbol, and equals the version
`qrcode` fits; the modules drawn at that version decode with a real decoder."""

from __future__ import annotations

import qrcode
import zxingcpp
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageOps
from qrcode.constants import ERROR_CORRECT_M

from label_printing.examples import EXAMPLE_BASE_URL, example_labels, example_signer
from label_printing.payload import qr_text
from label_printing.qr import QrSymbol, _qrcode_pixels, make_qr, qr_version
from label_printing.render import prepare_label
from label_printing.zpl import render_zpl

LONG_BASE = "https://celltrace-labels.hospital-network.example.org"  # 52 characters
# The characters of label links (upper-case payload, lower-case host) and a few beyond them
TEXT = st.text(alphabet="ABCXYZ0123456789 $%*+-./:#abcxyz_~é", max_size=1200)


def _fitted(text: str) -> int:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0)
    code.add_data(text)
    return int(code.best_fit())


def _decode(pixels: bytes, symbol: QrSymbol) -> list[zxingcpp.Result]:
    n = symbol.size
    image = Image.frombytes("L", (n, n), pixels).resize((4 * n, 4 * n), Image.Resampling.NEAREST)
    return list(zxingcpp.read_barcodes(ImageOps.expand(image, 16, 255)))


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_r_id_2_qr_version_lookup_equals_the_version_qrcode_fits(text: str) -> None:
    # Given any text of label characters / When its version is looked up from its segments
    # Then it is the smallest version qrcode fits it in at level M
    assert qr_version(text) == _fitted(text)


def test_r_id_2_qr_version_lookup_is_exact_at_every_version_boundary() -> None:
    # Given texts of every length up to version 9-15 in each mode: numeric, alphanumeric, byte,
    # and a label link (lower-case host, upper-case payload)
    for length in range(1, 420):
        payload = ("0123456789" * 70, "ABC-./9:$" * 80, "abcdefgh" * 90, "HTTPS://X.Y/V/" * 50)
        link = "https://ct.example/v/PVL-" + payload[1][: max(0, length - 25)]
        for text in (*(p[:length] for p in payload), link):
            # When its version is looked up / Then it is the version qrcode fits
            assert qr_version(text) == _fitted(text), (length, text)


def test_r_id_2_modules_drawn_at_the_looked_up_version_decode() -> None:
    # Given the QR texts of every example label, with a short and a long base URL (v8 to v10)
    key = example_signer()
    texts = [
        qr_text(content, key, base)
        for content in example_labels().values()
        for base in (EXAMPLE_BASE_URL, LONG_BASE)
    ]
    assert {make_qr(t).version for t in texts} >= {8, 10}
    for text in texts:
        symbol = make_qr(text)
        # When its modules are drawn, by zxing-cpp and by the qrcode fallback
        for pixels in (symbol.dark, _qrcode_pixels(text, symbol.version)):
            # Then a real decoder reads the text back at the looked-up version, level M
            results = _decode(pixels, symbol)
            assert [r.text for r in results] == [text]
            assert int(results[0].extra["Version"]) == symbol.version
            assert results[0].ec_level == "M"


def test_r_id_2_zpl_label_never_builds_the_qr_matrix() -> None:
    # Given a prepared label / When rendered as ZPL (the printer draws the symbol)
    label = prepare_label(example_labels()["product_vial"], example_signer(), EXAMPLE_BASE_URL)
    render_zpl(label)
    # Then no module was computed
    assert "dark" not in vars(label.symbol) and "modules" not in vars(label.symbol)
