"""What a scan resolves to, and an item's history (R-ID-1, R-TRC-3)."""

from __future__ import annotations

import json
from typing import Annotated, Literal

from fastapi import Depends, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import PlainTextResponse, StreamingResponse
from pydantic import BaseModel, Field
from sqlalchemy import bindparam, select

from label_printing.cli import load_signer, render_label
from ledger.api.access import Read, may_read, reads, record_list, via
from ledger.api.context import ApiContext
from ledger.api.csv_stream import csv_response
from ledger.api.deps import Context, ReadYourWrites
from ledger.api.forms import next_steps
from ledger.api.item_lists import CSV_COLUMNS, ListRequest, list_request, row_cells, row_json
from ledger.api.language import current
from ledger.api.routing import Routes
from ledger.api.schemas import ERRORS, TEXT_OK
from ledger.api.sealed_views import unseal_trace
from ledger.application import Actor
from ledger.domain.lineage import reason_of
from ledger.errors import NotFound
from ledger.identifiers import item_id, parse_code
from ledger.item_effects import say_location
from ledger.labels import label_content
from ledger.messages import DEFAULT_LANGUAGE, Sentence, status_term, term
from ledger.projections.history import item_history
from ledger.projections.item_list import Sort, iter_items
from ledger.projections.item_list import list_items as read_items
from ledger.projections.items import items_table
from ledger.projections.trace import trace
from ledger.stores.access_log import ITEM_LIST

LABEL_MEDIA = {
    "png": "image/png",
    "svg": "image/svg+xml",
    "pdf": "application/pdf",
    "zpl": "application/vnd.zebra-zpl",
}


router = Routes(prefix="/items", tags=["items"], responses=ERRORS)


class StepFieldOut(BaseModel):
    name: str
    kind: str
    options: list[str]
    default: object = None
    required: bool


class StepOut(BaseModel):
    key: str
    method: str
    path: str
    roles: list[str]
    signed: bool
    fields: list[StepFieldOut]


class ItemOut(BaseModel):
    code: str
    item_type: str
    type_label: str = Field(description="The item type, in the request's language")
    status: str
    status_label: str = Field(description="The status, in the request's language")
    holds: list[str]
    location: str | None = Field(description="Where it is now (storage place, site, patient)")
    location_label: str | None = Field(
        default=None, description="`location` in the request's language (Accept-Language)"
    )
    lot: str | None
    expiry: str | None
    created_at: str
    next_steps: list[StepOut] = Field(
        description="Steps that may follow, for the signed-in role when a token is sent"
    )
    accountability: dict[str, int] | None = Field(
        default=None,
        description="A lot's, shipment's or return's numbers of vials by where they are "
        "(R-QMS-6): the total first (filled, shipped, returned), then its parts and the "
        "vials unaccounted for",
    )


class HistoryEvent(BaseModel):
    notification_id: int
    version: int
    event_type: str
    actor_id: str
    actor_role: str
    meaning: str
    recorded_at: str
    client_time: str | None = Field(description="The device's clock as it sent it (R-LED-2)")
    clock_skew_s: int | None = Field(description="Device time minus server time, in seconds")
    clock_flagged: bool = Field(
        description="The device clock was more than 5 minutes off the server's (R-LED-2)"
    )
    event_hash: str
    log_index: int | None = Field(description="Position in the Merkle log (R-TRC-3)")


class HoldOut(BaseModel):
    rule: str
    reason: str = Field(description="As recorded (English)")


class ItemRowOut(BaseModel):
    code: str
    item_type: str
    type_label: str = Field(description="The item type, in the request's language")
    status: str
    status_label: str = Field(description="The status, in the request's language")
    holds: list[HoldOut]
    location: str | None
    location_label: str | None
    lot: str | None
    expiry: str | None
    created_at: str
    site: str | None = Field(description="The clinical site it belongs to or was sent to")
    study: str | None = Field(description="Its study: a patient's, a blinded study's lot or kit")
    patient: str | None = Field(description="The patient: a patient's own code, a vial's")


class ItemListOut(BaseModel):
    items: list[ItemRowOut]
    next: str | None = Field(description="Send as `after` for the next page; null at the end")
    sort: Sort
    order: Literal["asc", "desc"]
    limit: int


Listed = Annotated[ListRequest, Depends(list_request)]
CSV_OK: dict[int | str, dict[str, object]] = {
    200: {"content": {"text/csv": {}}, "description": "The list as CSV, streamed"}
}


