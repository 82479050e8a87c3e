"""What the items view shows about an item after each of its events (R-TRC-2, R-DON-7): its
status, where it is now, its lot and its expiry. Read side only: the domain decides, these
name the latest state for scanning, trace pictures and recall lists.

Location, lot and expiry are generic: any event field with one of the names below sets them,
so later domains (shipments, sites, administration, product lots) fill them by naming their
fields accordingly.
"""

from __future__ import annotations

from datetime import date
from typing import Any

# Status after an event class: the qualified name first (`Donor.Registered`), then the name.
STATUS_AFTER = {
    "Donor.Registered": "registered",
    "Donor.ConsentWithdrawn": "consent withdrawn",
    "Collection.Received": "received",
    "MaterialLot.Received": "quarantine",
    "CellBank.Established": "quarantine",
    "PutOnHold": "on hold",
    "Released": "released",
    "Rejected": "rejected",
    "Recalled": "recalled",
    "Thawed": "thawed",
    "Frozen": "in storage",
    "Disposed": "disposed",
    "Quarantined": "quarantined",
    "Certified": "certified",
    "Shipped": "in transit",
    "Delivered": "at site",
    "Administered": "administered",
    "IneligibleAfterLookback": "ineligible",
    "Culture.Started": "in culture",
    "Culture.CollectionStageStarted": "collecting supernatant",
    "Harvest.Collected": "harvested",
    # The same words for active and placebo lots, so a status never tells the arm (R-ID-3).
    "ProductLot.Purified": "awaiting QC",
    "PlaceboLot.Formulated": "awaiting QC",
    "ProductVial.Filled": "filled",
    # Domain III: sites, studies, patients, shipments (R-SHP, R-QC-4, R-CLN). A study's pause,
    # resumption and termination are events of its `Safety` base, a shipment's release one of
    # its `SiteStock` base: the stored qualified names are the base class's.
    "Site.Registered": "registered",
    "Study.Registered": "active",
    "Safety.Paused": "paused",
    "Safety.Resumed": "active",
    "Safety.Terminated": "terminated",
    "Patient.Enrolled": "enrolled",
    "SiteStock.ReceiptInspected": "re-inspected",
    "SiteStock.ReleasedForUse": "released for use",
}
# Statuses that say where an item went; a hold is shown in `holds` instead.
KEPT_ON_HOLD = frozenset({"thawed", "disposed", "administered", "rejected", "recalled"})
# Events after which an item has left its storage place (thawed, used up, thrown away).
LEAVES_PLACE = frozenset({"Thawed", "Disposed"})
LOCATION_FIELDS = ("location", "storage_location", "destination", "site", "patient")
LOT_FIELDS = ("lot", "lot_code", "supplier_lot")
EXPIRY_FIELDS = ("expiry", "expires_on", "expiry_date")
PLACE_PARTS = ("site", "tank", "rack", "box", "position")


def status_after(event: Any) -> str | None:
    """The status `event` leaves its item in, or None if it does not change it."""
    cls = type(event)
    if cls.__name__ == "EligibilityDetermined":
        return "eligible" if getattr(event, "eligible", False) else "ineligible"
    return STATUS_AFTER.get(cls.__qualname__) or STATUS_AFTER.get(cls.__name__)


def describe_place(value: Any) -> str | None:
    """A location field as one line: `LN2-T1/R3/B2/7` for a storage place, or the text."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, dict):
        parts = [str(value[k]) for k in PLACE_PARTS if value.get(k)]
        return "/".join(parts) or None
    return None


def facts_of(event: Any) -> dict[str, Any]:
    """The item columns `event` sets: status, location, lot, expiry (only those it names)."""
    fields = vars(event)
    facts: dict[str, Any] = {}
    status = status_after(event)
    if status is not None:
        facts["status"] = status
    if type(event).__name__ in LEAVES_PLACE:
        facts["location"] = None
    for name in LOCATION_FIELDS:
        place = describe_place(fields.get(name))
        if place is not None:
            facts["location"] = place
            break
    for name in LOT_FIELDS:
        if isinstance(fields.get(name), str):
            facts["lot"] = fields[name]
            break
    for name in EXPIRY_FIELDS:
        if isinstance(fields.get(name), date):
            facts["expiry"] = fields[name].isoformat()
            break
    return facts


# Events of a shipment that move the vials it lists: the status each vial shows after it ("" for
# a move within the site that keeps the status).
VIAL_STATUS_AFTER = {
    "Shipped": "in transit",
    "Delivered": "at site",
    "ReleasedForUse": "released for use",
    "VialsStored": "",
    "VialDispensed": "dispensed",
    "VialThawed": "thawed",
    "VialUsed": "administered",
}
SHIPMENT_MODULES = (
    "ledger.domain.shipment",
    "ledger.domain.site_stock",
    "ledger.domain.site_pharmacy",
)


def vials_moved(event: Any) -> tuple[str, list[str] | None, str | None] | None:
    """For a shipment event: (the vials' new status, the vials it names - None for "every
    vial of the shipment" - and their new place), or None for any other event."""
    cls = type(event)
    status = VIAL_STATUS_AFTER.get(cls.__name__) if cls.__module__ in SHIPMENT_MODULES else None
    if status is None:
        return None
    fields = vars(event)
    if "containers" in fields:
        vials = [v for codes in fields["containers"].values() for v in codes]
        return status, vials, f"shipment {fields['code']} to {fields['site']}"
    if "place" in fields:  # the site pharmacy's storage place, or the ward it dispensed to
        where = f"{fields['site']}: {fields['place']}"
        if "patient" in fields:
            where += f", for {fields['patient']}"
        return status, list(fields.get("vials") or [fields["vial"]]), where
    if "vials" in fields:
        return status, list(fields["vials"]), None
    if "vial" in fields:
        patient = fields.get("patient")
        return status, [fields["vial"]], f"patient {patient}" if patient else None
    return status, None, None
