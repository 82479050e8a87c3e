"""The dashboard of the signed-in person's role: the lists of work in progress (lots awaiting QC
results or certification, open OOS investigations, deviations and CAPA, excursions awaiting
assessment, shipments in transit or awaiting QP release, items on hold, vials expiring soon,
overdue follow-up visits and reports, bank vial stock), each counted from the read models and
each entry linking to its item; and any list as CSV."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Annotated, Any

from fastapi import Path, Query
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from ledger.api.access import Read, may_read, reads
from ledger.api.csv_stream import csv_response
from ledger.api.deps import Context, ReadYourWrites
from ledger.api.language import current
from ledger.api.pages.i18n import translator
from ledger.api.routing import Routes
from ledger.api.schemas import ERRORS
from ledger.application import Actor
from ledger.errors import NotFound
from ledger.messages import Sentence, status_term
from ledger.projections.dashboard import (
    BANK_STOCK,
    EXPIRING,
    ROLE_LISTS,
    Entry,
    entries,
    worklist,
)
from ledger.projections.worklist import (
    CAPA,
    DEVIATION,
    HALT_REPORT,
    OOS,
    QC_RESULTS,
    SAE_FOLLOW_UP,
    SAE_REPORT,
    VISIT,
)

router = Routes(prefix="/worklists", tags=["dashboard"], responses=ERRORS)

CLINICAL = frozenset({VISIT, SAE_REPORT, SAE_FOLLOW_UP, HALT_REPORT})
Days = Annotated[
    int, Query(ge=0, le=3650, description="Vials expiring within this many days are listed")
]


class EntryOut(BaseModel):
    code: str
    item_type: str
    status: str
    status_label: str
    due: date | None = Field(description="The deadline, for work that has one")
    overdue: bool
    note: str = Field(description="What the entry is about, in the page language")
    href: str = Field(description="The item's page")
    detail: dict[str, Any]


class WorklistOut(BaseModel):
    kind: str
    title: str
    rule: str
    count: int = Field(description="Every entry of the list; `entries` holds the first ones")
    entries: list[EntryOut]
    csv: str = Field(description="The whole list as CSV")


class DashboardOut(BaseModel):
    role: str
    as_of: date
    days: int
    lists: list[WorklistOut]


def kinds_of(role: str) -> tuple[str, ...]:
    """The lists a role's dashboard shows; clinical lists only to roles that read clinical
    records (R-ACC-1)."""
    clinical = may_read(role, Read.CLINICAL)
    return tuple(k for k in ROLE_LISTS.get(role, ()) if clinical or k not in CLINICAL)


def note_of(entry: Entry, language: str) -> str:
    """One line on what the entry is about."""
    d = entry.detail
    said: Sentence | None = None
    if entry.kind == QC_RESULTS:
        said = Sentence("missing results: {tests:list}", tests=d.get("missing", []))
    elif entry.kind == OOS:
        said = Sentence("OOS investigation {number}: {test}", number=d["number"], test=d["test"])
    elif entry.kind == DEVIATION:
        said = Sentence("{severity:term} deviation", severity=d["severity"])
    elif entry.kind == CAPA:
        state = status_term(d["state"], "CPA", language)
        said = Sentence("{state}, due {due}", state=state, due=entry.due)
    elif entry.kind == VISIT:
        said = Sentence(
            "{label:term} visit after administration {number}, due {due}",
            label=d["label"],
            number=d["number"],
            due=entry.due,
        )
    elif entry.kind == SAE_REPORT:
        said = Sentence(
            "report on serious adverse event {number} of {patient}, due {due}",
            number=d["number"],
            patient=d["patient"],
            due=entry.due,
        )
    elif entry.kind == SAE_FOLLOW_UP:
        said = Sentence(
            "follow-up of serious adverse event {number} of {patient}, due {due}",
            number=d["number"],
            patient=d["patient"],
            due=entry.due,
        )
    elif entry.kind == HALT_REPORT:
        said = Sentence(
            "report on decision {number} ({action:term}), due {due}",
            number=d["number"],
            action=d["action"],
            due=entry.due,
        )
    elif entry.kind == EXPIRING:
        said = Sentence("expires {expiry}", expiry=entry.due)
    elif entry.kind == BANK_STOCK:
        said = Sentence("{vials} vials in storage", vials=d["vials"])
    return "" if said is None else said.render(language)


def entry_out(entry: Entry, today: date, language: str) -> EntryOut:
    return EntryOut(
        code=entry.code,
        item_type=entry.item_type,
        status=entry.status,
        status_label=status_term(entry.status, entry.item_type, language),
        due=None if entry.due is None else date.fromisoformat(entry.due),
        overdue=entry.kind != EXPIRING and entry.overdue(today),
        note=note_of(entry, language),
        href=f"/trace?code={entry.code}",
        detail=entry.detail,
    )


@router.get(
    "",
    response_model=DashboardOut,
    summary="The dashboard of your role",
    dependencies=[ReadYourWrites],
)
def dashboard(
    ctx: Context,
    actor: Annotated[Actor, reads(Read.WORKLISTS)],
    days: Days = 30,
    limit: Annotated[int, Query(ge=1, le=500, description="Entries shown per list")] = 20,
) -> DashboardOut:
    """The lists of work awaiting the signed-in person's role, each with its count and first
    entries (an auditor sees every list). Counted from the read models."""
    today, language = ctx.clock().date(), current()
    t = translator(language)
    lists = []
    with ctx.views_engine.connect() as conn:
        for kind in kinds_of(actor.role):
            found = worklist(conn, kind, today, days, limit)
            lists.append(
                WorklistOut(
                    kind=kind,
                    title=t(found.kind.title),
                    rule=found.kind.rule,
                    count=found.count,
                    entries=[entry_out(e, today, language) for e in found.entries],
                    csv=f"/api/v1/worklists/{kind}.csv?days={days}",
                )
            )
    return DashboardOut(role=actor.role, as_of=today, days=days, lists=lists)


CSV_COLUMNS = ("code", "item_type", "status", "due", "overdue", "note", "since", "location")


@router.get(
    "/{kind}.csv",
    summary="One list as CSV",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}}},
)
def worklist_csv(
    ctx: Context,
    actor: Annotated[Actor, reads(Read.WORKLISTS)],
    kind: Annotated[str, Path(description="A list of your role's dashboard, e.g. oos")],
    days: Days = 30,
) -> StreamingResponse:
    """Every entry of one list of your dashboard, streamed as CSV."""
    allowed = kinds_of(actor.role)
    if kind not in allowed:
        raise NotFound(
            Sentence(
                "{kind} is not a list of the {role:term} dashboard; its lists are {lists:list}",
                kind=kind,
                role=actor.role,
                lists=list(allowed) or ["none"],
            )
        )
    today, language = ctx.clock().date(), current()

    def rows() -> Iterator[tuple[object, ...]]:
        with ctx.views_engine.connect() as conn:
            for entry in entries(conn, kind, today, days):
                shown = entry_out(entry, today, language)
                yield (
                    entry.code,
                    entry.item_type,
                    entry.status,
                    entry.due or "",
                    "yes" if shown.overdue else "",
                    shown.note,
                    entry.since or "",
                    entry.location or "",
                )

    return csv_response(CSV_COLUMNS, rows(), f"{kind}-{today.isoformat()}.csv")
