"""Recall lists (R-DON-7 read side, R-TRC-2): after a donor's look-back or a material lot's
recall, every item downstream with where it is now, and every patient already dosed.

    RecallList{root, reason, items: [{code, type, status, location, where, holds}],
               patients: [{code, dosed_on, vial}]}

Patients appear once the clinical domain records administrations (an edge "administered to"
from the vial to the patient); the shape is fixed now so the API and reports do not change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, bindparam, text

from ledger.errors import InvalidInput, NotFound
from ledger.identifiers import ItemType, parse_code
from ledger.messages import Sentence
from ledger.projections.trace import Graph, Node, collector_paused, trace_down

ADMINISTERED_TO = "administered to"
# Statuses that say where an item is without a storage place.
GONE = ("in transit", "at site", "administered", "disposed", "thawed", "rejected")
_DOSES = text(
    "SELECT e.parent_code, e.child_code, t.recorded_at FROM genealogy_edges e "
    "LEFT JOIN timeline t ON t.notification_id = e.notification_id "
    "WHERE e.relation = :relation AND e.child_code IN :patients "
    "ORDER BY e.child_code, t.recorded_at"
).bindparams(bindparam("patients", expanding=True))


@dataclass(frozen=True)
class RecallItem:
    code: str
    type: str
    status: str
    location: str | None
    where: str  # bank place, in transit, at site, administered, disposed ...
    holds: list[dict[str, str]]
    quality: list[str] = field(default_factory=list)  # open deviations, OOS (the application's)


@dataclass(frozen=True)
class Dose:
    code: str  # the patient
    dosed_on: str | None  # ISO 8601 time the administration was recorded
    vial: str


@dataclass
class RecallList:
    root: str
    reason: str
    items: list[RecallItem] = field(default_factory=list)
    patients: list[Dose] = field(default_factory=list)

    def codes(self) -> set[str]:
        return {item.code for item in self.items}

    def as_json(self) -> dict[str, Any]:
        """What `dataclasses.asdict` gives, built directly (a donor's list is 10,000 items)."""
        with collector_paused():
            return self._as_json()

    def _as_json(self) -> dict[str, Any]:
        return {
            "root": self.root,
            "reason": self.reason,
            "items": [
                {
                    "code": i.code,
                    "type": i.type,
                    "status": i.status,
                    "location": i.location,
                    "where": i.where,
                    "holds": [dict(hold) for hold in i.holds],
                    "quality": list(i.quality),
                }
                for i in self.items
            ],
            "patients": [
                {"code": d.code, "dosed_on": d.dosed_on, "vial": d.vial} for d in self.patients
            ],
        }


def whereabouts(status: str, location: str | None) -> str:
    """Where an item is now, in words a recall coordinator acts on."""
    if status in GONE:
        return f"{status}: {location}" if location else status
    if location:
        return f"in storage: {location}"
    return status


#: Adds to a recall's trace what the read models cannot reach (a blinded study's kits).
Extend = Callable[[Graph], None]


def lookback(engine: Engine, donor_code: str, extend: Extend | None = None) -> RecallList:
    """R-DON-7: everything derived from `donor_code`, where each is now, patients dosed."""
    return recall_list(engine, donor_code, ItemType.DONOR, "donor look-back", extend)


def impact(engine: Engine, material_lot_code: str, extend: Extend | None = None) -> RecallList:
    """Everything made with `material_lot_code`, where each is now, patients dosed."""
    return recall_list(
        engine, material_lot_code, ItemType.MATERIAL_LOT, "material lot recall", extend
    )


def recall_list(
    engine: Engine, code: str, root_type: ItemType, reason: str, extend: Extend | None = None
) -> RecallList:
    """The recall list below `code`, which must be a recorded item of `root_type`."""
    parsed = parse_code(code)
    if parsed.item_type is not root_type:
        raise InvalidInput(
            Sentence(
                "{code} is a {item_type:term}, not a {wanted:term}; give the code of "
                "a {wanted:term} ({prefix}-...)",
                code=str(parsed),
                item_type=parsed.item_type.label,
                wanted=root_type.label,
                prefix=root_type.prefix,
            )
        )
    graph = trace_down(engine, str(parsed), actors=False)
    if str(parsed) not in graph.nodes:
        raise NotFound(Sentence("{code} is not recorded in this ledger", code=str(parsed)))
    if extend is not None:
        extend(graph)
    recall = RecallList(str(parsed), reason)
    with collector_paused():
        recall.items = [_item(node) for node in _below(graph)]
    recall.patients = _doses(engine, graph)
    return recall


def _below(graph: Graph) -> list[Node]:
    return sorted((n for c, n in graph.nodes.items() if c != graph.root), key=lambda n: n.code)


def _item(node: Node) -> RecallItem:
    return RecallItem(
        node.code,
        node.item_type,
        node.status,
        node.location,
        whereabouts(node.status, node.location),
        node.holds,
    )


def _doses(engine: Engine, graph: Graph) -> list[Dose]:
    patients = [n.code for n in graph.of_type(ItemType.PATIENT)]
    if not patients:
        return []
    with engine.connect() as conn:
        rows = conn.execute(_DOSES, {"relation": ADMINISTERED_TO, "patients": patients})
        return [Dose(patient, dosed_on, vial) for vial, patient, dosed_on in rows]
