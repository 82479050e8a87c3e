"""R-CB-1 (with R-DON-2/4/6 and R-MAT-5 at collection): what a collection records, and whose
samples in which transport medium are refused."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from ledger.demo.records import arrival
from ledger.domain.base import stamped
from ledger.domain.collection import Arrival, Collection, SampleType
from ledger.domain.donor import Donor
from ledger.domain.material import AntibioticClass
from ledger.domain.material_use import ANTIBIOTIC_NOT_DETECTED, Stage, UseOf, check_use
from ledger.errors import RuleViolation
from tests.domain1 import (
    NOW,
    STAMP,
    TODAY,
    antibiotic_lot,
    eligible_donor,
    received_collection,
    screening,
    settled,
)


def refused_collection(donor: Donor, **overrides: object) -> list[str]:
    """Collect from `donor`, expecting a refusal; nothing may be recorded on the donor."""
    with pytest.raises(RuleViolation) as refusal:
        received_collection(donor, **overrides)
    assert donor.collect_events() == []
    assert donor.children == ()
    return [v.rule for v in refusal.value.violations]


def test_r_cb_1_collection_records_donor_sample_time_sop_medium_and_arrival() -> None:
    # Given an eligible, consented donor
    donor = eligible_donor()
    # When their umbilical cord arrives in a released transport medium
    collection = received_collection(donor)
    # Then the collection holds donor, sample type and arrival, and the donor lists it
    assert collection.donor_codes == [donor.code] and collection.sources == [donor.code]
    assert collection.sample_type is SampleType.UMBILICAL_CORD and collection.acceptable
    assert donor.children == (collection.code,)


def test_r_cb_1_missing_sop_medium_and_impossible_times_are_refused() -> None:
    donor = eligible_donor()
    rules = refused_collection(
        donor, sop_version=" ", transport=[], collected_at=NOW + timedelta(hours=1)
    )
    assert rules == ["R-CB-1"] * 3


def test_r_cb_1_times_without_utc_offset_are_refused() -> None:
    rules = refused_collection(eligible_donor(), collected_at=datetime(2026, 3, 2, 4, 0))
    assert rules == ["R-CB-1"]


def test_r_cb_1_damaged_arrival_is_recorded_but_not_acceptable() -> None:
    bad = Arrival(
        arrived_at=NOW, temperature_c=15.0, container_intact=True, sample_immersed=False, note="dry"
    )
    collection = received_collection(eligible_donor(), arrival=bad)
    assert not collection.acceptable


def test_r_don_4_sample_of_an_ineligible_donor_is_refused() -> None:
    with stamped(STAMP):
        donor = Donor("DON-F01-26-000002-T", False)
        donor.record_screening(screening())
        donor.determine_eligibility(False, "HBV reactive")
    settled(donor)
    assert refused_collection(donor) == ["R-DON-4", "R-DON-6"]


def test_r_don_6_sample_after_consent_withdrawal_is_refused() -> None:
    donor = eligible_donor()
    with stamped(STAMP):
        donor.withdraw_consent("donor's decision", TODAY)
    settled(donor)
    assert refused_collection(donor) == ["R-DON-6"]


def test_r_don_2_leukocyte_rich_sample_needs_the_extended_panel() -> None:
    # Given a donor screened with the base panel only
    donor = eligible_donor()
    # When cord blood (leukocyte-rich) arrives, Then it is refused under R-DON-2
    assert refused_collection(donor, sample_type=SampleType.CORD_BLOOD) == ["R-DON-2"]


def test_r_don_2_leukocyte_rich_sample_from_an_extended_screening_is_accepted() -> None:
    donor = eligible_donor(leukocyte_rich=True)
    collection = received_collection(donor, sample_type=SampleType.CORD_BLOOD)
    assert collection.sample_type.leukocyte_rich


def test_r_mat_5_antibiotic_transport_medium_without_validated_removal_is_refused() -> None:
    lot = antibiotic_lot(4, AntibioticClass.AMINOGLYCOSIDE)
    check = check_use(lot, UseOf(lot.code), Stage.TRANSPORT, TODAY, False)
    assert refused_collection(eligible_donor(), transport=[check]) == ["R-MAT-5"]


def test_r_mat_5_validated_removal_is_recorded_with_the_mandatory_no_residue_test() -> None:
    lot = antibiotic_lot(4, AntibioticClass.AMINOGLYCOSIDE)
    use = UseOf(lot.code, removal_validation="VAL-WASH-3x")
    check = check_use(lot, use, Stage.TRANSPORT, TODAY, False)
    donor = eligible_donor()
    with stamped(STAMP):
        collection = Collection.receive(
            "COL-F01-26-000001-2",
            donor,
            SampleType.UMBILICAL_CORD,
            NOW - timedelta(hours=5),
            "SOP-COL-003 v4",
            [check],
            arrival(NOW),
            NOW,
        )
    (received,) = collection.collect_events()
    assert received.sop_version == "SOP-COL-003 v4"  # type: ignore[attr-defined]
    assert received.arrival["sample_immersed"]  # type: ignore[attr-defined]
    assert received.transport_media[0]["removal_validation"] == "VAL-WASH-3x"  # type: ignore[attr-defined]
    assert collection.mandatory_tests == [ANTIBIOTIC_NOT_DETECTED]
