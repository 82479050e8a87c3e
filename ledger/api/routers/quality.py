"""Quality control: lot results, QA certification with an electronic signature, and change
control (R-QC-1..3, R-PRO-5, R-LED-5)."""

from __future__ import annotations

from datetime import date, datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field

from ledger.api.deps import Context, CurrentActor, confirm_signature
from ledger.api.schemas import ERRORS, Receipt, Signature, receipt
from ledger.domain.change_control import Comparability
from ledger.domain.quality import QcResult

router = APIRouter(tags=["quality"], responses=ERRORS)

Text = Field(min_length=1, max_length=200)


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


class CertifyIn(BaseModel):
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


@router.post("/lots/{code}/results", response_model=Receipt)
def record_result(ctx: Context, actor: CurrentActor, code: str, body: ResultIn) -> Receipt:
    """A release-test result; out of spec quarantines the lot (R-QC-1, R-QC-2)."""
    result = QcResult(**body.model_dump())  # type: ignore[typeddict-item]
    return receipt(ctx.ledger.record_lot_result(actor, code, result))


@router.post("/lots/{code}/certify", response_model=Receipt)
def certify(ctx: Context, actor: CurrentActor, code: str, body: CertifyIn) -> Receipt:
    """QA certifies a lot only when every required result is in spec; signed (R-QC-2,
    R-LED-5). A refusal lists every missing or failing test."""
    confirm_signature(ctx, actor, body.signature.password)
    return receipt(ctx.ledger.certify_lot(actor, code))


@router.post("/changes", response_model=Receipt, status_code=201)
def major_change(ctx: Context, actor: CurrentActor, body: ChangeIn) -> Receipt:
    """A major change; lots made after it need a comparability assessment (R-PRO-5)."""
    return receipt(
        ctx.ledger.record_major_change(
            actor, body.product, body.reference, body.category, body.description, body.effective_at
        )
    )


@router.post("/changes/comparability", response_model=Receipt)
def comparability(ctx: Context, actor: CurrentActor, body: ComparabilityIn) -> Receipt:
    assessment = Comparability(**body.model_dump(exclude={"product"}))  # type: ignore[typeddict-item]
    return receipt(ctx.ledger.record_comparability(actor, body.product, assessment))
