"""What each event does to its item as the items view shows it (R-TRC-2, R-DON-7): the status
it leaves the item in, the field that says where the item is now, its lot and its expiry, the
clinical site, study and patient it belongs to (what item lists filter and search on), the
holds it puts or lifts, and for a shipment's events the vials it moves. Declared here once, per
stored event type; the items projection and the write path both read it, so the status a scan
shows is the status the step registry's preconditions are checked against
(`ledger.commands.registry`).

Keys are the stored events' qualified names (the topic's class part). Events every traced item
has (`ledger.domain.lineage.TracedItem`: holds and disposal) are declared once, by name. An
event type not named here changes nothing the items view shows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Literal, NamedTuple

from ledger.messages import Sentence

ACTIVE = "active"
ON_HOLD = "on hold"


@dataclass(frozen=True)
class Effect:
    """What one event type does to its item."""

    status: str | None = None  # the status the item shows after it
    flag: tuple[str, str, str] | None = None  # (field, status when true, status when false)
    place: tuple[str, ...] = ()  # fields naming where the item is now, the first one given
    leaves_place: bool = False  # the item has left its storage place (thawed, thrown away)
    lot: str | None = None  # the field naming the item's lot
    expiry: str | None = None  # the field giving its expiry date
    hold: Literal["put", "lift"] | None = None
    vials: str | None = None  # a shipment's event: what the vials it moves show ("" keeps it)
    # The fields naming the clinical site, the study and the patient the item belongs to or
    # went to ("blinding.study": a key of a field). A shipment's event gives its site to the
    # shipment and to the vials it moves, and its patient to the vials only.
    site: str | None = None
    study: str | None = None
    patient: str | None = None


NO_EFFECT = Effect()

#: Events of every traced item (holds, disposal), by name.
TRACED_ITEM: dict[str, Effect] = {
    "PutOnHold": Effect(status=ON_HOLD, hold="put"),
    "HoldLifted": Effect(hold="lift"),
    "Disposed": Effect(status="disposed", leaves_place=True),
    # sent to another institution or project (R-DON-8): material leaves; data stays
    "MaterialDistributed": Effect(status="distributed", leaves_place=True),
}

IN_TRANSIT, AT_SITE, RELEASED_FOR_USE = "in transit", "at site", "released for use"
IN_SERVICE = "in service"
# A blinded study's lots of both arms and its kits name the study alike (R-ACC-5).
BLINDED_STUDY = "blinding.study"
# The site pharmacy's dispensing and the bedside's use: the vial goes to the patient.
DISPENSED = Effect(place=("site", "patient"), vials="dispensed", site="site", patient="patient")
USED = Effect(place=("patient",), vials="administered", patient="patient")

EFFECTS: dict[str, Effect] = {
    # donors (R-DON)
    "Donor.Registered": Effect(status="registered"),
    "Donor.ConsentWithdrawn": Effect(status="consent withdrawn"),
    "Donor.EligibilityDetermined": Effect(flag=("eligible", "eligible", "ineligible")),
    "Donor.IneligibleAfterLookback": Effect(status="ineligible"),
    # materials (R-MAT)
    "MaterialLot.Received": Effect(status="quarantine", lot="supplier_lot", expiry="expiry"),
    "MaterialLot.Released": Effect(status="released"),
    "MaterialLot.Rejected": Effect(status="rejected"),
    "MaterialLot.Recalled": Effect(status="recalled"),
    # cells and banks (R-CB)
    "Collection.Received": Effect(status="received"),
    "CellLineStock.Received": Effect(lot="supplier_lot"),
    "CellBank.Established": Effect(status="quarantine"),
    "CellBank.Released": Effect(status="released"),
    "BankVial.Frozen": Effect(status="in storage", place=("location",)),
    "BankVial.Thawed": Effect(status="thawed", leaves_place=True),
    # production (R-PRO); the same words for active and placebo lots, so a status never tells
    # the arm (R-ID-3)
    "Culture.Started": Effect(status="in culture"),
    "Culture.CollectionStageStarted": Effect(status="collecting supernatant"),
    "Harvest.Collected": Effect(status="harvested"),
    "ProductLot.Purified": Effect(status="awaiting QC", expiry="expiry", study=BLINDED_STUDY),
    "ProductLot.Quarantined": Effect(status="quarantined"),
    "ProductLot.Certified": Effect(status="certified"),
    "PlaceboLot.Formulated": Effect(status="awaiting QC", expiry="expiry", study=BLINDED_STUDY),
    "PlaceboLot.Purified": Effect(expiry="expiry", study=BLINDED_STUDY),
    "PlaceboLot.Quarantined": Effect(status="quarantined"),
    "PlaceboLot.Certified": Effect(status="certified"),
    # an OOS investigation that invalidated the result lifts the quarantine; a rejected lot only
    # goes to disposal (R-QMS-1, R-QMS-5)
    "ProductLot.QuarantineLifted": Effect(status="awaiting QC"),
    "PlaceboLot.QuarantineLifted": Effect(status="awaiting QC"),
    "ProductLot.Rejected": Effect(status="rejected"),
    "PlaceboLot.Rejected": Effect(status="rejected"),
    "ProductVial.Filled": Effect(status="filled", lot="lot", expiry="expiry", study=BLINDED_STUDY),
    # accountability (R-QMS-6): retained samples, a lot closed, returns to the manufacturer
    "ProductVial.Retained": Effect(status="retained sample", place=("place",)),
    "ProductVial.StoredInUnit": Effect(place=("unit",)),
    "ProductLot.Closed": Effect(status="closed"),
    "PlaceboLot.Closed": Effect(status="closed"),
    "ReturnShipment.Returned": Effect(
        status="returning", place=("site",), vials="returning", site="site"
    ),
    "ReturnShipment.ReceivedBack": Effect(status="received back", vials="returned"),
    "SiteStock.VialsReturned": Effect(),
    # the quality system (R-QMS-2, R-QMS-4)
    "Deviation.Opened": Effect(status="open"),
    "Deviation.Closed": Effect(status="closed"),
    "Capa.Planned": Effect(status="planned"),
    "Capa.Completed": Effect(status="done"),
    "Capa.EffectivenessChecked": Effect(flag=("effective", "effective", "ineffective")),
    # people: a training's expiry
    "Person.TrainingRecorded": Effect(expiry="expires_on"),
    # sites, studies, patients (R-CLN). A study's pause, resumption and termination are events
    # of its `Safety` base: the stored qualified names are the base class's.
    "Site.Registered": Effect(status="registered", site="code"),
    "Study.Registered": Effect(status=ACTIVE, study="code"),
    "Safety.Paused": Effect(status="paused"),
    "Safety.Resumed": Effect(status=ACTIVE),
    "Safety.Terminated": Effect(status="terminated"),
    # paused, resumed or terminated for another reason (R-CLN-9)
    "Safety.PausedFor": Effect(status="paused"),
    "Safety.ResumedBy": Effect(status=ACTIVE),
    "Safety.TerminatedBy": Effect(status="terminated"),
    "Patient.Enrolled": Effect(
        status="enrolled", place=("site",), site="site", study="study", patient="code"
    ),
    "Patient.Administered": Effect(status="administered"),
    "Dosing.Administered": Effect(status="administered"),
    "Dosing.Exited": Effect(status="left the study"),
    # shipments and the site's stock (R-SHP, R-QC-4, R-CLN-2): the shipment, and the vials it
    # moves. A shipment's receipt and release are events of its `SiteStock` base.
    "Shipment.Shipped": Effect(status=IN_TRANSIT, place=("site",), vials=IN_TRANSIT, site="site"),
    "Shipment.Delivered": Effect(status=AT_SITE, vials=AT_SITE),
    "SiteStock.ReceiptInspected": Effect(status="re-inspected"),
    "SiteStock.ReleasedForUse": Effect(status=RELEASED_FOR_USE, vials=RELEASED_FOR_USE),
    "Shipment.ReleasedForUse": Effect(vials=RELEASED_FOR_USE),
    "SitePharmacy.ReleasedForUse": Effect(vials=RELEASED_FOR_USE),
    "Shipment.VialsStored": Effect(place=("site",), vials="", site="site"),
    "SitePharmacy.VialsStored": Effect(place=("site",), vials="", site="site"),
    "Shipment.VialDispensed": DISPENSED,
    "SitePharmacy.VialDispensed": DISPENSED,
    "Shipment.VialThawed": Effect(vials="thawed"),
    "SitePharmacy.VialThawed": Effect(vials="thawed"),
    "SiteStock.VialThawed": Effect(vials="thawed"),
    "Shipment.VialUsed": USED,
    "SitePharmacy.VialUsed": USED,
    "SiteStock.VialUsed": USED,
    # monitored storage units (R-SHP-5)
    "StorageUnit.Registered": Effect(status=IN_SERVICE, place=("site", "name"), site="site"),
    "StorageUnit.ExcursionFound": Effect(status="excursion"),
    "StorageUnit.ExcursionAssessed": Effect(status=IN_SERVICE),
}
#: Statuses that say where an item went; a hold is shown in `holds` instead.
KEPT_ON_HOLD = frozenset(
    {"thawed", "disposed", "administered", "rejected", "recalled", "distributed"}
)
PLACE_PARTS = ("site", "tank", "rack", "box", "position")
#: The items view's columns that say whose an item is: its clinical site, study and patient.
OWNER_COLUMNS = ("site", "study", "patient")


def effect_of(event: Any) -> Effect:
    """The declared effect of `event`'s type (NO_EFFECT when it declares none)."""
    cls = type(event)
    return effect_named(cls.__qualname__, cls.__name__)


