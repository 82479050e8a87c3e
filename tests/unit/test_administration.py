"""Bedside verification query, thaw, administration and follow-up on the ledger (R-CLN-2,
R-CLN-3, R-CLN-6)."""

from __future__ import annotations

from datetime import timedelta

from ledger.application import Actor, CellTraceLedger
from ledger.commands import bedside
from tests.domain1 import NOW, TODAY, history, refused_step
from tests.domain3 import WARD, Clinic, Clinical, dispensed, enrolled, shipped


def ready(app: CellTraceLedger, c: Clinic) -> tuple[str, str]:
    """A consented patient (cohort high, 1 mL) and a vial released at their site and
    dispensed for them."""
    patient = enrolled(app, c)
    return dispensed(app, c, patient), patient


def dosed(app: CellTraceLedger, c: Clinic) -> tuple[str, str]:
    vial, patient = ready(app, c)
    app.thaw_at_bedside(c.staff["nurse"], vial, patient, 1.0, "intravenous")
    app.administer(c.staff["nurse"], vial, patient, 1.0, "intravenous", c.staff["pharmacist"])
    return vial, patient


# --- R-CLN-2: the query ----------------------------------------------------------------------


def test_r_cln_2_released_vial_for_an_enrolled_patient_is_go(clinic: Clinical) -> None:
    app, c, _ = clinic
    vial, patient = ready(app, c)
    assert app.verify_bedside(vial, patient, 1.0, "intravenous").go


def test_r_cln_2_vial_not_yet_released_is_no_go(clinic: Clinical) -> None:
    app, c, _ = clinic
    shipped(app, c)
    patient = enrolled(app, c)
    decision = app.verify_bedside(c.vials[0], patient, 1.0, "intravenous")
    assert [r.rule for r in decision.reasons] == ["R-QC-4", "R-CLN-8"]


def test_r_cln_2_wrong_dose_and_route_for_the_cohort_are_no_go(clinic: Clinical) -> None:
    app, c, _ = clinic
    vial, patient = ready(app, c)
    decision = app.verify_bedside(vial, patient, 0.5, "intranasal")
    assert [r.rule for r in decision.reasons] == ["R-CLN-2", "R-CLN-2"]


def test_r_cln_2_thaw_on_no_go_is_refused(clinic: Clinical) -> None:
    app, c, _ = clinic
    vial, patient = ready(app, c)
    call = lambda: app.thaw_at_bedside(c.staff["nurse"], vial, patient, 0.5, "intravenous")  # noqa: E731
    assert refused_step(app, call) == ["R-CLN-2"]


def test_r_cln_8_a_released_vial_not_dispensed_for_the_patient_is_no_go(
    clinic: Clinical,
) -> None:
    # Given a vial released and stored at the patient's site, never dispensed for them
    app, c, _ = clinic
    patient = enrolled(app, c)
    dispensed(app, c, patient)
    # Then the shipment's second vial is no-go for them, naming the rule, until dispensed
    other = c.vials[1]
    reasons = app.verify_bedside(other, patient, 1.0, "intravenous").reasons
    assert [r.rule for r in reasons] == ["R-CLN-8"]
    call = lambda: app.thaw_at_bedside(c.staff["nurse"], other, patient, 1.0, "intravenous")  # noqa: E731
    assert refused_step(app, call) == ["R-CLN-8"]


def test_r_cln_7_a_second_dose_before_the_protocols_interval_is_no_go(clinic: Clinical) -> None:
    # Given a subject dosed now, in a protocol of 2 administrations at least 672 h apart
    app, c, clock = clinic
    _, patient = dosed(app, c)
    second, _ = app.dispense(c.staff["pharmacist"], patient, WARD, c.vials[1])
    # When ten minutes later the nurse checks a second vial dispensed for them
    clock.advance(minutes=10)
    (reason,) = app.verify_bedside(second, patient, 1.0, "intravenous").reasons
    # Then no-go: the interval has not passed, and the thaw is refused
    assert reason.rule == "R-CLN-7" and "672 h between doses" in reason.message
    call = lambda: app.thaw_at_bedside(c.staff["nurse"], second, patient, 1.0, "intravenous")  # noqa: E731
    assert refused_step(app, call) == ["R-CLN-7"]
    # When the interval has passed, Then the second dose goes
    clock.advance(hours=672)
    assert app.verify_bedside(second, patient, 1.0, "intravenous").go
    app.thaw_at_bedside(c.staff["nurse"], second, patient, 1.0, "intravenous")
    app.administer(c.staff["nurse"], second, patient, 1.0, "intravenous", c.staff["pharmacist"])
    # And a third is beyond the protocol's count of two
    third, _ = app.dispense(c.staff["pharmacist"], patient, WARD, c.vials[2])
    clock.advance(hours=700)
    reasons = app.verify_bedside(third, patient, 1.0, "intravenous").reasons
    assert [r.rule for r in reasons] == ["R-CLN-7"] and "2 of the 2" in reasons[0].message


# --- R-CLN-3: administration -----------------------------------------------------------------


def test_r_cln_3_administration_records_dose_route_time_nurse_and_pharmacist(
    clinic: Clinical,
) -> None:
    # Given a released vial thawed at the bedside for an enrolled patient
    app, c, _ = clinic
    vial, patient = dosed(app, c)
    # Then the administration holds what R-CLN-3 lists
    (dose,) = app.get_patient(patient).doses
    assert dose == {
        "vial": vial,
        "dose": 1.0,
        "unit": "mL",
        "route": "intravenous",
        "at": NOW,
        "nurse": c.staff["nurse"].person_id,
        "pharmacist": c.staff["pharmacist"].person_id,
    }
    # and the vial's genealogy leads to the patient; it cannot be given again
    edge = history(app, vial)[-1]
    assert (edge.codes, edge.step) == ([patient], "administered to")
    other = enrolled(app, c)
    assert not app.verify_bedside(vial, other, 1.0, "intravenous").go


