"""The genealogy as an SVG picture: donor -> banks -> cultures -> lots -> vials -> patients,
left to right, items coloured by status, holds outlined in red and open quality events
(deviations, OOS investigations) in orange (for /trace/{code})."""

from __future__ import annotations

from collections import defaultdict
from html import escape

from ledger.identifiers import ItemType
from ledger.messages import status_term, term
from ledger.projections.trace import Graph

# Column of each item type, in the order material flows.
RANK: dict[str, int] = {
    "PER": 0,
    "DON": 1,
    "COL": 2,
    "MAT": 3,
    "CEL": 4,
    "CLN": 5,
    "SCB": 6,
    "MCB": 7,
    "WCB": 8,
    "BVL": 9,
    "CUL": 10,
    "HRV": 11,
    "LOT": 12,
    "PVL": 13,
    "CNT": 14,
    "SHP": 15,
    "PAT": 16,
}
FILL = {
    "released": "#dff5e1",
    "certified": "#dff5e1",
    "administered": "#e6e0f8",
    "on hold": "#fde2e1",
    "ineligible": "#fde2e1",
    "rejected": "#fde2e1",
    "recalled": "#fde2e1",
    "quarantined": "#fff0c9",
    "disposed": "#e4e4e4",
}
NODE_W, NODE_H, GAP_X, GAP_Y, MARGIN = 176, 48, 40, 18, 16


def _label(prefix: str) -> str:
    try:
        return ItemType(prefix).label
    except ValueError:
        return prefix


def render(graph: Graph, language: str = "en") -> str:
    """Lay the graph out in columns by item type and return standalone SVG markup, with item
    types and statuses in `language`."""
    columns: dict[int, list[str]] = defaultdict(list)
    for code, node in sorted(graph.nodes.items()):
        columns[RANK.get(node.item_type, len(RANK))].append(code)
    position: dict[str, tuple[int, int]] = {}
    for col, rank in enumerate(sorted(columns)):
        for row, code in enumerate(columns[rank]):
            position[code] = (
                MARGIN + col * (NODE_W + GAP_X),
                MARGIN + row * (NODE_H + GAP_Y),
            )
    width = MARGIN * 2 + max(len(columns), 1) * (NODE_W + GAP_X) - GAP_X
    height = MARGIN * 2 + max((len(c) for c in columns.values()), default=1) * (NODE_H + GAP_Y)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="genealogy" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        ">",
        "<title>Genealogy of " + escape(graph.root) + "</title>",
    ]
    for edge in graph.edges:
        if edge.parent not in position or edge.child not in position:
            continue
        (x1, y1), (x2, y2) = position[edge.parent], position[edge.child]
        a, b = (x1 + NODE_W, y1 + NODE_H // 2), (x2, y2 + NODE_H // 2)
        if x2 <= x1:  # same column or backwards: route around
            a, b = (x1 + NODE_W // 2, y1 + NODE_H), (x2 + NODE_W // 2, y2)
        mid = (a[0] + b[0]) // 2
        parts.append(
            f'<path class="edge" d="M{a[0]},{a[1]} C{mid},{a[1]} {mid},{b[1]} {b[0]},{b[1]}" '
            f'fill="none" stroke="#7a869a" stroke-width="1.5">'
            f"<title>{escape(edge.relation)}</title></path>"
        )
    for code, (x, y) in position.items():
        node = graph.nodes[code]
        held, flagged = bool(node.holds), bool(node.quality)
        stroke = "#c62828" if held else ("#e65100" if flagged else None)
        stroke = stroke or ("#1f4e9e" if code == graph.root else "#9aa5b1")
        fill = FILL.get("on hold" if held else node.status, "#eef3fb")
        status = (
            f"{term('on hold', language)}: {node.holds[-1]['reason']}"
            if held
            else f"{term('open', language)}: {node.quality[0]}"
            if flagged
            else status_term(node.status, node.item_type, language)
        )
        listed = escape("; ".join(node.quality))
        events = f' data-quality="{listed}"><title>{listed}</title>' if flagged else ">"
        parts.append(
            f'<g class="node" data-code="{escape(code)}" data-status="{escape(node.status)}"'
            f"{events}"
            f'<a href="/trace/{escape(code)}"><rect x="{x}" y="{y}" width="{NODE_W}" '
            f'height="{NODE_H}" rx="6" fill="{fill}" stroke="{stroke}" '
            f'stroke-width="{3 if held or flagged or code == graph.root else 1.2}"/>'
            f'<text x="{x + 8}" y="{y + 18}" font-size="12" font-family="monospace">'
            f"{escape(code)}</text>"
            f'<text x="{x + 8}" y="{y + 36}" font-size="11">'
            f"{escape(term(_label(node.item_type), language))} · {escape(status[:40])}"
            "</text></a></g>"
        )
    parts.append("</svg>")
    return "".join(parts)
