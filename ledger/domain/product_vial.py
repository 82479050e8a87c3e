"""Product vials (R-PRO-4, R-ID-3, §5.4.2, §7.2.3): each vial filled from a lot gets its own code
and carries only lot-level facts (lot, expiry, storage range), so that the vials of an active
and of a placebo lot of a blinded study cannot be told apart by code or label. The vials of a
blinded study are kits: their lot is the study, they name no donor, and their real lot and arm
are sealed in `blinding` (R-ACC-5).
"""

from __future__ import annotations

from datetime import date
from typing import NotRequired, TypedDict

from eventsourcing.domain import event

from ledger.domain.lineage import DerivedItem


class TemperatureRange(TypedDict):
    min_c: float
    max_c: float


class Blinding(TypedDict):
    """The blinded study of a lot or kit (R-ID-3, R-ACC-5). A lot (manufacturing is not
    blinded) names its `arm`; a kit carries only `sealed`, its lot and arm sealed under the
    study's key (`ledger.stores.sealed`). Kits filled before sealing existed name their `arm`."""

    study: str
    arm: NotRequired[str]  # active | placebo
    sealed: NotRequired[str]


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
