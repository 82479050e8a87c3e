"""Pauses and terminations for reasons other than a serious adverse event (R-CLN-9): decided
by the sponsor, the investigator or the ethics committee, signed, with the report due within
5 working days and listed when overdue; a subject's withdrawal ends their visit schedule."""

from __future__ import annotations

from datetime import timedelta

from ledger.domain.base import Meaning
from tests.domain1 import TODAY, history, refused_step
from tests.domain3 import Clinical, dispense_released, enrolled, given, released


def test_r_cln_9_the_sponsor_pauses_and_resumes_a_study_signed_with_a_report_due(
    clinic: Clinical,
) -> None:
    app, c, clock = clinic
    investigator = c.staff["investigator"]
    released(app, c, c.vials[:1])
    patient = enrolled(app, c)
    dispense_released(app, c, patient, c.vials[0])
    # When the sponsor pauses the study for a manufacturing reason
    number, _ = app.halt_study(
        investigator, c.study, "pause", "sponsor", "potency assay under review", "SP-2026-04"
    )
    # Then it is paused, signed as approved, with its report due in 5 working days
    study = app.get_study(c.study)
    paused = history(app, c.study)[-1]
    assert study.status == "paused" and type(paused).__name__ == "PausedFor"
    assert paused.stamp.meaning == Meaning.APPROVED and paused.stamp.reauthenticated
    assert study.halts[0]["report_due"] == TODAY + timedelta(days=7)  # Monday + 5 working days
    # And the bedside refuses while it is paused
    assert "R-CLN-4" in {
        r.rule for r in app.verify_bedside(c.vials[0], patient, 1.0, "intravenous").reasons
    }
    # When 8 days pass without the report, Then it is overdue until filed
    clock.advance(days=8)
    assert [h["number"] for h in app.list_overdue_halt_reports(c.study)] == [number]
    app.record_halt_report(investigator, c.study, number, "SP-REP-1", app.today())
    assert app.list_overdue_halt_reports(c.study) == []
    # When the sponsor resumes it, Then it is active again
    app.halt_study(investigator, c.study, "resume", "sponsor", "assay confirmed", "SP-2026-05")
    assert app.get_study(c.study).status == "active"


def test_r_cln_9_a_pause_after_a_serious_event_is_lifted_only_by_the_ethics_committee(
    clinic: Clinical,
) -> None:
    app, c, _ = clinic
    investigator = c.staff["investigator"]
    released(app, c, c.vials[:1])
    patient = given(app, c, c.vials[0])
    app.report_adverse_event(investigator, patient, 1, 4, True, "anaphylaxis", TODAY)
    resume = lambda by: app.halt_study(investigator, c.study, "resume", by, "ok", "R-1")  # noqa: E731
    assert refused_step(app, lambda: resume("sponsor")) == ["R-CLN-4"]
    resume("ethics_committee")
    assert app.get_study(c.study).status == "active"
    # And the ethics committee may terminate it, after which nothing resumes it
    app.halt_study(investigator, c.study, "terminate", "ethics_committee", "risk", "EC-9")
    assert app.get_study(c.study).status == "terminated"
    assert refused_step(app, lambda: resume("ethics_committee")) == ["R-CLN-9"]


def test_r_cln_9_a_decision_needs_its_action_who_decided_a_reason_and_a_reference(
    clinic: Clinical,
) -> None:
    app, c, _ = clinic
    call = lambda: app.halt_study(c.staff["investigator"], c.study, "stop", "nurse", " ", "")  # noqa: E731
    assert refused_step(app, call) == ["R-CLN-9"] * 3


def test_r_cln_9_a_subjects_withdrawal_ends_their_visit_schedule(clinic: Clinical) -> None:
    # Given a subject dosed today who withdraws two days later
    app, c, clock = clinic
    released(app, c, c.vials[:1])
    patient = given(app, c, c.vials[0])
    clock.advance(days=2)
    app.withdraw_patient_consent(c.staff["investigator"], patient, "moved abroad")
    # When a year has passed, Then only the visit due before the withdrawal is overdue
    clock.advance(days=400)
    overdue = app.list_overdue_visits(c.study)
    assert [v["label"] for v in overdue[patient]] == ["day 1"]
