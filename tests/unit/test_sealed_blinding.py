"""Sealed blinding (R-ACC-5): the kits of a blinded study are filled from both arms together,
look alike in every stored event and label, and only the key store opens their lot and arm."""

from __future__ import annotations

import dataclasses
from functools import partial
from itertools import pairwise

from ledger.commands.blinding import kit_link, lot_kits
from ledger.commands.donors import STUDY_HOLD
from ledger.config import Settings
from ledger.domain.product_vial import ProductVial
from ledger.identifiers import ItemType
from ledger.labels import children_labels, label_content
from ledger.stores.sealed import Seals
from tests.domain1 import TODAY, history, refused_step
from tests.domain3 import (
    WARD,
    Clinical,
    arm_of_kit,
    blinded_lots,
    blinded_study,
    certified_lot,
    enrolled_in,
    kits,
)


def kit(app: object, code: str) -> ProductVial:
    return app.load(code, ItemType.PRODUCT_VIAL, ProductVial)  # type: ignore[attr-defined]


def test_r_acc_5_kits_of_both_arms_look_alike_in_every_event_and_label(clinic: Clinical) -> None:
    # Given a blinded study's certified active and placebo lots
    app, c, _ = clinic
    study = blinded_study(app, c)
    active, placebo = blinded_lots(app, c, study)
    # When they are filled together into kits
    codes, _ = app.fill_kits(c.staff["operator"], study, {active: 1, placebo: 1}, 1.0, "cryovial")
    arms = {arm_of_kit(app, code): code for code in codes}
    a, p = arms["active"], arms["placebo"]
    # Then each kit's one event has the same type and the same fields with the same values,
    # apart from its code and its seal
    (filled_a,), (filled_p,) = history(app, a), history(app, p)
    assert type(filled_a) is type(filled_p)
    fields_a, fields_p = vars(filled_a), vars(filled_p)
    assert fields_a.keys() == fields_p.keys()
    different = {k for k in fields_a if fields_a[k] != fields_p[k]}
    assert different <= {"originator_id", "code", "blinding", "timestamp"}, different
    # their lot is the study, they name no donor, and the blinding holds only the study and
    # seals of one length
    assert (filled_a.lot, filled_a.donor_codes, filled_p.donor_codes) == (study, [], [])
    assert filled_a.blinding.keys() == filled_p.blinding.keys() == {"study", "sealed"}
    assert len(filled_a.blinding["sealed"]) == len(filled_p.blinding["sealed"])
    for word in ("active", "placebo", active, placebo):
        assert word not in repr(fields_a) + repr(fields_p)
    # And neither lot's record names a kit
    for lot in (active, placebo):
        assert not any(code in repr(vars(e)) for e in history(app, lot) for code in codes)
    # And their labels differ only in the code, naming no lot
    la, lp = label_content(app, a), label_content(app, p)
    assert dataclasses.replace(la, code=lp.code) == lp
    assert la.lot is None and "placebo" not in " ".join(la.lines()).lower()
    # And the study prints the labels of all its kits, in code order
    assert [str(label.code) for label in children_labels(app, study)] == sorted(codes)


def test_r_acc_5_kit_codes_are_given_in_a_random_order(clinic: Clinical) -> None:
    # Given 12 kits of each arm filled together
    app, c, _ = clinic
    study = blinded_study(app, c)
    active, placebo = blinded_lots(app, c, study)
    lots = {active: 12, placebo: 12}
    codes, _ = app.fill_kits(c.staff["operator"], study, lots, 0.2, "cryovial")
    # Then the arms are not in runs of codes (grouped by lot, all 24 would form two runs;
    # shuffled, that happens with a probability of 2 in 2.7 million)
    arms = [arm_of_kit(app, code) for code in sorted(codes)]
    runs = 1 + sum(1 for x, y in pairwise(arms) if x != y)
    assert runs > 2, arms
    # And each lot's seal opens to exactly its own kits
    for lot, arm in ((active, "active"), (placebo, "placebo")):
        mine = lot_kits(app, app.get_product_lot(lot))
        assert sorted(mine) == sorted(
            c for c, a in zip(sorted(codes), arms, strict=True) if a == arm
        )


