"""Queries over the items view: an item's ordered history with the stored event hashes and
each event's position in the Merkle log (None until the log has integrated it)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Engine, text

_HISTORY = (
    "SELECT t.notification_id, t.originator_version AS version, t.event_type, t.actor_id, "
    "t.actor_role, t.meaning, t.recorded_at, t.client_time, e.event_hash, l.log_index "
    "FROM timeline t JOIN stored_events e ON e.{nid} = t.notification_id "
    "LEFT JOIN merkle_leaves l ON l.notification_id = t.notification_id "
    "WHERE t.item_code = :code ORDER BY t.notification_id"
)
_HISTORY_SQLITE = _HISTORY.format(nid="rowid")
_HISTORY_POSTGRES = _HISTORY.format(nid="notification_id")


def item_history(engine: Engine, backend: str, code: str) -> list[dict[str, Any]]:
    """Events of `code` in notification order, joined with the stored event hash."""
    sql = text(_HISTORY_SQLITE if backend == "sqlite" else _HISTORY_POSTGRES)
    with engine.connect() as conn:
        rows = conn.execute(sql, {"code": code}).mappings().all()
    return [
        {**row, "event_hash": bytes(row["event_hash"]).hex(), **clock_skew(row)} for row in rows
    ]


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
