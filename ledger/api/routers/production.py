"""Production steps: culture, passages, supernatant collection and harvest, purification into
lots, fill, disposal (R-PRO-1..6, R-MAT at every use)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from ledger.api.deps import Context, CurrentActor
from ledger.api.routers.banks import UseIn
from ledger.api.routing import Routes
from ledger.api.schemas import ERRORS, Created, Receipt, Signature, receipt
from ledger.api.step_docs import records
from ledger.application import Actor
from ledger.domain.culture import PassagePlan
from ledger.domain.material_use import UseOf
from ledger.domain.purification import Purification

router = Routes(tags=["production"], responses=ERRORS)

Text = Field(min_length=1, max_length=200)


def _uses(items: list[UseIn]) -> list[UseOf]:
    return [m.value() for m in items]


class CultureIn(BaseModel):
    vial: str = Field(min_length=1, max_length=200, description="A thawed working-bank vial")
    medium: list[UseIn] = Field(default_factory=list, max_length=20)


class PassageIn(BaseModel):
    number: int = Field(description="The passage number reached (checked by R-PRO-1)")
    feed: str = Text
    dissociation: str = Text
    medium: list[UseIn] = Field(default_factory=list, max_length=20)
    materials: list[UseIn] = Field(default_factory=list, max_length=20)


class MediumIn(BaseModel):
    medium: list[UseIn] = Field(default_factory=list, max_length=20)


class HarvestIn(BaseModel):
    volume_ml: float = Field(description="Supernatant volume, mL (checked by R-PRO-2)")
    medium: list[UseIn] = Field(default_factory=list, max_length=20)
    harvested_at: datetime | None = None


class PurificationIn(BaseModel):
    harvests: list[str] = Field(min_length=1, max_length=100)
    method: str = Field(min_length=1, max_length=60, examples=["tff_sec"])
    parameters: dict[str, str] = Field(default_factory=dict, max_length=40)
    volume_ml: float = 0.0
    specification: str = Field(min_length=1, max_length=60)
    materials: list[UseIn] = Field(default_factory=list, max_length=20)
    blinded_study: str = Field(default="", max_length=60)


class FillIn(BaseModel):
    vials: int = Field(description="How many vials (checked against the lot, R-PRO-4)")
    volume_ml: float
    container: str = Text


class VialsCreated(Receipt):
    codes: list[str]


class DisposalIn(BaseModel):
    category: str = Field(min_length=1, max_length=40, examples=["non_conforming"])
    method: str = Text
    witness: str = Field(min_length=1, max_length=200, description="The witness's person code")
    note: str = Field(default="", max_length=500)
    signature: Signature = Field(
        description="The signed-in person disposing re-enters their password (performed)"
    )
    witness_signature: Signature = Field(
        description="The witness, another person, re-enters their password (witnessed)"
    )


@router.post(
    "/cultures",
    response_model=Created,
    status_code=201,
    openapi_extra=records("production.culture"),
)
def start_culture(ctx: Context, actor: CurrentActor, body: CultureIn) -> Created:
    """Start a culture from a thawed vial of a released working bank (R-PRO-1)."""
    code, r = ctx.ledger.start_culture(actor, body.vial, _uses(body.medium))
    return Created(code=code, notification_id=r.notification_id, events=r.events)


@router.post(
    "/cultures/{code}/passages", response_model=Receipt, openapi_extra=records("production.passage")
)
def passage(ctx: Context, actor: CurrentActor, code: str, body: PassageIn) -> Receipt:
    """A passage within the bank's limit, with medium and material lots (R-PRO-1)."""
    plan = PassagePlan(body.number, body.feed, body.dissociation)
    return receipt(
        ctx.ledger.record_passage(
            actor,
            code,
            plan,
            _uses(body.medium),
            _uses(body.materials),
        )
    )


@router.post(
    "/cultures/{code}/collection-stage",
    response_model=Receipt,
    openapi_extra=records("production.collection_stage"),
)
def collection_stage(ctx: Context, actor: CurrentActor, code: str, body: MediumIn) -> Receipt:
    """Move to the serum-free supernatant-collection stage (R-MAT-4)."""
    return receipt(ctx.ledger.begin_supernatant_collection(actor, code, _uses(body.medium)))


