"""Donors (R-DON-1..7, R-LED-6, §5.2, §8.2(2)): a pseudonymous code, consent with its scope and
withdrawal, screenings, the signed eligibility determination and look-back ineligibility.

Names, birth dates and contact details never enter these events; they live encrypted in
`ledger.stores.personal_data`, and the donor's history only says when they were recorded or erased.
"""

from __future__ import annotations

from datetime import date

from eventsourcing.domain import event

from ledger.domain.donor_standing import Consent, ConsentScope, DonorStanding, Eligibility
from ledger.domain.lineage import TracedItem
from ledger.domain.screening import (
    Screening,
    ScreeningRecord,
    cleaned,
    covers_leukocyte_panel,
    is_hemodiluted,
    positive_markers,
    screening_problems,
)
from ledger.errors import RuleViolation, Violation


class Donor(TracedItem):
    """A donor known only by a pseudonymous code; its collections are its children."""

    @event("Registered")
    def __init__(self, code: str, autologous: bool) -> None:
        self.code = code
        self.autologous = autologous
        self.consents: dict[int, Consent] = {}
        self.withdrawn_at = 0
        self.screenings: dict[int, Screening] = {}
        self.eligibility = Eligibility.PENDING
        self.reason = ""
        self.leukocyte_panel = False
        self.identity_erased = False

    # --- consent (R-DON-6) -------------------------------------------------------------------

    def record_consent(
        self,
        scopes: list[ConsentScope],
        project: str,
        institution: str,
        form_version: str,
        consented_on: date,
        today: date,
    ) -> None:
        problems = [
            Violation.of(
                "R-DON-6", "give the {label:term} of {code}'s consent", label=label, code=self.code
            )
            for label, text in (
                ("project", project),
                ("institution", institution),
                ("consent form version", form_version),
            )
            if not text.strip()
        ]
        if consented_on > today:
            problems.append(
                Violation.of(
                    "R-DON-6",
                    "consent date {consented_on} is in the future; correct it",
                    consented_on=consented_on,
                )
            )
        if problems:
            raise RuleViolation(problems)
        self._consent_recorded(
            sorted(s.value for s in set(scopes)),
            project.strip(),
            institution.strip(),
            form_version.strip(),
            consented_on,
        )

    @event("ConsentRecorded")
    def _consent_recorded(
        self,
        scopes: list[str],
        project: str,
        institution: str,
        form_version: str,
        consented_on: date,
    ) -> None:
        version = self._note_entry("ConsentRecorded")
        scope_set = frozenset(ConsentScope(s) for s in scopes)
        self.consents = {**self.consents, version: Consent(scope_set, project, institution)}

    def current_consent(self) -> tuple[int, Consent] | None:
        live = [(v, c) for v, c in self.consents.items() if not self.is_struck(v)]
        return max(live, key=lambda vc: vc[0]) if live else None

    def withdraw_consent(self, reason: str, withdrawn_on: date) -> None:
        problems = []
        current = self.current_consent()
        if current is None or self.withdrawn_at > current[0]:
            problems.append(
                Violation.of("R-DON-6", "{code} has no consent in force", code=self.code)
            )
        if not reason.strip():
            problems.append(Violation.of("R-DON-6", "give the reason the consent was withdrawn"))
        if problems:
            raise RuleViolation(problems)
        self._consent_withdrawn(reason.strip(), withdrawn_on)

    @event("ConsentWithdrawn")
    def _consent_withdrawn(self, reason: str, withdrawn_on: date) -> None:
        self.withdrawn_at = self.version + 1

    # --- screening (R-DON-1..3) --------------------------------------------------------------

    def record_screening(self, screening: ScreeningRecord) -> None:
        problems = screening_problems(self.code, screening)
        if problems:
            raise RuleViolation(problems)
        self._screening_recorded(cleaned(screening), is_hemodiluted(screening["hemodilution"]))

    @event("ScreeningRecorded")
    def _screening_recorded(self, screening: ScreeningRecord, hemodiluted: bool) -> None:
        version = self._note_entry("ScreeningRecorded")
        results = tuple(screening["results"])
        summary = Screening(results, hemodiluted, covers_leukocyte_panel(results))
        self.screenings = {**self.screenings, version: summary}

    # --- eligibility (R-DON-4, R-DON-5, R-DON-7) ---------------------------------------------

    def determine_eligibility(
        self, eligible: bool, reason: str, relaxation_justification: str = ""
    ) -> None:
        """QA's signed determination, based on the latest screening still standing."""
        live = [v for v in self.screenings if not self.is_struck(v)]
        problems = []
        if self.eligibility is Eligibility.INELIGIBLE_AFTER_LOOKBACK:
            problems.append(
                Violation.of(
                    "R-DON-7",
                    "{code} became ineligible after look-back ({reason}); this cannot be reversed",
                    code=self.code,
                    reason=self.reason,
                )
            )
        if not eligible:
            if not reason.strip():
                problems.append(
                    Violation.of("R-DON-4", "give the reason {code} is ineligible", code=self.code)
                )
            if self.children:
                problems.append(
                    Violation.of(
                        "R-DON-7",
                        "material of {code} was already collected; declare the ineligibility "
                        "through look-back so that everything derived is held",
                        code=self.code,
                    )
                )
            if problems:
                raise RuleViolation(problems)
            self._eligibility_determined(False, reason.strip(), "", max(live, default=0))
            return
        if not live:
            problems.append(
                Violation.of("R-DON-1", "{code} has no screening; record it first", code=self.code)
            )
            raise RuleViolation(problems)
        screening = self.screenings[max(live)]
        if screening.hemodiluted:
            problems.append(
                Violation.of(
                    "R-DON-3",
                    "the screening sample of {code} is hemodiluted by more than half; test "
                    "a sample drawn before the infusions",
                    code=self.code,
                )
            )
        positive = positive_markers(screening.results)
        if positive and not self.autologous:
            problems.append(
                Violation.of(
                    "R-DON-4",
                    "{code} is {positive:list} not non-reactive; an allogeneic donor with such "
                    "a result is ineligible",
                    code=self.code,
                    positive=positive,
                )
            )
        elif positive and not relaxation_justification.strip():
            problems.append(
                Violation.of(
                    "R-DON-5",
                    "autologous donor {code} is {positive:list} not non-reactive; accept only "
                    "with a justification that names the measures preventing transmission "
                    "to anyone but the donor",
                    code=self.code,
                    positive=positive,
                )
            )
        if problems:
            raise RuleViolation(problems)
        justification = relaxation_justification.strip() if positive else ""
        self._eligibility_determined(True, reason.strip(), justification, max(live))

    @event("EligibilityDetermined")
    def _eligibility_determined(
        self, eligible: bool, reason: str, relaxation_justification: str, screening_version: int
    ) -> None:
        self._note_decision("ScreeningRecorded")
        self.eligibility = Eligibility.ELIGIBLE if eligible else Eligibility.INELIGIBLE
        self.reason = reason
        screening = self.screenings.get(screening_version)
        self.leukocyte_panel = eligible and screening is not None and screening.leukocyte_panel

    def declare_ineligible_after_lookback(self, reason: str, found_on: date) -> None:
        problems = []
        if self.eligibility is Eligibility.INELIGIBLE_AFTER_LOOKBACK:
            problems.append(
                Violation.of(
                    "R-DON-7", "{code} is already ineligible after look-back", code=self.code
                )
            )
        if not reason.strip():
            problems.append(
                Violation.of(
                    "R-DON-7", "give the finding that makes {code} ineligible", code=self.code
                )
            )
        if problems:
            raise RuleViolation(problems)
        self._ineligible_after_lookback(reason.strip(), found_on)

    @event("IneligibleAfterLookback")
    def _ineligible_after_lookback(self, reason: str, found_on: date) -> None:
        self.eligibility = Eligibility.INELIGIBLE_AFTER_LOOKBACK
        self.reason = reason

    def standing(self) -> DonorStanding:
        current = self.current_consent()
        withdrawn = current is not None and self.withdrawn_at > current[0]
        return DonorStanding(
            code=self.code,
            eligibility=self.eligibility,
            reason=self.reason,
            autologous=self.autologous,
            consent_scopes=None if current is None or withdrawn else current[1].scopes,
            consent_withdrawn=withdrawn,
            consent_project=current[1].project if current else "",
            consent_institution=current[1].institution if current else "",
            leukocyte_panel=self.leukocyte_panel,
        )

    # --- personal data kept outside the chain (R-LED-6) --------------------------------------

    def record_identity(self, fields: list[str]) -> None:
        """Note that identifying data was stored off-chain; only the field names are kept."""
        if self.identity_erased:
            raise RuleViolation(
                [
                    Violation.of(
                        "R-LED-6",
                        "the identity of {code} was erased; it cannot be recorded again",
                        code=self.code,
                    )
                ]
            )
        self._identity_recorded(sorted(fields))

    @event("IdentityRecorded")
    def _identity_recorded(self, fields: list[str]) -> None:
        pass

    def erase_identity(self, reason: str) -> None:
        problems = []
        if self.identity_erased:
            problems.append(
                Violation.of("R-LED-6", "the identity of {code} is already erased", code=self.code)
            )
        if not reason.strip():
            problems.append(Violation.of("R-LED-6", "give the reason for the erasure"))
        if problems:
            raise RuleViolation(problems)
        self._identity_erased(reason.strip())

    @event("IdentityErased")
    def _identity_erased(self, reason: str) -> None:
        self.identity_erased = True
