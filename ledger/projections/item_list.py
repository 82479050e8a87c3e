"""Lists of items from the items read model (R-TRC-2): filtered by type, status, lot, site,
location, holds and creation date, searched by code prefix, lot, study or patient, sorted, and
paged by key (keyset pagination, never OFFSET), so a page costs the same at the end of a list
as at its start and rows added meanwhile never make a page repeat or skip a row.

Every sort is a key that ends with the item's code, which is unique, so the order is total; a
page is the rows whose key comes after the last key of the page before. Each combination of
one type, one status and one search alternative is a range of one index of `items`
(`ledger.projections.items`): a list that names several is the union of those ranges, each
read in order up to the page's length, merged and cut in the database.

Like every projection it reads only the view; it counts and lists from it, never by loading
aggregates.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from itertools import product
from typing import Any

from sqlalchemy import ColumnElement, Engine, Select, and_, or_, select, tuple_, union

from ledger.projections.items import EXPIRY_ORDER, items_table

C = items_table.c
#: At most this many index ranges in one page's union; beyond it, one query with IN lists.
MAX_BRANCHES = 32


class Sort(StrEnum):
    CODE = "code"
    CREATED = "created"
    EXPIRY = "expiry"
    STATUS = "status"
    TYPE = "type"


# The key of each sort, ending with the code. A type is its code's prefix (`ItemsProjection`
# takes it from the code), so type order is code order.
SORT_KEYS: dict[Sort, tuple[ColumnElement[Any], ...]] = {
    Sort.CODE: (C.code,),
    Sort.TYPE: (C.code,),
    Sort.CREATED: (C.created_at, C.code),
    Sort.EXPIRY: (EXPIRY_ORDER, C.code),
    Sort.STATUS: (C.status, C.code),
}


@dataclass(frozen=True)
class ItemFilter:
    """What a list keeps: every condition given must hold; several types or statuses are
    alternatives; `q` matches a code prefix, or a lot, study or patient exactly."""

    types: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    lot: str | None = None
    site: str | None = None
    location: str | None = None  # a part of the location, any case
    held: bool | None = None  # True: on hold; False: not on hold
    hold_rule: str | None = None  # on hold under this rule ID
    created_from: date | None = None  # UTC dates, both included
    created_to: date | None = None
    q: str | None = None

    def as_json(self) -> dict[str, object]:
        """The filter's values, for a fingerprint of the list a cursor belongs to."""
        return {
            k: (list(v) if isinstance(v, tuple) else str(v) if isinstance(v, date) else v)
            for k, v in vars(self).items()
        }


@dataclass(frozen=True)
class ItemRow:
    """One item as a list shows it."""

    code: str
    item_type: str
    status: str
    holds: tuple[dict[str, str], ...]  # {rule, reason} of each hold, as recorded
    location: str | None
    lot: str | None
    expiry: str | None
    created_at: str
    site: str | None
    study: str | None
    patient: str | None


@dataclass(frozen=True)
class ItemPage:
    rows: list[ItemRow]
    next_key: tuple[str, ...] | None  # the key to continue after; None at the list's end


COLUMNS = (
    C.code,
    C.item_type,
    C.status,
    C.holds,
    C.location,
    C.lot,
    C.expiry,
    C.created_at,
    C.site,
    C.study,
    C.patient,
)


def list_items(
    engine: Engine,
    where: ItemFilter,
    sort: Sort = Sort.CODE,
    descending: bool = False,
    limit: int = 50,
    after: Sequence[str] | None = None,
) -> ItemPage:
    """One page: up to `limit` items after the key `after` (from the start when None)."""
    query = page_query(where, sort, descending, limit + 1, after)
    with engine.connect() as conn:
        found = conn.execute(query).all()
    rows = [_row(r) for r in found[:limit]]
    more = len(found) > limit
    width = len(SORT_KEYS[sort])
    next_key = tuple(str(v) for v in found[limit - 1][-width:]) if more and rows else None
    return ItemPage(rows, next_key)


def iter_items(
    engine: Engine,
    where: ItemFilter,
    sort: Sort = Sort.CODE,
    descending: bool = False,
    chunk: int = 1000,
    after: Sequence[str] | None = None,
) -> Iterator[ItemRow]:
    """Every item of the list (after the key `after`), read `chunk` rows at a time by key:
    memory stays that of one chunk however long the list (for exports)."""
    while True:
        page = list_items(engine, where, sort, descending, chunk, after)
        yield from page.rows
        if page.next_key is None:
            return
        after = page.next_key


