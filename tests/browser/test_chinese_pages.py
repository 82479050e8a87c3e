"""Every word a Chinese page shows is Chinese (the pages issue, R-CLN-2 at the bedside): the
home page, the operator station with a scanned item's card and its step forms, the bedside with
a NO-GO, the label page and the trace with its timeline are read as a reader sees them, and any
English word left among the Chinese fails the test. Codes, rule IDs, numbers, units and the
abbreviations the Chinese guideline itself uses (QA, QC, QP, OOS...) are not words to translate.
"""

from __future__ import annotations

import re
from typing import Any

from ledger.demo.records import NAMES
from ledger.identifiers import ItemType
from ledger.messages import term
from tests.browser.conftest import STAFF, bearer
from tests.codes import demo_code

VIAL = demo_code(ItemType.PRODUCT_VIAL, 1)  # the demo's dosed vial: card, trace and custody
WARM_VIAL = demo_code(ItemType.PRODUCT_VIAL, 4)  # held by its shipment's excursion
PATIENT = demo_code(ItemType.PATIENT, 1)

#: Not words to translate: item codes, rule IDs, hashes, times, numbers with units.
_NOT_WORDS = re.compile(
    r"\b[A-Z]{3}-[A-Z0-9]{2,5}-\d{2}-\d{6}-[0-9A-Z*]"  # item codes
    r"|\bR-[A-Z]{2,4}-\d+"  # rule IDs
    r"|\b[0-9a-f]{8,}\b"  # hashes
    r"|\b\d{4}-\d{2}-\d{2}(T[\d:.+-]+)?"  # dates and times
    r"|https?://\S+"  # links
    r"|\bUTC[+-]\d{2}:\d{2}"
)
#: Abbreviations and names the Chinese guideline and the labels use as they are.
KEPT = {
    "CellTrace",
    "English",
    "QA",
    "QC",
    "QP",
    "OOS",
    "CAPA",
    "SOP",
    "API",
    "PNG",
    "PDF",
    "ID",
    "UTC",
    "GMP",
    "LN2",
    "TFF",
    "SEC",
    "EV",
    "ICF",
    "mL",
    "min",
    "EU",
    "MSC",
    "BSE",
    "HBV",
    "CSV",
    "SVG",
    "QR",
    "IV",
    "PBS",
    "FBS",
    "MEM",
    "TrypLE",
    "SFM",
    "RL",
    "KOA",
    "GB",
    "NZ",
    "WB",
    "LG",
    "DEV",
    "SPN",
    "RPT",
    "MTA",
    "DTA",
    "UCMSC",
    "STAB",
    "VAL",
    "ColdCourier",
    "alpha",
    "SPEC",
    "PRJ",
    "pH",
    "CFU",
}
#: What the demo's people typed, shown as recorded (places, containers, couriers, a cohort's
#: name): data, not page text.
RECORDED = {
    "Pharmacy",
    "freezer",
    "Ward",
    "treatment",
    "room",
    "rack",
    "box",
    "cryovial",
    "driver",
    "high",
    "low",
    "Returns",
    "cage",
    "Retention",
    "store",
    "closed",
}


#: The demo's people's printed names (personal data, shown as recorded).
RECORDED |= {part for name in NAMES.values() for part in name.split()}


def english_words(text: str) -> list[str]:
    """The Latin-script words of `text` that are neither codes nor kept abbreviations."""
    bare = _NOT_WORDS.sub(" ", text)
    words = set(re.findall(r"[A-Za-z][A-Za-z_]+", bare))
    return sorted(w for w in words if w not in KEPT and w not in RECORDED)


def _signed_in(browser: Any, server: str, role: str, keys: tuple[str, str]) -> Any:
    token = bearer(server, role)["Authorization"].removeprefix("Bearer ")
    context = browser.new_context(viewport={"width": 1024, "height": 900}, locale="zh-CN")
    who = f"{STAFF[role]} ({term(role, 'zh')})"  # as the station shows who signed in
    context.add_init_script(
        f"sessionStorage.setItem('{keys[0]}', '{token}');"
        f"sessionStorage.setItem('{keys[1]}', '{who}');"
    )
    return context.new_page()


def _shown(page: Any) -> str:
    return str(page.evaluate("document.body.innerText"))


def test_every_word_on_the_chinese_pages_is_chinese(browser: Any, server: str) -> None:
    found: dict[str, list[str]] = {}
    page = browser.new_context(locale="zh-CN").new_page()
    for path in ("/?lang=zh", f"/v/{VIAL}?lang=zh"):
        page.goto(f"{server}{path}")
        page.wait_for_load_state("networkidle")
        found[path] = english_words(_shown(page))
    # the operator station: a scanned vial's card and the steps offered on it
    page = _signed_in(browser, server, "pharmacist", ("ct-token", "ct-who"))
    page.goto(f"{server}/scan?lang=zh")
    page.fill("#scan", VIAL)
    page.keyboard.press("Enter")
    page.wait_for_selector("#item-card")
    found["/scan"] = english_words(page.inner_text("main"))
    # the trace with its timeline in words
    page.goto(f"{server}/trace/{VIAL}?lang=zh")
    page.wait_for_selector("#timeline tbody tr")
    found["/trace"] = english_words(page.inner_text("main"))
    # the bedside with a NO-GO and every reason
    page = _signed_in(browser, server, "nurse", ("ct-bedside-token", "ct-bedside-who"))
    page.goto(f"{server}/bedside?lang=zh")
    page.fill("#vial", WARM_VIAL)
    page.fill("#patient", PATIENT)
    page.fill("#dose", "2")
    page.select_option("#route", "intranasal")
    page.click("#check-form button[type=submit]")
    page.wait_for_selector("#verdict.no-go", state="visible")
    found["/bedside"] = english_words(page.inner_text("#verdict"))
    untranslated = {path: words for path, words in found.items() if words}
    assert not untranslated, f"English words on Chinese pages: {untranslated}"


def test_the_check_finds_english_among_chinese() -> None:
    assert english_words("冷链不完整: temperature excursion in SHP-F01-26-000002-2") == [
        "excursion",
        "in",
        "temperature",
    ]
    assert english_words("R-SHP-2: PVL-F01-26-000004-J 已暂停 QA 评估 1.0 mL") == []
