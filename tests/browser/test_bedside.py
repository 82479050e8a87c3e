"""The bedside page in a real browser (R-CLN-2, R-CLN-3, R-LED-5): the nurse scans the vial and
the wristband with the keyboard-wedge fields, enters dose and route, and gets a full-screen GO,
records the thaw and the administration signed by both people (a wrong pharmacist password is
refused); a wrong vial, dose and route give a full-screen NO-GO listing every reason with its
rule. The page also works in Chinese."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from ledger.api.pages.i18n import MESSAGES
from ledger.application import Actor
from ledger.config import Settings
from ledger.identifiers import ItemType
from tests.browser.conftest import STAFF, STAFF_PASSWORD, bearer, screenshot
from tests.codes import demo_code

DOSED = demo_code(ItemType.PATIENT, 1)  # the demo's patient, dosed at the end of the demo
PATIENT = demo_code(ItemType.PATIENT, 4)  # enrolled here, cohort high (1.0 mL)
GO_VIAL = demo_code(ItemType.PRODUCT_VIAL, 2)  # released at the site, dispensed for PATIENT
WARM_VIAL = demo_code(ItemType.PRODUCT_VIAL, 4)  # in the shipment whose logger read -41.2 C
SECOND_VIAL = demo_code(ItemType.PRODUCT_VIAL, 6)  # shipped here, dispensed for DOSED
UNDISPENSED_VIAL = demo_code(ItemType.PRODUCT_VIAL, 7)  # shipped here, dispensed for nobody
STUDY = demo_code(ItemType.STUDY, 1)
SITE = demo_code(ItemType.SITE, 1)
FREEZER = demo_code(ItemType.STORAGE_UNIT, 2)  # the site's monitored freezer (R-SHP-5)
INVESTIGATOR = demo_code(ItemType.PERSON, 8)
QP = demo_code(ItemType.PERSON, 5)


@pytest.fixture(scope="module")
def study_resumed(demo_settings: Settings) -> Iterator[None]:
    """The demo ends with the study paused by a serious adverse event; the ethics committee
    resumes it so that a bedside check can be go (R-CLN-4). A new subject is enrolled and the
    demo's second released vial dispensed for them; two more vials are shipped to the site,
    one dispensed for the demo's dosed patient, one for nobody (R-CLN-7, R-CLN-8)."""
    from ledger.bootstrap import open_ledger
    from ledger.domain.patient import Consent

    app = open_ledger(demo_settings)
    try:
        for code in (INVESTIGATOR, QP):
            app.credentials.set_password(code, STAFF_PASSWORD)  # their steps are signed
        investigator = Actor(INVESTIGATOR, "investigator").signed(STAFF_PASSWORD)
        app.record_ethics_decision(investigator, STUDY, "resume", "EC-2026-017", "not related")
        consent = Consent(form_version="ICF v2.0", signed_on=app.today())
        enrolled, _ = app.enrol_patient(investigator, STUDY, SITE, "high", consent)
        assert enrolled == PATIENT
        operator, pharmacist = (
            Actor(STAFF["operator"], "operator"),
            Actor(STAFF["pharmacist"], "pharmacist"),
        )
        vials = [SECOND_VIAL, UNDISPENSED_VIAL]
        shipment, _, _ = app.ship_vials(operator, SITE, [vials], "ColdCourier WB-7", 10)
        csv = f"timestamp,temperature\n{app.clock().isoformat()},-78.0\n"
        app.upload_logger_file(operator, shipment, "LG-7", csv)
        app.deliver_shipment(pharmacist, shipment, app.clock())
        app.inspect_receipt(pharmacist, shipment, vials)
        app.release_for_use(Actor(QP, "qp").signed(STAFF_PASSWORD), shipment)
        app.store_vials(pharmacist, shipment, vials, "rack 3/box 2", -80, FREEZER)
        app.dispense(pharmacist, PATIENT, "Ward 5 treatment room", GO_VIAL)
        app.dispense(pharmacist, DOSED, "Ward 5 treatment room", SECOND_VIAL)
    finally:
        app.close()
    yield


