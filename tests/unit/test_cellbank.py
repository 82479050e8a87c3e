"""R-CB-3..6: bank tiers, what a bank records, full testing before release, and the one thaw of
each vial against the bank's post-thaw viability specification."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from ledger.demo.records import bank_plan, passing_bank_tests
from ledger.domain.bank_vial import BankPlan, BankVial, StorageLocation, ThawPurpose, Tier
from ledger.domain.base import stamped
from ledger.domain.cell_source import CellSource
from ledger.domain.cellbank import SMALL_WCB_MAX_VIALS, BankTestResult
from ledger.domain.donor import Donor
from ledger.domain.donor_standing import ConsentScope
from ledger.errors import RuleViolation
from tests.domain1 import (
    NOW,
    STAMP,
    TODAY,
    eligible_donor,
    establish,
    isolated_portion,
    released_bank,
    screening,
    settled,
)


def refused_bank(tier: Tier, source: CellSource | BankVial, donor: Donor, **kw: Any) -> list[str]:
    settled(source)
    with pytest.raises(RuleViolation) as refusal:
        establish(tier, source, donor, **kw)
    assert source.collect_events() == []
    return [v.rule for v in refusal.value.violations]


@pytest.fixture
def donor() -> Donor:
    return eligible_donor()


# --- R-CB-3 tiers -----------------------------------------------------------------------------


def test_r_cb_3_seed_master_working_chain_is_accepted(donor: Donor) -> None:
    # Given confirmed cells, When seed -> MCB -> WCB are made from thawed vials
    _, seed_vials = released_bank(Tier.SEED, isolated_portion(donor), donor, 1)
    mcb, mcb_vials = released_bank(Tier.MASTER, seed_vials[0], donor, 2, passage=3)
    wcb, _ = released_bank(Tier.WORKING, mcb_vials[0], donor, 3, passage=4)
    # Then each bank records its source and donor
    assert (mcb.sources, wcb.sources) == ([seed_vials[0].code], [mcb_vials[0].code])
    assert wcb.donor_codes == [donor.code] and wcb.tier is Tier.WORKING


def test_r_cb_3_master_bank_may_come_straight_from_isolated_cells(donor: Donor) -> None:
    bank, vials = establish(Tier.MASTER, isolated_portion(donor), donor)
    assert bank.tier is Tier.MASTER and len(vials) == 3


def test_r_cb_3_working_bank_only_from_a_master_bank(donor: Donor) -> None:
    portion = isolated_portion(donor)
    assert refused_bank(Tier.WORKING, portion, donor) == ["R-CB-3"]
    _, seed_vials = released_bank(Tier.SEED, portion, donor, 1)
    assert refused_bank(Tier.WORKING, seed_vials[0], donor) == ["R-CB-3"]


def test_r_cb_3_master_bank_not_from_a_master_vial_nor_seed_from_a_vial(donor: Donor) -> None:
    _, mcb_vials = released_bank(Tier.MASTER, isolated_portion(donor), donor, 2)
    assert refused_bank(Tier.MASTER, mcb_vials[0], donor) == ["R-CB-3"]
    assert refused_bank(Tier.SEED, mcb_vials[0], donor) == ["R-CB-3"]


def test_r_cb_3_autologous_hpsc_may_make_a_small_working_bank_directly() -> None:
    # Given autologous iPSC (pluripotent) cells
    donor = eligible_donor(autologous=True)
    cells = isolated_portion(donor, pluripotent=True)
    # When a small WCB is made from them, Then it is accepted; a large one is refused
    bank, _ = establish(Tier.WORKING, cells, donor, vials=SMALL_WCB_MAX_VIALS)
    assert bank.tier is Tier.WORKING
    large = bank_plan(TODAY, "B8", SMALL_WCB_MAX_VIALS + 1, 5)
    assert refused_bank(
        Tier.WORKING, isolated_portion(donor, pluripotent=True), donor, plan=large
    ) == ["R-CB-3"]


# --- R-CB-4 what a bank records ---------------------------------------------------------------


def test_r_cb_4_each_vial_has_its_own_code_and_place_in_vapor_phase_ln2(donor: Donor) -> None:
    bank, vials = establish(Tier.MASTER, isolated_portion(donor), donor)
    assert bank.vials == [v.code for v in vials]
    assert [v.location["position"] for v in vials] == ["1", "2", "3"]
    established = bank.collect_events()[0]
    assert established.storage == "vapor_phase_ln2"  # type: ignore[attr-defined]
    assert established.viability_spec_pct == 80.0 and established.max_passage == 10  # type: ignore[attr-defined]
    assert all(v.bank == bank.code and v.viability_spec_pct == 80.0 for v in vials)


def test_r_cb_4_storage_places_passage_and_specification_are_checked(donor: Donor) -> None:
    spot = StorageLocation(tank="T1", rack="R1", box="B1", position="1")
    bad = BankPlan(
        passage=12,
        max_passage=10,
        stability_study_ref="",
        viability_spec_pct=0,
        locations=(spot, spot),
        frozen_on=TODAY.replace(year=TODAY.year + 1),
        storage="minus_80_freezer",
    )
    assert refused_bank(Tier.MASTER, isolated_portion(donor), donor, plan=bad) == ["R-CB-4"] * 5


def test_r_cb_4_a_bank_from_a_vial_is_at_a_later_passage_within_the_limit(donor: Donor) -> None:
    _, seed_vials = released_bank(Tier.SEED, isolated_portion(donor), donor, 1, passage=4)
    same = bank_plan(TODAY, "B7", 3, 4)
    assert refused_bank(Tier.MASTER, seed_vials[0], donor, plan=same) == ["R-CB-4"]
    looser = replace(bank_plan(TODAY, "B7", 3, 5), max_passage=20)
    assert refused_bank(Tier.MASTER, seed_vials[0], donor, plan=looser) == ["R-CB-4"]


def test_r_don_6_banking_needs_the_donors_banking_consent() -> None:
    with stamped(STAMP):
        donor = Donor("DON-F01-26-000001-V", False)
        donor.record_consent(
            [ConsentScope.SHARING], "PRJ-EV-01", "Hospital A", "ICF v1", TODAY, TODAY
        )
        donor.record_screening(screening())
        donor.determine_eligibility(True, "ok")
    assert refused_bank(Tier.SEED, isolated_portion(settled(donor)), donor) == ["R-DON-6"] * 2


# --- R-CB-5 testing and release ---------------------------------------------------------------


def test_r_cb_5_release_without_full_testing_names_what_is_missing(donor: Donor) -> None:
    bank, _ = establish(Tier.MASTER, isolated_portion(donor), donor)
    settled(bank)
    in_house = passing_bank_tests(TODAY)[0] | {"third_party": False}
    with stamped(STAMP):
        bank.record_test(BankTestResult(**in_house), [donor.standing()])  # type: ignore[typeddict-item]
    settled(bank)
    with pytest.raises(RuleViolation) as refusal, stamped(STAMP):
        bank.release([donor.standing()])
    (missing, identity) = refusal.value.violations
    assert (missing.rule, identity.rule) == ("R-CB-5", "R-CB-5")
    assert (
        "sterility, mycoplasma, endotoxin, adventitious_virus, endogenous_virus" in missing.message
    )
    assert bank.collect_events() == [] and not bank.released


def test_r_cb_5_a_failed_test_blocks_release(donor: Donor) -> None:
    bank, _ = establish(Tier.MASTER, isolated_portion(donor), donor)
    failed = BankTestResult(**(passing_bank_tests(TODAY)[1] | {"passed": False}))  # type: ignore[typeddict-item]
    with stamped(STAMP):
        for result in [*passing_bank_tests(TODAY), failed]:
            bank.record_test(result, [donor.standing()])
    settled(bank)
    with pytest.raises(RuleViolation, match="failed mycoplasma"), stamped(STAMP):
        bank.release([donor.standing()])


def test_r_qms_1_a_failed_bank_result_is_never_struck_out(donor: Donor) -> None:
    # Given a master bank whose mycoplasma result failed
    bank, _ = establish(Tier.MASTER, isolated_portion(donor), donor)
    failed = BankTestResult(**(passing_bank_tests(TODAY)[1] | {"passed": False}))  # type: ignore[typeddict-item]
    with stamped(STAMP):
        for result in [*passing_bank_tests(TODAY), failed]:
            bank.record_test(result, [donor.standing()])
    settled(bank)
    # When someone strikes the failed result out, Then it is refused and nothing recorded
    failing = next(v for v, r in bank.results.items() if not r["passed"])
    with pytest.raises(RuleViolation, match="R-QMS-1"), stamped(STAMP):
        bank.correct(failing, "typo")
    assert bank.collect_events() == []
    # And a passed result may still be struck out with a reason (the bank then lacks it)
    passing = next(v for v, r in bank.results.items() if r["passed"])
    with stamped(STAMP):
        bank.correct(passing, "result belongs to another bank's report")
    assert type(bank.collect_events()[-1]).__name__ == "EntryCorrected"


def test_r_cb_5_full_third_party_testing_allows_the_signed_release(donor: Donor) -> None:
    bank, _ = establish(Tier.MASTER, isolated_portion(donor), donor)
    with stamped(STAMP):
        for result in passing_bank_tests(TODAY):
            bank.record_test(result, [donor.standing()])
        bank.release([donor.standing()])
    assert bank.released
    assert type(bank.collect_events()[-1]).__name__ == "Released"


def test_r_cb_5_unknown_test_and_missing_report_are_refused(donor: Donor) -> None:
    bank, _ = establish(Tier.MASTER, isolated_portion(donor), donor)
    odd = BankTestResult(
        test="vibes", passed=True, laboratory="", third_party=True, report_ref="", tested_on=TODAY
    )
    with pytest.raises(RuleViolation) as refusal, stamped(STAMP):
        bank.record_test(odd, [donor.standing()])
    assert [v.rule for v in refusal.value.violations] == ["R-CB-5", "R-CB-5"]


def test_r_cb_5_vials_of_an_unreleased_bank_are_thawed_for_testing_only(donor: Donor) -> None:
    _, vials = establish(Tier.MASTER, isolated_portion(donor), donor)
    with pytest.raises(RuleViolation) as refusal, stamped(STAMP):
        vials[0].thaw(ThawPurpose.PRODUCTION, 95.0, NOW, False, [donor.standing()])
    assert [v.rule for v in refusal.value.violations] == ["R-CB-5"]
    with stamped(STAMP):
        vials[1].thaw(ThawPurpose.TESTING, 95.0, NOW, False, [donor.standing()])
    assert [v.rule for v in vials[1].production_refusals([donor.standing()])] == ["R-CB-5"]


# --- R-CB-6 thaw ------------------------------------------------------------------------------


def test_r_cb_6_a_vial_is_thawed_once(donor: Donor) -> None:
    _, vials = released_bank(Tier.MASTER, isolated_portion(donor), donor, 2)
    with pytest.raises(RuleViolation) as refusal, stamped(STAMP):
        vials[0].thaw(ThawPurpose.PRODUCTION, 93.0, NOW, True, [donor.standing()])
    assert [v.rule for v in refusal.value.violations] == ["R-CB-6"]
    assert vials[0].collect_events() == []


def test_r_cb_6_viability_below_specification_is_recorded_and_refused_for_production(
    donor: Donor,
) -> None:
    # Given a released bank with an 80% post-thaw viability specification
    _, vials = released_bank(Tier.MASTER, isolated_portion(donor), donor, 2)
    # When a vial thaws at 71%
    with stamped(STAMP):
        vials[1].thaw(ThawPurpose.PRODUCTION, 71.0, NOW, True, [donor.standing()])
    # Then the thaw is recorded, and the cells are refused for production under R-CB-6
    assert type(vials[1].collect_events()[0]).__name__ == "Thawed"
    (problem,) = vials[1].production_refusals([donor.standing()])
    assert problem.rule == "R-CB-6" and "71.0%" in problem.message
    assert vials[0].production_refusals([donor.standing()]) == []


def test_r_cb_6_unthawed_vial_and_impossible_viability_are_refused(donor: Donor) -> None:
    _, vials = released_bank(Tier.MASTER, isolated_portion(donor), donor, 2)
    assert [v.rule for v in vials[2].production_refusals([donor.standing()])] == ["R-CB-6"]
    with pytest.raises(RuleViolation, match="R-CB-6"), stamped(STAMP):
        vials[2].thaw(ThawPurpose.PRODUCTION, 140.0, NOW, True, [donor.standing()])


def test_r_don_7_held_vial_cannot_be_thawed(donor: Donor) -> None:
    _, vials = released_bank(Tier.MASTER, isolated_portion(donor), donor, 2)
    with stamped(STAMP):
        vials[1].put_on_hold("R-DON-7", "donor look-back: HIV seroconversion", donor.code)
    settled(vials[1])
    with pytest.raises(RuleViolation) as refusal, stamped(STAMP):
        vials[1].thaw(ThawPurpose.PRODUCTION, 93.0, NOW, True, [donor.standing()])
    assert [v.rule for v in refusal.value.violations] == ["R-DON-7"]
    assert "seroconversion" in refusal.value.detail
