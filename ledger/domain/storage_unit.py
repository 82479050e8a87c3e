"""Storage units (R-SHP-5, R-CB-4, §5.4.1, §7.3.2): the freezers, refrigerators and liquid
nitrogen tanks of a site pharmacy or of the manufacturer, each with its allowed temperature
range and a logger recording at a declared interval. The unit knows which items were in it and
when, so an excursion (readings outside the range, or a gap in the record longer than twice the
interval) holds every item that was in the unit during it until QA has assessed it.

While an excursion waits for its assessment the unit takes no new items, and further
excursions extend it: one assessment covers them all.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TypedDict

from eventsourcing.domain import event

from ledger.domain.codes import CodedItem
from ledger.domain.product_vial import TemperatureRange
from ledger.domain.temperature_log import (
    Gap,
    Reading,
    Window,
    excursions,
    gaps,
    minutes_of,
    outside_windows,
    stamp,
)
from ledger.errors import RuleViolation, Violation
from ledger.messages import Sentence

RULE = "R-SHP-5"
#: The coldest a liquid nitrogen tank's vapour phase may be allowed to warm to (R-CB-4): above
#: the glass transition of water (about -135 C) cells start to change.
VAPOUR_PHASE_MAX_C = -135.0


class Stay(TypedDict):
    """An item's time in the unit; `until` is None while it is still there."""

    item: str
    place: str
    since: datetime
    until: datetime | None


class UnitExcursion(TypedDict):
    """The unassessed excursion of a unit: when, why and what it holds."""

    number: int
    rule: str
    reason: str
    start: datetime
    end: datetime
    items: list[str]


def _fail(problems: list[Violation]) -> None:
    if problems:
        raise RuleViolation(problems)


