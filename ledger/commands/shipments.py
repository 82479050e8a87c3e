"""Commands for the cold chain to a site: shipping vials of certified lots in containers,
custody hand-offs, temperature-logger uploads with excursion quarantine and its assessment,
delivery, receipt re-inspection and the site QP's release (R-SHP-1..3, R-QC-4, R-PPL-3)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from ledger.commands.blinding import lot_of, sealed_lineage_refusals
from ledger.commands.deviations import NOTHING_OPENED, open_discrepancy, quality_refusals
from ledger.commands.donors import donor_standings
from ledger.commands.storage import vials_leave_units
from ledger.core import Actor, LedgerCore, Receipt
from ledger.domain.people import Person
from ledger.domain.product_vial import ProductVial
from ledger.domain.shipment import Shipment
from ledger.domain.site import Site
from ledger.domain.temperature_log import Reading, parse_logger_csv
from ledger.errors import InvalidInput, Violation
from ledger.identifiers import ItemType, parse_code
from ledger.messages import Sentence

SHIP = "shipment.ship"
HAND_OFF = "shipment.hand_off"
LOGGER = "shipment.logger"
ASSESS = "shipment.assess_excursion"
DELIVER = "shipment.deliver"
INSPECT = "shipment.inspect_receipt"
RELEASE = "shipment.qp_release"


class ShipmentCommands(LedgerCore):
    def ship_vials(
        self,
        actor: Actor,
        site_code: str,
        containers: Sequence[Sequence[str]],
        courier: str,
        logger_interval_minutes: int,
    ) -> tuple[str, list[str], Receipt]:
        """Ship vials of certified lots to a site, one list of vial codes per container; the
        required range is the one all vials tolerate (R-SHP-1); the logger records every
        `logger_interval_minutes` (R-SHP-4). Returns the shipment code and the container
        codes."""
        actor = self.authorise(actor, SHIP)
        site = self.load(site_code, ItemType.SITE, Site)
        packed = [[self._vial(c) for c in codes] for codes in containers]
        vials = [v for p in packed for v in p]
        lots = {v.code: lot_of(self, v) for v in vials}
        refusals = vial_refusals(self, vials)
        with self.command(actor):
            sequence, (code,) = self.issue_codes(ItemType.SHIPMENT)
            boxes, box_codes = self.issue_codes(ItemType.SHIPPING_CONTAINER, max(len(packed), 1))
            by_box = {str(b): p for b, p in zip(box_codes, packed, strict=False)}
            shipment = Shipment.ship(
                str(code),
                site.code,
                by_box,
                lots,
                refusals,
                courier,
                self.clock(),
                logger_interval_minutes,
            )
            site.expect_shipment(str(code))
            left = vials_leave_units(self, vials, f"shipped in {code}")
        receipt = self.record(sequence, boxes, shipment, site, *vials, *left)
        return str(code), list(by_box), receipt

    def hand_off_shipment(
        self, actor: Actor, shipment_code: str, custodian: str, at: datetime
    ) -> Receipt:
        """The next link of the chain of custody (R-SHP-1)."""
        actor = self.authorise(actor, HAND_OFF)
        aware(at)
        shipment = self.get_shipment(shipment_code)
        self.require_status(HAND_OFF, shipment)
        with self.command(actor):
            shipment.hand_off(custodian, at, self.clock())
        return self.record(shipment)

    def record_logger_readings(
        self, actor: Actor, shipment_code: str, logger: str, readings: Sequence[Reading]
    ) -> tuple[list[Reading], Receipt]:
        """Record a logger's readings; an excursion quarantines exactly this shipment's vials
        until assessed (R-SHP-2). Returns the readings outside the range."""
        actor, shipment = self.on_item(actor, LOGGER, self.get_shipment, shipment_code)
        return self._readings_recorded(actor, shipment, logger, readings)

    def upload_logger_file(
        self, actor: Actor, shipment_code: str, logger: str, csv_text: str
    ) -> tuple[list[Reading], Receipt]:
        """Parse a logger's CSV export (`timestamp,temperature`) and record its readings; who
        records it is checked before the file is read."""
        actor, shipment = self.on_item(actor, LOGGER, self.get_shipment, shipment_code)
        return self._readings_recorded(actor, shipment, logger, parse_logger_csv(csv_text))

    def _readings_recorded(
        self, actor: Actor, shipment: Shipment, logger: str, readings: Sequence[Reading]
    ) -> tuple[list[Reading], Receipt]:
        vials = [self._vial(v) for v in shipment.vials]
        with self.command(actor):
            outside = shipment.record_readings(logger, readings, vials)
        return outside, self.record(shipment, *vials)

    def assess_excursion(
        self, actor: Actor, shipment_code: str, acceptable: bool, reason: str, report_ref: str
    ) -> Receipt:
        """QA's assessment: acceptable lifts the quarantine, otherwise it stays (R-SHP-2)."""
        actor, shipment = self.on_item(actor, ASSESS, self.get_shipment, shipment_code)
        vials = [self._vial(v) for v in shipment.vials]
        with self.command(actor):
            shipment.assess_excursion(acceptable, reason, report_ref, vials)
        return self.record(shipment, *vials)

    def deliver_shipment(self, actor: Actor, shipment_code: str, at: datetime) -> Receipt:
        actor = self.authorise(actor, DELIVER)
        aware(at)
        shipment = self.get_shipment(shipment_code)
        self.require_status(DELIVER, shipment)
        with self.command(actor):
            shipment.deliver(at, self.clock())
        return self.record(shipment)

    def inspect_receipt(
        self,
        actor: Actor,
        shipment_code: str,
        passed: Sequence[str],
        failed: Mapping[str, str] | None = None,
    ) -> Receipt:
        """The site's re-inspection per vial; vials not named are missing; failed and missing
        vials may never be used (R-SHP-3). Missing vials open a deviation (R-QMS-6)."""
        actor, shipment = self.on_item(actor, INSPECT, self.get_shipment, shipment_code)
        vials = [self._vial(v) for v in shipment.vials]
        opened = NOTHING_OPENED
        with self.command(actor):
            shipment.inspect_receipt(passed, dict(failed or {}), vials)
            if shipment.missing:
                why = f"missing at receipt of {shipment.code} at {shipment.site}"
                missing = list(shipment.missing)
                opened = open_discrepancy(
                    self,
                    [shipment.code, *missing],
                    f"{len(missing)} vials {why}: {', '.join(missing)}",
                )
                shipment.note_discrepancy(opened.code, missing, why)
        return self.record(shipment, *vials, *opened.saved)

    def release_for_use(self, actor: Actor, shipment_code: str) -> tuple[list[str], Receipt]:
        """The site QP's signed release of the vials that passed re-inspection (R-QC-4,
        R-PPL-3, R-LED-5: the API re-authenticates the signer), once the temperature record
        covers the transit (R-SHP-4). Returns the vials."""
        actor, shipment = self.on_item(actor, RELEASE, self.get_shipment, shipment_code)
        qp = self.load(actor.person_id, ItemType.PERSON, Person)
        vials = [self._vial(v) for v in shipment.passed]
        with self.command(actor):
            refusals = vial_refusals(self, vials) + quality_refusals(self, shipment.passed)
            refusals += shipment.record_problems()
            released = shipment.release_for_use(qp.qp_sites, qp.code, refusals)
        return released, self.record(shipment)

    def get_shipment(self, shipment_code: str) -> Shipment:
        return self.load(shipment_code, ItemType.SHIPMENT, Shipment)

    def _vial(self, code: str) -> ProductVial:
        return self.load(code, ItemType.PRODUCT_VIAL, ProductVial)


def shipment_of(core: LedgerCore, vial: ProductVial) -> Shipment | None:
    """The shipment the vial last travelled in, if it was shipped."""
    shipped = [c for c in vial.children if parse_code(c).item_type == ItemType.SHIPMENT]
    return core.load(shipped[-1], ItemType.SHIPMENT, Shipment) if shipped else None


def vial_refusals(core: LedgerCore, vials: Sequence[ProductVial]) -> list[Violation]:
    """Why any of `vials` may take no further step: holds, disposal, donor look-back (for a
    kit also its sealed lot's, said without naming it)."""
    donors = donor_standings(core, {d for v in vials for d in v.donor_codes})
    own = [p for v in vials for p in v.step_refusals(donors)]
    return own + [p for v in vials for p in sealed_lineage_refusals(core, v)]


def aware(at: datetime) -> None:
    if at.utcoffset() is None:
        raise InvalidInput(
            Sentence("R-SHP-1: give the time with its UTC offset, e.g. 2026-03-02T09:30+08:00")
        )
