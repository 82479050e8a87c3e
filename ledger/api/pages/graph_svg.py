"""The genealogy as an SVG picture (R-TRC-3): donor -> banks -> cultures -> lots -> vials ->
patients, left to right in columns by item type, each item near its parent, coloured by status,
holds outlined in red and open quality events (deviations, OOS investigations) in orange.

The picture is drawn at its reading size (text of at least `SMALLEST_FONT` px at scale 1); the
page shows it in a scrolling box and never scales it below 11 px text (`data-min-font`). Every
node's text is cut to fit its box (with an ellipsis) and its full text is in the node's
`<title>`; nodes and edges carry what the page's list view is built from (`data-*`)."""

from __future__ import annotations

from collections import defaultdict
from html import escape

from ledger.api.pages.i18n import translator
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
    "RTN": 17,
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
HELD, FLAGGED, ROOT, PLAIN = "#c62828", "#e65100", "#1f4e9e", "#9aa5b1"
NODE_W, NODE_H, GAP_X, GAP_Y, MARGIN, PAD, HEAD = 212, 68, 44, 14, 16, 10, 30
CODE_FONT, TEXT_FONT = 14, 13  # px at scale 1: the code (monospace), the type and the status
SMALLEST_FONT = min(CODE_FONT, TEXT_FONT)
TEXT_ROOM = NODE_W - 2 * PAD  # the width a line of node text may take
ELLIPSIS = "\u2026"

# Widths of characters in em, on the wide side of common sans fonts (DejaVu Sans, Verdana), so
# that a cut line fits whatever font the reader's device picks.
_NARROW = frozenset(" .,:;'!|()[]{}iljtfrI")
_WIDE = frozenset("mwMW@%")


def text_width(text: str, size: float, *, mono: bool = False) -> float:
    """An upper estimate of the width of `text` at font `size` px; Chinese counts one em."""
    width = 0.0
    for c in text:
        if ord(c) > 0x2E7F or c == ELLIPSIS:
            em = 1.0
        elif mono:
            em = 0.62
        elif c in _NARROW:
            em = 0.42
        elif c in _WIDE:
            em = 1.0
        elif c.isupper():
            em = 0.8
        elif c.isascii() and (c.isalnum() or c in "-_·"):
            em = 0.66
        else:
            em = 0.8
        width += em * size
    return width


def fit(text: str, size: float, room: float, *, mono: bool = False) -> str:
    """`text`, or as much of it as fits in `room` px followed by an ellipsis."""
    if text_width(text, size, mono=mono) <= room:
        return text
    end = len(text)
    while end and text_width(text[:end].rstrip() + ELLIPSIS, size, mono=mono) > room:
        end -= 1
    return text[:end].rstrip() + ELLIPSIS


def _label(prefix: str) -> str:
    try:
        return ItemType(prefix).label
    except ValueError:
        return prefix


def _layout(graph: Graph) -> tuple[list[tuple[str, list[str]]], dict[str, tuple[int, int]]]:
    """The columns (item type, codes top to bottom) and each node's top-left corner. A column
    lists its items in the order of their parents in the columns before, each item no higher
    than its first parent, so that a vial sits beside its bank and siblings stay together."""
    by_rank: dict[int, list[str]] = defaultdict(list)
    for code, node in graph.nodes.items():
        by_rank[RANK.get(node.item_type, len(RANK))].append(code)
    parents: dict[str, list[str]] = defaultdict(list)
    for edge in graph.edges:
        parents[edge.child].append(edge.parent)
    position: dict[str, tuple[int, int]] = {}
    columns: list[tuple[str, list[str]]] = []
    top = MARGIN + HEAD
    for col, rank in enumerate(sorted(by_rank)):
        x = MARGIN + col * (NODE_W + GAP_X)

        def anchor(code: str) -> tuple[int, str]:
            placed = [position[p][1] for p in parents[code] if p in position]
            return (min(placed, default=top), code)

        ordered = sorted(by_rank[rank], key=anchor)
        free = top
        for code in ordered:
            y = max(free, anchor(code)[0])
            position[code] = (x, y)
            free = y + NODE_H + GAP_Y
        columns.append((graph.nodes[ordered[0]].item_type, ordered))
    return columns, position


