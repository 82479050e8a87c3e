"""Product accountability (R-QMS-6): per lot, filled = retained + shipped + destroyed + in
stock; per shipment, shipped = administered + returned + destroyed + in stock at the site;
returns travel back as shipments with a receipt; a discrepancy (a count that differs from the
record, a vial missing at a receipt) opens a deviation and blocks closing the lot."""

from __future__ import annotations

from ledger.application import CellTraceLedger
from ledger.domain.accountability import Account
from tests.domain1 import history, last_id, refused_step
from tests.domain3 import (
    PLACE,
    WARD,
    Clinic,
    Clinical,
    dispense_released,
    enrolled,
    received,
    released,
)

RETENTION = "Retention store RS-1/box 2"


def dispose(app: CellTraceLedger, c: Clinic, vial: str) -> None:
    app.dispose_item(
        c.staff["operator"], vial, "surplus", "autoclave, cycle 4471", c.staff["qa"], ""
    )


def numbers(account: Account) -> dict[str, int]:
    return account.numbers()


def test_r_qms_6_a_lot_is_accounted_vial_by_vial_and_closed_once_every_count_matches(
    clinic: Clinical,
) -> None:
    app, c, _ = clinic
    v = c.vials
    operator, pharmacist, qa = c.staff["operator"], c.staff["pharmacist"], c.staff["qa"]
    # Given one vial kept as the retained sample, one destroyed as surplus at the plant
    app.retain_samples(operator, c.lot, [v[5]], RETENTION)
    dispose(app, c, v[4])
    # And three shipped: one administered, one returned, one left in the site's stock
    shipment = released(app, c, v[:3])
    patient = enrolled(app, c)
    dispense_released(app, c, patient, v[0])
    app.thaw_at_bedside(c.staff["nurse"], v[0], patient, 1.0, "intravenous")
    app.administer(c.staff["nurse"], v[0], patient, 1.0, "intravenous", pharmacist)
    back, _ = app.return_vials(pharmacist, shipment, [v[1]], "surplus at study end", "ColdCourier")
    assert back.startswith("RTN-")
    # Then, while the return travels, the lot counts it as shipped
    lot = app.lot_accountability(c.lot)
    assert numbers(lot.lot.account) == {
        "filled": 6,
        "retained": 1,
        "shipped": 3,
        "destroyed": 1,
        "in_stock": 1,
        "unaccounted": 0,
    }
    # When the manufacturer receives it back and destroys it
    missing, deviation, _ = app.receive_return(operator, back, [v[1]], "Returns cage QA-2")
    assert (missing, deviation) == ([], "")
    assert app.lot_accountability(c.lot).lot.account.parts["in_stock"] == [v[1], v[3]]
    dispose(app, c, v[1])
    # Then every vial of the lot and of the shipment is accounted for
    accounts = app.lot_accountability(c.lot)
    assert accounts.lot.account.equation() == (
        "filled 6 = retained 1 + shipped 2 + destroyed 2 + in stock 1"
    )
    (site,) = accounts.shipments
    assert site.account.equation() == (
        "shipped 3 = administered 1 + returned 1 + destroyed 0 + in stock 1"
    )
    # And the lot is not closed while a vial is left in its stock, nor before both are counted
    close = lambda: app.close_lot(qa, c.lot)  # noqa: E731
    assert v[3] in _refusal(app, close)
    dispose(app, c, v[3])
    assert set(refused_step(app, close)) == {"R-QMS-6"}
    account, deviation, _ = app.reconcile_lot(operator, c.lot, retained=1, in_stock=0)
    assert deviation == "" and account.balanced
    assert shipment in _refusal(app, close)  # the site has not counted its vials yet
    app.reconcile_shipment(pharmacist, shipment, 1)
    # When QA closes it, signed, no further step is taken on the lot
    app.close_lot(qa, c.lot)
    closed = history(app, c.lot)[-1]
    assert type(closed).__name__ == "Closed" and closed.stamp.reauthenticated
    assert "R-QMS-6" in refused_step(app, lambda: app.fill_lot(operator, c.lot, 1, 1.0, "vial"))


def test_r_qms_6_a_count_that_differs_from_the_record_opens_a_deviation_blocking_closure(
    clinic: Clinical,
) -> None:
    app, c, _ = clinic
    operator, qa = c.staff["operator"], c.staff["qa"]
    app.retain_samples(operator, c.lot, [c.vials[0]], RETENTION)
    for vial in c.vials[1:]:
        dispose(app, c, vial)
    # When the operator counts no retained sample where the record has one
    account, deviation, _ = app.reconcile_lot(operator, c.lot, retained=0, in_stock=0)
    # Then a deviation is opened against the lot, naming the numbers
    assert deviation.startswith("DEV-") and account.balanced
    opened = app.get_deviation(deviation)
    assert opened.severity == "minor" and opened.items == [c.lot]
    assert "retained: counted 0, the record says 1" in opened.description
    # And the lot is not closed while it is open, the refusal naming it
    refusal = _refusal(app, lambda: app.close_lot(qa, c.lot))
    assert deviation in refusal and "R-QMS-6" in refusal
    # When QA closes the deviation (the sample was found in the wrong box)
    app.close_deviation(qa, deviation, "none: sample found in box 3", "misplaced sample", [])
    # Then the lot closes on that count
    app.close_lot(qa, c.lot)
    assert app.get_product_lot(c.lot).closed