def effect_named(qualname: str, name: str) -> Effect:
    """The declared effect of the stored event type `qualname` (its class `name`)."""
    return EFFECTS.get(qualname) or TRACED_ITEM.get(name, NO_EFFECT)


def status_after(event: Any) -> str | None:
    """The status `event` leaves its item in, or None if it does not change it."""
    return status_from(effect_of(event), vars(event))


def status_from(effect: Effect, fields: dict[str, Any]) -> str | None:
    """The status an event of `effect` with `fields` leaves its item in (None: unchanged)."""
    if effect.flag is not None:
        name, when_true, when_false = effect.flag
        return when_true if fields.get(name, False) else when_false
    return effect.status


def describe_place(value: Any) -> str | None:
    """A place field as one line: `LN2-T1/R3/B2/7` for a storage place, or the text."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, dict):
        parts = [str(value[k]) for k in PLACE_PARTS if value.get(k)]
        return "/".join(parts) or None
    return None


def facts_of(event: Any) -> dict[str, Any]:
    """The item columns `event` sets: status, location, lot, expiry, site, study and patient
    (only those it names). A shipment's event that names a patient says where one of its vials
    went (`vials_moved`), not where the shipment is or whose it is."""
    return facts_from(effect_of(event), vars(event))


def facts_from(effect: Effect, fields: dict[str, Any]) -> dict[str, Any]:
    """`facts_of` an event of `effect` with `fields` (as stored, decoded)."""
    facts: dict[str, Any] = {}
    status = status_from(effect, fields)
    if status is not None:
        facts["status"] = status
    if effect.leaves_place:
        facts["location"] = None
    to_patient = effect.vials is not None and "patient" in fields
    for name in () if to_patient else effect.place:
        place = describe_place(fields.get(name))
        if place is not None:
            facts["location"] = place
            break
    if effect.lot is not None and isinstance(fields.get(effect.lot), str):
        facts["lot"] = fields[effect.lot]
    if effect.expiry is not None and isinstance(fields.get(effect.expiry), date):
        facts["expiry"] = fields[effect.expiry].isoformat()
    owner = (effect.site, effect.study, None if effect.vials is not None else effect.patient)
    for column, field in zip(OWNER_COLUMNS, owner, strict=True):
        value = named(fields, field)
        if value is not None:
            facts[column] = value
    return facts


def named(fields: dict[str, Any], name: str | None) -> str | None:
    """The text of the field `name` ("blinding.study": a key of a field), if it holds one."""
    if name is None:
        return None
    value: Any = fields
    for part in name.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return (value.strip() or None) if isinstance(value, str) else None


@dataclass(frozen=True)
class Shown:
    """An item's status and holds as the items view shows them; the write path keeps the same
    on each loaded aggregate, to check a step's preconditions (`LedgerAggregate.shown`)."""

    status: str = ACTIVE
    holds: tuple[dict[str, str], ...] = ()

    def after(self, event: Any) -> Shown:
        """What the item shows once `event` is recorded: its status, and its holds; a released
        hold gives the item back the status it had before it was held."""
        return self.after_fields(effect_of(event), vars(event))

    def after_fields(self, effect: Effect, fields: dict[str, Any]) -> Shown:
        """`after` an event of `effect` with `fields` (as stored, decoded)."""
        status = status_from(effect, fields)
        if effect.hold == "put":
            # the view keeps the hold's rule, source and reason as recorded (in English); the
            # reason as a translatable sentence (`said`) stays in the event
            hold = {k: v for k, v in dict(fields.get("hold", {})).items() if k != "said"}
            if not self.holds and self.status != ON_HOLD:
                hold["status_before"] = self.status  # what the item shows again once released
            stays = self.status in KEPT_ON_HOLD  # a thawed vial stays thawed, held or not
            return Shown(self.status if stays else ON_HOLD, (*self.holds, hold))
        if effect.hold == "lift":
            lifted = (fields.get("rule"), fields.get("source"))
            held = list(self.holds)
            kept = [h for h in held if (h["rule"], h["source"]) != lifted]
            before = next((h["status_before"] for h in held if "status_before" in h), None)
            if kept and before and not any("status_before" in h for h in kept):
                kept[0] = {**kept[0], "status_before": before}
            restored = (before or ACTIVE) if not kept and self.status == ON_HOLD else None
            return Shown(restored or self.status, tuple(kept))
        return self if status is None else replace(self, status=status)


