"""R-TRC-2, R-TRC-3 in a real browser: the donor's trace forward (every bank vial, product vial
and patient) stays readable on a 390 px phone and a 1024 px tablet, in English and Chinese: it
opens as a searchable list, the picture keeps its text at 11 px or more however far it is
zoomed out, pans by dragging inside its own box, and nothing widens the page."""

from __future__ import annotations

from typing import Any

import pytest

from ledger.api.pages.graph_svg import PAD
from ledger.identifiers import ItemType
from tests.browser.conftest import STAFF, STAFF_PASSWORD, screenshot
from tests.codes import demo_code

DONOR = demo_code(ItemType.DONOR, 1)
VIAL = demo_code(ItemType.BANK_VIAL, 15)  # the working-bank vial the demo thaws
STORED = {"en": "in storage", "zh": "贮存中"}  # the status of the bank vials still in the tank
LEGIBLE_PX = 11

# The smallest node text as drawn on the screen, in CSS px: its font size times the scale the
# picture is drawn at.
SMALLEST_TEXT_PX = """() => {
  const svg = document.querySelector("svg.genealogy");
  const texts = [...svg.querySelectorAll("g.node text")];
  const sizes = texts.map(t => parseFloat(t.getAttribute("font-size")));
  return {px: Math.min(...sizes) * svg.getBoundingClientRect().width / svg.viewBox.baseVal.width,
          drawn: Math.min(...texts.map(t => t.getBoundingClientRect().height))};
}"""
# Node texts wider than their box leaves room for, with the fonts the browser really uses.
SPILLING = """pad => [...document.querySelectorAll("svg.genealogy g.node")].flatMap(g => {
  const room = g.querySelector("rect").width.baseVal.value - 2 * pad;
  return [...g.querySelectorAll("text")]
    .filter(t => t.getComputedTextLength() > room + 0.5)
    .map(t => t.textContent);
})"""
OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"
SCROLLED = """() => {
  const box = document.getElementById("graph");
  return [box.scrollLeft, box.scrollTop];
}"""


def _open(browser: Any, server: str, width: int, lang: str, code: str, query: str) -> Any:
    phone = width < 600
    context = browser.new_context(
        locale="zh-CN" if lang == "zh" else "en-GB",
        viewport={"width": width, "height": 844 if phone else 768},
        is_mobile=phone,
        has_touch=phone,
    )
    page = context.new_page()
    page.goto(f"{server}/trace/{code}?{query}&lang={lang}")
    page.fill("#signin-form input[name=username]", STAFF["qa"])
    page.fill("#signin-form input[name=password]", STAFF_PASSWORD)
    page.click("#signin-form button[type=submit]")
    page.wait_for_selector("#trace-view[data-show] #trace-tree li.entry", state="attached")
    return page


def _shown(page: Any) -> list[str]:
    return page.eval_on_selector_all(  # type: ignore[no-any-return]
        "#trace-tree li.entry",
        "lis => lis.filter(li => li.offsetParent).map(li => li.dataset.code)",
    )


