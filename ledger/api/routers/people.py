"""People, roles, training and QP authorisations (R-PPL-1..3); a role change ends the
person's sessions (R-ACC-3)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Query, Request, Response
from pydantic import BaseModel, Field

from ledger.api.access import Read, reads, via
from ledger.api.deps import Context, CurrentActor
from ledger.api.routing import Routes
from ledger.api.schemas import ERRORS, Created, Receipt
from ledger.api.step_docs import records
from ledger.application import Actor
from ledger.identifiers import parse_code
from ledger.printing import Who, badge

router = Routes(prefix="/people", tags=["people"], responses=ERRORS)


class PersonIn(BaseModel):
    roles: list[str] = Field(min_length=1, examples=[["operator"]])
    name: str = Field(
        default="",
        max_length=200,
        examples=["Li Na"],
        description="Printed name, shown with the person's signatures (21 CFR 11.50); kept "
        "encrypted in the personal-data store, never in the ledger",
    )
    password: str | None = Field(
        default=None, min_length=10, max_length=200, description="Initial password"
    )


class RoleIn(BaseModel):
    role: str = Field(examples=["qc_analyst"])


class RoleRevokeIn(RoleIn):
    reason: str = Field(min_length=1, max_length=500)


class TrainingIn(BaseModel):
    step_type: str = Field(min_length=1, max_length=80, examples=["banks.thaw"])
    completed_on: date
    expires_on: date
    sop: str = Field(min_length=1, max_length=120, examples=["SOP-CB-012 v4"])


class QPSiteIn(BaseModel):
    site_code: str = Field(min_length=1, max_length=40)


class PersonOut(BaseModel):
    code: str
    roles: list[str]
    training: dict[str, dict[str, date]]
    qp_sites: list[str]


@router.post(
    "",
    response_model=Created,
    status_code=201,
    summary="Register a person",
    openapi_extra=records("people.administer"),
)
def register_person(ctx: Context, actor: CurrentActor, body: PersonIn) -> Created:
    code, receipt = ctx.ledger.register_person(actor, body.roles, body.name)
    if body.password:
        ctx.credentials.set_password(code, body.password)
    return Created(code=code, notification_id=receipt.notification_id, events=receipt.events)


@router.get(
    "/{code}",
    response_model=PersonOut,
    summary="A person's roles and training",
    dependencies=[reads(Read.PEOPLE)],
)
def get_person(ctx: Context, code: str) -> PersonOut:
    person = ctx.ledger.get_person(code)
    return PersonOut(
        code=person.code,
        roles=sorted(person.roles),
        training={
            step: {"completed_on": done, "expires_on": until}
            for step, (done, until) in sorted(person.training.items())
        },
        qp_sites=sorted(person.qp_sites),
    )


@router.post(
    "/{code}/roles",
    response_model=Receipt,
    summary="Grant a role",
    openapi_extra=records("people.administer"),
)
def grant_role(ctx: Context, actor: CurrentActor, code: str, body: RoleIn) -> Receipt:
    r = ctx.ledger.grant_role(actor, code, body.role)
    ctx.credentials.revoke(str(parse_code(code)))  # the person signs in again (R-ACC-3)
    return Receipt(notification_id=r.notification_id, events=r.events)


@router.post(
    "/{code}/roles/revoke",
    response_model=Receipt,
    summary="Revoke a role",
    openapi_extra=records("people.administer"),
)
def revoke_role(ctx: Context, actor: CurrentActor, code: str, body: RoleRevokeIn) -> Receipt:
    r = ctx.ledger.revoke_role(actor, code, body.role, body.reason)
    ctx.credentials.revoke(str(parse_code(code)))  # no token keeps the old role (R-ACC-3)
    return Receipt(notification_id=r.notification_id, events=r.events)


@router.post(
    "/{code}/training",
    response_model=Receipt,
    summary="Record training",
    openapi_extra=records("people.administer"),
)
def record_training(ctx: Context, actor: CurrentActor, code: str, body: TrainingIn) -> Receipt:
    r = ctx.ledger.record_training(
        actor, code, body.step_type, body.completed_on, body.expires_on, body.sop
    )
    return Receipt(notification_id=r.notification_id, events=r.events)


@router.post(
    "/{code}/qp-sites",
    response_model=Receipt,
    summary="Authorise a QP for a site",
    openapi_extra=records("people.administer"),
)
def authorise_qp(ctx: Context, actor: CurrentActor, code: str, body: QPSiteIn) -> Receipt:
    r = ctx.ledger.authorise_qp(actor, code, body.site_code)
    return Receipt(notification_id=r.notification_id, events=r.events)


@router.get(
    "/{code}/badge.pdf",
    responses={200: {"content": {"application/pdf": {}}}, **ERRORS},
    summary="Print a person's badge",
)
def get_badge(
    ctx: Context,
    request: Request,
    actor: Annotated[Actor, reads(Read.BADGE)],
    code: str,
    reason: Annotated[
        str | None,
        Query(min_length=1, max_length=500, description="Why the badge is printed again"),
    ] = None,
) -> Response:
    """The person's badge (85.6 x 54 mm PDF): code, printed name, roles and a QR code signed
    with the label key that fills in who signs in at a station; never a password or a token
    (docs/label-format.md). Recorded in the access log as `print:badge`: who printed whose
    badge, when; a badge printed before needs `reason` (409 R-ACC-2)."""
    printed = badge(ctx.ledger, ctx.access_log, code, (reason or "").strip(), "?reason=")
    printed.record(ctx.access_log, Who(actor.person_id, actor.role, ctx.clock(), via(request)))
    name = printed.person.replace("*", "_")
    return Response(
        printed.pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}-badge.pdf"'},
    )
