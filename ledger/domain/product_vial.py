"""Product vials (R-PRO-4, R-ID-3, §5.4.2, §7.2.3): each vial filled from a lot gets its own code
and carries only lot-level facts (lot, expiry, storage range), so that the vials of an active
and of a placebo lot of a blinded study cannot be told apart by code or label; the study arm is
kept in the restricted `blinding` field only, for emergency unblinding.
"""

from __future__ import annotations

from datetime import date
from typing import TypedDict

from eventsourcing.domain import event

from ledger.domain.lineage import DerivedItem


class TemperatureRange(TypedDict):
    min_c: float
    max_c: float


class Blinding(TypedDict):
    """Restricted (R-ID-3): never printed on a label nor shown to blinded users."""

    study: str
    arm: str  # active | placebo


class ProductVial(DerivedItem):
    """One vial of a product lot."""

    @event("Filled")
    def __init__(
        self,
        code: str,
        lot: str,
        donor_codes: list[str],
        volume_ml: float,
        container: str,
        expiry: date,
        storage: TemperatureRange,
        transport: TemperatureRange,
        blinding: Blinding | None,
    ) -> None:
        self.code = code
        self.lot = lot
        self.donor_codes = donor_codes
        self.sources = [lot]
        self.volume_ml = volume_ml
        self.expiry = expiry
        self.storage = storage
        self.transport = transport
        self.blinding = blinding
