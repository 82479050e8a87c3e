"""R-ID-2: verify_scan refuses whatever is not a genuine, intact label, each with a clear error."""

from __future__ import annotations

import base64

import pytest

from label_printing.errors import (
    LabelScanError,
    LabelSignatureError,
    NotALabelError,
    UnknownLabelKeyError,
)
from label_printing.examples import EXAMPLE_BASE_URL, example_labels, example_signer
from label_printing.payload import qr_text, verify_scan
from ledger.errors import InvalidInput
from ledger.identifiers import CodeProblem, InvalidCodeError
from ledger.integrity.note import Signer

DIGITS = "0123456789"
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _genuine() -> str:
    return qr_text(example_labels()["product_vial"], example_signer(), EXAMPLE_BASE_URL)


def _trusted() -> list[str]:
    return [example_signer().verifier().key_string()]


def _replace(text: str, index: int) -> str:
    """The text with one character swapped for another of the same kind (digit, letter)."""
    char = text[index]
    pool = DIGITS if char in DIGITS else LETTERS if char in LETTERS else "-."
    other = next(c for c in pool if c != char)
    return text[:index] + other + text[index + 1 :]


def _field_index(text: str, field: int) -> int:
    """Index of the first character of field ``field`` (0 = CT1) of the compact payload."""
    fragment_start = text.index("#") + 1
    fields = text[fragment_start:].split(".")
    return fragment_start + sum(len(f) + 1 for f in fields[:field])


def test_r_id_2_genuine_label_verifies() -> None:
    # Given a genuine label / When scanned / Then it verifies
    assert str(verify_scan(_genuine(), _trusted()).code) == "PVL-F01-26-000042-7"


@pytest.mark.parametrize(
    "scanned",
    [
        "https://celltrace.example/v/PVL-F01-26-000042-7",
        "PVL-F01-26-000042-7",
        "https://example.org/some/page#section",
        "WIFI:S:lab;T:WPA;P:secret;;",
        "",
        "https://celltrace.example/v/PVL-F01-26-000042-7#CT2.46BDE6F5....AAAA",
    ],
)
def test_r_id_2_text_that_is_not_a_signed_label_is_not_our_format(scanned: str) -> None:
    # Given scanned text without a CT1 payload / When verified
    with pytest.raises(NotALabelError) as refused:
        verify_scan(scanned, _trusted())
    # Then the error is an InvalidInput under R-ID-2 that says what to scan instead
    assert isinstance(refused.value, InvalidInput)
    assert refused.value.rule == "R-ID-2"
    assert "scan the QR code" in str(refused.value)


def test_r_id_2_changed_expiry_character_is_rejected_as_tampered() -> None:
    # Given a genuine label whose expiry was moved by one digit (2026-12-31 -> 2026-12-30)
    text = _genuine().replace(".20261231.", ".20261230.")
    # When verified / Then the signature fails and the message says to quarantine the item
    with pytest.raises(LabelSignatureError, match="quarantine"):
        verify_scan(text, _trusted())


def test_r_id_2_changed_signature_character_is_rejected_as_tampered() -> None:
    text = _genuine()
    for index in (_field_index(text, 5), len(text) - 20, len(text) - 1):
        with pytest.raises(LabelSignatureError):
            verify_scan(_replace(text, index), _trusted())


def test_r_id_2_changed_key_id_character_is_rejected_as_unknown_key() -> None:
    # Given the key ID field altered by one character / When verified / Then: unknown key
    text = _genuine()
    altered = _replace(text, _field_index(text, 1))
    with pytest.raises(UnknownLabelKeyError, match="not a trusted key"):
        verify_scan(altered, _trusted())


def test_r_id_2_label_signed_by_another_key_is_an_unknown_key() -> None:
    # Given a label signed by a key the scanner does not trust
    forged = qr_text(
        example_labels()["product_vial"], Signer.generate("x/labels"), EXAMPLE_BASE_URL
    )
    # When verified / Then it is refused as signed by an unknown key
    with pytest.raises(UnknownLabelKeyError):
        verify_scan(forged, _trusted())


def test_r_id_2_wrong_check_character_surfaces_the_r_id_1_refusal() -> None:
    # Given the item code's check character misread (7 -> 8)
    text = _genuine().replace("000042-7#", "000042-8#")
    # When verified / Then parse_code's R-ID-1 refusal surfaces, before any key is looked at
    with pytest.raises(InvalidCodeError) as refused:
        verify_scan(text, [])
    assert refused.value.problem is CodeProblem.CHECK_MISMATCH
    assert refused.value.rule == "R-ID-1"


def test_r_id_2_every_single_character_change_after_the_host_is_rejected() -> None:
    # Given the genuine QR text
    text = _genuine()
    start = text.index("/v/") + 3
    # When any one character of the code or of the payload is replaced
    for index in range(start, len(text)):
        altered = _replace(text, index)
        # Then the scan is refused (R-ID-1 for the code, R-ID-2 for the payload)
        with pytest.raises(InvalidInput):
            verify_scan(altered, _trusted())


def test_r_id_2_malformed_payload_is_refused_as_damaged() -> None:
    text = _genuine()
    for damaged in (text[:-1], text + "A", text.replace(".20261231.", ".2026-12-31.")):
        with pytest.raises(LabelSignatureError, match="damaged"):
            verify_scan(damaged, _trusted())


def test_r_id_2_scan_with_caps_lock_still_verifies() -> None:
    # Given a keyboard-wedge scanner that inverted the case of every letter
    inverted = _genuine().swapcase()
    # When verified / Then the label is still genuine
    assert str(verify_scan(inverted, _trusted()).code) == "PVL-F01-26-000042-7"


def test_r_id_2_expected_base_url_refuses_links_to_another_host() -> None:
    # Given a genuine payload copied behind another web address
    moved = _genuine().replace(EXAMPLE_BASE_URL, "https://celltrace.example.evil")
    # When verified without a base URL it verifies (the host is not signed) ...
    verify_scan(moved, _trusted())
    # ... but a scanner that knows its deployment refuses it
    with pytest.raises(LabelScanError, match="not printed by this CellTrace"):
        verify_scan(moved, _trusted(), base_url=EXAMPLE_BASE_URL)
    verify_scan(_genuine(), _trusted(), base_url=EXAMPLE_BASE_URL + "/")


def test_r_id_2_validly_signed_but_malformed_fields_are_refused() -> None:
    # Given a payload whose lot field is not an item code, yet signed by the trusted key
    # (a key misused outside CellTrace)
    signer = example_signer()
    code = "PVL-F01-26-000042-7"
    message = (
        f"celltrace-label/1\ncode={code}\ntype=PVL\nlot=LOT-1\nexpiry=\nautologous=\n"
    ).encode()
    signature = base64.b32encode(signer.sign(message)).decode().rstrip("=")
    text = f"{EXAMPLE_BASE_URL}/v/{code}#CT1.{signer.key_id.hex().upper()}.LOT-1...{signature}"
    # When verified / Then it is refused rather than returned half-parsed
    with pytest.raises(LabelSignatureError, match="malformed"):
        verify_scan(text, _trusted())