@router.post(
    "/cultures/{code}/harvests",
    response_model=Created,
    status_code=201,
    openapi_extra=records("production.harvest"),
)
def harvest(ctx: Context, actor: CurrentActor, code: str, body: HarvestIn) -> Created:
    """A supernatant harvest, only in the collection stage (R-PRO-2)."""
    new, r = ctx.ledger.harvest_supernatant(
        actor,
        code,
        body.volume_ml,
        _uses(body.medium),
        body.harvested_at,
    )
    return Created(code=new, notification_id=r.notification_id, events=r.events)


@router.post(
    "/lots", response_model=Created, status_code=201, openapi_extra=records("production.purify")
)
def purify(ctx: Context, actor: CurrentActor, body: PurificationIn) -> Created:
    """Pool harvests into a product lot with method and critical parameters (R-PRO-3)."""
    purification = Purification(body.method, body.parameters, body.volume_ml)
    code, r = ctx.ledger.purify_lot(
        actor,
        body.harvests,
        purification,
        body.specification,
        _uses(body.materials),
        blinded_study=body.blinded_study,
    )
    return Created(code=code, notification_id=r.notification_id, events=r.events)


@router.post(
    "/lots/{code}/fill",
    response_model=VialsCreated,
    status_code=201,
    openapi_extra=records("production.fill"),
)
def fill(ctx: Context, actor: CurrentActor, code: str, body: FillIn) -> VialsCreated:
    """Fill a certified lot into vials, each with its own code (R-PRO-4)."""
    codes, r = ctx.ledger.fill_lot(actor, code, body.vials, body.volume_ml, body.container)
    return VialsCreated(codes=codes, notification_id=r.notification_id, events=r.events)


class KitsIn(BaseModel):
    lots: dict[str, int] = Field(
        min_length=2,
        max_length=20,
        description="Kits to fill from each lot of the study: its active and placebo lots",
        examples=[{"LOT-F01-26-000001-5": 10, "LOT-F01-26-000002-3": 10}],
    )
    volume_ml: float
    container: str = Text


@router.post(
    "/studies/{code}/kits",
    response_model=VialsCreated,
    status_code=201,
    summary="Fill a blinded study's kits (sealed)",
    openapi_extra=records("production.kits"),
)
def fill_kits(ctx: Context, actor: CurrentActor, code: str, body: KitsIn) -> VialsCreated:
    """Fill the active and placebo lots of a blinded study together into kits that no record
    tells apart: each kit's lot and arm are sealed under the study's key, and codes are given
    in a random order (R-ACC-5, R-PRO-4)."""
    codes, r = ctx.ledger.fill_kits(actor, code, body.lots, body.volume_ml, body.container)
    return VialsCreated(codes=codes, notification_id=r.notification_id, events=r.events)


@router.post(
    "/items/{code}/dispose",
    response_model=Receipt,
    tags=["production"],
    openapi_extra=records("production.dispose"),
)
def dispose(ctx: Context, actor: CurrentActor, code: str, body: DisposalIn) -> Receipt:
    """Dispose of a non-conforming or surplus item with method and witness (R-PRO-6); both
    sign with their passwords (R-LED-5), and they are two different people (R-PPL-4)."""
    witness = body.witness_signature.of(Actor(body.witness.strip(), "witness"))
    return receipt(
        ctx.ledger.dispose_item(
            body.signature.of(actor), code, body.category, body.method, witness, body.note
        )
    )


class PlaceboIn(BaseModel):
    study: str = Field(min_length=1, max_length=60, description="The blinded study")
    formulation: str = Text
    volume_ml: float
    specification: str = Field(min_length=1, max_length=60)
    materials: list[UseIn] = Field(min_length=1, max_length=20, description="Excipient lots")


@router.post(
    "/placebo-lots",
    response_model=Created,
    status_code=201,
    openapi_extra=records("production.placebo"),
)
def formulate_placebo(ctx: Context, actor: CurrentActor, body: PlaceboIn) -> Created:
    """A matching placebo lot of a blinded study; its vials cannot be told from active ones
    (R-ID-3)."""
    code, r = ctx.ledger.formulate_placebo_lot(
        actor,
        body.study,
        body.formulation,
        body.volume_ml,
        body.specification,
        [u.value() for u in body.materials],
    )
    return Created(code=code, notification_id=r.notification_id, events=r.events)