def test_r_cln_3_administration_before_thaw_is_refused(clinic: Clinical) -> None:
    app, c, _ = clinic
    vial, patient = ready(app, c)
    pharmacist = c.staff["pharmacist"]
    call = lambda: app.administer(c.staff["nurse"], vial, patient, 1.0, "intravenous", pharmacist)  # noqa: E731
    assert refused_step(app, call) == ["R-CLN-3"]


def test_r_cln_3_pharmacist_must_be_another_trained_pharmacist(clinic: Clinical) -> None:
    # Given a thawed vial  When the nurse names herself, then the operator, as pharmacist
    app, c, _ = clinic
    vial, patient = ready(app, c)
    nurse = c.staff["nurse"]
    app.thaw_at_bedside(nurse, vial, patient, 1.0, "intravenous")
    for other in (nurse, c.staff["operator"]):
        call = lambda o=other: app.administer(nurse, vial, patient, 1.0, "intravenous", o)  # noqa: E731
        # Then it is refused under R-CLN-3
        assert set(refused_step(app, call)) == {"R-CLN-3"}


def test_r_cln_3_administration_after_the_in_use_time_is_refused(clinic: Clinical) -> None:
    # Given a vial thawed 61 minutes ago (in-use time 60 min)
    app, c, clock = clinic
    vial, patient = ready(app, c)
    app.thaw_at_bedside(c.staff["nurse"], vial, patient, 1.0, "intravenous")
    clock.advance(minutes=61)
    pharmacist = c.staff["pharmacist"]
    call = lambda: app.administer(c.staff["nurse"], vial, patient, 1.0, "intravenous", pharmacist)  # noqa: E731
    assert refused_step(app, call) == ["R-CLN-2"]


def test_r_cln_3_administration_by_a_pharmacist_is_refused(clinic: Clinical) -> None:
    app, c, _ = clinic
    vial, patient = ready(app, c)
    x = Actor("x", "pharmacist")
    call = lambda: app.administer(c.staff["pharmacist"], vial, patient, 1.0, "intravenous", x)  # noqa: E731
    assert refused_step(app, call)[0] == "R-PPL-2"


# --- R-CLN-6: follow-up ----------------------------------------------------------------------


def test_r_cln_6_administration_schedules_the_protocol_visits(clinic: Clinical) -> None:
    app, c, _ = clinic
    _, patient = dosed(app, c)
    visits = app.get_patient(patient).visits
    assert [(v["label"], (v["due"] - TODAY).days) for v in visits] == [
        ("day 1", 1),
        ("day 3", 3),
        ("week 1", 7),
        ("week 2", 14),
        ("week 4", 28),
        ("month 3", 91),
        ("month 6", 182),
        ("year 1", 365),
    ]


def test_r_cln_6_overdue_visits_are_listed_until_recorded(clinic: Clinical) -> None:
    # Given a patient dosed today, four days later
    app, c, clock = clinic
    _, patient = dosed(app, c)
    clock.advance(days=4)
    # Then the day-1 and day-3 visits are overdue
    overdue = app.list_overdue_visits(c.study)
    assert [v["label"] for v in overdue[patient]] == ["day 1", "day 3"]
    # When the day-1 visit is recorded  Then only day 3 remains
    app.complete_visit(c.staff["investigator"], patient, 1, "day 1", TODAY + timedelta(days=1))
    assert [v["label"] for v in app.list_overdue_visits(c.study)[patient]] == ["day 3"]


def test_r_cln_6_unknown_repeated_or_future_visit_is_refused(clinic: Clinical) -> None:
    app, c, _ = clinic
    _, patient = dosed(app, c)
    investigator = c.staff["investigator"]
    app.complete_visit(investigator, patient, 1, "day 1", TODAY)
    future = TODAY + timedelta(days=3)
    for label, day in (("day 2", TODAY), ("day 1", TODAY), ("day 3", future)):
        call = lambda lb=label, d=day: app.complete_visit(investigator, patient, 1, lb, d)  # noqa: E731
        assert refused_step(app, call) == ["R-CLN-6"]


def test_r_ppl_4_a_nurse_who_is_also_a_pharmacist_cannot_verify_their_own_dose(
    clinic: Clinical,
) -> None:
    # Given a person holding both the nurse and the pharmacist role, trained for both steps
    app, c, _ = clinic
    admin = c.staff["administrator"]
    both, _ = app.register_person(admin, ["nurse", "pharmacist"])
    for step in (bedside.THAW, bedside.ADMINISTER, bedside.VERIFY):
        app.record_training(admin, both, step, TODAY, TODAY + timedelta(days=30), f"SOP-{step}")
    app.credentials.set_password(both, "both roles password")
    vial, patient = ready(app, c)
    nurse = Actor(both, "nurse").signed("both roles password")
    app.thaw_at_bedside(nurse, vial, patient, 1.0, "intravenous")
    # When they administer as the nurse and sign again as the verifying pharmacist
    same = Actor(both, "pharmacist").signed("both roles password")
    call = lambda: app.administer(nurse, vial, patient, 1.0, "intravenous", same)  # noqa: E731
    # Then refused: the two signers are two people whatever roles they hold; nothing written
    assert refused_step(app, call) == ["R-PPL-4"]
    # And with another pharmacist verifying, it is recorded
    app.administer(nurse, vial, patient, 1.0, "intravenous", c.staff["pharmacist"])
