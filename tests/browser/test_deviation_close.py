"""QA closes a deviation at the station in a real browser (R-QMS-2, R-QMS-4, R-LED-5): the
deviation's code is scanned, the close form shows the meaning of the signature, QA writes the
impact assessment and root cause, scans the CAPA action and signs with their password."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx

from ledger.identifiers import ItemType, format_code
from tests.browser.conftest import STAFF_PASSWORD

YEAR = datetime.now(UTC).year
OPERATOR, QA = (format_code(ItemType.PERSON, "F01", YEAR, n) for n in (2, 4))
# The demo's second donor was found ineligible: nothing is made from them
DONOR = format_code(ItemType.DONOR, "F01", YEAR, 2)


def _post(server: str, person: str, path: str, body: dict[str, Any]) -> Any:
    token = httpx.post(
        f"{server}/api/v1/auth/token", data={"username": person, "password": STAFF_PASSWORD}
    ).json()["access_token"]
    answer = httpx.post(
        f"{server}/api/v1{path}", json=body, headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status_code in (200, 201), answer.text
    return answer.json()


def test_r_qms_2_qa_closes_a_deviation_with_its_capa_signing_at_the_station(
    browser: Any, server: str
) -> None:
    # Given a deviation an operator recorded, and the CAPA action QA planned for it
    body = {
        "kind": "unplanned",
        "severity": "minor",
        "items": [DONOR],
        "description": "screening form filed in the wrong binder",
    }
    deviation = _post(server, OPERATOR, "/deviations", body)["code"]
    due = str(date.today() + timedelta(days=14))
    capa = {"action": "re-file and label the binders", "owner": OPERATOR, "due_on": due}
    action = _post(server, QA, f"/deviations/{deviation}/capas", capa)["code"]
    # When QA scans the deviation at the station
    page = browser.new_context(viewport={"width": 1024, "height": 1400}).new_page()
    try:
        page.goto(f"{server}/scan")
        page.fill("#signin-form input[name=username]", QA)
        page.fill("#signin-form input[name=password]", STAFF_PASSWORD)
        page.click("#signin-form button")
        page.wait_for_selector("#scan", state="visible")
        page.fill("#scan", deviation)
        page.keyboard.press("Enter")
        form = "form.step[data-step=close_deviation]"
        page.wait_for_selector(form)
        # Then the form says what the signature means; QA fills it in and signs
        assert "You sign this as: approved" in page.inner_text(f"{form} .signing-as")
        page.fill(f"{form} [name=impact]", "no product affected: the donor was ineligible")
        page.fill(f"{form} [name=root_cause]", "binders not labelled")
        page.fill(f"{form} textarea[name=capas]", f"{action}\n")
        page.fill(f"{form} input[name='signature.password']", STAFF_PASSWORD)
        page.click(f"{form} button")
        page.wait_for_selector("#banner.ok, #banner.bad")
        assert page.locator("#banner.ok").count() == 1, page.inner_text("#banner")
        # And the deviation shows closed
        page.fill("#scan", deviation)
        page.keyboard.press("Enter")
        page.wait_for_selector("#item-card[data-status='closed']")
    finally:
        page.context.close()
