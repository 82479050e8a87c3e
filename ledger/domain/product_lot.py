"""Product lots (R-PRO-3, R-PRO-4, R-QC-1..3, R-ID-3, §5.4.2, §5.5, §5.7): harvests pooled and
purified into a lot under a specification version, which sets the lot's required tests, expiry
and temperature ranges; QC results, quarantine on an out-of-spec result, QA certification, and
the fill into product vials. Placebo lots of blinded studies are formulated, not purified.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from eventsourcing.domain import event

from ledger.domain.accountability import RULE as ACCOUNTABILITY
from ledger.domain.accountability import Accountable
from ledger.domain.base import parse_enum
from ledger.domain.donor_standing import DonorStanding
from ledger.domain.harvest import Harvest
from ledger.domain.lineage import DerivedItem
from ledger.domain.material_use import MaterialUse, MaterialUseCheck, uses_and_tests
from ledger.domain.oos import (
    Finding,
    Investigation,
    Outcome,
    Phase,
    conclusion_problems,
    open_problems,
    opened,
    still_open,
)
from ledger.domain.product_vial import Blinding, ProductVial
from ledger.domain.purification import (
    LotTerms,
    Purification,
    expiry_of,
    lot_terms,
    purification_problems,
)
from ledger.domain.quality import QcResult, certification_problems, describe_limit, result_problems
from ledger.domain.specification import SpecTest, SpecVersion
from ledger.errors import RuleViolation, Violation


class ProductLot(DerivedItem, Accountable):
    """A purified lot of cell-derivative product."""

    placebo = False

    @event("Purified")
    def __init__(
        self,
        code: str,
        donor_codes: list[str],
        sources: list[str],
        method: str,
        parameters: dict[str, str],
        volume_ml: float,
        materials: list[MaterialUse],
        terms: LotTerms,
        expiry: date,
        blinding: Blinding | None,
        made_at: datetime,
    ) -> None:
        self._lot(code, donor_codes, sources, volume_ml, terms, expiry, blinding, made_at)

    def _lot(
        self,
        code: str,
        donor_codes: list[str],
        sources: list[str],
        volume_ml: float,
        terms: LotTerms,
        expiry: date,
        blinding: Blinding | None,
        made_at: datetime,
    ) -> None:
        """Assign what every lot holds (called from the creation events only)."""
        self.code, self.donor_codes, self.sources = code, donor_codes, sources
        self.volume_ml, self.filled_ml = volume_ml, 0.0
        self.sealed_kits: tuple[str, ...] = ()
        self.required_tests, self.blinding, self.made_at = (
            terms["required_tests"],
            blinding,
            made_at,
        )
        self.specification, self.spec_version = terms["specification"], terms["spec_version"]
        self.product, self.mandatory_tests = terms["product"], terms["mandatory_tests"]
        self.expiry, self.storage, self.transport = expiry, terms["storage"], terms["transport"]
        self.results: dict[int, QcResult] = {}
        self.quarantined = False
        self.certified = False
        self.rejected = False
        self.closed = False
        self.investigations: dict[int, Investigation] = {}

    @classmethod
    def purify(
        cls,
        code: str,
        harvests: Sequence[Harvest],
        donors: Sequence[DonorStanding],
        purification: Purification,
        materials: Sequence[MaterialUseCheck],
        inherited: Sequence[str],
        spec: tuple[str, SpecVersion],
        blinding: Blinding | None,
        made_at: datetime,
    ) -> ProductLot:
        """Pool `harvests` into a lot (R-PRO-3); `inherited` are the tests the harvests'
        genealogy makes mandatory, found by the application walking up their inputs."""
        donor_codes = list(dict.fromkeys(d for h in harvests for d in h.donor_codes))
        problems = [p for h in harvests for p in h.pooling_refusals(donors)]
        problems += purification_problems(purification, donor_codes, donors)
        uses, tests, material_problems = uses_and_tests(materials)
        problems += material_problems
        if problems:
            raise RuleViolation(problems)
        for harvest in harvests:
            harvest.record_derived([code], "purification")
        mandatory = sorted({*inherited, *tests})
        return cls(
            code,
            donor_codes,
            [h.code for h in harvests],
            purification.method,
            {k.strip(): str(v).strip() for k, v in purification.parameters.items()},
            float(purification.volume_ml),
            uses,
            lot_terms(spec, mandatory),
            expiry_of(spec, made_at.date()),
            blinding,
            made_at,
        )

    # --- quality control and certification (R-QC-1, R-QC-2) ---------------------------------

    def record_result(
        self, result: QcResult, spec: Sequence[SpecTest], donors: Sequence[DonorStanding]
    ) -> None:
        """Record a result; one out of specification opens an OOS investigation and
        quarantines the lot (R-QC-2, R-QMS-1). A retest names the invalidated result it
        replaces."""
        by_name = {t["test"]: t for t in spec}
        problems = self.step_refusals(donors)
        problems += result_problems(self.code, result, self.required_tests, by_name)
        if self.certified:
            problems.append(Violation.of("R-QC-2", "{code} is already certified", code=self.code))
        problems += self._rejected_problems()
        problems += self._replaces_problems(result)
        if problems:
            raise RuleViolation(problems)
        defined = by_name.get(result["test"])
        limit = describe_limit(defined) if defined else result["limit"].strip()
        self._result_recorded(QcResult(**{**result, "limit": limit}))
        if not result["in_spec"]:
            self._investigation_opened(
                len(self.investigations) + 1, self.version, result["test"], result["report_ref"]
            )
            if not self.quarantined:
                self._quarantined(f"{result['test']} out of specification ({result['report_ref']})")

    def _replaces_problems(self, result: QcResult) -> list[Violation]:
        replaced = result.get("replaces")
        if replaced is None:
            return []
        earlier = self.results.get(replaced)
        if (
            replaced in self._invalidated()
            and earlier is not None
            and earlier["test"] == result["test"]
        ):
            return []
        return [
            Violation.of(
                "R-QMS-1",
                "a retest replaces a {test} result of {code} that an OOS investigation "
                "invalidated; event {replaced} is not one",
                test=result["test"],
                code=self.code,
                replaced=replaced,
            )
        ]

    def _rejected_problems(self) -> list[Violation]:
        if not self.rejected:
            return []
        return [
            Violation.of(
                "R-QMS-5", "{code} is rejected; it can only be disposed of", code=self.code
            )
        ]

    # --- OOS investigations and disposition (R-QMS-1, R-QMS-3, R-QMS-5) ----------------------

    def correct(self, version: int, reason: str) -> None:
        """Entries other than QC results are struck out with a reason (R-LED-1); a QC result
        is invalidated only by an OOS investigation QA concludes (R-QMS-1)."""
        if self.entries.get(version) == "TestResultRecorded":
            raise RuleViolation(
                [
                    Violation.of(
                        "R-QMS-1",
                        "event {version} of {code} is a QC result: nobody strikes it out; an "
                        "out-of-specification result is invalidated only when QA concludes "
                        "its OOS investigation with an assignable cause, and a retest names "
                        "the result it replaces",
                        version=version,
                        code=self.code,
                    )
                ]
            )
        super().correct(version, reason)

    def record_oos_finding(self, number: int, phase: str, finding: str) -> None:
        """A finding of the laboratory (phase I) or of production (phase II)."""
        problems = open_problems(self.code, self.investigations, number)
        if not finding.strip():
            problems.append(Violation.of("R-QMS-1", "write what the investigation found"))
        if problems:
            raise RuleViolation(problems)
        checked = parse_enum(Phase, phase, "R-QMS-1", "investigation phase")
        self._finding_recorded(number, checked.value, finding.strip())

    def conclude_oos(
        self, number: int, invalidate: bool, assignable_cause: str, conclusion: str
    ) -> None:
        """QA's signed conclusion: the result invalidated for its assignable cause, or
        confirmed. An invalidated result stops standing; with no other open investigation and
        no standing out-of-spec result, the quarantine is lifted and the lot awaits QC."""
        problems = open_problems(self.code, self.investigations, number)
        problems += conclusion_problems(invalidate, assignable_cause, conclusion)
        if problems:
            raise RuleViolation(problems)
        outcome = Outcome.INVALIDATED if invalidate else Outcome.CONFIRMED
        self._concluded(number, outcome.value, assignable_cause.strip(), conclusion.strip())
        failing = [r for r in self.standing_results() if not r["in_spec"]]
        if self.quarantined and not failing and not still_open(self.code, self.investigations):
            self._quarantine_lifted(f"OOS investigation {number}: {assignable_cause.strip()}")

    def reject(self, reason: str) -> None:
        """QA's signed rejection: the lot can only be disposed of (R-QMS-5)."""
        problems = self._rejected_problems()
        if self.certified:
            problems.append(
                Violation.of(
                    "R-QMS-5",
                    "{code} is certified; recall it and dispose of its vials instead",
                    code=self.code,
                )
            )
        if not reason.strip():
            problems.append(
                Violation.of("R-QMS-5", "give the reason {code} is rejected", code=self.code)
            )
        if problems:
            raise RuleViolation(problems)
        self._rejected(reason.strip())

    @event("OosInvestigationOpened")
    def _investigation_opened(self, number: int, result: int, test: str, report_ref: str) -> None:
        self.investigations = {**self.investigations, number: opened(result, test, report_ref)}

    @event("OosFindingRecorded")
    def _finding_recorded(self, number: int, phase: str, finding: str) -> None:
        found = self.investigations[number]
        findings = [*found["findings"], Finding(phase=phase, finding=finding)]
        self.investigations = {**self.investigations, number: {**found, "findings": findings}}

    @event("OosConcluded")
    def _concluded(self, number: int, outcome: str, assignable_cause: str, conclusion: str) -> None:
        found = self.investigations[number]
        concluded: Investigation = {
            **found,
            "outcome": outcome,
            "assignable_cause": assignable_cause,
            "conclusion": conclusion,
        }
        self.investigations = {**self.investigations, number: concluded}

    @event("QuarantineLifted")
    def _quarantine_lifted(self, reason: str) -> None:
        self.quarantined = False

    @event("Rejected")
    def _rejected(self, reason: str) -> None:
        self.rejected = True

    @event("TestResultRecorded")
    def _result_recorded(self, result: QcResult) -> None:
        version = self._note_entry("TestResultRecorded")
        self.results = {**self.results, version: result}

    @event("Quarantined")
    def _quarantined(self, reason: str) -> None:
        self.quarantined = True

    def standing_results(self) -> list[QcResult]:
        """The results that stand: not struck out (results recorded before R-QMS-1 could be)
        and not invalidated by an OOS investigation."""
        invalidated = self._invalidated()
        return [
            r
            for v, r in sorted(self.results.items())
            if not self.is_struck(v) and v not in invalidated
        ]

    def _invalidated(self) -> set[int]:
        """The results (event versions) that OOS investigations invalidated."""
        return {
            found["result"]
            for found in self.investigations.values()
            if found["outcome"] == Outcome.INVALIDATED
        }

    def certify(
        self, change_problems: Sequence[Violation], donors: Sequence[DonorStanding]
    ) -> None:
        """QA's signed certification (R-QC-2); `change_problems` are the major changes this lot
        was made after that lack a comparability assessment (R-PRO-5)."""
        problems = self.step_refusals(donors)
        if self.certified:
            problems.append(Violation.of("R-QC-2", "{code} is already certified", code=self.code))
        problems += self._rejected_problems() + self._quarantine_problems("certified")
        problems += still_open(self.code, self.investigations)
        problems += certification_problems(self.code, self.required_tests, self.standing_results())
        problems += change_problems
        if problems:
            raise RuleViolation(problems)
        self._certified(self.required_tests)

    @event("Certified")
    def _certified(self, tests: list[str]) -> None:
        self._note_decision("TestResultRecorded")
        self.certified = True

    # --- fill (R-PRO-4) ---------------------------------------------------------------------

    def fill(
        self,
        codes: list[str],
        volume_ml: float,
        container: str,
        donors: Sequence[DonorStanding],
    ) -> list[ProductVial]:
        """Fill `len(codes)` vials of `volume_ml` each; each vial gets its own code. A lot of a
        blinded study is filled only into sealed kits, with the other arm (`fill_kits`)."""
        problems = self.fill_problems(len(codes), volume_ml, container, donors)
        if self.blinding is not None:
            problems.append(
                Violation.of(
                    "R-ACC-5",
                    "{code} is a lot of the blinded study {study}; fill it into kits together "
                    "with a lot of the other arm (POST /api/v1/studies/{study}/kits), so that no "
                    "record ties a kit to its lot",
                    code=self.code,
                    study=self.blinding["study"],
                )
            )
        if problems:
            raise RuleViolation(problems)
        self.record_derived(codes, "fill")
        self._filled(len(codes), float(volume_ml), container.strip())
        return [
            ProductVial(
                code,
                self.code,
                list(self.donor_codes),
                float(volume_ml),
                container.strip(),
                self.expiry,
                self.storage,
                self.transport,
                None,
            )
            for code in codes
        ]

    def fill_problems(
        self, vials: int, volume_ml: float, container: str, donors: Sequence[DonorStanding]
    ) -> list[Violation]:
        """Why `vials` vials of `volume_ml` cannot be filled from this lot now."""
        problems = self.step_refusals(donors) + self.closed_problems()
        problems += self._rejected_problems() + self._quarantine_problems("filled")
        remaining = self.volume_ml - self.filled_ml
        if not vials or not volume_ml > 0 or vials * volume_ml > remaining:
            problems.append(
                Violation.of(
                    "R-PRO-4",
                    "fill at least one vial with a positive volume; {code} has "
                    "{remaining:g} mL left",
                    code=self.code,
                    remaining=remaining,
                )
            )
        if not container.strip():
            problems.append(Violation.of("R-PRO-4", "name the closed container filled (§5.4.2)"))
        return problems

    # --- accountability (R-QMS-6) -----------------------------------------------------------

    def closed_problems(self) -> list[Violation]:
        if not self.closed:
            return []
        return [
            Violation.of(
                ACCOUNTABILITY,
                "{code} is closed: every vial was accounted for; it takes no further step",
                code=self.code,
            )
        ]

    def close(self, problems: Sequence[Violation]) -> None:
        """QA's signed closing of the lot, once its disposition is made and every vial is
        accounted for; `problems` are the accounts' (`closing_problems`)."""
        refusals = self.closed_problems() + list(problems)
        if not (self.certified or self.rejected):
            refusals.append(
                Violation.of(
                    "R-QMS-5",
                    "{code} has no disposition yet; QA certifies or rejects it first",
                    code=self.code,
                )
            )
        if refusals:
            raise RuleViolation(refusals)
        self._lot_closed()

    @event("Closed")
    def _lot_closed(self) -> None:
        self.closed = True

    def _quarantine_problems(self, step: str) -> list[Violation]:
        if not self.quarantined:
            return []
        return [
            Violation.of(
                "R-QMS-5",
                "{code} is quarantined after an out-of-specification result; it is never "
                "{step:term} until QA concludes the OOS investigation",
                code=self.code,
                step=step,
            )
        ]

    def fill_kits(self, count: int, volume_ml: float, container: str, sealed_codes: str) -> None:
        """Record that `count` kits were filled from this lot (checked by `fill_problems`);
        which kits is sealed (R-ACC-5), so the lot's record names none of them."""
        self._kits_filled(count, sealed_codes)
        self._filled(count, float(volume_ml), container.strip())

    @event("KitsFilled")
    def _kits_filled(self, count: int, sealed_codes: str) -> None:
        self.sealed_kits = (*self.sealed_kits, sealed_codes)
        self._note_decision()

    @event("VialsFilled")
    def _filled(self, vials: int, volume_ml: float, container: str) -> None:
        self.filled_ml += vials * volume_ml
