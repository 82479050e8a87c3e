"""Placebo lots of blinded studies (R-ID-3, §7.2.3): formulated from excipient lots under the
product's specification (tested for microbial safety only), filled like any lot, so that their
vials cannot be told apart from active ones; the arm is kept in the restricted `blinding` field.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from eventsourcing.domain import event

from ledger.domain.material_use import MaterialUse, MaterialUseCheck, uses_and_tests
from ledger.domain.product_lot import ProductLot
from ledger.domain.product_vial import Blinding
from ledger.domain.purification import LotTerms, expiry_of, lot_terms
from ledger.domain.specification import SpecVersion
from ledger.errors import RuleViolation, Violation

PLACEBO = "placebo"
ACTIVE = "active"


class PlaceboLot(ProductLot):
    """A lot of matching placebo: no donor, no harvest."""

    placebo = True

    # The same fields as `ProductLot.Purified` (eventsourcing derives this creation event from
    # it): no donor, no source; `method` holds the formulation.
    @event("Formulated")
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
        self._lot(code, [], [], volume_ml, terms, expiry, blinding, made_at)

    @classmethod
    def formulate(
        cls,
        code: str,
        study: str,
        formulation: str,
        volume_ml: float,
        materials: Sequence[MaterialUseCheck],
        spec: tuple[str, SpecVersion],
        made_at: datetime,
    ) -> PlaceboLot:
        uses, tests, problems = uses_and_tests(materials)
        if not study.strip() or not formulation.strip() or not materials:
            problems.append(
                Violation.of(
                    "R-ID-3",
                    "a placebo lot needs its blinded study, its formulation and the excipient "
                    "lots used",
                )
            )
        if not volume_ml > 0:
            problems.append(Violation.of("R-PRO-3", "give the volume of the placebo lot"))
        if problems:
            raise RuleViolation(problems)
        return cls(
            code,
            [],
            [],
            formulation.strip(),
            {},
            float(volume_ml),
            uses,
            lot_terms(spec, tests, placebo=True),
            expiry_of(spec, made_at.date()),
            Blinding(study=study.strip(), arm=PLACEBO),
            made_at,
        )