class Moved(NamedTuple):
    """What a shipment's event does to the vials it moves."""

    status: str  # what they show now ("" keeps their status)
    vials: list[str] | None  # the vials it names; None for every vial of the shipment
    facts: dict[str, str]  # the columns they take: location, and the site and patient named


def vials_moved(event: Any) -> Moved | None:
    """For a shipment event: what the vials it moves show, or None for any other event."""
    return moved_from(effect_of(event), vars(event))


def moved_from(effect: Effect, fields: dict[str, Any]) -> Moved | None:
    """`vials_moved` by an event of `effect` with `fields` (as stored, decoded)."""
    if effect.vials is None:
        return None
    vials, place = _moved(fields)
    facts = {"location": place} if place is not None else {}
    for column, name in (("site", effect.site), ("patient", effect.patient)):
        value = named(fields, name)
        if value is not None:
            facts[column] = value
    return Moved(effect.vials, vials, facts)


def _moved(fields: dict[str, Any]) -> tuple[list[str] | None, str | None]:
    """The vials a shipment's event names (None: every vial of the shipment), and their new
    place if it gives one."""
    if "courier" in fields and "vials" in fields:  # a return to the manufacturer
        return list(fields["vials"]), f"return {fields['code']} from {fields['site']}"
    if "received" in fields:  # the manufacturer's receipt of a return
        return list(fields["received"]), f"manufacturer: {fields['place']}"
    if "containers" in fields:
        vials = [v for codes in fields["containers"].values() for v in codes]
        return vials, f"shipment {fields['code']} to {fields['site']}"
    if "place" in fields:  # the site pharmacy's storage place, or the ward it dispensed to
        where = f"{fields['site']}: {fields['place']}"
        if "patient" in fields:
            where += f", for {fields['patient']}"
        return list(fields.get("vials") or [fields["vial"]]), where
    if "vials" in fields:
        return list(fields["vials"]), None
    if "vial" in fields:
        patient = fields.get("patient")
        return [fields["vial"]], f"patient {patient}" if patient else None
    return None, None


