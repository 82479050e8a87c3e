"""R-DON-1..7 on the Donor aggregate: screening content, marker panel with kits, hemodilution,
the signed eligibility, autologous relaxation, consent scope and look-back."""

from __future__ import annotations

import pytest

from ledger.demo.records import screening_results
from ledger.domain.base import stamped
from ledger.domain.donor import Donor
from ledger.domain.donor_standing import BANKING_SCOPES, ConsentScope, Eligibility, parse_scopes
from ledger.domain.screening import Hemodilution, MarkerResult
from ledger.errors import RuleViolation
from tests.domain1 import BANKING, STAMP, TODAY, eligible_donor, screening, settled


def new_donor(autologous: bool = False) -> Donor:
    with stamped(STAMP):
        return settled(Donor("DON-F01-26-000001-V", autologous))


def refused(donor: Donor, command: str, *args: object, **kwargs: object) -> list[str]:
    """Run a donor command that must be refused; return the rule IDs, check nothing recorded."""
    settled(donor)
    with pytest.raises(RuleViolation) as refusal, stamped(STAMP):
        getattr(donor, command)(*args, **kwargs)
    assert donor.collect_events() == []
    return [v.rule for v in refusal.value.violations]


def screened(donor: Donor, **overrides: object) -> Donor:
    with stamped(STAMP):
        donor.record_screening(screening(**overrides))
    return settled(donor)


# --- R-DON-1 screening record -----------------------------------------------------------------


def test_r_don_1_screening_without_history_age_or_sex_is_refused() -> None:
    # Given a donor, When the screening lacks histories and has an impossible age and sex
    rules = refused(
        new_donor(),
        "record_screening",
        screening(age=-1, sex="", medical_history=" ", family_history="", epidemic_area_travel=""),
    )
    # Then every missing item is named under R-DON-1
    assert rules == ["R-DON-1"] * 5


def test_r_don_1_complete_screening_is_recorded() -> None:
    donor = new_donor()
    with stamped(STAMP):
        donor.record_screening(screening())
    (event,) = donor.collect_events()
    assert type(event).__name__ == "ScreeningRecorded"
    recorded = event.screening  # type: ignore[attr-defined]
    assert recorded["age"] == 29 and recorded["epidemic_area_travel"] == "none"


# --- R-DON-2 marker panel ---------------------------------------------------------------------


def test_r_don_2_missing_base_marker_is_refused() -> None:
    results = [r for r in screening_results() if r["marker"] != "TP"]
    rules = refused(new_donor(), "record_screening", screening(results=results))
    assert rules == ["R-DON-2"]


def test_r_don_2_leukocyte_rich_sample_needs_htlv_cmv_ebv() -> None:
    # Given a leukocyte-rich screening with the base panel only
    rules = refused(
        new_donor(),
        "record_screening",
        screening(leukocyte_rich=True, results=screening_results()),
    )
    assert rules == ["R-DON-2"]


def test_r_don_2_each_result_needs_kit_and_approval_number() -> None:
    results = screening_results()
    results[0] = MarkerResult(marker="HIV-1/2", result="non_reactive", kit="K", approval_number="")
    rules = refused(new_donor(), "record_screening", screening(results=results))
    assert rules == ["R-DON-2"]


def test_r_don_2_duplicate_unknown_and_malformed_results_are_refused() -> None:
    results = [
        *screening_results(),
        MarkerResult(marker="HBV", result="non_reactive", kit="K", approval_number="A"),
        MarkerResult(marker="HPV", result="non_reactive", kit="K", approval_number="A"),
        MarkerResult(marker="CMV", result="negative-ish", kit="K", approval_number="A"),
    ]
    rules = refused(new_donor(), "record_screening", screening(results=results))
    assert rules == ["R-DON-2"] * 3


def test_r_don_2_extended_panel_and_typing_are_accepted() -> None:
    typing = [
        MarkerResult(marker="ABO", result="A Rh+", kit="ABO card", approval_number="A1"),
        MarkerResult(marker="HLA", result="A*02:01", kit="HLA SSO", approval_number="A2"),
    ]
    donor = screened(
        new_donor(), leukocyte_rich=True, results=screening_results(leukocyte_rich=True) + typing
    )
    assert donor.screenings[2].leukocyte_panel


# --- R-DON-3 hemodilution ---------------------------------------------------------------------


def test_r_don_3_impossible_hemodilution_assessment_is_refused() -> None:
    bad = Hemodilution(blood_and_colloids_48h_ml=-5, crystalloids_1h_ml=0, plasma_volume_ml=0)
    assert refused(new_donor(), "record_screening", screening(hemodilution=bad)) == ["R-DON-3"]


def test_r_don_3_hemodiluted_sample_cannot_support_eligibility() -> None:
    # Given a screening sample drawn after infusions exceeding the plasma volume
    diluted = Hemodilution(
        blood_and_colloids_48h_ml=2000, crystalloids_1h_ml=1500, plasma_volume_ml=2800
    )
    donor = screened(new_donor(), hemodilution=diluted)
    # Then the dilution is recorded, and eligibility on it is refused under R-DON-3
    assert donor.screenings[2].hemodiluted
    assert refused(donor, "determine_eligibility", True, "ok") == ["R-DON-3"]


# --- R-DON-4 eligibility ----------------------------------------------------------------------


def test_r_don_4_allogeneic_donor_with_reactive_marker_cannot_be_eligible() -> None:
    donor = screened(new_donor(), results=screening_results(reactive=["HCV"]))
    assert refused(donor, "determine_eligibility", True, "ok", "any reason") == ["R-DON-4"]


