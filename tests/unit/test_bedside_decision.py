"""The bedside decision as a pure function: go only when every rule holds, otherwise no-go
with every reason (R-CLN-2)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from ledger.domain.bedside import BedsideFacts, decide
from ledger.errors import Violation
from tests.domain1 import NOW, TODAY

GOOD = BedsideFacts(
    vial="PVL-F01-26-000001-X",
    patient="PAT-F01-26-000001-X",
    dose=1.0,
    route="intravenous",
    at=NOW,
    expiry=TODAY + timedelta(days=180),
    vial_site="SIT-F01-26-000001-X",
    released=True,
    thawed_at=NOW - timedelta(minutes=10),
    used_by=None,
    excursion=None,
    item_refusals=(),
    vial_donors=("DON-F01-26-000001-X",),
    autologous_donors=(),
    blinded_study=None,
    patient_site="SIT-F01-26-000001-X",
    patient_study="STU-F01-26-000001-X",
    consented=True,
    patient_donor=None,
    study_status="active",
    cohort="high",
    cohort_doses=(1.0,),
    dose_unit="mL",
    routes=("intravenous", "intra_arterial"),
    in_use_minutes=60,
    dispensed_to="PAT-F01-26-000001-X",
    doses_given=1,
    last_dose_at=NOW - timedelta(days=30),
    administrations=2,
    min_interval_hours=28 * 24,
)


def rules(**changes: Any) -> list[str]:
    decision = decide(replace(GOOD, **changes))
    assert not decision.go
    return [r.rule for r in decision.reasons]


def test_r_cln_2_all_rules_holding_is_go() -> None:
    # Given facts where every rule holds  When decided  Then go with no reason
    decision = decide(GOOD)
    assert decision.go and decision.reasons == ()


def test_r_cln_2_not_thawed_yet_is_still_go_for_the_thaw() -> None:
    assert decide(replace(GOOD, thawed_at=None)).go


def test_r_cln_2_vial_not_released_by_the_site_qp_is_no_go() -> None:
    assert rules(released=False) == ["R-QC-4"]


def test_r_cln_2_vial_at_another_site_is_no_go() -> None:
    assert rules(vial_site="SIT-F01-26-000002-X") == ["R-QC-4"]


def test_r_cln_2_vial_never_delivered_is_no_go() -> None:
    assert rules(vial_site=None, released=False) == ["R-QC-4"]


def test_r_cln_2_expired_vial_is_no_go() -> None:
    assert rules(expiry=TODAY - timedelta(days=1)) == ["R-CLN-2"]


def test_r_cln_2_vial_past_its_in_use_time_after_thaw_is_no_go() -> None:
    assert rules(thawed_at=NOW - timedelta(minutes=61)) == ["R-CLN-2"]


def test_r_cln_2_vial_already_administered_is_no_go() -> None:
    assert rules(used_by="PAT-F01-26-000002-X") == ["R-CLN-2"]


def test_r_cln_2_broken_cold_chain_is_no_go_once() -> None:
    # Given an unassessed excursion and the hold it put on the vial  Then one reason
    hold = Violation("R-SHP-2", "on hold: temperature excursion")
    assert rules(excursion="-41 C at 09:30", item_refusals=(hold,)) == ["R-SHP-2"]


@pytest.mark.parametrize("rule", ["R-SHP-3", "R-DON-7", "R-PRO-6", "R-MAT-5"])
def test_r_cln_2_quarantined_held_failed_or_disposed_vial_is_no_go(rule: str) -> None:
    # Given a hold (failed receipt, look-back, recall) or a disposal of the vial
    assert rules(item_refusals=(Violation(rule, "on hold"),)) == [rule]


def test_r_cln_2_patient_without_consent_is_no_go() -> None:
    assert rules(consented=False) == ["R-CLN-2"]


def test_r_cln_2_paused_study_is_no_go() -> None:
    assert rules(study_status="paused") == ["R-CLN-4"]


def test_r_cln_2_dose_not_of_the_patients_cohort_is_no_go() -> None:
    assert rules(dose=0.5) == ["R-CLN-2"]


def test_r_cln_2_route_not_in_the_protocol_is_no_go() -> None:
    assert rules(route="intranasal") == ["R-CLN-2"]


def test_r_cln_2_autologous_vial_to_another_patient_is_no_go() -> None:
    donor = GOOD.vial_donors[0]
    assert rules(autologous_donors=(donor,), patient_donor="DON-F01-26-000009-X") == ["R-CLN-2"]
    assert decide(replace(GOOD, autologous_donors=(donor,), patient_donor=donor)).go


def test_r_cln_2_blinded_vial_of_another_study_is_no_go() -> None:
    assert rules(blinded_study="STU-F01-26-000002-X", dispensed_to=GOOD.patient) == ["R-CLN-2"]


def test_r_cln_2_blinded_kit_not_allocated_to_the_patient_is_no_go() -> None:
    # Given a kit of the patient's own blinded study the pharmacy did not dispense for them
    blinded = replace(GOOD, blinded_study=GOOD.patient_study)
    for other in (None, "PAT-F01-26-000002-X"):
        decision = decide(replace(blinded, dispensed_to=other))
        # Then no-go: only the kit allocated to the subject's randomisation number may be given
        assert [r.rule for r in decision.reasons] == ["R-CLN-2"]
        assert "not allocated to" in decision.reasons[0].message
    assert decide(replace(blinded, dispensed_to=GOOD.patient)).go


def test_r_cln_2_vial_dispensed_for_another_patient_is_no_go() -> None:
    assert rules(dispensed_to="PAT-F01-26-000002-X") == ["R-CLN-2"]
    assert decide(replace(GOOD, dispensed_to=GOOD.patient)).go


def test_r_cln_2_several_failures_are_all_listed() -> None:
    # Given an expired, unreleased vial for a paused study at the wrong dose and route
    decision = decide(
        replace(
            GOOD,
            released=False,
            expiry=TODAY - timedelta(days=1),
            study_status="paused",
            dose=3.0,
            route="oral",
            consented=False,
        )
    )
    # Then no-go with every reason, each naming what is wrong, the paused study first
    assert [r.rule for r in decision.reasons] == [
        "R-CLN-4",
        "R-QC-4",
        "R-CLN-2",
        "R-CLN-2",
        "R-CLN-2",
        "R-CLN-2",
    ]
    assert "expired" in decision.reasons[2].message
    assert "3 mL" in decision.reasons[4].message


def test_r_cln_8_a_vial_not_dispensed_for_the_patient_is_no_go_in_every_study() -> None:
    # Given an open-label vial the pharmacy has not dispensed for anyone
    assert rules(dispensed_to=None) == ["R-CLN-8"]


def test_r_cln_7_a_dose_beyond_the_protocols_count_is_no_go() -> None:
    # Given a subject who has had both administrations the protocol allows
    assert rules(doses_given=2) == ["R-CLN-7"]


def test_r_cln_7_a_dose_before_the_minimum_interval_is_no_go_and_says_when() -> None:
    # Given a subject dosed ten minutes ago, in a protocol of 28 days between doses
    decision = decide(replace(GOOD, last_dose_at=NOW - timedelta(minutes=10)))
    (reason,) = decision.reasons
    assert reason.rule == "R-CLN-7" and "672 h between doses" in reason.message
    assert (NOW - timedelta(minutes=10) + timedelta(days=28)).strftime("%Y-%m-%d") in (
        reason.message
    )
    # And once the interval has passed the dose may go
    assert decide(replace(GOOD, last_dose_at=NOW - timedelta(hours=672))).go
