"""Label printers: the registry QA and administrators keep (R-ID-2, R-ACC-2), and printing
labels straight to a Zebra printer's raw port, each label recorded once sent."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request
from pydantic import BaseModel, Field

from ledger.api.access import Read, reads, via
from ledger.api.deps import Context, CurrentActor
from ledger.api.routing import Routes
from ledger.api.schemas import ERRORS
from ledger.application import Actor
from ledger.printing import Who, labels_to_print, print_on
from ledger.stores.printers import Printer

router = Routes(prefix="/printers", tags=["printers"], responses=ERRORS)


class PrinterIn(BaseModel):
    name: str = Field(
        min_length=1,
        max_length=60,
        examples=["zebra-cleanroom-1"],
        description="1-40 letters, digits, '.', '_' or '-' (kept in lower case); never reused",
    )
    address: str = Field(
        min_length=1,
        max_length=300,
        examples=["10.20.1.15:9100"],
        description="host:port of the printer's raw port (9100 when the port is left out)",
    )
    dpi: int = Field(examples=[300], description="203, 300 or 600")
    stock: str = Field(
        min_length=1, max_length=200, examples=["cryo 38x19 mm"], description="The labels loaded"
    )


class PrinterChangeIn(BaseModel):
    address: str | None = Field(default=None, min_length=1, max_length=300)
    dpi: int | None = None
    stock: str | None = Field(default=None, min_length=1, max_length=200)
    reason: str = Field(min_length=1, max_length=400, examples=["moved to room B2"])


class RetireIn(BaseModel):
    reason: str = Field(min_length=1, max_length=500, examples=["replaced by zebra-cr1-b"])


class PrinterOut(BaseModel):
    name: str
    address: str = Field(description="host:port")
    dpi: int
    stock: str
    in_service: bool
    registered_at: str
    registered_by: str
    changed_at: str | None
    changed_by: str | None
    retired_at: str | None
    retired_by: str | None
    retired_reason: str | None
    recorded: bool = Field(
        description="The printer's row is what its last access-log entry recorded (false: "
        "written or edited in the database outside CellTrace)"
    )


class PrintIn(BaseModel):
    codes: list[str] = Field(
        default_factory=list,
        max_length=1000,
        examples=[["PVL-F01-26-000001-P"]],
        description="Items to label (a scanned label link works too)",
    )
    lot: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="Or a fill run: every vial of a lot or bank, every kit of a blinded study",
    )
    reason: str = Field(
        default="",
        max_length=500,
        description="Why labels printed before are printed again (needed for a reprint)",
    )


class PrintedOut(BaseModel):
    printer: str
    address: str
    dpi: int
    printed: list[str] = Field(description="The codes whose labels were sent, in order")


def _out(printer: Printer, unrecorded: list[str]) -> PrinterOut:
    spec = printer.spec
    return PrinterOut.model_validate(
        {
            "name": spec.name,
            "address": str(spec.address),
            "dpi": spec.dpi,
            "stock": spec.stock,
            "in_service": printer.in_service,
            "recorded": spec.name not in unrecorded,
            **printer.history(),
        }
    )


@router.post("", response_model=PrinterOut, status_code=201, summary="Register a label printer")
def register_printer(
    ctx: Context, request: Request, actor: CurrentActor, body: PrinterIn
) -> PrinterOut:
    """QA or an administrator registers a Zebra printer (R-ID-2); recorded in the access log
    (R-ACC-2). A bad address, a resolution other than 203/300/600 dpi or a name already used
    is refused (409) and nothing is written."""
    spec = (body.name, body.address, body.dpi, body.stock)
    printer = ctx.printers.register(ctx.clock(), actor.person_id, actor.role, via(request), spec)
    return _out(printer, [])


@router.get(
    "",
    response_model=list[PrinterOut],
    summary="The label printers",
    dependencies=[reads(Read.PRINTERS)],
)
def list_printers(
    ctx: Context,
    retired: Annotated[bool, Query(description="Also list retired printers")] = False,
) -> list[PrinterOut]:
    """Printers in service by name (and retired ones with `retired=true`)."""
    unrecorded = ctx.printers.unrecorded()
    return [_out(p, unrecorded) for p in ctx.printers.registered(retired)]


@router.patch("/{name}", response_model=PrinterOut, summary="Change a label printer")
def change_printer(
    ctx: Context, request: Request, actor: CurrentActor, name: str, body: PrinterChangeIn
) -> PrinterOut:
    """Change a printer's address, resolution or stock, with the reason (R-ACC-2)."""
    printer = ctx.printers.change(
        ctx.clock(),
        actor.person_id,
        actor.role,
        via(request),
        name,
        body.reason,
        address=body.address,
        dpi=body.dpi,
        stock=body.stock,
    )
    return _out(printer, [])


@router.post("/{name}/retire", response_model=PrinterOut, summary="Retire a label printer")
def retire_printer(
    ctx: Context, request: Request, actor: CurrentActor, name: str, body: RetireIn
) -> PrinterOut:
    """Take a printer out of service for good, with the reason; it stays listed
    (`?retired=true`) and its name is never reused (R-ACC-2)."""
    printer = ctx.printers.retire(
        ctx.clock(), actor.person_id, actor.role, via(request), name, body.reason
    )
    return _out(printer, [])


@router.post("/{name}/print", response_model=PrintedOut, summary="Print labels on a printer")
def print_labels(
    ctx: Context,
    request: Request,
    actor: Annotated[Actor, reads(Read.LABEL)],
    name: str,
    body: PrintIn,
) -> PrintedOut:
    """Send the signed labels of `codes`, or of every item of the fill run `lot`, as ZPL at
    the printer's resolution to its raw port (TCP, bounded wait), then record each label sent
    in the access log with its SHA-256, the printer and the reason (R-ID-2, R-ACC-2). A label
    printed before needs `reason` (409). A printer that cannot be reached answers 503 naming
    it, and nothing is recorded as printed."""
    printer = ctx.printers.in_service(name)
    contents = labels_to_print(ctx.ledger, body.codes, body.lot)
    who = Who(actor.person_id, actor.role, ctx.clock(), via(request))
    printed = print_on(ctx.ledger, ctx.access_log, printer, contents, body.reason.strip(), who)
    spec = printer.spec
    return PrintedOut(printer=spec.name, address=str(spec.address), dpi=spec.dpi, printed=printed)
