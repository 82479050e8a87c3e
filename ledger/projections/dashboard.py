"""The dashboards' lists of work in progress, counted from the read models (the `items` table
and the `worklist` the items projection keeps), never by replaying aggregates.

Each list is a `Worklist` kind: what it holds, the rule behind it and the query that finds its
entries as of a day (`today`: what is overdue, which vials expire within `days`). Each role's
dashboard shows the lists of its work (`ROLE_LISTS`); an auditor sees every list.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection, Select, and_, func, literal, null, select

from ledger.projections.genealogy import edges_table
from ledger.projections.items import items_table
from ledger.projections.worklist import (
    CAPA,
    CERTIFICATION,
    DEVIATION,
    EXCURSION,
    HALT_REPORT,
    LOT_DECISION,
    OOS,
    QC_RESULTS,
    SAE_FOLLOW_UP,
    SAE_REPORT,
    VISIT,
    WORKLIST_KINDS,
    worklist_table,
)

# Kinds counted from the items table alone.
IN_TRANSIT = "in_transit"  # shipped, not yet received (R-SHP-1)
QP_RELEASE = "qp_release"  # received at the site, awaiting the QP's release for use (R-QC-4)
ON_HOLD = "on_hold"  # any item under a hold (R-TRC-2)
EXPIRING = "expiring"  # product vials still in the chain that expire within `days` (R-QC-3)
BANK_RELEASE = "bank_release"  # cell banks in quarantine, awaiting QC and release (R-CB-5)
BANK_STOCK = "bank_stock"  # bank vials in storage, per bank (R-CB-4)

#: Statuses of a vial no longer in the chain (its expiry no longer matters).
LEFT_THE_CHAIN = (
    "administered",
    "disposed",
    "thawed",
    "rejected",
    "recalled",
    "distributed",
    "returned",
    "received back",
    "retained sample",
    "closed",
)
BANKS = ("SCB", "MCB", "WCB")


@dataclass(frozen=True)
class Kind:
    """One list: what it holds and the rule that makes it work to do."""

    name: str
    title: str  # page text key (`page:dash.<name>` in the catalogue)
    rule: str
    overdue_only: bool = False  # lists of deadlines show only the ones past due


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind(QC_RESULTS, "dash.qc_results", "R-QC-1"),
        Kind(CERTIFICATION, "dash.certification", "R-QC-2"),
        Kind(LOT_DECISION, "dash.lot_decision", "R-QMS-5"),
        Kind(OOS, "dash.oos", "R-QMS-1"),
        Kind(DEVIATION, "dash.deviation", "R-QMS-2"),
        Kind(CAPA, "dash.capa", "R-QMS-4"),
        Kind(EXCURSION, "dash.excursion", "R-SHP-2"),
        Kind(BANK_RELEASE, "dash.bank_release", "R-CB-5"),
        Kind(IN_TRANSIT, "dash.in_transit", "R-SHP-1"),
        Kind(QP_RELEASE, "dash.qp_release", "R-QC-4"),
        Kind(ON_HOLD, "dash.on_hold", "R-TRC-2"),
        Kind(EXPIRING, "dash.expiring", "R-QC-3"),
        Kind(VISIT, "dash.visit", "R-CLN-6", overdue_only=True),
        Kind(SAE_REPORT, "dash.sae_report", "R-CLN-4", overdue_only=True),
        Kind(SAE_FOLLOW_UP, "dash.sae_follow_up", "R-CLN-10", overdue_only=True),
        Kind(HALT_REPORT, "dash.halt_report", "R-CLN-9", overdue_only=True),
        Kind(BANK_STOCK, "dash.bank_stock", "R-CB-4"),
    )
}

_CLINICAL = (VISIT, SAE_REPORT, SAE_FOLLOW_UP, HALT_REPORT)
ROLE_LISTS: dict[str, tuple[str, ...]] = {
    "operator": (BANK_STOCK, ON_HOLD),
    "qc_analyst": (QC_RESULTS, OOS, BANK_RELEASE),
    "qa": (
        CERTIFICATION,
        LOT_DECISION,
        OOS,
        DEVIATION,
        CAPA,
        EXCURSION,
        BANK_RELEASE,
        ON_HOLD,
        EXPIRING,
        BANK_STOCK,
    ),
    "qp": (QP_RELEASE, CERTIFICATION, EXCURSION, ON_HOLD),
    "pharmacist": (IN_TRANSIT, QP_RELEASE, EXCURSION, EXPIRING, ON_HOLD),
    "nurse": (VISIT,),
    "investigator": _CLINICAL,
    "auditor": tuple(KINDS),
    "unblinded": (ON_HOLD,),
    "administrator": (),
}


@dataclass(frozen=True)
class Entry:
    """One piece of work: the item it is on and what it names."""

    kind: str
    code: str
    item_type: str
    status: str
    location: str | None
    due: str | None
    since: str | None
    detail: dict[str, Any] = field(default_factory=dict)

    def overdue(self, today: date) -> bool:
        return self.due is not None and self.due < today.isoformat()


@dataclass(frozen=True)
class Worklist:
    kind: Kind
    count: int
    entries: tuple[Entry, ...]


def _item_columns() -> list[Any]:
    i = items_table.c
    return [i.code, i.item_type, i.status, i.location]


def _from_worklist(kind: str, today: date) -> Select[Any]:
    w, i = worklist_table.c, items_table.c
    query = (
        select(
            literal(kind).label("kind"),
            *_item_columns(),
            w.due,
            w.since,
            w.detail,
        )
        .select_from(worklist_table.join(items_table, i.code == w.code))
        .where(w.kind == kind)
    )
    if KINDS[kind].overdue_only:
        query = query.where(w.due < today.isoformat())
    return query.order_by(w.due.is_(None), w.due, w.code, w.key)


def _from_items(kind: str, condition: Any, due: Any = None) -> Select[Any]:
    i = items_table.c
    return (
        select(
            literal(kind).label("kind"),
            *_item_columns(),
            (null() if due is None else due).label("due"),
            i.created_at.label("since"),
            literal("{}").label("detail"),
        )
        .where(condition)
        .order_by(i.code)
    )


def query_of(kind: str, today: date, days: int) -> Select[Any]:
    """The entries of list `kind` as of `today` (vials expiring within `days`)."""
    i = items_table.c
    if kind in WORKLIST_KINDS:
        return _from_worklist(kind, today)
    if kind == IN_TRANSIT:
        return _from_items(kind, (i.item_type == "SHP") & (i.status == "in transit"))
    if kind == QP_RELEASE:
        received = i.status.in_(("at site", "re-inspected"))
        return _from_items(kind, (i.item_type == "SHP") & received)
    if kind == ON_HOLD:
        return _from_items(kind, i.held.is_(True))
    if kind == EXPIRING:
        horizon = (today + timedelta(days=days)).isoformat()
        expiring = and_(
            i.item_type == "PVL",
            i.expiry.is_not(None),
            i.expiry <= horizon,
            i.status.not_in(LEFT_THE_CHAIN),
        )
        return _from_items(kind, expiring, i.expiry).order_by(None).order_by(i.expiry, i.code)
    if kind == BANK_RELEASE:
        return _from_items(kind, i.item_type.in_(BANKS) & (i.status == "quarantine"))
    if kind == BANK_STOCK:
        return _bank_stock()
    raise KeyError(kind)


def _bank_stock() -> Select[Any]:
    """Each cell bank with vials in storage, and how many (the vials' status in the items
    table, the bank from the genealogy edge bank -> vial)."""
    bank, vial, e = items_table.alias("bank"), items_table.alias("vial"), edges_table.c
    vials = func.count(vial.c.code)
    return (
        select(
            literal(BANK_STOCK).label("kind"),
            bank.c.code,
            bank.c.item_type,
            bank.c.status,
            bank.c.location,
            null().label("due"),
            bank.c.created_at.label("since"),
            vials.label("vials"),
        )
        .select_from(
            bank.join(edges_table, e.parent_code == bank.c.code).join(
                vial, vial.c.code == e.child_code
            )
        )
        .where(
            bank.c.item_type.in_(BANKS)
            & (vial.c.item_type == "BVL")
            & (vial.c.status == "in storage")
        )
        .group_by(bank.c.code, bank.c.item_type, bank.c.status, bank.c.location, bank.c.created_at)
        .order_by(bank.c.code)
    )


def _entry(row: Any) -> Entry:
    mapping = row._mapping
    if "vials" in mapping:
        detail: dict[str, Any] = {"vials": int(mapping["vials"])}
    else:
        detail = json.loads(mapping["detail"] or "{}")
    return Entry(
        kind=mapping["kind"],
        code=mapping["code"],
        item_type=mapping["item_type"],
        status=mapping["status"],
        location=mapping["location"],
        due=mapping["due"],
        since=mapping["since"],
        detail=detail,
    )


def worklist(conn: Connection, kind: str, today: date, days: int, limit: int) -> Worklist:
    """List `kind`: how many entries it has and the first `limit` of them."""
    query = query_of(kind, today, days)
    count = conn.execute(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = conn.execute(query.limit(limit))
    return Worklist(KINDS[kind], int(count.scalar() or 0), tuple(_entry(r) for r in rows))


def entries(conn: Connection, kind: str, today: date, days: int) -> Iterator[Entry]:
    """Every entry of list `kind`, streamed from the database (for CSV export)."""
    result = conn.execution_options(stream_results=True, yield_per=500).execute(
        query_of(kind, today, days)
    )
    for row in result:
        yield _entry(row)
