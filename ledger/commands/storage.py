"""Commands for monitored storage units (R-SHP-5, R-SHP-4, §7.3.2): registering a site
pharmacy's or the manufacturer's freezer, refrigerator or LN2 tank, uploading its logger's
readings (an excursion holds every item that was in the unit during it), QA's assessment, and
the temperature records of units and shipments as their pages picture them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from ledger.core import Actor, LedgerCore, Receipt
from ledger.domain.lineage import DerivedItem
from ledger.domain.product_vial import ProductVial, TemperatureRange
from ledger.domain.shipment import Shipment
from ledger.domain.site import Site
from ledger.domain.storage_unit import RULE, StorageUnit
from ledger.domain.temperature_log import (
    Gap,
    Reading,
    TemperatureRecord,
    gaps,
    outside_windows,
    parse_logger_csv,
)
from ledger.errors import RuleViolation, Violation
from ledger.identifiers import ItemType, item_id, parse_code
from ledger.messages import Sentence

REGISTER = "storage.register"
PUT = "storage.put"
LOGGER = "storage.logger"
ASSESS = "storage.assess_excursion"
#: The items a storage unit holds.
STORED = (ItemType.PRODUCT_VIAL, ItemType.BANK_VIAL)


class StorageCommands(LedgerCore):
    def register_storage_unit(
        self,
        actor: Actor,
        name: str,
        site_code: str | None,
        kind: str,
        band: TemperatureRange,
        logger_interval_minutes: int,
    ) -> tuple[str, Receipt]:
        """Register a monitored storage unit at a site (or, with no site, at the manufacturer);
        from then on that site stores its stock only in its registered units (R-SHP-5).
        Returns the unit's code."""
        actor = self.authorise(actor, REGISTER)
        site = self.load(site_code, ItemType.SITE, Site) if site_code else None
        with self.command(actor):
            sequence, (code,) = self.issue_codes(ItemType.STORAGE_UNIT)
            unit = StorageUnit.register(
                str(code), name, site.code if site else None, kind, band, logger_interval_minutes
            )
            if site is not None:
                site.add_unit(unit.code)
        return unit.code, self.record(sequence, unit, site)

    def put_in_unit(
        self, actor: Actor, unit_code: str, vials: Sequence[str], place: str
    ) -> Receipt:
        """Put product vials of the manufacturer (filled, retained or returned, not shipped)
        into one of its storage units at `place`; vials in another unit move (R-SHP-5). A
        site's stock is stored with its shipment's storage step instead."""
        actor, unit = self.on_item(actor, PUT, self.get_storage_unit, unit_code)
        stored = [self.load(c, ItemType.PRODUCT_VIAL, ProductVial) for c in vials]
        problems = [p for v in stored for p in v.storage_problems()]
        if not stored or len({v.code for v in stored}) != len(stored):
            problems.append(Violation.of(RULE, "name the vials put into the unit, each once"))
        if not place.strip():
            problems.append(Violation.of(RULE, "name the place in the unit (rack/box/position)"))
        if stored:
            needs = TemperatureRange(
                min_c=max(v.storage["min_c"] for v in stored),
                max_c=min(v.storage["max_c"] for v in stored),
            )
            problems += unit.put_problems(None, needs, [v.code for v in stored])
        if problems:
            raise RuleViolation(problems)
        with self.command(actor):
            moved = {v.code: v.unit for v in stored if v.unit is not None}
            left = leave_units(self, moved, f"moved to {unit.code}", keep=unit.code)
            unit.put_in([v.code for v in stored], place, self.clock())
            for vial in stored:
                vial.store_in(unit.code, place)
        return self.record(unit, *left, *stored)

    def upload_unit_logger(
        self, actor: Actor, unit_code: str, logger: str, csv_text: str
    ) -> tuple[list[str], Receipt]:
        """Parse a unit logger's CSV export and record it; who records it is checked before the
        file is read. Returns the items an excursion put on hold (R-SHP-5)."""
        actor, unit = self.on_item(actor, LOGGER, self.get_storage_unit, unit_code)
        return self._unit_readings(actor, unit, logger, parse_logger_csv(csv_text))

    def _unit_readings(
        self, actor: Actor, unit: StorageUnit, logger: str, readings: Sequence[Reading]
    ) -> tuple[list[str], Receipt]:
        with self.command(actor):
            found, reason = unit.record_readings(logger, readings)
            held = [i for i in map(self._stored_item, found) if not _held_by(i, unit.code)]
            for item in held:
                assert reason is not None
                item.put_on_hold(RULE, reason, unit.code)
        return [i.code for i in held], self.record(unit, *held)

    def assess_unit_excursion(
        self, actor: Actor, unit_code: str, acceptable: bool, reason: str, report_ref: str
    ) -> Receipt:
        """QA's assessment of a unit's excursion: acceptable lifts the holds it put, otherwise
        the items stay quarantined (R-SHP-5)."""
        actor, unit = self.on_item(actor, ASSESS, self.get_storage_unit, unit_code)
        with self.command(actor):
            items = [
                self._stored_item(c) for c in unit.assess_excursion(acceptable, reason, report_ref)
            ]
            lifted = [i for i in items if acceptable and _held_by(i, unit.code)]
            for item in lifted:
                item.lift_hold(
                    RULE,
                    unit.code,
                    Sentence("excursion assessed ({report_ref})", report_ref=report_ref.strip()),
                )
        return self.record(unit, *lifted)

    def get_storage_unit(self, code: str) -> StorageUnit:
        return storage_unit(self, code)

    def _stored_item(self, code: str) -> DerivedItem:
        return self.load(code, STORED, DerivedItem)

    # --- temperature records as pictured (R-SHP-4, R-SHP-5) ---------------------------------

    def temperature_record(self, code: str) -> TemperatureRecord:
        """A shipment's or storage unit's logger record: every reading uploaded, its gaps and
        the stretches outside the allowed range."""
        kind = parse_code(code, (ItemType.SHIPMENT, ItemType.STORAGE_UNIT)).item_type
        if kind is ItemType.SHIPMENT:
            shipment = self.load(code, ItemType.SHIPMENT, Shipment)
            readings = self._readings_of(shipment.code)
            start, end = shipment.custody[0]["at"], shipment.delivered_at
            interval = shipment.logger_interval_minutes
            found = _record_gaps(readings, start, end, interval)
            return TemperatureRecord(
                code=shipment.code,
                band=shipment.required,
                interval_minutes=interval,
                readings=tuple(readings),
                gaps=tuple(found),
                excursions=tuple(outside_windows(readings, shipment.required, "R-SHP-2")),
                start=start,
                end=end,
            )
        unit = self.get_storage_unit(code)
        readings = self._readings_of(unit.code)
        interval = unit.logger_interval_minutes
        first = min((r["at"] for r in readings), default=None)
        return TemperatureRecord(
            code=unit.code,
            band=unit.band,
            interval_minutes=interval,
            readings=tuple(readings),
            gaps=tuple(_record_gaps(readings, first, None, interval)),
            excursions=tuple(outside_windows(readings, unit.band, RULE)),
        )

    def _readings_of(self, code: str) -> list[Reading]:
        events = self.repository.event_store.get(item_id(parse_code(code)))
        found: list[Reading] = [
            reading
            for e in events
            if type(e).__name__ == "ReadingsRecorded"
            for reading in e.readings  # type: ignore[attr-defined]
        ]
        return sorted(found, key=lambda r: r["at"])