def _nurse_page(browser: Any, server: str, lang: str = "en") -> Any:
    page = browser.new_context(viewport={"width": 1024, "height": 1100}).new_page()
    page.goto(f"{server}/bedside?lang={lang}")
    page.fill("#signin-form input[name=username]", STAFF["nurse"])
    page.fill("#signin-form input[name=password]", STAFF_PASSWORD)
    page.click("#signin-form button")
    page.wait_for_selector("#vial", state="visible")
    return page


def _check(
    page: Any, vial: str, dose: str, route: str, shot: str = "", patient: str = PATIENT
) -> None:
    # A wedge scanner types the label's link and Enter: the focus moves on to the next field.
    assert page.evaluate("document.activeElement.id") == "vial"
    page.keyboard.type(f"http://labels.example/v/{vial}\n")
    assert page.evaluate("document.activeElement.id") == "patient"
    page.keyboard.type(f"{patient}\n")
    assert page.evaluate("document.activeElement.id") == "dose"
    page.keyboard.type(f"{dose}\n")
    page.select_option("#route", route)
    if shot:
        screenshot(page, shot)
    page.click("#check-form button[type=submit]")


def test_r_cln_3_bedside_go_then_thaw_and_administration_signed_by_both(
    browser: Any, server: str, study_resumed: None
) -> None:
    page = _nurse_page(browser, server)
    # When the nurse scans a released vial and the wristband, 1.0 mL intravenous
    _check(page, GO_VIAL, "1.0", "intravenous")
    # Then the wristband's prescription was shown as a hint (cohort doses, protocol routes)
    page.wait_for_function(
        # a function, not an expression: the page's CSP forbids eval, which a polled
        # expression needs
        "() => document.getElementById('prescription').textContent"
        ".indexOf('Cohort high: 1 mL') === 0"
    )
    assert "Intravenous, Intra-arterial" in page.text_content("#prescription")
    # And the whole screen is a green GO with no reason
    page.wait_for_selector("#verdict.go", state="visible")
    assert "GO" in page.inner_text("#verdict-word")
    assert page.locator("#reasons li").count() == 0
    assert GO_VIAL in page.inner_text("#verdict-summary")
    screenshot(page, "bedside-go")
    # When the thaw is recorded
    page.click("#thaw")
    page.wait_for_selector("#thawed", state="visible")
    # And the administration is signed with a wrong pharmacist password
    form = "#administer-form"
    page.fill(f"{form} input[name=pharmacist]", STAFF["pharmacist"])
    page.fill(f"{form} input[name=pharmacist_password]", "not the password")
    page.fill(f"{form} input[name=password]", STAFF_PASSWORD)
    page.click(f"{form} button[type=submit]")
    # Then the signature is refused in a red banner naming the rule
    page.wait_for_selector("#verdict-banner.bad")
    assert "R-LED-5" in page.inner_text("#verdict-banner")
    # When both re-enter their right passwords
    page.fill(f"{form} input[name=pharmacist_password]", STAFF_PASSWORD)
    page.fill(f"{form} input[name=password]", STAFF_PASSWORD)
    page.click(f"{form} button[type=submit]")
    # Then the administration is recorded with its number and notification id
    page.wait_for_selector("#verdict-banner.ok")
    assert "Administration no.: 1" in page.inner_text("#verdict-banner")
    screenshot(page, "bedside-administered")
    # And the ledger shows the vial administered and the patient's last event by the nurse
    after = page.get_attribute("#verdict-banner", "data-notification")
    headers = bearer(server, "pharmacist")
    vial = httpx.get(
        f"{server}/api/v1/items/{GO_VIAL}", params={"after": after}, headers=headers
    ).json()
    assert vial["status"] == "administered"
    history = httpx.get(
        f"{server}/api/v1/items/{PATIENT}/history", params={"after": after}, headers=headers
    )
    last = history.json()[-1]
    assert last["event_type"].endswith(".Administered") and last["actor_id"] == STAFF["nurse"]


