"""R-PRO-1..4, R-PRO-6 and R-ID-3 through the ledger on a real SQLite file: culture from a thawed
working-bank vial, passages within the bank's limit, the serum-free collection stage, harvests,
purification into a lot, fill into vials, placebo vials and disposal; refusals write nothing."""

from __future__ import annotations

from datetime import timedelta

from ledger.application import Actor
from ledger.commands.production import DISPOSE
from ledger.demo.production import EV_SPEC, TFF_SEC, grow
from ledger.demo.records import screened_donor
from ledger.domain.culture import PassagePlan
from ledger.domain.material_use import Stage, UseOf
from ledger.domain.purification import Purification
from ledger.identifiers import ItemType, parse_code
from tests.domain1 import TODAY, history, refused_step
from tests.domain2 import Plant, Planted, harvests, purified_lot, thawed_wcb_vials

FEED, TRYPLE = "50 % every 48 h", "TrypLE, 5 min"


def medium(plant: Plant, *refs: str) -> list[UseOf]:
    return [UseOf(plant.lots[r]) for r in refs or ("MEM-ALPHA",)]


# --- R-PRO-1: culture and passages ------------------------------------------------------------


def test_r_pro_1_culture_starts_from_a_thawed_working_bank_vial(planted: Planted) -> None:
    app, plant = planted
    # When the operator starts a culture from the thawed WCB vial
    culture, _ = app.start_culture(plant.staff["operator"], plant.vial, medium(plant))
    # Then it has its own code, descends from the vial and inherits the bank's passage limit
    item = app.get_culture(culture)
    assert parse_code(culture).item_type is ItemType.CULTURE
    assert (item.sources, item.donor_codes) == ([plant.vial], [plant.donor])
    assert (item.passage, item.max_passage, item.stage) == (4, 10, Stage.EXPANSION_CULTURE)
    assert app.get_bank_vial(plant.vial).children == (culture,)


def test_r_pro_1_a_vial_starts_one_culture_only(planted: Planted) -> None:
    app, plant = planted
    operator = plant.staff["operator"]
    app.start_culture(operator, plant.vial, medium(plant))
    # When a second culture is started from the same vial, Then it is refused
    assert refused_step(app, lambda: app.start_culture(operator, plant.vial, medium(plant))) == [
        "R-PRO-1"
    ]


def test_r_pro_1_unthawed_or_low_viability_vial_is_refused(planted: Planted) -> None:
    app, plant = planted
    operator = plant.staff["operator"]
    unthawed, low = plant.spare
    # Given one vial not thawed and one thawed at 70 % against an 80 % specification
    app.thaw_vial(operator, low, "production", 70.0)
    # Then neither may start a culture
    for vial in (unthawed, low):
        assert refused_step(app, lambda v=vial: app.start_culture(operator, v, medium(plant))) == [
            "R-CB-6"
        ]


def test_r_pro_1_passage_records_medium_feed_and_dissociation(planted: Planted) -> None:
    app, plant = planted
    operator = plant.staff["operator"]
    culture, _ = app.start_culture(operator, plant.vial, medium(plant))
    # When passage 5 is recorded with medium, serum and enzyme lots
    plan = PassagePlan(5, FEED, TRYPLE)
    app.record_passage(
        operator, culture, plan, medium(plant, "MEM-ALPHA", "FBS-NZ"), medium(plant, "TRYPLE")
    )
    # Then the event keeps every lot, the feed and the method; bovine serum mandates a test
    event = history(app, culture)[-1]
    assert type(event).__name__ == "Passaged"
    assert (event.number, event.feed, event.dissociation) == (5, FEED, TRYPLE)
    assert [m["lot"] for m in event.materials] == [
        plant.lots[r] for r in ("MEM-ALPHA", "FBS-NZ", "TRYPLE")
    ]
    assert app.get_culture(culture).mandatory_tests == ["bovine_viruses"]


def test_r_pro_1_passage_over_the_bank_limit_is_refused(planted: Planted) -> None:
    app, plant = planted
    operator = plant.staff["operator"]
    culture, _ = app.start_culture(operator, plant.vial, medium(plant))
    # Given the culture at passage 10, the limit of its bank's stability study
    app.record_passage(operator, culture, PassagePlan(10, FEED, TRYPLE), medium(plant))
    # When passage 11 is recorded, Then it is refused
    over = PassagePlan(11, FEED, TRYPLE)
    assert refused_step(
        app, lambda: app.record_passage(operator, culture, over, medium(plant))
    ) == ["R-PRO-1"]


