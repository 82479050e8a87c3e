"""Domain II end to end on a real database (R-PRO-1..4, R-PRO-6, R-QC-1..3): a thawed WCB vial ->
culture -> passages -> serum-free collection stage -> harvests -> purified lots -> QC -> one lot
certified by QA and filled into vials, the other out of specification, quarantined and disposed
of; the genealogy read model traces a vial back to the donor and the ledger verifies.
"""

from __future__ import annotations

import pytest

from ledger.bootstrap import init_ledger, open_projections
from ledger.config import Settings
from ledger.demo.production import (
    EV_SPEC,
    TFF_SEC,
    grow,
    harvest,
    issue_ev_specification,
    lot_results,
    record_results,
)
from ledger.demo.records import eligible_donor, released_lot
from ledger.errors import RuleViolation
from ledger.identifiers import ItemType
from ledger.integrity.verify import verify_database
from ledger.projections.trace import trace_up
from ledger.projections.tracking import view_engine
from tests.domain1 import history, staffed_ledger
from tests.domain2 import PLANT_MATERIALS, UC, thawed_wcb_vials

Story = dict[str, str]


def record_story(settings: Settings) -> Story:
    """The Domain II story on `settings`; returns the codes of its items by role."""
    init_ledger(settings)
    with staffed_ledger(settings) as (app, staff):
        # Given a thawed vial of a released WCB and an approved EV specification
        lots = {ref: released_lot(app, staff, ref) for ref in PLANT_MATERIALS}
        donor = eligible_donor(app, staff)
        vial = thawed_wcb_vials(app, staff, donor, lots)[0]
        issue_ev_specification(app, staff)
        # When the vial is cultured, passaged, moved to collection and harvested 3 times
        culture = grow(app, staff, vial, lots)
        first, second, third = harvest(app, staff, culture, lots, 3)
        operator, qa = staff["operator"], staff["qa"]
        good, _ = app.purify_lot(operator, [first, second], TFF_SEC, EV_SPEC)
        bad, _ = app.purify_lot(operator, [third], UC, EV_SPEC)
        # And QC passes one lot and finds endotoxin out of specification in the other
        record_results(app, staff, lot_results(app, good), good)
        record_results(app, staff, lot_results(app, bad, failing={"endotoxin": "12.5"}), bad)
        app.certify_lot(qa, good)
        vials, _ = app.fill_lot(operator, good, 10, 1.0, "2 mL cryovial")
        with pytest.raises(RuleViolation) as refusal:
            app.certify_lot(qa, bad)
        # quarantined, its OOS investigation open, endotoxin failed (R-QMS-5, R-QMS-3, R-QC-2)
        assert [v.rule for v in refusal.value.violations] == ["R-QMS-5", "R-QMS-3", "R-QC-2"]
        app.dispose_item(qa, bad, "non_conforming", "autoclave, incineration", operator)
        # Then the good lot is certified and its 10 vials carry its expiry
        assert app.get_product_lot(good).certified
        expiry = app.get_product_lot(good).expiry
        assert {app.get_product_vial(v).expiry for v in vials} == {expiry}
        # And the bad lot was quarantined, then disposed of
        names = [type(e).__name__ for e in history(app, bad)]
        assert "Quarantined" in names and names[-1] == "Disposed"
    return {
        "donor": donor,
        "wcb_vial": vial,
        "culture": culture,
        "first": first,
        "second": second,
        "third": third,
        "good": good,
        "bad": bad,
        "vial": vials[0],
        "serum_free": lots["SFM-EV"],
        "serum": lots["FBS-NZ"],
    }


def test_r_pro_1_to_r_pro_6_story_from_thawed_wcb_vial_to_certified_lot_and_filled_vials(
    settings: Settings,
) -> None:
    story = record_story(settings)
    # And the read model traces a vial up through lot, harvests and culture to the donor
    open_projections(settings).catch_up()
    engine = view_engine(settings)
    try:
        graph = trace_up(engine, story["vial"])
    finally:
        engine.dispose()
    wanted = ("good", "first", "second", "culture", "wcb_vial", "donor", "serum_free", "serum")
    assert {story[k] for k in wanted} <= set(graph.nodes)
    assert story["third"] not in graph.nodes
    assert len(graph.of_type(ItemType.WORKING_CELL_BANK)) == 1
    # And the whole ledger verifies
    assert verify_database(settings.database).intact
