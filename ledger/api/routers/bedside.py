"""The bedside: go / no-go with every reason before giving a vial to a patient (R-CLN-2), the
thaw that starts the in-use clock, and the administration record signed by the nurse and the
verifying pharmacist (R-CLN-3, R-LED-5)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from ledger.api.deps import Context, CurrentActor
from ledger.api.language import current
from ledger.api.routing import Routes
from ledger.api.schemas import ERRORS, ErrorViolation, Receipt, Signature, receipt
from ledger.api.step_docs import records
from ledger.application import Actor
from ledger.domain.people import Role

router = Routes(prefix="/bedside", tags=["bedside"], responses=ERRORS)


class BedsideIn(BaseModel):
    vial: str = Field(min_length=1, max_length=200, description="The scanned vial label")
    patient: str = Field(min_length=1, max_length=200, description="The scanned wristband")
    dose: float = Field(description="Dose in the study's unit (checked against the cohort)")
    route: str = Field(min_length=1, max_length=40, examples=["intravenous"])


class DecisionOut(BaseModel):
    decision: Literal["go", "no-go"]
    reasons: list[ErrorViolation]


class AdministerIn(BedsideIn):
    pharmacist: str = Field(
        min_length=1, max_length=200, description="The pharmacist who verified (not the nurse)"
    )
    signature: Signature = Field(
        description="The signed-in nurse re-enters their password; recorded as performed"
    )
    pharmacist_signature: Signature = Field(
        description="The verifying pharmacist re-enters their password at the bedside; "
        "recorded as the verifying pharmacist of the administration"
    )


class AdministeredOut(Receipt):
    administration: int


@router.post("/verify", response_model=DecisionOut, summary="Go / no-go at the bedside")
def verify(ctx: Context, actor: CurrentActor, body: BedsideIn) -> DecisionOut:
    """Every reason is listed; go only when all hold (R-CLN-2). Nothing is recorded."""
    decision = ctx.ledger.verify_bedside(body.vial, body.patient, body.dose, body.route)
    return DecisionOut(
        decision="go" if decision.go else "no-go",
        reasons=[
            ErrorViolation(rule=v.rule, message=v.render(current())) for v in decision.reasons
        ],
    )


@router.post(
    "/thaw",
    response_model=Receipt,
    summary="Thaw at the bedside",
    openapi_extra=records("bedside.thaw"),
)
def thaw(ctx: Context, actor: CurrentActor, body: BedsideIn) -> Receipt:
    """Only on go; starts the vial's in-use time (R-CLN-2). Recorded by the signed-in nurse or
    pharmacist; not a release-type decision, so no password is re-entered."""
    return receipt(
        ctx.ledger.thaw_at_bedside(actor, body.vial, body.patient, body.dose, body.route)
    )


@router.post(
    "/administer",
    response_model=AdministeredOut,
    summary="Record the administration",
    openapi_extra=records("bedside.administer"),
)
def administer(ctx: Context, actor: CurrentActor, body: AdministerIn) -> AdministeredOut:
    """The nurse records what the pharmacist verified, only on go at this moment (R-CLN-3).
    Both sign: each re-enters their password, and a wrong one writes nothing (R-LED-5). The
    event is the nurse's (meaning "performed") and names the pharmacist who verified."""
    # the pharmacist's code is checked with their signature, after the nurse's role and training
    pharmacist = Actor(body.pharmacist.strip().upper(), Role.PHARMACIST.value)
    number, r = ctx.ledger.administer(
        body.signature.of(actor),
        body.vial,
        body.patient,
        body.dose,
        body.route,
        body.pharmacist_signature.of(pharmacist),
    )
    return AdministeredOut(
        administration=number, notification_id=r.notification_id, events=r.events
    )
