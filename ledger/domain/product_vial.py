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
from ledger.errors import RuleViolation, Violation
from ledger.identifiers import ItemType, parse_code


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
        self.retained: str | None = None  # where it is kept as a retained sample
        self.unit: str | None = None  # the manufacturer's storage unit it is in (R-SHP-5)

    def retain(self, place: str) -> None:
        """Keep the vial as a retained (reference) sample of its lot at `place`; it stays at
        the manufacturer and is never shipped (R-QMS-6, §5.4.2)."""
        problems = []
        if self.retained is not None:
            problems.append(
                Violation.of(
                    "R-QMS-6",
                    "{code} is already a retained sample, kept at {place}",
                    code=self.code,
                    place=self.retained,
                )
            )
        if any(parse_code(c).item_type == ItemType.SHIPMENT for c in self.children):
            problems.append(
                Violation.of(
                    "R-QMS-6",
                    "{code} was shipped; keep an unshipped vial as the retained sample",
                    code=self.code,
                )
            )
        if self.disposal is not None:
            problems.append(
                Violation.of("R-PRO-6", "{code} was disposed of; it cannot be kept", code=self.code)
            )
        if not place.strip():
            problems.append(
                Violation.of(
                    "R-TRC-2", "name where the retained sample {code} is kept", code=self.code
                )
            )
        if problems:
            raise RuleViolation(problems)
        self._retained(place.strip())

    @event("Retained")
    def _retained(self, place: str) -> None:
        self.retained = place

    # --- in a storage unit of the manufacturer (R-SHP-5) --------------------------------------

    def storage_problems(self) -> list[Violation]:
        """Why the vial cannot go into a storage unit of the manufacturer: it left the plant
        or was destroyed."""
        if any(parse_code(c).item_type == ItemType.SHIPMENT for c in self.children):
            return [
                Violation.of(
                    "R-SHP-5",
                    "{code} was shipped; store it at the site it went to",
                    code=self.code,
                )
            ]
        if self.disposal is not None or self.distributions:
            return [
                Violation.of(
                    "R-SHP-5", "{code} was disposed of or sent away; it is not here", code=self.code
                )
            ]
        return []

    def store_in(self, unit: str, place: str) -> None:
        """The vial went into `unit` at `place` (checked by `storage_problems`)."""
        self._stored_in_unit(unit, place.strip())

    @event("StoredInUnit")
    def _stored_in_unit(self, unit: str, place: str) -> None:
        self.unit = unit

    def leave_unit(self, why: str) -> None:
        """The vial left its storage unit (shipped, destroyed)."""
        if self.unit is not None:
            self._left_unit(self.unit, why)

    @event("LeftUnit")
    def _left_unit(self, unit: str, why: str) -> None:
        self.unit = None
