"""HTML pages: `/scan` (operator station), `/bedside` (go / no-go at the bedside), `/v/{code}`
(what a label's QR code opens), `/trace/{code}` (auditor) and `/items` (lists of items).

The pages themselves hold no records: station pages sign in and read through the API (or the
trace panel) with the token, behind the same guard as the API (R-ACC-1); `/v/{code}` shows only
what the printed label shows."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import unquote, urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from ledger.api.access import Read, may_read, reads, record_list
from ledger.api.deps import Context, context_of
from ledger.api.item_lists import DEFAULT_LIMIT, ListRequest, list_request, row_json
from ledger.api.pages import graph_svg, temperature_svg
from ledger.api.pages.i18n import LANGUAGES, MESSAGES, language, translator
from ledger.api.pages.timeline import timeline
from ledger.application import Actor
from ledger.commands.registry import STEPS
from ledger.domain.study import Route
from ledger.errors import InvalidInput, NotFound
from ledger.identifiers import ItemType, parse_code
from ledger.item_effects import statuses
from ledger.labels import FILL_RUNS
from ledger.messages import Sentence, status_term, term
from ledger.projections.item_list import Sort, list_items
from ledger.projections.trace import trace
from ledger.stores.access_log import ITEM_LIST

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).resolve().parents[1] / "templates"))

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)
PUBLIC = [reads(Read.PUBLIC)]
#: The items page's single-valued filters, echoed in its form.
LIST_FIELDS = (
    *("q", "lot", "site", "location", "holds", "created_from", "created_to"),
    *("sort", "order", "limit"),
)


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
            "idle_seconds": f"{context_of(request).settings.station_idle_seconds:g}",
            **context,
        },
        status_code=status,
    )
    if request.query_params.get("lang") in LANGUAGES:
        response.set_cookie("lang", lang, max_age=365 * 24 * 3600, samesite="lax")
    return response


@router.get("/", dependencies=PUBLIC)
def home(request: Request) -> Response:
    """The home page: the stations and what each is for, and a code to trace. It reads nothing
    from the ledger (R-ACC-1)."""
    return page(request, "home.html")


@router.get("/trace", dependencies=PUBLIC)
def trace_lookup(request: Request, code: str = "") -> Response:
    """The home page's lookup: a typed or scanned code (or a label's link) opens its trace."""
    wanted = code.strip()
    if not wanted:
        return RedirectResponse("/", status_code=303)
    link = re.search(r"/v/([^/?#]+)", wanted)
    try:
        parsed = parse_code(unquote(link.group(1)) if link else wanted)
    except InvalidInput as exc:
        return page(request, "error.html", 422, code=code, detail=exc.render(language(request)))
    return RedirectResponse(f"/trace/{parsed}", status_code=303)


@router.get("/scan", dependencies=PUBLIC)
def scan_station(request: Request) -> Response:
    """The operator station: sign in, scan, record the next step (works with a wedge scanner)."""
    t = translator(language(request))
    areas = ("scan", "step", "field", "item", "session", "meaning", "account", "print")
    keys = [k for k in MESSAGES if k.split(".")[0] in areas]
    return page(request, "scan.html", texts={k: t(k) for k in keys}, fill_runs=" ".join(FILL_RUNS))


@router.get("/bedside", dependencies=PUBLIC)
def bedside(request: Request) -> Response:
    """The bedside tablet: scan vial and wristband, go / no-go with every reason, then the thaw
    and the administration signed by the nurse and the pharmacist (R-CLN-2, R-CLN-3)."""
    t = translator(language(request))
    keys = [k for k in MESSAGES if k.startswith(("bedside.", "route.", "session."))]
    # each signer is shown the meaning they sign with, from the step registry (21 CFR 11.50)
    nurse, pharmacist = STEPS["bedside.administer"].meaning, STEPS["bedside.verify"].meaning
    return page(
        request,
        "bedside.html",
        texts={k: t(k) for k in keys},
        routes=[r.value for r in Route],
        meanings={"nurse": nurse.value, "pharmacist": pharmacist.value},
        signing_as={
            who: f"{t('scan.signing_as')} {t('meaning.' + m.value)}"
            for who, m in (("nurse", nurse), ("pharmacist", pharmacist))
        },
    )


@router.get("/v/{code}", dependencies=PUBLIC)
def public_item(request: Request, code: str) -> Response:
    """What a label's QR code opens, for anyone: the code, its item type and the label's
    signature check, which shows the signed lot and expiry. Nothing is read from the ledger,
    so the page shows no more than the printed label and cannot be used to probe which codes
    exist (R-ACC-1)."""
    try:
        parsed = parse_code(code)
    except InvalidInput as exc:
        return page(request, "error.html", 422, code=code, detail=exc.render(language(request)))
    return page(request, "public_item.html", code=str(parsed), type_label=parsed.item_type.label)


@router.get("/trace/{code}", dependencies=PUBLIC)
def trace_page(request: Request, code: str, direction: Literal["up", "down"] = "up") -> Response:
    """The auditor's page: sign in, then the genealogy and timeline load from the panel."""
    try:
        parsed = str(parse_code(code))
    except InvalidInput as exc:
        return page(request, "error.html", 422, code=code, detail=exc.render(language(request)))
    return page(request, "trace.html", code=parsed, direction=direction)


