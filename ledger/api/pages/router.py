"""HTML pages: `/scan` (operator station), `/bedside` (go / no-go at the bedside), `/v/{code}`
(what a label's QR code opens) and `/trace/{code}` (auditor)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy import select

from ledger.api.deps import Context
from ledger.api.pages import graph_svg
from ledger.api.pages.i18n import LANGUAGES, MESSAGES, language, translator
from ledger.domain.study import Route
from ledger.errors import InvalidInput
from ledger.identifiers import parse_code
from ledger.messages import status_term, term
from ledger.projections.history import item_history
from ledger.projections.items import items_table
from ledger.projections.trace import trace

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).resolve().parents[1] / "templates"))

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)


def page(request: Request, template: str, status: int = 200, **context: Any) -> Response:
    lang = language(request)
    response = TEMPLATES.TemplateResponse(
        request,
        template,
        {
            "lang": lang,
            "t": translator(lang),
            "term": lambda w: term(w, lang),
            "status_term": lambda s, kind: status_term(s, kind, lang),
            **context,
        },
        status_code=status,
    )
    if request.query_params.get("lang") in LANGUAGES:
        response.set_cookie("lang", lang, max_age=365 * 24 * 3600, samesite="lax")
    return response


@router.get("/scan")
def scan_station(request: Request) -> Response:
    """The operator station: sign in, scan, record the next step (works with a wedge scanner)."""
    t = translator(language(request))
    keys = [k for k in MESSAGES if k.split(".")[0] in ("scan", "step", "field", "item")]
    return page(request, "scan.html", texts={k: t(k) for k in keys})


@router.get("/bedside")
def bedside(request: Request) -> Response:
    """The bedside tablet: scan vial and wristband, go / no-go with every reason, then the thaw
    and the administration signed by the nurse and the pharmacist (R-CLN-2, R-CLN-3)."""
    t = translator(language(request))
    keys = [k for k in MESSAGES if k.startswith(("bedside.", "route."))]
    return page(
        request, "bedside.html", texts={k: t(k) for k in keys}, routes=[r.value for r in Route]
    )


@router.get("/v/{code}")
def public_item(request: Request, ctx: Context, code: str) -> Response:
    """Minimal public view of a scanned item: type, status and the label signature check."""
    try:
        parsed = parse_code(code)
    except InvalidInput as exc:
        return page(request, "error.html", 422, code=code, detail=exc.render(language(request)))
    with ctx.views_engine.connect() as conn:
        item = conn.execute(select(items_table).where(items_table.c.code == str(parsed))).first()
    holds = [h["reason"] for h in json.loads(item.holds)] if item is not None else []
    return page(
        request,
        "public_item.html",
        200 if item is not None else 404,
        code=str(parsed),
        item=item,
        holds=holds,
        type_label=parsed.item_type.label,
    )


@router.get("/trace/{code}")
def trace_page(
    request: Request, ctx: Context, code: str, direction: Literal["up", "down"] = "up"
) -> Response:
    """The auditor's picture: genealogy graph and the item's timeline with event hashes."""
    try:
        parsed = str(parse_code(code))
    except InvalidInput as exc:
        return page(request, "error.html", 422, code=code, detail=exc.render(language(request)))
    graph = trace(ctx.views_engine, parsed, direction)
    if parsed not in graph.nodes:
        t = translator(language(request))
        return page(request, "error.html", 404, code=parsed, detail=t("item.unknown"))
    latest = ctx.log.checkpoints.latest()
    return page(
        request,
        "trace.html",
        code=parsed,
        svg=graph_svg.render(graph, language(request)),
        edges=len(graph.edges),
        history=item_history(ctx.views_engine, ctx.settings.database.backend, parsed),
        checkpoint=latest,
        labelled=graph.nodes[parsed].item_type not in ("PER", "DON"),
    )
