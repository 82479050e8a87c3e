"""The site pharmacy: storage places, dispensing for a subject, and the blinded kit allocated by
the randomisation list (R-TRC-2, R-QC-3, R-SHP-3, R-CLN-2, R-CLN-5)."""

from __future__ import annotations

from functools import partial

from ledger.domain.base import Meaning
from tests.domain1 import history, refused_step
from tests.domain3 import (
    CONSENT,
    PLACE,
    WARD,
    Clinical,
    blinded_study,
    enrolled,
    enrolled_in,
    kits,
    received,
    released,
    stocked,
)

# --- R-TRC-2 / R-QC-3 / R-SHP-3: storage places ----------------------------------------------


def test_r_trc_2_stored_vials_record_their_place_and_can_be_moved(clinic: Clinical) -> None:
    # Given a received shipment  When the pharmacist stores its vials in the freezer
    app, c, _ = clinic
    shipment = received(app, c)
    pharmacist = c.staff["pharmacist"]
    app.store_vials(pharmacist, shipment, c.vials[:3], PLACE, -80)
    # Then each vial's place is recorded, with the unit's temperature
    assert app.get_shipment(shipment).places == dict.fromkeys(c.vials[:3], PLACE)
    event = history(app, shipment)[-1]
    assert (type(event).__name__, event.unit_c, event.site) == ("VialsStored", -80.0, c.site)
    # When one is moved to another box  Then its place follows
    app.store_vials(pharmacist, shipment, c.vials[:1], "Freezer F3/rack 1/box 2", -75)
    assert app.get_shipment(shipment).places[c.vials[0]] == "Freezer F3/rack 1/box 2"


def test_r_trc_2_storage_without_a_place_is_refused(clinic: Clinical) -> None:
    app, c, _ = clinic
    shipment = received(app, c)
    call = lambda: app.store_vials(c.staff["pharmacist"], shipment, c.vials[:1], " ", -80)  # noqa: E731
    assert refused_step(app, call) == ["R-TRC-2"]


def test_r_qc_3_a_unit_outside_the_storage_range_is_refused(clinic: Clinical) -> None:
    # Given vials to be kept at their lot's storage range  When put in a -20 C freezer
    app, c, _ = clinic
    shipment = received(app, c)
    call = lambda: app.store_vials(c.staff["pharmacist"], shipment, c.vials[:1], PLACE, -20)  # noqa: E731
    # Then refused under R-QC-3, nothing written
    assert refused_step(app, call) == ["R-QC-3"]


def test_r_shp_3_storage_before_re_inspection_or_of_a_failed_vial_is_refused(
    clinic: Clinical,
) -> None:
    app, c, _ = clinic
    pharmacist = c.staff["pharmacist"]
    code, _, _ = app.ship_vials(c.staff["operator"], c.site, [c.vials[:2]], "ColdCourier WB-1", 10)
    app.deliver_shipment(pharmacist, code, app.clock())
    # Given a delivered shipment not yet re-inspected  Then its vials may not be stored
    call = lambda: app.store_vials(pharmacist, code, c.vials[:1], PLACE, -80)  # noqa: E731
    assert refused_step(app, call) == ["R-SHP-3"]
    # Given one vial failed re-inspection  Then it may not go into usable stock
    app.inspect_receipt(pharmacist, code, c.vials[:1], {c.vials[1]: "cracked cap"})
    call = lambda: app.store_vials(pharmacist, code, c.vials[1:2], PLACE, -80)  # noqa: E731
    assert refused_step(app, call) == ["R-SHP-3"]


# --- R-CLN-2: dispensing for one subject -------------------------------------------------------


def test_r_cln_2_dispensed_vial_goes_only_to_its_subject(clinic: Clinical) -> None:
    # Given a stored, released vial and two subjects
    app, c, _ = clinic
    shipment = stocked(app, c)
    first, second = enrolled(app, c), enrolled(app, c)
    # When the pharmacist dispenses it for the first to the ward
    vial, _ = app.dispense(c.staff["pharmacist"], first, WARD, c.vials[0])
    assert vial == c.vials[0]
    assert app.get_shipment(shipment).dispensed == {vial: first}
    assert c.vials[0] not in app.get_shipment(shipment).places
    # Then the bedside is go for the first and no-go for the second
    assert app.verify_bedside(vial, first, 1.0, "intravenous").go
    reasons = app.verify_bedside(vial, second, 1.0, "intravenous").reasons
    assert [r.rule for r in reasons] == ["R-CLN-2"]
    assert f"dispensed for {first}" in reasons[0].message
    # And it cannot be dispensed again
    call = lambda: app.dispense(c.staff["pharmacist"], second, WARD, vial)  # noqa: E731
    assert refused_step(app, call) == ["R-CLN-2"]
    # When returned to storage unthawed  Then it may be dispensed for the second
    app.store_vials(c.staff["pharmacist"], shipment, [vial], PLACE, -80)
    app.dispense(c.staff["pharmacist"], second, WARD, vial)
    assert app.verify_bedside(vial, second, 1.0, "intravenous").go