def _edges(graph: Graph, position: dict[str, tuple[int, int]]) -> list[str]:
    parts = []
    for edge in graph.edges:
        if edge.parent not in position or edge.child not in position:
            continue
        (x1, y1), (x2, y2) = position[edge.parent], position[edge.child]
        a, b = (x1 + NODE_W, y1 + NODE_H // 2), (x2, y2 + NODE_H // 2)
        if x2 <= x1:  # same column or backwards: route around
            a, b = (x1 + NODE_W // 2, y1 + NODE_H), (x2 + NODE_W // 2, y2)
        mid = (a[0] + b[0]) // 2
        parts.append(
            f'<path class="edge" data-parent="{escape(edge.parent)}" '
            f'data-child="{escape(edge.child)}" '
            f'd="M{a[0]},{a[1]} C{mid},{a[1]} {mid},{b[1]} {b[0]},{b[1]}" '
            f'fill="none" stroke="#7a869a" stroke-width="1.5">'
            f"<title>{escape(edge.relation)}</title></path>"
        )
    return parts


def _node(graph: Graph, code: str, x: int, y: int, language: str) -> str:
    node = graph.nodes[code]
    held, flagged, root = bool(node.holds), bool(node.quality), code == graph.root
    stroke = HELD if held else FLAGGED if flagged else ROOT if root else PLAIN
    fill = FILL.get("on hold" if held else node.status, "#eef3fb")
    status = (
        f"{term('on hold', language)}: {node.holds[-1]['reason']}"
        if held
        else f"{term('open', language)}: {node.quality[0]}"
        if flagged
        else status_term(node.status, node.item_type, language)
    )
    kind = term(_label(node.item_type), language)
    full = "\n".join([code, kind, status, *node.quality[1 if flagged and not held else 0 :]])
    classes = "node" + " root" * root + " held" * held + " flagged" * flagged
    listed = f' data-quality="{escape("; ".join(node.quality))}"' if flagged else ""
    lines = (
        (22, CODE_FONT, fit(code, CODE_FONT, TEXT_ROOM, mono=True), ' font-family="monospace"'),
        (41, TEXT_FONT, fit(kind, TEXT_FONT, TEXT_ROOM), ' fill="#5b6675"'),
        (59, TEXT_FONT, fit(status, TEXT_FONT, TEXT_ROOM), ' fill="#b71c1c"' * held),
    )
    text = "".join(
        f'<text x="{x + PAD}" y="{y + dy}" font-size="{size}"{extra}>{escape(line)}</text>'
        for dy, size, line, extra in lines
    )
    return (
        f'<g class="{classes}" data-code="{escape(code)}" data-status="{escape(node.status)}" '
        f'data-type="{escape(node.item_type)}" data-type-label="{escape(kind)}" '
        f'data-status-label="{escape(status)}"{listed}>'
        f"<title>{escape(full)}</title>"
        f'<a href="/trace/{escape(code)}"><rect x="{x}" y="{y}" width="{NODE_W}" '
        f'height="{NODE_H}" rx="6" fill="{fill}" stroke="{stroke}" '
        f'stroke-width="{3 if held or flagged or root else 1.2}"/>{text}</a></g>'
    )


def render(graph: Graph, language: str = "en") -> str:
    """Lay the graph out in columns by item type and return standalone SVG markup, with item
    types and statuses in `language`."""
    columns, position = _layout(graph)
    width = MARGIN * 2 + max(len(columns), 1) * (NODE_W + GAP_X) - GAP_X
    height = max((y + NODE_H for _, y in position.values()), default=MARGIN + HEAD) + MARGIN
    title = translator(language)("trace.graph_title").format(code=graph.root)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="genealogy" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'data-min-font="{SMALLEST_FONT}" data-root="{escape(graph.root)}">',
        f"<title>{escape(title)}</title>",
    ]
    for item_type, codes in columns:  # a heading over each column: the items' type
        x = position[codes[0]][0]
        heading = fit(term(_label(item_type), language), TEXT_FONT * 1.1, NODE_W)  # bold
        parts.append(
            f'<text class="column" x="{x}" y="{MARGIN + 14}" font-size="{TEXT_FONT}" '
            f'font-weight="bold" fill="#5b6675">{escape(heading)}</text>'
        )
    parts += _edges(graph, position)
    parts += [_node(graph, code, *position[code], language) for _, col in columns for code in col]
    parts.append("</svg>")
    return "".join(parts)
