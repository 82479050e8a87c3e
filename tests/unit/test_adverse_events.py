"""Adverse events, the study pause on a serious one, the ethics decision and the report
deadline (R-CLN-4)."""

from __future__ import annotations

from datetime import date, timedelta

from ledger.application import CellTraceLedger
from ledger.domain.adverse_event import working_days_after
from ledger.domain.base import Meaning
from tests.domain1 import TODAY, history, refused_step
from tests.domain3 import Clinic, Clinical, dispense_released, enrolled, given, released


def sae(app: CellTraceLedger, c: Clinic, patient: str) -> int:
    number, _ = app.report_adverse_event(
        c.staff["investigator"], patient, 1, 4, True, "anaphylaxis 20 min after infusion", TODAY
    )
    return number


def test_r_cln_4_adverse_event_is_linked_to_an_administration_and_graded(
    clinic: Clinical,
) -> None:
    app, c, _ = clinic
    released(app, c)
    patient = given(app, c, c.vials[0], c.site)
    number, _ = app.report_adverse_event(
        c.staff["nurse"], patient, 1, 1, False, "mild headache", TODAY
    )
    (event,) = app.get_study(c.study).adverse_events
    assert (event["number"], event["patient"], event["administration"], event["grade"]) == (
        number,
        patient,
        1,
        1,
    )
    # A non-serious event does not pause the study and needs no expedited report
    assert app.get_study(c.study).status == "active" and event["report_due"] is None


def test_r_cln_4_event_without_that_administration_or_grade_is_refused(clinic: Clinical) -> None:
    app, c, _ = clinic
    patient = enrolled(app, c)
    investigator = c.staff["investigator"]
    call = lambda: app.report_adverse_event(investigator, patient, 1, 2, False, "x", TODAY)  # noqa: E731
    assert refused_step(app, call) == ["R-CLN-4"]
    released(app, c)
    dosed = given(app, c, c.vials[0], c.site)
    later = TODAY + timedelta(days=1)
    call = lambda: app.report_adverse_event(investigator, dosed, 1, 7, False, " ", later)  # noqa: E731
    assert refused_step(app, call) == ["R-CLN-4"] * 3


def test_r_cln_4_sae_at_one_site_blocks_administration_at_another_until_resumed(
    clinic: Clinical,
) -> None:
    # Given vials released at both sites and a patient dosed at the first
    app, c, _ = clinic
    released(app, c, c.vials[:2], c.site)
    released(app, c, c.vials[2:4], c.other_site)
    first = given(app, c, c.vials[0], c.site)
    waiting = enrolled(app, c, site=c.other_site)
    dispense_released(app, c, waiting, c.vials[2])
    # When a serious adverse event is reported at the first site
    sae(app, c, first)
    # Then the study is paused and the other site's administration is no-go under R-CLN-4
    assert app.get_study(c.study).status == "paused"
    assert type(history(app, c.study)[-1]).__name__ == "Paused"
    decision = app.verify_bedside(c.vials[2], waiting, 1.0, "intravenous")
    assert [r.rule for r in decision.reasons] == ["R-CLN-4"]
    nurse = c.staff["nurse"]
    thaw = lambda: app.thaw_at_bedside(nurse, c.vials[2], waiting, 1.0, "intravenous")  # noqa: E731
    assert refused_step(app, thaw) == ["R-CLN-4"]
    # When the ethics committee's signed decision resumes the study
    app.record_ethics_decision(
        c.staff["investigator"], c.study, "resume", "EC-2026-031", "causality unlikely"
    )
    # Then the other site may administer again
    signed = history(app, c.study)[-1]
    assert (type(signed).__name__, signed.stamp.meaning) == ("Resumed", Meaning.APPROVED)
    assert app.verify_bedside(c.vials[2], waiting, 1.0, "intravenous").go


def test_r_cln_4_terminated_study_allows_no_administration_or_enrolment(clinic: Clinical) -> None:
    app, c, _ = clinic
    released(app, c)
    patient = given(app, c, c.vials[0], c.site)
    sae(app, c, patient)
    app.record_ethics_decision(
        c.staff["investigator"], c.study, "terminate", "EC-2026-032", "probable causality"
    )
    assert app.get_study(c.study).status == "terminated"
    # and a new subject cannot be enrolled
    assert refused_step(app, lambda: enrolled(app, c)) == ["R-CLN-4"]


def test_r_cln_4_ethics_decision_on_an_active_study_is_refused(clinic: Clinical) -> None:
    app, c, _ = clinic
    investigator = c.staff["investigator"]
    call = lambda: app.record_ethics_decision(investigator, c.study, "carry on", "", "")  # noqa: E731
    assert refused_step(app, call) == ["R-CLN-4"] * 3


def test_r_cln_4_sae_report_is_due_in_5_working_days_and_overdue_is_listed(
    clinic: Clinical,
) -> None:
    # Given an SAE reported on Monday 2 March 2026
    app, c, clock = clinic
    released(app, c)
    patient = given(app, c, c.vials[0], c.site)
    number = sae(app, c, patient)
    (event,) = app.get_study(c.study).adverse_events
    # Then its report is due the next Monday (5 working days)
    assert event["report_due"] == date(2026, 3, 9)
    assert app.list_overdue_ae_reports(c.study) == []
    # When Tuesday 10 March comes without a report  Then it is listed as overdue
    clock.advance(days=8)
    assert [a["number"] for a in app.list_overdue_ae_reports(c.study)] == [number]
    # When the report is filed  Then it is no longer overdue
    app.record_ae_report(c.staff["investigator"], c.study, number, "MRR-2026-0077", clock().date())
    assert app.list_overdue_ae_reports(c.study) == []


def test_r_cln_4_working_days_skip_the_weekend() -> None:
    assert working_days_after(date(2026, 3, 6), 5) == date(2026, 3, 13)  # Friday -> Friday
    assert working_days_after(date(2026, 3, 7), 1) == date(2026, 3, 9)  # Saturday -> Monday