class StorageUnit(CodedItem):
    """A monitored freezer, refrigerator or LN2 tank at a site (`site`) or at the manufacturer
    (`site` None)."""

    @classmethod
    def register(
        cls,
        code: str,
        name: str,
        site: str | None,
        kind: str,
        band: TemperatureRange,
        logger_interval_minutes: int,
    ) -> StorageUnit:
        problems = []
        if not name.strip() or not kind.strip():
            problems.append(
                Violation.of(
                    RULE,
                    "name the storage unit as it is labelled (e.g. 'Pharmacy freezer F2') and "
                    "its kind (e.g. '-80 C freezer', 'LN2 tank')",
                )
            )
        if not band["min_c"] < band["max_c"]:
            problems.append(
                Violation.of(
                    RULE,
                    "the unit's allowed range {min_c:g}..{max_c:g} C is empty; give the lowest "
                    "and the highest temperature it may reach",
                    min_c=band["min_c"],
                    max_c=band["max_c"],
                )
            )
        if not 1 <= logger_interval_minutes <= 24 * 60:
            problems.append(
                Violation.of(
                    RULE,
                    "declare the interval the unit's temperature logger records at, in minutes "
                    "(1 to 1440)",
                )
            )
        _fail(problems)
        return cls(code, name.strip(), site, kind.strip(), band, logger_interval_minutes)

    @event("Registered")
    def __init__(
        self,
        code: str,
        name: str,
        site: str | None,
        kind: str,
        band: TemperatureRange,
        logger_interval_minutes: int,
    ) -> None:
        self.code, self.name, self.site, self.kind = code, name, site, kind
        self.band = band
        self.logger_interval_minutes = logger_interval_minutes
        self.stays: tuple[Stay, ...] = ()
        self.readings = 0
        self.last_reading: datetime | None = None
        self.excursion: UnitExcursion | None = None
        self.excursions = 0

    @property
    def where(self) -> str:
        return self.site or "the manufacturer"

    @property
    def contents(self) -> dict[str, str]:
        """The items in the unit now, with their place in it."""
        return {s["item"]: s["place"] for s in self.stays if s["until"] is None}

    # --- what is in the unit ------------------------------------------------------------------

    def put_problems(
        self, site: str | None, needs: TemperatureRange, items: Sequence[str]
    ) -> list[Violation]:
        """Why `items` (needing `needs`) may not go into this unit from `site`: another site's
        unit, a range the items do not tolerate, or an unassessed excursion."""
        problems = []
        if site != self.site:
            problems.append(
                Violation.of(
                    RULE,
                    "{unit} ({name}) is at {where}, not at {site}; store the items in a unit "
                    "where they are",
                    unit=self.code,
                    name=self.name,
                    where=self.where,
                    site=site or "the manufacturer",
                )
            )
        if not needs["min_c"] <= self.band["min_c"] <= self.band["max_c"] <= needs["max_c"]:
            problems.append(
                Violation.of(
                    RULE,
                    "{unit} ({name}) is allowed {unit_min:g}..{unit_max:g} C but {items:list} "
                    "must be kept at {min_c:g}..{max_c:g} C; choose a unit whose whole range "
                    "lies within it",
                    unit=self.code,
                    name=self.name,
                    unit_min=self.band["min_c"],
                    unit_max=self.band["max_c"],
                    items=list(items),
                    min_c=needs["min_c"],
                    max_c=needs["max_c"],
                )
            )
        if self.excursion is not None:
            problems.append(
                Violation.of(
                    RULE,
                    "{unit} ({name}) has a temperature excursion awaiting QA's assessment; "
                    "store the items in another unit",
                    unit=self.code,
                    name=self.name,
                )
            )
        return problems

    def put_in(self, items: Sequence[str], place: str, at: datetime) -> None:
        """The items went into the unit at `place` (checked by `put_problems`)."""
        self._put_in(list(items), place.strip(), at)

    @event("ItemsPut")
    def _put_in(self, items: list[str], place: str, at: datetime) -> None:
        self.stays = (
            *self._closed(items, at),
            *(Stay(item=i, place=place, since=at, until=None) for i in items),
        )

    def take_out(self, items: Sequence[str], at: datetime, why: str) -> None:
        """The items left the unit (dispensed, thawed, returned, moved elsewhere)."""
        inside = [i for i in items if i in self.contents]
        if inside:
            self._taken_out(inside, at, why)

    @event("ItemsTaken")
    def _taken_out(self, items: list[str], at: datetime, why: str) -> None:
        self.stays = self._closed(items, at)

    def _closed(self, items: Sequence[str], at: datetime) -> tuple[Stay, ...]:
        return tuple(
            Stay(**{**s, "until": at}) if s["until"] is None and s["item"] in items else s
            for s in self.stays
        )

    def items_during(self, start: datetime, end: datetime) -> list[str]:
        """Every item that was in the unit at some time from `start` to `end`."""
        found = [
            s["item"]
            for s in self.stays
            if s["since"] <= end and (s["until"] is None or s["until"] >= start)
        ]
        return list(dict.fromkeys(found))

    # --- temperature record (R-SHP-5) ---------------------------------------------------------

    def record_readings(
        self, logger: str, readings: Sequence[Reading]
    ) -> tuple[list[str], Sentence | None]:
        """Record a logger's readings. Readings outside the range, or a stretch without a
        reading longer than twice the interval after the last reading recorded, is an
        excursion: returns the items that were in the unit during it, which the application
        puts on hold (until assessed), and why. Readings older than the last one recorded (a
        back-fill) are checked against the range only."""
        if not logger.strip():
            raise RuleViolation([Violation.of(RULE, "give the logger's serial number")])
        interval = self.logger_interval_minutes
        windows = outside_windows(readings, self.band, RULE)
        after = [
            r["at"] for r in readings if self.last_reading is None or r["at"] > self.last_reading
        ]
        found: list[Gap] = []
        if after:
            found = gaps(after, self.last_reading or min(after), interval)
        windows += [Window(start=g["start"], end=g["end"], rule="R-SHP-4") for g in found]
        outside = excursions(readings, self.band)
        latest = max((r["at"] for r in readings), default=self.last_reading)
        self._readings_recorded(logger.strip(), list(readings), outside, found, latest)
        if not windows:
            return [], None
        start = min(w["start"] for w in windows)
        end = max(w["end"] for w in windows)
        if outside:
            said = Sentence(
                "temperature excursion in storage unit {unit} ({name}): {temp_c:g} C at {at} "
                "outside {min_c:g}..{max_c:g} C ({count} readings, logger {logger}); await QA's "
                "assessment",
                unit=self.code,
                name=self.name,
                temp_c=outside[0]["temp_c"],
                at=stamp(outside[0]["at"]),
                min_c=self.band["min_c"],
                max_c=self.band["max_c"],
                count=len(outside),
                logger=logger.strip(),
            )
        else:
            said = Sentence(
                "temperature record of storage unit {unit} ({name}) incomplete: no reading from "
                "{start} to {end} ({minutes} min; the logger records every {interval} min); a "
                "gap longer than twice the interval counts as an excursion - await QA's "
                "assessment",
                unit=self.code,
                name=self.name,
                start=stamp(found[0]["start"]),
                end=stamp(found[0]["end"]),
                minutes=minutes_of(found[0]),
                interval=interval,
            )
        items = self.items_during(start, end)
        self._excursion_found(RULE if outside else "R-SHP-4", str(said), start, end, items)
        return items, said

    @event("ReadingsRecorded")
    def _readings_recorded(
        self,
        logger: str,
        readings: list[Reading],
        excursions: list[Reading],
        gaps: list[Gap],
        latest: datetime | None,
    ) -> None:
        self.readings += len(readings)
        self.last_reading = latest

    @event("ExcursionFound")
    def _excursion_found(
        self, rule: str, reason: str, start: datetime, end: datetime, items: list[str]
    ) -> None:
        if self.excursion is None:
            self.excursions += 1
            self.excursion = UnitExcursion(
                number=self.excursions, rule=rule, reason=reason, start=start, end=end, items=items
            )
            return
        known = self.excursion
        self.excursion = UnitExcursion(
            number=known["number"],
            rule=known["rule"],
            reason=known["reason"],
            start=min(known["start"], start),
            end=max(known["end"], end),
            items=list(dict.fromkeys([*known["items"], *items])),
        )

    def assess_excursion(self, acceptable: bool, reason: str, report_ref: str) -> list[str]:
        """QA's assessment of the unassessed excursion: acceptable lifts the holds on the items
        it held (returned), otherwise they stay quarantined for good (R-SHP-5)."""
        problems = []
        if self.excursion is None:
            problems.append(
                Violation.of(RULE, "{unit} has no temperature excursion to assess", unit=self.code)
            )
        if not reason.strip() or not report_ref.strip():
            problems.append(
                Violation.of(RULE, "give the assessment's conclusion and its report reference")
            )
        _fail(problems)
        assert self.excursion is not None
        items = list(self.excursion["items"])
        self._excursion_assessed(acceptable, reason.strip(), report_ref.strip())
        return items

    @event("ExcursionAssessed")
    def _excursion_assessed(self, acceptable: bool, reason: str, report_ref: str) -> None:
        self.excursion = None

    def record_problems(self, now: datetime) -> list[Violation]:
        """Whether the record is current: no reading for longer than twice the interval up to
        `now` is a gap not yet uploaded (shown on the unit, not a hold by itself)."""
        limit = timedelta(minutes=2 * self.logger_interval_minutes)
        if self.last_reading is not None and now - self.last_reading <= limit:
            return []
        if self.last_reading is None:
            return [
                Violation.of(
                    RULE,
                    "{unit} ({name}) has no temperature record yet; upload the logger's readings",
                    unit=self.code,
                    name=self.name,
                )
            ]
        return [
            Violation.of(
                RULE,
                "the temperature record of {unit} ({name}) ends at {last}; upload the "
                "logger's readings since",
                unit=self.code,
                name=self.name,
                last=self.last_reading.isoformat(timespec="minutes"),
            )
        ]
