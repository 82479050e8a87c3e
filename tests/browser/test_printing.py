"""Printing from the pages and signing in by badge, in a real browser (R-ID-2, R-ACC-2):

- /scan: a scanned item's card offers its label on the registered printers; Print sends its
  ZPL to the printer (a loopback listener here); printed again, it needs the reason typed in
  the form, and is refused without one;
- sign-in: a scanned staff badge whose signature does not verify is refused, named as such,
  and the person field is emptied for the code to be typed.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from label_printing.payload import qr_text
from label_printing.signing import load_label_signer
from label_printing.stages import person_badge
from ledger.api.pages.i18n import MESSAGES
from ledger.config import Settings
from ledger.identifiers import ItemType
from tests.browser.conftest import STAFF, STAFF_PASSWORD, bearer
from tests.codes import demo_code
from tests.zebra import Listener, listening, qr_texts

VIAL = demo_code(ItemType.BANK_VIAL, 26)  # a working-bank vial no other browser test uses


@pytest.fixture(scope="module")
def printer(server: str) -> Iterator[Listener]:
    with listening() as listener:
        body = {"name": "zebra-pages", "address": listener.address, "dpi": 203, "stock": "cryo"}
        answer = httpx.post(f"{server}/api/v1/printers", json=body, headers=bearer(server, "qa"))
        assert answer.status_code == 201, answer.text
        yield listener


def _signed_in(browser: Any, server: str, role: str) -> Any:
    page = browser.new_context(viewport={"width": 1024, "height": 768}).new_page()
    page.goto(f"{server}/scan?lang=en")
    page.keyboard.type(f"{STAFF[role]}\n{STAFF_PASSWORD}\n")
    page.wait_for_selector("#scan", state="visible")
    return page


def test_r_id_2_the_scan_station_prints_the_scanned_item_s_label_on_a_printer(
    browser: Any, server: str, printer: Listener
) -> None:
    page = _signed_in(browser, server, "operator")
    # When the operator scans a vial
    page.keyboard.type(f"{VIAL}\n")
    # Then its card offers to print its label on the registered printer
    page.wait_for_selector("#print-form", state="visible")
    assert "zebra-pages" in page.inner_text("#print-printer")
    assert page.locator("#print-run").is_hidden()  # a vial is no fill run
    # When Print is pressed
    page.click("#print-one")
    # Then the printer receives the vial's signed label, and the station says so
    (text,) = qr_texts(printer.received())
    assert text.startswith(f"{server}/v/{VIAL}#CT1.")
    page.wait_for_selector("#banner.ok")
    assert page.inner_text("#banner").startswith(MESSAGES["print.sent"]["en"])
    # When it is printed again without a reason  Then refused, naming the rule
    page.click("#print-one")
    page.wait_for_selector("#banner.bad")
    assert "R-ID-2" in page.inner_text("#banner") and "give the reason" in page.inner_text(
        "#banner"
    )
    # When the reason is typed  Then it prints
    page.fill("#print-reason", "label smudged")
    page.click("#print-one")
    assert qr_texts(printer.received()) == [text]
    page.wait_for_selector("#banner.ok")


def test_r_id_2_a_forged_badge_is_refused_at_sign_in(
    browser: Any, server: str, demo_settings: Settings
) -> None:
    # Given the operator's badge with one character of its signature changed
    operator = STAFF["operator"]
    content = person_badge(operator, name="Li Na", roles=["operator"], facility="F01")
    genuine = qr_text(content, load_label_signer(demo_settings), server)
    forged = genuine[:-1] + ("A" if genuine[-1] != "A" else "B")
    page = browser.new_context().new_page()
    page.goto(f"{server}/scan?lang=en")
    # When it is scanned and the right password typed
    page.keyboard.type(f"{forged}\n")
    assert page.input_value("#signin-form input[name=username]") == operator
    with page.expect_response("**/api/v1/auth/token") as answer:
        page.keyboard.type(f"{STAFF_PASSWORD}\n")
    # Then sign-in is refused, saying the badge does not verify, and the code is to be typed
    assert answer.value.status == 422
    page.wait_for_selector("#signin-error", state="visible")
    assert "does not verify" in page.inner_text("#signin-error")
    assert page.input_value("#signin-form input[name=username]") == ""
    assert page.evaluate("document.activeElement.name") == "username"
    # When the genuine badge is scanned  Then the operator signs in
    page.keyboard.type(f"{genuine}\n{STAFF_PASSWORD}\n")
    page.wait_for_selector("#scan", state="visible")
    assert page.inner_text("#who").startswith(operator)
