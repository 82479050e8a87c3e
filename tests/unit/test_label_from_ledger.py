"""R-ID-2, R-ID-3 from the ledger: a product vial's label carries its lot's product, expiry and
storage (a blinded study's kits: tests/unit/test_sealed_blinding.py)."""

from __future__ import annotations

from ledger.labels import children_labels, label_content
from tests.domain2 import Planted, harvests, purified_lot


def test_r_id_2_product_vial_label_carries_the_lots_facts(planted: Planted) -> None:
    app, plant = planted
    lot = purified_lot(app, plant)
    (vial,), _ = app.fill_lot(plant.staff["operator"], lot, 1, 1.0, "2 mL cryovial")
    label = label_content(app, vial)
    assert (str(label.code), str(label.lot)) == (vial, lot)
    assert label.expiry == app.get_product_vial(vial).expiry


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
