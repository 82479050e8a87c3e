"""What traces and recall lists show of a blinded study's kits (R-ACC-5).

The read models hold no link from a kit to its lot (it is sealed), so a trace stops at the kit
going up and at the lot going down. A reader who may open seals (`Read.SEALED`: QA, the
sponsor's unblinded role) gets the links added, with what lies beyond them. A recall list that
reaches a lot of a blinded study lists every kit of the study, both arms alike, with the
patients dosed from them: a site recalls all of them and learns no arm.
"""

from __future__ import annotations

from dataclasses import replace

from ledger.api.context import ApiContext
from ledger.commands.blinding import sealed_links
from ledger.domain.product_lot import ProductLot
from ledger.domain.study import Study
from ledger.identifiers import ItemType
from ledger.projections.recall import RecallList
from ledger.projections.trace import Edge, Graph, trace

#: The relation shown for a kit's sealed lot, to readers who may open it.
SEALED_FILL = "fill (sealed)"
#: The relation from a blinded lot to every kit of its study, in recall lists.
STUDY_KIT = "kit of the blinded study"


def unseal_trace(ctx: ApiContext, graph: Graph) -> None:
    """Add the links hidden behind a blinded study's seals to `graph`, with what lies beyond
    them, until no sealed link is left."""
    up = graph.direction == "up"
    opened: set[str] = set()
    while pending := [c for c in graph.nodes if c not in opened]:
        opened.update(pending)
        for parent, child in sealed_links(ctx.ledger, pending, up):
            _merge(ctx, graph, parent if up else child, Edge(parent, child, SEALED_FILL))
    graph.edges = list(dict.fromkeys(graph.edges))


def add_study_kits(ctx: ApiContext, graph: Graph) -> None:
    """For a recall list (a trace down): every kit of each blinded study whose lot `graph`
    reaches, with what lies below each kit."""
    for node in graph.of_type(ItemType.PRODUCT_LOT):
        lot = ctx.ledger.load(node.code, ItemType.PRODUCT_LOT, ProductLot)
        if lot.blinding is None:
            continue
        study = ctx.ledger.load(lot.blinding["study"], ItemType.STUDY, Study)
        for kit in study.kits:
            _merge(ctx, graph, kit, Edge(lot.code, kit, STUDY_KIT))
    graph.edges = list(dict.fromkeys(graph.edges))


def _merge(ctx: ApiContext, graph: Graph, code: str, link: Edge) -> None:
    beyond = trace(ctx.views_engine, code, graph.direction)
    for found, node in beyond.nodes.items():
        graph.nodes.setdefault(found, node)
    graph.edges += [*beyond.edges, link]


def with_quality_events(ctx: ApiContext, recall: RecallList) -> dict[str, object]:
    """A recall list as JSON, each item with its open quality events (R-QMS-3): the open
    deviations that concern it and a lot's open OOS investigations."""
    events = ctx.ledger.quality_events(recall.codes())
    recall.items = [
        replace(i, quality=events[i.code]) if i.code in events else i for i in recall.items
    ]
    return recall.as_json()