@router.get("", response_model=ItemListOut, responses=CSV_OK)
def list_items(
    ctx: Context, request: Request, actor: Annotated[Actor, reads(Read.ITEM)], asked: Listed
) -> Response | ItemListOut:
    """A list of items from the items read model, one page at a time: filtered, searched,
    sorted, each page continuing after the last key of the one before (keyset pagination).
    With `Accept: text/csv` the whole list as CSV, as `/items.csv` answers. The read is
    recorded in the access log under the subject `items` (R-ACC-2)."""
    if "text/csv" in request.headers.get("accept", ""):
        return list_items_csv(ctx, request, actor, asked)
    record_list(ctx, request, actor, Read.ITEM, ITEM_LIST)
    page = read_items(
        ctx.views_engine, asked.where, asked.sort, asked.descending, asked.limit, asked.after
    )
    lang = current()
    return ItemListOut(
        items=[ItemRowOut.model_validate(row_json(row, lang)) for row in page.rows],
        next=asked.cursor(page.next_key),
        sort=asked.sort,
        order="desc" if asked.descending else "asc",
        limit=asked.limit,
    )


@router.get(".csv", responses=CSV_OK, response_class=StreamingResponse)
def list_items_csv(
    ctx: Context, request: Request, actor: Annotated[Actor, reads(Read.ITEM)], asked: Listed
) -> StreamingResponse:
    """The whole list as a CSV file with the filters, sort and order of `GET /items` (`limit`
    does not apply; `after` starts it after that page), streamed in chunks read by key: a
    header row, then one row per item. Recorded in the access log like the list."""
    record_list(ctx, request, actor, Read.ITEM, ITEM_LIST)
    rows = iter_items(
        ctx.views_engine, asked.where, asked.sort, asked.descending, after=asked.after
    )
    return csv_response(CSV_COLUMNS, (row_cells(row) for row in rows), "items.csv")


@router.get("/{code}", response_model=ItemOut, dependencies=[ReadYourWrites])
async def get_item(
    ctx: Context, code: str, actor: Annotated[Actor | None, reads(Read.ITEM)] = None
) -> ItemOut:
    """Resolve a scanned or typed code (a label URL works too)."""
    # one worker thread for the reads and the answer (a `def` route would hop to a thread
    # for the route and again to check the answer against ItemOut)
    return await run_in_threadpool(item_card, ctx, code, actor)


_ITEM = select(items_table).where(items_table.c.code == bindparam("code"))


def item_card(ctx: ApiContext, code: str, actor: Actor | None = None) -> ItemOut:
    """The item card of `code`, or NotFound naming the code (R-ID-1)."""
    parsed = parse_code(code)
    with ctx.views_engine.connect() as conn:
        row = conn.execute(_ITEM, {"code": str(parsed)}).first()
    if row is None:
        raise NotFound(
            Sentence(
                "{code} is a valid code but no such {item_type:term} is recorded; check the label",
                code=str(parsed),
                item_type=parsed.item_type.label,
            )
        )
    return ItemOut(
        code=row.code,
        item_type=row.item_type,
        type_label=term(parsed.item_type.label, current()),
        status=row.status,
        status_label=status_term(row.status, row.item_type, current()),
        holds=_hold_reasons(ctx, str(parsed), json.loads(row.holds or "[]"), current()),
        location=row.location,
        location_label=say_location(row.location, current()),
        lot=row.lot,
        expiry=row.expiry,
        created_at=row.created_at,
        next_steps=[
            StepOut(**step.describe(row.code))
            for step in next_steps(row.item_type, row.status, actor.role if actor else None)
        ],
        accountability=ctx.ledger.numbers_of(row.code),
    )


class TraceNode(BaseModel):
    code: str
    item_type: str
    status: str
    holds: list[dict[str, str]]
    actors: list[dict[str, str]]
    quality: list[str] = Field(
        default_factory=list,
        description="Open quality events: deviations concerning it, its open OOS investigations",
    )


class TraceEdge(BaseModel):
    parent: str
    child: str
    relation: str


class TraceOut(BaseModel):
    root: str
    direction: Literal["up", "down"]
    nodes: list[TraceNode]
    edges: list[TraceEdge]


