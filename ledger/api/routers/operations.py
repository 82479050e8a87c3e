"""Health, readiness and metrics for the machines that run CellTrace (docs/operations.md
"Health and metrics"): `/healthz`, `/readyz`, `/metrics`, outside `/api/v1`."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.concurrency import run_in_threadpool

from ledger.api.access import Read, reads
from ledger.api.deps import Context
from ledger.readiness import readiness

router = APIRouter(tags=["operations"])


@router.get("/healthz", summary="The process is up", dependencies=[reads(Read.PUBLIC)])
async def healthz() -> dict[str, str]:
    """Answers while the process runs (no database access): for a process supervisor."""
    return {"status": "ok"}


@router.get(
    "/readyz",
    summary="Ready to serve: database, read models, checkpoints",
    dependencies=[reads(Read.PUBLIC)],
    responses={503: {"description": "Not ready, with every reason"}},
)
async def readyz(ctx: Context) -> JSONResponse:
    """200 when the database answers, every read model is within CELLTRACE_READY_MAX_LAG
    events of the ledger and no event has waited longer than
    CELLTRACE_READY_MAX_CHECKPOINT_AGE seconds for a signed checkpoint; else 503 naming each
    problem. For a load balancer or an orchestrator."""
    state = await run_in_threadpool(readiness, ctx.settings, ctx.clock())
    return JSONResponse(state.as_json(), status_code=200 if state.ready else 503)


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    dependencies=[reads(Read.PUBLIC)],
    responses={200: {"content": {CONTENT_TYPE_LATEST: {}}}},
)
async def metrics(request: Request) -> Response:
    """Prometheus text format: events appended, projection lag, checkpoint age, request
    latency per route, refusals per rule. Restrict it to the monitoring network at the
    reverse proxy (deploy/nginx-celltrace.conf)."""
    registry: Any = request.app.state.metrics.registry
    body = await run_in_threadpool(generate_latest, registry)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