def page_query(
    where: ItemFilter, sort: Sort, descending: bool, limit: int, after: Sequence[str] | None
) -> Select[Any]:
    """The SQL of one page: the columns of a row, then its sort key."""
    keys = SORT_KEYS[sort]
    if after is not None and len(after) != len(keys):
        raise ValueError(f"a key of the {sort} sort has {len(keys)} parts")
    labelled = [k.label(f"_key{i}") for i, k in enumerate(keys)]
    common = _conditions(where)
    if after is not None:
        mine, theirs = tuple_(*keys), tuple_(*after)
        common.append(mine < theirs if descending else mine > theirs)
    branches = _branches(where)

    def ordered(terms: Sequence[ColumnElement[Any]]) -> list[ColumnElement[Any]]:
        return [t.desc() if descending else t.asc() for t in terms]

    if len(branches) == 1:
        (only,) = branches
        return (
            select(*COLUMNS, *labelled).where(*common, *only).order_by(*ordered(keys)).limit(limit)
        )
    parts = [
        select(*COLUMNS, *labelled)
        .where(*common, *terms)
        .order_by(*ordered(keys))
        .limit(limit)
        .subquery()
        for terms in branches
    ]
    merged = union(*(select(*part.c) for part in parts)).subquery()
    key_columns = [merged.c[f"_key{i}"] for i in range(len(keys))]
    return select(merged).order_by(*ordered(key_columns)).limit(limit)


def _conditions(where: ItemFilter) -> list[ColumnElement[bool]]:
    """The conditions every row of the list meets."""
    terms: list[ColumnElement[bool]] = []
    if where.lot is not None:
        terms.append(C.lot == where.lot)
    if where.site is not None:
        terms.append(C.site == where.site)
    if where.location is not None:
        terms.append(C.location.ilike(f"%{_escaped(where.location)}%", escape="\\"))
    if where.held is not None or where.hold_rule is not None:
        terms.append(C.held.is_(where.held is not False))
    if where.hold_rule is not None:  # holds are stored as JSON with sorted keys
        rule = json.dumps({"rule": where.hold_rule})[1:-1]
        terms.append(C.holds.like(f"%{_escaped(rule)}%", escape="\\"))
    if where.created_from is not None:
        terms.append(C.created_at >= where.created_from.isoformat())
    if where.created_to is not None:
        terms.append(C.created_at < (where.created_to + timedelta(days=1)).isoformat())
    return terms


def _branches(where: ItemFilter) -> list[list[ColumnElement[bool]]]:
    """The alternatives of the list, each a range of one index: one type, one status and one
    way of matching the search. Too many of them become one query with IN lists."""
    types: list[ColumnElement[bool] | None] = [C.item_type == t for t in where.types] or [None]
    statuses: list[ColumnElement[bool] | None] = [C.status == s for s in where.statuses] or [None]
    found: list[ColumnElement[bool] | None] = _search(where.q) or [None]
    if len(types) * len(statuses) * len(found) > MAX_BRANCHES:
        return [
            [
                term
                for term in (
                    C.item_type.in_(where.types) if where.types else None,
                    C.status.in_(where.statuses) if where.statuses else None,
                    _any(found),
                )
                if term is not None
            ]
        ]
    return [[t for t in terms if t is not None] for terms in product(types, statuses, found)]


def _search(q: str | None) -> list[ColumnElement[bool] | None]:
    """How `q` matches: a code starting with it (any case), or a lot, study or patient."""
    if q is None:
        return []
    prefix = q.upper()
    # a range of the primary key, and LIKE for the exact meaning under any collation
    by_code = and_(
        C.code >= prefix,
        C.code < prefix + "\U0010ffff",
        C.code.like(f"{_escaped(prefix)}%", escape="\\"),
    )
    named = sorted({q, prefix})
    return [by_code, *(column.in_(named) for column in (C.lot, C.study, C.patient))]


def _any(terms: list[ColumnElement[bool] | None]) -> ColumnElement[bool] | None:
    given = [t for t in terms if t is not None]
    if not given:
        return None
    return or_(*given)


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _row(row: Any) -> ItemRow:
    holds = json.loads(row.holds or "[]")
    return ItemRow(
        code=row.code,
        item_type=row.item_type,
        status=row.status,
        holds=tuple({"rule": h.get("rule", ""), "reason": h.get("reason", "")} for h in holds),
        location=row.location,
        lot=row.lot,
        expiry=row.expiry,
        created_at=row.created_at,
        site=row.site,
        study=row.study,
        patient=row.patient,
    )
