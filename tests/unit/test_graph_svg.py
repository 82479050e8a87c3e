"""R-TRC-3: the genealogy picture of a 500-item trace, parsed as real XML: every item and link
is drawn, text at reading size, each line of a node cut to fit its box with the full text in
the node's title, holds and open quality events outlined, in English and Chinese."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from ledger.api.pages.graph_svg import ELLIPSIS, NODE_W, PAD, fit, render, text_width
from ledger.identifiers import ItemType, format_code
from ledger.projections.trace import Edge, Graph, Node

NS = "{http://www.w3.org/2000/svg}"
HOLD = (
    "temperature excursion in SHP-F01-24-000002: -41.2 C outside -90..-60 C; await the assessment"
)
OOS = "DEV-F01-24-000001-X sterility out of specification on the second harvest of the lot"


def _code(item_type: ItemType, serial: int) -> str:
    return format_code(item_type, "F01", 2024, serial)


def _donor_trace_down() -> Graph:
    """A donor's trace forward with 500 items: one bank chain, 122 bank vials, 4 cultures, 12
    harvests, 6 lots (the first from two harvests), 300 product vials, 50 patients; one vial on
    hold, one lot with open quality events."""
    chain = [ItemType.DONOR, ItemType.COLLECTION, ItemType.CELL_PORTION, ItemType.SEED_BANK]
    chain += [ItemType.MASTER_CELL_BANK, ItemType.WORKING_CELL_BANK]
    nodes: dict[str, Node] = {}
    edges: list[Edge] = []

    def add(item_type: ItemType, serial: int, parents: list[str], status: str = "released") -> str:
        code = _code(item_type, serial)
        nodes[code] = Node(code, item_type.value, status, [])
        edges.extend(Edge(p, code, item_type.label) for p in parents)
        return code

    last: list[str] = []
    for item_type in chain:
        last = [add(item_type, 1, last, "eligible" if item_type is ItemType.DONOR else "active")]
    vials = [add(ItemType.BANK_VIAL, i, last, "in storage") for i in range(1, 123)]
    cultures = [add(ItemType.CULTURE, i, [vials[i]], "thawed") for i in range(1, 5)]
    harvests = [add(ItemType.HARVEST, i, [cultures[i % 4]], "harvested") for i in range(1, 13)]
    lots = [add(ItemType.PRODUCT_LOT, 1, harvests[:2], "certified")]
    lots += [add(ItemType.PRODUCT_LOT, i, [harvests[i]], "certified") for i in range(2, 7)]
    product = [add(ItemType.PRODUCT_VIAL, i, [lots[i % 6]], "filled") for i in range(1, 301)]
    for i in range(1, 51):
        add(ItemType.PATIENT, i, [product[i]], "administered")
    nodes[product[7]].holds = [{"reason": HOLD}]
    nodes[lots[0]].quality = [OOS, "DEV-F01-24-000002-V label misprint"]
    assert len(nodes) == 500
    return Graph(
        root=nodes[_code(ItemType.DONOR, 1)].code, direction="down", nodes=nodes, edges=edges
    )


def _svg(graph: Graph, language: str = "en") -> ET.Element:
    return ET.fromstring(render(graph, language))  # raises unless well-formed


def _nodes(svg: ET.Element) -> dict[str, ET.Element]:
    groups = (g for g in svg.iter(NS + "g") if "node" in (g.get("class") or "").split())
    return {g.get("data-code", ""): g for g in groups}


@pytest.mark.parametrize("language", ["en", "zh"])
def test_r_trc_3_a_500_item_trace_draws_every_item_and_link(language: str) -> None:
    # Given a donor's trace forward with 500 items
    graph = _donor_trace_down()
    # When it is drawn
    svg = _svg(graph, language)
    # Then every item is a node linking to its own trace, with its status, and every link a path
    nodes = _nodes(svg)
    assert set(nodes) == set(graph.nodes)
    for code, g in nodes.items():
        assert g.get("data-status") == graph.nodes[code].status
        assert g.find(NS + "a") is not None and g.find(NS + "a").get("href") == f"/trace/{code}"  # type: ignore[union-attr]
    edges = [p for p in svg.iter(NS + "path") if p.get("class") == "edge"]
    assert {(p.get("data-parent"), p.get("data-child")) for p in edges} == {
        (e.parent, e.child) for e in graph.edges
    }


@pytest.mark.parametrize("language", ["en", "zh"])
def test_r_trc_3_node_text_fits_its_box_and_the_full_text_is_in_the_title(language: str) -> None:
    graph = _donor_trace_down()
    svg = _svg(graph, language)
    cut = 0
    for code, g in _nodes(svg).items():
        rect = g.find(f"{NS}a/{NS}rect")
        assert rect is not None and float(rect.get("width", 0)) == NODE_W
        title = g.findtext(NS + "title") or ""
        for text in g.iter(NS + "text"):
            line, size = text.text or "", float(text.get("font-size", 0))
            mono = text.get("font-family") == "monospace"
            # Then no line is wider than its box leaves room for...
            assert text_width(line, size, mono=mono) <= NODE_W - 2 * PAD, (code, line)
            assert float(text.get("x", 0)) == float(rect.get("x", 0)) + PAD
            # ...and a line cut short is whole in the node's title
            if line.endswith(ELLIPSIS):
                cut += 1
                assert line[:-1].rstrip() in title and len(title) > len(line)
        assert code in title
    # And the long texts were cut: the hold's reason and the open quality events, whole in titles
    held = _nodes(svg)[_code(ItemType.PRODUCT_VIAL, 8)]
    assert HOLD in (held.findtext(NS + "title") or "")
    assert [t.text for t in held.iter(NS + "text")][-1].endswith(ELLIPSIS)  # type: ignore[union-attr]
    flagged = _nodes(svg)[_code(ItemType.PRODUCT_LOT, 1)]
    assert OOS in (flagged.findtext(NS + "title") or "")
    assert "label misprint" in (flagged.findtext(NS + "title") or "")
    assert cut >= 2


def test_r_trc_3_node_text_is_drawn_at_reading_size() -> None:
    # The page never zooms the picture below 11 px text, computed from the smallest size drawn
    svg = _svg(_donor_trace_down())
    sizes = {
        float(t.get("font-size", 0)) for g in _nodes(svg).values() for t in g.iter(NS + "text")
    }
    assert min(sizes) == float(svg.get("data-min-font", 0)) >= 11
    # and the picture is drawn at its own size, not squeezed into a fixed width
    view = [float(v) for v in svg.get("viewBox", "").split()]
    assert (float(svg.get("width", 0)), float(svg.get("height", 0))) == (view[2], view[3])


def test_r_trc_3_holds_quality_events_and_the_traced_item_are_outlined() -> None:
    graph = _donor_trace_down()
    nodes = _nodes(_svg(graph))

    def outline(code: str) -> str | None:
        return nodes[code].find(f"{NS}a/{NS}rect").get("stroke")  # type: ignore[union-attr]

    assert outline(_code(ItemType.PRODUCT_VIAL, 8)) == "#c62828"  # on hold: red
    assert outline(_code(ItemType.PRODUCT_LOT, 1)) == "#e65100"  # open deviation or OOS: orange
    assert outline(graph.root) == "#1f4e9e"
    assert outline(_code(ItemType.PRODUCT_VIAL, 9)) == "#9aa5b1"
    assert nodes[_code(ItemType.PRODUCT_LOT, 1)].get("data-quality") == "; ".join(
        graph.nodes[_code(ItemType.PRODUCT_LOT, 1)].quality
    )


def test_r_trc_3_items_stand_in_columns_by_type_each_beside_its_parent() -> None:
    graph = _donor_trace_down()
    at = {
        code: (float(r.get("x", 0)), float(r.get("y", 0)))
        for code, g in _nodes(_svg(graph)).items()
        if (r := g.find(f"{NS}a/{NS}rect")) is not None
    }
    # Material flows left to right: every link goes to a column further right
    assert all(at[e.parent][0] < at[e.child][0] for e in graph.edges)
    # An item is never drawn above its (first) parent, and an only child is level with it
    for code in graph.nodes:
        parents = [at[e.parent][1] for e in graph.parents(code)]
        assert at[code][1] >= min(parents, default=0), code
    assert at[_code(ItemType.COLLECTION, 1)][1] == at[graph.root][1]


def test_fit_cuts_with_an_ellipsis_only_what_does_not_fit() -> None:
    assert fit("released", 13, 192) == "released"
    assert text_width("mmmm", 10) == 40.0 and text_width("中文", 13) == 26.0
    cut = fit("暂停使用运输途中温度超出范围等待评估结果后再决定", 13, 192)
    assert cut.endswith(ELLIPSIS) and text_width(cut, 13) <= 192
    assert len(cut) == 192 // 13  # 14 wide characters, the ellipsis one of them
