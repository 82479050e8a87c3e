"""Every page fits the screen it is read on (the pages issue): at phone (390 px) and tablet
(1024 px) width, in English and Chinese, no page is wider than the window. Wide content (the
trace picture, the timeline table) scrolls inside its own box, never the page."""

from __future__ import annotations

from typing import Any

import pytest

from ledger.identifiers import ItemType
from ledger.messages import term
from tests.browser.conftest import STAFF, bearer
from tests.codes import demo_code

VIAL = demo_code(ItemType.PRODUCT_VIAL, 1)  # dosed: a long card, trace and timeline
WARM_VIAL = demo_code(ItemType.PRODUCT_VIAL, 4)
PATIENT = demo_code(ItemType.PATIENT, 1)
WIDER = "() => document.documentElement.scrollWidth - window.innerWidth"


def _context(browser: Any, server: str, width: int, lang: str) -> Any:
    """A browser context signed in at the stations as the pharmacist (scan, trace) and the
    nurse (bedside), as the pages keep their sessions."""
    pharmacist = bearer(server, "pharmacist")["Authorization"].removeprefix("Bearer ")
    nurse = bearer(server, "nurse")["Authorization"].removeprefix("Bearer ")
    context = browser.new_context(viewport={"width": width, "height": 844})
    context.add_init_script(
        "if (!location.search.includes('signed-out')) {"
        f"sessionStorage.setItem('ct-token', '{pharmacist}');"
        f"sessionStorage.setItem('ct-who', '{STAFF['pharmacist']} ({term('pharmacist', lang)})');"
        f"sessionStorage.setItem('ct-bedside-token', '{nurse}');"
        f"sessionStorage.setItem('ct-bedside-who', '{STAFF['nurse']} ({term('nurse', lang)})');"
        "sessionStorage.setItem('ct-bedside-role', 'nurse');}"
    )
    return context


@pytest.mark.parametrize("width", [390, 1024])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_no_page_is_wider_than_the_screen(browser: Any, server: str, width: int, lang: str) -> None:
    page = _context(browser, server, width, lang).new_page()
    wider: dict[str, int] = {}

    def measure(name: str) -> None:
        wider[name] = int(page.evaluate(WIDER))

    for name, path in (
        ("home", "/"),
        ("label", f"/v/{VIAL}"),
        ("sign-in", "/scan?signed-out=1"),
    ):
        page.goto(f"{server}{path}{'&' if '?' in path else '?'}lang={lang}")
        page.wait_for_load_state("networkidle")
        measure(name)
    page.goto(f"{server}/scan?lang={lang}")
    page.fill("#scan", VIAL)
    page.keyboard.press("Enter")
    page.wait_for_selector("#item-card")
    measure("scan card")
    page.goto(f"{server}/trace/{VIAL}?lang={lang}")
    page.wait_for_selector("#timeline tbody tr")
    measure("trace")
    page.goto(f"{server}/bedside?lang={lang}")
    page.wait_for_selector("#check-form")
    measure("bedside")
    page.fill("#vial", WARM_VIAL)
    page.fill("#patient", PATIENT)
    page.fill("#dose", "2")
    page.select_option("#route", "intranasal")
    page.click("#check-form button[type=submit]")
    page.wait_for_selector("#verdict.no-go", state="visible")
    measure("bedside no-go")
    assert all(px <= 0 for px in wider.values()), f"wider than {width} px by: {wider}"
