"""Cell banks (R-CB-3..5, §5.4.1(5), §5.8): seed -> master (MCB) -> working (WCB) tiers, passage
and the stability study's passage limit, vials with their own codes and places in vapor-phase
liquid nitrogen, the post-thaw viability specification, full testing and the signed release.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from enum import StrEnum
from typing import TypedDict

from eventsourcing.domain import event

from ledger.domain.bank_vial import BankPlan, BankVial, Tier, plan_problems
from ledger.domain.base import enum_problems
from ledger.domain.cell_source import CellSource
from ledger.domain.donor_standing import BANKING_SCOPES, DonorStanding
from ledger.domain.lineage import DerivedItem
from ledger.domain.material_use import MaterialUse, MaterialUseCheck, uses_and_tests
from ledger.errors import RuleViolation, Violation

#: Autologous hPSC may skip the MCB with a small WCB only (§5.4.1(5)); "small" is set here.
SMALL_WCB_MAX_VIALS = 20


class BankTest(StrEnum):
    STERILITY = "sterility"
    MYCOPLASMA = "mycoplasma"
    ENDOTOXIN = "endotoxin"
    ADVENTITIOUS_VIRUS = "adventitious_virus"
    ENDOGENOUS_VIRUS = "endogenous_virus"
    IDENTITY = "identity"


#: §5.8: 无菌、支原体、内毒素、内外源病毒因子 by a qualified third-party laboratory.
THIRD_PARTY_TESTS = (
    BankTest.STERILITY,
    BankTest.MYCOPLASMA,
    BankTest.ENDOTOXIN,
    BankTest.ADVENTITIOUS_VIRUS,
    BankTest.ENDOGENOUS_VIRUS,
)


class BankTestResult(TypedDict):
    test: str
    passed: bool
    laboratory: str
    third_party: bool
    report_ref: str
    tested_on: date


def _source_problems(
    tier: Tier,
    source: CellSource | BankVial,
    donors: Sequence[DonorStanding],
    plan: BankPlan,
    vials: int,
) -> list[Violation]:
    """R-CB-3: seed from cells, MCB from seed or cells, WCB from an MCB only; autologous hPSC
    may make a small WCB directly."""
    ours = [d for d in donors if d.code in source.donor_codes]
    autologous_hpsc = bool(ours) and all(d.autologous for d in ours) and source.pluripotent
    if isinstance(source, BankVial):
        problems = source.production_refusals(donors, BANKING_SCOPES)
        allowed = {Tier.MASTER: {Tier.SEED}, Tier.WORKING: {Tier.MASTER}}.get(tier, set())
        if autologous_hpsc and tier is Tier.WORKING:
            allowed = {Tier.SEED, Tier.MASTER}
        if plan.passage <= source.passage or plan.max_passage > source.max_passage:
            problems.append(
                Violation.of(
                    "R-CB-4",
                    "the new bank's passage must exceed {source}'s ({passage}) and its "
                    "limit may not exceed {max_passage}",
                    source=source.code,
                    passage=source.passage,
                    max_passage=source.max_passage,
                )
            )
        ok = source.tier in allowed
    else:
        problems = source.step_refusals(donors, BANKING_SCOPES) + source.banking_refusals()
        ok = tier is not Tier.WORKING or autologous_hpsc
    if not ok:
        kind = source.tier.value + " bank vial" if isinstance(source, BankVial) else "cells"
        problems.append(
            Violation.of(
                "R-CB-3",
                "a {tier:term} bank cannot be made from {kind:term} {source}: a seed bank comes "
                "from cells, a master bank from a seed vial or cells, a working bank "
                "from a master bank vial",
                tier=tier.value,
                kind=kind,
                source=source.code,
            )
        )
    if tier is Tier.WORKING and autologous_hpsc and vials > SMALL_WCB_MAX_VIALS:
        problems.append(
            Violation.of(
                "R-CB-3",
                "an autologous hPSC working bank is small-scale: at most "
                "{limit} vials, not {vials}",
                limit=SMALL_WCB_MAX_VIALS,
                vials=vials,
            )
        )
    return problems


class CellBank(DerivedItem):
    """A seed, master or working cell bank and its testing and release."""

    @event("Established")
    def __init__(
        self,
        code: str,
        tier: str,
        donor_codes: list[str],
        sources: list[str],
        passage: int,
        max_passage: int,
        stability_study_ref: str,
        viability_spec_pct: float,
        storage: str,
        vials: list[str],
        materials: list[MaterialUse],
        mandatory_tests: list[str],
        frozen_on: date,
    ) -> None:
        self.code = code
        self.tier = Tier(tier)
        self.donor_codes = donor_codes
        self.sources = sources
        self.passage = passage
        self.max_passage = max_passage
        self.viability_spec_pct = viability_spec_pct
        self.vials = vials
        self.mandatory_tests = mandatory_tests
        self.results: dict[int, BankTestResult] = {}
        self.released = False

    @classmethod
    def establish(
        cls,
        code: str,
        vial_codes: list[str],
        tier: Tier,
        source: CellSource | BankVial,
        donors: Sequence[DonorStanding],
        plan: BankPlan,
        materials: Sequence[MaterialUseCheck],
        today: date,
    ) -> tuple[CellBank, list[BankVial]]:
        """Freeze a bank from `source`; every vial gets its code and its place (R-CB-3, R-CB-4)."""
        problems = _source_problems(tier, source, donors, plan, len(vial_codes))
        problems += plan_problems(f"the new {tier.value} bank", plan, len(vial_codes), today)
        uses, tests, material_problems = uses_and_tests(materials)
        problems += material_problems
        if problems:
            raise RuleViolation(problems)
        source.record_derived([code], f"{tier.value} bank")
        donor_codes = list(source.donor_codes)
        bank = cls(
            code,
            tier.value,
            donor_codes,
            [source.code],
            plan.passage,
            plan.max_passage,
            plan.stability_study_ref.strip(),
            float(plan.viability_spec_pct),
            plan.storage,
            vial_codes,
            uses,
            tests,
            plan.frozen_on,
        )
        vials = [
            BankVial(
                vial,
                code,
                tier.value,
                donor_codes,
                location,
                plan.passage,
                plan.max_passage,
                float(plan.viability_spec_pct),
                source.pluripotent,
            )
            for vial, location in zip(vial_codes, plan.locations, strict=True)
        ]
        bank.record_derived(vial_codes, "vials filled")
        return bank, vials

    def record_test(self, result: BankTestResult, donors: Sequence[DonorStanding]) -> None:
        problems = self.step_refusals(donors)
        problems += enum_problems(BankTest, result["test"], "R-CB-5", "bank test")
        if not result["laboratory"].strip() or not result["report_ref"].strip():
            problems.append(
                Violation.of(
                    "R-CB-5", "give the laboratory and its report for {code}", code=self.code
                )
            )
        if problems:
            raise RuleViolation(problems)
        self._test_recorded(result)

    def correct(self, version: int, reason: str) -> None:
        """A passed result may be struck out with a reason (R-LED-1: the bank then lacks it);
        a failed one stands, so a bank is never released by striking out what it failed
        (R-QMS-1)."""
        failed = self.results.get(version)
        if failed is not None and not failed["passed"]:
            raise RuleViolation(
                [
                    Violation.of(
                        "R-QMS-1",
                        "event {version} of {code} is a failed {test} result: nobody strikes "
                        "it out and the bank is not released; record a deviation and let QA "
                        "decide what becomes of the bank",
                        version=version,
                        code=self.code,
                        test=failed["test"],
                    )
                ]
            )
        super().correct(version, reason)

    @event("TestResultRecorded")
    def _test_recorded(self, result: BankTestResult) -> None:
        version = self._note_entry("TestResultRecorded")
        self.results = {**self.results, version: result}

    def release(self, donors: Sequence[DonorStanding]) -> None:
        """QA's signed release after full testing (R-CB-5)."""
        problems = self.step_refusals(donors)
        if self.released:
            problems.append(Violation.of("R-CB-5", "{code} is already released", code=self.code))
        standing = [r for v, r in self.results.items() if not self.is_struck(v)]
        problems += [
            Violation.of(
                "R-CB-5",
                "{code} failed {test} ({report_ref}); a failed bank cannot be released",
                code=self.code,
                test=r["test"],
                report_ref=r["report_ref"],
            )
            for r in standing
            if not r["passed"]
        ]
        passed = {(r["test"], r["third_party"]) for r in standing if r["passed"]}
        missing = [t.value for t in THIRD_PARTY_TESTS if (t.value, True) not in passed]
        if missing:
            problems.append(
                Violation.of(
                    "R-CB-5",
                    "{code} lacks a passed third-party result for {missing:list}",
                    code=self.code,
                    missing=missing,
                )
            )
        if not {(BankTest.IDENTITY.value, True), (BankTest.IDENTITY.value, False)} & passed:
            problems.append(
                Violation.of("R-CB-5", "{code} lacks a passed identity test", code=self.code)
            )
        if problems:
            raise RuleViolation(problems)
        self._released()

    @event("Released")
    def _released(self) -> None:
        self._note_decision("TestResultRecorded")
        self.released = True
