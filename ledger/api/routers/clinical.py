"""Sites, studies and their subjects: site registration, studies under their protocol, site
activation, enrolment with consent and cohort (identity outside the chain), consent withdrawal,
follow-up visits and the overdue ones (R-CLN-1, R-CLN-6, R-DON-5, R-LED-6)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated

from pydantic import BaseModel, Field

from ledger.api.access import Read, reads
from ledger.api.deps import Context, CurrentActor
from ledger.api.routers.donors import IdentityIn
from ledger.api.routing import Routes
from ledger.api.schemas import ERRORS, Created, Receipt, receipt
from ledger.api.step_docs import records
from ledger.domain.patient import Consent
from ledger.domain.study import Cohort, Protocol, Visit, dosing_schedule, with_standard_visits

router = Routes(tags=["clinical"], responses=ERRORS)

Code = Field(min_length=1, max_length=200)
Text = Field(min_length=1, max_length=500)
#: Follow-up and in-use times are bounded only so that dates stay computable.
MAX_DAYS = 36_525


class SiteIn(BaseModel):
    name: str = Field(min_length=1, max_length=200, examples=["University Hospital A"])


class CohortIn(BaseModel):
    name: str = Field(min_length=1, max_length=40, examples=["low"])
    doses: list[Annotated[float, Field(allow_inf_nan=False)]] = Field(
        min_length=1, max_length=20, description="Allowed dose levels, in the study's unit"
    )


class VisitIn(BaseModel):
    label: str = Field(min_length=1, max_length=40, examples=["month 9"])
    day: int = Field(ge=-MAX_DAYS, le=MAX_DAYS, description="Days after the administration")


class ProtocolIn(BaseModel):
    """The ethics-approved protocol version; the domain checks it (R-CLN-1, R-CLN-6)."""

    version: str = Field(min_length=1, max_length=60, examples=["EV-KOA-01 v2.0"])
    routes: list[str] = Field(
        min_length=1, max_length=10, examples=[["intravenous", "intra_arterial"]]
    )
    dose_unit: str = Field(min_length=1, max_length=20, examples=["mL"])
    cohorts: list[CohortIn] = Field(min_length=1, max_length=20)
    in_use_minutes: int = Field(
        ge=-MAX_DAYS, le=MAX_DAYS, description="In-use time after thaw (stability study)"
    )
    follow_up: list[VisitIn] | None = Field(
        default=None,
        max_length=50,
        description="Visits beyond the standard day 1 ... year 1 schedule (R-CLN-6); "
        "omit for the standard schedule",
    )
    blinded: bool = False
    administrations: int = Field(
        ge=1, le=1000, examples=[2], description="Administrations per subject (R-CLN-7)"
    )
    min_interval_hours: float = Field(
        ge=0,
        le=24 * 3660,
        allow_inf_nan=False,
        examples=[672],
        description="The least time between two administrations to a subject (R-CLN-7)",
    )

    def value(self) -> Protocol:
        extra = [Visit(label=v.label, day=v.day) for v in self.follow_up or []]
        return Protocol(
            version=self.version,
            routes=list(self.routes),
            dose_unit=self.dose_unit,
            cohorts=[Cohort(name=c.name, doses=list(c.doses)) for c in self.cohorts],
            in_use_minutes=self.in_use_minutes,
            follow_up=with_standard_visits(extra),
            blinded=self.blinded,
            administrations=self.administrations,
            min_interval_hours=self.min_interval_hours,
        )


class StudyIn(BaseModel):
    title: str = Field(
        min_length=1, max_length=300, examples=["EV for knee osteoarthritis, phase I"]
    )
    protocol: ProtocolIn


class ActivationIn(BaseModel):
    site: str = Field(min_length=1, max_length=200, examples=["SIT-F01-26-000001-3"])


class ConsentIn(BaseModel):
    form_version: str = Field(min_length=1, max_length=60, examples=["ICF v2.0"])
    signed_on: date


class PatientIn(BaseModel):
    study: str = Code
    site: str = Code
    cohort: str = Field(min_length=1, max_length=40, examples=["high"])
    consent: ConsentIn
    donor: str | None = Field(
        default=None,
        max_length=200,
        description="Autologous subjects: the donor code their own cells were collected under "
        "(R-DON-5)",
    )
    identity: IdentityIn | None = Field(
        default=None, description="Kept encrypted outside the ledger, erasable (R-LED-6)"
    )


class WithdrawalIn(BaseModel):
    reason: str = Text


class VisitDoneIn(BaseModel):
    administration: int = Field(ge=1, le=10_000, description="The administration it follows")
    label: str = Field(min_length=1, max_length=40, examples=["day 1"])
    done_on: date


class OverdueVisitOut(BaseModel):
    patient: str
    administration: int
    label: str
    due: date


@router.post(
    "/sites",
    response_model=Created,
    status_code=201,
    summary="Register a site",
    openapi_extra=records("clinical.site"),
)
def register_site(ctx: Context, actor: CurrentActor, body: SiteIn) -> Created:
    """A clinical institution (R-CLN-1); authorise its QP with `POST /people/{code}/qp-sites`."""
    code, r = ctx.ledger.register_site(actor, body.name)
    return Created(code=code, notification_id=r.notification_id, events=r.events)


@router.post(
    "/studies",
    response_model=Created,
    status_code=201,
    summary="Register a study",
    openapi_extra=records("clinical.study"),
)
def register_study(ctx: Context, actor: CurrentActor, body: StudyIn) -> Created:
    """A study under its protocol: routes, dose-escalation cohorts, in-use time, follow-up
    (R-CLN-1, R-CLN-6). A refusal lists everything missing from the protocol."""
    code, r = ctx.ledger.register_study(actor, body.title, body.protocol.value())
    return Created(code=code, notification_id=r.notification_id, events=r.events)


@router.post(
    "/studies/{code}/sites",
    response_model=Receipt,
    summary="Activate a site",
    openapi_extra=records("clinical.activate_site"),
)
def activate_site(ctx: Context, actor: CurrentActor, code: str, body: ActivationIn) -> Receipt:
    """Open the study at a registered site (R-CLN-1)."""
    return receipt(ctx.ledger.activate_site(actor, code, body.site))


@router.post(
    "/patients",
    response_model=Created,
    status_code=201,
    summary="Enrol a patient",
    openapi_extra=records("clinical.enrol"),
)
def enrol(ctx: Context, actor: CurrentActor, body: PatientIn) -> Created:
    """A consented subject at a site active for the study, in a cohort, under a new
    pseudonymous code; identifying data goes to the personal-data store only (R-CLN-1,
    R-LED-6). An autologous subject is linked to their donor code (R-DON-5)."""
    code, r = ctx.ledger.enrol_patient(
        actor,
        body.study,
        body.site,
        body.cohort,
        Consent(form_version=body.consent.form_version, signed_on=body.consent.signed_on),
        donor_code=body.donor or None,
        identity=body.identity.value() if body.identity else None,
    )
    return Created(code=code, notification_id=r.notification_id, events=r.events)


@router.post(
    "/patients/{code}/consent/withdraw",
    response_model=Receipt,
    summary="Withdraw consent",
    openapi_extra=records("clinical.withdraw"),
)
def withdraw(ctx: Context, actor: CurrentActor, code: str, body: WithdrawalIn) -> Receipt:
    """The subject withdraws; no further product may be given to them (R-CLN-1, R-CLN-2)."""
    return receipt(ctx.ledger.withdraw_patient_consent(actor, code, body.reason))


@router.post(
    "/patients/{code}/exit",
    response_model=Receipt,
    summary="A subject leaves the study",
    openapi_extra=records("clinical.exit"),
)
def exit_study(ctx: Context, actor: CurrentActor, code: str, body: WithdrawalIn) -> Receipt:
    """The subject leaves the study: no further dose, and a follow-up visit 3 months later
    (R-CLN-10)."""
    return receipt(ctx.ledger.exit_study(actor, code, body.reason))


@router.post(
    "/patients/{code}/visits",
    response_model=Receipt,
    summary="Follow-up visit done",
    openapi_extra=records("bedside.follow_up"),
)
def complete_visit(ctx: Context, actor: CurrentActor, code: str, body: VisitDoneIn) -> Receipt:
    """A scheduled follow-up visit of one administration took place (R-CLN-6)."""
    return receipt(
        ctx.ledger.complete_visit(actor, code, body.administration, body.label, body.done_on)
    )


class PrescriptionOut(BaseModel):
    """What the protocol allows for this subject: shown at the bedside before the check."""

    patient: str
    study: str
    study_status: str
    site: str
    cohort: str
    dose_unit: str
    doses: list[float] = Field(description="The dose levels of the subject's cohort")
    routes: list[str]
    in_use_minutes: int = Field(description="In-use time after thaw")
    administrations: int = Field(description="Administrations per subject the protocol allows")
    given: int = Field(description="Administrations the subject has had")
    min_interval_hours: float = Field(description="The least time between two administrations")
    last_dose_at: datetime | None = Field(description="When the subject was last dosed")
    next_dose_from: datetime | None = Field(
        description="The earliest time of the next dose, if one is still allowed (R-CLN-7)"
    )


@router.get(
    "/patients/{code}/prescription",
    response_model=PrescriptionOut,
    summary="What the protocol allows for a subject",
    dependencies=[reads(Read.CLINICAL)],
)
def prescription(ctx: Context, code: str) -> PrescriptionOut:
    """The subject's study, cohort dose levels, routes and in-use time, for the bedside page
    (R-CLN-1, R-CLN-2); the bedside check itself decides. Nothing identifying is shown."""
    patient = ctx.ledger.get_patient(code)
    study = ctx.ledger.get_study(patient.study)
    cohort = study.cohort(patient.cohort)
    allowed, interval = dosing_schedule(study.protocol)
    last = patient.doses[-1]["at"] if patient.doses else None
    return PrescriptionOut(
        patient=patient.code,
        study=study.code,
        study_status=study.status,
        site=patient.site,
        cohort=patient.cohort,
        dose_unit=study.protocol["dose_unit"],
        doses=list(cohort["doses"]) if cohort else [],
        routes=list(study.protocol["routes"]),
        in_use_minutes=study.protocol["in_use_minutes"],
        administrations=allowed,
        given=len(patient.doses),
        min_interval_hours=interval,
        last_dose_at=last,
        next_dose_from=(
            None
            if len(patient.doses) >= allowed
            else (last + timedelta(hours=interval) if last else ctx.clock())
        ),
    )


@router.get(
    "/studies/{code}/overdue-visits",
    response_model=list[OverdueVisitOut],
    summary="Overdue follow-up visits",
    dependencies=[reads(Read.CLINICAL)],
)
def overdue_visits(ctx: Context, code: str) -> list[OverdueVisitOut]:
    """Every scheduled visit past its day and not recorded, by subject (R-CLN-6)."""
    return [
        OverdueVisitOut(patient=patient, administration=v["number"], label=v["label"], due=v["due"])
        for patient, visits in ctx.ledger.list_overdue_visits(code).items()
        for v in visits
    ]
