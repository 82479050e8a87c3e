"""What a label says: one frozen :class:`LabelContent` per item, with its printed lines (R-ID-2).

The model has no field for a study arm, so no label can show one (R-ID-3): a blinded product
vial is built by :func:`label_printing.stages.blinded_product_vial`, which takes only lot-level
facts, so the active and the placebo vial of one lot differ in their item code alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from label_printing import phrases
from label_printing.errors import LabelContentError
from label_printing.phrases import Language, Phrase
from ledger.identifiers import ItemCode, ItemType

MAX_TEXT = 60
"""Longest free text (product, facility, detail line) a label accepts, in characters."""

Expiry = date | datetime
"""A calendar date, or a timezone-aware date and time to the minute."""


class LabelKind(StrEnum):
    """The stage an item is labelled at; each names the item type its code must have."""

    item_type: ItemType | None

    def __new__(cls, value: str, item_type: ItemType | None = None) -> LabelKind:
        member = str.__new__(cls, value)
        member._value_ = value
        member.item_type = item_type
        return member

    BANK_VIAL = "bank_vial", ItemType.BANK_VIAL
    CULTURE_VESSEL = "culture_vessel", ItemType.CULTURE
    HARVEST_CONTAINER = "harvest_container", ItemType.HARVEST
    PRODUCT_VIAL = "product_vial", ItemType.PRODUCT_VIAL
    SHIPMENT_CONTAINER = "shipment_container", ItemType.SHIPPING_CONTAINER
    PATIENT_WRISTBAND = "patient_wristband", ItemType.PATIENT
    PERSON_BADGE = "person_badge", ItemType.PERSON
    GENERIC = "generic"


AUTOLOGOUS_CODE_TYPES = (ItemType.DONOR, ItemType.PATIENT)


@dataclass(frozen=True)
class LabelContent:
    """Everything printed on one label; construct it through :mod:`label_printing.stages`.

    ``autologous`` is the donor or recipient code of autologous material (it adds the
    "For autologous use only" line and is signed in the QR payload). ``blinded`` marks a
    product vial of a blinded study; it is the same for both arms.
    """

    kind: LabelKind
    code: ItemCode
    product: str
    facility: str
    lot: ItemCode | None = None
    expiry: Expiry | None = None
    storage: Phrase | str | None = None
    autologous: ItemCode | None = None
    statements: tuple[Phrase, ...] = ()
    details: tuple[str, ...] = ()
    blinded: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "statements", tuple(self.statements))
        object.__setattr__(self, "details", tuple(self.details))
        if self.kind.item_type is not None and self.code.item_type is not self.kind.item_type:
            raise LabelContentError(
                f"a {self.kind.value.replace('_', ' ')} label needs a "
                f"{self.kind.item_type.prefix}-... code, got {self.code}; use the item's own code."
            )
        if self.autologous is not None and self.autologous.item_type not in AUTOLOGOUS_CODE_TYPES:
            raise LabelContentError(
                f"the autologous donor/recipient code must be a DON-... or PAT-... code, "
                f"got {self.autologous}."
            )
        texts = [("product", self.product), ("facility", self.facility)]
        texts += [("detail line", detail) for detail in self.details]
        if isinstance(self.storage, str):
            texts.append(("storage", self.storage))
        for what, text in texts:
            check_text(what, text)
        if self.expiry is not None:
            check_expiry(self.expiry)

    def lines(
        self, language: Language = Language.EN, *, with_facility: bool = True
    ) -> tuple[str, ...]:
        """The human-readable lines, most important first; the item code is always first."""
        lines = [str(self.code), self.product]
        if self.lot is not None:
            lines.append(f"{phrases.LOT.text(language)} {self.lot}")
        if self.expiry is not None:
            lines.append(f"{phrases.EXPIRY.text(language)} {format_expiry(self.expiry)}")
        if self.storage is not None:
            storage = self.storage
            lines.append(storage.text(language) if isinstance(storage, Phrase) else storage)
        if self.autologous is not None:
            lines.append(f"{phrases.AUTOLOGOUS_ONLY.text(language)}: {self.autologous}")
        lines.extend(s.text(language) for s in self.statements)
        lines.extend(self.details)
        if with_facility:
            lines.append(self.facility)
        return tuple(lines)


def check_text(what: str, text: str) -> None:
    """Refuse empty, multi-line, control-character or over-long free text."""
    if not text.strip() or not text.isprintable() or len(text) > MAX_TEXT:
        raise LabelContentError(
            f"the {what} {text[:MAX_TEXT]!r} must be one line of 1 to {MAX_TEXT} printable "
            "characters; shorten or correct it."
        )


def check_expiry(expiry: Expiry) -> None:
    """A date, or an aware date-time to the whole minute (what the QR payload can sign)."""
    if not isinstance(expiry, datetime):
        return
    if expiry.utcoffset() is None:
        raise LabelContentError(
            f"expiry {expiry.isoformat()} has no time zone; give it with its UTC offset."
        )
    if expiry.second or expiry.microsecond:
        raise LabelContentError(
            f"expiry {expiry.isoformat()} is not a whole minute; labels print minutes only, "
            "so round it down to the minute."
        )


def format_expiry(expiry: Expiry) -> str:
    """``2026-12-31`` or ``2026-12-31 14:30 UTC`` / ``2026-12-31 14:30 +08:00``."""
    if not isinstance(expiry, datetime):
        return expiry.isoformat()
    offset = expiry.utcoffset() or timedelta(0)
    zone = "UTC" if not offset else expiry.strftime("%z")
    if zone != "UTC":
        zone = f"{zone[:3]}:{zone[3:]}"
    return f"{expiry:%Y-%m-%d %H:%M} {zone}"
