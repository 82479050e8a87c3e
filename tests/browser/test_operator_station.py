"""The operator station in a real browser: sign in, scan a vial with the keyboard-wedge field,
record a thaw from its short form; a refused step shows its rule in a red banner (R-CB-6,
an impossible viability) and nothing is recorded; on the Chinese page the banner is Chinese."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx

from ledger.identifiers import ItemType, format_code
from tests.browser.conftest import STAFF, STAFF_PASSWORD, bearer, screenshot

YEAR = datetime.now(UTC).year


def _bank_vial(serial: int) -> str:
    return format_code(ItemType.BANK_VIAL, "F01", YEAR, serial)


VIAL = _bank_vial(17)  # a working-bank vial still in storage after the demo


def _signed_in(browser: Any, server: str, role: str, lang: str = "en") -> Any:
    page = browser.new_context(viewport={"width": 1024, "height": 1200}).new_page()
    page.goto(f"{server}/scan?lang={lang}")
    page.fill("#signin-form input[name=username]", STAFF[role])
    page.fill("#signin-form input[name=password]", STAFF_PASSWORD)
    page.click("#signin-form button")
    page.wait_for_selector("#scan", state="visible")
    return page


def test_r_cb_6_operator_scans_a_vial_and_records_its_thaw(browser: Any, server: str) -> None:
    page = _signed_in(browser, server, "operator")
    # When the scanner types the vial's label URL and Enter (as a wedge scanner does)
    assert page.evaluate("document.activeElement.id") == "scan"
    page.keyboard.type(f"http://labels.example/v/{VIAL}\n")
    page.wait_for_selector("form.step[data-step=thaw]")
    assert page.get_attribute("#item-card", "data-status") == "in storage"
    # And mistypes the post-thaw viability
    page.fill("form.step[data-step=thaw] input[name=viability_pct]", "925")
    page.click("form.step[data-step=thaw] button")
    # Then a red banner names the rule and nothing is recorded
    page.wait_for_selector("#banner.bad")
    assert "R-CB-6" in page.inner_text("#banner")
    screenshot(page, "scan-refused")
    # When the thaw is recorded with a good viability
    page.fill("form.step[data-step=thaw] input[name=viability_pct]", "92.5")
    page.click("form.step[data-step=thaw] button")
    # Then it is recorded and the card shows the vial thawed, with no thaw step left
    page.wait_for_selector("#banner.ok")
    page.wait_for_selector("#item-card[data-status=thawed]")
    assert page.locator("form.step[data-step=thaw]").count() == 0
    # And the scan field has the focus again, for the next scan (no click needed, gloves on)
    assert page.evaluate("document.activeElement.id") == "scan"
    # And the thaw carries the tablet's own clock beside the server's (R-LED-2)
    history = httpx.get(f"{server}/api/v1/items/{VIAL}/history", headers=bearer(server, "qa"))
    assert history.json()[-1]["client_time"] is not None
    screenshot(page, "scan-recorded")


def test_r_id_1_mistyped_scan_is_refused_with_the_rule(browser: Any, server: str) -> None:
    page = _signed_in(browser, server, "operator")
    page.fill("#scan", VIAL[:-1] + "X")
    page.keyboard.press("Enter")
    page.wait_for_selector("#banner.bad")
    assert "R-ID-1" in page.inner_text("#banner")


def test_r_ppl_1_wrong_password_is_shown_at_sign_in(browser: Any, server: str) -> None:
    page = browser.new_context().new_page()
    page.goto(f"{server}/scan")
    page.fill("#signin-form input[name=username]", STAFF["operator"])
    page.fill("#signin-form input[name=password]", "wrong password")
    page.click("#signin-form button")
    page.wait_for_selector("#signin-error", state="visible")
    # The same answer as for an unknown person (R-ACC-4)
    assert "wrong person code or password" in page.inner_text("#signin-error")


def _scan(page: Any, code: str) -> None:
    page.fill("#scan", code)
    page.keyboard.press("Enter")


def test_r_pro_1_operator_records_a_passage_from_a_scan(
    browser: Any, server: str, material_lots: dict[str, str]
) -> None:
    page = _signed_in(browser, server, "operator")
    medium = material_lots["MEM-ALPHA"]
    vial = _bank_vial(18)  # another working-bank vial in storage
    # Given the operator thaws a vial and starts a culture from it, scanning the medium lot
    _scan(page, vial)
    page.fill("form.step[data-step=thaw] input[name=viability_pct]", "91")
    page.click("form.step[data-step=thaw] button")
    page.wait_for_selector("form.step[data-step=start_culture]")
    page.fill("form.step[data-step=start_culture] input[name='medium.0.lot']", medium)
    page.click("form.step[data-step=start_culture] button")
    page.wait_for_selector("#banner.ok")
    culture = page.inner_text("#banner .rule")
    assert culture.startswith("CUL-")
    # When the culture's label is scanned and a passage over the bank's limit is recorded
    _scan(page, culture)
    page.wait_for_selector("form.step[data-step=passage]")
    form = "form.step[data-step=passage]"
    page.fill(f"{form} input[name=number]", "11")
    page.fill(f"{form} input[name='medium.0.lot']", medium)
    page.click(f"{form} button")
    # Then it is refused with R-PRO-1
    page.wait_for_selector("#banner.bad")
    assert "R-PRO-1" in page.inner_text("#banner")
    # And the passage within the limit is recorded
    page.fill(f"{form} input[name=number]", "7")
    page.click(f"{form} button")
    page.wait_for_selector("#banner.ok")
    assert "Record a passage" in page.inner_text("#banner")
    screenshot(page, "scan-passage")


def test_r_cb_6_the_chinese_station_shows_the_refusal_in_chinese(browser: Any, server: str) -> None:
    # Given the operator on the Chinese page (in a browser that asks for English by default)
    page = _signed_in(browser, server, "operator", lang="zh")
    assert page.get_attribute("html", "lang") == "zh-Hans"
    # When a vial is scanned and an impossible post-thaw viability is recorded
    _scan(page, _bank_vial(19))  # a working-bank vial still in storage
    page.fill("form.step[data-step=thaw] input[name=viability_pct]", "925")
    page.click("form.step[data-step=thaw] button")
    # Then the red banner is Chinese and keeps the rule ID; nothing was recorded
    page.wait_for_selector("#banner.bad")
    banner = page.inner_text("#banner")
    assert "已拒绝" in banner
    assert "R-CB-6: 复苏后活率 925" in banner and "不可能" in banner
    assert "impossible" not in banner
    assert page.get_attribute("#item-card", "data-status") == "in storage"
    screenshot(page, "scan-refused-zh")
    # And a mistyped code is refused in Chinese too (R-ID-1)
    _scan(page, _bank_vial(19)[:-1] + "X")
    page.wait_for_selector("#banner.bad")
    banner = page.inner_text("#banner")
    assert "R-ID-1" in banner and "校验字符不匹配" in banner


# Every fetch the page starts, logged as it starts (the wrapper runs in the page's own task).
_FETCH_LOG = """
window.fetches = [];
var original = window.fetch;
window.fetch = function (path, init) {
  window.fetches.push(((init && init.method) || "GET") + " " + path);
  return original.apply(this, arguments);
};
"""


def test_a_scan_made_while_a_step_is_being_recorded_wins(browser: Any, server: str) -> None:
    page = _signed_in(browser, server, "operator")
    page.add_init_script(_FETCH_LOG)
    page.reload()
    page.wait_for_selector("#scan", state="visible")
    thawed, scanned = _bank_vial(20), _bank_vial(21)  # two working-bank vials in storage
    # Given a refused thaw left its red banner on the screen
    _scan(page, thawed)
    form = "form.step[data-step=thaw]"
    page.fill(f"{form} input[name=viability_pct]", "925")
    page.click(f"{form} button")
    page.wait_for_selector("#banner.bad")
    # When the operator records the thaw and the answer is slow to come
    held: list[Any] = []
    page.route("**/thaw", lambda route: held.append(route))
    page.fill(f"{form} input[name=viability_pct]", "90")
    page.click(f"{form} button")
    page.wait_for_selector(f"{form} button[disabled]")
    # Then the old banner is gone (an answer seen now is this step's) and a second press waits
    assert page.locator("#banner").is_hidden()
    # When the operator scans the next vial meanwhile, and then the thaw's answer arrives
    _scan(page, scanned)
    page.wait_for_selector(f"#item-card:has-text('{scanned}')")
    before = len(page.evaluate("window.fetches"))
    for _ in range(1000):  # the route handler runs when Playwright next reads the page's events
        if held:
            break
        page.wait_for_timeout(10)
    held[0].continue_()
    page.wait_for_selector("#banner.ok")
    # Then the thaw is confirmed and the thawed vial is not opened again over the one scanned
    assert not [f for f in page.evaluate("window.fetches")[before:] if thawed in f]
    assert scanned in page.inner_text("#item-card")
