"""The values a timeline's sentences show besides the event's own fields (R-TRC-3): counts,
glossary words for flags, a storage place, and a sentence's variant for the item whose
timeline it is on (`ledger.projections.narrative`). Reads fields by name; imports no domain
class.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ledger.item_effects import describe_place

Values = dict[str, Any]


@dataclass(frozen=True)
class Scene:
    """Where a sentence is said: the item whose timeline it is on, the item the event was
    recorded on, and the fields of each item's first event, by code (a shipment's range, a
    patient's study and the study's protocol), for what later events leave out."""

    subject: str
    item: str
    origins: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


#: Counts or words a sentence shows besides the fields, and its variant ("" or ".<variant>").
Derive = Callable[[Values, Scene], tuple[str, Values]]


def word(name: str, path: tuple[str, ...], yes: str, no: str) -> Derive:
    """A glossary word for a flag of the event (`result.in_spec` -> "in specification")."""

    def derive(values: Values, scene: Scene) -> tuple[str, Values]:
        flag: Any = values
        for key in path:
            flag = flag.get(key) if isinstance(flag, Mapping) else None
        return "", {name: yes if flag else no}

    return derive


def count(name: str) -> Derive:
    def derive(values: Values, scene: Scene) -> tuple[str, Values]:
        return "", {"count": len(values.get(name) or ())}

    return derive


def held(values: Values, scene: Scene) -> tuple[str, Values]:
    # a hold recorded with its reason as a sentence ({template, params}) is said in the
    # reader's language; older holds have the English text only
    hold = values["hold"]
    return "", {"reason": hold.get("said") or hold["reason"]}


def lifted(values: Values, scene: Scene) -> tuple[str, Values]:
    # a lift recorded with its reason as a sentence is said in the reader's language too
    return "", {"reason": values.get("said") or values["reason"]}


def screening(values: Values, scene: Scene) -> tuple[str, Values]:
    # the markers only: the donor's histories are personal health data, not timeline text
    results = values["screening"]["results"]
    reactive = [r for r in results if r["result"] != "non_reactive"]
    return "", {"markers": len(results), "reactive": len(reactive)}


def materials(values: Values, scene: Scene) -> tuple[str, Values]:
    return "", {"used": [m["material"] for m in values.get("materials") or ()]}


def frozen(values: Values, scene: Scene) -> tuple[str, Values]:
    return "", {"place": describe_place(values.get("location")) or "-"}


def reconciled(values: Values, scene: Scene) -> tuple[str, Values]:
    done = values["reconciliation"]
    in_stock = done["counted"].get("in_stock", 0)
    return "", {"in_stock": in_stock, "unaccounted": done["record"].get("unaccounted", 0)}


def shipped(values: Values, scene: Scene) -> tuple[str, Values]:
    return "", {"count": sum(len(v) for v in values["containers"].values())}


def readings(values: Values, scene: Scene) -> tuple[str, Values]:
    # the range is the shipment's (`required`) or the unit's (`band`), from its first event
    origin = scene.origins.get(scene.item, {})
    band = origin.get("required") or origin.get("band")
    outside, gaps = values.get("excursions") or (), values.get("gaps") or ()
    return "", {
        "count": len(values["readings"]),
        "outside": len(outside),
        "gaps": len(gaps),
        "range": f"{band['min_c']:g}..{band['max_c']:g} C" if band else "?",
    }


def receipt(values: Values, scene: Scene) -> tuple[str, Values]:
    counts = {n: len(values[n]) for n in ("passed", "failed", "missing")}
    if scene.subject in values["passed"]:
        return ".passed", counts
    if scene.subject in values["failed"]:
        return ".failed", {**counts, "reason": values["failed"][scene.subject]}
    return (".missing" if scene.subject in values["missing"] else ""), counts


def released(values: Values, scene: Scene) -> tuple[str, Values]:
    vials = values["vials"]
    return (".vial" if scene.subject in vials else ""), {"count": len(vials)}


def stored(values: Values, scene: Scene) -> tuple[str, Values]:
    unit, place = values.get("unit"), values["place"]
    where = f"{unit} {place}" if unit else f"{values['site']}: {place}"
    vials = values["vials"]
    return (".vial" if scene.subject in vials else ""), {"where": where, "count": len(vials)}


def received_back(values: Values, scene: Scene) -> tuple[str, Values]:
    return "", {"count": len(values["received"]), "lost": len(values["missing"])}


def administered(values: Values, scene: Scene) -> tuple[str, Values]:
    study = scene.origins.get(scene.item, {}).get("study")
    protocol = scene.origins.get(study, {}).get("protocol") if isinstance(study, str) else None
    said = {"patient": scene.item}
    if not isinstance(protocol, Mapping):
        return ".numbered", said
    # protocols stored before the number of administrations was asked for allow one
    return "", {**said, "planned": protocol.get("administrations", 1)}
