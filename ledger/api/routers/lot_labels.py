"""A fill run's labels: its PDF label sheet, and the reconciliation of the labels printed for
it, vial by vial, from the access log (R-ID-2, R-ACC-2)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request, Response
from pydantic import BaseModel, Field

from ledger.api.access import Read, reads, via
from ledger.api.deps import Context
from ledger.api.routing import Routes
from ledger.api.schemas import ERRORS
from ledger.application import Actor
from ledger.identifiers import parse_code
from ledger.printing import Who, lot_sheet, reconcile

router = Routes(prefix="/lots", tags=["labels"], responses=ERRORS)


@router.get(
    "/{code}/labels.pdf",
    responses={200: {"content": {"application/pdf": {}}}, **ERRORS},
    summary="The PDF label sheet of a fill run",
)
def get_lot_sheet(
    ctx: Context,
    request: Request,
    actor: Annotated[Actor, reads(Read.LABEL)],
    code: str,
    reason: Annotated[
        str | None,
        Query(min_length=1, max_length=500, description="Why labels are printed again"),
    ] = None,
) -> Response:
    """Every label of the fill run `code` (a filled product lot, a cell bank, or a blinded
    study's kits) on A4 sheets of 65 (as `celltrace labels --lot`). Each label is recorded as
    printed with the sheet's SHA-256; labels printed before need `reason` (409 R-ID-2). A
    blinded study's lot is refused: its kits print with the study's (R-ACC-5)."""
    who = Who(actor.person_id, actor.role, ctx.clock(), via(request))
    sheet = lot_sheet(ctx.ledger, ctx.access_log, code, (reason or "").strip(), who)
    name = str(parse_code(code)).replace("*", "_")
    return Response(
        sheet,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}-labels.pdf"'},
    )


class LabelPrintOut(BaseModel):
    at: str
    person: str
    role: str
    printer: str | None = Field(description="The printer it was sent to; null for a file")
    via: str = Field(description="The request or command that printed it")
    reason: str = Field(description="Why it was printed again (empty for the first print)")
    payload_sha256: str


class VialLabelsOut(BaseModel):
    code: str
    destroyed: bool
    printed: int = Field(description="How many times its label was printed")
    prints: list[LabelPrintOut]


class ReconciliationOut(BaseModel):
    fill_run: str
    totals: dict[str, int] = Field(
        description="filled, labelled, never_labelled, reprinted (vials), prints, destroyed, "
        "destroyed_labelled"
    )
    never_labelled: list[str]
    vials: list[VialLabelsOut]


@router.get(
    "/{code}/label-reconciliation",
    response_model=ReconciliationOut,
    summary="Labels printed for a fill run, vial by vial",
    dependencies=[reads(Read.LABEL_LOG)],
)
def label_reconciliation(ctx: Context, code: str) -> ReconciliationOut:
    """For each vial (or kit) of the fill run: every print of its label with who, when, the
    printer or file, and the reason of each reprint; the vials never labelled; and the totals,
    including destroyed vials that had labels. Read from the access log (R-ACC-2)."""
    found = reconcile(ctx.ledger, ctx.access_log, code)
    return ReconciliationOut(
        fill_run=found.fill_run,
        totals=found.totals(),
        never_labelled=found.never_labelled(),
        vials=[
            VialLabelsOut(
                code=v.code,
                destroyed=v.destroyed,
                printed=len(v.prints),
                prints=[LabelPrintOut(**vars(p)) for p in v.prints],
            )
            for v in found.vials
        ],
    )