def test_r_don_4_ineligibility_needs_a_reason_and_blocks_material() -> None:
    donor = screened(new_donor())
    assert refused(donor, "determine_eligibility", False, " ") == ["R-DON-4"]
    with stamped(STAMP):
        donor.determine_eligibility(False, "donor withdrew from programme")
    assert donor.standing().eligibility is Eligibility.INELIGIBLE
    assert [v.rule for v in donor.standing().refusals_for("COL-1")] == ["R-DON-4", "R-DON-6"]


def test_r_don_1_eligibility_without_screening_is_refused() -> None:
    assert refused(new_donor(), "determine_eligibility", True, "ok") == ["R-DON-1"]


def test_r_don_4_eligible_donor_passes_with_consent() -> None:
    donor = eligible_donor()
    assert donor.standing().eligibility is Eligibility.ELIGIBLE
    assert donor.standing().refusals_for("COL-1", BANKING_SCOPES) == []


# --- R-DON-5 autologous -----------------------------------------------------------------------


def test_r_don_5_autologous_relaxation_needs_a_justification() -> None:
    donor = screened(new_donor(autologous=True), results=screening_results(reactive=["HBV"]))
    assert refused(donor, "determine_eligibility", True, "own use") == ["R-DON-5"]


def test_r_don_5_autologous_relaxation_with_justification_is_recorded() -> None:
    donor = screened(new_donor(autologous=True), results=screening_results(reactive=["HBV"]))
    with stamped(STAMP):
        donor.determine_eligibility(True, "own use", "dedicated isolator; own use only")
    (event,) = donor.collect_events()
    assert event.relaxation_justification == "dedicated isolator; own use only"  # type: ignore[attr-defined]
    assert donor.standing().autologous


# --- R-DON-6 consent --------------------------------------------------------------------------


def test_r_don_6_unknown_scope_and_missing_consent_fields_are_refused() -> None:
    with pytest.raises(RuleViolation, match="R-DON-6"):
        parse_scopes(["banking", "resale"])
    rules = refused(new_donor(), "record_consent", BANKING, "", "", "", TODAY, TODAY)
    assert rules == ["R-DON-6"] * 3


def test_r_don_6_use_outside_the_consent_scope_is_refused() -> None:
    # Given a donor who consented to banking and long-term storage for project PRJ-EV-01
    standing = eligible_donor().standing()
    # When their material is shared, or used by another project or institution
    problems = standing.refusals_for(
        "WCB-1", frozenset({ConsentScope.SHARING}), project="PRJ-OTHER", institution="Hospital B"
    )
    # Then each missing authorisation is refused under R-DON-6
    assert [v.rule for v in problems] == ["R-DON-6"] * 3
    assert "sharing" in problems[0].message and "cross project" in problems[1].message


def test_r_don_6_withdrawn_consent_refuses_every_further_use() -> None:
    donor = eligible_donor()
    with stamped(STAMP):
        donor.withdraw_consent("donor asked", TODAY)
    assert [v.rule for v in donor.standing().refusals_for("CEL-1")] == ["R-DON-6"]
    assert refused(donor, "withdraw_consent", "again", TODAY) == ["R-DON-6"]


def test_r_don_6_no_consent_refuses_use() -> None:
    donor = screened(new_donor())
    with stamped(STAMP):
        donor.determine_eligibility(True, "ok")
    assert [v.rule for v in donor.standing().refusals_for("COL-1")] == ["R-DON-6"]


# --- R-DON-7 look-back ------------------------------------------------------------------------


def test_r_don_7_lookback_makes_the_donor_ineligible_for_good() -> None:
    # Given an eligible donor
    donor = eligible_donor()
    # When a later finding makes them ineligible
    with stamped(STAMP):
        donor.declare_ineligible_after_lookback("HIV seroconversion at 6-month retest", TODAY)
    # Then any step on their material is refused under R-DON-7, and it cannot be reversed
    (problem,) = donor.standing().refusals_for("BVL-1")
    assert problem.rule == "R-DON-7" and "seroconversion" in problem.message
    assert refused(donor, "determine_eligibility", True, "retest fine") == ["R-DON-7"]
    assert refused(donor, "declare_ineligible_after_lookback", "again", TODAY) == ["R-DON-7"]


def test_r_don_7_lookback_needs_the_finding() -> None:
    assert refused(eligible_donor(), "declare_ineligible_after_lookback", "", TODAY) == ["R-DON-7"]


# --- R-LED-6 personal data --------------------------------------------------------------------


def test_r_led_6_identity_events_hold_field_names_only_and_erasure_is_final() -> None:
    donor = new_donor()
    with stamped(STAMP):
        donor.record_identity(["name", "birth_date"])
        donor.erase_identity("donor's request")
    recorded, erased = donor.collect_events()
    assert recorded.fields == ["birth_date", "name"]  # type: ignore[attr-defined]
    assert erased.reason == "donor's request"  # type: ignore[attr-defined]
    assert refused(donor, "record_identity", ["name"]) == ["R-LED-6"]
    assert refused(donor, "erase_identity", "again") == ["R-LED-6"]


def test_r_don_7_ineligibility_after_collection_goes_through_lookback() -> None:
    # Given an eligible donor whose sample was already collected
    donor = eligible_donor()
    with stamped(STAMP):
        donor.record_derived(["COL-F01-26-000001-2"], "collection")
    # When QA records a plain ineligibility, Then it is refused: look-back must hold the sample
    assert refused(donor, "determine_eligibility", False, "late HBV result") == ["R-DON-7"]
