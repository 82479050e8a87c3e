"""Product accountability over HTTP (R-QMS-6): retained samples, a return with the
manufacturer's receipt, counts that open deviations, the numbers on the lot's card and in its
account, and QA's signed closing refused while a discrepancy is open."""

from __future__ import annotations

from tests.domain3 import released
from tests.e2e.conftest import ClinicApi, signed


def test_r_qms_6_accountability_of_a_lot_and_its_shipment_over_http(
    clinic_api: ClinicApi,
) -> None:
    api = clinic_api
    lot, vials = api.clinic.lot, api.clinic.vials
    retained = {"vials": [vials[5]], "place": "Retention store RS-1/box 2"}
    api.posted("operator", f"/lots/{lot}/retained-samples", retained)
    shipment = released(api.ledger, api.clinic, vials[:3])
    # The site returns two vials; the manufacturer receives only one of them
    back = api.posted(
        "pharmacist",
        f"/shipments/{shipment}/returns",
        {"vials": list(vials[:2]), "reason": "surplus", "courier": "ColdCourier WB-9"},
        201,
    )["code"]
    assert back.startswith("RTN-")
    receipt = {"received": [vials[0]], "place": "Returns cage QA-2"}
    got = api.posted("operator", f"/returns/{back}/receipt", receipt)
    assert got["missing"] == [vials[1]] and got["deviation"].startswith("DEV-")
    # The lot's card shows its numbers; the returned vial shows where it is
    card = api.get("operator", f"/items/{lot}", after=got["notification_id"]).json()
    assert card["accountability"] == {
        "filled": 6,
        "retained": 1,
        "shipped": 1,
        "destroyed": 0,
        "in_stock": 3,
        "unaccounted": 1,
    }
    vial = api.get("operator", f"/items/{vials[0]}").json()
    assert (vial["status"], vial["location"]) == ("returned", "manufacturer: Returns cage QA-2")
    # The site counts one vial in stock where the record has one: no deviation
    count = api.posted("pharmacist", f"/shipments/{shipment}/reconciliation", {"in_stock": 1})
    assert count["deviation"] == ""
    assert count["account"]["equation"] == (
        "shipped 3 = administered 0 + returned 2 + destroyed 0 + in stock 1"
    )
    # The plant counts two in stock where the record has three: a deviation is opened
    count = api.posted("operator", f"/lots/{lot}/reconciliation", {"retained": 1, "in_stock": 2})
    assert count["deviation"].startswith("DEV-")
    accounts = api.get("qa", f"/lots/{lot}/accountability").json()
    assert accounts["open_discrepancies"] == sorted([got["deviation"], count["deviation"]])
    assert accounts["returns"][0]["account"]["unaccounted"] == [vials[1]]
    # A count that is not a whole number of vials is refused, nothing written
    before = api.last_id()
    wrong = api.post("operator", f"/lots/{lot}/reconciliation", {"retained": -1, "in_stock": 2})
    assert wrong.status_code == 422
    # QA cannot close the lot (it was certified) while vials are in stock and deviations open
    closing = api.post("qa", f"/lots/{lot}/close", signed())
    assert closing.status_code == 409
    refusal = closing.text
    assert "R-QMS-6" in refusal and count["deviation"] in refusal and got["deviation"] in refusal
    assert api.last_id() == before