@router.get("/items", dependencies=PUBLIC)
def items_page(request: Request) -> Response:
    """Lists of items: sign in, then the list of the page's query loads from the panel with
    the token. The page itself reads nothing from the ledger (R-ACC-1): the form shows the
    filters of its own address."""
    query = request.query_params
    asked: dict[str, Any] = {k: query.get(k, "") for k in LIST_FIELDS}
    asked.update(type=query.getlist("type"), status=query.getlist("status"))
    asked["limit"] = asked["limit"] or DEFAULT_LIMIT
    return page(
        request,
        "items.html",
        asked=asked,
        types=[(t.value, t.label) for t in ItemType],
        statuses=sorted(statuses()),
        sorts=[s.value for s in Sort],
    )


@router.get("/items/panel")
def items_panel(
    request: Request,
    ctx: Context,
    actor: Annotated[Actor, reads(Read.ITEM)],
    asked: Annotated[ListRequest, Depends(list_request)],
) -> Response:
    """The items page's list for a signed-in reader (an HTML fragment; errors answer as the API
    does): a page of `GET /api/v1/items`, links to the next page and to its CSV file."""
    record_list(ctx, request, actor, Read.ITEM, ITEM_LIST)
    found = list_items(
        ctx.views_engine, asked.where, asked.sort, asked.descending, asked.limit, asked.after
    )
    lang = language(request)
    kept = [(k, v) for k, v in request.query_params.multi_items() if k not in ("after", "lang")]
    cursor = asked.cursor(found.next_key)
    return page(
        request,
        "items_panel.html",
        rows=[row_json(row, lang) for row in found.rows],
        next_href=f"/items?{urlencode([*kept, ('after', cursor)])}" if cursor else "",
        first_href=f"/items?{urlencode(kept)}" if asked.after else "",
        csv_href=f"/api/v1/items.csv?{urlencode([(k, v) for k, v in kept if k != 'limit'])}",
    )


@router.get("/trace/{code}/panel")
def trace_panel(
    request: Request,
    ctx: Context,
    actor: Annotated[Actor, reads(Read.TRACE)],
    code: str,
    direction: Literal["up", "down"] = "up",
) -> Response:
    """The trace page's content for a signed-in reader: genealogy graph and the item's
    timeline with event hashes (an HTML fragment; errors answer as the API does)."""
    parsed = str(parse_code(code))
    graph = trace(ctx.views_engine, parsed, direction)
    if parsed not in graph.nodes:
        raise NotFound(
            Sentence("{code} is not recorded in this ledger; check the label", code=parsed)
        )
    ctx.ledger.mark_quality_events(graph.nodes.values())  # open deviations, OOS (R-QMS-3)
    latest = ctx.log.checkpoints.latest()
    kind = graph.nodes[parsed].item_type
    recorded = kind in ("SHP", "UNT")  # a logger's record (R-SHP-5)
    prints = may_read(actor.role, Read.LABEL)  # label files, sheets and printers (R-ID-2)
    return page(
        request,
        "trace_panel.html",
        temperature=(
            temperature_svg.render(ctx.ledger.temperature_record(parsed), language(request))
            if recorded
            else ""
        ),
        code=parsed,
        svg=graph_svg.render(graph, language(request)),
        edges=len(graph.edges),
        timeline=timeline(ctx, parsed, language(request)),
        checkpoint=latest,
        labelled=kind not in ("PER", "DON"),
        fill_run=prints and kind in FILL_RUNS,
        printers=ctx.printers.registered() if prints else [],
    )
