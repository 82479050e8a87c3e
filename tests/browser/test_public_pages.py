"""R-ID-2 and R-TRC-3 in a real browser: the QR landing page verifies a printed label, the
trace page draws the genealogy, and the language switch translates the page."""

from __future__ import annotations

from typing import Any

from label_printing.payload import qr_text
from label_printing.signing import load_label_signer
from label_printing.stages import generic_label
from ledger.config import Settings
from ledger.identifiers import ItemType
from tests.browser.conftest import STAFF, STAFF_PASSWORD, screenshot
from tests.codes import demo_code

PERSON = demo_code(ItemType.PERSON, 2)


def _page(browser: Any, lang: str = "en-GB") -> Any:
    context = browser.new_context(locale=lang, viewport={"width": 1280, "height": 900})
    return context.new_page()


def test_r_id_2_scanned_label_opens_its_page_and_the_signature_verifies(
    browser: Any, server: str, demo_settings: Settings
) -> None:
    # Given the QR text printed on a label of a recorded item
    content = generic_label(code=PERSON, product="Staff badge", facility="F01")
    link = qr_text(content, load_label_signer(demo_settings), server)
    page = _page(browser)
    # When a phone opens it
    page.goto(link)
    # Then the page shows the item and a green "signature valid" banner
    page.wait_for_selector("#label-check.ok", timeout=10_000)
    assert "valid" in page.inner_text("#label-check")
    assert PERSON in page.inner_text("h1")
    # And nothing the label does not show (R-ACC-1)
    assert "Status" not in page.inner_text("#item-card")
    screenshot(page, "label-landing")


def test_r_id_2_tampered_label_is_flagged_red(
    browser: Any, server: str, demo_settings: Settings
) -> None:
    content = generic_label(code=PERSON, product="Staff badge", facility="F01")
    link = qr_text(content, load_label_signer(demo_settings), server)
    tampered = link[:-3] + ("AAA" if not link.endswith("AAA") else "BBB")
    page = _page(browser)
    page.goto(tampered)
    page.wait_for_selector("#label-check.bad", timeout=10_000)
    assert "NOT valid" in page.inner_text("#label-check")


VIAL = demo_code(ItemType.BANK_VIAL, 15)  # the working-bank vial the demo thaws


def test_r_trc_1_trace_page_draws_the_vial_back_to_its_donor(browser: Any, server: str) -> None:
    # When QA opens the trace page of a thawed working-bank vial and signs in
    page = _page(browser)
    page.goto(f"{server}/trace/{VIAL}")
    assert page.locator("svg.genealogy").count() == 0  # nothing before sign-in (R-ACC-1)
    page.fill("#signin-form input[name=username]", STAFF["qa"])
    page.fill("#signin-form input[name=password]", STAFF_PASSWORD)
    page.click("#signin-form button")
    page.wait_for_selector("svg.genealogy g.node")
    # Then the picture reaches the donor through the sample, cells and every bank tier
    codes = page.eval_on_selector_all(
        "svg.genealogy g.node", "nodes => nodes.map(n => n.dataset.code)"
    )
    assert {code[:3] for code in codes} >= {"DON", "COL", "CEL", "SCB", "MCB", "WCB", "BVL"}
    assert page.locator("svg.genealogy path.edge").count() >= len(codes) - 1
    # And the timeline lists each event with its hash and checkpoint status
    rows = page.locator("#timeline tbody tr")
    assert rows.count() >= 2
    assert "checkpoint" in page.inner_text("#timeline")
    screenshot(page, "trace")


def test_language_switch_translates_the_page(browser: Any, server: str) -> None:
    page = _page(browser)
    page.goto(f"{server}/trace/{VIAL}")
    assert "Genealogy and history" in page.inner_text("h1")
    page.click("#lang-switch")
    page.wait_for_load_state()
    assert "谱系与历史记录" in page.inner_text("h1")
    screenshot(page, "trace-zh")
    page.goto(f"{server}/v/{PERSON}")  # the choice sticks
    assert "物品类型" in page.inner_text("#item-card")
