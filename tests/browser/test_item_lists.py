"""R-TRC-2 in a real browser: QA signs in on the items page, filters the demo's product vials,
pages on with the next-page link (the sign-in kept), opens an item's trace from its code, and
downloads the list as a CSV file with the token; on a 390 px phone nothing widens the page."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from tests.browser.conftest import STAFF, STAFF_PASSWORD

OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"


def _codes(page: Any) -> list[str]:
    return page.eval_on_selector_all(  # type: ignore[no-any-return]
        "#item-table tbody tr", "rows => rows.map(r => r.dataset.code)"
    )


def test_r_trc_2_items_page_filters_pages_on_and_downloads_the_list(
    browser: Any, server: str
) -> None:
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        accept_downloads=True,
    )
    page = context.new_page()
    # Given QA opens the list of product vials, 4 a page, and signs in
    page.goto(f"{server}/items?type=PVL&limit=4")
    page.fill("#signin-form input[name=username]", STAFF["qa"])
    page.fill("#signin-form input[name=password]", STAFF_PASSWORD)
    page.click("#signin-form button[type=submit]")
    page.wait_for_selector("#item-table tbody tr")
    first = _codes(page)
    # Then the page shows the first 4 vials and fits the phone's screen
    assert len(first) == 4 and all(code.startswith("PVL-") for code in first)
    assert page.evaluate(OVERFLOW) <= 0
    assert page.input_value("#item-filters input[name=limit]") == "4"
    # When QA follows the next-page link, still signed in
    page.click("#next-page")
    page.wait_for_selector("#item-table tbody tr")
    second = _codes(page)
    # Then the next 4 vials follow, none shown again
    assert len(second) == 4 and not set(first) & set(second) and second[0] > first[-1]
    # And the CSV download is the list from its start, with a header naming the columns
    with page.expect_download() as download:
        page.click("#download-csv")
    text = Path(download.value.path()).read_text(encoding="utf-8")
    table = list(csv.DictReader(io.StringIO(text, newline="")))
    assert [row["code"] for row in table][:8] == first + second
    # And a code opens that item's trace
    page.click(f'#item-table a[href="/trace/{second[0]}"]')
    page.wait_for_url(f"**/trace/{second[0]}")
    context.close()
