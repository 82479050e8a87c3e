"""Purification of harvests into a product lot (R-PRO-3, R-QC-1, R-QC-3, §5.4.2, §5.7): the
method and its critical parameters, the rule against pooling an autologous donor's material with
other donors', and the terms a specification version sets in the lot record (required tests,
expiry, storage and transport temperature ranges).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import TypedDict

from ledger.domain.base import enum_problems
from ledger.domain.donor_standing import DonorStanding
from ledger.domain.product_vial import TemperatureRange
from ledger.domain.quality import required_tests
from ledger.domain.specification import SpecVersion
from ledger.errors import Violation


class PurificationMethod(StrEnum):
    ULTRACENTRIFUGATION = "ultracentrifugation"
    TANGENTIAL_FLOW_FILTRATION = "tangential_flow_filtration"
    SIZE_EXCLUSION_CHROMATOGRAPHY = "size_exclusion_chromatography"
    DENSITY_GRADIENT = "density_gradient"
    DIFFERENTIAL_CENTRIFUGATION = "differential_centrifugation"
    AFFINITY_CAPTURE = "affinity_capture"


@dataclass(frozen=True)
class Purification:
    """What the operator records for a purification (R-PRO-3)."""

    method: str
    parameters: dict[str, str] = field(default_factory=dict)
    volume_ml: float = 0.0


class LotTerms(TypedDict):
    """What the specification version sets in the lot record (R-QC-1, R-QC-3)."""

    specification: str
    spec_version: int
    product: str
    mandatory_tests: list[str]
    required_tests: list[str]
    storage: TemperatureRange
    transport: TemperatureRange
    stability_study: str


def expiry_of(spec: tuple[str, SpecVersion], made_on: date) -> date:
    """The shelf life the stability study supports, from the day the lot was made (R-QC-3)."""
    return made_on + timedelta(days=spec[1]["stability"]["shelf_life_days"])


def lot_terms(
    spec: tuple[str, SpecVersion], mandatory: list[str], *, placebo: bool = False
) -> LotTerms:
    reference, version = spec
    st = version["stability"]
    return LotTerms(
        specification=reference,
        spec_version=version["version"],
        product=version["product"],
        mandatory_tests=mandatory,
        required_tests=required_tests(version["tests"], mandatory, placebo=placebo),
        storage=TemperatureRange(min_c=st["storage_min_c"], max_c=st["storage_max_c"]),
        transport=TemperatureRange(min_c=st["transport_min_c"], max_c=st["transport_max_c"]),
        stability_study=st["study_ref"],
    )


def purification_problems(
    purification: Purification, donor_codes: Sequence[str], donors: Sequence[DonorStanding]
) -> list[Violation]:
    """R-PRO-3: a known method, its critical parameters, the volume, and no pooling of an
    autologous donor's material with other donors' (R-DON-5: it goes back to that donor only)."""
    problems = enum_problems(
        PurificationMethod, purification.method, "R-PRO-3", "purification method"
    )
    params = purification.parameters
    if not params or any(not str(v).strip() for v in params.values()):
        problems.append(
            Violation.of("R-PRO-3", "record the critical purification parameters (name, value)")
        )
    if not purification.volume_ml > 0:
        problems.append(Violation.of("R-PRO-3", "give the volume of the purified lot"))
    if not donor_codes:
        problems.append(Violation.of("R-PRO-3", "scan at least one harvest to purify"))
    autologous = [d.code for d in donors if d.code in donor_codes and d.autologous]
    if autologous and len(donor_codes) > 1:
        problems.append(
            Violation.of(
                "R-PRO-3",
                "donor {autologous:list} is autologous; their material may not be pooled "
                "with other donors' ({donor_codes:list}) - purify it alone",
                autologous=autologous,
                donor_codes=donor_codes,
            )
        )
    return problems
