"""Staff badges (R-ID-2, R-ACC-4): what a badge says, and that only the signed QR code of a
CellTrace badge names who signs in; an item's label, an unsigned link or an altered badge are
refused, and a badge carries no password or token."""

from __future__ import annotations

import pytest

from label_printing import stages
from label_printing.badge import BadgeError, is_scan, verify_badge
from label_printing.examples import (
    EXAMPLE_BASE_URL,
    code,
    example_labels,
    example_signer,
)
from label_printing.payload import qr_text
from ledger.identifiers import ItemType
from ledger.integrity.note import Signer

PERSON = code(ItemType.PERSON, 4)


def _trusted() -> list[str]:
    return [example_signer().verifier().key_string()]


def test_r_id_2_a_badge_shows_code_name_and_roles_and_signs_only_the_code() -> None:
    badge = example_labels()["person_badge"]
    # Then its lines are the code, the printed name, what it is for and the roles
    assert badge.lines() == (
        PERSON,
        "Chen Jing",
        "Staff badge: scan to sign in",
        "operator, QA",
        "CellTrace GMP Facility F01",
    )
    # And its QR text is the person's link with a signed payload: no lot, expiry or password
    text = qr_text(badge, example_signer(), EXAMPLE_BASE_URL)
    assert text.startswith(f"{EXAMPLE_BASE_URL}/v/{PERSON}#CT1.")
    assert ".." in text and "Chen" not in text


def test_r_id_2_a_badge_without_a_name_on_record_shows_its_roles_instead() -> None:
    roles = ["qc_analyst", "qp", "administrator", "investigator", "pharmacist", "auditor"]
    badge = stages.person_badge(PERSON, name=None, roles=roles, facility="F01")
    assert badge.lines()[1] == "QC analyst, QP, administrator, investigator, pharmacist"
    assert badge.lines()[3] == "auditor"


def test_r_acc_4_a_verified_badge_names_its_person() -> None:
    text = qr_text(example_labels()["person_badge"], example_signer(), EXAMPLE_BASE_URL)
    assert is_scan(text) and not is_scan(PERSON)
    assert str(verify_badge(text, _trusted())) == PERSON
    # a scanner with Caps Lock on still reads the same badge
    assert str(verify_badge(text.upper(), _trusted())) == PERSON


@pytest.mark.parametrize(
    ("scanned", "problem"),
    [
        ("altered", "does not verify"),
        ("unsigned", "does not verify"),
        ("other key", "does not verify"),
        ("item label", "not a staff badge"),
    ],
)
def test_r_id_2_a_scan_that_is_not_a_signed_badge_is_refused(scanned: str, problem: str) -> None:
    badge = qr_text(example_labels()["person_badge"], example_signer(), EXAMPLE_BASE_URL)
    # a patient's wristband: signed like a badge, with no lot, expiry or autologous code
    band = qr_text(example_labels()["patient_wristband"], example_signer(), EXAMPLE_BASE_URL)
    text = {
        "altered": badge.replace(PERSON, code(ItemType.PERSON, 5)),
        "unsigned": f"{EXAMPLE_BASE_URL}/v/{PERSON}",
        "other key": badge,
        "item label": band,
    }[scanned]
    keys = [Signer.generate("another.example/ledger/labels").verifier()]
    with pytest.raises(BadgeError) as refused:
        verify_badge(text, keys if scanned == "other key" else _trusted())
    assert refused.value.detail.startswith("R-ID-2: ") and problem in refused.value.detail
