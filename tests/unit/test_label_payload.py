"""R-ID-2: the signed QR payload of labels, its byte-exact encoding and offline verification."""

from __future__ import annotations

import base64
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from Crypto.Signature import eddsa
from hypothesis import given, settings
from hypothesis import strategies as st

from label_printing.content import LabelContent
from label_printing.errors import LabelContentError
from label_printing.examples import EXAMPLE_BASE_URL, example_labels, example_signer
from label_printing.payload import LabelFields, decode_expiry, encode_expiry, qr_text, verify_scan
from ledger.identifiers import ItemCode, ItemType
from ledger.integrity.note import Signer

# Known answers, written out rather than computed: the example key is Ed25519 with seed
# 00 01 02 ... 1f (RFC 8032 signatures are deterministic), named celltrace.example/ledger/labels.
EXAMPLE_VKEY = (
    "celltrace.example/ledger/labels+46bde6f5+AQOhB7/zzhC+HXDdGOdLwJln5NYwm6UNXx3chmQSVTG4"
)
PRODUCT_VIAL_MESSAGE = (
    b"celltrace-label/1\ncode=PVL-F01-26-000042-7\ntype=PVL\nlot=LOT-F01-26-000003-1\n"
    b"expiry=20261231\nautologous=PAT-F01-26-000007-9\n"
)
PRODUCT_VIAL_QR = (
    "https://celltrace.example/v/PVL-F01-26-000042-7#CT1.46BDE6F5.LOT-F01-26-000003-1.20261231."
    "PAT-F01-26-000007-9.JCJ2RHNN3K3LAFUSNQH2F3I4XC4Z3HXCF5V26SPPFPNNGSQJCTSV54TJVVTF3DJN534YBEV"
    "GSPV3INQWHUVKCTJZONGIIHRR5O552AY"
)
HARVEST_MESSAGE = (
    b"celltrace-label/1\ncode=HRV-F01-26-000004-M\ntype=HRV\nlot=LOT-F01-26-000003-1\n"
    b"expiry=20260314T1030Z\nautologous=DON-F01-26-000005-N\n"
)
WRISTBAND_QR = (
    "https://celltrace.example/v/PAT-F01-26-000007-9#CT1.46BDE6F5....2F5AGVSVOKLYQ4DZYRK6SH233YQMW"
    "5Z577W2E3KERX5Q4KM2FI767DGGYQ5FVNR4ISITWNP7DRV4FGIW4TNCKA2XDVNAZU6Y7NF3QCA"
)


def _example(name: str) -> LabelContent:
    return example_labels()[name]


def test_r_id_2_example_key_string_known_answer() -> None:
    # Given the example label key / When its C2SP verifier key is written / Then it is fixed
    assert example_signer().verifier().key_string() == EXAMPLE_VKEY


def test_r_id_2_signed_message_known_answers() -> None:
    # Given the example product vial and harvest (a date-time expiry, +08:00)
    # When their signed bytes are built / Then they match the documented encoding exactly
    assert LabelFields.of(_example("product_vial")).message() == PRODUCT_VIAL_MESSAGE
    assert LabelFields.of(_example("harvest_container")).message() == HARVEST_MESSAGE


def test_r_id_2_qr_text_known_answers() -> None:
    # Given the example key / When the QR text of two labels is made / Then it is byte-exact
    signer = example_signer()
    assert qr_text(_example("product_vial"), signer, EXAMPLE_BASE_URL) == PRODUCT_VIAL_QR
    assert qr_text(_example("patient_wristband"), signer, EXAMPLE_BASE_URL + "/") == WRISTBAND_QR


def test_r_id_2_example_signature_verifies_with_an_independent_ed25519() -> None:
    # Given the known-answer QR text, decoded with the standard library only
    signature_b32 = PRODUCT_VIAL_QR.rsplit(".", 1)[1]
    signature = base64.b32decode(signature_b32 + "=" * (-len(signature_b32) % 8))
    public_key = base64.b64decode(EXAMPLE_VKEY.split("+", 2)[2])[1:]
    # When pycryptodome (not the code under test) verifies it over the documented bytes
    verifier = eddsa.new(eddsa.import_public_key(public_key), "rfc8032")
    # Then it verifies, and fails for any other message
    verifier.verify(PRODUCT_VIAL_MESSAGE, signature)
    with pytest.raises(ValueError):
        verifier.verify(PRODUCT_VIAL_MESSAGE.replace(b"20261231", b"20271231"), signature)


