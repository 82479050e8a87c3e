"""A shipment's steps at the operator station in a real browser: the operator uploads the
logger's CSV file and hands the shipment over, the pharmacist takes delivery and re-inspects
it with scanned lists of passed and failed vials, the site QP releases it with their
password, and the pharmacist counts the site's stock against the numbers the card shows
(R-SHP-1..4, R-QC-4, R-LED-5, R-QMS-6)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx

from ledger.config import Settings
from ledger.identifiers import ItemType, format_code
from ledger.storage.db import create_db_engine
from ledger.stores.credentials import Credentials
from tests.browser.conftest import STAFF_PASSWORD

YEAR = datetime.now(UTC).year
PEOPLE = {
    role: format_code(ItemType.PERSON, "F01", YEAR, n)
    for role, n in (("operator", 2), ("qp", 5), ("pharmacist", 6))
}
# The demo fills ten vials, ships the first five and keeps the tenth as the retained sample:
# these two are still in the plant's stock.
VIALS = [format_code(ItemType.PRODUCT_VIAL, "F01", YEAR, n) for n in (8, 9)]
SITE = format_code(ItemType.SITE, "F01", YEAR, 1)


def _signed_in(browser: Any, server: str, code: str) -> Any:
    page = browser.new_context(viewport={"width": 1024, "height": 1400}).new_page()
    page.goto(f"{server}/scan")
    page.fill("#signin-form input[name=username]", code)
    page.fill("#signin-form input[name=password]", STAFF_PASSWORD)
    page.click("#signin-form button")
    page.wait_for_selector("#scan", state="visible")
    return page


def _record(page: Any, step: str) -> str:
    page.click(f"form.step[data-step={step}] button")
    page.wait_for_selector("#banner.ok, #banner.bad")
    text: str = page.inner_text("#banner")
    assert page.locator("#banner.ok").count() == 1, text
    return text


def _shipment(server: str) -> str:
    """A new shipment of the two vials, packed by the operator through the API."""
    token = httpx.post(
        f"{server}/api/v1/auth/token",
        data={"username": PEOPLE["operator"], "password": STAFF_PASSWORD},
    ).json()["access_token"]
    shipped = httpx.post(
        f"{server}/api/v1/shipments",
        json={
            "site": SITE,
            "containers": [{"vials": VIALS}],
            "courier": "WB-BROWSER",
            "logger_interval_minutes": 10,
        },
        headers={"Authorization": f"Bearer {token}"},
    )
    assert shipped.status_code == 201, shipped.text
    code: str = shipped.json()["code"]
    return code


def test_r_shp_3_shipment_steps_from_scans_to_the_signed_qp_release(
    browser: Any, server: str, demo_settings: Settings
) -> None:
    credentials = Credentials(create_db_engine(demo_settings))
    for code in PEOPLE.values():
        credentials.set_password(code, STAFF_PASSWORD)
    credentials.engine.dispose()
    shipment = _shipment(server)
    # The operator scans the shipment and uploads the logger's file, then hands it over
    page = _signed_in(browser, server, PEOPLE["operator"])
    page.fill("#scan", shipment)
    page.keyboard.press("Enter")
    form = "form.step[data-step=logger_upload]"
    page.wait_for_selector(form)
    page.fill(f"{form} input[name=logger]", "LG-21")
    now = datetime.now(UTC).isoformat()
    csv = f"timestamp,temperature\n{now},-79.0\n".encode()
    page.set_input_files(
        f"{form} input[name=csv]", {"name": "LG-21.csv", "mimeType": "text/csv", "buffer": csv}
    )
    _record(page, "logger_upload")
    page.fill("form.step[data-step=hand_off] input[name=custodian]", "driver 5")
    _record(page, "hand_off")
    # The pharmacist takes delivery and re-inspects: one passed, one failed with its reason
    page = _signed_in(browser, server, PEOPLE["pharmacist"])
    page.fill("#scan", shipment)
    page.keyboard.press("Enter")
    page.wait_for_selector("form.step[data-step=deliver]")
    _record(page, "deliver")
    form = "form.step[data-step=inspect_receipt]"
    page.wait_for_selector(form)
    page.fill(f"{form} textarea[name=passed]", f"{VIALS[0]}\n")
    page.fill(f"{form} textarea[name=failed]", f"{VIALS[1]} label torn\n")
    _record(page, "inspect_receipt")
    page.fill("#scan", VIALS[1])  # read after the station's last write
    page.keyboard.press("Enter")
    page.wait_for_selector("#item-card[data-status='on hold']")
    assert "label torn" in page.inner_text("#item-card")
    # The QP releases it, signing with their password
    page = _signed_in(browser, server, PEOPLE["qp"])
    page.fill("#scan", shipment)
    page.keyboard.press("Enter")
    form = "form.step[data-step=qp_release]"
    page.wait_for_selector(form)
    # Beside the release form, the shipment's temperature record against its band (R-SHP-4)
    page.wait_for_selector("#temperature svg.temperature .band")
    assert page.locator("#temperature svg.temperature .readings").count() == 1
    page.fill(f"{form} input[name='signature.password']", STAFF_PASSWORD)
    # The form shows what the signature means, and sends it (R-LED-5, 21 CFR 11.50)
    assert "You sign this as: released" in page.inner_text(f"{form} .signing-as")
    _record(page, "qp_release")
    page.wait_for_selector("#item-card[data-status='released for use']")
    # The pharmacist sees the shipment's numbers on its card and counts the site's stock
    page = _signed_in(browser, server, PEOPLE["pharmacist"])
    page.fill("#scan", shipment)
    page.keyboard.press("Enter")
    form = "form.step[data-step=reconcile_shipment]"
    page.wait_for_selector(form)
    card = page.inner_text("#item-card")
    assert "shipped 2 = administered 0 + returned 0 + destroyed 0 + in stock 2" in card, card
    page.fill(f"{form} input[name=in_stock]", "2")
    _record(page, "reconcile_shipment")