@pytest.mark.parametrize("width", [390, 1024])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_r_trc_2_donor_trace_forward_is_readable_as_list_and_picture(
    browser: Any, server: str, width: int, lang: str
) -> None:
    # Given QA opens the demo donor's trace forward (63 items) on a phone or a tablet
    page = _open(browser, server, width, lang, DONOR, "direction=down")

    # Then it opens as the list, every item linking to its own trace, and fits the screen
    assert page.get_attribute("#trace-view", "data-show") == "list"
    assert page.is_hidden("#trace-picture") and page.is_visible("#trace-search")
    everything = _shown(page)
    assert len(everything) == page.locator("svg.genealogy g.node").count() > 60
    assert page.get_attribute(f'#trace-tree li[data-code="{VIAL}"] a', "href") == f"/trace/{VIAL}"
    assert page.evaluate(OVERFLOW) <= 0
    screenshot(page, f"trace-list-{lang}-{width}")

    # When the reader looks for a vial by its code: that entry shows, in opened branches,
    # and nothing else does
    page.fill("#trace-search", VIAL[:-2].lower())
    page.wait_for_function(
        "n => document.querySelectorAll('#trace-tree li.entry:not([hidden])').length === n", arg=1
    )
    assert _shown(page) == [VIAL]
    assert page.is_visible(f'#trace-tree li[data-code="{VIAL}"] a')
    assert page.is_visible("#trace-count") and page.is_hidden("#trace-no-match")
    # And by a status, in the page's language: only the items in that state
    page.fill("#trace-search", STORED[lang])
    page.wait_for_function(
        "() => !document.querySelector(`#trace-tree li.entry[data-status='thawed']:not([hidden])`)"
    )
    stored = _shown(page)
    assert stored and all(
        page.get_attribute(f'#trace-tree li[data-code="{c}"]', "data-status") == "in storage"
        for c in stored
    )
    # And a code nobody has: nothing, said so
    page.fill("#trace-search", "XYZ")
    page.wait_for_selector("#trace-no-match", state="visible")
    assert _shown(page) == []
    page.fill("#trace-search", "")
    page.wait_for_function(
        "n => document.querySelectorAll('#trace-tree li.entry:not([hidden])').length === n",
        arg=len(everything),
    )

    # When they switch to the picture
    page.click("#view-picture")
    page.wait_for_selector("svg.genealogy g.node", state="visible")
    # Then its text is at least 11 px on the screen and fits its boxes, and the page does not
    # widen: the picture scrolls inside its own box
    assert page.evaluate(SMALLEST_TEXT_PX)["px"] >= LEGIBLE_PX
    assert page.evaluate(SPILLING, PAD) == []
    assert page.evaluate(OVERFLOW) <= 0
    assert page.evaluate("() => document.getElementById('graph').scrollWidth") > width
    screenshot(page, f"trace-picture-{lang}-{width}")

    # When they drag the picture with the mouse, starting on the donor's box, it pans
    opened: list[str] = []
    page.on("request", lambda r: opened.append(r.url) if r.is_navigation_request() else None)
    page.locator("#graph").scroll_into_view_if_needed()
    donor = page.locator(f'svg.genealogy g.node[data-code="{DONOR}"] rect').bounding_box()
    start = page.evaluate(SCROLLED)
    x, y = donor["x"] + donor["width"] / 2, donor["y"] + donor["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x - 100, y - 60, steps=4)
    page.mouse.up()
    moved = page.evaluate(SCROLLED)
    assert moved[0] > start[0] and moved[1] > start[1]

    # When they zoom in, the picture grows; zoomed out as far as it goes, the text stays legible
    before = page.evaluate(SMALLEST_TEXT_PX)["px"]
    page.click("#zoom-in")
    page.wait_for_function("s => Number(document.getElementById('graph').dataset.scale) > s", arg=1)
    assert page.evaluate(SMALLEST_TEXT_PX)["px"] > before
    while page.is_enabled("#zoom-out"):
        page.click("#zoom-out")
    smallest = page.evaluate(SMALLEST_TEXT_PX)
    assert smallest["px"] >= LEGIBLE_PX and smallest["drawn"] >= LEGIBLE_PX
    assert page.evaluate(OVERFLOW) <= 0

    # And nothing the reader dragged opened another item's trace
    assert opened == [] and f"/trace/{DONOR}?" in page.url


def test_r_trc_3_a_small_trace_opens_as_the_picture_and_the_list_is_a_click_away(
    browser: Any, server: str
) -> None:
    # Given a thawed vial's trace back to its donor (a handful of items)
    page = _open(browser, server, 390, "zh", VIAL, "direction=up")
    # Then it opens as the picture, the traced item in view, text legible
    assert page.get_attribute("#trace-view", "data-show") == "picture"
    page.wait_for_selector(f'svg.genealogy g.node[data-code="{VIAL}"]', state="visible")
    root = page.locator(f'svg.genealogy g.node[data-code="{VIAL}"] rect').bounding_box()
    box = page.locator("#graph").bounding_box()
    assert box["x"] <= root["x"] + root["width"] / 2 <= box["x"] + box["width"]
    assert box["y"] <= root["y"] + root["height"] / 2 <= box["y"] + box["height"]
    assert page.evaluate(SMALLEST_TEXT_PX)["px"] >= LEGIBLE_PX
    # When the reader switches to the list: the same items, by type then parent
    page.click("#view-list")
    page.wait_for_selector("#trace-search", state="visible")
    assert sorted(_shown(page)) == sorted(
        page.eval_on_selector_all("svg.genealogy g.node", "gs => gs.map(g => g.dataset.code)")
    )
    assert page.evaluate(OVERFLOW) <= 0
