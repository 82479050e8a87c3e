"""Product specifications (R-QC-1, R-QC-3, §5.5, §5.7): versioned lists of release tests, each
with its method and limits, covering identity (size distribution, positive and negative
markers), purity, integrity, potency, sterility, mycoplasma and endotoxin, plus the stability
data that set a lot's expiry and its storage and transport temperature ranges.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import TypedDict
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from ledger.domain.base import LedgerAggregate, enum_problems
from ledger.errors import RuleViolation, Violation

_NAMESPACE = uuid5(NAMESPACE_URL, "https://celltrace.invalid/specifications")


def specification_id(reference: str) -> UUID:
    return uuid5(_NAMESPACE, f"specification:{reference.strip().upper()}")


class TestCategory(StrEnum):
    """What a release test shows (§5.5.1-5.5.4, §5.8)."""

    IDENTITY_SIZE = "identity_size"
    IDENTITY_POSITIVE_MARKER = "identity_positive_marker"
    IDENTITY_NEGATIVE_MARKER = "identity_negative_marker"
    PURITY = "purity"
    INTEGRITY = "integrity"
    POTENCY = "potency"
    STERILITY = "sterility"
    MYCOPLASMA = "mycoplasma"
    ENDOTOXIN = "endotoxin"
    IMPURITY = "impurity"  # residues and other process-related impurities (§5.5.2)


#: Every specification covers these categories (R-QC-1).
REQUIRED_CATEGORIES = tuple(c for c in TestCategory if c is not TestCategory.IMPURITY)
#: The microbial-safety categories a placebo lot is tested for (it has no active substance).
SAFETY_CATEGORIES = (TestCategory.STERILITY, TestCategory.MYCOPLASMA, TestCategory.ENDOTOXIN)


class SpecTest(TypedDict):
    """One release test: numeric limits (`minimum`/`maximum`, either may be None) or the
    qualitative result expected (e.g. "negative", "conforms")."""

    test: str
    category: str
    method: str
    unit: str
    minimum: float | None
    maximum: float | None
    expected: str


class Stability(TypedDict):
    """What the stability study supports (R-QC-3, §5.7)."""

    study_ref: str
    shelf_life_days: int
    storage_min_c: float
    storage_max_c: float
    transport_min_c: float
    transport_max_c: float


class SpecVersion(TypedDict):
    version: int
    product: str
    tests: list[SpecTest]
    stability: Stability


def _version_problems(product: str, tests: Sequence[SpecTest], st: Stability) -> list[Violation]:
    problems = [] if product.strip() else [Violation.of("R-QC-1", "name the product specified")]
    names = [t["test"].strip() for t in tests]
    if len(set(names)) != len(names) or not all(names):
        problems.append(Violation.of("R-QC-1", "give every test a distinct name"))
    for t in tests:
        problems += enum_problems(TestCategory, t["category"], "R-QC-1", "test category")
        numeric = t["minimum"] is not None or t["maximum"] is not None
        if not t["method"].strip() or numeric == bool(t["expected"].strip()):
            problems.append(
                Violation.of(
                    "R-QC-1",
                    "test {test!r} needs its method and either numeric limits or the "
                    "qualitative result expected",
                    test=t["test"],
                )
            )
    missing = [
        c.value for c in REQUIRED_CATEGORIES if c.value not in {t["category"] for t in tests}
    ]
    if missing:
        problems.append(
            Violation.of(
                "R-QC-1", "the specification lacks tests for: {missing:list}", missing=missing
            )
        )
    if not (
        st["study_ref"].strip()
        and st["shelf_life_days"] > 0
        and st["storage_min_c"] <= st["storage_max_c"]
        and st["transport_min_c"] <= st["transport_max_c"]
    ):
        problems.append(
            Violation.of(
                "R-QC-3",
                "give the stability study, the shelf life in days and the storage and "
                "transport temperature ranges it supports",
            )
        )
    return problems


class Specification(LedgerAggregate):
    """A product's release specification; each revision is a new version, earlier lots keep
    the version they were made under."""

    @event("Issued")
    def __init__(self, reference: str, first: SpecVersion) -> None:
        self.reference = reference
        self.versions: dict[int, SpecVersion] = {1: first}

    @staticmethod
    def create_id(reference: str) -> UUID:
        return specification_id(reference)

    @classmethod
    def issue(
        cls, reference: str, product: str, tests: Sequence[SpecTest], stability: Stability
    ) -> Specification:
        problems = _version_problems(product, tests, stability)
        if not reference.strip():
            problems.append(Violation.of("R-QC-1", "give the specification a reference"))
        if problems:
            raise RuleViolation(problems)
        return cls(
            reference.strip(),
            SpecVersion(version=1, product=product.strip(), tests=list(tests), stability=stability),
        )

    def revise(self, tests: Sequence[SpecTest], stability: Stability) -> int:
        """A new version with the same product; returns its number."""
        problems = _version_problems(self.product, tests, stability)
        if problems:
            raise RuleViolation(problems)
        number = self.current + 1
        self._revised(
            SpecVersion(
                version=number, product=self.product, tests=list(tests), stability=stability
            )
        )
        return number

    @event("Revised")
    def _revised(self, version: SpecVersion) -> None:
        self.versions = {**self.versions, version["version"]: version}

    @property
    def current(self) -> int:
        return max(self.versions)

    @property
    def product(self) -> str:
        return self.versions[1]["product"]
