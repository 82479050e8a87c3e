"""Study safety: adverse events linked to administrations, the pause of the whole study on a
serious one, the report deadline, the ethics committee's signed decision, and signed emergency
unblinding whose arm only the requester sees (R-CLN-4, R-CLN-5, R-LED-5)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Path
from pydantic import BaseModel, Field

from ledger.api.access import Read, reads
from ledger.api.deps import Context, CurrentActor
from ledger.api.routing import Routes
from ledger.api.schemas import ERRORS, Receipt, Signature, receipt
from ledger.api.step_docs import records
from ledger.identifiers import parse_code

router = Routes(tags=["safety"], responses=ERRORS)

Text = Field(min_length=1, max_length=2000)
Reference = Field(min_length=1, max_length=120)


class AdverseEventIn(BaseModel):
    administration: int = Field(
        ge=1, le=10_000, description="Which administration of the patient it followed (1, 2 ...)"
    )
    grade: int = Field(ge=-100, le=100, description="CTCAE grade 1..5 (checked by R-CLN-4)")
    serious: bool = Field(description="A serious event pauses the study at every site")
    description: str = Text
    onset: date


class AdverseEventOut(Receipt):
    number: int = Field(description="The event's number within the study")
    study: str
    study_status: str = Field(description="`paused` after a serious event (R-CLN-4)")


class ReportFiledIn(BaseModel):
    reference: str = Reference
    reported_on: date


class EthicsDecisionIn(BaseModel):
    """The ethics committee's decision on a paused study, signed by the investigator who
    records it (R-LED-5)."""

    decision: str = Field(min_length=1, max_length=20, examples=["resume", "terminate"])
    reference: str = Reference
    reason: str = Text
    signature: Signature


class HaltIn(BaseModel):
    """A pause, resumption or termination for a reason other than a serious adverse event,
    decided by the sponsor, the investigator or the ethics committee (R-CLN-9); signed by the
    investigator who records it (R-LED-5)."""

    action: str = Field(pattern="^(pause|resume|terminate)$", examples=["pause"])
    by: str = Field(
        pattern="^(sponsor|investigator|ethics_committee)$",
        examples=["sponsor"],
        description="Who decided",
    )
    reason: str = Text
    reference: str = Reference
    signature: Signature


class HaltReportIn(ReportFiledIn):
    decision: int = Field(ge=1, le=10_000, description="The decision's number")


class HaltedOut(Receipt):
    number: int = Field(description="The decision's number, for filing its report")
    report_due: date = Field(description="The report is due within 5 working days")


class HaltOut(BaseModel):
    number: int
    action: str
    by: str
    reason: str
    reference: str
    decided_on: date
    report_due: date


class UnblindingIn(BaseModel):
    vial: str = Field(min_length=1, max_length=200, description="The vial given to the patient")
    reason: str = Field(
        min_length=1, max_length=2000, description="The medical emergency that requires it"
    )
    signature: Signature


class UnblindedOut(Receipt):
    patient: str
    vial: str
    arm: str = Field(
        description="Shown to the requester only; the audit trail records the unblinding "
        "without the arm (R-CLN-5)"
    )


class OverdueReportOut(BaseModel):
    number: int
    patient: str
    administration: int
    grade: int
    description: str
    onset: date
    aware_on: date
    report_due: date


class FollowUpIn(BaseModel):
    event: int = Field(ge=1, le=1_000_000, description="The adverse event's number")
    note: str = Field(min_length=1, max_length=2000, description="How the event evolved")
    resolved: bool = False
    outcome: str = Field(default="", max_length=200, examples=["recovered without sequelae"])


class OverdueFollowUpOut(BaseModel):
    number: int
    patient: str
    grade: int
    description: str
    aware_on: date
    followed_on: date | None


Number = Annotated[int, Path(ge=1, le=1_000_000, description="The adverse event's number")]


@router.post(
    "/patients/{code}/adverse-events",
    response_model=AdverseEventOut,
    status_code=201,
    summary="Report an adverse event",
    openapi_extra=records("safety.adverse_event"),
)
def report(ctx: Context, actor: CurrentActor, code: str, body: AdverseEventIn) -> AdverseEventOut:
    """An adverse event after one of the patient's administrations; a serious one pauses the
    study at once, at every site, until the ethics committee decides (R-CLN-4)."""
    number, r = ctx.ledger.report_adverse_event(
        actor,
        code,
        body.administration,
        body.grade,
        body.serious,
        body.description,
        body.onset,
    )
    study = ctx.ledger.get_study(ctx.ledger.get_patient(code).study)
    return AdverseEventOut(
        number=number,
        study=study.code,
        study_status=study.status,
        notification_id=r.notification_id,
        events=r.events,
    )


@router.post(
    "/studies/{code}/adverse-events/{number}/report",
    response_model=Receipt,
    summary="Serious adverse event report filed",
    openapi_extra=records("safety.report"),
)
def report_filed(
    ctx: Context, actor: CurrentActor, code: str, number: Number, body: ReportFiledIn
) -> Receipt:
    """The report on a serious adverse event was filed, due within 5 working days (R-CLN-4)."""
    return receipt(
        ctx.ledger.record_ae_report(actor, code, number, body.reference, body.reported_on)
    )


@router.post(
    "/studies/{code}/ethics-decision",
    response_model=Receipt,
    summary="Ethics committee: resume or terminate (signed)",
    openapi_extra=records("safety.ethics_decision"),
)
def ethics_decision(
    ctx: Context, actor: CurrentActor, code: str, body: EthicsDecisionIn
) -> Receipt:
    """The ethics committee's decision to resume or terminate a paused study, signed with the
    signer's password (R-CLN-4, R-LED-5)."""
    actor = body.signature.of(actor)
    return receipt(
        ctx.ledger.record_ethics_decision(actor, code, body.decision, body.reference, body.reason)
    )


