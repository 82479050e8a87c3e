"""Fixed label wording in English and Chinese: statements, storage conditions, captions (R-ID-2).

English is what labels print today. Each phrase also has a Chinese variant, from the one
translation catalogue (context `label` of `ledger/locale/zh/LC_MESSAGES/celltrace.po`), so a
label can be printed in Chinese once a font covering it is configured; the English text stays
within ISO 8859-1 so that every renderer (PDF core fonts, Zebra font 0) can print it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ledger.catalogue import label_phrases


class Language(StrEnum):
    """The languages label text can be printed in."""

    EN = "en"
    ZH = "zh"


@dataclass(frozen=True)
class Phrase:
    """One fixed piece of label wording; its Chinese comes from the catalogue."""

    en: str

    @property
    def zh(self) -> str:
        return label_phrases()[self.en]

    def text(self, language: Language = Language.EN) -> str:
        return self.zh if language is Language.ZH else self.en


# Statements (shown in this order when a label carries several).
CLINICAL_RESEARCH_ONLY = Phrase("For clinical research use only")
HUMAN_ORIGIN = Phrase("Human origin: biohazard")
AUTOLOGOUS_ONLY = Phrase("For autologous use only")
DO_NOT_IRRADIATE = Phrase("Do not irradiate or X-ray")
TRIAL_PARTICIPANT = Phrase("Clinical trial participant")
MATCH_RECIPIENT = Phrase("Match the recipient code on the product label")
STAFF_BADGE = Phrase("Staff badge: scan to sign in")

# Storage conditions.
LN2_VAPOUR = Phrase("Store at or below -150 °C")
DRY_SHIPPER = Phrase("Dry shipper, at or below -150 °C")
REFRIGERATED = Phrase("Store at 2-8 °C")
ROOM_TEMPERATURE = Phrase("Store at 15-25 °C")
INCUBATE = Phrase("Incubate at 37 °C, 5% CO2")

# Captions in front of values.
LOT = Phrase("Lot")
EXPIRY = Phrase("EXP")
SITE = Phrase("Site")
