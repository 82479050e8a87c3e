"""Trace queries over the genealogy (R-TRC-1, R-TRC-2, R-DON-7): up to the donors, down to
every vial and patient, as a graph `{nodes, edges}` - one recursive query each way."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import Engine, text

Direction = Literal["up", "down"]

_WALK = {
    "up": "SELECT e.parent_code FROM genealogy_edges e JOIN walk w ON e.child_code = w.code",
    "down": "SELECT e.child_code FROM genealogy_edges e JOIN walk w ON e.parent_code = w.code",
}
_TRACE = """
WITH RECURSIVE walk(code) AS (SELECT :code UNION {step})
SELECT 'node' AS kind, i.code AS a, i.item_type AS b, i.status AS c, i.holds AS d
  FROM items i WHERE i.code IN (SELECT code FROM walk)
UNION ALL
SELECT 'edge', e.parent_code, e.child_code, e.relation, NULL
  FROM genealogy_edges e
 WHERE e.{near} IN (SELECT code FROM walk) AND e.{far} IN (SELECT code FROM walk)
UNION ALL
SELECT DISTINCT 'actor', t.item_code, t.actor_id, t.actor_role, NULL
  FROM timeline t WHERE t.item_code IN (SELECT code FROM walk)
"""
_QUERIES = {
    "up": _TRACE.format(step=_WALK["up"], near="child_code", far="parent_code"),
    "down": _TRACE.format(step=_WALK["down"], near="parent_code", far="child_code"),
}


@dataclass
class Node:
    code: str
    item_type: str
    status: str
    holds: list[dict[str, str]]
    actors: list[dict[str, str]] = field(default_factory=list)


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

    def as_json(self) -> dict[str, Any]:
        return {
            "root": self.root,
            "direction": self.direction,
            "nodes": [vars(n) for n in sorted(self.nodes.values(), key=lambda n: n.code)],
            "edges": [vars(e) for e in sorted(self.edges, key=lambda e: (e.parent, e.child))],
        }


def trace(engine: Engine, code: str, direction: Direction = "up") -> Graph:
    """Everything upstream (`up`, to the donors) or downstream (`down`) of `code`."""
    graph = Graph(root=code, direction=direction, nodes={}, edges=[])
    actors: list[tuple[str, str, str]] = []
    with engine.connect() as conn:
        for kind, a, b, c, d in conn.execute(text(_QUERIES[direction]), {"code": code}):
            if kind == "node":
                graph.nodes[a] = Node(a, b, c, json.loads(d) if d else [])
            elif kind == "edge":
                graph.edges.append(Edge(a, b, c))
            else:
                actors.append((a, b, c))
    for item, actor, role in sorted(actors):
        if item in graph.nodes:
            graph.nodes[item].actors.append({"person": actor, "role": role})
    return graph


def render_tree(graph: Graph) -> str:
    """A readable tree for the terminal, one item per line, following the trace direction."""
    lines: list[str] = []

    def label(code: str) -> str:
        node = graph.nodes.get(code)
        if node is None:
            return code
        held = f"  ON HOLD: {node.holds[-1]['reason']}" if node.holds else ""
        return f"{code}  [{node.status}]{held}"

    def walk(code: str, prefix: str, seen: frozenset[str]) -> None:
        links = graph.parents(code) if graph.direction == "up" else graph.children(code)
        for i, edge in enumerate(sorted(links, key=lambda e: (e.relation, e.parent, e.child))):
            last = i == len(links) - 1
            nxt = edge.parent if graph.direction == "up" else edge.child
            branch = "`-- " if last else "|-- "
            lines.append(f"{prefix}{branch}{edge.relation}: {label(nxt)}")
            if nxt not in seen:
                walk(nxt, prefix + ("    " if last else "|   "), seen | {nxt})

    lines.append(label(graph.root))
    walk(graph.root, "", frozenset({graph.root}))
    return "\n".join(lines)
