"""Trace queries over the genealogy (R-TRC-1, R-TRC-2, R-DON-7): up to the donors, with every
intermediate item, material lot, QC result and actor; down to every vial and patient, with
each item's status and place now. One recursive query each way, as a graph `{nodes, edges}`.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import Engine, text

from ledger.identifiers import SHIPPED_IN, ItemType  # SHIPPED_IN: literally in the queries below

Direction = Literal["up", "down"]

# Events that record a quality result or decision on an item, shown with trace-up (R-TRC-1).
QC_EVENTS = frozenset(
    {
        "ScreeningRecorded",
        "EligibilityDetermined",
        "IdentityConfirmed",
        "TestResultRecorded",
        "Released",
        "Rejected",
        "Recalled",
        "IneligibleAfterLookback",
        "PutOnHold",
        "Quarantined",
        "Certified",
        "Disposed",
        "MajorChangeRecorded",
        "ComparabilityAssessed",
    }
)

# The walk is materialised once; nodes and edges join it (an edge's far end is in the walk by
# construction, so each edge is found by the index on its near end). Going up, the shipments
# the walked vials travelled in are reached too (R-TRC-1), without walking on from them (that
# would pull in the other vials of the shipment); going down, what is reached is the walk.
_WALK = {
    "up": "SELECT e.parent_code FROM genealogy_edges e JOIN walk w ON e.child_code = w.code",
    "down": "SELECT e.child_code FROM genealogy_edges e JOIN walk w ON e.parent_code = w.code",
}
_REACHED = {
    "up": """,
reached(code) AS MATERIALIZED (SELECT code FROM walk UNION SELECT e.child_code FROM walk w
  JOIN genealogy_edges e ON e.parent_code = w.code AND e.relation = 'shipped in')""",
    "down": "",
}
_MORE_EDGES = {
    "up": """
UNION ALL
SELECT 'edge', e.parent_code, e.child_code, e.relation, NULL, NULL, NULL, NULL
  FROM walk w JOIN genealogy_edges e ON e.parent_code = w.code AND e.relation = 'shipped in'""",
    "down": "",
}
_NODES_EDGES = """
WITH RECURSIVE walk(code) AS MATERIALIZED (SELECT CAST(:code AS VARCHAR(40)) UNION {step}){reached}
SELECT 'node' AS kind, i.code AS a, i.item_type AS b, i.status AS c, i.holds AS d,
       i.location AS e, i.lot AS f, i.expiry AS g
  FROM {reached_table} w JOIN items i ON i.code = w.code
UNION ALL
SELECT 'edge', e.parent_code, e.child_code, e.relation, NULL, NULL, NULL, NULL
  FROM walk w JOIN genealogy_edges e ON e.{near} = w.code{more}
"""
# Up: every timeline entry (actors and QC results); down: who recorded each item's steps (an
# item's distinct actors are taken in Python, cheaper than SQL's DISTINCT over every row).
_EVENTS = {
    "up": """UNION ALL
SELECT 'event', t.item_code, t.actor_id, t.actor_role, t.event_type, t.recorded_at,
       t.meaning, NULL
  FROM reached w JOIN timeline t ON t.item_code = w.code""",
    "down": """UNION ALL
SELECT 'event', t.item_code, t.actor_id, t.actor_role, NULL, NULL, NULL, NULL
  FROM walk w JOIN timeline t ON t.item_code = w.code""",
}
_QUERIES = {
    (direction, actors): _NODES_EDGES.format(
        step=_WALK[direction],
        reached=_REACHED[direction],
        reached_table="reached" if _REACHED[direction] else "walk",
        near=near,
        more=_MORE_EDGES[direction],
    )
    + (_EVENTS[direction] if actors else "")
    for direction, near in (("up", "child_code"), ("down", "parent_code"))
    for actors in (True, False)
}


@dataclass
class Node:
    code: str
    item_type: str
    status: str
    holds: list[dict[str, str]]
    actors: list[dict[str, str]] = field(default_factory=list)
    location: str | None = None
    lot: str | None = None
    expiry: str | None = None
    qc: list[dict[str, str]] = field(default_factory=list)  # trace-up only
    quality: list[str] = field(default_factory=list)  # open deviations, OOS (the application's)


@dataclass(frozen=True)
class Edge:
    parent: str
    child: str
    relation: str


@dataclass
class Graph:
    root: str
    direction: Direction
    nodes: dict[str, Node]
    edges: list[Edge]

    def children(self, code: str) -> list[Edge]:
        return [e for e in self.edges if e.parent == code]

    def parents(self, code: str) -> list[Edge]:
        return [e for e in self.edges if e.child == code]

    def of_type(self, *types: ItemType) -> list[Node]:
        """The nodes of these item types, by code (e.g. the donors, vials or patients)."""
        wanted = {t.value for t in types}
        return sorted((n for n in self.nodes.values() if n.item_type in wanted), key=_code)

    def as_json(self) -> dict[str, Any]:
        return {
            "root": self.root,
            "direction": self.direction,
            "nodes": [vars(n) for n in sorted(self.nodes.values(), key=_code)],
            "edges": [vars(e) for e in sorted(self.edges, key=lambda e: (e.parent, e.child))],
        }


def _code(node: Node) -> str:
    return node.code


def trace(engine: Engine, code: str, direction: Direction = "up", *, actors: bool = True) -> Graph:
    """Everything upstream (`up`, to the donors) or downstream (`down`) of `code`; with
    `actors`, who recorded each item's steps (and, going up, its QC results)."""
    with collector_paused():
        rows = _rows(engine, _QUERIES[direction, actors], code)
        nodes, edges = _build(rows, direction)
    return Graph(root=code, direction=direction, nodes=nodes, edges=edges)


