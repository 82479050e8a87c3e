"""Label content per item type and stage, with the statements each one carries (R-ID-2, R-ID-3).

Material of human origin carries the biohazard statement; autologous material carries "For
autologous use only" and its donor or recipient code. :func:`blinded_product_vial` takes no arm
and no per-vial fact other than the code, so both arms of a lot get identical labels (R-ID-3).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from label_printing import phrases
from label_printing.content import (
    AUTOLOGOUS_CODE_TYPES,
    MAX_TEXT,
    Expiry,
    LabelContent,
    LabelKind,
)
from label_printing.phrases import Phrase
from ledger.identifiers import ItemCode, ItemType, parse_code

Code = str | ItemCode
"""An item code as printed or typed, or already parsed."""

Storage = Phrase | str

_MATERIAL = (phrases.CLINICAL_RESEARCH_ONLY, phrases.HUMAN_ORIGIN)
_BANKS = (ItemType.SEED_BANK, ItemType.MASTER_CELL_BANK, ItemType.WORKING_CELL_BANK)
_BATCHES = (ItemType.PRODUCT_LOT, *_BANKS, ItemType.CULTURE, ItemType.HARVEST)
_LOT_TYPES: dict[LabelKind, tuple[ItemType, ...]] = {
    LabelKind.BANK_VIAL: _BANKS,
    LabelKind.CULTURE_VESSEL: _BATCHES,
    LabelKind.HARVEST_CONTAINER: _BATCHES,
    LabelKind.PRODUCT_VIAL: (ItemType.PRODUCT_LOT,),
    LabelKind.SHIPMENT_CONTAINER: (ItemType.PRODUCT_LOT,),
}
# Intermediates name the donor; what goes to a patient names the recipient.
_AUTOLOGOUS_TYPES: dict[LabelKind, tuple[ItemType, ...]] = {
    **dict.fromkeys(_LOT_TYPES, AUTOLOGOUS_CODE_TYPES),
    LabelKind.PRODUCT_VIAL: (ItemType.PATIENT,),
    LabelKind.SHIPMENT_CONTAINER: (ItemType.PATIENT,),
}


def bank_vial(
    code: Code,
    *,
    cell_line: str,
    bank: Code,
    facility: str,
    storage: Storage = phrases.LN2_VAPOUR,
    expiry: Expiry | None = None,
    autologous_donor: Code | None = None,
) -> LabelContent:
    """A cryovial of a seed, master or working cell bank; ``bank`` is printed as its lot."""
    kind = LabelKind.BANK_VIAL
    return _material(kind, code, cell_line, facility, bank, expiry, storage, autologous_donor)


def culture_vessel(
    code: Code,
    *,
    product: str,
    lot: Code,
    facility: str,
    storage: Storage = phrases.INCUBATE,
    expiry: Expiry | None = None,
    autologous_donor: Code | None = None,
    details: Sequence[str] = (),
) -> LabelContent:
    """A flask, bag or bioreactor of a culture; ``details`` e.g. the passage number."""
    kind, donor = LabelKind.CULTURE_VESSEL, autologous_donor
    return _material(kind, code, product, facility, lot, expiry, storage, donor, details=details)


def harvest_container(
    code: Code,
    *,
    product: str,
    lot: Code,
    facility: str,
    expiry: Expiry | None,
    storage: Storage = phrases.REFRIGERATED,
    autologous_donor: Code | None = None,
) -> LabelContent:
    """The container holding a harvest until fill; its expiry is the end of its hold time."""
    kind = LabelKind.HARVEST_CONTAINER
    return _material(kind, code, product, facility, lot, expiry, storage, autologous_donor)


def product_vial(
    code: Code,
    *,
    product: str,
    lot: Code,
    expiry: Expiry,
    facility: str,
    storage: Storage = phrases.LN2_VAPOUR,
    recipient: Code | None = None,
) -> LabelContent:
    """A final product vial of an open-label study (or of an unblinded supply)."""
    kind = LabelKind.PRODUCT_VIAL
    return _material(kind, code, product, facility, lot, expiry, storage, recipient)


def blinded_product_vial(
    code: Code,
    *,
    study_product: str,
    lot: Code | None,
    expiry: Expiry,
    facility: str,
    storage: Storage = phrases.LN2_VAPOUR,
    recipient: Code | None = None,
) -> LabelContent:
    """A product vial of a blinded study; the same for the active and the placebo arm (R-ID-3).

    ``study_product`` is the study's blinded product name (e.g. "CT-101 or placebo"), and
    ``lot`` / ``expiry`` / ``storage`` are the lot's, never a vial's own. When the arms come
    from different manufacturing lots, pass ``lot=None``: a lot number would group the vials
    by arm. Placebo vials carry the biohazard statement too, so that it cannot tell the arms
    apart.
    """
    kind, name = LabelKind.PRODUCT_VIAL, study_product
    return _material(kind, code, name, facility, lot, expiry, storage, recipient, blinded=True)


def shipment_container(
    code: Code,
    *,
    contents: str,
    facility: str,
    destination: str,
    lot: Code | None = None,
    expiry: Expiry | None = None,
    storage: Storage = phrases.DRY_SHIPPER,
    recipient: Code | None = None,
) -> LabelContent:
    """A shipping container (dry shipper, box); ``expiry`` is the earliest of its contents."""
    kind, extra = LabelKind.SHIPMENT_CONTAINER, (*_MATERIAL, phrases.DO_NOT_IRRADIATE)
    to = (f"To: {destination}",)
    return _material(kind, code, contents, facility, lot, expiry, storage, recipient, extra, to)


def person_badge(
    code: Code, *, name: str | None, roles: Sequence[str], facility: str
) -> LabelContent:
    """A staff member's badge: person code, printed name (when on record) and roles. Its QR is
    signed like an item label's and fills in who signs in at a station; it carries no password
    or token, so the badge alone signs nobody in."""
    words = [_role_words(role) for role in roles] or ["no role"]
    lines: list[str] = []
    for word in words:  # one line of up to 60 characters per few roles
        if lines and len(lines[-1]) + len(word) + 2 <= MAX_TEXT:
            lines[-1] += f", {word}"
        else:
            lines.append(word)
    return LabelContent(
        LabelKind.PERSON_BADGE,
        _code(code, ItemType.PERSON),
        name or lines.pop(0),
        facility,
        statements=(phrases.STAFF_BADGE,),
        details=tuple(lines),
    )


def _role_words(role: str) -> str:
    """``qc_analyst`` -> ``QC analyst``: the abbreviations QA, QP and QC in capitals."""
    first, _, rest = role.replace("_", " ").partition(" ")
    first = first.upper() if first in ("qa", "qp", "qc") else first
    return f"{first} {rest}".strip()


def patient_wristband(code: Code, *, study: str, site: str) -> LabelContent:
    """A study participant's wristband: pseudonymous code, study and site, never a name."""
    return LabelContent(
        LabelKind.PATIENT_WRISTBAND,
        _code(code, ItemType.PATIENT),
        study,
        site,
        statements=(phrases.TRIAL_PARTICIPANT, phrases.MATCH_RECIPIENT),
    )


