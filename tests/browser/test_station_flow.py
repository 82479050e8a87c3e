"""The station pages as a scanner and a gloved hand use them, on a phone (390x844) and a tablet
(1024x768), in English and Chinese, one browser context each (R-ACC-3, R-ID-2, R-CLN-2):

- sign-in: the person field has the focus, a scanned badge (its label's link) fills the person
  code, a person holding two roles is offered them as buttons and signs in with one (the roles
  are never named to a wrong password), and the device remembers recent people until forgotten;
- /scan: Enter in a step form's field moves on and never records with the defaults, only the
  Record button records, after which the scan field has the focus; the card shows where the
  item is and its lot and expiry when it has them;
- /bedside: a NO-GO opens with its headline in view, and a refused signature's banner is
  brought into view with the verdict still on screen;
- /v/CODE: a fragment changed in the same tab is checked again and shows invalid.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from label_printing.payload import qr_text
from label_printing.signing import load_label_signer
from label_printing.stages import generic_label
from ledger.api.pages.i18n import MESSAGES
from ledger.application import Actor
from ledger.config import Settings
from ledger.identifiers import ItemType
from ledger.messages import term
from tests.browser.conftest import STAFF, STAFF_PASSWORD, screenshot
from tests.codes import demo_code

SIZES = {"phone": (390, 844), "tablet": (1024, 768)}
COMBINATIONS = [("phone", "en"), ("phone", "zh"), ("tablet", "en"), ("tablet", "zh")]
# A working-bank vial in storage after the demo for each combination (other tests use 17-21).
VIALS = {combo: demo_code(ItemType.BANK_VIAL, 30 + i) for i, combo in enumerate(COMBINATIONS)}
ADMINISTERED = demo_code(ItemType.PRODUCT_VIAL, 1)  # the demo's dose: lot, expiry, patient
WARM_VIAL = demo_code(ItemType.PRODUCT_VIAL, 4)  # in the shipment whose logger read -41.2 C
DOSED = demo_code(ItemType.PATIENT, 1)  # the demo's patient, in the study the demo pauses
ADMINISTRATOR = demo_code(ItemType.PERSON, 1)

# Every fetch the page starts, logged as it starts (the wrapper runs in the page's own task).
FETCH_LOG = """
window.fetches = [];
var original = window.fetch;
window.fetch = function (path, init) {
  window.fetches.push(((init && init.method) || "GET") + " " + path);
  return original.apply(this, arguments);
};
"""
IN_VIEW = """id => {
  const r = document.getElementById(id).getBoundingClientRect();
  return r.height > 0 && r.top >= 0 && r.bottom <= window.innerHeight;
}"""


def _text(key: str, lang: str) -> str:
    return MESSAGES[key][lang]


@pytest.fixture(scope="module")
def two_roles(demo_settings: Settings) -> str:
    """A person holding the roles operator and QA, signing in with the staff password."""
    from ledger.bootstrap import open_ledger

    app = open_ledger(demo_settings)
    try:
        app.credentials.set_password(ADMINISTRATOR, STAFF_PASSWORD)
        admin = Actor(ADMINISTRATOR, "administrator").signed(STAFF_PASSWORD)
        person, _ = app.register_person(admin, ["operator", "qa"])
        app.credentials.set_password(person, STAFF_PASSWORD)
    finally:
        app.close()
    return person


@pytest.fixture(scope="module")
def badge(demo_settings: Settings, server: str, two_roles: str) -> str:
    """The QR text of that person's badge: their page link with the signed label data."""
    content = generic_label(code=two_roles, product="Staff badge", facility="F01")
    return qr_text(content, load_label_signer(demo_settings), server)


def test_r_acc_4_only_the_right_password_is_told_the_person_s_roles(
    server: str, two_roles: str
) -> None:
    # When the person holding two roles signs in without naming one, with a wrong password
    url, asked = f"{server}/api/v1/auth/token", {"username": two_roles}
    wrong = httpx.post(url, data={**asked, "password": "not the password"})
    # Then the answer is the same as for an unknown person, no roles in it
    assert wrong.status_code == 401 and "roles" not in wrong.json()
    assert wrong.json()["detail"] == "Sign-in refused: wrong person code or password."
    # When the password is right, the answer lists the roles to choose from, in its language
    right = httpx.post(
        url, data={**asked, "password": STAFF_PASSWORD}, headers={"Accept-Language": "zh"}
    )
    assert right.status_code == 401
    assert [r["role"] for r in right.json()["roles"]] == ["operator", "qa"]
    assert right.json()["roles"][0]["label"].startswith("操作员")
    assert right.json()["detail"].startswith("请选择本次操作的角色")


