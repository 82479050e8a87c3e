"""Clinical sites (R-CLN-1, §4.2): the institutions where subjects are enrolled and dosed. A site
is known by its code and the institution's name; which studies it runs is recorded on each
study (site activation), and who may release for it on each Qualified Person (R-PPL-3); the
site lists the shipments sent to it, whose vials make up its pharmacy stock.
"""

from __future__ import annotations

from eventsourcing.domain import event

from ledger.domain.codes import CodedItem
from ledger.errors import RuleViolation, Violation


class Site(CodedItem):
    """A clinical research institution."""

    @classmethod
    def register(cls, code: str, name: str) -> Site:
        if not name.strip():
            raise RuleViolation(
                [Violation.of("R-CLN-1", "give the name of the clinical institution of the site")]
            )
        return cls(code, name.strip())

    @event("Registered")
    def __init__(self, code: str, name: str) -> None:
        self.code = code
        self.name = name
        self.shipments: tuple[str, ...] = ()
        self.units: tuple[str, ...] = ()

    def expect_shipment(self, shipment: str) -> None:
        """Note a shipment sent to the site, so its pharmacy stock can be found."""
        self._shipment_sent(shipment)

    @event("ShipmentSent")
    def _shipment_sent(self, shipment: str) -> None:
        self.shipments = (*self.shipments, shipment)

    def add_unit(self, unit: str) -> None:
        """Note a storage unit registered at the site (R-SHP-5): its stock is kept in them."""
        self._unit_registered(unit)

    @event("UnitRegistered")
    def _unit_registered(self, unit: str) -> None:
        self.units = (*self.units, unit)
