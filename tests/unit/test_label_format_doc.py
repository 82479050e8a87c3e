"""R-ID-2: the worked example in docs/label-format.md verifies and is reproduced from the doc."""

from __future__ import annotations

import base64
from datetime import date
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from label_printing.examples import example_labels
from label_printing.payload import qr_text, verify_scan
from label_printing.qr import make_qr
from ledger.integrity.note import Signer, Verifier

DOC = Path(__file__).resolve().parents[2] / "docs" / "label-format.md"


def _example() -> dict[str, str]:
    text = DOC.read_text(encoding="utf-8")
    block = text.split("## Worked example", 1)[1].split("```", 2)[1]
    fields = {}
    for line in block.strip().splitlines():
        key, _, value = line.partition(": ")
        fields[key] = value
    return fields


def test_r_id_2_worked_example_in_label_format_doc_verifies_offline() -> None:
    # Given the QR text and the verifier key written in the document
    doc = _example()
    # When the QR text is verified with nothing but the documented key
    verified = verify_scan(doc["QR text"], [doc["verifier key"]], base_url=doc["base URL"])
    # Then the documented fields come back
    assert str(verified.code) == doc["code"]
    assert verified.item_type.prefix == doc["type"]
    assert str(verified.lot) == doc["lot"]
    assert verified.expiry == date(2026, 12, 31) and doc["expiry"] == "20261231"
    assert str(verified.autologous) == doc["autologous"]
    # And the documented message, signature and symbol are those of the QR text
    message = bytes.fromhex(doc["signed message (hex)"])
    assert verified.fields.message() == message
    assert verified.key.verify(message, bytes.fromhex(doc["signature (hex)"]))
    signature_b32 = doc["QR text"].rsplit(".", 1)[1]
    signature = base64.b32decode(signature_b32 + "=" * (-len(signature_b32) % 8))
    assert signature.hex() == doc["signature (hex)"]
    symbol = make_qr(doc["QR text"])
    assert str(symbol.version) == doc["QR version"] and doc["error correction"] == "M"


def test_r_id_2_worked_example_is_reproduced_from_the_documented_seed() -> None:
    # Given the documented seed and key name
    doc = _example()
    name = doc["verifier key"].split("+", 1)[0]
    signer = Signer(Ed25519PrivateKey.from_private_bytes(bytes.fromhex(doc["seed (hex)"])), name)
    # When the example product vial is signed again
    text = qr_text(example_labels()["product_vial"], signer, doc["base URL"])
    # Then the key and the QR text are byte-for-byte those of the document
    assert signer.verifier() == Verifier.from_key_string(doc["verifier key"])
    assert text == doc["QR text"]
