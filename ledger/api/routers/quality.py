"""Quality control: release specifications with their stability data, lot results, QA
certification with an electronic signature, and change control (R-QC-1..3, R-PRO-5, R-LED-5)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from ledger.api.access import Read, reads
from ledger.api.deps import Context, CurrentActor
from ledger.api.routing import Routes
from ledger.api.schemas import ERRORS, Receipt, Signature, receipt
from ledger.api.step_docs import records
from ledger.domain.change_control import Comparability
from ledger.domain.quality import QcResult
from ledger.domain.specification import SpecTest, Stability

router = Routes(tags=["quality"], responses=ERRORS)

Text = Field(min_length=1, max_length=200)
Celsius = Field(ge=-273.15, le=200)


class SpecTestIn(BaseModel):
    """One release test: numeric limits, or the qualitative result expected (R-QC-1)."""

    test: str = Field(min_length=1, max_length=60, examples=["endotoxin"])
    category: str = Field(min_length=1, max_length=40, examples=["endotoxin"])
    method: str = Field(max_length=200, examples=["ChP 1143 kinetic LAL"])
    unit: str = Field(default="", max_length=30, examples=["EU/mL"])
    minimum: float | None = Field(default=None, allow_inf_nan=False)
    maximum: float | None = Field(default=None, allow_inf_nan=False, examples=[2.0])
    expected: str = Field(default="", max_length=60)


class StabilityIn(BaseModel):
    """What the stability study supports: expiry, storage and transport ranges (R-QC-3)."""

    study_ref: str = Field(min_length=1, max_length=120, examples=["STAB-EV-2025-02"])
    shelf_life_days: int = Field(ge=-36_525, le=36_525, examples=[180])
    storage_min_c: float = Celsius
    storage_max_c: float = Celsius
    transport_min_c: float = Celsius
    transport_max_c: float = Celsius


class SpecificationIn(BaseModel):
    reference: str = Field(min_length=1, max_length=60, examples=["SPEC-UCMSC-EV"])
    product: str = Field(min_length=1, max_length=120, examples=["UC-MSC-EV"])
    tests: list[SpecTestIn] = Field(min_length=1, max_length=100)
    stability: StabilityIn


class ResultIn(BaseModel):
    test: str = Field(min_length=1, max_length=60, examples=["endotoxin"])
    method: str = Text
    laboratory: str = Text
    third_party: bool
    value: str = Field(min_length=1, max_length=60)
    unit: str = Field(max_length=30)
    in_spec: bool
    limit: str = Field(max_length=60)
    report_ref: str = Text
    tested_on: date
    replaces: int | None = Field(
        default=None,
        ge=1,
        description="A retest: the event number of the result an OOS investigation invalidated",
    )


class CertifyIn(BaseModel):
    signature: Signature


class OosFindingIn(BaseModel):
    investigation: int = Field(ge=1, le=10_000, examples=[1])
    phase: str = Field(pattern="^(laboratory|production)$", examples=["laboratory"])
    finding: str = Field(min_length=1, max_length=2000)


class OosConclusionIn(BaseModel):
    investigation: int = Field(ge=1, le=10_000, examples=[1])
    invalidate: bool
    assignable_cause: str = Field(default="", max_length=2000)
    conclusion: str = Field(min_length=1, max_length=2000)
    signature: Signature


class LotRejectionIn(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)
    signature: Signature


class ChangeIn(BaseModel):
    product: str = Text
    reference: str = Text
    category: str = Field(min_length=1, max_length=40, examples=["process"])
    description: str = Field(min_length=1, max_length=2000)
    effective_at: datetime | None = None


class ComparabilityIn(BaseModel):
    product: str = Text
    change: str = Text
    report_ref: str = Text
    lots_studied: list[str] = Field(default_factory=list, max_length=50)
    comparable: bool
    conclusion: str = Field(min_length=1, max_length=2000)


@router.post(
    "/specifications",
    response_model=Receipt,
    status_code=201,
    openapi_extra=records("quality.specification"),
)
def issue_specification(ctx: Context, actor: CurrentActor, body: SpecificationIn) -> Receipt:
    """QA approves a product's release specification: every required test category, and the
    stability data that set expiry and temperature ranges (R-QC-1, R-QC-3). Lots name it."""
    tests = [SpecTest(**t.model_dump()) for t in body.tests]  # type: ignore[typeddict-item]
    stability = Stability(**body.stability.model_dump())  # type: ignore[typeddict-item]
    return receipt(
        ctx.ledger.issue_specification(actor, body.reference, body.product, tests, stability)
    )


@router.post("/lots/{code}/results", response_model=Receipt, openapi_extra=records("quality.test"))
def record_result(ctx: Context, actor: CurrentActor, code: str, body: ResultIn) -> Receipt:
    """A release-test result; out of spec quarantines the lot (R-QC-1, R-QC-2)."""
    fields = body.model_dump(exclude_none=True)
    result = QcResult(**fields)  # type: ignore[typeddict-item]
    return receipt(ctx.ledger.record_lot_result(actor, code, result))


@router.post(
    "/lots/{code}/oos-findings",
    response_model=Receipt,
    openapi_extra=records("quality.oos_finding"),
)
def oos_finding(ctx: Context, actor: CurrentActor, code: str, body: OosFindingIn) -> Receipt:
    """A finding of the lot's OOS investigation: the laboratory's (phase I) or production's
    (phase II) (R-QMS-1). An out-of-specification result opened the investigation, numbered
    from 1 on the lot (`GET /lots/{code}/investigations`)."""
    return receipt(
        ctx.ledger.record_oos_finding(actor, code, body.investigation, body.phase, body.finding)
    )


@router.post(
    "/lots/{code}/oos-conclusion",
    response_model=Receipt,
    openapi_extra=records("quality.oos_conclusion"),
)
def oos_conclusion(ctx: Context, actor: CurrentActor, code: str, body: OosConclusionIn) -> Receipt:
    """QA concludes the investigation, signed: the result invalidated for the assignable cause
    named (a retest then names it in `replaces`), or confirmed, when the lot stays quarantined
    until rejected (R-QMS-1, R-QMS-5, R-LED-5)."""
    return receipt(
        ctx.ledger.conclude_oos_investigation(
            body.signature.of(actor),
            code,
            body.investigation,
            body.invalidate,
            body.assignable_cause,
            body.conclusion,
        )
    )


class FindingOut(BaseModel):
    phase: str
    finding: str


class InvestigationOut(BaseModel):
    investigation: int
    result: int = Field(description="The event number of the out-of-specification result")
    test: str
    report_ref: str
    outcome: str = Field(description="open, invalidated or confirmed")
    findings: list[FindingOut]
    assignable_cause: str
    conclusion: str


@router.get(
    "/lots/{code}/investigations",
    response_model=list[InvestigationOut],
    summary="A lot's OOS investigations",
    dependencies=[reads(Read.HISTORY)],
)
def investigations(ctx: Context, code: str) -> list[InvestigationOut]:
    """Every OOS investigation of the lot, open or concluded, with its findings (R-QMS-1)."""
    lot = ctx.ledger.get_product_lot(code)
    return [
        InvestigationOut(
            investigation=number,
            result=found["result"],
            test=found["test"],
            report_ref=found["report_ref"],
            outcome=found["outcome"],
            findings=[FindingOut(**f) for f in found["findings"]],
            assignable_cause=found["assignable_cause"],
            conclusion=found["conclusion"],
        )
        for number, found in sorted(lot.investigations.items())
    ]


@router.post("/lots/{code}/reject", response_model=Receipt, openapi_extra=records("quality.reject"))
def reject(ctx: Context, actor: CurrentActor, code: str, body: LotRejectionIn) -> Receipt:
    """QA rejects the lot, signed; it can then only be disposed of (R-QMS-5, R-LED-5)."""
    return receipt(ctx.ledger.reject_lot(body.signature.of(actor), code, body.reason))


@router.post(
    "/lots/{code}/certify", response_model=Receipt, openapi_extra=records("quality.certify")
)
def certify(ctx: Context, actor: CurrentActor, code: str, body: CertifyIn) -> Receipt:
    """QA certifies a lot only when every required result is in spec; signed (R-QC-2,
    R-LED-5). A refusal lists every missing or failing test."""
    actor = body.signature.of(actor)
    return receipt(ctx.ledger.certify_lot(actor, code))


@router.post(
    "/changes", response_model=Receipt, status_code=201, openapi_extra=records("quality.change")
)
def major_change(ctx: Context, actor: CurrentActor, body: ChangeIn) -> Receipt:
    """A major change; lots made after it need a comparability assessment (R-PRO-5)."""
    return receipt(
        ctx.ledger.record_major_change(
            actor, body.product, body.reference, body.category, body.description, body.effective_at
        )
    )


@router.post(
    "/changes/comparability", response_model=Receipt, openapi_extra=records("quality.comparability")
)
def comparability(ctx: Context, actor: CurrentActor, body: ComparabilityIn) -> Receipt:
    assessment = Comparability(**body.model_dump(exclude={"product"}))  # type: ignore[typeddict-item]
    return receipt(ctx.ledger.record_comparability(actor, body.product, assessment))


class RevisionIn(BaseModel):
    tests: list[SpecTestIn] = Field(min_length=1, max_length=100)
    stability: StabilityIn


class RevisedOut(Receipt):
    version: int = Field(description="The new version; lots made before keep theirs")


class CorrectionIn(BaseModel):
    version: int = Field(ge=1, description="The item's event (history `version`) struck out")
    reason: str = Field(min_length=1, max_length=500)


@router.post(
    "/specifications/{reference}/versions",
    response_model=RevisedOut,
    status_code=201,
    openapi_extra=records("quality.specification"),
)
def revise_specification(
    ctx: Context, actor: CurrentActor, reference: str, body: RevisionIn
) -> RevisedOut:
    """A new version of a specification, approved by QA (R-QC-1, R-QC-3)."""
    tests = [SpecTest(**t.model_dump()) for t in body.tests]  # type: ignore[typeddict-item]
    stability = Stability(**body.stability.model_dump())  # type: ignore[typeddict-item]
    number, r = ctx.ledger.revise_specification(actor, reference, tests, stability)
    return RevisedOut(version=number, notification_id=r.notification_id, events=r.events)


@router.post(
    "/items/{code}/corrections", response_model=Receipt, openapi_extra=records("ledger.correct")
)
def correct_entry(ctx: Context, actor: CurrentActor, code: str, body: CorrectionIn) -> Receipt:
    """Strike out a wrong entry (a result, screening, consent or confirmation) with the reason;
    the original stays in the chain. Then record the right data with the usual step (R-LED-1)."""
    return receipt(ctx.ledger.correct_entry(actor, code, body.version, body.reason))