@pytest.mark.parametrize("name", sorted(example_labels()))
def test_r_id_2_payload_round_trips_for_every_stage(name: str) -> None:
    # Given a label of each stage signed with the example key
    content = _example(name)
    text = qr_text(content, example_signer(), EXAMPLE_BASE_URL)
    # When its QR text is verified offline against the published key string
    verified = verify_scan(text, [EXAMPLE_VKEY], base_url=EXAMPLE_BASE_URL)
    # Then the signed fields come back unchanged, with the item's page link
    assert verified.fields == LabelFields.of(content)
    assert verified.item_type is content.code.item_type
    assert verified.link == f"{EXAMPLE_BASE_URL}/v/{content.code}"
    assert verified.key.key_string() == EXAMPLE_VKEY


_SIGNER = Signer.generate("test.example/labels")


@settings(max_examples=60, deadline=None)
@given(
    serial=st.integers(0, 10**9),
    lot=st.none() | st.integers(0, 999999),
    expiry=st.none() | st.dates(date(2000, 1, 1), date(2099, 12, 31)),
    minutes=st.none() | st.integers(0, 24 * 60 - 1),
    offset=st.integers(-12, 14),
    recipient=st.none() | st.integers(0, 10**7),
)
def test_r_id_2_payload_round_trips_for_any_fields(
    serial: int,
    lot: int | None,
    expiry: date | None,
    minutes: int | None,
    offset: int,
    recipient: int | None,
) -> None:
    # Given any code, lot, date or date-time expiry and recipient
    when: date | datetime | None = expiry
    if expiry is not None and minutes is not None:
        tz = timezone(timedelta(hours=offset))
        when = datetime(expiry.year, expiry.month, expiry.day, tzinfo=tz) + timedelta(
            minutes=minutes
        )
    fields = LabelFields(
        ItemCode.issue(ItemType.PRODUCT_VIAL, "F01", 26, serial),
        None if lot is None else ItemCode.issue(ItemType.PRODUCT_LOT, "F1", 1, lot),
        when,
        None if recipient is None else ItemCode.issue(ItemType.PATIENT, "AB9", 99, recipient),
    )
    # When it is signed and verified / Then the same fields come back
    verified = verify_scan(qr_text(fields, _SIGNER, "http://localhost:8000"), [_SIGNER.verifier()])
    assert verified.fields == fields


def test_r_id_2_expiry_encoding_known_answers_and_round_trip() -> None:
    # Given a date, and a date-time in UTC+8
    local = datetime(2026, 3, 14, 18, 30, tzinfo=timezone(timedelta(hours=8)))
    # When encoded / Then dates are YYYYMMDD and date-times YYYYMMDDTHHMMZ in UTC
    assert encode_expiry(date(2026, 12, 31)) == "20261231"
    assert encode_expiry(local) == "20260314T1030Z"
    assert encode_expiry(None) == ""
    # And decoding gives the same date or instant back
    assert decode_expiry("20261231") == date(2026, 12, 31)
    assert decode_expiry("20260314T1030Z") == local
    assert decode_expiry("20260314T1030Z") == datetime(2026, 3, 14, 10, 30, tzinfo=UTC)
    assert decode_expiry("") is None


@pytest.mark.parametrize("text", ["2026123", "20261301", "20260314T1030", "20260314T2430Z", "x"])
def test_r_id_2_expiry_decoding_refuses_other_spellings(text: str) -> None:
    with pytest.raises(ValueError):
        decode_expiry(text)


def test_r_id_2_expiry_must_be_aware_and_whole_minutes() -> None:
    # Given expiries a label cannot sign unambiguously / Then they are refused, saying why
    with pytest.raises(LabelContentError, match="time zone"):
        encode_expiry(datetime(2026, 1, 1, 12, 0))
    with pytest.raises(LabelContentError, match="whole minute"):
        encode_expiry(datetime(2026, 1, 1, 12, 0, 30, tzinfo=UTC))
