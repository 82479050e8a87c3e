"""Queries over the items view: an item's ordered history with the stored event hashes and
each event's position in the Merkle log (None until the log has integrated it); with its chain
of custody, the events of the items that record where it went (`ledger.projections.custody`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Engine, bindparam, text

from ledger.projections.custody import CUSTODY_RELATIONS

_HISTORY = (
    "SELECT t.notification_id, t.originator_version AS version, t.event_type, t.actor_id, "
    "t.actor_role, t.meaning, t.recorded_at, t.client_time, e.event_hash, l.log_index{more} "
    "FROM timeline t JOIN stored_events e ON e.{nid} = t.notification_id "
    "LEFT JOIN merkle_leaves l ON l.notification_id = t.notification_id "
    "WHERE {where} ORDER BY t.notification_id"
)
_OWN = "t.item_code = :code"
# The item's own events and those of the shipments, returns and patients its custody went
# through; the caller keeps those of the latter that concern it.
_WITH_CUSTODY = (
    "t.item_code IN (SELECT CAST(:code AS VARCHAR(40)) UNION SELECT g.child_code "
    "FROM genealogy_edges g WHERE g.parent_code = :code AND g.relation IN :relations)"
)


def _query(backend: str, where: str, more: str = "") -> str:
    nid = "rowid" if backend == "sqlite" else "notification_id"
    return _HISTORY.format(nid=nid, where=where, more=more)


def item_history(engine: Engine, backend: str, code: str) -> list[dict[str, Any]]:
    """Events of `code` in notification order, joined with the stored event hash."""
    with engine.connect() as conn:
        rows = conn.execute(text(_query(backend, _OWN)), {"code": code}).mappings().all()
    return [_shown(row) for row in rows]


def custody_history(engine: Engine, backend: str, code: str) -> list[dict[str, Any]]:
    """Events of `code` and of the items recording its custody (shipments it travelled in,
    the return that took it back, the patient it was given to), in notification order, each
    with the item it was recorded on (`item_code`)."""
    sql = text(_query(backend, _WITH_CUSTODY, more=", t.item_code")).bindparams(
        bindparam("relations", expanding=True)
    )
    with engine.connect() as conn:
        found = conn.execute(sql, {"code": code, "relations": list(CUSTODY_RELATIONS)})
        rows = found.mappings().all()
    return [_shown(row) for row in rows]


def _shown(row: Any) -> dict[str, Any]:
    return {**row, "event_hash": bytes(row["event_hash"]).hex(), **clock_skew(row)}


#: A device clock further than this from the server's is flagged on the history (R-LED-2).
SKEW_FLAGGED_S = 300


def clock_skew(row: Any) -> dict[str, Any]:
    """How far the device's clock was from the server's (seconds, device minus server), and
    whether that is far enough to flag: a step's device time is stored as given (R-LED-2)."""
    if not row["client_time"]:
        return {"clock_skew_s": None, "clock_flagged": False}
    device = datetime.fromisoformat(row["client_time"])
    server = datetime.fromisoformat(str(row["recorded_at"]))
    skew = round((device - server).total_seconds())
    return {"clock_skew_s": skew, "clock_flagged": abs(skew) > SKEW_FLAGGED_S}
