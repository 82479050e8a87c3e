"""A staff badge's QR code: the person's page link with a signed payload, exactly as an item
label's (``<base URL>/v/PER-...#CT1....``, docs/label-format.md), signed with the label key and
with no lot, expiry or autologous code. It says who is signing in; it holds no password or
token, so a badge alone signs nobody in (R-ID-2, R-ACC-4).
"""

from __future__ import annotations

from collections.abc import Iterable

from label_printing.errors import LabelScanError
from label_printing.payload import verify_scan
from ledger.errors import InvalidInput
from ledger.identifiers import ItemCode, ItemType
from ledger.integrity.note import Verifier
from ledger.messages import Sentence


class BadgeError(LabelScanError):
    """A scanned badge is not a CellTrace staff badge, or does not verify."""


def is_scan(text: str) -> bool:
    """Whether sign-in text was scanned from a QR code (a link) rather than typed as a code."""
    return "/" in text or "#" in text


def verify_badge(text: str, trusted_keys: Iterable[Verifier | str]) -> ItemCode:
    """The person code of a scanned staff badge whose signature verifies, or BadgeError: an
    item's label, an unsigned link, an unknown key, a damaged or altered payload are refused."""
    try:
        label = verify_scan(text, trusted_keys)
    except InvalidInput:  # not a label, unknown key, bad signature, misread code
        raise BadgeError(
            Sentence(
                "this badge's QR code does not verify: it was altered, damaged or not printed "
                "by this CellTrace; type your person code instead and hand the badge to QA"
            )
        ) from None
    if label.item_type is not ItemType.PERSON or label.lot or label.expiry or label.autologous:
        raise BadgeError(
            Sentence(
                "{code} is the label of an item ({kind:term}), not a staff badge; scan your own "
                "badge or type your person code",
                code=str(label.code),
                kind=label.item_type.label,
            )
        )
    return label.code