@router.get(
    "/{code}/trace", response_model=TraceOut, dependencies=[reads(Read.TRACE), ReadYourWrites]
)
def get_trace(
    ctx: Context,
    actor: Annotated[Actor, reads(Read.TRACE)],
    code: str,
    direction: Literal["up", "down"] = "up",
) -> dict[str, object]:
    """Genealogy: up to the donors (R-TRC-1) or down to every vial and patient (R-TRC-2),
    with each item's status, holds and the people who recorded its steps. A blinded study's
    kit is traced to its lot and donors (and a lot down to its kits) only for the roles that
    may read sealed links (R-ACC-5); others see the kit and its custody."""
    parsed = str(parse_code(code))
    graph = trace(ctx.views_engine, parsed, direction)
    if parsed not in graph.nodes:
        item_card(ctx, parsed)  # 404 with the clear message
    if may_read(actor.role, Read.SEALED):
        unseal_trace(ctx, graph)
    ctx.ledger.mark_quality_events(graph.nodes.values())
    return graph.as_json()


@router.get(
    "/{code}/history",
    response_model=list[HistoryEvent],
    dependencies=[reads(Read.HISTORY), ReadYourWrites],
)
def get_history(ctx: Context, code: str) -> list[HistoryEvent]:
    """Every event of the item, in order, with who, meaning, time and its event hash."""
    parsed = parse_code(code)
    rows = item_history(ctx.views_engine, ctx.settings.database.backend, str(parsed))
    if not rows:
        item_card(ctx, code)  # 404 with the clear message when the item is unknown
    return [HistoryEvent(**row) for row in rows]


@router.get(
    "/{code}/proof",
    responses=TEXT_OK,
    dependencies=[reads(Read.PROOF), ReadYourWrites],
    summary="The item's events with inclusion proofs (offline-verifiable)",
)
def get_proof(ctx: Context, code: str) -> PlainTextResponse:
    """Every event of the item with its RFC 9162 inclusion proof against a signed checkpoint
    (signed now if the latest does not cover the item yet), in the tlog-proof style that
    `celltrace verify-proof` checks offline (R-TRC-3, R-LED-4)."""
    parsed = str(parse_code(code))
    if not ctx.log.item_notification_ids(parsed):
        item_card(ctx, parsed)  # 404 with the clear message
    return PlainTextResponse(ctx.log.item_proof(parsed, ctx.log.covering_checkpoint(parsed)))


@router.get(
    "/{code}/label.{fmt}",
    responses={200: {"content": {m: {} for m in LABEL_MEDIA.values()}}, **ERRORS},
    summary="Print the item's signed QR label (png, svg, pdf or zpl)",
)
def get_label(
    ctx: Context,
    request: Request,
    actor: Annotated[Actor, reads(Read.LABEL)],
    code: str,
    fmt: Literal["png", "svg", "pdf", "zpl"],
    reason: Annotated[
        str | None,
        Query(min_length=1, max_length=500, description="Why the label is printed again"),
    ] = None,
) -> Response:
    """The label file, signed with the label key (R-ID-2). Every print is recorded in the
    access log with the file's SHA-256; a reprint needs a `reason` (R-ACC-2)."""
    content = label_content(ctx.ledger, code)
    subject, why = str(content.code), (reason or "").strip()
    ctx.access_log.check_reprint([subject], why, "?reason=")
    body = render_label(content, fmt, load_signer(ctx.settings), ctx.settings.base_url)
    ctx.access_log.record_prints(
        ctx.clock(), actor.person_id, actor.role, {subject: body}, via(request), why
    )
    return Response(
        body,
        media_type=LABEL_MEDIA[fmt],
        headers={"Content-Disposition": f'inline; filename="{content.code}.{fmt}"'},
    )


def _hold_reasons(ctx: Context, code: str, holds: list[dict[str, str]], lang: str) -> list[str]:
    """The reasons of the item's holds in `lang`: the view keeps them as recorded in English;
    a hold whose reason was recorded as a sentence is said in `lang` from the item itself."""
    if not holds or lang == DEFAULT_LANGUAGE:
        return [h["reason"] for h in holds]
    item: object = ctx.ledger.repository.get(item_id(code))
    said = {(h["rule"], h["source"], h["reason"]): reason_of(h) for h in getattr(item, "holds", ())}
    return [
        _said_in(said.get((h["rule"], h["source"], h["reason"]), h["reason"]), lang) for h in holds
    ]


def _said_in(reason: str | Sentence, lang: str) -> str:
    """A reason in `lang` when it is a sentence, else as recorded."""
    return reason.render(lang) if isinstance(reason, Sentence) else reason
