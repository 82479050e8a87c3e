"""R-LED-1: a mistaken entry is struck out by a new event naming the entry (item and version)
and the reason; nothing recorded is edited, and decisions already taken stand."""

from __future__ import annotations

import pytest

from ledger.demo.records import passing_bank_tests
from ledger.domain.bank_vial import Tier
from ledger.domain.base import stamped
from ledger.domain.cellbank import BankTestResult
from ledger.domain.correction import Correctable
from ledger.domain.donor_standing import Eligibility
from ledger.errors import RuleViolation
from tests.domain1 import (
    STAMP,
    TODAY,
    Staffed,
    eligible_donor,
    establish,
    isolated_portion,
    last_id,
    released_bank,
)


def refused(item: Correctable, version: int, reason: str) -> str:
    item.collect_events()
    with pytest.raises(RuleViolation) as refusal, stamped(STAMP):
        item.correct(version, reason)
    assert item.collect_events() == []
    (violation,) = refusal.value.violations
    assert violation.rule == "R-LED-1"
    return violation.message


def test_r_led_1_correction_references_the_entry_and_gives_the_reason() -> None:
    # Given a bank with a sterility result typed against the wrong report
    donor = eligible_donor()
    bank, _ = establish(Tier.MASTER, isolated_portion(donor), donor)
    with stamped(STAMP):
        bank.record_test(
            BankTestResult(
                test="sterility",
                passed=True,
                laboratory="X",
                third_party=True,
                report_ref="RPT-OTHER-BANK",
                tested_on=TODAY,
            ),
            [donor.standing()],
        )
    bank.collect_events()
    (entry,) = bank.results
    # When it is corrected
    with stamped(STAMP):
        bank.correct(entry, "result belongs to another bank's report")
    # Then a new event names the entry's version and the reason; the entry is kept, struck
    (corrected,) = bank.collect_events()
    assert type(corrected).__name__ == "EntryCorrected"
    assert corrected.corrected_version == entry  # type: ignore[attr-defined]
    assert corrected.corrected_event == "TestResultRecorded"  # type: ignore[attr-defined]
    assert bank.is_struck(entry) and entry in bank.results
    # And with the full results recorded the bank can now be released
    with stamped(STAMP):
        for result in passing_bank_tests(TODAY):
            bank.record_test(result, [donor.standing()])
        bank.release([donor.standing()])
    assert bank.released


def test_r_led_1_only_entries_can_be_corrected_and_only_once_with_a_reason() -> None:
    donor = eligible_donor()
    consent_version = min(donor.consents)
    assert "not a correctable entry" in refused(donor, 1, "registered by mistake")
    assert "reason" in refused(eligible_donor(), consent_version, " ")
    with stamped(STAMP):
        donor.correct(consent_version, "wrong form version recorded")
    assert "already corrected" in refused(donor, consent_version, "again")
    # A struck consent leaves the donor without consent (R-DON-6 until re-recorded)
    assert donor.standing().consent_scopes is None


def test_r_led_1_an_entry_a_decision_relied_on_cannot_be_struck() -> None:
    # Given a donor determined eligible on their screening
    donor = eligible_donor()
    screening_version = min(donor.screenings)
    # When the screening is to be struck, Then it is refused: the decision stands
    message = refused(donor, screening_version, "typo in kit name")
    assert "relied on by a later decision" in message
    assert donor.eligibility is Eligibility.ELIGIBLE


def test_r_led_1_released_bank_results_cannot_be_struck() -> None:
    donor = eligible_donor()
    bank, _ = released_bank(Tier.MASTER, isolated_portion(donor), donor, 2)
    first_result = min(bank.results)
    assert "relied on" in refused(bank, first_result, "mistyped")


def test_r_led_1_ledger_appends_the_correction_and_keeps_the_original(
    staffed: Staffed,
) -> None:
    # Given a donor whose consent was recorded
    app, staff = staffed
    donor, _ = app.register_donor(staff["investigator"])
    app.record_consent(staff["investigator"], donor, ["banking"], "P", "H", "ICF v1", TODAY)
    before = last_id(app)
    # When a wrong version is named, Then nothing is written
    with pytest.raises(RuleViolation, match="R-LED-1"):
        app.correct_entry(staff["investigator"], donor, 1, "not an entry")
    assert last_id(app) == before
    # When the consent is corrected, Then one event is appended and the original is kept
    receipt = app.correct_entry(staff["investigator"], donor, 2, "consent form v1 was void")
    assert receipt.notification_id == before + 1
    history = list(app.events.get(app.get_donor(donor).id))
    assert [type(e).__name__ for e in history] == [
        "Registered",
        "ConsentRecorded",
        "EntryCorrected",
    ]