def test_r_pro_1_passage_without_medium_feed_or_dissociation_is_refused(
    planted: Planted,
) -> None:
    app, plant = planted
    operator = plant.staff["operator"]
    culture, _ = app.start_culture(operator, plant.vial, medium(plant))
    bare = PassagePlan(5, "", " ")
    assert refused_step(app, lambda: app.record_passage(operator, culture, bare, [])) == [
        "R-PRO-1",
        "R-PRO-1",
    ]


def test_r_mat_2_beta_lactam_in_a_passage_is_refused(planted: Planted) -> None:
    app, plant = planted
    operator = plant.staff["operator"]
    culture, _ = app.start_culture(operator, plant.vial, medium(plant))
    pen_strep = [UseOf(plant.lots["PEN-STREP"], "contamination risk")]
    plan = PassagePlan(5, FEED, TRYPLE)
    assert refused_step(
        app, lambda: app.record_passage(operator, culture, plan, medium(plant), pen_strep)
    ) == ["R-MAT-2"]


# --- R-PRO-2: collection stage and harvests -----------------------------------------------------


def test_r_mat_4_serum_medium_for_the_collection_stage_is_refused(planted: Planted) -> None:
    app, plant = planted
    operator = plant.staff["operator"]
    culture, _ = app.start_culture(operator, plant.vial, medium(plant))
    serum = medium(plant, "MEM-ALPHA", "FBS-NZ")
    assert refused_step(
        app, lambda: app.begin_supernatant_collection(operator, culture, serum)
    ) == ["R-MAT-4"]


def test_r_pro_2_harvest_outside_the_collection_stage_is_refused(planted: Planted) -> None:
    app, plant = planted
    operator = plant.staff["operator"]
    # Given a culture still in expansion
    culture, _ = app.start_culture(operator, plant.vial, medium(plant))
    # When supernatant is harvested, Then it is refused
    assert refused_step(
        app, lambda: app.harvest_supernatant(operator, culture, 300.0, medium(plant, "SFM-EV"))
    ) == ["R-PRO-2"]


def test_r_pro_2_several_harvests_record_culture_stage_volume_and_medium(
    planted: Planted,
) -> None:
    app, plant = planted
    # When a culture in the collection stage is harvested three times
    culture, made = harvests(app, plant, 3)
    # Then each harvest has its code, volume, stage and serum-free medium lot
    assert app.get_culture(culture).children == tuple(made)
    created = history(app, made[2])[0]
    assert (created.stage, created.volume_ml, created.sources) == (
        "supernatant_collection",
        300.0,
        [culture],
    )
    assert [m["lot"] for m in created.materials] == [plant.lots["SFM-EV"]]


def test_r_pro_2_harvest_without_volume_or_medium_is_refused(planted: Planted) -> None:
    app, plant = planted
    culture = grow(app, plant.staff, plant.vial, plant.lots)
    operator = plant.staff["operator"]
    assert refused_step(app, lambda: app.harvest_supernatant(operator, culture, 0, [])) == [
        "R-PRO-2",
        "R-PRO-2",
    ]


# --- R-PRO-3: purification ------------------------------------------------------------------


def test_r_pro_3_lot_keeps_every_harvest_in_its_genealogy(planted: Planted) -> None:
    app, plant = planted
    _, made = harvests(app, plant, 2)
    # When two harvests are pooled and purified by TFF + SEC with a buffer lot
    buffer = medium(plant, "PBS-EV")
    lot, _ = app.purify_lot(plant.staff["operator"], made, TFF_SEC, EV_SPEC, buffer)
    # Then the lot records both inputs, method and parameters; each harvest points to it
    item = app.get_product_lot(lot)
    assert parse_code(lot).item_type is ItemType.PRODUCT_LOT
    assert (item.sources, item.donor_codes) == (made, [plant.donor])
    created = history(app, lot)[0]
    assert (created.method, created.parameters) == (TFF_SEC.method, TFF_SEC.parameters)
    assert [m["stage"] for m in created.materials] == ["purification"]
    assert [app.get_harvest(h).children for h in made] == [(lot,), (lot,)]


