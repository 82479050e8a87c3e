"""Cold-chain shipments to a clinical site (R-SHP-1..3, R-QC-4, R-PPL-3, §7.3.2): containers
of vials of certified lots, the required temperature range, the chain of custody, logger
readings whose excursions quarantine every vial shipped until assessed, delivery, the site's
receipt re-inspection per vial and its Qualified Person's release of the vials that passed.

The shipment is also the site's record of its vials: released, stored, dispensed, thawed at
the bedside, used.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import TypedDict

from eventsourcing.domain import event

from ledger.domain.product_lot import ProductLot
from ledger.domain.product_vial import ProductVial, TemperatureRange
from ledger.domain.site_pharmacy import SitePharmacy
from ledger.domain.temperature_log import (
    Gap,
    Reading,
    excursions,
    gaps,
    minutes_of,
    new_gaps,
    stamp,
)
from ledger.errors import RuleViolation, Violation
from ledger.identifiers import SHIPPED_IN
from ledger.messages import Sentence


class HandOff(TypedDict):
    custodian: str  # a person code or the courier and waybill
    at: datetime


def required_range(vials: Sequence[ProductVial]) -> TemperatureRange | None:
    """The transport range every vial tolerates (R-QC-3), or None if they share none."""
    low = max(v.transport["min_c"] for v in vials)
    high = min(v.transport["max_c"] for v in vials)
    return TemperatureRange(min_c=low, max_c=high) if low <= high else None


def _fail(problems: list[Violation]) -> None:
    if problems:
        raise RuleViolation(problems)


class Shipment(SitePharmacy):
    """One shipment from the manufacturer to a site."""

    @classmethod
    def ship(
        cls,
        code: str,
        site: str,
        containers: Mapping[str, Sequence[ProductVial]],
        lots: Mapping[str, ProductLot],
        refusals: Sequence[Violation],
        courier: str,
        at: datetime,
        logger_interval_minutes: int,
    ) -> Shipment:
        """Pack vials into containers (R-SHP-1); `lots` is each vial's lot (a kit's sealed
        one), `refusals` the vials' holds, disposal and donor look-back, found by the
        application. Only vials of certified lots go. The shipment names the vials' lots as
        printed on them (a blinded study's kits: the study, R-ACC-5), and the interval its
        temperature logger records at (R-SHP-4)."""
        vials = [v for packed in containers.values() for v in packed]
        problems = list(refusals)
        if not 1 <= logger_interval_minutes <= 24 * 60:
            problems.append(
                Violation.of(
                    "R-SHP-4",
                    "declare the interval the shipment's temperature logger records at, in "
                    "minutes (1 to 1440)",
                )
            )
        if not vials or any(not packed for packed in containers.values()):
            problems.append(Violation.of("R-SHP-1", "pack at least one vial in each container"))
        codes = [v.code for v in vials]
        if len(set(codes)) != len(codes):
            problems.append(Violation.of("R-SHP-1", "a vial can travel in one container only"))
        for vial in vials:
            lot = lots[vial.code]
            if not lot.certified or lot.quarantined:
                problems.append(
                    Violation.of(
                        "R-SHP-1",
                        "{vial} is of {lot} which is not certified by QA; only vials of "
                        "certified lots may be shipped",
                        vial=vial.code,
                        lot=lot.code,
                    )
                )
            if any(c.startswith("SHP-") for c in vial.children):
                problems.append(
                    Violation.of("R-SHP-1", "{vial} was already shipped", vial=vial.code)
                )
            if vial.retained is not None:
                problems.append(
                    Violation.of(
                        "R-QMS-6",
                        "{vial} is a retained sample of {lot}, kept at {place}; retained "
                        "samples stay at the manufacturer",
                        vial=vial.code,
                        lot=vial.lot,
                        place=vial.retained,
                    )
                )
        required = required_range(vials) if vials else None
        if vials and required is None:
            problems.append(
                Violation.of("R-SHP-1", "these vials share no transport range; ship them apart")
            )
        if not courier.strip():
            problems.append(Violation.of("R-SHP-1", "name the courier taking the shipment"))
        _fail(problems)
        assert required is not None
        for vial in vials:
            vial.record_derived([code], SHIPPED_IN)
        packed = {c: [v.code for v in vs] for c, vs in containers.items()}
        printed = sorted({v.lot for v in vials})
        return cls(
            code,
            site,
            packed,
            printed,
            required,
            HandOff(custodian=courier, at=at),
            logger_interval_minutes,
        )

    @event("Shipped")
    def __init__(
        self,
        code: str,
        site: str,
        containers: dict[str, list[str]],
        lots: list[str],
        required: TemperatureRange,
        first: HandOff,
        logger_interval_minutes: int | None = None,  # None: shipped before it was declared
    ) -> None:
        self.code, self.site, self.containers = code, site, containers
        self.lots, self.required = lots, required
        self.custody: list[HandOff] = [first]
        self.logger_interval_minutes = logger_interval_minutes
        self.readings = 0
        self.reading_times: tuple[datetime, ...] = ()
        self.excursion_rule = "R-SHP-2"
        self.excursion: str | None = None  # unassessed excursion
        self.delivered_at: datetime | None = None
        self.passed: list[str] = []
        self.failed: dict[str, str] = {}
        self.missing: list[str] = []
        self.inspected = False
        self.released: list[str] = []
        self.thawed: dict[str, datetime] = {}
        self.used: dict[str, str] = {}
        self.places: dict[str, str] = {}  # vial -> storage place at the site
        self.units: dict[str, str] = {}  # vial -> the storage unit it is in (R-SHP-5)
        self.dispensed: dict[str, str] = {}  # vial -> the subject it was dispensed for
        self.returned: dict[str, str] = {}  # vial -> the return shipment it went back in

    @property
    def vials(self) -> list[str]:
        return [v for packed in self.containers.values() for v in packed]

    # --- transport (R-SHP-1, R-SHP-2) ---------------------------------------------------------

    def hand_off(self, custodian: str, at: datetime, now: datetime) -> None:
        """The next custodian takes the shipment (chain of custody)."""
        problems = []
        if not custodian.strip():
            problems.append(Violation.of("R-SHP-1", "name the person or courier taking custody"))
        if not self.custody[-1]["at"] <= at <= now:
            problems.append(
                Violation.of(
                    "R-SHP-1",
                    "the hand-off time {at} must be after the previous hand-off and not in "
                    "the future",
                    at=at.isoformat(),
                )
            )
        if self.delivered_at is not None:
            problems.append(Violation.of("R-SHP-1", "{code} was already delivered", code=self.code))
        _fail(problems)
        self._handed_off(HandOff(custodian=custodian.strip(), at=at))

    @event("HandedOff")
    def _handed_off(self, hand_off: HandOff) -> None:
        self.custody = [*self.custody, hand_off]

    def record_readings(
        self, logger: str, readings: Sequence[Reading], vials: Sequence[ProductVial]
    ) -> list[Reading]:
        """Record a logger's readings; any outside the required range is an excursion that
        puts every vial of the shipment on hold until assessed (R-SHP-2). Returns them."""
        if not logger.strip():
            raise RuleViolation([Violation.of("R-SHP-1", "give the logger's serial number")])
        if sorted(v.code for v in vials) != sorted(self.vials):
            raise ValueError(f"the application must pass every vial of {self.code}")
        outside = excursions(readings, self.required)
        found = self._new_gaps(readings)
        self._readings_recorded(logger.strip(), list(readings), outside, found)
        if self.excursion is not None:
            return outside
        if outside:
            rule, reason = (
                "R-SHP-2",
                Sentence(
                    "temperature excursion in {code}: {temp_c:g} C at {at} outside "
                    "{min_c:g}..{max_c:g} C ({count} readings, logger {logger}); await the "
                    "assessment",
                    code=self.code,
                    temp_c=outside[0]["temp_c"],
                    at=stamp(outside[0]["at"]),
                    min_c=self.required["min_c"],
                    max_c=self.required["max_c"],
                    count=len(outside),
                    logger=logger.strip(),
                ),
            )
        elif found:
            assert self.logger_interval_minutes is not None
            rule, reason = (
                "R-SHP-4",
                Sentence(
                    "temperature record of {code} incomplete: no reading from {start} to {end} "
                    "({minutes} min; the logger records every {interval} min); a gap longer "
                    "than twice the interval counts as an excursion - await the assessment",
                    code=self.code,
                    start=stamp(found[0]["start"]),
                    end=stamp(found[0]["end"]),
                    minutes=minutes_of(found[0]),
                    interval=self.logger_interval_minutes,
                ),
            )
        else:
            return outside
        self._excursion_found(str(reason), rule)
        for vial in vials:
            vial.put_on_hold(rule, reason, self.code)
        return outside

    def _new_gaps(self, readings: Sequence[Reading]) -> list[Gap]:
        """The gaps (R-SHP-4) `readings` reveal that the record did not show before."""
        interval = self.logger_interval_minutes
        if interval is None:
            return []
        start = self.custody[0]["at"]
        before = gaps(self.reading_times, start, interval)
        after = gaps([*self.reading_times, *(r["at"] for r in readings)], start, interval)
        return new_gaps(before, after)

    @event("ReadingsRecorded")
    def _readings_recorded(
        self,
        logger: str,
        readings: list[Reading],
        excursions: list[Reading],
        gaps: list[Gap] | None = None,
    ) -> None:
        self.readings += len(readings)
        self.reading_times = tuple(sorted((*self.reading_times, *(r["at"] for r in readings))))

    @event("ExcursionFound")
    def _excursion_found(self, reason: str, rule: str = "R-SHP-2") -> None:
        self.excursion = reason
        self.excursion_rule = rule

    def record_problems(self) -> list[Violation]:
        """Why the temperature record does not yet cover the transit, dispatch to receipt
        (R-SHP-4): the QP releases nothing until it does."""
        dispatched, received = self.custody[0]["at"], self.delivered_at
        if received is None:
            return []
        dispatched_at = dispatched.isoformat(timespec="minutes")
        received_at = received.isoformat(timespec="minutes")
        if not self.reading_times:
            return [
                Violation.of(
                    "R-SHP-4",
                    "{code} has no temperature record; upload the logger's readings from "
                    "dispatch ({dispatched}) to receipt ({received})",
                    code=self.code,
                    dispatched=dispatched_at,
                    received=received_at,
                )
            ]
        interval = self.logger_interval_minutes
        last = self.reading_times[-1]
        if interval is None or received - last <= timedelta(minutes=2 * interval):
            return []
        return [
            Violation.of(
                "R-SHP-4",
                "the temperature record of {code} ends at {last}, before receipt at "
                "{received}; upload the logger's readings up to receipt - a shipment without "
                "a complete record is not released",
                code=self.code,
                last=last.isoformat(timespec="minutes"),
                received=received_at,
            )
        ]

    def assess_excursion(
        self, acceptable: bool, reason: str, report_ref: str, vials: Sequence[ProductVial]
    ) -> None:
        """QA's assessment of the excursion: acceptable lifts the holds, otherwise the vials
        stay quarantined for good (R-SHP-2)."""
        problems = []
        if self.excursion is None:
            problems.append(
                Violation.of("R-SHP-2", "{code} has no excursion to assess", code=self.code)
            )
        if not reason.strip() or not report_ref.strip():
            problems.append(
                Violation.of("R-SHP-2", "give the assessment's conclusion and its report reference")
            )
        _fail(problems)
        self._excursion_assessed(acceptable, reason.strip(), report_ref.strip())
        if acceptable:
            for vial in vials:
                vial.lift_hold(
                    self.excursion_rule,
                    self.code,
                    Sentence("excursion assessed ({report_ref})", report_ref=report_ref.strip()),
                )

    @event("ExcursionAssessed")
    def _excursion_assessed(self, acceptable: bool, reason: str, report_ref: str) -> None:
        self.excursion = None

    def deliver(self, at: datetime, now: datetime) -> None:
        problems = []
        if self.delivered_at is not None:
            problems.append(Violation.of("R-SHP-1", "{code} was already delivered", code=self.code))
        if not self.custody[-1]["at"] <= at <= now:
            problems.append(
                Violation.of(
                    "R-SHP-1",
                    "the delivery time must be after the last hand-off and not in the future",
                )
            )
        _fail(problems)
        self._delivered(at)

    @event("Delivered")
    def _delivered(self, at: datetime) -> None:
        self.delivered_at = at
