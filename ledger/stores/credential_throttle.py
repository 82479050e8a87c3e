"""Counters of wrong passwords per scope (a source address, a person code at an address, a
signer) with a block once a limit is reached within a window (R-ACC-4)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Column, Engine, Integer, MetaData, String, Table, delete, select

throttles_table = Table(
    "sign_in_throttles",
    MetaData(),
    Column("scope", String(300), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("window_start", String(40), nullable=False),  # ISO 8601 UTC
    Column("blocked_until", String(40)),
)


class Throttle:
    """Failures counted per scope; `limit` failures within `period` block it for `period`."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def blocked_until(self, scope: str, now: datetime) -> datetime | None:
        with self.engine.connect() as conn:
            until = conn.execute(
                select(throttles_table.c.blocked_until).where(throttles_table.c.scope == scope)
            ).scalar()
        if until is None or datetime.fromisoformat(until) <= now:
            return None
        return datetime.fromisoformat(until)

    def fail(self, scope: str, limit: int, period: timedelta, now: datetime) -> bool:
        """Count one failure; True when this one blocks the scope."""
        with self.engine.begin() as conn:
            row = conn.execute(
                select(throttles_table).where(throttles_table.c.scope == scope)
            ).first()
            fresh = row is None or datetime.fromisoformat(row.window_start) + period <= now
            failures = 1 if fresh or row is None else row.failures + 1
            start = now.isoformat() if fresh or row is None else row.window_start
            blocked = failures >= limit
            conn.execute(delete(throttles_table).where(throttles_table.c.scope == scope))
            conn.execute(
                throttles_table.insert().values(
                    scope=scope,
                    failures=0 if blocked else failures,
                    window_start=start,
                    blocked_until=(now + period).isoformat() if blocked else None,
                )
            )
        return blocked

    def clear(self, scope: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(throttles_table).where(throttles_table.c.scope == scope))