@pytest.mark.parametrize(("size", "lang"), COMBINATIONS)
def test_r_acc_3_station_pages_work_by_scanner_and_tap(
    browser: Any, server: str, two_roles: str, badge: str, size: str, lang: str
) -> None:
    width, height = SIZES[size]
    context = browser.new_context(
        viewport={"width": width, "height": height}, locale="zh-CN" if lang == "zh" else "en-GB"
    )
    context.add_init_script(FETCH_LOG)
    page = context.new_page()
    page.goto(f"{server}/scan?lang={lang}")
    # The tab shows the CellTrace mark
    icon = page.evaluate(
        "fetch(document.querySelector('link[rel=icon]').href)"
        ".then(r => r.ok ? r.headers.get('content-type') : String(r.status))"
    )
    assert icon.startswith("image/svg+xml")
    _signs_in_by_badge_with_a_chosen_role(page, two_roles, badge, lang)
    _records_a_step_only_from_the_record_button(page, server, VIALS[size, lang], lang, size)
    bedside = context.new_page()
    bedside.goto(f"{server}/bedside?lang={lang}")
    _shows_the_verdict_and_the_refused_signature_in_view(bedside, lang, size)
    label = context.new_page()
    _checks_a_changed_fragment_again(label, badge, lang)
    # And the auditor's trace page signs in the same way, the person field focused
    label.goto(f"{server}/trace/{ADMINISTERED}")
    assert label.evaluate("document.activeElement.name") == "username"


def _signs_in_by_badge_with_a_chosen_role(page: Any, person: str, badge: str, lang: str) -> None:
    form = "#signin-form"
    # Given the sign-in form: the person field has the focus, no role field to type into
    assert page.evaluate("document.activeElement.name") == "username"
    assert page.locator(f"{form} input[name=role]").count() == 0
    # When the badge is scanned (the scanner types its label's link and Enter)
    page.keyboard.type(f"{badge}\n")
    # Then the field keeps the person code and the password has the focus
    assert page.input_value(f"{form} input[name=username]") == person
    assert page.evaluate("document.activeElement.name") == "password"
    # When the password is typed, no role named
    with page.expect_response("**/api/v1/auth/token") as first:
        page.keyboard.type(f"{STAFF_PASSWORD}\n")
    assert first.value.status == 401
    # Then both roles are offered as buttons, in a sentence that says what to do
    page.wait_for_selector("#role-choice", state="visible")
    roles = page.eval_on_selector_all("#role-options button", "bs => bs.map(b => b.dataset.role)")
    assert roles == ["operator", "qa"]
    question = page.inner_text("#role-question")
    if lang == "en":
        assert question == f"{person} holds the roles operator and qa; choose one."
    else:
        assert question.startswith(f"{person} 拥有的角色为") and "操作员" in question
    assert page.locator("#signin-error").is_hidden()
    # When the operator role is tapped
    with page.expect_request("**/api/v1/auth/token") as chosen:
        page.click("#role-options button[data-role=operator]")
    # Then the person is signed in in that role, at a station (R-ACC-3)
    page.wait_for_selector("#scan", state="visible")
    assert "role=operator" in (chosen.value.post_data or "")
    assert "station=true" in (chosen.value.post_data or "")
    assert page.inner_text("#who") == f"{person} ({term('operator', lang)})"
    # When they sign out, the device offers them as a recent person, code only
    page.click("#signout")
    page.wait_for_selector("#recent-people", state="visible")
    assert page.evaluate("document.activeElement.name") == "username"
    stored = page.evaluate("localStorage.getItem('ct-recent-people')")
    assert json.loads(stored) == [person]
    # And a tap on it fills the person field, the password next
    page.click(f"#recent-list button[data-code='{person}']")
    assert page.input_value(f"{form} input[name=username]") == person
    assert page.evaluate("document.activeElement.name") == "password"
    # When the list is forgotten, it is gone from the screen and the device
    page.click("#forget-people")
    assert page.locator("#recent-people").is_hidden()
    assert page.evaluate("localStorage.getItem('ct-recent-people')") is None
    # And a person holding one role signs in without being asked for it
    page.fill(f"{form} input[name=username]", STAFF["operator"])
    page.fill(f"{form} input[name=password]", STAFF_PASSWORD)
    page.click(f"{form} button[type=submit]")
    page.wait_for_selector("#scan", state="visible")
    assert page.inner_text("#who") == f"{STAFF['operator']} ({term('operator', lang)})"


