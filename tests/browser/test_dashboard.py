"""R-QC-2 in a real browser: QA signs in on the home page and sees the dashboard of its role;
the demo's lot whose every release test passed is listed under the lots awaiting certification,
and its link opens the lot's trace."""

from __future__ import annotations

from typing import Any

from ledger.identifiers import ItemType
from tests.browser.conftest import STAFF, STAFF_PASSWORD, screenshot
from tests.codes import demo_code

AWAITING = demo_code(ItemType.PRODUCT_LOT, 5)  # the demo's last lot: every test passed


def test_r_qc_2_qa_dashboard_links_to_the_lot_awaiting_certification(
    browser: Any, server: str
) -> None:
    page = browser.new_context(locale="en-GB", viewport={"width": 1024, "height": 768}).new_page()
    page.goto(f"{server}/")
    # Before sign-in the home page shows no work, only the sign-in form
    assert page.is_hidden("#dashboard") and page.is_visible("#signin-form")
    page.fill("#signin-form input[name=username]", STAFF["qa"])
    page.fill("#signin-form input[name=password]", STAFF_PASSWORD)
    page.click("#signin-form button[type=submit]")
    waiting = page.wait_for_selector('section.worklist[data-kind="certification"]')
    assert waiting.query_selector("h3 .count").inner_text() == "1"
    assert "Lots awaiting QA certification" in waiting.query_selector("h3").inner_text()
    link = waiting.query_selector("table a")
    assert link.inner_text() == AWAITING
    screenshot(page, "dashboard-qa")
    link.click()
    page.wait_for_url(f"**/trace/{AWAITING}")
    # The trace page shares the sign-in of this tab: the lot opens without signing in again
    page.wait_for_selector("#trace-view", state="attached")
    assert AWAITING in page.inner_text("h1")