def test_r_pro_3_harvest_pooled_twice_or_bad_method_is_refused(planted: Planted) -> None:
    app, plant = planted
    operator = plant.staff["operator"]
    _, (first, second) = harvests(app, plant, 2)
    app.purify_lot(operator, [first], TFF_SEC, EV_SPEC)
    sloppy = Purification("filtering", {}, 0)
    assert (
        refused_step(app, lambda: app.purify_lot(operator, [first, second], sloppy, EV_SPEC))
        == ["R-PRO-3"] * 4
    )


def test_r_pro_3_pooling_an_autologous_donor_with_another_donor_is_refused(
    planted: Planted,
) -> None:
    app, plant = planted
    staff = plant.staff
    # Given harvests of the plant's donor and of an autologous donor's own cells
    autologous = screened_donor(app, staff, autologous=True)
    app.determine_eligibility(staff["qa"], autologous, True, "autologous", "own use only")
    own_vial = thawed_wcb_vials(app, staff, autologous, plant.lots)[0]
    own = app.harvest_supernatant(
        staff["operator"],
        grow(app, staff, own_vial, plant.lots),
        300.0,
        medium(plant, "SFM-EV"),
    )[0]
    _, (other,) = harvests(app, plant, 1)
    # When both are pooled into one lot, Then it is refused; alone it is accepted
    operator = staff["operator"]
    assert refused_step(app, lambda: app.purify_lot(operator, [own, other], TFF_SEC, EV_SPEC)) == [
        "R-PRO-3"
    ]
    lot, _ = app.purify_lot(operator, [own], TFF_SEC, EV_SPEC)
    assert app.get_product_lot(lot).donor_codes == [autologous]


# --- R-PRO-4 and R-ID-3: fill ------------------------------------------------------------------


def test_r_pro_4_fill_gives_each_vial_its_own_code(planted: Planted) -> None:
    app, plant = planted
    lot = purified_lot(app, plant)
    # When 4 vials of 1 mL are filled
    vials, _ = app.fill_lot(plant.staff["operator"], lot, 4, 1.0, "2 mL cryovial")
    # Then each has its own code and carries the lot's expiry and storage range
    item = app.get_product_lot(lot)
    assert len(set(vials)) == 4 and item.children == tuple(vials)
    vial = app.get_product_vial(vials[3])
    assert parse_code(vials[3]).item_type is ItemType.PRODUCT_VIAL
    assert (vial.lot, vial.sources, vial.donor_codes) == (lot, [lot], [plant.donor])
    assert (vial.expiry, vial.storage) == (item.expiry, item.storage)


def test_r_pro_4_fill_beyond_the_lot_volume_is_refused(planted: Planted) -> None:
    app, plant = planted
    lot = purified_lot(app, plant)  # 10 mL
    operator = plant.staff["operator"]
    app.fill_lot(operator, lot, 8, 1.0, "2 mL cryovial")
    assert refused_step(app, lambda: app.fill_lot(operator, lot, 3, 1.0, "2 mL cryovial")) == [
        "R-PRO-4"
    ]


def test_r_acc_5_a_blinded_lot_is_never_filled_into_vials_of_its_own(planted: Planted) -> None:
    app, plant = planted
    operator = plant.staff["operator"]
    # Given an active lot and a placebo lot of the blinded study STU-X
    active = purified_lot(app, plant, blinded_study="STU-X")
    placebo, _ = app.formulate_placebo_lot(
        operator,
        "STU-X",
        "PBS matched to the EV formulation",
        10.0,
        EV_SPEC,
        medium(plant, "PBS-EV"),
    )
    # When either is filled on its own  Then refused, nothing written: its vials would be
    # tied to it (the kits of both arms are filled together, sealed)
    for lot in (active, placebo):
        call = lambda lot=lot: app.fill_lot(operator, lot, 1, 1.0, "2 mL cryovial")  # noqa: E731
        assert refused_step(app, call) == ["R-ACC-5"]
    # And the placebo lot is tested for microbial safety only
    assert app.get_product_lot(placebo).required_tests == ["sterility", "mycoplasma", "endotoxin"]


