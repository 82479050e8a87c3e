"""A donor's standing as the other areas see it (R-DON-4, R-DON-6, R-DON-7): eligibility,
look-back and consent scope, passed into every step on donor-derived material.

The application loads the donors an item descends from and hands these read-only facts to the
item's command, which refuses the step when a donor is not (or no longer) eligible or when the
step is outside the donor's consent (§5.2, §8.2(2)).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ledger.domain.base import parse_enums
from ledger.errors import Violation
from ledger.messages import Sentence


class ConsentScope(StrEnum):
    """What a donor's consent authorises (§8.2(2): 建库保存、长期留存、共享、跨项目/跨机构使用)."""

    BANKING = "banking"
    LONG_TERM_STORAGE = "long_term_storage"
    SHARING = "sharing"
    CROSS_PROJECT = "cross_project"
    CROSS_INSTITUTION = "cross_institution"


@dataclass(frozen=True)
class Consent:
    scopes: frozenset[ConsentScope]
    project: str
    institution: str


def parse_scopes(names: list[str]) -> list[ConsentScope]:
    return parse_enums(ConsentScope, names, "R-DON-6", "consent scope")


class Eligibility(StrEnum):
    PENDING = "pending"
    ELIGIBLE = "eligible"
    INELIGIBLE = "ineligible"
    INELIGIBLE_AFTER_LOOKBACK = "ineligible_after_lookback"


#: Creating a cell bank stores the donor's cells as a line for years (建库保存、长期留存).
BANKING_SCOPES = frozenset({ConsentScope.BANKING, ConsentScope.LONG_TERM_STORAGE})


@dataclass(frozen=True)
class DonorStanding:
    """Read-only facts about one donor at the moment of a step."""

    code: str
    eligibility: Eligibility
    reason: str
    autologous: bool
    consent_scopes: frozenset[ConsentScope] | None  # None: no consent in force
    consent_withdrawn: bool
    consent_project: str
    consent_institution: str
    leukocyte_panel: bool  # eligibility rests on a screening with HTLV-1/2, CMV and EBV

    def refusals_for(
        self,
        item: str | Sentence,
        needs: frozenset[ConsentScope] = frozenset(),
        *,
        lookback: bool = True,
        project: str | None = None,
        institution: str | None = None,
    ) -> list[Violation]:
        """Why donor material `item` may not take a step needing the consent scopes `needs`."""
        problems = []
        if self.eligibility is Eligibility.INELIGIBLE_AFTER_LOOKBACK:
            if lookback:
                problems.append(
                    Violation.of(
                        "R-DON-7",
                        "donor {code} became ineligible after look-back ({reason}); {item} may "
                        "take no further step - quarantine it and follow the donor's recall "
                        "list",
                        code=self.code,
                        reason=self.reason,
                        item=item,
                    )
                )
        elif self.eligibility is not Eligibility.ELIGIBLE:
            why = Sentence(" ({reason})", reason=self.reason) if self.reason else ""
            problems.append(
                Violation.of(
                    "R-DON-4",
                    "donor {code} is {eligibility:term}{why}; {item} may not enter cell "
                    "preparation until QA determines the donor eligible",
                    code=self.code,
                    eligibility=self.eligibility.value.replace("_", " "),
                    why=why,
                    item=item,
                )
            )
        problems.extend(self._consent_refusals(item, needs, project, institution))
        return problems

    def _consent_refusals(
        self,
        item: str | Sentence,
        needs: frozenset[ConsentScope],
        project: str | None,
        institution: str | None,
    ) -> list[Violation]:
        if self.consent_withdrawn:
            return [
                Violation.of(
                    "R-DON-6",
                    "donor {code} withdrew consent; {item} may not be used further",
                    code=self.code,
                    item=item,
                )
            ]
        if self.consent_scopes is None:
            return [
                Violation.of(
                    "R-DON-6",
                    "no consent is recorded for donor {code}; record the signed consent "
                    "before using {item}",
                    code=self.code,
                    item=item,
                )
            ]
        wanted = set(needs)
        if project is not None and project != self.consent_project:
            wanted.add(ConsentScope.CROSS_PROJECT)
        if institution is not None and institution != self.consent_institution:
            wanted.add(ConsentScope.CROSS_INSTITUTION)
        return [
            Violation.of(
                "R-DON-6",
                "donor {code}'s consent does not authorise {scope:term}; {item} may not be "
                "used this way without a new consent covering it",
                code=self.code,
                scope=scope.value.replace("_", " "),
                item=item,
            )
            for scope in ConsentScope
            if scope in wanted and scope not in self.consent_scopes
        ]
