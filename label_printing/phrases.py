"""Fixed label wording in English and Chinese: statements, storage conditions, captions (R-ID-2).

English is what labels print today. Each phrase also carries a Chinese variant so a label can be
printed in Chinese once a font covering it is configured; the English text stays within
ISO 8859-1 so that every renderer (PDF core fonts, Zebra font 0) can print it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Language(StrEnum):
    """The languages label text can be printed in."""

    EN = "en"
    ZH = "zh"


@dataclass(frozen=True)
class Phrase:
    """One fixed piece of label wording, with its translations."""

    en: str
    zh: str

    def text(self, language: Language = Language.EN) -> str:
        return self.zh if language is Language.ZH else self.en


# Chinese text uses full-width punctuation on purpose (hence the RUF001 exemptions).

# Statements (shown in this order when a label carries several).
CLINICAL_RESEARCH_ONLY = Phrase("For clinical research use only", "仅供临床研究使用")
HUMAN_ORIGIN = Phrase("Human origin: biohazard", "人源材料：生物危害")  # noqa: RUF001
AUTOLOGOUS_ONLY = Phrase("For autologous use only", "仅限自体使用")
DO_NOT_IRRADIATE = Phrase("Do not irradiate or X-ray", "禁止辐照或X射线检查")
TRIAL_PARTICIPANT = Phrase("Clinical trial participant", "临床试验受试者")
MATCH_RECIPIENT = Phrase(
    "Match the recipient code on the product label", "给药前核对产品标签上的受试者编码"
)

# Storage conditions.
LN2_VAPOUR = Phrase("Store at or below -150 °C", "≤ -150 °C 保存")
DRY_SHIPPER = Phrase("Dry shipper, at or below -150 °C", "液氮干式运输罐，≤ -150 °C")  # noqa: RUF001
REFRIGERATED = Phrase("Store at 2-8 °C", "2-8 °C 保存")
ROOM_TEMPERATURE = Phrase("Store at 15-25 °C", "15-25 °C 保存")
INCUBATE = Phrase("Incubate at 37 °C, 5% CO2", "37 °C、5% CO2 培养")

# Captions in front of values.
LOT = Phrase("Lot", "批号")
EXPIRY = Phrase("EXP", "有效期至")
SITE = Phrase("Site", "研究中心")
