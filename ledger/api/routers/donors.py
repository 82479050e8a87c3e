"""Donors: registration, consent, screening, signed eligibility and look-back (R-DON-1..7),
identifying data outside the chain (R-LED-6)."""

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
from ledger.domain.screening import ScreeningRecord
from ledger.identifiers import parse_code
from ledger.projections.recall import lookback as lookback_recall
from ledger.stores.personal_data import PersonalData

router = Routes(prefix="/donors", tags=["donors"], responses=ERRORS)

Text = Field(min_length=1, max_length=500)


class IdentityIn(BaseModel):
    """Identifying data: stored encrypted outside the ledger, erasable (R-LED-6)."""

    name: str = Field(min_length=1, max_length=200)
    birth_date: date | None = None
    contact: str = Field(default="", max_length=300)

    def value(self) -> PersonalData:
        return PersonalData(self.name, self.birth_date, self.contact)


class DonorIn(BaseModel):
    autologous: bool = False
    identity: IdentityIn | None = None


class ConsentIn(BaseModel):
    scopes: list[str] = Field(min_length=1, examples=[["banking", "long_term_storage"]])
    project: str = Text
    institution: str = Text
    form_version: str = Field(min_length=1, max_length=60)
    consented_on: date


class WithdrawIn(BaseModel):
    reason: str = Text
    withdrawn_on: date


class MarkerIn(BaseModel):
    marker: str = Field(min_length=1, max_length=40, examples=["HIV-1/2"])
    result: str = Field(min_length=1, max_length=40, examples=["non-reactive"])
    kit: str = Field(min_length=1, max_length=200)
    approval_number: str = Field(min_length=1, max_length=100)


class HemodilutionIn(BaseModel):
    blood_and_colloids_48h_ml: int = Field(ge=0, le=100_000)
    crystalloids_1h_ml: int = Field(ge=0, le=100_000)
    plasma_volume_ml: int = Field(ge=1, le=100_000)


class ScreeningIn(BaseModel):
    sample_reference: str = Field(min_length=1, max_length=100)
    screened_on: date
    age: int = Field(ge=0, le=130)
    sex: str = Field(min_length=1, max_length=20)
    medical_history: str = Field(max_length=2000)
    family_history: str = Field(max_length=2000)
    epidemic_area_travel: str = Field(max_length=2000)
    leukocyte_rich: bool
    results: list[MarkerIn] = Field(min_length=1)
    hemodilution: HemodilutionIn

    def value(self) -> ScreeningRecord:
        return ScreeningRecord(
            sample_reference=self.sample_reference,
            screened_on=self.screened_on,
            age=self.age,
            sex=self.sex,
            medical_history=self.medical_history,
            family_history=self.family_history,
            epidemic_area_travel=self.epidemic_area_travel,
            leukocyte_rich=self.leukocyte_rich,
            results=[m.model_dump() for m in self.results],  # type: ignore[misc]
            hemodilution=self.hemodilution.model_dump(),  # type: ignore[typeddict-item]
        )


class EligibilityIn(BaseModel):
    """QA's signed determination (R-LED-5: the signer re-enters their password)."""

    eligible: bool
    reason: str = Text
    relaxation_justification: str = Field(default="", max_length=2000)
    signature: Signature


class LookbackIn(BaseModel):
    reason: str = Text
    found_on: date
    signature: Signature


class EraseIn(BaseModel):
    reason: str = Text


@router.post(
    "",
    response_model=Created,
    status_code=201,
    summary="Register a donor",
    openapi_extra=records("donors.register"),
)
def register(ctx: Context, actor: CurrentActor, body: DonorIn) -> Created:
    identity = body.identity.value() if body.identity else None
    code, r = ctx.ledger.register_donor(actor, autologous=body.autologous, identity=identity)
    return Created(code=code, notification_id=r.notification_id, events=r.events)


@router.post(
    "/{code}/consent",
    response_model=Receipt,
    summary="Record consent (R-DON-6)",
    openapi_extra=records("donors.consent"),
)
def consent(ctx: Context, actor: CurrentActor, code: str, body: ConsentIn) -> Receipt:
    return receipt(
        ctx.ledger.record_consent(
            actor,
            code,
            body.scopes,
            body.project,
            body.institution,
            body.form_version,
            body.consented_on,
        )
    )


@router.post(
    "/{code}/consent/withdraw",
    response_model=Receipt,
    summary="Withdraw consent",
    openapi_extra=records("donors.consent"),
)
def withdraw(ctx: Context, actor: CurrentActor, code: str, body: WithdrawIn) -> Receipt:
    return receipt(ctx.ledger.withdraw_consent(actor, code, body.reason, body.withdrawn_on))


@router.post(
    "/{code}/screenings",
    response_model=Receipt,
    summary="Record a screening",
    openapi_extra=records("donors.screen"),
)
def screening(ctx: Context, actor: CurrentActor, code: str, body: ScreeningIn) -> Receipt:
    """Age, sex, histories, travel, marker results with kit and approval number,
    hemodilution (R-DON-1..3)."""
    return receipt(ctx.ledger.record_screening(actor, code, body.value()))


@router.post(
    "/{code}/eligibility",
    response_model=Receipt,
    summary="Signed eligibility",
    openapi_extra=records("donors.eligibility"),
)
def eligibility(ctx: Context, actor: CurrentActor, code: str, body: EligibilityIn) -> Receipt:
    """QA determines eligibility (R-DON-4, R-DON-5), signing with their password (R-LED-5)."""
    actor = body.signature.of(actor)
    return receipt(
        ctx.ledger.determine_eligibility(
            actor, code, body.eligible, body.reason, body.relaxation_justification
        )
    )


@router.post(
    "/{code}/lookback",
    response_model=Receipt,
    summary="Look-back: donor ineligible",
    openapi_extra=records("donors.lookback"),
)
def lookback(ctx: Context, actor: CurrentActor, code: str, body: LookbackIn) -> Receipt:
    """The donor became ineligible later: every derived item is put on hold (R-DON-7)."""
    actor = body.signature.of(actor)
    return receipt(ctx.ledger.declare_donor_ineligible(actor, code, body.reason, body.found_on))


@router.post(
    "/{code}/identity",
    response_model=Receipt,
    summary="Record identity",
    openapi_extra=records("donors.personal_data"),
)
def record_identity(ctx: Context, actor: CurrentActor, code: str, body: IdentityIn) -> Receipt:
    """Store or replace the donor's identifying data, encrypted outside the chain (R-LED-6)."""
    return receipt(ctx.ledger.record_donor_identity(actor, code, body.value()))


@router.post(
    "/{code}/identity/erase",
    response_model=Receipt,
    summary="Erase identity",
    openapi_extra=records("donors.personal_data"),
)
def erase(ctx: Context, actor: CurrentActor, code: str, body: EraseIn) -> Receipt:
    """Destroy the donor's key and ciphertext; the ledger keeps only the code (R-LED-6)."""
    return receipt(ctx.ledger.erase_donor_identity(actor, code, body.reason))


@router.get(
    "/{code}/lookback",
    response_model=RecallListOut,
    dependencies=[reads(Read.RECALL), ReadYourWrites],
    summary="Look-back recall list",
)
def lookback_list(ctx: Context, code: str) -> dict[str, object]:
    """Everything derived from the donor: lots, vials and where each is now (bank, in transit,
    site, administered, disposed), and patients dosed with dates (R-DON-7, R-TRC-2)."""
    extend = partial(add_study_kits, ctx)
    return with_quality_events(
        ctx, lookback_recall(ctx.views_engine, str(parse_code(code)), extend)
    )
