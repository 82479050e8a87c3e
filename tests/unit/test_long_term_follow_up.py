"""Long-term follow-up (R-CLN-10, §7.5): a visit at least 3 months after a subject leaves the
study, yearly visits to 5 years when the product's genealogy holds a genetic-modification
vector, and serious adverse events followed up until they resolve, with an overdue list."""

from __future__ import annotations

from datetime import timedelta

from ledger.demo.production import EV_SPEC, TFF_SEC, grow, harvest, lot_results, record_results
from ledger.demo.records import eligible_donor
from ledger.domain.cell_source import Vector
from tests.domain1 import TODAY, refused_step
from tests.domain2 import thawed_wcb_vials
from tests.domain3 import Clinical, given, released


def test_r_cln_10_leaving_the_study_schedules_a_visit_3_months_later_and_ends_dosing(
    clinic: Clinical,
) -> None:
    app, c, clock = clinic
    released(app, c, c.vials[:2])
    patient = given(app, c, c.vials[0])
    clock.advance(days=10)
    # When the subject leaves the study
    app.exit_study(c.staff["investigator"], patient, "treatment completed")
    # Then a visit 3 months later is scheduled and no further dose is go
    visit = app.get_patient(patient).visits[-1]
    assert (visit["label"], visit["due"]) == ("3 months after exit", TODAY + timedelta(days=101))
    reasons = app.verify_bedside(c.vials[1], patient, 1.0, "intravenous").reasons
    assert "R-CLN-10" in [r.rule for r in reasons]
    # and the pharmacy dispenses nothing more for them
    shipment = app.get_product_vial(c.vials[1]).children[-1]
    app.store_vials(c.staff["pharmacist"], shipment, [c.vials[1]], "Freezer F2/box 1", -80)
    dispense = lambda: app.dispense(c.staff["pharmacist"], patient, "Ward 5", c.vials[1])  # noqa: E731
    assert refused_step(app, dispense) == ["R-CLN-10"]
    # And leaving twice is refused
    again = lambda: app.exit_study(c.staff["investigator"], patient, "again")  # noqa: E731
    assert refused_step(app, again) == ["R-CLN-10"]


def test_r_cln_10_an_engineered_product_is_followed_up_for_5_years(clinic: Clinical) -> None:
    # Given vials of a lot made from cells engineered with a lentiviral vector
    app, c, _ = clinic
    staff = c.staff
    vector = Vector(type="lentiviral", name="pLV-CD47", lot="VEC-2026-01")
    donor = eligible_donor(app, staff)
    wcb = thawed_wcb_vials(app, staff, donor, c.plant.lots, vector)[0]
    culture = grow(app, staff, wcb, c.plant.lots)
    lot, _ = app.purify_lot(
        staff["operator"], harvest(app, staff, culture, c.plant.lots, 1), TFF_SEC, EV_SPEC
    )
    record_results(app, staff, lot_results(app, lot), lot)
    app.certify_lot(staff["qa"], lot)
    vials, _ = app.fill_lot(staff["operator"], lot, 1, 1.0, "2 mL cryovial")
    released(app, c, vials)
    # When one is given, Then the schedule runs to year 5
    patient = given(app, c, vials[0])
    labels = [v["label"] for v in app.get_patient(patient).visits]
    assert labels[-5:] == ["year 1", "year 2", "year 3", "year 4", "year 5"]
    assert app.get_patient(patient).visits[-1]["due"] == TODAY + timedelta(days=1826)


def test_r_cln_10_a_serious_event_is_followed_up_until_resolved(clinic: Clinical) -> None:
    app, c, clock = clinic
    released(app, c, c.vials[:1])
    patient = given(app, c, c.vials[0])
    investigator = c.staff["investigator"]
    app.report_adverse_event(investigator, patient, 1, 3, True, "fever 40 C", TODAY)
    # When 31 days pass without a follow-up, Then it is overdue
    clock.advance(days=31)
    assert [a["number"] for a in app.list_overdue_ae_follow_ups(c.study)] == [1]
    app.follow_up_adverse_event(investigator, patient, 1, "fever down, effusion persists")
    assert app.list_overdue_ae_follow_ups(c.study) == []
    # And 31 days after that follow-up it is overdue again, until it resolves
    clock.advance(days=31)
    assert [a["number"] for a in app.list_overdue_ae_follow_ups(c.study)] == [1]
    unresolved = lambda: app.follow_up_adverse_event(investigator, patient, 1, "gone", True)  # noqa: E731
    assert refused_step(app, unresolved) == ["R-CLN-10"]  # a resolution names its outcome
    app.follow_up_adverse_event(investigator, patient, 1, "gone", True, "recovered")
    clock.advance(days=90)
    assert app.list_overdue_ae_follow_ups(c.study) == []
