"""R-ID-2, R-ID-3 from the ledger: a product vial's label carries its lot's product, expiry and
storage; blinded active and placebo vials get labels identical apart from the code."""

from __future__ import annotations

import dataclasses

from label_printing.from_ledger import children_labels, label_content
from ledger.demo_production import EV_SPEC
from ledger.domain.material_use import UseOf
from tests.domain2 import Planted, harvests, purified_lot


def test_r_id_2_product_vial_label_carries_the_lots_facts(planted: Planted) -> None:
    app, plant = planted
    lot = purified_lot(app, plant)
    (vial,), _ = app.fill_lot(plant.staff["operator"], lot, 1, 1.0, "2 mL cryovial")
    label = label_content(app, vial)
    assert (str(label.code), str(label.lot)) == (vial, lot)
    assert label.expiry == app.get_product_vial(vial).expiry


def test_r_id_3_blinded_active_and_placebo_labels_differ_only_in_the_code(
    planted: Planted,
) -> None:
    app, plant = planted
    operator = plant.staff["operator"]
    # Given an active and a placebo lot of the blinded study STU-X, each filled
    active = purified_lot(app, plant, blinded_study="STU-X")
    placebo, _ = app.formulate_placebo_lot(
        operator,
        "STU-X",
        "PBS matched to the EV formulation",
        10.0,
        EV_SPEC,
        [UseOf(plant.lots["PBS-EV"])],
    )
    (a,), _ = app.fill_lot(operator, active, 1, 1.0, "2 mL cryovial")
    (p,), _ = app.fill_lot(operator, placebo, 1, 1.0, "2 mL cryovial")
    # When their labels are made from the ledger
    la, lp = label_content(app, a), label_content(app, p)
    # Then they are the same apart from the code, and name no lot that would group the arms
    assert dataclasses.replace(la, code=lp.code) == lp
    assert la.lot is None
    assert "placebo" not in " ".join(la.lines()).lower()


def test_r_id_2_a_filled_lot_prints_every_vial(planted: Planted) -> None:
    app, plant = planted
    lot = purified_lot(app, plant)
    vials, _ = app.fill_lot(plant.staff["operator"], lot, 3, 1.0, "2 mL cryovial")
    assert [str(c.code) for c in children_labels(app, lot)] == vials


def test_r_id_2_culture_vessel_and_harvest_container_labels_name_their_batch(
    planted: Planted,
) -> None:
    app, plant = planted
    culture, (harvest,) = harvests(app, plant, 1)
    vessel, container = label_content(app, culture), label_content(app, harvest)
    assert str(vessel.lot).startswith("WCB-")
    assert any(line.startswith("Passage ") for line in vessel.lines())
    assert str(container.lot) == culture
