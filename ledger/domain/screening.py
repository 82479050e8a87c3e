"""Donor screening content (R-DON-1..3, §5.2): general information and history, the
infectious-disease marker panel with the approved IVD kit per result, and the hemodilution
assessment of each screening sample.

These are pure checks; `ledger.domain.donor.Donor` records a screening only when they pass.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import TypedDict

from ledger.errors import Violation
from ledger.messages import Sentence


class Marker(StrEnum):
    HIV = "HIV-1/2"
    HBV = "HBV"
    HCV = "HCV"
    TP = "TP"
    HTLV = "HTLV-1/2"
    CMV = "CMV"
    EBV = "EBV"
    ABO = "ABO"
    HLA = "HLA"


class Outcome(StrEnum):
    """Result of an infectious-disease marker."""

    NON_REACTIVE = "non_reactive"
    REACTIVE = "reactive"
    INDETERMINATE = "indeterminate"


#: Always required (§5.2: 至少应包括 HIV-1/2、HBV、HCV、TP).
BASE_PANEL = (Marker.HIV, Marker.HBV, Marker.HCV, Marker.TP)
#: Also required when the sample is leukocyte-rich (§5.2: 富含白细胞的样本).
LEUKOCYTE_PANEL = (Marker.HTLV, Marker.CMV, Marker.EBV)
#: Typing results (blood group, HLA) carry a value instead of an infectious outcome.
TYPING = (Marker.ABO, Marker.HLA)

SEXES = ("female", "male", "intersex")


class MarkerResult(TypedDict):
    """One screening result and the NMPA-approved in-vitro diagnostic kit that produced it."""

    marker: str
    result: str
    kit: str
    approval_number: str


class Hemodilution(TypedDict):
    """Volumes infused before the screening sample was drawn, and the donor's plasma volume."""

    blood_and_colloids_48h_ml: int
    crystalloids_1h_ml: int
    plasma_volume_ml: int


class ScreeningRecord(TypedDict):
    """One screening of a donor as recorded (R-DON-1..3)."""

    sample_reference: str
    screened_on: date
    age: int
    sex: str
    medical_history: str
    family_history: str
    epidemic_area_travel: str
    leukocyte_rich: bool
    results: list[MarkerResult]
    hemodilution: Hemodilution


@dataclass(frozen=True)
class Screening:
    """What the donor remembers of one recorded screening."""

    results: tuple[MarkerResult, ...]
    hemodiluted: bool
    leukocyte_panel: bool


def is_hemodiluted(h: Hemodilution) -> bool:
    """Plasma diluted by more than half: blood and colloids of the last 48 h plus crystalloids
    of the last hour exceed the plasma volume (the usual hemodilution algorithm)."""
    return h["blood_and_colloids_48h_ml"] + h["crystalloids_1h_ml"] > h["plasma_volume_ml"]


def screening_problems(donor: str, s: ScreeningRecord) -> list[Violation]:
    """Every R-DON-1..3 problem of a screening about to be recorded."""
    histories = {
        "medical history": s["medical_history"],
        "family history": s["family_history"],
        "epidemic-area travel and residence": s["epidemic_area_travel"],
        "screening sample reference": s["sample_reference"],
    }
    return (
        history_problems(donor, s["age"], s["sex"], histories)
        + panel_problems(donor, s["results"], s["leukocyte_rich"])
        + hemodilution_problems(donor, s["hemodilution"])
    )


def cleaned(s: ScreeningRecord) -> ScreeningRecord:
    """The screening with surrounding blanks removed and only the known keys kept."""
    return ScreeningRecord(
        sample_reference=s["sample_reference"].strip(),
        screened_on=s["screened_on"],
        age=s["age"],
        sex=s["sex"],
        medical_history=s["medical_history"].strip(),
        family_history=s["family_history"].strip(),
        epidemic_area_travel=s["epidemic_area_travel"].strip(),
        leukocyte_rich=s["leukocyte_rich"],
        results=[
            MarkerResult(
                marker=r["marker"],
                result=r["result"].strip(),
                kit=r["kit"].strip(),
                approval_number=r["approval_number"].strip(),
            )
            for r in s["results"]
        ],
        hemodilution=Hemodilution(
            blood_and_colloids_48h_ml=s["hemodilution"]["blood_and_colloids_48h_ml"],
            crystalloids_1h_ml=s["hemodilution"]["crystalloids_1h_ml"],
            plasma_volume_ml=s["hemodilution"]["plasma_volume_ml"],
        ),
    )


