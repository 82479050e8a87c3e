"""Materials and received lots: qualification, QC disposition, recall, epidemic areas
(R-MAT-1..5)."""

from __future__ import annotations

from datetime import date
from functools import partial

from pydantic import BaseModel, Field

from ledger.api.access import Read, reads
from ledger.api.deps import Context, CurrentActor, ReadYourWrites
from ledger.api.routing import Routes
from ledger.api.schemas import ERRORS, Created, RecallListOut, Receipt, Signature, receipt
from ledger.api.sealed_views import add_study_kits, with_quality_events
from ledger.api.step_docs import records
from ledger.identifiers import parse_code
from ledger.projections.recall import impact

router = Routes(prefix="/materials", tags=["materials"], responses=ERRORS)

Ref = Field(min_length=1, max_length=120)


class MaterialIn(BaseModel):
    reference: str = Field(min_length=1, max_length=60, examples=["MSC-SFM"])
    name: str = Ref
    kind: str = Field(examples=["medium"], min_length=1, max_length=40)
    grade: str = Field(examples=["pharmaceutical"], min_length=1, max_length=40)
    risk_assessment_ref: str = Field(default="", max_length=120)
    antibiotic_classes: list[str] = Field(default_factory=list, max_length=10)
    contains_serum: bool = False
    animal_species: str | None = Field(default=None, max_length=40)
    origin_country: str | None = Field(default=None, max_length=60)
    gmp: bool = False
    pathogen_screening_ref: str = Field(default="", max_length=120)


class LotIn(BaseModel):
    material_reference: str = Ref
    supplier: str = Ref
    supplier_lot: str = Ref
    expiry: date
    coa_ref: str = Ref


class ReleaseIn(BaseModel):
    qc_record_ref: str = Ref
    signature: Signature


class ReasonIn(BaseModel):
    reason: str = Field(min_length=1, max_length=500)
    signature: Signature


class AreaIn(BaseModel):
    species: str = Field(min_length=1, max_length=40, examples=["bovine"])
    country: str = Field(min_length=1, max_length=60, examples=["GB"])
    reference: str = Ref


class AreaLiftIn(BaseModel):
    species: str = Field(min_length=1, max_length=40)
    country: str = Field(min_length=1, max_length=60)
    reason: str = Field(min_length=1, max_length=500)


@router.post(
    "",
    response_model=Receipt,
    status_code=201,
    summary="Qualify a material",
    openapi_extra=records("materials.define"),
)
def define(ctx: Context, actor: CurrentActor, body: MaterialIn) -> Receipt:
    """Kind, grade (non-pharmaceutical needs a risk assessment), antibiotic classes, serum,
    animal origin and GMP status (R-MAT-1..4)."""
    fields = body.model_dump(exclude={"reference", "name", "kind", "grade"})
    return receipt(
        ctx.ledger.define_material(
            actor, body.reference, body.name, body.kind, body.grade, **fields
        )
    )


@router.post(
    "/lots",
    response_model=Created,
    status_code=201,
    summary="Receive a lot",
    openapi_extra=records("materials.receive"),
)
def receive(ctx: Context, actor: CurrentActor, body: LotIn) -> Created:
    """A received lot starts in quarantine and gets its own code (R-MAT-1)."""
    code, r = ctx.ledger.receive_material_lot(
        actor, body.material_reference, body.supplier, body.supplier_lot, body.expiry, body.coa_ref
    )
    return Created(code=code, notification_id=r.notification_id, events=r.events)


@router.post(
    "/lots/{code}/release",
    response_model=Receipt,
    summary="QC release a lot",
    openapi_extra=records("materials.disposition"),
)
def release(ctx: Context, actor: CurrentActor, code: str, body: ReleaseIn) -> Receipt:
    """QC release of a received lot, signed: the signer re-enters their password (R-MAT-1,
    R-LED-5)."""
    actor = body.signature.of(actor)
    return receipt(ctx.ledger.release_material_lot(actor, code, body.qc_record_ref))


@router.post(
    "/lots/{code}/reject",
    response_model=Receipt,
    summary="Reject a lot",
    openapi_extra=records("materials.disposition"),
)
def reject(ctx: Context, actor: CurrentActor, code: str, body: ReasonIn) -> Receipt:
    """Reject a lot, signed (R-LED-5)."""
    actor = body.signature.of(actor)
    return receipt(ctx.ledger.reject_material_lot(actor, code, body.reason))


@router.post(
    "/lots/{code}/recall",
    response_model=Receipt,
    summary="Recall a lot",
    openapi_extra=records("materials.recall"),
)
def recall(ctx: Context, actor: CurrentActor, code: str, body: ReasonIn) -> Receipt:
    """Recall a released lot, signed (R-LED-5)."""
    actor = body.signature.of(actor)
    return receipt(ctx.ledger.recall_material_lot(actor, code, body.reason))


@router.post(
    "/epidemic-areas",
    response_model=Receipt,
    summary="Declare an epidemic area",
    openapi_extra=records("materials.epidemic_areas"),
)
def declare_area(ctx: Context, actor: CurrentActor, body: AreaIn) -> Receipt:
    """Animal material from this country is refused from now on (R-MAT-3)."""
    return receipt(
        ctx.ledger.declare_epidemic_area(actor, body.species, body.country, body.reference)
    )


@router.post(
    "/epidemic-areas/lift",
    response_model=Receipt,
    summary="Lift an epidemic area",
    openapi_extra=records("materials.epidemic_areas"),
)
def lift_area(ctx: Context, actor: CurrentActor, body: AreaLiftIn) -> Receipt:
    return receipt(ctx.ledger.lift_epidemic_area(actor, body.species, body.country, body.reason))


@router.get(
    "/epidemic-areas",
    response_model=dict[str, str],
    summary="Epidemic areas in force",
    dependencies=[reads(Read.MATERIALS)],
)
def epidemic_areas(ctx: Context) -> dict[str, str]:
    """Listed areas as `species:COUNTRY` -> the announcement that lists them; animal material
    from them is refused (R-MAT-3)."""
    return ctx.ledger.list_epidemic_areas()


@router.get(
    "/{code}/impact",
    response_model=RecallListOut,
    dependencies=[reads(Read.RECALL), ReadYourWrites],
    summary="Material lot impact (recall list)",
)
def impact_list(ctx: Context, code: str) -> dict[str, object]:
    """Everything made with the lot, where each item is now, and patients dosed (R-TRC-2)."""
    recall = impact(ctx.views_engine, str(parse_code(code)), partial(add_study_kits, ctx))
    return with_quality_events(ctx, recall)
