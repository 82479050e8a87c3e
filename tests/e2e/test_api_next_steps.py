"""The next steps the API offers for a scanned item are what the step registry allows for its
type and status, to the role asking (R-PPL-2): the stations show these forms, so an operator
is never offered a step the application would refuse for its status, nor denied one it
records."""

from __future__ import annotations

import sqlite3

from ledger.api.forms import FORMS
from ledger.commands.registry import STEPS
from tests.e2e.conftest import ClinicApi
from tests.e2e.test_api_sealed_blinding import blinded_study_over_http

REGISTRY_STEP = {form.key: form.step for form in FORMS}


def test_r_ppl_2_next_steps_over_http_are_the_registrys_for_every_item_and_role(
    clinic_api: ClinicApi,
) -> None:
    # Given a served ledger with items of every kind in many statuses: donors, banks, vials,
    # lots, a study, patients dosed, a shipment released and stored at the site
    api = clinic_api
    made = blinded_study_over_http(api)
    assert api.get("qa", f"/items/{made['study']}").status_code == 200  # the views caught up
    path = api.ledger.settings.database.sqlite_path
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        items = db.execute("SELECT code, item_type FROM items ORDER BY code").fetchall()
    assert len({t for _, t in items}) >= 10
    compared = set()
    for code, item_type in items:
        for role in api.clinic.staff:
            answer = api.get(role, f"/items/{code}")
            if answer.status_code == 403:  # this role does not read item cards (R-ACC-1)
                continue
            assert answer.status_code == 200, answer.text
            card = answer.json()
            acting = api.clinic.staff[role].role
            # When the item is scanned by this role, Then the steps offered are exactly the
            # registry's steps for its type and status that the role records
            offered = {REGISTRY_STEP[step["key"]] for step in card["next_steps"]}
            allowed = {
                key
                for key, rule in STEPS.items()
                if rule.applies(item_type, card["status"])
                and acting in {r.value for r in rule.roles}
            }
            assert offered == allowed, (code, card["status"], role)
            compared.add((item_type, card["status"]))
    assert len(compared) >= 12