def test_r_cln_7_a_second_dose_inside_the_interval_is_no_go(
    browser: Any, server: str, study_resumed: None
) -> None:
    page = _nurse_page(browser, server)
    # When the nurse scans a vial dispensed for the demo's patient, dosed minutes ago
    _check(page, SECOND_VIAL, "1.0", "intravenous", patient=DOSED)
    # Then the prescription hint shows the doses given and when the next is due
    page.wait_for_function(
        "() => document.getElementById('prescription').textContent.indexOf('1 of 2 given') > 0"
    )
    assert "next dose from" in page.text_content("#prescription")
    # And it is NO-GO with the interval as the only reason
    page.wait_for_selector("#verdict.no-go", state="visible")
    rules = page.eval_on_selector_all("#reasons .rule-id", "els => els.map(e => e.textContent)")
    assert rules == ["R-CLN-7"]
    assert "672 h between doses" in page.inner_text("#reasons")
    screenshot(page, "bedside-second-dose")


def test_r_cln_8_a_vial_not_dispensed_for_the_patient_is_no_go(
    browser: Any, server: str, study_resumed: None
) -> None:
    page = _nurse_page(browser, server)
    _check(page, UNDISPENSED_VIAL, "1.0", "intravenous")
    page.wait_for_selector("#verdict.no-go", state="visible")
    rules = page.eval_on_selector_all("#reasons .rule-id", "els => els.map(e => e.textContent)")
    # (the subject may also have been dosed by this module's go test: R-CLN-7 then)
    assert rules[0] == "R-CLN-8" and set(rules) <= {"R-CLN-8", "R-CLN-7"}
    assert f"{UNDISPENSED_VIAL} was not dispensed for {PATIENT}" in page.inner_text("#reasons")


def test_r_cln_2_bedside_no_go_lists_every_reason_with_its_rule(
    browser: Any, server: str, study_resumed: None
) -> None:
    page = _nurse_page(browser, server)
    # When the nurse scans a vial from the warm shipment, with a wrong dose and route
    _check(page, WARM_VIAL, "2", "intranasal", shot="bedside-scan")
    # Then the whole screen is a red NO-GO listing every reason with its rule ID
    page.wait_for_selector("#verdict.no-go", state="visible")
    assert "NO-GO" in page.inner_text("#verdict-word")
    rules = page.eval_on_selector_all("#reasons .rule-id", "els => els.map(e => e.textContent)")
    assert {"R-QC-4", "R-SHP-2", "R-CLN-2"} <= set(rules)
    assert len(rules) >= 4
    text = page.inner_text("#reasons")
    assert "intranasal" in text and "2 mL" in text
    # And nothing can be recorded from it
    assert not page.is_visible("#thaw") and not page.is_visible("#administer-form")
    screenshot(page, "bedside-no-go")
    # When the nurse goes back, the fields keep what was scanned for correcting
    page.click("#back")
    assert page.input_value("#vial") == WARM_VIAL
    assert page.evaluate("document.activeElement.id") == "vial"


def test_bedside_page_in_chinese(browser: Any, server: str, study_resumed: None) -> None:
    page = _nurse_page(browser, server, "zh")
    # Then every page text is Chinese, the routes too
    assert "床旁给药核对" in page.inner_text("h1")
    assert MESSAGES["bedside.vial"]["zh"] in page.inner_text("#check-form")
    assert "静脉注射" in page.inner_text("#route")
    assert "操作员工作站" in page.inner_text("header nav")
    # And a NO-GO screen is in Chinese, the rule messages asked for in Chinese
    with page.expect_request("**/api/v1/bedside/verify") as sent:
        _check(page, WARM_VIAL, "2", "intranasal")
    assert sent.value.headers.get("accept-language") == "zh"
    page.wait_for_selector("#verdict.no-go", state="visible")
    assert "禁止给药" in page.inner_text("#verdict-word")
    assert "鼻内给药" in page.inner_text("#verdict-summary")
    screenshot(page, "bedside-no-go-zh")
