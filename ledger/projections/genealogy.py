"""Genealogy edges (R-TRC-1, R-TRC-2, read side of R-DON-7): parent -> child between items.

Edges come from what the domain records: an item that records the codes made from it
(`ItemsDerived`, relation = the step, e.g. "collection", "isolation", "master bank"), and any
event that records the material lots it used (dicts with a "lot" code: "material used in").
The items projection writes them in the same transaction as the items they join.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Column, Index, String, Table

from ledger.storage.tables import metadata

MATERIAL_USED = "material used in"

edges_table = Table(
    "genealogy_edges",
    metadata,
    Column("parent_code", String(40), primary_key=True),
    Column("child_code", String(40), primary_key=True),
    Column("relation", String(60), primary_key=True),
    Column("notification_id", BigInteger, nullable=False),
    Index("genealogy_by_child", "child_code", "parent_code"),
)


def edges_of(event: Any, code: str) -> list[tuple[str, str, str]]:
    """The (parent, child, relation) edges an event of item `code` records."""
    return edges_from(type(event).__name__, vars(event), code)


def edges_from(name: str, fields: dict[str, Any], code: str) -> list[tuple[str, str, str]]:
    """`edges_of` an event of class `name` with `fields` (as stored, decoded)."""
    lots = dict.fromkeys(
        use["lot"]
        for value in fields.values()
        if isinstance(value, list)
        for use in value
        if isinstance(use, dict) and isinstance(use.get("lot"), str)
    )
    edges = [(lot, code, MATERIAL_USED) for lot in lots]
    if name == "ItemsDerived":
        edges += [(code, str(child), str(fields["step"])) for child in fields["codes"]]
    return edges
