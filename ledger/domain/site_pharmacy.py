"""The site pharmacy's custody of a shipment's vials (R-TRC-2, R-QC-3, R-SHP-3, R-CLN-2,
§7.3.2): where each vial that passed receipt re-inspection is stored (unit, rack, box,
position), moves and returns to storage, and its dispensing from storage to the ward or
bedside for one subject. A dispensed vial may be given to that subject only; a blinded kit is
dispensed by the ledger's allocation for the subject's randomisation number.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from eventsourcing.domain import event

from ledger.domain.product_vial import ProductVial, TemperatureRange
from ledger.domain.site_stock import SiteStock
from ledger.domain.storage_unit import StorageUnit
from ledger.errors import RuleViolation, Violation


class SitePharmacy(SiteStock):
    """Storage places and dispensing of a shipment's vials at its site."""

    def store(
        self,
        vials: Sequence[ProductVial],
        place: str,
        unit_c: float,
        unit: StorageUnit | None = None,
        site_units: Sequence[str] = (),
        at: datetime | None = None,
    ) -> None:
        """Put vials that passed receipt re-inspection into a storage place of the site
        pharmacy; storing a dispensed vial that was not thawed returns it to stock. At a site
        that registered its storage units (`site_units`) the place is in one of them (`unit`,
        R-SHP-5), which the vials enter at `at`."""
        problems: list[Violation] = []
        if unit is None and site_units:
            problems.append(
                Violation.of(
                    "R-SHP-5",
                    "{site} keeps its stock in monitored storage units ({units:list}); name the "
                    "unit the vials go into",
                    site=self.site,
                    units=list(site_units),
                )
            )
        if unit is not None and vials:
            needs = {
                "min_c": max(v.storage["min_c"] for v in vials),
                "max_c": min(v.storage["max_c"] for v in vials),
            }
            problems += unit.put_problems(
                self.site,
                TemperatureRange(min_c=needs["min_c"], max_c=needs["max_c"]),
                [v.code for v in vials],
            )
        if not place.strip():
            problems.append(
                Violation.of(
                    "R-TRC-2",
                    "name the storage place (unit/rack/box/position) so every vial can be found",
                )
            )
        if not self.inspected:
            problems.append(
                Violation.of(
                    "R-SHP-3", "re-inspect the receipt of {code} before storing it", code=self.code
                )
            )
        for vial in vials:
            problems.extend(self._storage_problems(vial, unit_c))
        if not vials:
            problems.append(Violation.of("R-TRC-2", "name the vials to store"))
        if problems:
            raise RuleViolation(problems)
        codes = [v.code for v in vials]
        if unit is not None:
            assert at is not None
            unit.put_in(codes, place, at)
        self._vials_stored(
            self.site, codes, place.strip(), float(unit_c), unit.code if unit else None
        )

    def _storage_problems(self, vial: ProductVial, unit_c: float) -> list[Violation]:
        code = vial.code
        if code not in self.vials:
            return [
                Violation.of(
                    "R-SHP-3",
                    "{code} is not in {shipment}; store it under its own",
                    code=code,
                    shipment=self.code,
                )
            ]
        if self.inspected and code not in self.passed:
            return [
                Violation.of(
                    "R-SHP-3",
                    "{code} did not pass receipt re-inspection at {site}; it may never be "
                    "used on a subject - keep it segregated and dispose of it",
                    code=code,
                    site=self.site,
                )
            ]
        if code in self.returned:
            return self.returned_problems(code)
        if code in self.thawed or code in self.used:
            return [
                Violation.of(
                    "R-CLN-2", "{code} was already thawed; it cannot go back to storage", code=code
                )
            ]
        low, high = vial.storage["min_c"], vial.storage["max_c"]
        if not low <= unit_c <= high:
            return [
                Violation.of(
                    "R-QC-3",
                    "{code} must be kept at {low:g}..{high:g} C; a unit at {unit_c:g} C is "
                    "outside its storage range - choose a unit within it",
                    code=code,
                    low=low,
                    high=high,
                    unit_c=unit_c,
                )
            ]
        return []

    @event("VialsStored")
    def _vials_stored(
        self, site: str, vials: list[str], place: str, unit_c: float, unit: str | None = None
    ) -> None:
        self.places = {**self.places, **{v: place for v in vials}}
        self.dispensed = {v: p for v, p in self.dispensed.items() if v not in vials}
        kept = {v: u for v, u in self.units.items() if v not in vials}
        self.units = {**kept, **{v: unit for v in vials}} if unit else kept

    def dispense(
        self,
        vial: ProductVial,
        patient: str,
        patient_site: str,
        place: str,
        today: date,
        refusals: Sequence[Violation],
    ) -> None:
        """Dispense a stored, released vial for one subject of this site to `place` (ward or
        bedside); `refusals` are the vial's holds and the subject's, found by the application."""
        code = vial.code
        problems = list(refusals)
        if code in self.returned:
            pass  # said by `returned_problems`
        elif code not in self.released:
            problems.append(
                Violation.of(
                    "R-QC-4",
                    "{code} is not released for use by the QP of {site}; do not dispense it",
                    code=code,
                    site=self.site,
                )
            )
        elif code not in self.places and code not in self.dispensed:
            problems.append(
                Violation.of(
                    "R-TRC-2",
                    "{code} has no storage place at {site}; record where it is kept first",
                    code=code,
                    site=self.site,
                )
            )
        if code in self.dispensed:
            problems.append(
                Violation.of(
                    "R-CLN-2",
                    "{code} was already dispensed for {dispensed}",
                    code=code,
                    dispensed=self.dispensed[code],
                )
            )
        if code in self.thawed or code in self.used:
            problems.append(
                Violation.of("R-CLN-2", "{code} was already thawed or administered", code=code)
            )
        problems += self.returned_problems(code)
        if today > vial.expiry:
            problems.append(
                Violation.of("R-CLN-2", "{code} expired on {expiry}", code=code, expiry=vial.expiry)
            )
        if patient_site != self.site:
            problems.append(
                Violation.of(
                    "R-CLN-1",
                    "{patient} is a subject of {patient_site}, not of {site}; dispense "
                    "from that site's stock",
                    patient=patient,
                    patient_site=patient_site,
                    site=self.site,
                )
            )
        if not place.strip():
            problems.append(Violation.of("R-TRC-2", "name where the vial goes (ward or bedside)"))
        if problems:
            raise RuleViolation(problems)
        self._vial_dispensed(self.site, code, patient, place.strip())

    @event("VialDispensed")
    def _vial_dispensed(self, site: str, vial: str, patient: str, place: str) -> None:
        self.dispensed = {**self.dispensed, vial: patient}
        self.places = {v: p for v, p in self.places.items() if v != vial}
        self.units = {v: u for v, u in self.units.items() if v != vial}

    def in_stock(self) -> list[str]:
        """Released vials stored here and not dispensed, thawed or used."""
        return [
            v
            for v in self.released
            if v in self.places
            and v not in self.dispensed
            and v not in self.thawed
            and v not in self.used
        ]
