"""R-ID-2 and R-TRC-3 in a real browser: the QR landing page verifies a printed label, the
trace page draws the genealogy, and the language switch translates the page."""

from __future__ import annotations

from typing import Any

from label_printing.payload import qr_text
from label_printing.signing import load_label_signer
from label_printing.stages import generic_label
from ledger.config import Settings
from tests.browser.conftest import screenshot

PERSON = "PER-F01-26-000002-B"


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


def test_r_trc_3_trace_page_draws_the_graph_and_timeline(browser: Any, server: str) -> None:
    page = _page(browser)
    page.goto(f"{server}/trace/{PERSON}")
    page.wait_for_selector("svg.genealogy g.node")
    assert page.locator(f'svg.genealogy g.node[data-code="{PERSON}"]').count() == 1
    assert page.locator("#timeline tbody tr").count() >= 1
    screenshot(page, "trace")


def test_language_switch_translates_the_page(browser: Any, server: str) -> None:
    page = _page(browser)
    page.goto(f"{server}/trace/{PERSON}")
    assert "Genealogy and history" in page.inner_text("h1")
    page.click("#lang-switch")
    page.wait_for_load_state()
    assert "谱系与历史记录" in page.inner_text("h1")
    screenshot(page, "trace-zh")
    page.goto(f"{server}/v/{PERSON}")  # the choice sticks
    assert "物品类型" in page.inner_text("#item-card")
