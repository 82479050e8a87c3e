"""Is this deployment ready to serve (`GET /readyz`, docs/operations.md "Health and metrics")?

Ready when the ledger's database answers, every read model (and the Merkle log) is within
`Settings.ready_max_lag` events of the ledger's head, and the latest signed checkpoint is no
older than `Settings.ready_max_checkpoint_age` seconds while events wait for one (a ledger
with no checkpoint yet is not held against: the worker signs its first after
CELLTRACE_CHECKPOINT_EVERY_EVENTS or _SECONDS, or at a milestone). A stopped worker shows here
as read models falling behind, then as events waiting for a checkpoint.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import datetime

import psycopg
from sqlalchemy.exc import DBAPIError

from ledger.config import Settings
from ledger.integrity.verify import LedgerReader


@dataclass(frozen=True)
class Readiness:
    head: int | None = None
    lag: dict[str, int] = field(default_factory=dict)
    checkpoint_size: int = 0
    checkpoint_age_seconds: float | None = None
    uncovered: int = 0
    """Events recorded after the last one the latest checkpoint covers."""
    problems: tuple[str, ...] = ()

    @property
    def ready(self) -> bool:
        return not self.problems

    def as_json(self) -> dict[str, object]:
        return {
            "ready": self.ready,
            "problems": list(self.problems),
            "head": self.head,
            "lag": self.lag,
            "checkpoint": {
                "size": self.checkpoint_size,
                "age_seconds": (
                    None
                    if self.checkpoint_age_seconds is None
                    else round(self.checkpoint_age_seconds, 1)
                ),
                "uncovered_events": self.uncovered,
            },
        }


READ_MODELS = ("items", "merkle")
"""The read models every deployment keeps (their names in `projection_tracking`)."""


def readiness(settings: Settings, now: datetime) -> Readiness:
    """Where the deployment stands now (one short read of the database)."""
    reader = LedgerReader(settings.database)
    try:
        head = reader.last_notification_id() or 0
        positions = dict(reader.tracked_positions())
        latest = reader.last_checkpoint()
    except (sqlite3.Error, psycopg.Error, DBAPIError, OSError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return Readiness(problems=(f"the ledger's database cannot be read: {first}",))
    lag = {name: max(head - positions.get(name, 0), 0) for name in READ_MODELS}
    problems = [
        f"the {name} read model is {behind} events behind the ledger (more than "
        f"{settings.ready_max_lag}): is `celltrace worker` running?"
        for name, behind in lag.items()
        if behind > settings.ready_max_lag
    ]
    size, signed_at, covered = latest if latest else (0, None, 0)
    age = (now - datetime.fromisoformat(signed_at)).total_seconds() if signed_at else None
    waiting = max(head - covered, 0)  # notification ids: events, give or take PostgreSQL's gaps
    if waiting > 0 and age is not None and age > settings.ready_max_checkpoint_age:
        problems.append(
            f"{waiting} recorded events have waited for a signed checkpoint longer than "
            f"{settings.ready_max_checkpoint_age:g} s: is `celltrace worker` running?"
        )
    return Readiness(head, lag, size, age, waiting, tuple(problems))