def history_problems(donor: str, age: int, sex: str, histories: dict[str, str]) -> list[Violation]:
    """R-DON-1: age, sex, medical and family history and epidemic-area travel are recorded."""
    problems = []
    if not 0 <= age <= 120:
        problems.append(
            Violation.of(
                "R-DON-1", "age {age} of {donor} is impossible; correct it", age=age, donor=donor
            )
        )
    if sex not in SEXES:
        problems.append(
            Violation.of(
                "R-DON-1",
                "sex of {donor} must be one of {sexes:list}",
                donor=donor,
                sexes=SEXES,
            )
        )
    problems.extend(
        Violation.of(
            "R-DON-1",
            "{label:term} of {donor} is missing; record it (write 'none' when there is nothing)",
            label=label,
            donor=donor,
        )
        for label, text in histories.items()
        if not text.strip()
    )
    return problems


def panel_problems(
    donor: str, results: Sequence[MarkerResult], leukocyte_rich: bool
) -> list[Violation]:
    """R-DON-2: the required markers, each once, each with its kit and approval number."""
    problems = []
    seen: list[str] = []
    known = {m.value for m in Marker}
    for r in results:
        marker = r["marker"]
        if marker not in known:
            problems.append(
                Violation.of(
                    "R-DON-2",
                    "unknown marker {marker!r} for {donor}; use one of {known:list}",
                    marker=marker,
                    donor=donor,
                    known=known,
                )
            )
            continue
        if marker in seen:
            problems.append(
                Violation.of(
                    "R-DON-2", "{marker} is given twice for {donor}", marker=marker, donor=donor
                )
            )
        seen.append(marker)
        if not r["kit"].strip() or not r["approval_number"].strip():
            problems.append(
                Violation.of(
                    "R-DON-2",
                    "{marker} result of {donor} needs the IVD kit name and its NMPA "
                    "approval number",
                    marker=marker,
                    donor=donor,
                )
            )
        if Marker(marker) in TYPING:
            if not r["result"].strip():
                problems.append(
                    Violation.of(
                        "R-DON-2", "give the {marker} typing of {donor}", marker=marker, donor=donor
                    )
                )
        elif r["result"] not in {o.value for o in Outcome}:
            problems.append(
                Violation.of(
                    "R-DON-2",
                    "{marker} result of {donor} must be one of {outcomes:list}",
                    marker=marker,
                    donor=donor,
                    outcomes=[o.value for o in Outcome],
                )
            )
    required = BASE_PANEL + (LEUKOCYTE_PANEL if leukocyte_rich else ())
    missing = [m.value for m in required if m.value not in seen]
    if missing:
        why = Sentence(" (the sample is leukocyte-rich)") if leukocyte_rich else ""
        problems.append(
            Violation.of(
                "R-DON-2",
                "screening of {donor} lacks {missing:list}{why}; test them before recording "
                "the screening",
                donor=donor,
                missing=missing,
                why=why,
            )
        )
    return problems


def hemodilution_problems(donor: str, h: Hemodilution) -> list[Violation]:
    """R-DON-3: every screening sample carries a plausible hemodilution assessment."""
    volumes = (h["blood_and_colloids_48h_ml"], h["crystalloids_1h_ml"], h["plasma_volume_ml"])
    if min(volumes) < 0 or h["plasma_volume_ml"] == 0:
        return [
            Violation.of(
                "R-DON-3",
                "hemodilution assessment of {donor}: volumes cannot be negative and "
                "the plasma volume must be above 0 ml",
                donor=donor,
            )
        ]
    return []


def positive_markers(results: Sequence[MarkerResult]) -> list[str]:
    """Infectious markers that were not non-reactive."""
    return [
        r["marker"]
        for r in results
        if Marker(r["marker"]) not in TYPING and r["result"] != Outcome.NON_REACTIVE.value
    ]


def covers_leukocyte_panel(results: Sequence[MarkerResult]) -> bool:
    return {m.value for m in LEUKOCYTE_PANEL} <= {r["marker"] for r in results}