def _records_a_step_only_from_the_record_button(
    page: Any, server: str, vial: str, lang: str, size: str
) -> None:
    # Given a scanned vial in storage: its card says where it is, and no lot or expiry
    page.keyboard.type(f"{server}/v/{vial}\n")
    form = "form.step[data-step=thaw]"
    page.wait_for_selector(form)
    assert page.inner_text("#item-location").startswith("UNT-")
    assert _text("item.location", lang) in page.inner_text("#item-card")
    assert page.locator("#item-lot, #item-expiry").count() == 0
    if size == "phone":
        screenshot(page, f"station-scan-{lang}")
    thaw = f"/api/v1/vials/{vial}/thaw"
    # When Enter is pressed in the form's first field (a select with its default)
    page.focus(f"{form} select[name=purpose]")
    page.keyboard.press("Enter")
    # Then the focus moves on to the next field
    assert page.evaluate("document.activeElement.name") == "viability_pct"
    # When the scanner's Enter follows a value in the last field
    page.keyboard.type("91\n")
    # Then nothing was sent and the form waits for its Record button, the focus still there
    assert not [f for f in page.evaluate("window.fetches") if f == f"POST {thaw}"]
    assert page.locator(f"{form} button[disabled]").count() == 0
    assert page.locator("#banner").is_hidden()
    assert page.evaluate("document.activeElement.name") == "viability_pct"
    # When the Record button is tapped
    with page.expect_response(f"**{thaw}") as recorded:
        page.click(f"{form} button")
    assert recorded.value.status == 200
    # Then the step is recorded once, and the scan field has the focus for the next scan
    page.wait_for_selector("#banner.ok")
    page.wait_for_selector("#item-card[data-status=thawed]")
    assert [f for f in page.evaluate("window.fetches") if f == f"POST {thaw}"] == [f"POST {thaw}"]
    assert page.evaluate("document.activeElement.id") == "scan"
    # And an administered vial's card shows its lot, expiry and where it went
    page.keyboard.type(f"{ADMINISTERED}\n")
    page.wait_for_selector(f"#item-card:has-text('{ADMINISTERED}')")
    assert page.inner_text("#item-lot").startswith("LOT-")
    assert page.inner_text("#item-expiry")[:2] == "20"
    assert DOSED in page.inner_text("#item-location")
    assert _text("item.expiry", lang) in page.inner_text("#item-card")


def _shows_the_verdict_and_the_refused_signature_in_view(page: Any, lang: str, size: str) -> None:
    # Given the nurse signed in (the person field had the focus)
    assert page.evaluate("document.activeElement.name") == "username"
    page.keyboard.type(f"{STAFF['nurse']}\n{STAFF_PASSWORD}\n")
    page.wait_for_selector("#vial", state="visible")
    if size == "phone":
        screenshot(page, f"station-bedside-{lang}")
    # When a vial from the warm shipment is checked with a wrong dose and route
    page.keyboard.type(f"{WARM_VIAL}\n{DOSED}\n2\n")
    page.select_option("#route", "intranasal")
    page.click("#check-form button[type=submit]")
    # Then the NO-GO opens at its top: the headline and what it means on the screen
    page.wait_for_selector("#verdict.no-go", state="visible")
    assert page.inner_text("#verdict-word") == _text("bedside.no_go", lang)
    assert page.evaluate(IN_VIEW, "verdict-word")
    assert page.evaluate(IN_VIEW, "verdict-note")
    assert page.locator("#reasons li").count() >= 3
    page.click("#back")
    # When a GO is given and the pharmacist's signature is refused (answers stubbed here, so
    # that no vial is used up and no password is counted wrong)
    page.route(
        "**/api/v1/bedside/verify",
        lambda route: route.fulfill(json={"decision": "go", "reasons": []}),
    )
    page.route(
        "**/api/v1/bedside/thaw",
        lambda route: route.fulfill(json={"notification_id": 1, "events": 1}),
    )
    refused = {
        "error": "unauthorized",
        "detail": "R-LED-5: the signature was refused",
        "violations": [{"rule": "R-LED-5", "message": "the signature was refused"}],
    }
    page.route(
        "**/api/v1/bedside/administer", lambda route: route.fulfill(status=401, json=refused)
    )
    page.click("#check-form button[type=submit]")
    page.wait_for_selector("#verdict.go", state="visible")
    assert page.evaluate(IN_VIEW, "verdict-word")
    page.click("#thaw")
    page.wait_for_selector("#thawed", state="visible")
    page.keyboard.type(f"{STAFF['pharmacist']}\nnot the password")
    page.fill("#administer-form input[name=password]", STAFF_PASSWORD)
    page.focus("#administer-form input[name=password]")
    page.evaluate("document.getElementById('verdict').scrollTop = 0")
    page.keyboard.press("Enter")
    # Then the refusal is brought into view, and the verdict stays on the screen above it
    page.wait_for_selector("#verdict-banner.bad")
    assert "R-LED-5" in page.inner_text("#verdict-banner")
    assert page.evaluate(IN_VIEW, "verdict-banner")
    assert page.evaluate(IN_VIEW, "verdict-word")


def _checks_a_changed_fragment_again(page: Any, badge: str, lang: str) -> None:
    # Given a badge's label page, its signature valid
    page.goto(badge)
    page.wait_for_selector("#label-check.ok")
    assert page.inner_text("#label-check") == _text("label.valid", lang)
    # When only the fragment is changed in the same tab (the signed data tampered with)
    tampered = badge.split("#", 1)[1][:-3] + ("AAA" if not badge.endswith("AAA") else "BBB")
    seen = page.evaluate(
        """hash => new Promise(done => {
          window.addEventListener("hashchange", () => done(
            document.getElementById("label-check").className), {once: true});
          location.hash = hash;
        })""",
        tampered,
    )
    # Then the earlier "valid" is gone at once, and the check answers invalid
    assert seen == "banner info"
    page.wait_for_selector("#label-check.bad")
    assert _text("label.invalid", lang) in page.inner_text("#label-check")
    assert page.inner_text("#label-lot") == "-"