def generic_label(
    code: Code,
    *,
    product: str,
    facility: str,
    lot: Code | None = None,
    expiry: Expiry | None = None,
    storage: Storage | None = None,
    human_origin: bool = False,
) -> LabelContent:
    """Any other item (donor sample, material lot, cell portion, ...)."""
    statements = _MATERIAL if human_origin else (phrases.CLINICAL_RESEARCH_ONLY,)
    return LabelContent(
        LabelKind.GENERIC,
        _code(code),
        product,
        facility,
        lot=_optional(lot),
        expiry=expiry,
        storage=storage,
        statements=statements,
    )


def _material(
    kind: LabelKind,
    code: Code,
    product: str,
    facility: str,
    lot: Code | None,
    expiry: Expiry | None,
    storage: Storage,
    autologous: Code | None,
    statements: tuple[Phrase, ...] = _MATERIAL,
    details: Sequence[str] = (),
    *,
    blinded: bool = False,
) -> LabelContent:
    """Label content of material of human origin, checking the lot and autologous code types."""
    return LabelContent(
        kind,
        _code(code, kind.item_type),
        product,
        facility,
        lot=_optional(lot, _LOT_TYPES[kind]),
        expiry=expiry,
        storage=storage,
        autologous=_optional(autologous, _AUTOLOGOUS_TYPES[kind]),
        statements=statements,
        details=tuple(details),
        blinded=blinded,
    )


def _code(value: Code, expected: ItemType | Collection[ItemType] | None = None) -> ItemCode:
    if isinstance(value, ItemCode):
        value = str(value)
    return parse_code(value, expected)


def _optional(
    value: Code | None, expected: ItemType | Collection[ItemType] | None = None
) -> ItemCode | None:
    return None if value is None else _code(value, expected)