def test_r_id_3_placebo_lot_without_study_or_excipients_is_refused(planted: Planted) -> None:
    app, plant = planted
    operator = plant.staff["operator"]
    assert refused_step(
        app, lambda: app.formulate_placebo_lot(operator, " ", "PBS", 10.0, EV_SPEC, [])
    ) == ["R-ID-3"]


# --- R-PRO-6: disposal -----------------------------------------------------------------------


def test_r_pro_6_disposed_item_takes_no_further_step(planted: Planted) -> None:
    app, plant = planted
    operator, qa = plant.staff["operator"], plant.staff["qa"]
    culture, (surplus,) = harvests(app, plant, 1)
    # When the surplus harvest and the culture are disposed with method and witness
    app.dispose_item(operator, surplus, "surplus", "autoclave, medical waste", qa)
    app.dispose_item(operator, culture, "surplus", "autoclave, medical waste", qa)
    # Then the disposal is recorded and neither takes another step
    assert history(app, surplus)[-1].disposal["witness"] == qa.person_id
    assert refused_step(app, lambda: app.purify_lot(operator, [surplus], TFF_SEC, EV_SPEC)) == [
        "R-PRO-6"
    ]
    assert refused_step(
        app, lambda: app.harvest_supernatant(operator, culture, 1.0, medium(plant, "SFM-EV"))
    ) == ["R-PRO-6"]


def test_r_pro_6_disposal_needs_method_and_another_registered_witness(planted: Planted) -> None:
    app, plant = planted
    operator = plant.staff["operator"]
    _, (harvest,) = harvests(app, plant, 1)
    assert refused_step(
        app, lambda: app.dispose_item(operator, harvest, "unwanted", "", operator)
    ) == ["R-PRO-6", "R-PRO-6", "R-PPL-4"]
    assert refused_step(
        app,
        lambda: app.dispose_item(operator, harvest, "surplus", "autoclave", Actor("nobody", "x")),
    ) == ["R-PRO-6"]


# --- people and look-back reach the new steps ---------------------------------------------------


def test_r_ppl_2_a_production_step_needs_the_operator_role(planted: Planted) -> None:
    app, plant = planted
    analyst = plant.staff["qc_analyst"]
    assert "R-PPL-2" in refused_step(
        app, lambda: app.start_culture(analyst, plant.vial, medium(plant))
    )


def test_r_don_7_lookback_puts_the_culture_on_hold(planted: Planted) -> None:
    app, plant = planted
    operator = plant.staff["operator"]
    culture, _ = app.start_culture(operator, plant.vial, medium(plant))
    # When the donor becomes ineligible after look-back
    app.declare_donor_ineligible(plant.staff["qa"], plant.donor, "HCV seroconversion", app.today())
    # Then the culture is on hold and its next passage is refused
    assert culture in app.list_donor_descendants(plant.donor)
    plan = PassagePlan(5, FEED, TRYPLE)
    assert "R-DON-7" in refused_step(
        app, lambda: app.record_passage(operator, culture, plan, medium(plant))
    )


def test_r_ppl_4_one_person_holding_both_roles_cannot_witness_their_own_disposal(
    planted: Planted,
) -> None:
    # Given a person who holds both the operator and the QA role, trained for disposal
    app, plant = planted
    admin = plant.staff["administrator"]
    both, _ = app.register_person(admin, ["operator", "qa"])
    app.record_training(admin, both, DISPOSE, TODAY, TODAY + timedelta(days=30), "SOP-DIS v1")
    app.credentials.set_password(both, "both roles password")
    operator = Actor(both, "operator").signed("both roles password")
    _, (harvest,) = harvests(app, plant, 1)
    # When they dispose of a harvest as operator and sign again as the witness
    same = Actor(both, "witness").signed("both roles password")
    call = lambda: app.dispose_item(operator, harvest, "surplus", "autoclave", same)  # noqa: E731
    # Then refused: the two signers of a two-person step are two people; nothing written
    assert refused_step(app, call) == ["R-PPL-4"]
    # And another person may witness it
    app.dispose_item(operator, harvest, "surplus", "autoclave", admin)
