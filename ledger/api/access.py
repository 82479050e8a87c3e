"""Who may read what (R-ACC-1), declared once, and the guard every route declares.

Each route names one read category through `reads(...)` (or is a write, which needs a
signed-in person through `current_actor`); `check_routes` refuses to build an app with a
route that declares neither. Reads of records that can name a patient or a donor are
recorded in the access log (R-ACC-2).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from ledger.api.context import ApiContext
from ledger.api.deps import Bearer, context_of, current_actor
from ledger.api.errors import ForbiddenError
from ledger.application import Actor
from ledger.domain.people import Role
from ledger.errors import InvalidInput
from ledger.identifiers import parse_code
from ledger.messages import Sentence


class Read(StrEnum):
    PUBLIC = "public"
    ITEM = "item"
    HISTORY = "history"
    TRACE = "trace"
    PROOF = "proof"
    RECALL = "recall"
    CLINICAL = "clinical"
    MATERIALS = "materials"
    PEOPLE = "people"
    LABEL = "label"
    PRINTERS = "printers"
    BADGE = "badge"
    LABEL_LOG = "label_log"
    ENTRIES = "entries"
    ACCESS_LOG = "access_log"
    SEALED = "sealed"
    STEPS = "steps"
    WORKLISTS = "worklists"
    LOT_RECORD = "lot_record"
    PATIENT_RECORD = "patient_record"


DESCRIPTIONS: dict[Read, str] = {
    Read.PUBLIC: "sign-in, the label landing page, the label check, checkpoints, keys, proofs",
    Read.ITEM: "item cards: what a scan resolves to (status, holds, location, next steps)",
    Read.HISTORY: "item histories: every event with person code, role and meaning",
    Read.TRACE: "genealogy graphs up to the donors and down to the patients",
    Read.PROOF: "an item's events with inclusion proofs",
    Read.RECALL: "recall lists: donor look-back, material lot impact",
    Read.CLINICAL: "prescriptions, overdue follow-up visits and adverse event reports",
    Read.MATERIALS: "epidemic areas in force",
    Read.PEOPLE: "people: roles, training, QP sites",
    Read.LABEL: "label files (printing and reprinting, each recorded), to a file or a printer",
    Read.PRINTERS: "the label printers: name, address, resolution, label stock",
    Read.BADGE: "person badges with a signed sign-in QR code (each print recorded)",
    Read.LABEL_LOG: "label reconciliation: each vial's label prints, reprints and reasons",
    Read.ENTRIES: "raw stored ledger entries with their event state",
    Read.ACCESS_LOG: "the access log: who read or printed which record",
    Read.SEALED: "a blinded study's sealed links: a kit's lot and donors in traces (R-ACC-5)",
    Read.STEPS: "the step registry: who records which step, trained how, signed how",
    Read.WORKLISTS: "the dashboard: the lists of work in progress of the reader's role",
    Read.LOT_RECORD: "signed PDF lot records: batch record, certificate of analysis, QP release "
    "(recorded with the file's hash)",
    Read.PATIENT_RECORD: "a patient's signed chain of identity and custody (recorded with the "
    "file's hash)",
}

_CARDS = frozenset({Read.ITEM, Read.HISTORY, Read.TRACE, Read.STEPS, Read.WORKLISTS})
_PRINTING = frozenset({Read.LABEL, Read.PRINTERS})  # print labels, choosing a printer
ROLE_READS: dict[Role, frozenset[Read]] = {
    Role.OPERATOR: _CARDS | _PRINTING | {Read.MATERIALS},
    Role.QC_ANALYST: _CARDS | {Read.MATERIALS, Read.LOT_RECORD},
    Role.QA: _CARDS
    | _PRINTING
    | {Read.PROOF, Read.RECALL, Read.CLINICAL, Read.MATERIALS, Read.PEOPLE}
    | {Read.SEALED, Read.BADGE, Read.LABEL_LOG, Read.LOT_RECORD},
    Role.QP: _CARDS | {Read.PROOF, Read.RECALL, Read.MATERIALS, Read.LABEL_LOG, Read.LOT_RECORD},
    Role.PHARMACIST: _CARDS | _PRINTING | {Read.RECALL, Read.CLINICAL, Read.PATIENT_RECORD},
    Role.NURSE: frozenset(
        {Read.ITEM, Read.CLINICAL, Read.STEPS, Read.WORKLISTS, Read.PATIENT_RECORD}
    ),
    Role.INVESTIGATOR: _CARDS | {Read.RECALL, Read.CLINICAL, Read.PATIENT_RECORD},
    # auditors read everything but print nothing and see no sealed link
    Role.AUDITOR: frozenset(Read) - {Read.LABEL, Read.BADGE, Read.SEALED},
    Role.ADMINISTRATOR: frozenset({Read.ITEM, Read.PEOPLE, Read.STEPS, Read.PRINTERS})
    | {Read.BADGE, Read.WORKLISTS},
    Role.UNBLINDED: _CARDS | {Read.PROOF, Read.RECALL, Read.SEALED, Read.LOT_RECORD},
}
# Reads of a record named by its code that can show a patient or a donor: recorded (R-ACC-2).
# Signed reports are recorded too, by their route, once the file exists: with its SHA-256.
RECORDED: frozenset[Read] = frozenset(
    {Read.ITEM, Read.HISTORY, Read.TRACE, Read.PROOF, Read.RECALL, Read.CLINICAL, Read.PEOPLE}
)


def may_read(role: str, category: Read) -> bool:
    if category is Read.PUBLIC:
        return True
    return role in set(Role) and category in ROLE_READS[Role(role)]


def readers(category: Read) -> list[str]:
    """The roles that may read `category`, in declaration order."""
    return [role.value for role in ROLE_READS if may_read(role.value, category)]


class Guard:
    """The dependency a route declares for its read category: 401 without a valid token,
    403 when the role may not read it; records reads of personal records."""

    def __init__(self, category: Read) -> None:
        self.category = category

    def __call__(self, request: Request, credentials: Bearer) -> Actor | None:
        ctx = context_of(request)
        if self.category is Read.PUBLIC:
            return None
        actor = current_actor(ctx, credentials)
        if not may_read(actor.role, self.category):
            raise ForbiddenError(
                Sentence(
                    "The role {role:term} may not read {category} records (ledger/api/access.py); "
                    "roles that may: {roles:terms}.",
                    role=actor.role,
                    category=self.category.value,
                    roles=readers(self.category),
                )
            )
        if self.category in RECORDED:
            record_read(ctx, request, actor, self.category)
        return actor


class PublicMark(Guard):
    """The mark of the public surface: no token asked for (and none in the OpenAPI)."""

    async def __call__(self) -> None:  # type: ignore[override]
        return None


def reads(category: Read) -> Any:
    """`Depends` on the guard of `category`: `dependencies=[reads(Read.ITEM)]` or
    `actor: Annotated[Actor, reads(Read.ITEM)]`."""
    return Depends(PublicMark(category) if category is Read.PUBLIC else Guard(category))


def record_read(ctx: ApiContext, request: Request, actor: Actor, category: Read) -> None:
    """One access-log row: who, when, which record, through which path (R-ACC-2). A code
    that does not parse is not recorded: the route refuses it (422) without reading."""
    raw = request.path_params.get("code")
    if raw is None:
        return
    try:
        subject = str(parse_code(str(raw)))
    except InvalidInput:
        return
    ctx.access_log.append(
        ctx.clock(), actor.person_id, actor.role, f"read:{category.value}", subject, via(request)
    )


def record_list(
    ctx: ApiContext, request: Request, actor: Actor, category: Read, subject: str
) -> None:
    """One access-log row for a list read of a recorded category (R-ACC-2): a list can show
    patients and donors, but names none in its request, so the row names the list (`subject`)
    and `via` its filters."""
    if category in RECORDED:
        ctx.access_log.append(
            ctx.clock(),
            actor.person_id,
            actor.role,
            f"read:{category.value}",
            subject,
            via(request),
        )


def via(request: Request) -> str:
    query = f"?{request.url.query}" if request.url.query else ""
    return f"{request.method} {request.url.path}{query}"


def route_category(route: APIRoute) -> Read | None:
    """The read category a route declares, or None."""
    guards = [d.call for d in _walk(route.dependant) if isinstance(d.call, Guard)]
    return guards[0].category if guards else None


def signs_in(route: APIRoute) -> bool:
    return any(d.call is current_actor for d in _walk(route.dependant))


def _walk(dependant: Dependant) -> list[Dependant]:
    found = []
    for sub in dependant.dependencies:
        found.append(sub)
        found.extend(_walk(sub))
    return found


@dataclass(frozen=True)
class Served:
    """A route as served: full path (with its router's prefix), methods and the route."""

    path: str
    methods: frozenset[str]
    route: APIRoute

    @property
    def category(self) -> Read | None:
        return route_category(self.route)


def served_routes(app: FastAPI) -> Iterator[Served]:
    """Every API and page route of `app`, through included routers."""
    from fastapi import routing

    contexts = getattr(routing, "iter_route_contexts", None)
    found: list[tuple[Any, Any]] = (
        [(c.path, c.original_route) for c in contexts(app.routes)]
        if contexts is not None
        else [(getattr(r, "path", None), r) for r in app.routes]
    )
    for path, route in found:
        if isinstance(route, APIRoute) and isinstance(path, str):
            yield Served(path, frozenset(route.methods or ()), route)


def check_routes(app: FastAPI) -> None:
    """Refuse an app where a read declares no category or a write needs no person."""
    for served in served_routes(app):
        route, methods = served.route, served.methods
        if route_category(route) is None and not (signs_in(route) and not methods & {"GET"}):
            raise RuntimeError(
                f"{sorted(methods)} {served.path} declares no read category "
                "(ledger/api/access.py): add dependencies=[reads(Read....)]"
            )


def markdown_table() -> str:
    """Who may read what, as the table in docs/api.md (kept in step by a test)."""
    roles = [role.value for role in ROLE_READS]
    lines = [
        "| reads | " + " | ".join(roles) + " |",
        "|---|" + "---|" * len(roles),
    ]
    for category in Read:
        if category is Read.PUBLIC:
            continue
        marks = ["yes" if may_read(role, category) else "" for role in roles]
        recorded = " (recorded)" if category in RECORDED else ""
        lines.append(
            f"| `{category.value}`: {DESCRIPTIONS[category]}{recorded} | "
            + " | ".join(marks)
            + " |"
        )
    return "\n".join(lines)
