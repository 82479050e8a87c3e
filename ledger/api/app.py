"""`create_app(settings)`: the CellTrace HTTP API (contract in DESIGN.md, `/api/v1`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from ledger.api import errors
from ledger.api.context import ApiContext
from ledger.api.routers import auth, items, people
from ledger.application import Clock, utc_now
from ledger.bootstrap import open_ledger
from ledger.config import Settings
from ledger.credentials import Credentials
from ledger.db import create_db_engine
from ledger.projections.runner import Projections
from ledger.projections.tracking import view_engine

TAGS = [
    {"name": "auth", "description": "Sign in for a bearer token."},
    {"name": "people", "description": "People, roles, training, QP authorisation (R-PPL)."},
    {"name": "items", "description": "What a scan resolves to; an item's history (R-TRC-3)."},
]


def create_app(
    settings: Settings, *, clock: Clock = utc_now, run_projections: bool | None = None
) -> FastAPI:
    """Build the API. On SQLite the projections run in-process by default; on PostgreSQL
    `celltrace worker` runs them (pass run_projections=True to run them here anyway)."""
    if run_projections is None:
        run_projections = settings.database.backend == "sqlite"
    ledger = open_ledger(settings, clock=clock)
    credentials = Credentials(create_db_engine(settings))
    credentials.create_tables()
    ctx = ApiContext(settings, ledger, credentials, view_engine(settings), clock)
    ctx.items.create_tables()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if run_projections:
            ctx.projections = Projections(settings).__enter__()
        try:
            yield
        finally:
            if ctx.projections is not None:
                ctx.projections.__exit__(None, None, None)
                ctx.projections = None
            ledger.close()
            credentials.engine.dispose()
            ctx.views_engine.dispose()

    app = FastAPI(
        title="CellTrace API",
        version="1",
        summary="GMP traceability ledger for cell-component and cell-derivative therapies.",
        openapi_tags=TAGS,
        lifespan=lifespan,
    )
    app.state.ctx = ctx
    errors.install(app)
    for router in (auth.router, people.router, items.router):
        app.include_router(router, prefix="/api/v1")
    return app