def _build(rows: Sequence[Any], direction: Direction) -> tuple[dict[str, Node], list[Edge]]:
    nodes: dict[str, Node] = {}
    edges: list[Edge] = []
    events: list[Any] = []
    # One pass over plain tuples (a trace down from a donor is tens of thousands of rows).
    no_holds = ("[]", "", None)
    for row in rows:
        kind, a, b, c, d, e, f, g = row
        if kind == "node":
            nodes[a] = Node(a, b, c, [] if d in no_holds else json.loads(d), [], e, f, g)
        elif kind == "edge":
            edges.append(Edge(a, b, c))
        else:
            events.append(row)
    # Each item's distinct (person, role), sorted; going up, its QC results in time order.
    for item, actor, role in sorted({(e[1], e[2], e[3]) for e in events}):
        node = nodes.get(item)
        if node is not None:
            node.actors.append({"person": actor, "role": role})
    if direction == "up":
        for _, item, actor, _role, event_type, recorded_at, meaning, _ in sorted(
            events, key=_by_time
        ):
            node = nodes.get(item)
            if node is not None and event_type.rsplit(".", 1)[-1] in QC_EVENTS:
                node.qc.append(
                    {"event": event_type, "person": actor, "meaning": meaning, "at": recorded_at}
                )
    return nodes, edges


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a trace's rows become nodes (or a recall
    list's items, or their JSON): a trace down from a donor allocates some 100,000 lists,
    dicts and objects at once, none in a cycle, and the full collections they trigger took a
    third of its time. Restored on the way out, and left alone if something else turned it
    off."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _rows(engine: Engine, sql: str, code: str) -> Sequence[Any]:
    """The rows of `sql` as plain tuples: on SQLite straight from the driver's cursor (the
    query is written in its named parameter style), which skips building a result row object
    per row; on PostgreSQL through SQLAlchemy."""
    with engine.connect() as conn:
        if conn.dialect.name != "sqlite":
            return conn.execute(text(sql), {"code": code}).all()
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            return cursor.execute(sql, {"code": code}).fetchall()  # type: ignore[no-any-return]
        finally:
            cursor.close()


def _by_time(row: Any) -> tuple[str, str, str, str]:
    return (row[1], row[5] or "", row[2], row[3])


def trace_up(engine: Engine, code: str) -> Graph:
    """R-TRC-1: from a vial (later a patient) back to the donors, with every intermediate
    item, the material lots used, QC results and the people who recorded each step."""
    return trace(engine, code, "up")


def trace_down(engine: Engine, code: str, *, actors: bool = True) -> Graph:
    """R-TRC-2: from a donor, bank or material lot to every item downstream, each with its
    status and place now (patients dosed are items too, once the clinical domain records
    them)."""
    return trace(engine, code, "down", actors=actors)


def render_tree(graph: Graph) -> str:
    """A readable tree for the terminal, one item per line, following the trace direction."""
    lines: list[str] = []
    links_of: dict[str, list[Edge]] = {}
    up = graph.direction == "up"

    def near(edge: Edge) -> str:  # going up, a vial's shipment hangs under the vial
        return edge.child if up and edge.relation != SHIPPED_IN else edge.parent

    def far(edge: Edge) -> str:
        return edge.child if near(edge) == edge.parent else edge.parent

    for edge in graph.edges:
        links_of.setdefault(near(edge), []).append(edge)

    def label(code: str) -> str:
        node = graph.nodes.get(code)
        if node is None:
            return code
        place = f"  @ {node.location}" if node.location else ""
        held = f"  ON HOLD: {node.holds[-1]['reason']}" if node.holds else ""
        open_events = f"  OPEN: {'; '.join(node.quality)}" if node.quality else ""
        return f"{code}  [{node.status}]{place}{held}{open_events}"

    expanded: set[str] = set()  # an item reached twice is drawn in full only the first time

    def walk(code: str, prefix: str) -> None:
        expanded.add(code)
        links = links_of.get(code, [])
        for i, edge in enumerate(sorted(links, key=lambda e: (e.relation, e.parent, e.child))):
            last = i == len(links) - 1
            nxt = far(edge)
            branch = "`-- " if last else "|-- "
            again = nxt in expanded and links_of.get(nxt)
            lines.append(
                f"{prefix}{branch}{edge.relation}: {label(nxt)}{'  (see above)' if again else ''}"
            )
            if nxt not in expanded:
                walk(nxt, prefix + ("    " if last else "|   "))

    lines.append(label(graph.root))
    walk(graph.root, "")
    return "\n".join(lines)
