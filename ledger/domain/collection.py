"""Donor sample collection as received at the facility (R-CB-1, R-MAT-5, R-DON-2, §5.4.1(1)):
donor, sample type, time, SOP version, transport medium lots and arrival condition.

Only an eligible, consented donor's sample is accepted; a leukocyte-rich sample needs a donor
screened with the extended panel (HTLV-1/2, CMV, EBV). A sample that arrived damaged or not
immersed in its transport medium is recorded as such, and may not be processed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from typing import TypedDict

from eventsourcing.domain import event

from ledger.domain.donor import Donor
from ledger.domain.lineage import DerivedItem
from ledger.domain.material_use import MaterialUse, MaterialUseCheck, uses_and_tests
from ledger.errors import RuleViolation, Violation
from ledger.messages import Sentence


class SampleType(StrEnum):
    PERIPHERAL_BLOOD = "peripheral_blood"
    BONE_MARROW = "bone_marrow"
    CORD_BLOOD = "cord_blood"
    APHERESIS = "apheresis"
    UMBILICAL_CORD = "umbilical_cord"
    ADIPOSE_TISSUE = "adipose_tissue"
    PLACENTA = "placenta"
    DENTAL_PULP = "dental_pulp"
    SKIN = "skin"

    @property
    def leukocyte_rich(self) -> bool:
        return self in _LEUKOCYTE_RICH


_LEUKOCYTE_RICH = frozenset(
    {
        SampleType.PERIPHERAL_BLOOD,
        SampleType.BONE_MARROW,
        SampleType.CORD_BLOOD,
        SampleType.APHERESIS,
    }
)


class Arrival(TypedDict):
    arrived_at: datetime
    temperature_c: float
    container_intact: bool
    sample_immersed: bool  # the transport medium covers the sample (§5.4.1(1))
    note: str


class Collection(DerivedItem):
    """One donor sample, from collection to arrival."""

    @event("Received")
    def __init__(
        self,
        code: str,
        donor_codes: list[str],
        sample_type: str,
        collected_at: datetime,
        sop_version: str,
        transport_media: list[MaterialUse],
        mandatory_tests: list[str],
        arrival: Arrival,
    ) -> None:
        self.code = code
        self.donor_codes = donor_codes
        self.sources = list(donor_codes)
        self.sample_type = SampleType(sample_type)
        self.mandatory_tests = mandatory_tests
        self.acceptable = arrival["container_intact"] and arrival["sample_immersed"]

    @classmethod
    def receive(
        cls,
        code: str,
        donor: Donor,
        sample_type: SampleType,
        collected_at: datetime,
        sop_version: str,
        transport: Sequence[MaterialUseCheck],
        arrival: Arrival,
        now: datetime,
    ) -> Collection:
        """Check the collection against the donor and the transport medium lots, record it and
        note it among the donor's collections."""
        standing = donor.standing()
        problems = standing.refusals_for(Sentence("its sample"))
        if sample_type.leukocyte_rich and not standing.leukocyte_panel:
            problems.append(
                Violation.of(
                    "R-DON-2",
                    "{sample_type:term} is leukocyte-rich but donor {donor} was not found "
                    "eligible on a screening with HTLV-1/2, CMV and EBV; screen again with "
                    "the extended panel",
                    sample_type=sample_type.value,
                    donor=donor.code,
                )
            )
        uses, tests, material_problems = uses_and_tests(transport)
        problems += material_problems
        problems += _record_problems(
            f"the sample of {donor.code}", collected_at, sop_version, uses, arrival, now
        )
        if problems:
            raise RuleViolation(problems)
        donor.record_derived([code], "collection")
        return cls(
            code,
            [donor.code],
            sample_type.value,
            collected_at,
            sop_version.strip(),
            uses,
            tests,
            arrival,
        )


def _record_problems(
    sample: str,
    collected_at: datetime,
    sop_version: str,
    uses: list[MaterialUse],
    arrival: Arrival,
    now: datetime,
) -> list[Violation]:
    """R-CB-1: what every collection record must hold."""
    problems = []
    if not sop_version.strip():
        problems.append(
            Violation.of(
                "R-CB-1", "give the collection SOP and version for {sample}", sample=sample
            )
        )
    if not uses:
        problems.append(
            Violation.of(
                "R-CB-1", "scan the transport medium lot(s) {sample} arrived in", sample=sample
            )
        )
    times = (collected_at, arrival["arrived_at"])
    if any(t.utcoffset() is None for t in times):
        problems.append(
            Violation.of("R-CB-1", "collection and arrival times need their UTC offset")
        )
    elif not collected_at <= arrival["arrived_at"] <= now:
        problems.append(
            Violation.of(
                "R-CB-1",
                "{sample} must be collected before it arrives, and arrive no later "
                "than now; check both times",
                sample=sample,
            )
        )
    return problems