@router.post(
    "/patients/{code}/unblinding",
    response_model=UnblindedOut,
    summary="Emergency unblinding (signed)",
    openapi_extra=records("safety.emergency_unblinding"),
)
def unblind(ctx: Context, actor: CurrentActor, code: str, body: UnblindingIn) -> UnblindedOut:
    """Reveal the arm of a vial given to the patient in a medical emergency: restricted role,
    signed with the signer's password, with the reason (R-CLN-5, R-LED-5). The arm is in this
    response only; the patient's history shows the unblinding without it."""
    actor = body.signature.of(actor)
    arm, r = ctx.ledger.unblind_emergency(actor, code, body.vial, body.reason)
    patient = ctx.ledger.get_patient(code)
    return UnblindedOut(
        patient=patient.code,
        vial=str(parse_code(body.vial)),
        arm=arm,
        notification_id=r.notification_id,
        events=r.events,
    )


@router.get(
    "/studies/{code}/overdue-reports",
    response_model=list[OverdueReportOut],
    summary="Overdue serious adverse event reports",
    dependencies=[reads(Read.CLINICAL)],
)
def overdue_reports(ctx: Context, code: str) -> list[OverdueReportOut]:
    """Serious adverse events whose report is past its 5-working-day deadline (R-CLN-4)."""
    return [
        OverdueReportOut(
            number=a["number"],
            patient=a["patient"],
            administration=a["administration"],
            grade=a["grade"],
            description=a["description"],
            onset=a["onset"],
            aware_on=a["aware_on"],
            report_due=a["report_due"] or a["aware_on"],
        )
        for a in ctx.ledger.list_overdue_ae_reports(code)
    ]


@router.post(
    "/studies/{code}/halt",
    response_model=HaltedOut,
    summary="Pause, resume or terminate a study (signed)",
    openapi_extra=records("safety.halt"),
)
def halt(ctx: Context, actor: CurrentActor, code: str, body: HaltIn) -> HaltedOut:
    """Pause, resume or terminate the study for a reason other than a serious adverse event,
    as the sponsor, the investigator or the ethics committee decided, signed; its report is
    due within 5 working days (R-CLN-9, R-LED-5). A pause a serious adverse event caused is
    lifted only by the ethics committee."""
    number, r = ctx.ledger.halt_study(
        body.signature.of(actor), code, body.action, body.by, body.reason, body.reference
    )
    decided = ctx.ledger.get_study(code).halts[number - 1]
    return HaltedOut(
        number=number,
        report_due=decided["report_due"],
        notification_id=r.notification_id,
        events=r.events,
    )


@router.post(
    "/studies/{code}/halt-reports",
    response_model=Receipt,
    summary="File the report on a pause, resumption or termination",
    openapi_extra=records("safety.halt_report"),
)
def halt_report(ctx: Context, actor: CurrentActor, code: str, body: HaltReportIn) -> Receipt:
    """The report on decision number `decision` was filed (R-CLN-9)."""
    return receipt(
        ctx.ledger.record_halt_report(actor, code, body.decision, body.reference, body.reported_on)
    )


@router.get(
    "/studies/{code}/overdue-halt-reports",
    response_model=list[HaltOut],
    summary="Overdue reports on pauses, resumptions and terminations",
    dependencies=[reads(Read.CLINICAL)],
)
def overdue_halt_reports(ctx: Context, code: str) -> list[HaltOut]:
    """Pauses, resumptions and terminations whose report is past its 5-working-day deadline
    (R-CLN-9)."""
    return [
        HaltOut(**{k: h[k] for k in HaltOut.model_fields})  # type: ignore[literal-required]
        for h in ctx.ledger.list_overdue_halt_reports(code)
    ]


@router.post(
    "/patients/{code}/adverse-event-follow-ups",
    response_model=Receipt,
    summary="Follow an adverse event up until it resolves",
    openapi_extra=records("safety.ae_follow_up"),
)
def ae_follow_up(ctx: Context, actor: CurrentActor, code: str, body: FollowUpIn) -> Receipt:
    """How the patient's adverse event evolves, and once it resolved, its outcome (R-CLN-10).
    A serious one is followed up at least every 30 days until it resolves."""
    return receipt(
        ctx.ledger.follow_up_adverse_event(
            actor, code, body.event, body.note, body.resolved, body.outcome
        )
    )


@router.get(
    "/studies/{code}/overdue-ae-follow-ups",
    response_model=list[OverdueFollowUpOut],
    summary="Serious adverse events not followed up for 30 days",
    dependencies=[reads(Read.CLINICAL)],
)
def overdue_ae_follow_ups(ctx: Context, code: str) -> list[OverdueFollowUpOut]:
    """Serious adverse events not resolved whose last follow-up is more than 30 days old
    (R-CLN-10)."""
    return [
        OverdueFollowUpOut(
            number=a["number"],
            patient=a["patient"],
            grade=a["grade"],
            description=a["description"],
            aware_on=a["aware_on"],
            followed_on=a.get("followed_on"),
        )
        for a in ctx.ledger.list_overdue_ae_follow_ups(code)
    ]
