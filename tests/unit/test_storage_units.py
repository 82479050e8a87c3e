"""Monitored storage units at the sites and the manufacturer (R-SHP-5, R-SHP-4): what a unit
holds and when, excursions holding every item that was in it meanwhile, QA's assessment."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from ledger.application import CellTraceLedger
from ledger.demo.records import MSC_IDENTITY, bank_plan, eligible_donor, isolate
from ledger.domain.bank_vial import BankPlan, box_positions
from ledger.domain.product_vial import TemperatureRange
from tests.domain1 import NOW, TODAY, Staffed, app_collection, history, refused_step
from tests.domain3 import PLACE, WARD, Clinic, Clinical, enrolled, released

FREEZER = TemperatureRange(min_c=-90.0, max_c=-60.0)
LN2 = TemperatureRange(min_c=-196.0, max_c=-150.0)


def csv(*readings: tuple[datetime, float]) -> str:
    return "timestamp,temperature\n" + "".join(f"{t.isoformat()},{c}\n" for t, c in readings)


def every(start: datetime, minutes: int, temps: Sequence[float]) -> list[tuple[datetime, float]]:
    return [(start + timedelta(minutes=minutes * i), t) for i, t in enumerate(temps)]


def freezer(app: CellTraceLedger, c: Clinic, site: str = "") -> str:
    code, _ = app.register_storage_unit(
        c.staff["pharmacist"], "Pharmacy freezer F2", site or c.site, "-80 C freezer", FREEZER, 15
    )
    return code


def stored_in(app: CellTraceLedger, c: Clinic, unit: str) -> tuple[str, list[str]]:
    """A released shipment whose three vials are stored in `unit`."""
    shipment = released(app, c, c.vials[:3])
    vials = app.get_shipment(shipment).vials
    app.store_vials(c.staff["pharmacist"], shipment, vials, "rack 3/box 1", -80, unit)
    return shipment, vials


def hold_rules(app: CellTraceLedger, code: str) -> list[str]:
    return [h["rule"] for h in app.get_product_vial(code).holds]


def test_r_shp_5_an_excursion_holds_every_vial_in_the_unit_during_it(clinic: Clinical) -> None:
    # Given three vials stored in a monitored freezer, one dispensed an hour later
    app, c, clock = clinic
    unit = freezer(app, c)
    _, vials = stored_in(app, c, unit)
    patient = enrolled(app, c)
    clock.advance(hours=1)
    app.dispense(c.staff["pharmacist"], patient, WARD, vials[0])
    assert list(app.get_storage_unit(unit).contents) == vials[1:]
    # When the freezer's logger shows it warmed to -41 C two hours after storage
    readings = every(NOW, 15, [-80.0] * 8 + [-41.0, -52.0] + [-80.0] * 2)
    clock.advance(hours=2)
    held, _ = app.upload_unit_logger(c.staff["pharmacist"], unit, "LG-F2", csv(*readings))
    # Then the vials in it then are held until assessed; the one dispensed before is not
    assert held == vials[1:]
    assert [hold_rules(app, v) for v in vials] == [[], ["R-SHP-5"], ["R-SHP-5"]]
    excursion = app.get_storage_unit(unit).excursion
    assert excursion is not None and "-41 C" in excursion["reason"]
    assert (excursion["start"], excursion["end"]) == (readings[7][0], readings[10][0])
    # And a held vial cannot be dispensed, naming the rule
    other = enrolled(app, c)
    refused = refused_step(app, lambda: app.dispense(c.staff["pharmacist"], other, WARD, vials[1]))
    assert "R-SHP-5" in refused
    # and the bedside says no-go for it, naming the rule
    reasons = app.verify_bedside(vials[1], other, 1.0, "intravenous").reasons
    assert "R-SHP-5" in [r.rule for r in reasons]


def test_r_shp_5_an_acceptable_assessment_lifts_the_holds(clinic: Clinical) -> None:
    app, c, clock = clinic
    unit = freezer(app, c)
    _, vials = stored_in(app, c, unit)
    clock.advance(hours=3)
    app.upload_unit_logger(c.staff["pharmacist"], unit, "LG-F2", csv((NOW, -30.0)))
    # a new item may not go into a unit whose excursion waits for its assessment
    other = released(app, c, c.vials[3:4])
    store = lambda: app.store_vials(  # noqa: E731
        c.staff["pharmacist"], other, [c.vials[3]], "rack 1", -80, unit
    )
    assert refused_step(app, store) == ["R-SHP-5"]
    app.assess_unit_excursion(c.staff["qa"], unit, True, "door alarm, 4 min; stable", "DEV-12")
    assert [hold_rules(app, v) for v in vials] == [[], [], []]
    assert app.get_storage_unit(unit).excursion is None
    assert type(history(app, unit)[-1]).__name__ == "ExcursionAssessed"
    store()  # and now it may
    assert c.vials[3] in app.get_storage_unit(unit).contents


def test_r_shp_5_an_unacceptable_assessment_keeps_the_vials_quarantined(
    clinic: Clinical,
) -> None:
    app, c, clock = clinic
    unit = freezer(app, c)
    _, vials = stored_in(app, c, unit)
    clock.advance(hours=3)
    app.upload_unit_logger(c.staff["pharmacist"], unit, "LG-F2", csv((NOW, -10.0)))
    app.assess_unit_excursion(c.staff["qa"], unit, False, "thawed for hours", "DEV-13")
    assert [hold_rules(app, v) for v in vials] == [["R-SHP-5"]] * 3


def test_r_shp_4_a_gap_in_a_units_record_is_an_excursion(clinic: Clinical) -> None:
    # Given a freezer whose logger records every 15 minutes, holding vials
    app, c, clock = clinic
    unit = freezer(app, c)
    _, vials = stored_in(app, c, unit)
    app.upload_unit_logger(c.staff["pharmacist"], unit, "LG-F2", csv(*every(NOW, 15, [-80.0] * 4)))
    assert app.get_storage_unit(unit).excursion is None
    # When the next file starts 2 hours after the last reading
    clock.advance(hours=4)
    later = every(NOW + timedelta(hours=2, minutes=45), 15, [-80.0] * 4)
    held, _ = app.upload_unit_logger(c.staff["pharmacist"], unit, "LG-F2", csv(*later))
    # Then the gap is an excursion holding every vial that was in the freezer during it
    assert held == vials
    excursion = app.get_storage_unit(unit).excursion
    assert excursion is not None and excursion["rule"] == "R-SHP-4"
    assert "120 min" in excursion["reason"]


def test_r_shp_5_a_site_with_units_stores_only_in_them(clinic: Clinical) -> None:
    app, c, _ = clinic
    unit = freezer(app, c)
    shipment = released(app, c, c.vials[:1])
    pharmacist = c.staff["pharmacist"]
    # no unit named, at a site that registered its units
    no_unit = lambda: app.store_vials(pharmacist, shipment, [c.vials[0]], PLACE, -80)  # noqa: E731
    assert refused_step(app, no_unit) == ["R-SHP-5"]
    # another site's unit
    elsewhere = freezer(app, c, c.other_site)
    there = lambda: app.store_vials(  # noqa: E731
        pharmacist, shipment, [c.vials[0]], PLACE, -80, elsewhere
    )
    assert refused_step(app, there) == ["R-SHP-5"]
    # a unit allowed warmer than the vial's storage range
    fridge, _ = app.register_storage_unit(
        pharmacist,
        "Fridge K1",
        c.site,
        "2-8 C refrigerator",
        TemperatureRange(min_c=2, max_c=8),
        15,
    )
    warm = lambda: app.store_vials(pharmacist, shipment, [c.vials[0]], PLACE, 4, fridge)  # noqa: E731
    assert "R-SHP-5" in refused_step(app, warm)
    # the site's own freezer
    app.store_vials(pharmacist, shipment, [c.vials[0]], "rack 1/box 1", -80, unit)
    assert app.get_storage_unit(unit).contents == {c.vials[0]: "rack 1/box 1"}
    assert app.get_shipment(shipment).units == {c.vials[0]: unit}


def test_r_shp_5_a_vial_moved_to_another_unit_leaves_the_first(clinic: Clinical) -> None:
    app, c, clock = clinic
    first, second = freezer(app, c), freezer(app, c)
    shipment, vials = stored_in(app, c, first)
    clock.advance(hours=1)
    app.store_vials(c.staff["pharmacist"], shipment, vials[:1], "rack 9", -80, second)
    assert list(app.get_storage_unit(first).contents) == vials[1:]
    assert list(app.get_storage_unit(second).contents) == vials[:1]
    # an excursion of the first freezer after the move holds only what stayed in it
    clock.advance(hours=1)
    held, _ = app.upload_unit_logger(c.staff["pharmacist"], first, "LG", csv((clock.now, -20.0)))
    assert held == vials[1:]


def test_r_shp_5_registering_a_unit_needs_a_name_a_range_and_an_interval(
    clinic: Clinical,
) -> None:
    app, c, _ = clinic
    bad = TemperatureRange(min_c=-60.0, max_c=-90.0)
    register = lambda: app.register_storage_unit(  # noqa: E731
        c.staff["pharmacist"], " ", c.site, "freezer", bad, 0
    )
    assert refused_step(app, register) == ["R-SHP-5"] * 3


def test_r_shp_5_bank_vials_in_a_manufacturer_tank_are_held_by_its_excursion(
    staffed: Staffed,
) -> None:
    # Given a monitored LN2 tank of the manufacturer and a bank frozen into it
    app, staff = staffed
    tank, _ = app.register_storage_unit(staff["qa"], "LN2 tank T1", None, "LN2 tank", LN2, 30)
    portion = cells(app, staff)
    plan = bank_plan(TODAY, "B1", 3, 2)
    plan = BankPlan(**{**vars(plan), "locations": tuple(box_positions(tank, "R1", "B1", 3))})
    _, vials, _ = app.establish_cell_bank(staff["operator"], "master", portion, plan)
    assert sorted(app.get_storage_unit(tank).contents) == sorted(vials)
    # a vial thawed leaves the tank
    app.thaw_vial(staff["operator"], vials[2], "testing", 90.0)
    assert vials[2] not in app.get_storage_unit(tank).contents
    # When its logger shows the vapour phase warmed to -120 C, later
    later = NOW + timedelta(hours=1)
    held, _ = app.upload_unit_logger(staff["operator"], tank, "LG-T1", csv((later, -120.0)))
    # Then every vial in it is held, and none may be thawed until QA assesses it
    assert held == vials[:2]
    assert all(h["rule"] == "R-SHP-5" for v in vials[:2] for h in app.get_bank_vial(v).holds)
    thaw = lambda: app.thaw_vial(staff["operator"], vials[0], "testing", 90.0)  # noqa: E731
    assert "R-SHP-5" in refused_step(app, thaw)


def test_r_shp_5_a_manufacturer_tank_must_be_cold_enough_for_bank_vials(
    staffed: Staffed,
) -> None:
    app, staff = staffed
    freezer_80, _ = app.register_storage_unit(
        staff["qa"], "Freezer M1", None, "-80 C freezer", FREEZER, 15
    )
    portion = cells(app, staff)
    plan = bank_plan(TODAY, "B1", 2, 2)
    plan = BankPlan(**{**vars(plan), "locations": tuple(box_positions(freezer_80, "R1", "B1", 2))})
    freeze = lambda: app.establish_cell_bank(staff["operator"], "master", portion, plan)  # noqa: E731
    assert refused_step(app, freeze) == ["R-SHP-5"]


def cells(app: CellTraceLedger, staff: dict) -> str:  # type: ignore[type-arg]
    collection = app_collection(app, staff, eligible_donor(app, staff))
    (portion,) = isolate(app, staff, collection, [], n=1)
    app.confirm_identity(staff["qc_analyst"], portion, "flow", MSC_IDENTITY, "ID-1")
    return portion


def test_r_shp_5_a_vial_returned_to_the_manufacturer_leaves_the_unit(clinic: Clinical) -> None:
    app, c, _ = clinic
    unit = freezer(app, c)
    shipment, vials = stored_in(app, c, unit)
    app.return_vials(c.staff["pharmacist"], shipment, vials[:1], "surplus", "WB-R1")
    assert list(app.get_storage_unit(unit).contents) == vials[1:]
    assert vials[0] not in app.get_shipment(shipment).units


def test_r_shp_5_the_manufacturers_freezer_holds_filled_vials_until_shipped(
    clinic: Clinical,
) -> None:
    # Given filled vials put into the manufacturer's monitored -80 C freezer
    app, c, clock = clinic
    plant_freezer, _ = app.register_storage_unit(
        c.staff["qa"], "Freezer M1", None, "-80 C freezer", FREEZER, 15
    )
    app.put_in_unit(c.staff["operator"], plant_freezer, c.vials[:4], "rack 1/box 1")
    assert list(app.get_storage_unit(plant_freezer).contents) == list(c.vials[:4])
    assert app.get_product_vial(c.vials[0]).unit == plant_freezer
    # When two are shipped and one destroyed, they leave it
    shipped_vials = list(c.vials[:2])
    app.ship_vials(c.staff["operator"], c.site, [shipped_vials], "ColdCourier WB-1", 10)
    app.dispose_item(c.staff["qa"], c.vials[2], "non_conforming", "autoclave", c.staff["operator"])
    assert list(app.get_storage_unit(plant_freezer).contents) == [c.vials[3]]
    assert app.get_product_vial(c.vials[0]).unit is None
    # A shipped vial, or a site's unit, is refused with nothing written
    operator = c.staff["operator"]

    def again() -> object:
        return app.put_in_unit(operator, plant_freezer, shipped_vials[:1], "rack 2")

    assert "R-SHP-5" in refused_step(app, again)
    site_freezer = freezer(app, c)

    def at_site() -> object:
        return app.put_in_unit(operator, site_freezer, [c.vials[4]], "rack 2")

    assert refused_step(app, at_site) == ["R-SHP-5"]
    # and an excursion afterwards holds only the vial still in it
    clock.advance(hours=1)
    held, _ = app.upload_unit_logger(
        c.staff["operator"], plant_freezer, "LG-M1", csv((clock.now, -30.0))
    )
    assert held == [c.vials[3]]