def test_r_acc_5_kits_are_filled_from_both_arms_of_the_study_only(clinic: Clinical) -> None:
    app, c, _ = clinic
    operator = c.staff["operator"]
    study = blinded_study(app, c)
    active, placebo = blinded_lots(app, c, study)
    fill = partial(app.fill_kits, operator)
    # One arm alone: refused (its kits would be told apart by when they were filled)
    assert refused_step(app, lambda: fill(study, {active: 2}, 1.0, "cryovial")) == ["R-ACC-5"]
    # A lot of no blinded study, or a study that is not blinded: refused
    open_lot = certified_lot(app, c.plant)
    call = lambda: fill(study, {active: 1, placebo: 1, open_lot: 1}, 1.0, "cryovial")  # noqa: E731
    assert refused_step(app, call) == ["R-ACC-5"]
    call = lambda: fill(c.study, {active: 1, placebo: 1}, 1.0, "cryovial")  # noqa: E731
    assert "R-ACC-5" in refused_step(app, call)
    # No kit, or more than a lot holds: refused under the fill rule
    for counts in ({active: 0, placebo: 1}, {active: 1, placebo: 1000}):
        assert refused_step(app, partial(fill, study, counts, 1.0, "cryovial")) == ["R-PRO-4"]


def test_r_acc_5_lots_that_store_apart_are_not_kitted_together(clinic: Clinical) -> None:
    # Given a placebo lot whose storage range differs from the active lot's
    app, c, _ = clinic
    study = blinded_study(app, c)
    active, placebo = blinded_lots(app, c, study)
    lot = app.get_product_lot(placebo)
    lot.storage = {"min_c": -40.0, "max_c": -20.0}  # as a lot of another specification would
    original = app.get_product_lot

    def altered(code: str) -> object:
        return lot if code == placebo else original(code)

    app.get_product_lot = altered  # type: ignore[method-assign]
    # When they are filled together  Then refused: their kits would be told apart
    call = lambda: app.fill_kits(c.staff["operator"], study, {active: 1, placebo: 1}, 1.0, "v")  # noqa: E731
    assert refused_step(app, call) == ["R-ACC-5"]


def test_r_acc_5_the_randomisation_list_is_stored_sealed(clinic: Clinical) -> None:
    app, c, _ = clinic
    study = blinded_study(app, c)
    arms = ["placebo", "active", "active", "placebo"]
    app.load_randomisation(c.staff["investigator"], study, arms, "RL-EV-02 v1")
    event = history(app, study)[-1]
    assert type(event).__name__ == "RandomisationSealed" and event.numbers == 4
    assert "active" not in repr(vars(event)) and "placebo" not in repr(vars(event))
    # A list of the same length seals to the same length whatever its arms
    app.load_randomisation(c.staff["investigator"], study, ["active"] * 4, "RL-EV-02 v2")
    assert len(history(app, study)[-1].sealed) == len(event.sealed)


def test_r_acc_5_without_the_key_store_a_seal_says_nothing(clinic: Clinical, tmp_path) -> None:  # type: ignore[no-untyped-def]
    # Given kits sealed under the study's key
    app, c, _ = clinic
    study = blinded_study(app, c)
    codes = list(kits(app, c, study))
    # When the ledger database is read with another key store (a copy without the keys)
    stranger = Seals.open(Settings(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path}/x.db"))
    try:
        sealed = kit(app, codes[0]).blinding
        assert sealed is not None
        # Then the seal does not open, and the refusal says what to restore
        try:
            stranger.unseal(study, "kit", codes[0], sealed["sealed"])
        except Exception as exc:
            assert "R-ACC-5" in str(exc) and "key store" in str(exc)
        else:
            raise AssertionError("a seal opened without its study key")
        # And a seal moved onto another kit does not open with the right key either
        try:
            app.seals.unseal(study, "kit", codes[1], sealed["sealed"])
        except Exception as exc:
            assert "another item" in str(exc)
        else:
            raise AssertionError("a seal opened for another kit")
    finally:
        stranger.engine.dispose()


def test_r_acc_5_a_look_back_holds_every_kit_of_the_study_alike(clinic: Clinical) -> None:
    # Given stocked kits of both arms of a blinded study
    app, c, _ = clinic
    study = blinded_study(app, c)
    arms = kits(app, c, study, per_arm=2)
    active_lot = next(
        link.lot
        for code in arms
        if (link := kit_link(app, kit(app, code))) and link.arm == "active"
    )
    donor = app.get_product_lot(active_lot).donor_codes[0]
    # When the active lot's donor becomes ineligible
    app.declare_donor_ineligible(c.plant.staff["qa"], donor, "HBV NAT positive", TODAY)
    # Then every kit of the study, placebo too, carries the same hold
    holds = {code: kit(app, code).holds for code in arms}
    reason = STUDY_HOLD.format(study=study)
    assert all(
        h == ({"rule": "R-ACC-5", "reason": reason, "source": study},) for h in holds.values()
    )
    # And the pharmacy cannot dispense any of them
    app.load_randomisation(c.staff["investigator"], study, ["placebo"], "RL-EV-02 v1")
    patient = enrolled_in(app, c, study)
    call = lambda: app.dispense(c.staff["pharmacist"], patient, WARD)  # noqa: E731
    assert refused_step(app, call) == ["R-CLN-2"]
