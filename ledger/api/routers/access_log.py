"""GET /access-log: who read or printed which record, when and through what, for auditors
(R-ACC-2), with the result of checking the log's hash chain."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query
from pydantic import BaseModel, Field

from ledger.api.access import Read, reads
from ledger.api.deps import Context
from ledger.api.routing import Routes
from ledger.api.schemas import ERRORS
from ledger.errors import InvalidInput
from ledger.identifiers import parse_code
from ledger.integrity.access_chain import AccessChainBroken
from ledger.stores.access_log import ITEM_LIST

router = Routes(prefix="/access-log", tags=["access"], responses=ERRORS)


class AccessOut(BaseModel):
    seq: int
    at: str
    person: str
    role: str
    action: str = Field(description="read:<category> or print:label")
    subject: str = Field(description="The code of the record read or printed")
    via: str = Field(description="Method and path of the request (API or page)")
    reason: str
    payload_sha256: str = Field(description="SHA-256 of the printed file; empty for reads")


class AccessLogOut(BaseModel):
    intact: bool = Field(description="Every row's hash follows from its fields and the last")
    problem: str | None
    head: str | None = Field(description="N:HEX of the last entry; keep it to detect a rewrite")
    entries: list[AccessOut]


@router.get(
    "",
    response_model=AccessLogOut,
    summary="The access log (auditors)",
    dependencies=[reads(Read.ACCESS_LOG)],
)
def access_log(
    ctx: Context,
    subject: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=200,
            description="Only reads of this record (or by this person), e.g. a patient code; "
            "`items`: the lists of items read; printer:NAME for a label printer's "
            "registration, changes and retirement",
        ),
    ] = None,
) -> AccessLogOut:
    """Every recorded read of a personal record and every label print, oldest first."""
    if subject is not None and subject != ITEM_LIST and not subject.startswith("printer:"):
        try:
            subject = str(parse_code(subject))
        except InvalidInput:
            raise InvalidInput(
                f"subject={subject!r} is not an item, patient, donor or person code; "
                "pass a code as printed on its label"
            ) from None
    try:
        count, head = ctx.access_log.verify()
        intact, problem = True, None
        head_text = f"{count}:{head.hex()}" if count else None
    except AccessChainBroken as exc:
        intact, problem, head_text = False, str(exc), None
    return AccessLogOut(
        intact=intact,
        problem=problem,
        head=head_text,
        entries=[AccessOut(**vars(e)) for e in ctx.access_log.entries(subject)],
    )
