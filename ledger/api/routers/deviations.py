"""Deviations and CAPA (R-QMS-2, R-QMS-3, R-QMS-4): record a deviation against scanned items
(a major or critical one holds them and everything made from them), QA's signed closure with
its impact assessment and CAPA actions, CAPA actions with owner and due date, their completion
and QA's signed effectiveness check; the open deviations and the overdue actions."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from ledger.api.access import Read, reads
from ledger.api.deps import Context, CurrentActor
from ledger.api.routing import Routes
from ledger.api.schemas import ERRORS, Created, Receipt, Signature, receipt
from ledger.api.step_docs import records

router = Routes(tags=["quality"], responses=ERRORS)

Long = Field(min_length=1, max_length=2000)


class DeviationIn(BaseModel):
    kind: str = Field(pattern="^(planned|unplanned)$", examples=["unplanned"])
    severity: str = Field(pattern="^(minor|major|critical)$", examples=["major"])
    items: list[str] = Field(min_length=1, max_length=200, examples=[["HRV-F01-26-000003-O"]])
    description: str = Long
    change: str = Field(default="", max_length=120, description="A change control reference")
    discovered_on: date | None = None


class DeviationCloseIn(BaseModel):
    impact: str = Long
    root_cause: str = Long
    capas: list[str] = Field(default_factory=list, max_length=50)
    signature: Signature


class CapaIn(BaseModel):
    action: str = Long
    owner: str = Field(min_length=1, max_length=40, description="The owner's person code")
    due_on: date


class CapaDoneIn(BaseModel):
    done_on: date
    note: str = Field(default="", max_length=2000)


class EffectivenessIn(BaseModel):
    effective: bool
    evidence: str = Long
    signature: Signature


class DeviationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    kind: str
    severity: str
    items: list[str]
    concerned: list[str]
    description: str
    capas: list[str]


class CapaOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    deviation: str
    action: str
    owner: str
    due_on: date
    done_on: date | None


@router.post(
    "/deviations",
    response_model=Created,
    status_code=201,
    openapi_extra=records("quality.deviation"),
)
def record_deviation(ctx: Context, actor: CurrentActor, body: DeviationIn) -> Created:
    """A deviation against the items scanned; a major or critical one holds them and every
    item made from them until QA closes it (R-QMS-2). Returns its code (DEV-...)."""
    code, r = ctx.ledger.record_deviation(
        actor,
        body.kind,
        body.severity,
        body.items,
        body.description,
        body.change,
        body.discovered_on,
    )
    return Created(code=code, notification_id=r.notification_id, events=r.events)


@router.post(
    "/deviations/{code}/close",
    response_model=Receipt,
    openapi_extra=records("quality.deviation_close"),
)
def close_deviation(
    ctx: Context, actor: CurrentActor, code: str, body: DeviationCloseIn
) -> Receipt:
    """QA closes the deviation, signed, with the impact assessment, root cause and its CAPA
    actions; its holds are lifted (R-QMS-2, R-LED-5)."""
    return receipt(
        ctx.ledger.close_deviation(
            body.signature.of(actor), code, body.impact, body.root_cause, body.capas
        )
    )


@router.post(
    "/deviations/{code}/capas",
    response_model=Created,
    status_code=201,
    openapi_extra=records("quality.capa"),
)
def plan_capa(ctx: Context, actor: CurrentActor, code: str, body: CapaIn) -> Created:
    """A corrective or preventive action with its owner and due date (R-QMS-4)."""
    new, r = ctx.ledger.plan_capa(actor, code, body.action, body.owner, body.due_on)
    return Created(code=new, notification_id=r.notification_id, events=r.events)


@router.post(
    "/capas/{code}/done", response_model=Receipt, openapi_extra=records("quality.capa_done")
)
def complete_capa(ctx: Context, actor: CurrentActor, code: str, body: CapaDoneIn) -> Receipt:
    """The action was done (R-QMS-4)."""
    return receipt(ctx.ledger.complete_capa(actor, code, body.done_on, body.note))


@router.post(
    "/capas/{code}/effectiveness",
    response_model=Receipt,
    openapi_extra=records("quality.capa_effectiveness"),
)
def check_effectiveness(
    ctx: Context, actor: CurrentActor, code: str, body: EffectivenessIn
) -> Receipt:
    """QA's signed effectiveness check; an ineffective action stays on the overdue list
    (R-QMS-4, R-LED-5)."""
    return receipt(
        ctx.ledger.check_capa_effectiveness(
            body.signature.of(actor), code, body.effective, body.evidence
        )
    )


@router.get(
    "/deviations",
    response_model=list[DeviationOut],
    summary="Open deviations",
    dependencies=[reads(Read.HISTORY)],
)
def open_deviations(ctx: Context) -> list[DeviationOut]:
    """Every open deviation with the items it concerns (R-QMS-2, R-QMS-3)."""
    return [DeviationOut.model_validate(d) for d in ctx.ledger.list_open_deviations()]


@router.get(
    "/capas/overdue",
    response_model=list[CapaOut],
    summary="Overdue CAPA actions",
    dependencies=[reads(Read.HISTORY)],
)
def overdue_capas(ctx: Context) -> list[CapaOut]:
    """CAPA actions past their due date and not yet checked effective (R-QMS-4)."""
    return [CapaOut.model_validate(c) for c in ctx.ledger.list_overdue_capas()]
