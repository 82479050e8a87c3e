"""Domain I end to end on a real database (R-DON, R-MAT, R-CB, R-DON-7): donor -> consent ->
screening -> eligible -> collection -> isolation -> seed -> MCB -> WCB -> released -> vial thawed;
then the donor's look-back puts every descendant on hold and blocks the next step on a WCB vial.
"""

from __future__ import annotations

import pytest

from ledger.bootstrap import init_ledger
from ledger.config import Settings
from ledger.demo.records import (
    MSC_IDENTITY,
    bank_plan,
    collect,
    eligible_donor,
    isolate,
    released_bank,
    released_lot,
)
from ledger.domain.lineage import DerivedItem
from ledger.domain.material_use import UseOf
from ledger.errors import RuleViolation
from ledger.identifiers import parse_code
from ledger.integrity.verify import verify_database
from tests.domain1 import TODAY, history, last_id, staffed_ledger


def test_r_don_7_lookback_after_the_bank_story_blocks_the_next_step_on_a_wcb_vial(
    settings: Settings,
) -> None:
    init_ledger(settings)
    with staffed_ledger(settings) as (app, staff):
        # Given a donor's sample taken through isolation to a released WCB and a thawed vial
        donor = eligible_donor(app, staff)
        transport = UseOf(released_lot(app, staff, "TM-GENTA"), removal_validation="VAL-1")
        culture = [UseOf(released_lot(app, staff, "MEM-ALPHA"))]
        collection = collect(app, staff, donor, [transport])
        (cells,) = isolate(app, staff, collection, [UseOf(released_lot(app, staff, "COLL-I"))], 1)
        app.confirm_identity(staff["qc_analyst"], cells, "flow", MSC_IDENTITY, "ID-1")
        source, chain = cells, []
        for passage, (tier, box) in enumerate(
            (("seed", "B1"), ("master", "B2"), ("working", "B3"))
        ):
            plan = bank_plan(TODAY, box, 3, 2 + passage)
            bank, vials = released_bank(app, staff, tier, source, plan, culture)
            app.thaw_vial(staff["operator"], vials[0], "production", 90.0)
            chain += [bank, *vials]
            source = vials[0]
        wcb_vials = chain[-3:]
        assert app.get_bank_vial(wcb_vials[0]).fit_for_production

    # When, in a freshly opened ledger, QA declares the donor ineligible after look-back
    with staffed_ledger(settings) as (app, _):
        qa = staff["qa"]
        receipt = app.declare_donor_ineligible(qa, donor, "anti-HBc positive on retest", TODAY)
        # Then every item made from the donor is held in that one transaction
        affected = app.list_donor_descendants(donor)
        assert affected == [collection, cells, *chain]
        assert receipt.events == 1 + len(affected)
        for code in affected:
            hold = history(app, code)[-1]
            assert type(hold).__name__ == "PutOnHold", code
            assert "anti-HBc" in hold.hold["reason"]  # type: ignore[attr-defined]
        # And the next step on a WCB vial is refused under R-DON-7 with nothing written
        before = last_id(app)
        with pytest.raises(RuleViolation) as refusal:
            app.thaw_vial(staff["operator"], wcb_vials[1], "production", 95.0)
        assert {v.rule for v in refusal.value.violations} == {"R-DON-7"}
        assert wcb_vials[1] in refusal.value.detail and "anti-HBc" in refusal.value.detail
        assert last_id(app) == before
        # And the vial already thawed may not go into production either
        thawed = app.get_bank_vial(wcb_vials[0])
        assert isinstance(thawed, DerivedItem)
        rules = {v.rule for v in thawed.production_refusals([app.get_donor(donor).standing()])}
        assert rules == {"R-DON-7"}
        assert parse_code(wcb_vials[0]).item_type.prefix == "BVL"
    # And the whole ledger still verifies
    assert verify_database(settings.database).intact