def _refusal(app: CellTraceLedger, call: object) -> str:
    from ledger.errors import RuleViolation

    before = last_id(app)
    try:
        call()  # type: ignore[operator]
    except RuleViolation as exc:
        assert last_id(app) == before
        return str(exc) + " " + " ".join(v.rule for v in exc.violations)
    raise AssertionError("the step was not refused")


def test_r_qms_6_vials_missing_at_the_sites_receipt_open_a_deviation(clinic: Clinical) -> None:
    app, c, _ = clinic
    pharmacist = c.staff["pharmacist"]
    code, _, _ = app.ship_vials(c.staff["operator"], c.site, [c.vials[:3]], "ColdCourier WB-1", 10)
    app.deliver_shipment(pharmacist, code, app.clock())
    # When the site receives two of the three vials
    app.inspect_receipt(pharmacist, code, c.vials[:2])
    # Then the third is unaccounted for and a deviation concerns it and the shipment
    (deviation,) = app.get_shipment(code).discrepancies
    assert app.get_deviation(deviation).items == [code, c.vials[2]]
    shipment = app.shipment_accountability(code)
    assert shipment.account.unaccounted == [c.vials[2]]
    assert shipment.discrepancies == {deviation: True}
    assert shipment.account.equation().endswith("+ unaccounted 1")


def test_r_qms_6_returns_travel_back_with_a_receipt_and_missing_vials_are_held(
    clinic: Clinical,
) -> None:
    app, c, _ = clinic
    pharmacist, operator = c.staff["pharmacist"], c.staff["operator"]
    shipment = received(app, c, c.vials[:3])
    back, _ = app.return_vials(
        pharmacist, shipment, c.vials[:2], "excursion, QA asked for them", "ColdCourier"
    )
    # A returned vial takes no further step at the site
    app.release_for_use(c.staff["qp"], shipment)
    patient = enrolled(app, c)
    dispense = lambda: app.dispense(pharmacist, patient, WARD, c.vials[0])  # noqa: E731
    assert "R-QMS-6" in refused_step(app, dispense)
    store = lambda: app.store_vials(pharmacist, shipment, [c.vials[1]], PLACE, -80)  # noqa: E731
    assert "R-QMS-6" in refused_step(app, store)
    # When the manufacturer receives only one of them
    missing, deviation, _ = app.receive_return(operator, back, [c.vials[0]], "Returns cage")
    # Then the other is held and a deviation opened for it; the lot counts it unaccounted
    assert missing == [c.vials[1]] and deviation.startswith("DEV-")
    assert [h["rule"] for h in app.get_product_vial(c.vials[1]).holds] == ["R-QMS-6"]
    accounts = app.lot_accountability(c.lot)
    assert accounts.lot.account.unaccounted == [c.vials[1]]
    assert accounts.returns[back].discrepancies == {deviation: True}
    assert accounts.open_discrepancies() == [deviation]
    # And a returned vial is never shipped again
    ship = lambda: app.ship_vials(operator, c.site, [[c.vials[0]]], "ColdCourier", 10)  # noqa: E731
    assert "R-SHP-1" in refused_step(app, ship)


def test_r_qms_6_a_retained_sample_stays_at_the_manufacturer(clinic: Clinical) -> None:
    app, c, _ = clinic
    operator = c.staff["operator"]
    app.retain_samples(operator, c.lot, [c.vials[0]], RETENTION)
    ship = lambda: app.ship_vials(operator, c.site, [[c.vials[0]]], "ColdCourier", 10)  # noqa: E731
    assert refused_step(app, ship) == ["R-QMS-6"]
    again = lambda: app.retain_samples(operator, c.lot, [c.vials[0]], RETENTION)  # noqa: E731
    assert refused_step(app, again) == ["R-QMS-6"]


def test_r_qms_6_a_count_must_be_of_whole_vials_and_nothing_is_written_otherwise(
    clinic: Clinical,
) -> None:
    app, c, _ = clinic
    count = lambda: app.reconcile_lot(c.staff["operator"], c.lot, retained=-1, in_stock=6)  # noqa: E731
    assert refused_step(app, count) == ["R-QMS-6"]
