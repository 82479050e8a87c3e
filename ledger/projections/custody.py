"""An item's chain of custody on its timeline (R-TRC-2, R-TRC-3): the shipments a product vial
travelled in, the return that took it back and the patient it was given to record its custody
as their own events (`Shipment`, `ReturnShipment`, `Patient`); an event of those items belongs
on the vial's timeline when it names the vial, or when it concerns every vial it carries
(transport and its temperature record).

Like every projection it reads stored events' fields by name and imports no domain class.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ledger.identifiers import RETURNED_IN, SHIPPED_IN
from ledger.projections.recall import ADMINISTERED_TO

#: Genealogy relations from an item to the items whose events record its custody.
CUSTODY_RELATIONS = (SHIPPED_IN, RETURNED_IN, ADMINISTERED_TO)

#: Events of a shipment that concern every vial it carries: its transport, hand-offs and
#: temperature record (by event name, as stored on the shipment).
WHOLE_SHIPMENT = frozenset(
    {"HandedOff", "ReadingsRecorded", "ExcursionFound", "ExcursionAssessed", "Delivered"}
)

# Fields that name the vials an event is about: a list of codes, or a mapping whose keys
# (failed vials and their reasons) or values (containers and their vials) are codes.
_NAMING_LISTS = ("vials", "passed", "missing", "received")


def named_vials(fields: Mapping[str, Any]) -> set[str] | None:
    """The item codes an event names as the vials it is about, or None if it names none."""
    named: set[str] = set()
    found = False
    for name in _NAMING_LISTS:
        value = fields.get(name)
        if isinstance(value, list):
            named.update(str(v) for v in value)
            found = True
    if isinstance(fields.get("failed"), dict):
        named.update(fields["failed"])
        found = True
    if isinstance(fields.get("containers"), dict):
        named.update(v for packed in fields["containers"].values() for v in packed)
        found = True
    for holder in (fields, fields.get("dose")):
        if isinstance(holder, Mapping) and isinstance(holder.get("vial"), str):
            named.add(holder["vial"])
            found = True
    return named if found else None


def concerns(event_type: str, fields: Mapping[str, Any], recorded_on: str, subject: str) -> bool:
    """Whether an event recorded on item `recorded_on` belongs on `subject`'s timeline: its
    own events always; another item's when it names `subject`, or when it is one of the
    transport events that concern every vial of a shipment."""
    if recorded_on == subject:
        return True
    named = named_vials(fields)
    if named is not None:
        return subject in named
    return event_type.rsplit(".", 1)[-1] in WHOLE_SHIPMENT
