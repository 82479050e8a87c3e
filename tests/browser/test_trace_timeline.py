"""R-TRC-3 and R-TRC-2 in a real browser: the auditor's trace page of the demo's dosed vial
tells its chain of custody in words, in English and Chinese, each row marked with the item it
was recorded on and its event hash one click away."""

from __future__ import annotations

from typing import Any

from ledger.identifiers import ItemType
from tests.browser.conftest import STAFF, STAFF_PASSWORD, screenshot
from tests.codes import demo_code

VIAL = demo_code(ItemType.PRODUCT_VIAL, 1)
PATIENT = demo_code(ItemType.PATIENT, 1)


def _signed_in_trace(browser: Any, server: str, lang: str) -> Any:
    context = browser.new_context(locale="en-GB", viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.goto(f"{server}/trace/{VIAL}?lang={lang}")
    page.fill("#signin-form input[name=username]", STAFF["qa"])
    page.fill("#signin-form input[name=password]", STAFF_PASSWORD)
    page.click("#signin-form button")
    page.wait_for_selector("#timeline tbody tr")
    return page


def _what(page: Any, item_prefix: str) -> list[str]:
    cells = page.locator(f'#timeline tr[data-item^="{item_prefix}"] td.what')
    return [str(text) for text in cells.all_inner_texts()]


def test_r_trc_2_the_vials_trace_page_tells_its_custody_in_words(browser: Any, server: str) -> None:
    # Given QA signed in on the trace page of the demo's dosed vial
    page = _signed_in_trace(browser, server, "en")
    # Then the timeline says, row by row, what the shipment and the patient recorded of it
    shipment = " | ".join(_what(page, "SHP-"))
    for step in (
        "Shipped to",
        "Re-inspected on receipt at the site: passed",
        "Released for use by the site QP",
        "Stored in UNT-",
        f"{VIAL} dispensed for {PATIENT}",
        f"{VIAL} thawed at the bedside",
    ):
        assert step in shipment, step
    (given,) = _what(page, "PAT-")
    assert given.startswith(f"Administered 1.0 mL intravenous to {PATIENT}, dose 1 of 2")
    assert page.locator("#custody-note").is_visible()
    # and each custody row links to the item it was recorded on
    assert page.locator('#timeline tr.custody td.item a[href^="/trace/SHP-"]').count() >= 8
    # And an event's hash stays one click away
    details = page.locator("#timeline td.hash details").first
    assert details.get_attribute("open") is None
    details.locator("summary").click()
    assert len(details.inner_text().split()[-1]) == 64
    screenshot(page, "timeline")


def test_r_trc_2_the_vials_trace_page_tells_its_custody_in_chinese(
    browser: Any, server: str
) -> None:
    page = _signed_in_trace(browser, server, "zh")
    shipment = " | ".join(_what(page, "SHP-"))
    for step in (
        "已发往",
        "研究机构到货复检：合格",  # noqa: RUF001
        "研究机构质量受权人已放行使用",
        "存放于 UNT-",
        "在床旁复苏",
    ):
        assert step in shipment, step
    (given,) = _what(page, "PAT-")
    assert given.startswith(f"已给予 {PATIENT} 1.0 mL") and "第 1 剂/共 2 剂" in given
    assert "记录于" in page.inner_text("#timeline thead")
    screenshot(page, "timeline-zh")
