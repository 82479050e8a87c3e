"""Donor samples, isolation and cell banks: collection, isolation, identity, banking, testing,
signed release and thaw (R-CB-1..7, R-MAT-5)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from ledger.api.deps import Context, CurrentActor
from ledger.api.routing import Routes
from ledger.api.schemas import ERRORS, Created, Receipt, Signature, receipt
from ledger.api.step_docs import records
from ledger.domain.bank_vial import BankPlan, StorageLocation
from ledger.domain.cell_source import IdentityFinding, Vector
from ledger.domain.cellbank import BankTestResult
from ledger.domain.collection import Arrival
from ledger.domain.isolation import CellLine
from ledger.domain.material_use import UseOf

router = Routes(tags=["banks"], responses=ERRORS)

Ref = Field(min_length=1, max_length=120)


class UseIn(BaseModel):
    """A material lot scanned for this step (R-MAT rules are checked at use)."""

    lot: str = Field(min_length=1, max_length=200)
    justification: str = Field(default="", max_length=500)
    removal_validation: str = Field(default="", max_length=200)

    def value(self) -> UseOf:
        return UseOf(self.lot, self.justification, self.removal_validation)


class ArrivalIn(BaseModel):
    arrived_at: datetime
    temperature_c: float = Field(ge=-200, le=100)
    container_intact: bool
    sample_immersed: bool
    note: str = Field(default="", max_length=500)


class CollectionIn(BaseModel):
    donor: str = Field(min_length=1, max_length=200)
    sample_type: str = Field(min_length=1, max_length=40, examples=["umbilical_cord"])
    collected_at: datetime
    sop_version: str = Ref
    transport_media: list[UseIn] = Field(min_length=1)
    arrival: ArrivalIn


class IsolationIn(BaseModel):
    method: str = Field(min_length=1, max_length=40, examples=["enzymatic"])
    parameters: dict[str, str] = Field(default_factory=dict, max_length=30)
    cell_type: str = Ref
    portions: int = Field(default=1, ge=1, le=100)
    materials: list[UseIn] = Field(default_factory=list, max_length=30)
    pluripotent: bool = False


class FindingIn(BaseModel):
    marker: str = Field(min_length=1, max_length=40, examples=["CD73"])
    expected: str = Field(min_length=1, max_length=40, examples=["positive"])
    observed: str = Field(min_length=1, max_length=40, examples=["positive"])


class IdentityIn(BaseModel):
    method: str = Field(min_length=1, max_length=80, examples=["flow cytometry"])
    findings: list[FindingIn] = Field(min_length=1, max_length=50)
    report_ref: str = Ref


class LocationIn(BaseModel):
    tank: str = Field(min_length=1, max_length=20)
    rack: str = Field(min_length=1, max_length=20)
    box: str = Field(min_length=1, max_length=20)
    position: str = Field(min_length=1, max_length=20)


class BankIn(BaseModel):
    tier: str = Field(examples=["master"], min_length=1, max_length=20)
    source: str = Field(min_length=1, max_length=200, description="Cells or a thawed vial")
    passage: int = Field(ge=0, le=1000)
    max_passage: int = Field(ge=0, le=1000)
    stability_study_ref: str = Ref
    viability_spec_pct: float = Field(gt=0, le=100)
    locations: list[LocationIn] = Field(min_length=1, max_length=2000)
    frozen_on: date
    materials: list[UseIn] = Field(default_factory=list, max_length=30)


class BankCreated(Receipt):
    code: str
    vials: list[str]


class BankTestIn(BaseModel):
    test: str = Field(min_length=1, max_length=60, examples=["sterility"])
    passed: bool
    laboratory: str = Ref
    third_party: bool
    report_ref: str = Ref
    tested_on: date


class ReleaseIn(BaseModel):
    signature: Signature


class ThawIn(BaseModel):
    purpose: str = Field(min_length=1, max_length=40, examples=["production"])
    viability_pct: float = Field(description="Post-thaw viability, % (checked by R-CB-6)")
    thawed_at: datetime | None = None


@router.post(
    "/collections",
    response_model=Created,
    status_code=201,
    tags=["banks"],
    openapi_extra=records("cells.collect"),
)
def collect(ctx: Context, actor: CurrentActor, body: CollectionIn) -> Created:
    """A donor sample received: from an eligible, consented donor only (R-CB-1, R-DON-4)."""
    arrival = Arrival(**body.arrival.model_dump())  # type: ignore[typeddict-item]
    code, r = ctx.ledger.record_collection(
        actor,
        body.donor,
        body.sample_type,
        body.collected_at,
        body.sop_version,
        [m.value() for m in body.transport_media],
        arrival,
    )
    return Created(code=code, notification_id=r.notification_id, events=r.events)


class PortionsOut(Receipt):
    codes: list[str]


@router.post(
    "/collections/{code}/isolations",
    response_model=PortionsOut,
    status_code=201,
    openapi_extra=records("cells.isolate"),
)
def isolate(ctx: Context, actor: CurrentActor, code: str, body: IsolationIn) -> PortionsOut:
    """Isolate cells into portions, each with its own code (R-CB-2)."""
    codes, r = ctx.ledger.isolate_cells(
        actor,
        code,
        method=body.method,
        parameters=body.parameters,
        cell_type=body.cell_type,
        portions=body.portions,
        materials=[m.value() for m in body.materials],
        pluripotent=body.pluripotent,
    )
    return PortionsOut(codes=codes, notification_id=r.notification_id, events=r.events)


@router.post(
    "/cells/{code}/identity", response_model=Receipt, openapi_extra=records("cells.identity")
)
def identity(ctx: Context, actor: CurrentActor, code: str, body: IdentityIn) -> Receipt:
    """QC confirms the cells' identity (markers expected and observed) before banking
    (R-CB-2, §5.4.1(3))."""
    findings = [IdentityFinding(**f.model_dump()) for f in body.findings]  # type: ignore[typeddict-item]
    return receipt(ctx.ledger.confirm_identity(actor, code, body.method, findings, body.report_ref))


@router.post(
    "/banks", response_model=BankCreated, status_code=201, openapi_extra=records("banks.establish")
)
def establish(ctx: Context, actor: CurrentActor, body: BankIn) -> BankCreated:
    """Freeze a seed, master or working bank into vials in vapor-phase LN2 (R-CB-3, R-CB-4)."""
    plan = BankPlan(
        passage=body.passage,
        max_passage=body.max_passage,
        stability_study_ref=body.stability_study_ref,
        viability_spec_pct=body.viability_spec_pct,
        locations=tuple(StorageLocation(**loc.model_dump()) for loc in body.locations),  # type: ignore[typeddict-item]
        frozen_on=body.frozen_on,
    )
    code, vials, r = ctx.ledger.establish_cell_bank(
        actor, body.tier, body.source, plan, [m.value() for m in body.materials]
    )
    return BankCreated(code=code, vials=vials, notification_id=r.notification_id, events=r.events)


@router.post("/banks/{code}/tests", response_model=Receipt, openapi_extra=records("banks.test"))
def bank_test(ctx: Context, actor: CurrentActor, code: str, body: BankTestIn) -> Receipt:
    """One bank test result, in-house or third party (R-CB-5)."""
    result = BankTestResult(**body.model_dump())  # type: ignore[typeddict-item]
    return receipt(ctx.ledger.record_bank_test(actor, code, result))


@router.post(
    "/banks/{code}/release", response_model=Receipt, openapi_extra=records("banks.release")
)
def release(ctx: Context, actor: CurrentActor, code: str, body: ReleaseIn) -> Receipt:
    """QA's release after full testing, signed with their password (R-CB-5, R-LED-5)."""
    actor = body.signature.of(actor)
    return receipt(ctx.ledger.release_cell_bank(actor, code))


