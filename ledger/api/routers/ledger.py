"""The ledger's proofs for auditors who do not trust this server (R-LED-4, DESIGN.md):
signed checkpoints, verifier keys, entries with their exact hashed bytes, RFC 9162 proofs."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path, Query
from fastapi.responses import PlainTextResponse

from ledger.api.access import Read, reads
from ledger.api.deps import Context
from ledger.api.routing import Routes
from ledger.api.schemas import ERRORS, TEXT_OK

router = Routes(prefix="/ledger", tags=["ledger"], responses=ERRORS)

Index = Annotated[int, Query(ge=0, le=2**62, description="0-based log index")]
Size = Annotated[int, Query(ge=1, le=2**62, description="tree size of a checkpoint")]


@router.get(
    "/checkpoint",
    responses=TEXT_OK,
    summary="Latest signed checkpoint",
    dependencies=[reads(Read.PUBLIC)],
)
def checkpoint(ctx: Context) -> PlainTextResponse:
    """The latest checkpoint as a C2SP signed note (`text/plain`): origin, size, root."""
    return PlainTextResponse(ctx.log.checkpoint())


@router.get("/keys", responses=TEXT_OK, summary="Verifier keys", dependencies=[reads(Read.PUBLIC)])
def keys(ctx: Context) -> PlainTextResponse:
    """The log's verifier keys (oldest first, across rotations) and the label key, one per
    line in C2SP verifier-key form."""
    return PlainTextResponse(ctx.log.keys(ctx.extra_keys()))


@router.get(
    "/entries/{log_index}",
    summary="One log entry with its exact hashed fields (auditors)",
    dependencies=[reads(Read.ENTRIES)],
)
def entry(ctx: Context, log_index: Annotated[int, Path(ge=0, le=2**62)]) -> dict[str, Any]:
    """Everything needed to recompute the entry's event hash and leaf hash, including the
    stored event state: for the auditor role only (R-ACC-1)."""
    return ctx.log.entry(log_index)


@router.get("/proof/inclusion", summary="Inclusion proof", dependencies=[reads(Read.PUBLIC)])
def inclusion(ctx: Context, index: Index, size: Size) -> dict[str, Any]:
    """RFC 9162 inclusion proof of leaf `index` in the tree of `size` leaves."""
    return ctx.log.inclusion(index, size)


@router.get("/proof/consistency", summary="Consistency proof", dependencies=[reads(Read.PUBLIC)])
def consistency(
    ctx: Context,
    old: Annotated[int, Query(ge=1, le=2**62)],
    new: Annotated[int, Query(ge=1, le=2**62)],
) -> dict[str, Any]:
    """RFC 9162 consistency proof that the tree of `new` leaves extends the one of `old`."""
    return ctx.log.consistency(old, new)