def statuses() -> frozenset[str]:
    """Every status the items view can show."""
    shown = {ACTIVE} | {s for e in (*EFFECTS.values(), *TRACED_ITEM.values()) for s in _words(e)}
    return frozenset(shown)


def _words(effect: Effect) -> tuple[str, ...]:
    flagged = effect.flag[1:] if effect.flag else ()
    return tuple(s for s in (effect.status, effect.vials, *flagged) if s)


_TO_PATIENT = re.compile(r"patient (?P<patient>\S+)")
_IN_TRANSIT = re.compile(r"shipment (?P<shipment>\S+) to (?P<site>\S+)")
_DISPENSED = re.compile(r"(?P<site>[A-Z]{3}-\S+): (?P<place>.+), for (?P<patient>\S+)")


def say_location(location: str | None, language: str) -> str | None:
    """An item's location as the items view words it (`location_of`), in `language`: the
    words this module adds are translated, the places people typed are kept as recorded."""
    if location is None:
        return None
    if m := _TO_PATIENT.fullmatch(location):
        return Sentence("patient {patient}", patient=m["patient"]).render(language)
    if m := _IN_TRANSIT.fullmatch(location):
        said = Sentence("shipment {shipment} to {site}", shipment=m["shipment"], site=m["site"])
        return said.render(language)
    if m := _DISPENSED.fullmatch(location):
        said = Sentence(
            "{site}: {place}, for {patient}",
            site=m["site"],
            place=m["place"],
            patient=m["patient"],
        )
        return said.render(language)
    return location
