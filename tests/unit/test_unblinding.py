"""Emergency unblinding (R-CLN-5, R-ID-3)."""

from __future__ import annotations

from ledger.application import CellTraceLedger
from ledger.domain.base import Meaning
from tests.domain1 import history, refused_step
from tests.domain3 import (
    WARD,
    Clinic,
    Clinical,
    blinded_study,
    dispense_released,
    enrolled,
    enrolled_in,
    kits,
    released,
)


def blinded_dose(app: CellTraceLedger, c: Clinic) -> tuple[str, str]:
    """A subject of a blinded study given the (active-arm) kit the ledger allocated."""
    study = blinded_study(app, c)
    app.load_randomisation(c.staff["investigator"], study, ["active"], "RL-EV-02 v1")
    kits(app, c, study)
    patient = enrolled_in(app, c, study)
    kit, _ = app.dispense(c.staff["pharmacist"], patient, WARD)
    nurse, pharmacist = c.staff["nurse"], c.staff["pharmacist"]
    app.thaw_at_bedside(nurse, kit, patient, 1.0, "intravenous")
    app.administer(nurse, kit, patient, 1.0, "intravenous", pharmacist)
    return kit, patient


def test_r_cln_5_emergency_unblinding_reveals_the_arm_to_the_requester_only(
    clinic: Clinical,
) -> None:
    # Given a patient dosed from a blinded lot
    app, c, _ = clinic
    vial, patient = blinded_dose(app, c)
    # When the investigator unblinds it in an emergency
    arm, _ = app.unblind_emergency(c.staff["investigator"], patient, vial, "anaphylaxis, ICU")
    # Then the arm is returned to them
    assert arm == "active"
    # and the audit trail shows who, why and the signature, but not the arm
    event = history(app, patient)[-1]
    assert type(event).__name__ == "EmergencyUnblinded"
    assert (event.vial, event.reason) == (vial, "anaphylaxis, ICU")
    assert (event.stamp.actor_role, event.stamp.meaning) == ("investigator", Meaning.APPROVED)
    assert "active" not in repr(vars(event))


def test_r_cln_5_unblinding_by_a_nurse_is_refused(clinic: Clinical) -> None:
    app, c, _ = clinic
    vial, patient = blinded_dose(app, c)
    call = lambda: app.unblind_emergency(c.staff["nurse"], patient, vial, "ICU")  # noqa: E731
    assert refused_step(app, call)[0] == "R-PPL-2"


def test_r_cln_5_unblinding_without_reason_or_of_another_vial_is_refused(
    clinic: Clinical,
) -> None:
    app, c, _ = clinic
    vial, patient = blinded_dose(app, c)
    investigator = c.staff["investigator"]
    assert refused_step(app, lambda: app.unblind_emergency(investigator, patient, vial, " ")) == [
        "R-CLN-5"
    ]
    assert refused_step(
        app, lambda: app.unblind_emergency(investigator, patient, c.vials[0], "ICU")
    ) == ["R-CLN-5"]


def test_r_cln_5_unblinded_vial_has_nothing_to_reveal(clinic: Clinical) -> None:
    app, c, _ = clinic
    released(app, c)
    patient = enrolled(app, c)
    dispense_released(app, c, patient, c.vials[0])
    nurse, pharmacist = c.staff["nurse"], c.staff["pharmacist"]
    app.thaw_at_bedside(nurse, c.vials[0], patient, 1.0, "intravenous")
    app.administer(nurse, c.vials[0], patient, 1.0, "intravenous", pharmacist)
    call = lambda: app.unblind_emergency(c.staff["investigator"], patient, c.vials[0], "ICU")  # noqa: E731
    assert refused_step(app, call) == ["R-CLN-5"]