def _held_by(item: DerivedItem, unit: str) -> bool:
    return any(h["rule"] == RULE and h["source"] == unit for h in item.holds)


def _record_gaps(
    readings: Sequence[Reading],
    start: datetime | None,
    end: datetime | None,
    interval: int | None,
) -> list[Gap]:
    """The gaps of a record from `start`, and at its end before `end` (a shipment's receipt)."""
    if interval is None or start is None:
        return []
    times = [r["at"] for r in readings]
    found = gaps(times, start, interval)
    last = max(times, default=start)
    if end is not None and end - last > timedelta(minutes=2 * interval):
        found.append(Gap(start=last, end=end))
    return found


def storage_unit(core: LedgerCore, code: str) -> StorageUnit:
    return core.load(code, ItemType.STORAGE_UNIT, StorageUnit)


def vials_leave_units(
    core: LedgerCore, vials: Sequence[ProductVial], why: str
) -> list[StorageUnit]:
    """Product vials leave the manufacturer's units they are in (shipped, destroyed); returns
    the units to save with the step (call it inside the step's command)."""
    placed = {v.code: v.unit for v in vials if v.unit is not None}
    for vial in vials:
        vial.leave_unit(why)
    return leave_units(core, placed, why)


def leave_units(
    core: LedgerCore, placed: Mapping[str, str], why: str, keep: str | None = None
) -> list[StorageUnit]:
    """Take items out of the units they are in (`placed`: item -> unit code), except the
    unit `keep`; returns the units to save with the step (call it inside the step's command)."""
    by_unit: dict[str, list[str]] = {}
    for item, code in placed.items():
        if code != keep:
            by_unit.setdefault(code, []).append(item)
    units = [storage_unit(core, code) for code in by_unit]
    for unit in units:
        unit.take_out(by_unit[unit.code], core.clock(), why)
    return units