@router.post("/vials/{code}/thaw", response_model=Receipt, openapi_extra=records("banks.thaw"))
def thaw(ctx: Context, actor: CurrentActor, code: str, body: ThawIn) -> Receipt:
    """Thaw a bank vial once, with its post-thaw viability (R-CB-6)."""
    return receipt(
        ctx.ledger.thaw_vial(actor, code, body.purpose, body.viability_pct, body.thawed_at)
    )


class ClonesIn(BaseModel):
    count: int = Field(ge=1, le=384, description="How many single-cell clones to pick")
    method: str = Field(min_length=1, max_length=80, examples=["limiting dilution"])


class ClonesOut(Receipt):
    clones: list[str] = Field(description="Each clone's own code (R-CB-2)")


class EngineeringIn(BaseModel):
    type: str = Field(min_length=1, max_length=40, examples=["lentiviral"])
    name: str = Ref
    lot: str = Ref
    reprogramming: bool = False


class CellLineIn(BaseModel):
    line_name: str = Ref
    supplier: str = Ref
    supplier_lot: str = Ref
    cell_type: str = Field(default="", max_length=120)
    pluripotent: bool = False
    genetically_unstable: bool = Field(
        default=False, description="e.g. HEK293: needs the proof of lawful origin (R-CB-7)"
    )
    lawful_origin_ref: str = Field(default="", max_length=120)


@router.post(
    "/cells/{code}/clones",
    response_model=ClonesOut,
    status_code=201,
    openapi_extra=records("cells.clone"),
)
def pick_clones(ctx: Context, actor: CurrentActor, code: str, body: ClonesIn) -> ClonesOut:
    """Single-cell clones of a cell portion or clone, each with its own code (R-CB-2)."""
    clones, r = ctx.ledger.pick_clones(actor, code, body.count, body.method)
    return ClonesOut(clones=clones, notification_id=r.notification_id, events=r.events)


@router.post(
    "/cells/{code}/engineering", response_model=Receipt, openapi_extra=records("cells.engineer")
)
def record_engineering(
    ctx: Context, actor: CurrentActor, code: str, body: EngineeringIn
) -> Receipt:
    """The vector used to engineer (or reprogram) these cells (R-CB-7)."""
    vector = Vector(type=body.type, name=body.name, lot=body.lot)
    return receipt(
        ctx.ledger.record_engineering(actor, code, vector, reprogramming=body.reprogramming)
    )


@router.post(
    "/cell-lines",
    response_model=Created,
    status_code=201,
    openapi_extra=records("cells.receive_line"),
)
def receive_cell_line(ctx: Context, actor: CurrentActor, body: CellLineIn) -> Created:
    """Cells of an established line from its supplier; a genetically unstable line needs its
    proof of lawful origin (R-CB-7)."""
    code, r = ctx.ledger.receive_cell_line(actor, CellLine(**body.model_dump()))
    return Created(code=code, notification_id=r.notification_id, events=r.events)
