"""`create_app(settings)`: the CellTrace HTTP API (contract in DESIGN.md, `/api/v1`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from ledger.api import errors, language, security
from ledger.api.access import check_routes
from ledger.api.context import ApiContext
from ledger.api.metrics import Metrics, RequestTimer
from ledger.api.pages.router import router as pages_router
from ledger.api.routers import (
    access_log,
    accountability,
    auth,
    banks,
    bedside,
    clinical,
    deviations,
    donors,
    items,
    labels,
    lot_labels,
    materials,
    operations,
    people,
    pharmacy,
    printers,
    production,
    quality,
    reports,
    safety,
    shipments,
    steps,
    storage_units,
    worklists,
)
from ledger.api.routers import ledger as ledger_router
from ledger.api.step_docs import describe_steps
from ledger.application import Clock, utc_now
from ledger.bootstrap import open_ledger, open_projections
from ledger.config import Settings
from ledger.projections.tracking import view_engine
from ledger.storage.db import create_db_engine
from ledger.stores.credentials import Credentials

STATIC = Path(__file__).resolve().parent / "static"
TAGS = [
    {"name": "auth", "description": "Sign in for a bearer token, sign out (R-ACC-3, R-ACC-4)."},
    {"name": "people", "description": "People, roles, training, QP authorisation (R-PPL)."},
    {"name": "donors", "description": "Donors, consent, screening, eligibility (R-DON)."},
    {"name": "materials", "description": "Materials and lots, QC disposition (R-MAT)."},
    {"name": "banks", "description": "Collection, isolation, cell banks, thaw (R-CB)."},
    {"name": "production", "description": "Culture, harvest, purification, fill (R-PRO)."},
    {"name": "quality", "description": "Results, signed certification, change control (R-QC)."},
    {"name": "shipments", "description": "Cold chain, receipt, signed QP release (R-SHP, R-QC-4)."},
    {"name": "clinical", "description": "Sites, studies, patients, follow-up (R-CLN-1, R-CLN-6)."},
    {"name": "safety", "description": "Adverse events, ethics decisions, unblinding (R-CLN-4/5)."},
    {
        "name": "pharmacy",
        "description": "Site storage, dispensing, randomisation (R-TRC-2, R-CLN-2, R-CLN-5).",
    },
    {"name": "bedside", "description": "Go / no-go, thaw and administration (R-CLN-2, R-CLN-3)."},
    {"name": "items", "description": "What a scan resolves to; history and genealogy (R-TRC)."},
    {
        "name": "labels",
        "description": "Check a scanned label's signature; a fill run's label sheet and "
        "label reconciliation (R-ID-2, R-ACC-2).",
    },
    {
        "name": "printers",
        "description": "Label printers; print labels straight to a Zebra printer (R-ID-2).",
    },
    {"name": "ledger", "description": "Checkpoints, keys, entries and proofs (R-LED-4)."},
    {"name": "access", "description": "Who read or printed which record (R-ACC-2)."},
    {
        "name": "reports",
        "description": "Signed PDF records: batch record, certificate of analysis, QP release, "
        "a patient's chain of identity and custody (docs/reports.md).",
    },
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
    # a process that runs the read models rebuilds an earlier release's; a reader refuses it
    ctx.items.create_tables(rebuild=run_projections)
    ctx.merkle.create_tables()
    ctx.access_log.create_tables()
    ctx.printers.create_tables()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if run_projections:
            ctx.projections = open_projections(settings, checkpoints=True).__enter__()
            # Auditors can fetch a checkpoint covering everything recorded before the start.
            ctx.log.checkpoints.sign()
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
    app.state.metrics = Metrics(settings, clock)
    errors.install(app)
    language.install(app)
    routers = (
        auth.router,
        people.router,
        donors.router,
        materials.router,
        banks.router,
        production.router,
        quality.router,
        deviations.router,
        accountability.router,
        shipments.router,
        storage_units.router,
        clinical.router,
        safety.router,
        pharmacy.router,
        bedside.router,
        items.router,
        labels.router,
        lot_labels.router,
        printers.router,
        ledger_router.router,
        access_log.router,
        steps.router,
        worklists.router,
        reports.router,
    )
    for router in routers:
        describe_steps(router)
        app.include_router(router, prefix="/api/v1")
        router.serve_under("/api/v1")  # a path none of its routes can match skips them at once
    app.include_router(operations.router)
    app.include_router(pages_router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    security.install(app, settings.cors_origins)
    app.add_middleware(RequestTimer, metrics=app.state.metrics)
    check_routes(app)
    return app


def app_from_env() -> FastAPI:
    """The app of one of several `celltrace serve --workers N` processes: the settings from the
    environment the command was started with, logs configured as the command's."""
    from ledger import logs

    settings = Settings.from_env()
    logs.configure(settings.log_level, settings.log_format)
    return create_app(settings)