def test_r_qc_4_an_unreleased_or_unstored_vial_is_not_dispensed(clinic: Clinical) -> None:
    app, c, _ = clinic
    patient = enrolled(app, c)
    pharmacist = c.staff["pharmacist"]
    # Given a received vial the QP has not released
    shipment = received(app, c)
    app.store_vials(pharmacist, shipment, c.vials[:1], PLACE, -80)
    call = lambda: app.dispense(pharmacist, patient, WARD, c.vials[0])  # noqa: E731
    assert refused_step(app, call) == ["R-QC-4"]
    # Given a released vial with no recorded storage place
    released(app, c, c.vials[3:4])
    call = lambda: app.dispense(pharmacist, patient, WARD, c.vials[3])  # noqa: E731
    assert refused_step(app, call) == ["R-TRC-2"]
    # Given a vial never shipped
    call = lambda: app.dispense(pharmacist, patient, WARD, c.vials[5])  # noqa: E731
    assert refused_step(app, call) == ["R-QC-4"]


def test_r_cln_1_dispensing_for_a_subject_of_another_site_is_refused(clinic: Clinical) -> None:
    app, c, _ = clinic
    stocked(app, c)
    elsewhere = enrolled(app, c, site=c.other_site)
    call = lambda: app.dispense(c.staff["pharmacist"], elsewhere, WARD, c.vials[0])  # noqa: E731
    assert refused_step(app, call) == ["R-CLN-1"]


def test_r_cln_2_dispensing_for_a_withdrawn_subject_is_refused(clinic: Clinical) -> None:
    app, c, _ = clinic
    stocked(app, c)
    patient = enrolled(app, c)
    app.withdraw_patient_consent(c.staff["investigator"], patient, "moved abroad")
    call = lambda: app.dispense(c.staff["pharmacist"], patient, WARD, c.vials[0])  # noqa: E731
    assert refused_step(app, call) == ["R-CLN-2"]


# --- R-CLN-5 / R-CLN-2: the randomisation list and blinded kits -------------------------------


def test_r_cln_5_randomisation_list_is_signed_and_refused_when_wrong(clinic: Clinical) -> None:
    app, c, _ = clinic
    investigator = c.staff["investigator"]
    study = blinded_study(app, c)
    # A list for an open-label study, with an unknown arm, or without reference is refused
    for target, arms, ref in (
        (c.study, ["active"], "RL-1"),
        (study, ["active", "verum"], "RL-1"),
        (study, [], "RL-1"),
        (study, ["active"], " "),
    ):
        call = partial(app.load_randomisation, investigator, target, arms, ref)
        assert set(refused_step(app, call)) == {"R-CLN-5"}
    # A blinded study enrols nobody before its list is loaded
    call = lambda: app.enrol_patient(investigator, study, c.site, "high", CONSENT)  # noqa: E731
    assert refused_step(app, call) == ["R-CLN-5"]
    # When loaded  Then the event is signed as approved
    app.load_randomisation(investigator, study, ["placebo", "active"], "RL-EV-02 v1")
    event = history(app, study)[-1]
    assert (type(event).__name__, event.stamp.meaning) == ("RandomisationSealed", Meaning.APPROVED)


def test_r_cln_2_the_ledger_allocates_the_kit_of_the_subjects_arm(clinic: Clinical) -> None:
    # Given a blinded study whose list gives number 1 placebo and number 2 active
    app, c, _ = clinic
    study = blinded_study(app, c)
    app.load_randomisation(c.staff["investigator"], study, ["placebo", "active"], "RL-EV-02 v1")
    arms = kits(app, c, study)
    first = enrolled_in(app, c, study)
    second = enrolled_in(app, c, study)
    pharmacist = c.staff["pharmacist"]
    # When the pharmacist names a kit  Then refused: the ledger allocates blinded kits
    call = lambda: app.dispense(pharmacist, first, WARD, next(iter(arms)))  # noqa: E731
    assert refused_step(app, call) == ["R-CLN-2"]
    # When the ledger allocates  Then each subject gets a kit of their own arm
    kit_1, _ = app.dispense(pharmacist, first, WARD)
    kit_2, _ = app.dispense(pharmacist, second, WARD)
    assert (arms[kit_1], arms[kit_2]) == ("placebo", "active")
    # And at the bedside only the allocated kit is go
    assert app.verify_bedside(kit_1, first, 1.0, "intravenous").go
    swapped = app.verify_bedside(kit_2, first, 1.0, "intravenous").reasons
    assert [r.rule for r in swapped] == ["R-CLN-2"]
    assert "active" not in swapped[0].message and "placebo" not in swapped[0].message
    # And a third subject is refused: every number is taken
    call = lambda: enrolled_in(app, c, study)  # noqa: E731
    assert refused_step(app, call) == ["R-CLN-5"]


def test_r_cln_2_no_kit_in_stock_for_the_arm_is_refused(clinic: Clinical) -> None:
    app, c, _ = clinic
    study = blinded_study(app, c)
    app.load_randomisation(c.staff["investigator"], study, ["active"], "RL-EV-02 v1")
    patient = enrolled_in(app, c, study)
    call = lambda: app.dispense(c.staff["pharmacist"], patient, WARD)  # noqa: E731
    assert refused_step(app, call) == ["R-CLN-2"]
