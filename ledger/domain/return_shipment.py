"""Returns (R-QMS-6, §5.4.2, §7.3.2): vials a site sends back to the manufacturer travel as a
shipment of their own, with its code, the courier that takes it and the manufacturer's receipt
naming each vial received. A vial not received is missing: it is put on hold, and the receipt
opens a deviation (the application), so the lot is not closed until QA explains it. A returned
vial is never shipped again; it stays in the manufacturer's stock until destroyed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from eventsourcing.domain import event

from ledger.domain.accountability import RULE, Accountable
from ledger.domain.product_vial import ProductVial
from ledger.domain.site_stock import SiteStock
from ledger.errors import RuleViolation, Violation
from ledger.identifiers import RETURNED_IN


class ReturnShipment(Accountable):
    """Vials of one shipment sent back from its site to the manufacturer."""

    @event("Returned")
    def __init__(
        self,
        code: str,
        shipment: str,
        site: str,
        vials: list[str],
        reason: str,
        courier: str,
        at: datetime,
    ) -> None:
        self.code, self.shipment, self.site, self.vials = code, shipment, site, vials
        self.reason, self.courier, self.sent_at = reason, courier, at
        self.received: list[str] = []
        self.missing: list[str] = []
        self.place = ""

    @classmethod
    def send_back(
        cls,
        code: str,
        shipment: SiteStock,
        vials: Sequence[ProductVial],
        reason: str,
        courier: str,
        at: datetime,
    ) -> ReturnShipment:
        """Send `vials` of `shipment` back from its site; held and segregated vials go back
        too, administered, thawed, destroyed or missing ones cannot."""
        codes = [v.code for v in vials]
        problems = shipment.return_problems(codes)
        problems += [
            Violation.of(
                "R-PRO-6",
                "{code} was disposed of at {site}; it cannot be returned",
                code=v.code,
                site=shipment.site,
            )
            for v in vials
            if v.disposal is not None
        ]
        if not reason.strip():
            problems.append(Violation.of(RULE, "give the reason the vials are returned"))
        if not courier.strip():
            problems.append(Violation.of("R-SHP-1", "name the courier taking the return"))
        if problems:
            raise RuleViolation(problems)
        shipment.record_return(code, codes)
        for vial in vials:
            vial.record_derived([code], RETURNED_IN)
        return cls(code, shipment.code, shipment.site, codes, reason.strip(), courier.strip(), at)

    def receive(self, received: Sequence[str], place: str) -> list[str]:
        """The manufacturer's receipt: the vials received, kept at `place` until destroyed;
        every other vial of the return is missing. Returns the missing vials."""
        problems = []
        if self.received or self.missing:
            problems.append(
                Violation.of(RULE, "the receipt of {code} is already recorded", code=self.code)
            )
        unknown = sorted(set(received) - set(self.vials))
        if unknown or len(set(received)) != len(received):
            problems.append(
                Violation.of(
                    RULE,
                    "{unknown:terms} is not in {code} or is named twice; name each vial "
                    "received once",
                    unknown=unknown or ["a vial"],
                    code=self.code,
                )
            )
        if not place.strip():
            problems.append(
                Violation.of("R-TRC-2", "name where the returned vials are kept until destroyed")
            )
        if problems:
            raise RuleViolation(problems)
        missing = [v for v in self.vials if v not in received]
        self._received_back(list(received), missing, place.strip())
        return missing

    @event("ReceivedBack")
    def _received_back(self, received: list[str], missing: list[str], place: str) -> None:
        self.received, self.missing, self.place = received, missing, place
